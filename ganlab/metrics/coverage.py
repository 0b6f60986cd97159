r"""Mode coverage on mixtures of Gaussians: how many modes did the generator find? (chapter 3)

The measurements of VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018) on the
2-D ring (8 modes, std 0.01) and grid (25 modes, std 0.05) of :mod:`ganlab.data.toy`:

* every generated sample is registered to its nearest mode centre;
* it is *high quality* if it lies within three standard deviations of that centre;
* a mode is *covered* (captured) if at least ``min_count`` high-quality samples are registered
  in it. VEEGAN counts "the number of mixture components whose mean is nearest to at least
  one high quality sample" (``min_count=1``, also what PacGAN's released evaluation code does);
  a stricter rule such as 20 of 2,500 samples ignores modes hit only by a few stray points;
* the reverse KL divergence compares the histogram of high-quality samples over the modes with
  the true, uniform histogram.

Both papers draw 2,500 samples from the trained generator.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

__all__ = ["ModeCoverage", "mode_coverage", "assign_to_modes"]


@dataclass(frozen=True)
class ModeCoverage:
    """What :func:`mode_coverage` measured (chapter 3).

    ``modes``: number of covered modes; ``high_quality``: share of samples within
    ``threshold`` standard deviations of their nearest centre; ``reverse_kl``:
    :math:`KL(\\hat p_g \\| \\text{uniform})` over the modes in nats (``nan`` when no sample is
    of high quality); ``counts``: high-quality samples registered in each mode, shape ``(K,)``.
    """
    modes: int
    high_quality: float
    reverse_kl: float
    counts: torch.Tensor

    @property
    def total_modes(self) -> int:
        """K, the number of modes of the true mixture."""
        return len(self.counts)

    def __str__(self) -> str:
        return (f"{self.modes}/{self.total_modes} modes, {100 * self.high_quality:.1f}% high "
                f"quality, reverse KL {self.reverse_kl:.3f}")


def _check_inputs(samples, centers, std) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    samples = torch.as_tensor(samples).detach().to("cpu", torch.float64)
    centers = torch.as_tensor(centers).detach().to("cpu", torch.float64)
    if centers.dim() != 2 or len(centers) == 0:
        raise ValueError(f"centers must have shape (K, dim), got {tuple(centers.shape)}; "
                         "use ganlab.data.ring_centers() or grid_centers()")
    if samples.dim() != 2 or samples.shape[1] != centers.shape[1] or len(samples) == 0:
        raise ValueError(f"samples must have shape (N, {centers.shape[1]}) to match centers of "
                         f"shape {tuple(centers.shape)}, got {tuple(samples.shape)}")
    if not torch.isfinite(samples).all():
        raise ValueError("samples contain NaN or infinite values: did training diverge?")
    std = torch.as_tensor(std, dtype=torch.float64).reshape(-1)
    if std.numel() not in (1, len(centers)) or (std <= 0).any():
        raise ValueError(f"std must be one positive number or one per mode ({len(centers)}), "
                         f"got {std.tolist()}")
    return samples, centers, std.expand(len(centers))


def assign_to_modes(samples, centers, std) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Index of the nearest centre of every sample and its distance in standard deviations.

    .. math:: k(x) = \arg\min_k \|x - c_k\|, \qquad d(x) = \|x - c_{k(x)}\| / \sigma_{k(x)}

    Returns ``(nearest, distance)``, each of shape ``(N,)`` (chapter 3).
    """
    samples, centers, std = _check_inputs(samples, centers, std)
    distances = torch.cdist(samples, centers)
    nearest = distances.argmin(dim=1)
    scaled = distances.gather(1, nearest[:, None])[:, 0] / std[nearest]
    return nearest, scaled


def mode_coverage(samples, centers, std, *, threshold: float = 3.0,
                  min_count: int = 1) -> ModeCoverage:
    r"""Modes covered, high-quality share and reverse KL of generated samples (chapter 3).

    ``samples`` has shape ``(N, dim)``, ``centers`` shape ``(K, dim)``; ``std`` is the standard
    deviation of the mixture components (one number, or one per mode). With :math:`n_k` the
    number of high-quality samples registered in mode :math:`k` (distance to the nearest centre
    at most ``threshold`` standard deviations) and :math:`\hat p_k = n_k / \sum_j n_j`:

    .. math::
        \text{modes} = \#\{k : n_k \ge \text{min\_count}\}, \qquad
        \text{high\_quality} = \frac{\sum_k n_k}{N}, \qquad
        \text{reverse\_kl} = \sum_k \hat p_k \log \frac{\hat p_k}{1/K}

    ``min_count=1`` is the rule of VEEGAN and of PacGAN's code; raise it (e.g. 20 for 2,500
    samples) to not count modes that only a few stray samples reach. The reverse KL is 0 for a
    perfectly balanced generator and :math:`\log K` when every high-quality sample sits in one
    mode (PacGAN, Lin et al. 2018, Table 1).
    """
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise ValueError(f"min_count must be a positive int, got {min_count!r}")
    if not threshold > 0:
        raise ValueError(f"threshold must be positive, got {threshold!r}")
    nearest, distance = assign_to_modes(samples, centers, std)
    n_modes = len(torch.as_tensor(centers))
    good = distance <= threshold
    counts = torch.bincount(nearest[good], minlength=n_modes)
    n_good = int(counts.sum())
    if n_good == 0:
        reverse_kl = math.nan
    else:
        share = counts[counts > 0].double() / n_good
        reverse_kl = float((share * (share * n_modes).log()).sum())
    return ModeCoverage(modes=int((counts >= min_count).sum()),
                        high_quality=n_good / len(nearest),
                        reverse_kl=max(reverse_kl, 0.0) if n_good else reverse_kl,
                        counts=counts)
