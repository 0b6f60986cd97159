"""Asserts for the test cells of the graded exercises, hard to fool from a learner's cell.

Every assignment imports this module in its locked setup cell, *before* any learner code::

    from ganlab import exercise_checks as checks

At that moment the module takes a snapshot of everything a test relies on: the functions
(``torch.testing.assert_close``, ``torch.allclose``, ``numpy.isclose``, ``math.isclose``,
``isinstance``, ``type``, ``abs``, ``float``, ...), the namespaces of ``torch``, ``math``,
``numpy``, ``copy``, ``torch.nn.functional``, the classes ``torch.Tensor`` and
``torch.nn.Module``, and the names the setup cell bound (``torch``, ``math``, ``F``, ...).
Then:

* every check first calls :func:`restore`, which puts the pristine objects back wherever a
  learner's cell replaced them, so the rest of a test cell runs on the real torch again;
* the checks themselves never look anything up at call time: they use the captured objects
  only, and compare numbers in plain Python after reading a tensor's values with the
  C-level ``TensorBase`` methods (a learner can patch ``torch.Tensor``, a Python class, but
  not ``torch._C.TensorBase``);
* a value must be *exactly* a ``torch.Tensor`` (or ``nn.Parameter``), a ``float``, a ``bool``:
  an object that claims to equal everything, or a Tensor subclass with its own
  ``__torch_function__``, is refused with a message.

The module's own attributes are read-only (``checks.assert_close = ...`` raises).

Tolerances follow :func:`torch.testing.assert_close`: ``|actual - expected| <= atol + rtol *
|expected|`` elementwise, with its defaults per dtype when ``rtol``/``atol`` are not given.
"""
from __future__ import annotations

import builtins
import copy as _copy_module
import math
import sys
import types

import torch
import torch.nn.functional as _F

try:  # numpy is a dependency of ganlab, but keep the checks usable without it
    import numpy as _np
except ImportError:  # pragma: no cover
    _np = None

__all__ = ["assert_tensor", "assert_shape", "assert_close", "assert_scalar_close",
           "assert_true", "rng", "restore", "use_language"]

# ---------------------------------------------------------------------------------------
# 1. The snapshot, taken at import (in the setup cell, before any learner code).
# ---------------------------------------------------------------------------------------

# Builtins the tests use. IPython manages a few others (exit, display, _, ...): left alone.
_BUILTIN_NAMES = (
    "abs", "all", "any", "bool", "callable", "dict", "enumerate", "filter", "float",
    "format", "getattr", "hasattr", "hash", "id", "int", "isinstance", "issubclass", "iter",
    "len", "list", "map", "max", "min", "next", "object", "print", "range", "repr", "round",
    "set", "setattr", "slice", "sorted", "str", "sum", "super", "tuple", "type", "zip",
    "__import__", "__build_class__", "AssertionError", "Exception", "BaseException",
    "RuntimeError", "TypeError", "ValueError", "IndexError", "KeyError", "NotImplementedError",
    "ZeroDivisionError", "StopIteration", "ArithmeticError", "OverflowError",
)
_PRISTINE_BUILTINS = {name: getattr(builtins, name) for name in _BUILTIN_NAMES
                      if hasattr(builtins, name)}

# Captured for our own use: nothing below is looked up again at call time.
_type = type
_len = len
_float = float
_int = int
_bool = bool
_str = str
_repr = repr
_abs = abs
_range = range
_tuple = tuple
_list = list
_isinstance = isinstance
_zip = zip
_enumerate = enumerate
_dict_get = dict.get
_vars = vars
_AssertionError = AssertionError
_TypeError = TypeError
_ValueError = ValueError
_isnan = math.isnan
_isinf = math.isinf
_inf = math.inf

_Tensor = torch.Tensor
_Parameter = torch.nn.Parameter
_TensorBase = torch._C.TensorBase
_Generator = torch.Generator
_float64 = torch.float64
_torch_tensor = torch.tensor
_torch_bool = torch.bool
_tb_detach = _TensorBase.detach
_tb_cpu = _TensorBase.cpu
_tb_to = _TensorBase.to
_tb_tolist = _TensorBase.tolist
_tb_size = _TensorBase.size
_tb_dim = _TensorBase.dim
_tb_is_complex = _TensorBase.is_complex
_tb_dtype = _TensorBase.dtype.__get__
_gen_manual_seed = _Generator.manual_seed
_DisableTorchFunction = torch._C.DisableTorchFunction
_len_function_stack = getattr(torch._C, "_len_torch_function_stack", None)
_len_dispatch_stack = getattr(torch._C, "_len_torch_dispatch_stack", None)
_float_types = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
# torch.testing.assert_close's default tolerances (rtol, atol) per dtype.
_DEFAULT_TOLERANCES = {
    torch.float16: (1e-3, 1e-5), torch.bfloat16: (1.6e-2, 1e-5),
    torch.float32: (1.3e-6, 1e-5), torch.float64: (1e-7, 1e-7),
}
_NUMPY_BOOL = _np.bool_ if _np is not None else None


def _namespace_snapshot(namespace) -> dict:
    return dict(_vars(namespace))


# Modules whose attributes a learner might replace (torch.allclose = ..., math.isclose = ...).
_MODULES = [torch, torch.testing, torch.nn, _F, torch.autograd, torch.optim, math,
            _copy_module]
if _np is not None:
    _MODULES += [_np, _np.testing]
_MODULE_SNAPSHOTS = [(module, _namespace_snapshot(module)) for module in _MODULES]

# Python-level classes: their attributes can be replaced or shadowed (torch.Tensor.__eq__).
_CLASSES = [torch.Tensor, torch.nn.Parameter, torch.nn.Module, torch.nn.Linear,
            torch.optim.Optimizer, torch.optim.SGD, torch.optim.Adam]
_CLASS_SNAPSHOTS = [(cls, _namespace_snapshot(cls)) for cls in _CLASSES]
_type_setattr = type.__setattr__
_type_delattr = type.__delattr__
_module_setattr = types.ModuleType.__setattr__

# The names the setup cell binds in the notebook, and what they must point to.
_NOTEBOOK_NAMES = {"torch": torch, "math": math, "F": _F, "nn": torch.nn,
                   "copy": _copy_module}
if _np is not None:
    _NOTEBOOK_NAMES["np"] = _np
_getframe = sys._getframe


def _restore_namespace(target, snapshot: dict, setter, deleter=None) -> int:
    """Put back every entry of ``snapshot`` that differs in ``target``; count the repairs."""
    current = _vars(target)
    repaired = 0
    for key, value in snapshot.items():
        if current.get(key, _MISSING) is not value:
            setter(target, key, value)
            repaired += 1
    if deleter is not None and _len(current) != _len(snapshot):
        for key in _list(current):
            if key not in snapshot:
                deleter(target, key)
                repaired += 1
    return repaired


_MISSING = object()


def restore(namespace: dict | None = None) -> int:
    """Put the pristine torch, numpy, math, copy and builtins back; return how many were fixed.

    Undoes ``torch.allclose = ...``, ``builtins.isinstance = ...``, ``torch.Tensor.__eq__ =
    ...`` and friends. ``namespace`` (default: the caller's globals, i.e. the notebook) also
    gets its ``torch``, ``math``, ``F``, ``nn``, ``copy``, ``np`` and ``checks`` names back if
    a cell rebound them. Every check calls this first; test cells may call it too.
    First used in assignment 01.
    """
    repaired = 0
    for name, value in _PRISTINE_BUILTINS.items():
        if _dict_get(_vars(builtins), name, _MISSING) is not value:
            _module_setattr(builtins, name, value)
            repaired += 1
    for module, snapshot in _MODULE_SNAPSHOTS:
        repaired += _restore_namespace(module, snapshot, _module_setattr)
    for cls, snapshot in _CLASS_SNAPSHOTS:
        repaired += _restore_namespace(cls, snapshot, _type_setattr, _type_delattr)
    repaired += _restore_namespace(_this_module, _SELF_SNAPSHOT, _module_setattr)
    if namespace is None:
        namespace = _getframe(1).f_globals
    if _isinstance(namespace, dict) and namespace is not _vars(_this_module):
        for name, value in _NOTEBOOK_NAMES.items():
            if name in namespace and namespace[name] is not value:
                namespace[name] = value
                repaired += 1
        if "checks" in namespace and namespace["checks"] is not _this_module:
            namespace["checks"] = _this_module
            repaired += 1
    return repaired


def _guard(namespace: dict) -> None:
    """Restore, then refuse to compare while a torch function/dispatch mode is active."""
    restore(namespace)
    if _len_function_stack is not None and _len_function_stack() > 0:
        raise _AssertionError("A torch function mode is active (something entered a "
                              "TorchFunctionMode); the checks cannot trust torch now.")
    if _len_dispatch_stack is not None and _len_dispatch_stack() > 0:
        raise _AssertionError("A torch dispatch mode is active (something entered a "
                              "TorchDispatchMode); the checks cannot trust torch now.")


# ---------------------------------------------------------------------------------------
# 2. Reading values without trusting the learner's objects.
# ---------------------------------------------------------------------------------------

def _is_exact_tensor(value) -> bool:
    kind = _type(value)
    return kind is _Tensor or kind is _Parameter


def _describe(value) -> str:
    kind = _type(value)
    if kind is _Tensor or kind is _Parameter:
        return _say("a_tensor", shape=_shape_of(value), dtype=_tb_dtype(value))
    return _say("an_object", kind=f"{kind.__module__}.{kind.__qualname__}")


def _shape_of(tensor) -> tuple:
    with _DisableTorchFunction():
        return _tuple(_int(n) for n in _tuple.__iter__(_tb_size(tensor)))


def _flat_values(tensor) -> list:
    """The tensor's values as a flat list of Python floats (complex stays complex)."""
    with _DisableTorchFunction():
        values = _tb_cpu(_tb_detach(tensor))
        if not _tb_is_complex(values):
            values = _tb_to(values, _float64)
        nested = _tb_tolist(values)
    flat = []
    stack = [nested]
    while stack:  # iterative flatten, row-major order
        item = stack.pop()
        if _type(item) is _list:
            stack.extend(item[::-1])
        else:
            flat.append(item)
    return flat


def _index_of(flat_index: int, shape: tuple) -> tuple:
    index = []
    for size in shape[::-1]:
        index.append(flat_index % size)
        flat_index //= size
    return _tuple(index[::-1])


def _name(name, what, default: str) -> str:
    """Tests pass the description as ``name`` (positional) or ``what=`` (keyword)."""
    for candidate in (what, name):
        if candidate is not None:
            return _str(candidate)
    return default


def _fail(message: str):
    raise _AssertionError(message)


# The checks' own messages, in every language a notebook may ask for (use_language).
_MESSAGES = {
    "the_result": {"en": "the result", "ko": "결과"},
    "condition_false": {"en": "the condition is False", "ko": "조건이 False입니다"},
    "a_tensor": {"en": "a tensor of shape {shape} and dtype {dtype}",
                 "ko": "모양이 {shape}이고 dtype이 {dtype}인 텐서"},
    "an_object": {"en": "an object of type {kind}", "ko": "{kind} 타입의 객체"},
    "not_a_tensor": {
        "en": "{name}: expected a torch.Tensor, got {got}. Return a tensor built with torch "
              "operations (not a list, a float, or a custom object).",
        "ko": "{name}: torch.Tensor여야 하는데 {got}입니다. torch 연산으로 만든 텐서를 반환하세요 "
              "(리스트, float, 직접 만든 객체가 아니라)."},
    "not_a_tensor_of_shape": {"en": "{name}: expected a torch.Tensor of shape {shape}, got {got}.",
                              "ko": "{name}: 모양이 {shape}인 torch.Tensor여야 하는데 {got}입니다."},
    "wrong_shape": {"en": "{name}: expected shape {shape}, got shape {got}.",
                    "ko": "{name}: 모양이 {shape}여야 하는데 {got}입니다."},
    "wrong_shape_scalar": {
        "en": "{name}: expected shape {shape} (a 0-dimensional tensor: reduce with .mean() or "
              ".sum()), got shape {got}.",
        "ko": "{name}: 모양이 {shape}여야 하는데 (0차원 텐서: .mean()이나 .sum()으로 줄이세요) "
              "{got}입니다."},
    "expected_tensor": {"en": "{name}: expected a torch.Tensor, got {got}.",
                        "ko": "{name}: torch.Tensor여야 하는데 {got}입니다."},
    "at_index": {"en": " at index {index}", "ko": " (인덱스 {index})"},
    "values_differ": {
        "en": "{name}: {bad} of {total} value(s) differ (shape {shape}). Worst{where}: expected "
              "{expected!r}, got {got!r} (|difference| {difference:.3g}, allowed {atol:.3g} + "
              "{rtol:.3g} * |expected|).",
        "ko": "{name}: 값 {total}개 중 {bad}개가 다릅니다 (모양 {shape}). 가장 큰 차이{where}: "
              "기댓값 {expected!r}, 실제 {got!r} (|차이| {difference:.3g}, 허용 {atol:.3g} + "
              "{rtol:.3g} * |기댓값|)."},
    "expected_number": {"en": "{name}: expected a number (a Python float), got {got}.",
                        "ko": "{name}: 숫자(파이썬 float)여야 하는데 {got}입니다."},
    "number_differs": {
        "en": "{name}: expected {expected!r}, got {got!r} (|difference| {difference:.3g}, "
              "allowed {atol:.3g} + {rtol:.3g} * |expected|).",
        "ko": "{name}: 기댓값 {expected!r}, 실제 {got!r} (|차이| {difference:.3g}, 허용 "
              "{atol:.3g} + {rtol:.3g} * |기댓값|)."},
    "bool_tensor": {"en": "{message} (got a bool tensor with {n} elements; use .all() or .any())",
                    "ko": "{message} (원소가 {n}개인 bool 텐서입니다. .all()이나 .any()를 쓰세요)"},
    "needs_bool": {"en": "{message} (the check needs a bool, got {got})",
                   "ko": "{message} (검사에는 bool이 필요한데 {got}입니다)"},
}
_LANGUAGE = {"current": "en"}  # a dict: the module itself is read-only


def use_language(language: str) -> None:
    """Give the checks' messages in ``language`` ("en" or "ko"); the Korean notebooks'
    setup cell calls ``checks.use_language("ko")``. First used in assignment 01 (Korean)."""
    if language not in _MESSAGES["the_result"]:
        raise _ValueError(f"use_language: no messages in {language!r}; "
                          f"choose one of {sorted(_MESSAGES['the_result'])}")
    _LANGUAGE["current"] = language


def _say(key: str, **values) -> str:
    """The message ``key`` in the current language, filled in."""
    return _MESSAGES[key][_LANGUAGE["current"]].format(**values)


def _check_tolerance(value, label: str):
    if value is None:
        return None
    if _type(value) not in (_float, _int) or value < 0 or _isnan(value):
        raise _ValueError(f"{label} must be a non-negative number, got {value!r}")
    return _float(value)


# ---------------------------------------------------------------------------------------
# 3. The checks.
# ---------------------------------------------------------------------------------------

def assert_tensor(x, name: str | None = None) -> None:
    """``x`` must be exactly a ``torch.Tensor`` (or an ``nn.Parameter``), nothing that mimics one.

    First used in assignment 01.
    """
    _guard(_getframe(1).f_globals)
    name = _say("the_result") if name is None else name
    if not _is_exact_tensor(x):
        _fail(_say("not_a_tensor", name=name, got=_describe(x)))


def assert_shape(x, shape, name: str | None = None) -> None:
    """``x`` is a tensor of exactly this shape (``()`` for a scalar tensor).

    First used in assignment 01.
    """
    _guard(_getframe(1).f_globals)
    name = _say("the_result") if name is None else name
    expected = _tuple(_int(n) for n in shape)
    if not _is_exact_tensor(x):
        _fail(_say("not_a_tensor_of_shape", name=name, shape=expected, got=_describe(x)))
    got = _shape_of(x)
    if got != expected:
        _fail(_say("wrong_shape_scalar" if expected == () else "wrong_shape", name=name, shape=expected, got=got))


def assert_close(actual, expected, name: str | None = None, *, rtol: float | None = None,
                 atol: float | None = None, what: str | None = None) -> None:
    """Elementwise ``|actual - expected| <= atol + rtol * |expected|``, same shape, no NaN.

    ``actual`` must be exactly a ``torch.Tensor``; ``expected`` is a tensor or a number built
    by the test. On failure the message names the value, its shape, how many elements are
    off and the worst one: expected vs got. First used in assignment 01.
    """
    _guard(_getframe(1).f_globals)
    label = _name(name, what, _say("the_result"))
    rtol, atol = _check_tolerance(rtol, "rtol"), _check_tolerance(atol, "atol")
    if not _is_exact_tensor(actual):
        _fail(_say("expected_tensor", name=label, got=_describe(actual)))
    if not _is_exact_tensor(expected):
        if _type(expected) in (_float, _int, _bool):
            with _DisableTorchFunction():
                expected = _torch_tensor(_float(expected), dtype=_float64)
        else:
            raise _TypeError(f"assert_close: the expected value for {label} must be a tensor "
                             f"or a number, got {_describe(expected)} (a bug in the test).")
    got_shape, want_shape = _shape_of(actual), _shape_of(expected)
    if got_shape != want_shape:
        _fail(_say("wrong_shape", name=label, shape=want_shape, got=got_shape))
    dtype = _tb_dtype(expected)
    default_rtol, default_atol = _DEFAULT_TOLERANCES.get(dtype, (0.0, 0.0))
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    got_values, want_values = _flat_values(actual), _flat_values(expected)
    worst, worst_excess, n_bad = -1, -_inf, 0
    for i, (g, e) in _enumerate(_zip(got_values, want_values)):
        if _type(g) is complex or _type(e) is complex:
            diff, scale = _abs(g - e), _abs(e)
            bad = diff != diff or diff > atol + rtol * scale
            excess = _inf if diff != diff else diff - (atol + rtol * scale)
        elif _isnan(g) or _isnan(e):
            bad, excess = not (_isnan(g) and _isnan(e)), _inf
        elif _isinf(g) or _isinf(e):
            bad, excess = g != e, _inf
        else:
            allowed = atol + rtol * _abs(e)
            excess = _abs(g - e) - allowed
            bad = excess > 0
        if bad:
            n_bad += 1
            if excess > worst_excess:
                worst, worst_excess = i, excess
    if n_bad:
        index = _index_of(worst, want_shape)
        where = _say("at_index", index=index) if want_shape else ""
        g, e = got_values[worst], want_values[worst]
        _fail(_say("values_differ", name=label, bad=n_bad, total=_len(want_values), shape=want_shape,
                   where=where, expected=e, got=g, difference=_abs(g - e), atol=atol, rtol=rtol))


def assert_scalar_close(actual, expected, name: str | None = None, *,
                        rtol: float | None = None, atol: float | None = None,
                        what: str | None = None) -> None:
    """A plain number (``float``/``int``, or a one-element tensor) close to ``expected``.

    First used in assignment 03.
    """
    _guard(_getframe(1).f_globals)
    label = _name(name, what, _say("the_result"))
    rtol = 1.3e-6 if rtol is None else _check_tolerance(rtol, "rtol")
    atol = 1e-5 if atol is None else _check_tolerance(atol, "atol")
    kind = _type(actual)
    if kind is _float or kind is _int:
        got = _float(actual)
    elif _is_exact_tensor(actual) and _len(_flat_values(actual)) == 1:
        got = _flat_values(actual)[0]
    else:
        _fail(_say("expected_number", name=label, got=_describe(actual)))
    if _type(expected) not in (_float, _int):
        raise _TypeError(f"assert_scalar_close: the expected value for {label} must be a "
                         f"number, got {_describe(expected)} (a bug in the test).")
    want = _float(expected)
    if _isnan(got) or (_isinf(got) and got != want) or _abs(got - want) > atol + rtol * _abs(want):
        _fail(_say("number_differs", name=label, expected=want, got=got, difference=_abs(got - want),
                   atol=atol, rtol=rtol))


def assert_true(condition, message: str | None = None) -> None:
    """``condition`` must be a real ``True``: a ``bool`` (or a one-element bool tensor).

    First used in assignment 01.
    """
    _guard(_getframe(1).f_globals)
    message = _say("condition_false") if message is None else message
    kind = _type(condition)
    if kind is _bool or (_NUMPY_BOOL is not None and kind is _NUMPY_BOOL):
        value = condition is True or (kind is _NUMPY_BOOL and condition.item() is True)
    elif _is_exact_tensor(condition) and _tb_dtype(condition) is _torch_bool:
        values = _flat_values(condition)
        if _len(values) != 1:
            _fail(_say("bool_tensor", message=message, n=_len(values)))
        value = values[0] == 1.0
    else:
        _fail(_say("needs_bool", message=message, got=_describe(condition)))
    if not value:
        _fail(_str(message))


def rng(seed: int) -> torch.Generator:
    """A fresh CPU ``torch.Generator`` seeded with ``seed``: the tests' own random numbers.

    First used in assignment 01.
    """
    _guard(_getframe(1).f_globals)
    if _type(seed) is not _int:
        raise _TypeError(f"rng(seed): seed must be an int, got {_describe(seed)}")
    generator = _Generator()
    _gen_manual_seed(generator, seed)
    return generator


# ---------------------------------------------------------------------------------------
# 4. Make this module read-only, and remember its own pristine state.
# ---------------------------------------------------------------------------------------

class _ReadOnlyModule(types.ModuleType):
    """``checks.assert_close = ...`` raises instead of silently replacing a check."""

    def __setattr__(self, name, value):
        raise AttributeError(f"ganlab.exercise_checks is read-only (tried to set {name!r})")

    def __delattr__(self, name):
        raise AttributeError(f"ganlab.exercise_checks is read-only (tried to delete {name!r})")


_this_module = sys.modules[__name__]
_SELF_SNAPSHOT = dict(vars(_this_module))
_this_module.__class__ = _ReadOnlyModule
