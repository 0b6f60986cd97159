r"""Low-dimensional distributions whose answer we know (chapters 2, 3 and 8).

The 2-D mixtures are the benchmarks of the mode-collapse literature (VEEGAN, Srivastava et
al. 2017; PacGAN, Lin et al. 2018): a *ring* of 8 Gaussians of radius 1 and standard deviation
0.01, and a *grid* of 25 Gaussians at :math:`\{-4, -2, 0, 2, 4\}^2` with standard deviation
0.05. Each mode is equally likely.
"""
from __future__ import annotations

import math

import torch

__all__ = ["gaussian_1d", "uniform_noise", "ring", "ring_centers", "grid", "grid_centers",
           "mixture"]


def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise ValueError(f"the number of samples must be a positive int, got {n!r}")
    return n


def gaussian_1d(n: int, mean: float = 4.0, std: float = 0.5,
                rng: torch.Generator | None = None) -> torch.Tensor:
    r"""``n`` draws from :math:`\mathcal{N}(\text{mean}, \text{std}^2)`, shape ``(n, 1)`` (chapter 2).

    The data distribution :math:`p_{data}` of the 1-D figure of Goodfellow et al. (2014).
    """
    n = _check_n(n)
    return mean + std * torch.randn(n, 1, generator=rng)


def uniform_noise(n: int, dim: int = 1, low: float = -1.0, high: float = 1.0,
                  rng: torch.Generator | None = None) -> torch.Tensor:
    r"""``n`` draws of :math:`z \sim \mathcal{U}(\text{low}, \text{high})^{dim}` (chapter 2).

    The paper's figure samples z uniformly on the lower line.
    """
    n = _check_n(n)
    return low + (high - low) * torch.rand(n, dim, generator=rng)


def ring_centers(n_modes: int = 8, radius: float = 1.0) -> torch.Tensor:
    r"""Centres :math:`r(\cos 2\pi k/K, \sin 2\pi k/K)`, shape ``(K, 2)`` (chapter 3)."""
    angles = 2 * math.pi * torch.arange(n_modes, dtype=torch.float32) / n_modes
    return radius * torch.stack([angles.cos(), angles.sin()], dim=1)


def grid_centers(side: int = 5, spacing: float = 2.0) -> torch.Tensor:
    r"""Centres of a ``side`` × ``side`` grid with the given spacing, centred on 0 (chapter 3)."""
    ticks = spacing * (torch.arange(side, dtype=torch.float32) - (side - 1) / 2)
    xs, ys = torch.meshgrid(ticks, ticks, indexing="ij")
    return torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=1)


def mixture(n: int, centers: torch.Tensor, std: float,
            rng: torch.Generator | None = None) -> torch.Tensor:
    r"""``n`` draws from the equal-weight mixture :math:`\frac1K\sum_k \mathcal{N}(c_k, \sigma^2 I)`.

    First used in chapter 2, through :func:`ring`.
    """
    n = _check_n(n)
    which = torch.randint(len(centers), (n,), generator=rng)
    noise = torch.randn(n, centers.shape[1], generator=rng)
    return centers[which] + std * noise


def ring(n: int, n_modes: int = 8, radius: float = 1.0, std: float = 0.01,
         rng: torch.Generator | None = None) -> torch.Tensor:
    """``n`` points from the ring of ``n_modes`` Gaussians, shape ``(n, 2)`` (chapter 3).

    The centres are :func:`ring_centers` ``(n_modes, radius)``.
    """
    return mixture(n, ring_centers(n_modes, radius), std, rng)


def grid(n: int, side: int = 5, spacing: float = 2.0, std: float = 0.05,
         rng: torch.Generator | None = None) -> torch.Tensor:
    """``n`` points from the grid of ``side²`` Gaussians, shape ``(n, 2)`` (chapter 3).

    The centres are :func:`grid_centers` ``(side, spacing)``.
    """
    return mixture(n, grid_centers(side, spacing), std, rng)
