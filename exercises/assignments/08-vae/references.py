"""The tests' own versions of the functions of assignment 08-vae that a later part calls.

While that later part is tested, these stand in for yours in the notebook (``references=`` in
assignment.py), so that a slip in an earlier part costs only that part's points.
"""
from __future__ import annotations

import torch

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from helpers import _kl


def reparameterize(mu, logvar, rng=None):
    eps = torch.randn(mu.shape, generator=rng).to(mu.device, mu.dtype)
    return mu + torch.exp(0.5 * logvar) * eps


def kl_divergence(mu, logvar):
    return _kl(mu, logvar)
