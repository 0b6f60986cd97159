r"""The density of 1-D samples, estimated with Gaussian kernels (chapter 2).

The paper's Figure 1 draws :math:`p_{data}` and :math:`p_g` as curves, but a generator gives
only samples. A kernel density estimate puts a small Gaussian on every sample and adds them up.
"""
from __future__ import annotations

import math

import numpy as np
import torch

__all__ = ["density_1d"]


def _points_1d(value, name: str) -> np.ndarray:
    """Shape (N,) or (N, 1) as a float64 array; anything else is an error that says so."""
    if isinstance(value, torch.Tensor):
        array = value.detach().to("cpu", torch.float64).numpy()
    else:
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a tensor or an array of numbers, "
                            f"got {type(value).__name__}") from None
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{name} must hold 1-D points, shape (N,) or (N, 1); got shape "
                         f"{tuple(array.shape)}")
    if array.size == 0:
        raise ValueError(f"{name} is empty; pass at least one point")
    return array


def density_1d(samples, grid, bandwidth: float | None = None) -> np.ndarray:
    r"""Gaussian kernel density estimate of 1-D ``samples`` on ``grid`` (chapter 4).

    .. math::
        \hat p(x) = \frac{1}{n h}\sum_{i=1}^{n} \varphi\!\left(\frac{x - x_i}{h}\right), \qquad
        h = 0.9\,\min\!\left(\hat\sigma, \tfrac{\mathrm{IQR}}{1.34}\right) n^{-1/5}

    (Silverman's rule when ``bandwidth`` is None). ``samples`` and ``grid`` are tensors or
    arrays of shape (N,) or (N, 1). A collapsed generator (all samples equal) still gets a
    visible spike: the bandwidth never falls below the grid spacing. Returns a NumPy array
    shaped like the flattened grid.
    """
    x = _points_1d(samples, "samples")
    grid = _points_1d(grid, "grid")
    if bandwidth is None:
        spread = x.std()
        iqr = np.subtract(*np.percentile(x, [75, 25])) / 1.34
        if iqr > 0:
            spread = min(spread, iqr)
        bandwidth = 0.9 * spread * len(x) ** (-0.2)
        spacing = (grid.max() - grid.min()) / max(len(grid) - 1, 1)
        bandwidth = max(bandwidth, spacing, 1e-6)
    elif not bandwidth > 0:
        raise ValueError(f"bandwidth must be positive, got {bandwidth}")
    density = np.zeros_like(grid)
    for start in range(0, len(x), 4096):  # chunks keep memory at 4096 x len(grid)
        u = (grid[None, :] - x[start:start + 4096, None]) / bandwidth
        density += np.exp(-0.5 * u * u).sum(axis=0)
    return density / (len(x) * bandwidth * math.sqrt(2 * math.pi))
