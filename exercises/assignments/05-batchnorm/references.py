"""The tests' own versions of the functions of assignment 05-batchnorm that a later part calls.

While that later part is tested, these stand in for yours in the notebook (``references=`` in
assignment.py), so that a slip in an earlier part costs only that part's points.
"""
from __future__ import annotations

import torch


def batch_statistics(x):
    """The tests' reference for part 1."""
    axes = [0] + list(range(2, x.dim()))
    return x.mean(dim=axes), x.var(dim=axes, unbiased=False)


def normalize(x, mean, var, gamma, beta, eps):
    """The tests' reference for part 2."""
    shape = [1, x.shape[1]] + [1] * (x.dim() - 2)
    return gamma.view(shape) * (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps) + beta.view(shape)
