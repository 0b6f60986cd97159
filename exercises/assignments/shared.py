"""Test helpers that several assignments share: a cell that lists one of these names gets its
definition, as from the assignment's own helpers.py. First used by assignment 01-minimax.
"""
from __future__ import annotations

import torch

from ganlab import exercise_checks as checks


def _check_scalar_tensor(got, what, hint):
    """got must be exactly a 0-dim torch.Tensor (not a float, not a subclass); hint says how."""
    checks.restore()  # the learner's function just ran: trust nothing it may have replaced
    checks.assert_true(type(got) is torch.Tensor, f"{what}: expected a torch.Tensor, got {type(got).__name__} "
                       "(return the tensor itself: no .item(), no float())")
    checks.assert_tensor(got, what)
    checks.assert_shape(got, (), f"{what} ({hint})")


def _name_the_slip(value, expected, what, mistakes):
    """Fail with the hint of a known slip (hint, wrong value) when value is that slip, not the answer."""
    for hint, wrong in mistakes:
        far_from_answer = abs(wrong - expected) > 1e-3 * (1 + abs(expected))
        if far_from_answer and abs(value - wrong) <= 1e-5 + 1e-4 * abs(wrong):
            checks.assert_true(False, f"{what}: expected {expected:.6f}, got {value:.6f}. {hint}")
