"""The test code of assignment 03-training-step: the body of each function (after its docstring) is
copied into the test cells that list it; the functions are never called from here.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from helpers import _assert_parameters, _assert_same_run, _assert_stepped, _check_float, _check_train_step, _d_twice, _g_twice, _losses_now, _make_problem, _optimizers, _parameters, _reference_d_step, _reference_g_step, _same
    from solution import d_step, g_step


def visible_d_step_loss():
    """The visible tests of test_d_step_loss (assignment 03-training-step)."""
    _G, _D, _real, _z = _make_problem(seed=0)
    _expected, _, _ = _losses_now(_G, _D, _real, _z)
    with torch.no_grad():
        _pr, _pf = torch.sigmoid(_D(_real)), torch.sigmoid(_D(_G(_z)))
        _twice = float(F.softplus(-_pr).mean() + F.softplus(_pf).mean())
        _swapped = float(F.softplus(_D(_real)).mean() + F.softplus(-_D(_G(_z))).mean())
    _g_opt, _d_opt, _log = _optimizers(_G, _D)
    _loss = d_step(_G, _D, _d_opt, _real, _z)
    _check_float(_loss, "d_step's return value")
    checks.assert_true(abs(_loss - _twice) > 1e-4, f"d_step returned {_loss:.5f}, L_D with the sigmoid applied twice: the "
                       "discriminator returns logits, and softplus / BCE-with-logits apply the sigmoid themselves.")
    checks.assert_true(abs(_loss - _swapped) > 1e-4, f"d_step returned {_loss:.5f}, L_D with the labels swapped: "
                       "real samples have target 1, fakes target 0.")
    checks.assert_scalar_close(_loss, _expected, "d_step's loss: L_D = mean(softplus(-D(x))) + mean(softplus(D(G(z)))), "
                               "before the update", atol=1e-5, rtol=1e-4)


def hidden_d_step_loss():
    """The hidden tests of test_d_step_loss (assignment 03-training-step)."""
    for _seed, _batch, _latent, _dim in [(31, 4, 2, 2), (32, 9, 5, 3), (33, 1, 3, 1)]:
        _G, _D, _real, _z = _make_problem(_seed, _batch, _latent, _dim)
        _expected, _, _ = _losses_now(_G, _D, _real, _z)
        _g_opt, _d_opt, _log = _optimizers(_G, _D, lr=0.05)
        _loss = d_step(_G, _D, _d_opt, _real, _z)
        _check_float(_loss, "d_step's return value")
        checks.assert_scalar_close(_loss, _expected, f"d_step's loss (batch {_batch}, data dim {_dim})", atol=1e-5, rtol=1e-4)


def visible_d_step_update():
    """The visible tests of test_d_step_update (assignment 03-training-step)."""
    _G, _D, _real, _z = _make_problem(seed=1)
    _before_G, _before_D = _parameters(_G), _parameters(_D)
    _loss_before, _, _ = _losses_now(_G, _D, _real, _z)
    _g_opt, _d_opt, _log = _optimizers(_G, _D, lr=0.05)
    d_step(_G, _D, _d_opt, _real, _z)
    checks.assert_true(_log == ["D"], f"d_step stepped the optimisers {_log}; it should call d_optimizer.step() once")
    checks.assert_true(not _same(_parameters(_D), _before_D), "D's parameters did not change: call d_optimizer.step()")
    checks.assert_true(_same(_parameters(_G), _before_G), "G's parameters changed in the D step: only D may move")
    _loss_after, _, _ = _losses_now(_G, _D, _real, _z)
    checks.assert_true(_loss_after < _loss_before, f"L_D went up from {_loss_before:.4f} to {_loss_after:.4f}: D must "
                       "*descend* L_D (mind the sign of the loss, and the labels: real -> 1, fake -> 0)")


def hidden_d_step_update():
    """The hidden tests of test_d_step_update (assignment 03-training-step)."""
    for _seed, _batch, _latent, _dim in [(41, 3, 4, 2), (42, 8, 2, 3)]:
        _G, _D, _real, _z = _make_problem(_seed, _batch, _latent, _dim)
        _expected = _reference_d_step(_G, _D, _real, _z, lr=0.2)
        _g_opt, _d_opt, _log = _optimizers(_G, _D, lr=0.2)
        d_step(_G, _D, _d_opt, _real, _z)
        checks.assert_true(_log == ["D"], f"d_step stepped the optimisers {_log}; expected d_optimizer once")
        _assert_parameters(_D, _expected, f"D after one d_step (batch {_batch}): one SGD step on L_D")


def visible_d_step_detach():
    """The visible tests of test_d_step_detach (assignment 03-training-step)."""
    _G, _D, _real, _z = _make_problem(seed=2)
    _g_opt, _d_opt, _log = _optimizers(_G, _D)
    _before = _parameters(_D)
    d_step(_G, _D, _d_opt, _real, _z)
    _assert_stepped(_D, _before, _log, "D")
    _grads = [p.grad for p in _G.parameters() if p.grad is not None and bool((p.grad != 0).any())]
    checks.assert_true(_G.gradients_received == 0 and not _grads,
                       f"During the D step a gradient reached the generator ({_G.gradients_received} backward pass(es) into "
                       f"G(z), {len(_grads)} G parameter(s) with a gradient). The D loss must not train G: pass "
                       "fake.detach() to the discriminator (or generate under torch.no_grad()).")


def hidden_d_step_detach():
    """The hidden tests of test_d_step_detach (assignment 03-training-step)."""
    for _seed, _batch, _latent, _dim in [(51, 5, 4, 3), (52, 2, 1, 2)]:
        _G, _D, _real, _z = _make_problem(_seed, _batch, _latent, _dim)
        _g_opt, _d_opt, _log = _optimizers(_G, _D)
        _before = _parameters(_D)
        d_step(_G, _D, _d_opt, _real, _z)
        _assert_stepped(_D, _before, _log, "D")
        _grads = [p.grad for p in _G.parameters() if p.grad is not None and bool((p.grad != 0).any())]
        checks.assert_true(_G.gradients_received == 0 and not _grads,
                           "G received gradients from the D loss: detach the fakes in the D step")


def visible_d_step_zero_grad():
    """The visible tests of test_d_step_zero_grad (assignment 03-training-step)."""
    _assert_same_run(_d_twice, 3, "D")


def hidden_d_step_zero_grad():
    """The hidden tests of test_d_step_zero_grad (assignment 03-training-step)."""
    for _seed in (61, 62):
        _assert_same_run(_d_twice, _seed, "D", lr=0.03)


def visible_g_step():
    """The visible tests of test_g_step (assignment 03-training-step)."""
    _G, _D, _real, _z = _make_problem(seed=4)
    _, _expected, _saturating = _losses_now(_G, _D, _real, _z)
    _before_G, _before_D = _parameters(_G), _parameters(_D)
    _g_opt, _d_opt, _log = _optimizers(_G, _D, lr=0.05)
    _loss = g_step(_G, _D, _g_opt, _z)
    _check_float(_loss, "g_step's return value")
    checks.assert_true(abs(_loss - _saturating) > 1e-4, f"g_step returned {_loss:.5f}, the saturating loss "
                       "mean(log(1 - D(G(z)))). Use the non-saturating one: mean(softplus(-D(G(z)))) = -mean(log D(G(z))).")
    checks.assert_scalar_close(_loss, _expected, "g_step's loss: L_G = mean(softplus(-D(G(z)))), before the update",
                               atol=1e-5, rtol=1e-4)
    checks.assert_true(_log == ["G"], f"g_step stepped the optimisers {_log}; it should call g_optimizer.step() once")
    checks.assert_true(not _same(_parameters(_G), _before_G), "G's parameters did not change: the G loss must reach G "
                       "(no detach in the G step) and g_optimizer.step() must run")
    checks.assert_true(_same(_parameters(_D), _before_D), "D's parameters changed in the G step: only G may move")
    _, _after, _ = _losses_now(_G, _D, _real, _z)
    checks.assert_true(_after < _expected, f"L_G went up from {_expected:.4f} to {_after:.4f}: G must descend the loss")


def hidden_g_step():
    """The hidden tests of test_g_step (assignment 03-training-step)."""
    for _seed, _batch, _latent, _dim in [(71, 3, 4, 2), (72, 8, 2, 3), (73, 1, 3, 1)]:
        _G, _D, _real, _z = _make_problem(_seed, _batch, _latent, _dim)
        _, _expected_loss, _ = _losses_now(_G, _D, _real, _z)
        _expected = _reference_g_step(_G, _D, _z, lr=0.2)
        _before_D = _parameters(_D)
        _g_opt, _d_opt, _log = _optimizers(_G, _D, lr=0.2)
        _loss = g_step(_G, _D, _g_opt, _z)
        _check_float(_loss, "g_step's return value")
        checks.assert_scalar_close(_loss, _expected_loss, f"g_step's loss (batch {_batch})", atol=1e-5, rtol=1e-4)
        checks.assert_true(_log == ["G"], f"g_step stepped the optimisers {_log}; expected g_optimizer once")
        _assert_parameters(_G.linear, _expected, f"G after one g_step (batch {_batch}): one SGD step on the non-saturating loss")
        checks.assert_true(_same(_parameters(_D), _before_D), "D's parameters changed in the G step")


def visible_g_step_zero_grad():
    """The visible tests of test_g_step_zero_grad (assignment 03-training-step)."""
    _assert_same_run(_g_twice, 5, "G")


def hidden_g_step_zero_grad():
    """The hidden tests of test_g_step_zero_grad (assignment 03-training-step)."""
    for _seed in (81, 82):
        _assert_same_run(_g_twice, _seed, "G", lr=0.03)


def visible_train_step():
    """The visible tests of test_train_step (assignment 03-training-step)."""
    _check_train_step(k=1, seed=6)
    _check_train_step(k=3, seed=7)


def hidden_train_step():
    """The hidden tests of test_train_step (assignment 03-training-step)."""
    for _k, _seed in [(2, 91), (5, 92), (1, 93)]:
        _check_train_step(k=_k, seed=_seed)
