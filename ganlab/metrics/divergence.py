r"""Divergences between 1-D distributions (chapter 2: the minimax game and its optimum).

Two ways in: *densities on a common grid* (``kl_divergence``, ``js_divergence``), e.g.
:math:`p_{data}` and :math:`p_g` evaluated on ``torch.linspace``; or *samples*
(``kl_divergence_samples``, ``js_divergence_samples``), which first bin both sets of samples
into the same histogram. All results are in nats (natural logarithm).
"""
from __future__ import annotations

import math

import torch

__all__ = ["kl_divergence", "js_divergence", "kl_divergence_samples", "js_divergence_samples",
           "histogram"]


def _as_masses(values, name: str) -> torch.Tensor:
    """Non-negative values on a grid -> probability masses that sum to 1 (float64)."""
    tensor = torch.as_tensor(values, dtype=torch.float64).reshape(-1)
    if tensor.numel() == 0:
        raise ValueError(f"{name} is empty; pass the density evaluated on a grid of points")
    if not torch.isfinite(tensor).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    if (tensor < 0).any():
        raise ValueError(f"{name} has negative entries; a density or a histogram is never negative")
    total = tensor.sum()
    if total <= 0:
        raise ValueError(f"{name} sums to 0; it must put some mass somewhere")
    return tensor / total


def _pair(p, q) -> tuple[torch.Tensor, torch.Tensor]:
    p_mass, q_mass = _as_masses(p, "p"), _as_masses(q, "q")
    if p_mass.shape != q_mass.shape:
        raise ValueError(f"p and q must be evaluated on the same grid: got {p_mass.numel()} and "
                         f"{q_mass.numel()} points")
    return p_mass, q_mass


def _kl_masses(p: torch.Tensor, q: torch.Tensor) -> float:
    support = p > 0
    if (q[support] == 0).any():
        return math.inf  # p puts mass where q has none
    return float((p[support] * (p[support] / q[support]).log()).sum())


def kl_divergence(p, q) -> float:
    r"""Kullback–Leibler divergence :math:`KL(p\,\|\,q)` of two densities on the same grid (chapter 4, where
    :math:`KL - 2\\,JSD` is the non-saturating loss's hidden objective).

    .. math:: KL(p\,\|\,q) = \int p(x) \log \frac{p(x)}{q(x)}\, dx
              \approx \sum_i P_i \log \frac{P_i}{Q_i}, \qquad P_i = \frac{p(x_i)}{\sum_j p(x_j)}

    On an evenly spaced grid the spacing :math:`dx` cancels inside the logarithm, so ``p`` and
    ``q`` may be densities, histograms or unnormalised weights: both are normalised to masses
    first. Terms with :math:`P_i = 0` count as 0; the result is ``inf`` when ``q`` is 0 where
    ``p`` is not. Not symmetric: :math:`KL(p\|q) \ne KL(q\|p)` in general.
    """
    return _kl_masses(*_pair(p, q))


def js_divergence(p, q) -> float:
    r"""Jensen–Shannon divergence of two densities on the same grid (chapter 2).

    .. math:: JSD(p\,\|\,q) = \tfrac12 KL\!\left(p\,\Big\|\,m\right) + \tfrac12 KL\!\left(q\,\Big\|\,m\right),
              \qquad m = \tfrac12 (p + q)

    Symmetric, always finite, :math:`0 \le JSD \le \log 2` (0 iff :math:`p = q`, :math:`\log 2`
    iff the supports are disjoint). It is the divergence the original GAN minimises: with the
    optimal discriminator :math:`D^*(x) = p_{data}(x) / (p_{data}(x) + p_g(x))`, the value of the
    game becomes (Goodfellow et al. 2014, Theorem 1)

    .. math:: C(G) = \max_D V(D, G) = -\log 4 + 2\, JSD(p_{data}\,\|\,p_g),

    whose global minimum :math:`-\log 4` is reached only at :math:`p_g = p_{data}`.
    """
    p_mass, q_mass = _pair(p, q)
    middle = (p_mass + q_mass) / 2
    return 0.5 * _kl_masses(p_mass, middle) + 0.5 * _kl_masses(q_mass, middle)


def histogram(samples, bins: int = 100, range: tuple[float, float] | None = None) -> torch.Tensor:
    """Counts of 1-D ``samples`` in ``bins`` equal bins over ``range`` (float64).

    First used in chapter 2, through :func:`js_divergence_samples`.

    Samples outside ``range`` are dropped. ``samples`` may have shape ``(N,)`` or ``(N, 1)``.
    """
    values = _samples_1d(samples, "samples")
    low, high = (float(values.min()), float(values.max())) if range is None else map(float, range)
    if not high > low:
        raise ValueError(f"range must satisfy low < high, got ({low}, {high})")
    return torch.histc(values, bins=_check_bins(bins), min=low, max=high)


def _samples_1d(samples, name: str) -> torch.Tensor:
    values = torch.as_tensor(samples, dtype=torch.float64)
    if values.dim() == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.dim() != 1 or values.numel() == 0:
        raise ValueError(f"{name} must be 1-D samples of shape (N,) or (N, 1), got shape "
                         f"{tuple(values.shape)}")
    if not torch.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return values


def _check_bins(bins) -> int:
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValueError(f"bins must be a positive int, got {bins!r}")
    return bins


def _shared_histograms(a, b, bins, range) -> tuple[torch.Tensor, torch.Tensor]:
    values_a, values_b = _samples_1d(a, "a"), _samples_1d(b, "b")
    if range is None:  # one common range, so bin i means the same interval for both
        both = torch.cat([values_a, values_b])
        range = (float(both.min()), float(both.max()))
        if range[0] == range[1]:
            range = (range[0] - 0.5, range[1] + 0.5)
    return histogram(values_a, bins, range), histogram(values_b, bins, range)


def js_divergence_samples(a, b, bins: int = 100, range: tuple[float, float] | None = None) -> float:
    r"""Histogram estimate of :math:`JSD(p_a\,\|\,p_b)` from 1-D samples (chapter 2).

    Both sample sets are binned into the same ``bins`` bins over ``range`` (default: the range
    of all samples) and :func:`js_divergence` is applied to the two histograms. The estimate
    is biased upwards for few samples per bin: compare values computed with the same ``bins``
    and sample sizes.
    """
    return js_divergence(*_shared_histograms(a, b, bins, range))


def kl_divergence_samples(a, b, bins: int = 100, range: tuple[float, float] | None = None,
                          smoothing: float = 0.5) -> float:
    r"""Histogram estimate of :math:`KL(p_a\,\|\,p_b)` from 1-D samples (chapter 4).

    ``smoothing`` pseudo-counts are added to every bin of both histograms (additive
    smoothing), so that a bin that happens to be empty in ``b`` does not make the estimate
    infinite; pass ``smoothing=0`` for the raw plug-in estimate.
    """
    if smoothing < 0:
        raise ValueError(f"smoothing must be >= 0, got {smoothing}")
    counts_a, counts_b = _shared_histograms(a, b, bins, range)
    return kl_divergence(counts_a + smoothing, counts_b + smoothing)
