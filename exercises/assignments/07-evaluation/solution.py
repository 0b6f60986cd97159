"""The reference solutions of assignment 07-evaluation: one region per editable cell.

Each region (from a ``# %% cell: <grade_id>`` line to the next) is the cell as the source
notebook holds it; the release replaces each ``### BEGIN SOLUTION`` ... ``### END SOLUTION``
block by ``raise NotImplementedError()``. The names the notebook's setup cell defines are
imported here so that the file lints and imports on its own.
"""
from __future__ import annotations

import torch


# %% cell: gaussian_statistics
def gaussian_statistics(features):
    """Mean (D,) and unbiased covariance (D, D) of features (N, D), both float64."""
    ### BEGIN SOLUTION
    features = features.double()
    mean = features.mean(dim=0)
    centred = features - mean
    cov = centred.T @ centred / (len(features) - 1)  # unbiased: N - 1
    return mean, cov
    ### END SOLUTION


# %% cell: sqrtm_psd
def sqrtm_psd(matrix):
    """The symmetric square root R (R @ R = matrix) of a symmetric positive semi-definite matrix."""
    ### BEGIN SOLUTION
    eigenvalues, eigenvectors = torch.linalg.eigh(matrix)
    roots = eigenvalues.clamp(min=0).sqrt()  # round-off can make a zero eigenvalue slightly negative
    return eigenvectors @ torch.diag(roots) @ eigenvectors.T
    ### END SOLUTION


# %% cell: frechet_distance
def frechet_distance(features_a, features_b):
    """d^2 = ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)) of Gaussians fitted to two feature sets; a float."""
    ### BEGIN SOLUTION
    mean_a, cov_a = gaussian_statistics(features_a)
    mean_b, cov_b = gaussian_statistics(features_b)
    root_a = sqrtm_psd(cov_a)
    trace_root = sqrtm_psd(root_a @ cov_b @ root_a).trace()  # Tr((S_a S_b)^(1/2))
    distance = ((mean_a - mean_b) ** 2).sum() + cov_a.trace() + cov_b.trace() - 2 * trace_root
    return max(float(distance), 0.0)  # round-off can leave a distance of 0 slightly negative
    ### END SOLUTION


# %% cell: assign_to_modes
def assign_to_modes(samples, centers, std):
    """(nearest, distance): index of each sample's nearest centre (N,) and its distance in stds (N,), float64."""
    ### BEGIN SOLUTION
    samples, centers = samples.double(), centers.double()
    distances = (samples[:, None, :] - centers[None, :, :]).norm(dim=2)  # (N, K) Euclidean distances
    nearest = distances.argmin(dim=1)
    distance = distances[torch.arange(len(samples)), nearest] / std
    return nearest, distance
    ### END SOLUTION


# %% cell: mode_coverage
def mode_coverage(samples, centers, std, threshold=3.0, min_count=1):
    """(modes, high_quality, reverse_kl): covered modes (int), share of high-quality samples (float), KL (float)."""
    ### BEGIN SOLUTION
    nearest, distance = assign_to_modes(samples, centers, std)
    good = distance <= threshold  # high quality: within `threshold` standard deviations
    counts = torch.bincount(nearest[good], minlength=len(centers))  # high-quality samples per mode
    n_good = int(counts.sum())
    modes = int((counts >= min_count).sum())
    high_quality = n_good / len(samples)
    if n_good == 0:
        return modes, high_quality, float("nan")
    share = counts[counts > 0].double() / n_good  # empty modes add 0 log 0 = 0
    reverse_kl = float((share * torch.log(share * len(centers))).sum())
    return modes, high_quality, reverse_kl
    ### END SOLUTION
