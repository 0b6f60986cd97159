"""The test helpers of assignment 01-minimax: each function or class is copied whole into the cells
that list it (the read-only helpers cell, and again into every hidden part that needs it).
"""
from __future__ import annotations

import math

import torch

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from shared import _check_scalar_tensor, _name_the_slip


def _normal(mean, std):
    """Density of N(mean, std^2) as a function of a tensor x (the tests' own)."""
    return lambda x: torch.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))


def _check_value(got, expected, what, mistakes=(), atol=1e-5, rtol=1e-5):
    """got must be a 0-dim tensor close to expected; if it equals a known mistake, say which."""
    _check_scalar_tensor(got, what, "a scalar: average with .mean(), integrate with torch.trapezoid")
    _name_the_slip(float(got), expected, what, mistakes)
    checks.assert_close(got, torch.tensor(expected, dtype=got.dtype), what, atol=atol, rtol=rtol)


def _value_mistakes(real, fake):
    """(hint, value) of the classic slips, for the tests' messages."""
    lr, lf, l1f = [math.log(p) for p in real], [math.log(q) for q in fake], [math.log1p(-q) for q in fake]
    return [
        ("That is the value with log D(G(z)) in place of log(1 - D(G(z))).", sum(lr) / len(lr) + sum(lf) / len(lf)),
        ("That is a sum over the batch; V averages each term (.mean()).", sum(lr) + sum(l1f)),
        ("That is one mean over both batches together; average each term on its own.", (sum(lr) + sum(l1f)) / (len(lr) + len(l1f))),
        ("That is -V: D maximises V, so V itself is log D(x) + log(1 - D(G(z))).", -(sum(lr) / len(lr) + sum(l1f) / len(l1f))),
    ]


def _reference_jsd(mu_d, s_d, mu_g, s_g, grid):
    """JSD by the tests' own trapezoidal sums of the two KL terms against the mixture m."""
    def pdf(v, mu, s):
        return math.exp(-0.5 * ((v - mu) / s) ** 2) / (s * math.sqrt(2 * math.pi))
    values = []
    for v in grid:
        a, b = pdf(v, mu_d, s_d), pdf(v, mu_g, s_g)
        m = (a + b) / 2
        values.append((a * math.log(a / m) if a > 0 else 0.0) + (b * math.log(b / m) if b > 0 else 0.0))
    return sum((grid[i + 1] - grid[i]) * (values[i] + values[i + 1]) / 2 for i in range(len(grid) - 1)) / 2
