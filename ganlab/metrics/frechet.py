r"""The Fréchet distance between two sets of features (chapter 8: evaluating GANs).

Heusel et al. (2017) fit a Gaussian to the features of real and of generated images and
report the Fréchet (2-Wasserstein) distance between the two Gaussians: the FID when the
features come from Inception-v3. Here the features come from the course's small digit
classifier (:func:`ganlab.metrics.digit_features`), so the numbers are comparable with each
other, never with published FIDs.
"""
from __future__ import annotations

import torch

__all__ = ["frechet_distance", "gaussian_statistics"]


def _features(values, name: str) -> torch.Tensor:
    features = torch.as_tensor(values).detach().to("cpu", torch.float64)
    if features.dim() != 2:
        raise ValueError(f"{name} must have shape (N, D), got {tuple(features.shape)}; "
                         "flatten each sample's features into one row")
    if len(features) < 2:
        raise ValueError(f"{name} needs at least 2 samples to estimate a covariance, "
                         f"got {len(features)}")
    if not torch.isfinite(features).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return features


def gaussian_statistics(features) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Mean :math:`\mu` and unbiased covariance :math:`\Sigma` of ``features`` (N, D), float64.

    .. math:: \mu = \frac1N \sum_i f_i, \qquad
              \Sigma = \frac{1}{N-1} \sum_i (f_i - \mu)(f_i - \mu)^\top

    First used in chapter 5, through :func:`digit_fid`.
    """
    features = _features(features, "features")
    mean = features.mean(dim=0)
    centred = features - mean
    return mean, centred.T @ centred / (len(features) - 1)


def _psd_sqrt(matrix: torch.Tensor) -> torch.Tensor:
    """Square root of a symmetric positive semi-definite matrix by eigendecomposition."""
    eigenvalues, eigenvectors = torch.linalg.eigh((matrix + matrix.T) / 2)
    return (eigenvectors * eigenvalues.clamp(min=0).sqrt()) @ eigenvectors.T


def frechet_distance(features_a, features_b) -> float:
    r"""Fréchet distance between Gaussians fitted to two feature sets (Heusel et al. 2017).

    First used in chapter 5, through :func:`digit_fid`.

    .. math:: d^2 = \|\mu_a - \mu_b\|^2
              + \operatorname{Tr}\!\left(\Sigma_a + \Sigma_b - 2\,(\Sigma_a \Sigma_b)^{1/2}\right)

    ``features_a`` (N, D) and ``features_b`` (M, D) are rows of features. The trace of the
    matrix square root is computed in float64 without scipy: :math:`\Sigma_a\Sigma_b` is
    similar to the symmetric :math:`\Sigma_a^{1/2}\Sigma_b\Sigma_a^{1/2}`, so

    .. math:: \operatorname{Tr}(\Sigma_a\Sigma_b)^{1/2}
              = \sum_i \sqrt{\lambda_i\!\left(\Sigma_a^{1/2}\,\Sigma_b\,\Sigma_a^{1/2}\right)}

    with a symmetric eigendecomposition (tiny negative eigenvalues from round-off are set to
    0). The result is :math:`d^2` (what "FID" reports), 0 for identical sets. It is biased
    upwards for small N: compare distances computed from the same numbers of samples.
    """
    features_a = _features(features_a, "features_a")
    features_b = _features(features_b, "features_b")
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(f"both feature sets need the same dimension D, got {features_a.shape[1]} "
                         f"and {features_b.shape[1]}")
    mean_a, cov_a = gaussian_statistics(features_a)
    mean_b, cov_b = gaussian_statistics(features_b)
    sqrt_a = _psd_sqrt(cov_a)
    middle = sqrt_a @ cov_b @ sqrt_a
    trace_sqrt = torch.linalg.eigvalsh((middle + middle.T) / 2).clamp(min=0).sqrt().sum()
    distance = ((mean_a - mean_b) ** 2).sum() + cov_a.trace() + cov_b.trace() - 2 * trace_sqrt
    return max(float(distance), 0.0)
