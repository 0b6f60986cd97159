"""The test helpers of assignment 07-evaluation: each function or class is copied whole into the cells
that list it (the read-only helpers cell, and again into every hidden part that needs it).
"""
from __future__ import annotations

import math

import torch

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from solution import assign_to_modes, gaussian_statistics, mode_coverage, sqrtm_psd


from ganlab import data as _data
from ganlab.metrics import coverage as _course_coverage
from ganlab.metrics import frechet as _course_frechet

# The hidden tests compare with the course's own metrics (listed by the cells that use them).
__all__ = ["_data", "_course_coverage", "_course_frechet"]


def _number(got, what):
    """got as a Python float: a float, an int or a one-element tensor; anything else fails."""
    checks.restore()  # the learner's function just ran: trust nothing it may have replaced
    if type(got) is torch.Tensor:
        checks.assert_true(got.numel() == 1, f"{what}: expected one number, got a tensor of shape {tuple(got.shape)}")
        return float(got.detach().reshape(()).double())
    checks.assert_true(type(got) in (float, int), f"{what}: expected a number (a Python float), got {type(got).__name__}")
    return float(got)


def _check_number(got, expected, what, mistakes=(), nan_hint="", atol=1e-8, rtol=1e-6):
    """got: a number close to expected; if it equals a known slip, the message names it."""
    value = _number(got, what)
    checks.assert_true(not math.isnan(value), f"{what} is nan. {nan_hint}")
    for hint, wrong in mistakes:
        far_from_answer = abs(wrong - expected) > 1e-6 * (1 + abs(expected))
        if math.isfinite(wrong) and far_from_answer and abs(value - wrong) <= 1e-7 + 1e-6 * abs(wrong):
            checks.assert_true(False, f"{what}: expected {expected:.6g}, got {value:.6g}. {hint}")
    checks.assert_scalar_close(value, float(expected), what, atol=atol, rtol=rtol)


def _check_tensor(got, expected, what, mistakes=(), atol=1e-9, rtol=1e-7):
    """got: a float64 tensor of expected's shape, close to it; a known slip is named."""
    checks.restore()
    checks.assert_tensor(got, what)
    checks.assert_shape(got, tuple(expected.shape), what)
    checks.assert_true(got.dtype == torch.float64, f"{what}: expected a float64 tensor, got {got.dtype}. "
                       "Compute in float64, as ganlab.metrics does: convert the inputs with .double() first.")
    value = got.detach()
    checks.assert_true(not bool(torch.isnan(value).any()), f"{what} contains nan.")
    for hint, wrong in mistakes:
        far_from_answer = bool(((wrong - expected).abs() > 1e-6 * (1 + expected.abs())).any())
        if far_from_answer and bool(((value - wrong).abs() <= 1e-9 + 1e-6 * wrong.abs()).all()):
            checks.assert_true(False, f"{what}: {hint}")
    checks.assert_close(value, expected, what, atol=atol, rtol=rtol)


def _statistics(features, unbiased=True):
    """The tests' own mean and covariance of features (N, D), in float64."""
    f = features.double()
    mean = f.mean(dim=0)
    centred = f - mean
    return mean, centred.T @ centred / (len(f) - 1 if unbiased else len(f))


def _sqrtm(matrix):
    """The tests' own square root of a symmetric positive semi-definite matrix."""
    values, vectors = torch.linalg.eigh((matrix + matrix.T) / 2)
    return vectors @ torch.diag(values.clamp(min=0).sqrt()) @ vectors.T


def _frechet(features_a, features_b, factor=2.0, unbiased=True):
    """The tests' own Fréchet distance (factor: the weight of the trace of the square root)."""
    mean_a, cov_a = _statistics(features_a, unbiased)
    mean_b, cov_b = _statistics(features_b, unbiased)
    root_a = _sqrtm(cov_a)
    trace_root = float(torch.linalg.eigvalsh(root_a @ cov_b @ root_a).clamp(min=0).sqrt().sum())
    return float(((mean_a - mean_b) ** 2).sum() + cov_a.trace() + cov_b.trace()) - factor * trace_root


def _frechet_mistakes(features_a, features_b):
    """(hint, value) of the classic slips in a Fréchet distance, for the messages."""
    mean_a, cov_a = _statistics(features_a)
    mean_b, cov_b = _statistics(features_b)
    right = _frechet(features_a, features_b)
    shift = float(((mean_a - mean_b) ** 2).sum())
    spread = float(cov_a.trace() + cov_b.trace())
    return [
        ("That is the distance with Tr((S_a S_b)^(1/2)) subtracted once: the trace term carries a factor 2, "
         "Tr(S_a + S_b - 2 (S_a S_b)^(1/2)).", _frechet(features_a, features_b, factor=1.0)),
        ("That takes the elementwise square root of S_a S_b. (S_a S_b)^(1/2) is a *matrix* square root: "
         "its trace is the sum of the square roots of the eigenvalues of S_a^(1/2) S_b S_a^(1/2).",
         shift + spread - 2 * float((cov_a @ cov_b).sqrt().trace())),
        ("That uses S_a^(1/2) S_b^(1/2) for (S_a S_b)^(1/2): the two agree only when the covariances commute. "
         "Take the square root of the symmetric S_a^(1/2) S_b S_a^(1/2) instead.",
         shift + spread - 2 * float((_sqrtm(cov_a) @ _sqrtm(cov_b)).trace())),
        ("That is the distance with ||mu_a - mu_b||, not its square ||mu_a - mu_b||^2.",
         right - shift + math.sqrt(shift)),
        ("That is the square root of the Fréchet distance; return d^2 itself, as FID does.", math.sqrt(max(right, 0.0))),
        ("That uses the biased covariance (divided by N): the course's covariance divides by N - 1.",
         _frechet(features_a, features_b, unbiased=False)),
    ]

FRECHET_NAN = ("A square root of a negative number: (S_a S_b)^(1/2) is a matrix square root, not the elementwise "
               "sqrt of S_a S_b (whose entries can be negative); and eigenvalues that round-off made slightly "
               "negative must be clamped at 0.")


def _distances(samples, centers, std):
    """The tests' own distance of every sample to every centre, in standard deviations (N, K)."""
    diff = samples.double()[:, None, :] - centers.double()[None, :, :]
    return (diff ** 2).sum(dim=2).sqrt() / std


def _coverage(samples, centers, std, threshold=3.0, min_count=1):
    """The tests' own (modes, high_quality, reverse_kl, counts) from the definitions."""
    distances = _distances(samples, centers, std)
    nearest = distances.argmin(dim=1)
    good = distances.min(dim=1).values <= threshold
    counts = torch.bincount(nearest[good], minlength=len(centers))
    n_good = int(counts.sum())
    modes = int((counts >= min_count).sum())
    if n_good == 0:
        return modes, 0.0, math.nan, counts
    share = counts[counts > 0].double() / n_good
    return modes, n_good / len(samples), float((share * torch.log(share * len(centers))).sum()), counts


def _kl_mistakes(samples, centers, std, threshold=3.0):
    """(hint, value) of the classic slips in the reverse KL, for the messages."""
    distances = _distances(samples, centers, std)
    nearest = distances.argmin(dim=1)
    good = distances.min(dim=1).values <= threshold
    k = len(centers)
    all_counts = torch.bincount(nearest, minlength=k).double()
    counts = torch.bincount(nearest[good], minlength=k).double()
    out = []
    if counts.sum() > 0:
        p = counts / counts.sum()
        q = p[p > 0]
        out.append(("That is sum p_k log p_k (minus the entropy of p), without the uniform distribution's 1/K: "
                    "KL(p || uniform) = sum p_k log(p_k / (1/K)) = sum p_k log(K p_k).",
                    float((q * torch.log(q)).sum())))
        out.append(("That divides the counts by all N samples: the histogram is over the high-quality samples "
                    "(the shares sum to 1).", float(((counts / len(samples))[p > 0] * torch.log(k * (counts / len(samples))[p > 0])).sum())))
        out.append(("That is the forward KL(uniform || p); the reverse KL is KL(p || uniform) = sum p_k log(K p_k).",
                    float((torch.log(1 / (k * q)) / k).sum())))
    a = all_counts / all_counts.sum()
    a = a[a > 0]
    out.append(("That is the histogram of *all* samples; the reverse KL uses the high-quality ones only.",
                float((a * torch.log(a * k)).sum())))
    return out


def _check_statistics(features, what):
    result = gaussian_statistics(features.clone())
    checks.restore()
    checks.assert_true(type(result) is tuple and len(result) == 2,
                       f"gaussian_statistics must return a tuple (mean, cov), got {type(result).__name__}")
    mean, cov = _statistics(features)
    _check_tensor(result[0], mean, f"the mean of {what}")
    f = features.double()
    _check_tensor(result[1], cov, f"the covariance of {what}", [
        ("That is the biased covariance, divided by N; the unbiased one divides by N - 1.", _statistics(features, False)[1]),
        ("That is sum f_i f_i^T / (N - 1), without subtracting the mean first.", f.T @ f / (len(f) - 1)),
        ("That is the biased covariance without subtracting the mean (f^T f / N).", f.T @ f / len(f)),
    ])


def _check_sqrtm(matrix, what, reference=None):
    root = sqrtm_psd(matrix.clone())
    checks.restore()
    checks.assert_tensor(root, f"sqrtm_psd({what})")
    checks.assert_shape(root, tuple(matrix.shape), f"sqrtm_psd({what})")
    checks.assert_true(not bool(torch.isnan(root).any()),
                       f"sqrtm_psd({what}) contains nan: the square root of a negative eigenvalue. Round-off makes "
                       "zero eigenvalues slightly negative: clamp them at 0 (eigenvalues.clamp(min=0)) first.")
    want = _sqrtm(matrix)
    elementwise = matrix.double().sqrt()
    checks.assert_true(bool(torch.allclose(elementwise, want, atol=1e-9))
                       or not bool(torch.allclose(root.detach().double(), elementwise, atol=1e-9)),
                       f"sqrtm_psd({what}) is the elementwise square root of the matrix. A matrix square root R "
                       "satisfies R @ R = M: V diag(sqrt(eigenvalues)) V^T from torch.linalg.eigh.")
    checks.assert_close(root.detach().double() @ root.detach().double(), matrix.double(),
                        f"R @ R for R = sqrtm_psd({what}) (must give the matrix back)", atol=1e-9, rtol=1e-7)
    checks.assert_close(root.detach().double(), want, f"sqrtm_psd({what}): the symmetric positive semi-definite root",
                        atol=1e-9, rtol=1e-7)
    if reference is not None:
        checks.assert_true(bool(torch.allclose(reference, want, atol=1e-10, rtol=1e-8)),
                           "ganlab's matrix square root disagrees with the tests' own: was ganlab modified?")


def _check_assign(samples, centers, std, what, course=None):
    result = assign_to_modes(samples.clone(), centers.clone(), std)
    checks.restore()
    checks.assert_true(type(result) is tuple and len(result) == 2,
                       f"assign_to_modes must return a tuple (nearest, distance), got {type(result).__name__}")
    nearest, distance = result
    distances = _distances(samples, centers, std)
    want_nearest, want_distance = distances.argmin(dim=1), distances.min(dim=1).values
    if course is not None:
        checks.assert_true(bool(torch.equal(course[0], want_nearest)) and bool(torch.allclose(course[1], want_distance, rtol=1e-9, atol=1e-9)),
                           "ganlab.metrics.assign_to_modes disagrees with the tests' own: was ganlab modified?")
    checks.assert_tensor(nearest, f"nearest ({what})")
    checks.assert_shape(nearest, (len(samples),), f"nearest ({what}): one centre index per sample")
    checks.assert_true(nearest.dtype == torch.int64, f"nearest ({what}): expected int64 indices (argmin gives them), got {nearest.dtype}")
    checks.assert_true(not bool(torch.equal(nearest, distances.argmax(dim=1))) or bool(torch.equal(nearest, want_nearest)),
                       f"nearest ({what}) holds the *farthest* centre of each sample (argmax); use argmin.")
    checks.assert_true(bool(torch.equal(nearest, want_nearest)),
                       f"nearest ({what}): {int((nearest != want_nearest).sum())} of {len(samples)} samples registered "
                       f"to another centre than their nearest one, e.g. sample {int((nearest != want_nearest).int().argmax())}")
    d = want_distance
    _check_tensor(distance, d, f"distance ({what}, std {std})", [
        ("That is the squared distance over the std; use the distance itself, ||x - c|| / std.", d * d * std),
        ("That is the squared distance in standard deviations, (||x - c|| / std)^2; a high-quality sample is "
         "within 3 standard deviations, ||x - c|| / std <= 3, not squared.", d * d),
        ("That is the distance in the samples' own units; count it in standard deviations: divide by std.", d * std),
        ("That divides by the variance std^2; count the distance in standard deviations: divide by std.", d / std),
    ], atol=1e-9, rtol=1e-7)


def _benchmark_samples(centers, std, gen, modes_used, n_per_mode, n_stray, spread=1.0):
    """Samples around some of the modes (spread: in units of std) and stray samples between them."""
    parts = []
    for k in modes_used:
        parts.append(centers[k] + spread * std * torch.randn(n_per_mode, 2, generator=gen))
    low, high = centers.min(dim=0).values - 0.5, centers.max(dim=0).values + 0.5
    parts.append(low + (high - low) * torch.rand(n_stray, 2, generator=gen))
    samples = torch.cat(parts)
    return samples[torch.randperm(len(samples), generator=gen)]


def _call_coverage(samples, centers, std, threshold, min_count, what):
    if threshold == 3.0 and min_count == 1:
        result = mode_coverage(samples.clone(), centers.clone(), std)
    else:
        result = mode_coverage(samples.clone(), centers.clone(), std, threshold=threshold, min_count=min_count)
    checks.restore()
    checks.assert_true(type(result) is tuple and len(result) == 3,
                       f"mode_coverage ({what}) must return a tuple (modes, high_quality, reverse_kl), got {type(result).__name__}")
    return result


def _check_modes(samples, centers, std, what, threshold=3.0, min_count=1, course=None):
    """The modes and the high-quality share of mode_coverage."""
    modes, high_quality, _ = _call_coverage(samples, centers, std, threshold, min_count, what)
    want_modes, want_hq, want_kl, counts = _coverage(samples, centers, std, threshold, min_count)
    if course is not None:
        checks.assert_true(course.modes == want_modes and abs(course.high_quality - want_hq) < 1e-12,
                           "ganlab.metrics.mode_coverage disagrees with the tests' own: was ganlab modified?")
    distances = _distances(samples, centers, std)
    all_counts = torch.bincount(distances.argmin(dim=1), minlength=len(centers))
    detail = f"{what}, threshold {threshold} stds, min_count {min_count}"
    strict = int((distances.min(dim=1).values < threshold).sum()) / len(samples)
    _check_number(high_quality, want_hq, f"the high-quality share ({detail})", [
        ("That is the share with a strict d < threshold; a sample exactly at threshold stds is of high quality (<=).", strict),
        ("That is the number of high-quality samples; return their share of all samples.", want_hq * len(samples)),
        ("That counts every sample as high quality: only samples within threshold stds of their centre count.", 1.0),
    ], atol=1e-12, rtol=1e-12)
    got_modes = _number(modes, f"the number of covered modes ({detail})")
    slips = [("That counts every sample registered in a mode; a mode is covered by its high-quality samples "
              "only: only samples within threshold stds count.", int((all_counts >= min_count).sum())),
             ("That counts the modes with *more* than min_count high-quality samples; covered means at least "
              "min_count (>=).", int((counts > min_count).sum())),
             ("That counts the modes with at least one high-quality sample, ignoring min_count.", int((counts >= 1).sum()))]
    for hint, wrong in slips:
        checks.assert_true(not (wrong != want_modes and got_modes == wrong),
                           f"the number of covered modes ({detail}): expected {want_modes}, got {got_modes:g}. {hint}")
    checks.assert_true(got_modes == want_modes, f"the number of covered modes ({detail}): expected {want_modes}, got {got_modes:g}")
    checks.assert_true(type(modes) is int or type(modes) is torch.Tensor,
                       f"the number of covered modes ({detail}) should be an int, got {type(modes).__name__}")


def _check_kl(samples, centers, std, what, course=None):
    """The reverse KL of mode_coverage."""
    _, _, reverse_kl = _call_coverage(samples, centers, std, 3.0, 1, what)
    want = _coverage(samples, centers, std)[2]
    if course is not None:
        checks.assert_true((math.isnan(want) and math.isnan(course.reverse_kl)) or abs(course.reverse_kl - want) < 1e-9,
                           "ganlab.metrics.mode_coverage disagrees with the tests' own: was ganlab modified?")
    if math.isnan(want):
        got = _number(reverse_kl, f"the reverse KL ({what})")
        checks.assert_true(math.isnan(got), f"the reverse KL ({what}): no sample is of high quality, so the histogram "
                           f"is empty and the reverse KL is undefined: expected nan (float('nan')), got {got:g}. "
                           "(0 would read as a perfectly balanced generator.)")
        return
    _check_number(reverse_kl, want, f"the reverse KL ({what})", _kl_mistakes(samples, centers, std),
                  "An empty mode has p_k = 0 and p_k log(K p_k) = 0 * -inf = nan: leave empty modes out of "
                  "the sum (0 log 0 = 0).", atol=1e-9, rtol=1e-7)
