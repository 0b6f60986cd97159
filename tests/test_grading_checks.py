"""ganlab.exercise_checks (and its old name ganlab.grading.checks): exact types, useful messages, and no trust in what a learner can patch.

Each test that monkeypatches torch/numpy/math/builtins restores them through
``checks.restore()`` (which is what the checks do themselves before comparing).
"""
import builtins
import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from ganlab import exercise_checks as checks


@pytest.fixture(autouse=True)
def _pristine():
    yield
    checks.restore(namespace={})


class EqualsEverything:
    """Claims to equal anything, looks like a scalar tensor."""
    shape = ()
    dtype = torch.float32

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__

    def __abs__(self):
        return 0.0

    def __sub__(self, other):
        return 0.0

    def item(self):
        return 0.0


def test_import_is_light_and_needs_no_nbgrader():
    code = ("import sys; from ganlab import exercise_checks as checks; "
            "assert 'nbgrader' not in sys.modules, 'nbgrader imported'; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_old_name_is_the_same_module():
    """Notebooks released before the rename import ``ganlab.grading.checks``: the same object."""
    code = ("from ganlab.grading import checks as old; import ganlab.grading.checks as dotted; "
            "from ganlab import exercise_checks as new; "
            "print(old is new, dotted is new, old.restore is new.restore)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True"]


def test_correct_values_pass():
    checks.assert_tensor(torch.zeros(3), "z")
    checks.assert_shape(torch.zeros(2, 3), (2, 3), "z")
    checks.assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-7]), "v")
    checks.assert_close(torch.nn.Parameter(torch.ones(2)), torch.ones(2), what="a parameter")
    checks.assert_close(torch.tensor(0.5, dtype=torch.float64), 0.5, "a float expectation")
    checks.assert_scalar_close(0.1 + 0.2, 0.3, "sum")
    checks.assert_true(True, "true")
    checks.assert_true(torch.tensor(True), "a bool tensor")
    checks.assert_true(np.bool_(True), "a numpy bool")


def test_messages_name_shape_and_worst_element():
    with pytest.raises(AssertionError) as info:
        checks.assert_close(torch.tensor([[0.0, 1.0], [2.0, 3.0]]),
                            torch.tensor([[0.0, 1.0], [2.0, 3.5]]), what="D(x) on the grid",
                            atol=1e-6, rtol=0.0)
    message = str(info.value)
    assert "D(x) on the grid" in message
    assert "(2, 2)" in message and "(1, 1)" in message
    assert "expected 3.5" in message and "got 3.0" in message
    with pytest.raises(AssertionError, match=r"expected shape \(\) .* got shape \(3,\)"):
        checks.assert_shape(torch.zeros(3), (), "loss")
    with pytest.raises(AssertionError, match="expected shape"):
        checks.assert_close(torch.zeros(3), torch.zeros(4), "x")
    with pytest.raises(AssertionError, match="got nan"):
        checks.assert_close(torch.tensor([float("nan")]), torch.tensor([1.0]), "x")
    with pytest.raises(AssertionError, match="expected 1.0, got 2.0"):
        checks.assert_scalar_close(2.0, 1.0, "loss")


@pytest.mark.parametrize("impostor", [EqualsEverything(), [1.0, 2.0], np.array([1.0, 2.0]), 1.0,
                                      torch.zeros(2).as_subclass(type("Sub", (torch.Tensor,), {}))])
def test_only_exact_tensors_are_tensors(impostor):
    with pytest.raises(AssertionError, match="expected a torch.Tensor"):
        checks.assert_tensor(impostor, "the answer")
    with pytest.raises(AssertionError):
        checks.assert_close(impostor, torch.tensor([1.0, 2.0]), "the answer")


@pytest.mark.parametrize("condition", [1, "yes", EqualsEverything(), torch.tensor([True, True]),
                                       torch.tensor(1.0), None])
def test_assert_true_needs_a_real_bool(condition):
    with pytest.raises(AssertionError):
        checks.assert_true(condition, "must be a bool")


def test_assert_scalar_close_refuses_impostors():
    with pytest.raises(AssertionError, match="expected a number"):
        checks.assert_scalar_close(EqualsEverything(), 1.0, "loss")
    with pytest.raises(AssertionError, match="expected a number"):
        checks.assert_scalar_close("1.0", 1.0, "loss")


# name -> (owner, attribute, replacement): what a learner's cell could assign.
PATCHES = {
    "torch.testing.assert_close": (torch.testing, "assert_close", lambda *a, **k: None),
    "torch.allclose": (torch, "allclose", lambda *a, **k: True),
    "torch.isclose": (torch, "isclose", lambda a, b, **k: torch.ones_like(a, dtype=torch.bool)),
    "numpy.isclose": (np, "isclose", lambda *a, **k: True),
    "math.isclose": (math, "isclose", lambda *a, **k: True),
    "builtins.isinstance": (builtins, "isinstance", lambda *a: True),
    "builtins.abs": (builtins, "abs", lambda x: 0),
    "builtins.type": (builtins, "type", lambda *a: torch.Tensor),
    "Tensor.__eq__": (torch.Tensor, "__eq__", lambda s, o: True),
    "Tensor.tolist": (torch.Tensor, "tolist", lambda s: [2.5]),
    "Tensor.shape": (torch.Tensor, "shape", property(lambda s: (1,))),
    "Tensor.__sub__": (torch.Tensor, "__sub__", lambda s, o: torch.zeros(1)),
}
_ABSENT = object()


@pytest.mark.parametrize("patch", sorted(PATCHES))
def test_monkeypatching_does_not_turn_a_wrong_answer_into_a_pass(patch):
    owner, attribute, replacement = PATCHES[patch]
    before = vars(owner).get(attribute, _ABSENT)  # what the owner itself held (or nothing)
    wrong, expected = torch.tensor([2.0]), torch.tensor([2.5])
    with pytest.raises(AssertionError, match="differ"):
        setattr(owner, attribute, replacement)  # (inside: pytest itself must not run on a patched builtins)
        checks.assert_close(wrong, expected, "the answer")
    # the check put the pristine object back for the rest of the test cell: exactly what the
    # owner held before, not the replacement (this fails while the patch is still in place)
    after = vars(owner).get(attribute, _ABSENT)
    assert after is before, f"{patch} is still patched after the check: {after!r}"
    assert after is not replacement


def test_restore_repairs_the_notebook_names_and_counts():
    namespace = {"torch": object(), "math": math, "checks": object()}
    torch.allclose = lambda *a, **k: True
    repaired = checks.restore(namespace)
    assert repaired >= 3
    assert namespace["torch"] is torch and namespace["checks"] is checks
    assert checks.restore(namespace) == 0


def test_the_checks_module_is_read_only():
    with pytest.raises(AttributeError, match="read-only"):
        checks.assert_close = lambda *a, **k: None
    with pytest.raises(AttributeError, match="read-only"):
        del checks.assert_true
    vars(checks)["assert_close"] = lambda *a, **k: None  # through the back door...
    checks.restore(namespace={})
    with pytest.raises(AssertionError):  # ...is closed again by the next restore
        checks.assert_close(torch.tensor([1.0]), torch.tensor([2.0]), "x")


def test_a_torch_function_mode_is_refused():
    from torch.overrides import TorchFunctionMode

    class Liar(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            return func(*args, **(kwargs or {}))

    with Liar():
        with pytest.raises(AssertionError, match="torch function mode"):
            checks.assert_close(torch.tensor([1.0]), torch.tensor([1.0]), "x")


def test_rng_is_seeded_and_fresh():
    a = torch.rand(4, generator=checks.rng(7))
    b = torch.rand(4, generator=checks.rng(7))
    assert torch.equal(a, b)
    assert not torch.equal(a, torch.rand(4, generator=checks.rng(8)))
    with pytest.raises(TypeError, match="seed must be an int"):
        checks.rng("7")


def test_bad_tolerances_are_explained():
    with pytest.raises(ValueError, match="rtol must be a non-negative number"):
        checks.assert_close(torch.zeros(1), torch.zeros(1), "x", rtol=-1.0)
