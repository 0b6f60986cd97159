"""The test code of assignment 02-losses: the body of each function (after its docstring) is
copied into the test cells that list it; the functions are never called from here.
"""
from __future__ import annotations

import torch

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from helpers import _check_loss, _d_mistakes, _mean, _ns_mistakes, _sat_mistakes, _sigmoid, _softplus
    from solution import d_loss, g_loss_nonsaturating, g_loss_saturating


def visible_d_loss_values():
    """The visible tests of test_d_loss_values (assignment 02-losses)."""
    _real, _fake = [2.0, 0.5, -1.0], [-2.0, 0.0]
    _expected = _mean([_softplus(-v) for v in _real]) + _mean([_softplus(v) for v in _fake])
    _check_loss(d_loss(torch.tensor(_real), torch.tensor(_fake)), _expected,
                "d_loss(real_logits=[2, 0.5, -1], fake_logits=[-2, 0])", _d_mistakes(_real, _fake))


def hidden_d_loss_values():
    """The hidden tests of test_d_loss_values (assignment 02-losses)."""
    _gen = checks.rng(2101)
    for _m, _n, _dtype in [(5, 5, torch.float32), (8, 3, torch.float32), (2, 7, torch.float64)]:
        _real = (8 * torch.rand(_m, generator=_gen, dtype=_dtype) - 4).requires_grad_()
        _fake = (8 * torch.rand(_n, generator=_gen, dtype=_dtype) - 4).requires_grad_()
        _r, _f = _real.tolist(), _fake.tolist()
        _loss = d_loss(_real, _fake)
        _check_loss(_loss, _mean([_softplus(-v) for v in _r]) + _mean([_softplus(v) for v in _f]),
                    f"d_loss on {_m} real and {_n} fake {_dtype} logits", _d_mistakes(_r, _f))
        checks.assert_true(_loss.requires_grad, "d_loss must keep the autograd graph to the logits (no .item(), no .detach())")
        _loss.backward()
        checks.assert_close(_real.grad, torch.tensor([-_sigmoid(-v) / _m for v in _r], dtype=_dtype),
                            "d(d_loss)/d(real logit), which should be -sigmoid(-logit) / m", atol=1e-6, rtol=1e-4)
        checks.assert_close(_fake.grad, torch.tensor([_sigmoid(v) / _n for v in _f], dtype=_dtype),
                            "d(d_loss)/d(fake logit), which should be sigmoid(logit) / n", atol=1e-6, rtol=1e-4)


def visible_d_loss_stable():
    """The visible tests of test_d_loss_stable (assignment 02-losses)."""
    for _r, _f in [(100.0, -100.0), (-100.0, 100.0), (100.0, 100.0)]:
        _check_loss(d_loss(torch.tensor([_r]), torch.tensor([_f])), _softplus(-_r) + _softplus(_f),
                    f"d_loss at real logit {_r}, fake logit {_f}", _d_mistakes([_r], [_f]), atol=1e-4)


def hidden_d_loss_stable():
    """The hidden tests of test_d_loss_stable (assignment 02-losses)."""
    _real = torch.tensor([1000.0, -1000.0, 250.0, -80.0, 35.0], requires_grad=True)  # not 0, where a correct clamp(v, 0) + log1p(exp(-|v|)) gets autograd's subgradient
    _fake = torch.tensor([-1000.0, 1000.0, -300.0, 90.0], requires_grad=True)
    _r, _f = _real.tolist(), _fake.tolist()
    _loss = d_loss(_real, _fake)
    _check_loss(_loss, _mean([_softplus(-v) for v in _r]) + _mean([_softplus(v) for v in _f]),
                "d_loss at logits of +-1000, +-250, +-80", _d_mistakes(_r, _f), atol=1e-3)
    _loss.backward()
    checks.assert_close(_real.grad, torch.tensor([-_sigmoid(-v) / 5 for v in _r]),
                        "d(d_loss)/d(real logit) at extreme logits: -sigmoid(-logit) / m, finite", atol=1e-6, rtol=1e-4)
    checks.assert_close(_fake.grad, torch.tensor([_sigmoid(v) / 4 for v in _f]),
                        "d(d_loss)/d(fake logit) at extreme logits: sigmoid(logit) / n, finite", atol=1e-6, rtol=1e-4)


def visible_g_loss_saturating_values():
    """The visible tests of test_g_loss_saturating_values (assignment 02-losses)."""
    _fake = [-2.0, 0.0, 3.0]
    _check_loss(g_loss_saturating(torch.tensor(_fake)), -_mean([_softplus(v) for v in _fake]),
                "g_loss_saturating(fake_logits=[-2, 0, 3]) (mean of log(1 - D), a negative number)", _sat_mistakes(_fake))


def hidden_g_loss_saturating_values():
    """The hidden tests of test_g_loss_saturating_values (assignment 02-losses)."""
    _gen = checks.rng(2202)
    for _n, _dtype in [(6, torch.float32), (3, torch.float64), (11, torch.float32)]:
        _logits = (8 * torch.rand(_n, generator=_gen, dtype=_dtype) - 4).requires_grad_()
        _f = _logits.tolist()
        _loss = g_loss_saturating(_logits)
        _check_loss(_loss, -_mean([_softplus(v) for v in _f]), f"g_loss_saturating on {_n} {_dtype} logits", _sat_mistakes(_f))
        checks.assert_true(_loss.requires_grad, "g_loss_saturating must keep the autograd graph (no .item(), no .detach())")
        _loss.backward()
        checks.assert_close(_logits.grad, torch.tensor([-_sigmoid(v) / _n for v in _f], dtype=_dtype),
                            "d(g_loss_saturating)/d(logit), which should be -sigmoid(logit) / n", atol=1e-6, rtol=1e-4)


def visible_g_loss_saturating_stable():
    """The visible tests of test_g_loss_saturating_stable (assignment 02-losses)."""
    _logits = torch.tensor([-100.0, 100.0], requires_grad=True)
    _loss = g_loss_saturating(_logits)
    _check_loss(_loss, -_mean([_softplus(-100.0), _softplus(100.0)]), "g_loss_saturating at logits -100 and 100",
                _sat_mistakes([-100.0, 100.0]), atol=1e-4)
    _loss.backward()
    print("gradient at logits -100 and 100:", _logits.grad.tolist(), "<- the first one has saturated")


def hidden_g_loss_saturating_stable():
    """The hidden tests of test_g_loss_saturating_stable (assignment 02-losses)."""
    _logits = torch.tensor([-1000.0, -100.0, 100.0, 1000.0], requires_grad=True)
    _f = _logits.tolist()
    _loss = g_loss_saturating(_logits)
    _check_loss(_loss, -_mean([_softplus(v) for v in _f]), "g_loss_saturating at logits -1000, -100, 100, 1000",
                _sat_mistakes(_f), atol=1e-3)
    _loss.backward()
    checks.assert_close(_logits.grad, torch.tensor([0.0, 0.0, -0.25, -0.25]),
                        "the gradient at logits -1000, -100 (saturated: 0), 100 and 1000 (-1/n)", atol=1e-6, rtol=1e-4)


def visible_g_loss_nonsaturating_values():
    """The visible tests of test_g_loss_nonsaturating_values (assignment 02-losses)."""
    _fake = [-2.0, 0.0, 3.0]
    _check_loss(g_loss_nonsaturating(torch.tensor(_fake)), _mean([_softplus(-v) for v in _fake]),
                "g_loss_nonsaturating(fake_logits=[-2, 0, 3])", _ns_mistakes(_fake))


def hidden_g_loss_nonsaturating_values():
    """The hidden tests of test_g_loss_nonsaturating_values (assignment 02-losses)."""
    _gen = checks.rng(2303)
    for _n, _dtype in [(6, torch.float32), (3, torch.float64), (13, torch.float32)]:
        _logits = (8 * torch.rand(_n, generator=_gen, dtype=_dtype) - 4).requires_grad_()
        _f = _logits.tolist()
        _loss = g_loss_nonsaturating(_logits)
        _check_loss(_loss, _mean([_softplus(-v) for v in _f]), f"g_loss_nonsaturating on {_n} {_dtype} logits", _ns_mistakes(_f))
        checks.assert_true(_loss.requires_grad, "g_loss_nonsaturating must keep the autograd graph (no .item(), no .detach())")
        _loss.backward()
        checks.assert_close(_logits.grad, torch.tensor([-_sigmoid(-v) / _n for v in _f], dtype=_dtype),
                            "d(g_loss_nonsaturating)/d(logit), which should be -sigmoid(-logit) / n", atol=1e-6, rtol=1e-4)


def visible_g_loss_nonsaturating_stable():
    """The visible tests of test_g_loss_nonsaturating_stable (assignment 02-losses)."""
    _logits = torch.tensor([-100.0, 100.0], requires_grad=True)
    _loss = g_loss_nonsaturating(_logits)
    _check_loss(_loss, 50.0, "g_loss_nonsaturating at logits -100 and 100", _ns_mistakes([-100.0, 100.0]), atol=1e-4)
    _loss.backward()
    print("gradient at logits -100 and 100:", _logits.grad.tolist(), "<- the first one still pushes G")


def hidden_g_loss_nonsaturating_stable():
    """The hidden tests of test_g_loss_nonsaturating_stable (assignment 02-losses)."""
    _logits = torch.tensor([-1000.0, -100.0, 100.0, 1000.0], requires_grad=True)
    _f = _logits.tolist()
    _loss = g_loss_nonsaturating(_logits)
    _check_loss(_loss, _mean([_softplus(-v) for v in _f]), "g_loss_nonsaturating at logits -1000, -100, 100, 1000",
                _ns_mistakes(_f), atol=1e-3)
    _loss.backward()
    checks.assert_close(_logits.grad, torch.tensor([-0.25, -0.25, 0.0, 0.0]),
                        "the gradient at logits -1000, -100 (-1/n: G still learns), 100 and 1000 (0)", atol=1e-6, rtol=1e-4)
