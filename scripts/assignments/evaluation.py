"""Assignment 07-evaluation: the Fréchet distance between feature sets and mode coverage on the
2-D benchmarks, from their definitions (chapter 8, Evaluating and stabilising GANs).

The conventions are those of ``ganlab.metrics.frechet`` (unbiased covariance, float64, the
trace of the matrix square root through a symmetric eigendecomposition) and
``ganlab.metrics.coverage`` (nearest centre, high quality within ``threshold`` standard
deviations inclusive, a mode covered with at least ``min_count`` high-quality samples, reverse
KL of the high-quality histogram against the uniform one, ``nan`` without high-quality
samples). The hidden tests compare with ``ganlab.metrics`` itself, and check it against their
own arithmetic first (so a learner cell that replaces ``ganlab.metrics`` gains nothing).
"""
from __future__ import annotations

from .cells import chapter_link, code, markdown, notebook, setup, solution, tests

NAME = "07-evaluation"

# The tests' own helpers. The visible tests use them from the read-only helpers cell; every
# hidden part defines them again inside its own function (scoped), out of reach of learner code.
HELPERS = '''
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
'''

INTRO = r"""
# Assignment 7 — Evaluating GANs: the Fréchet distance and mode coverage (12 points)

"The samples look good" is not a measure (chapter 8). Two numbers the course reports instead,
written here from their definitions:

* the **Fréchet distance** (Heusel et al., 2017; FID when the features come from
  Inception-v3): fit a Gaussian to the features of real images and one to the features of
  generated images, and measure how far apart the two Gaussians are;
* **mode coverage** on the 2-D mixtures of chapter 3 (VEEGAN, Srivastava et al., 2017; PacGAN,
  Lin et al., 2018): how many of the known modes the generator reaches, how many of its samples
  land close to a mode, and how evenly they are spread.

| part | you write | points |
| --- | --- | --- |
| 1 | `gaussian_statistics(features)`: mean and unbiased covariance | 2 |
| 2 | `sqrtm_psd(matrix)`: a matrix square root; `frechet_distance(features_a, features_b)` | 2 + 3 |
| 3 | `assign_to_modes(samples, centers, std)`; `mode_coverage(...)`: modes, high quality, reverse KL | 2 + 2 + 1 |

*Read first:* """ + chapter_link("08-evaluation", "Chapter 8, Evaluating and stabilising GANs") + r"""
(the Fréchet distance, and mode coverage next to the published tables), and
""" + chapter_link("03-discriminator-generator", "Chapter 3, Discriminator and generator") + r"""
for the ring and grid benchmarks.

The conventions are those of `ganlab.metrics` (the functions chapter 8 uses), and the hidden
tests compare your functions with it on random features and samples. Please do not call
`ganlab.metrics` yourself: it would answer the exercise for you. Each part is graded on its
own: parts 2 and 3 are tested with correct versions of the functions they build on.
"""

PART1 = r"""
## Part 1 — the Gaussian fitted to a set of features (2 points)

Each row of `features` (shape `(N, D)`) is the feature vector of one image. The Gaussian
fitted to them has the sample mean and the **unbiased** sample covariance:

$$
\mu = \frac1N \sum_{i=1}^{N} f_i, \qquad
\Sigma = \frac{1}{N-1} \sum_{i=1}^{N} (f_i - \mu)(f_i - \mu)^\top .
$$

Work in **float64** (convert with `features.double()` first, as `ganlab.metrics` does): the
square roots of Part 2 lose digits in float32. Return the tuple `(mean, cov)`, of shapes
`(D,)` and `(D, D)`.

*Hint:* centre the rows, then one matrix product `centred.T @ centred` sums the outer
products. (`torch.cov(features.T)` gives the same covariance; writing it yourself is the point.)

*The tests check:* shapes, dtype, the values on fresh random features (few rows, where $N$ and
$N - 1$ differ a lot), float32 inputs. They name the biased covariance (divided by $N$) and a
covariance that forgot to subtract the mean.
"""

SCAFFOLD1 = '''
def gaussian_statistics(features):
    """Mean (D,) and unbiased covariance (D, D) of features (N, D), both float64."""
    {solution}
'''

SOLUTION1 = '''
features = features.double()
mean = features.mean(dim=0)
centred = features - mean
cov = centred.T @ centred / (len(features) - 1)  # unbiased: N - 1
return mean, cov
'''

STATISTICS_CHECK = '''
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
'''

VISIBLE1 = STATISTICS_CHECK + '''
_f = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 0.0]])
_check_statistics(_f, "[[1, 2], [3, 4], [5, 0]] (mean [3, 2], covariance [[4, -2], [-2, 4]])")
_gen = checks.rng(0)
_check_statistics(torch.randn(6, 3, generator=_gen, dtype=torch.float64) + 1.0, "6 random rows of 3 features")
'''

HIDDEN_COURSE_STATS = '''
from ganlab.metrics import frechet as _course
'''

HIDDEN1 = HELPERS + STATISTICS_CHECK + HIDDEN_COURSE_STATS + '''
_gen = checks.rng(7101)
for _n, _d, _dtype in [(4, 3, torch.float64), (9, 5, torch.float32), (40, 2, torch.float64), (3, 6, torch.float32)]:
    _f = 2 * torch.randn(_n, _d, generator=_gen, dtype=_dtype) @ torch.randn(_d, _d, generator=_gen, dtype=_dtype) + 3.0
    _course_mean, _course_cov = _course.gaussian_statistics(_f)
    _mean, _cov = _statistics(_f)
    checks.assert_true(bool(torch.allclose(_course_cov, _cov, rtol=1e-12, atol=1e-12)) and bool(torch.allclose(_course_mean, _mean, rtol=1e-12, atol=1e-12)),
                       "ganlab.metrics.gaussian_statistics disagrees with the tests' own: was ganlab modified?")
    _check_statistics(_f, f"{_n} random {_dtype} rows of {_d} features")
'''

PART2 = r"""
## Part 2 — the Fréchet distance (5 points)

The Fréchet (2-Wasserstein) distance between $\mathcal N(\mu_a, \Sigma_a)$ and
$\mathcal N(\mu_b, \Sigma_b)$ is

$$
d^2 = \lVert \mu_a - \mu_b \rVert^2
  + \operatorname{Tr}\!\left(\Sigma_a + \Sigma_b - 2\,(\Sigma_a \Sigma_b)^{1/2}\right).
$$

$(\Sigma_a \Sigma_b)^{1/2}$ is a **matrix** square root (a matrix $R$ with $R R = \Sigma_a
\Sigma_b$), not the square root of each entry. $\Sigma_a \Sigma_b$ is not symmetric, but it is
similar to the symmetric positive semi-definite $\Sigma_a^{1/2}\, \Sigma_b\, \Sigma_a^{1/2}$, so
both have the same eigenvalues and

$$
\operatorname{Tr}(\Sigma_a \Sigma_b)^{1/2} = \operatorname{Tr}\left(\Sigma_a^{1/2}\, \Sigma_b\, \Sigma_a^{1/2}\right)^{1/2} .
$$

Only square roots of symmetric positive semi-definite matrices are needed then, and those
come from a symmetric eigendecomposition $M = V \operatorname{diag}(\lambda) V^\top$:
$M^{1/2} = V \operatorname{diag}(\sqrt{\lambda}) V^\top$. Round-off can make an eigenvalue
that should be 0 slightly negative (a covariance of fewer samples than features is singular),
so clamp the eigenvalues at 0 before the square root.

**2a (2 points).** `sqrtm_psd(matrix)`: the symmetric square root of a symmetric positive
semi-definite matrix, with `torch.linalg.eigh`.

**2b (3 points).** `frechet_distance(features_a, features_b)` for features of shapes `(N, D)`
and `(M, D)`: call your `gaussian_statistics` and `sqrtm_psd`, and return $d^2$ as a Python
`float` (what "FID" reports), like `ganlab.metrics.frechet_distance`. Round-off can leave a
distance of $0$ at $-10^{-13}$: return `max(float(d2), 0.0)`.

*The tests check:* 2a on random positive-definite matrices and a singular one ($R R = M$, $R$
symmetric, no `nan`); 2b against `ganlab.metrics.frechet_distance` on random features with
covariances that do not commute, $d = 0$ for identical sets, symmetry, the 1-D closed form
$(\mu_a - \mu_b)^2 + (\sigma_a - \sigma_b)^2$. They name the missing factor 2, the elementwise
square root, $\Sigma_a^{1/2}\Sigma_b^{1/2}$ in place of $(\Sigma_a\Sigma_b)^{1/2}$, and a
distance that is not squared.
"""

SCAFFOLD2A = '''
def sqrtm_psd(matrix):
    """The symmetric square root R (R @ R = matrix) of a symmetric positive semi-definite matrix."""
    {solution}
'''

SOLUTION2A = '''
eigenvalues, eigenvectors = torch.linalg.eigh(matrix)
roots = eigenvalues.clamp(min=0).sqrt()  # round-off can make a zero eigenvalue slightly negative
return eigenvectors @ torch.diag(roots) @ eigenvectors.T
'''

SQRTM_CHECK = '''
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
'''

VISIBLE2A = SQRTM_CHECK + '''
_check_sqrtm(torch.tensor([[4.0, 0.0], [0.0, 9.0]], dtype=torch.float64), "[[4, 0], [0, 9]]: [[2, 0], [0, 3]]")
_check_sqrtm(torch.tensor([[2.0, 1.0], [1.0, 2.0]], dtype=torch.float64), "[[2, 1], [1, 2]]")
_q = torch.linalg.qr(torch.randn(4, 4, generator=checks.rng(1), dtype=torch.float64)).Q
_check_sqrtm(_q @ torch.diag(torch.tensor([3.0, 1.0, 0.0, -1e-13], dtype=torch.float64)) @ _q.T,
             "a singular matrix whose round-off left an eigenvalue of -1e-13")
'''

HIDDEN2A = HELPERS + SQRTM_CHECK + HIDDEN_COURSE_STATS + '''
_gen = checks.rng(7201)
for _d in (3, 6):
    _a = torch.rand(_d, _d, generator=_gen, dtype=torch.float64)  # positive entries
    _m = _a @ _a.T + 0.3 * torch.eye(_d, dtype=torch.float64)
    _check_sqrtm(_m, f"a random {_d}x{_d} positive-definite matrix", _course._psd_sqrt(_m))
_x = torch.randn(3, 5, generator=_gen, dtype=torch.float64)
_m = _statistics(_x)[1]  # 3 samples, 5 features: rank 2
_q = torch.linalg.qr(torch.randn(5, 5, generator=_gen, dtype=torch.float64)).Q
for _m, _what in [(_m, "the covariance of 3 samples of 5 features (singular)"),
                  (_q @ torch.diag(torch.tensor([2.0, 0.5, 0.0, -1e-14, -3e-13], dtype=torch.float64)) @ _q.T,
                   "a singular 5x5 matrix whose round-off left eigenvalues of -1e-14 and -3e-13")]:
    _check_sqrtm(_m, _what, _course._psd_sqrt(_m))
'''

SCAFFOLD2B = '''
def frechet_distance(features_a, features_b):
    """d^2 = ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)) of Gaussians fitted to two feature sets; a float."""
    {solution}
'''

SOLUTION2B = '''
mean_a, cov_a = gaussian_statistics(features_a)
mean_b, cov_b = gaussian_statistics(features_b)
root_a = sqrtm_psd(cov_a)
trace_root = sqrtm_psd(root_a @ cov_b @ root_a).trace()  # Tr((S_a S_b)^(1/2))
distance = ((mean_a - mean_b) ** 2).sum() + cov_a.trace() + cov_b.trace() - 2 * trace_root
return max(float(distance), 0.0)  # round-off can leave a distance of 0 slightly negative
'''

# Part 2b is tested with the tests' own gaussian_statistics and sqrtm_psd (the learner's are
# put back afterwards), so that a slip in part 1 or 2a costs only that part's points.
WITH_REFERENCE_STATISTICS = '''
global gaussian_statistics, sqrtm_psd  # (the swap must reach the notebook, where your function looks them up)
_learners_functions = gaussian_statistics, sqrtm_psd
def gaussian_statistics(features):
    return _statistics(features)
def sqrtm_psd(matrix):
    return _sqrtm(matrix)
'''

VISIBLE2B = WITH_REFERENCE_STATISTICS + '''
try:
    _a, _b = torch.tensor([[0.0], [2.0]]), torch.tensor([[1.0], [3.0], [5.0]])
    _check_number(frechet_distance(_a, _b), 4 + (math.sqrt(2) - 2) ** 2,
                  "frechet_distance in 1-D: means 1 and 3, variances 2 and 4: (1 - 3)^2 + (sqrt(2) - 2)^2",
                  _frechet_mistakes(_a, _b), FRECHET_NAN)
    _gen = checks.rng(2)
    _a = torch.randn(50, 2, generator=_gen) @ torch.tensor([[2.0, 0.0], [1.0, 0.5]])
    _b = torch.randn(60, 2, generator=_gen) @ torch.tensor([[0.5, 1.0], [0.0, 1.5]]) + torch.tensor([1.0, -1.0])
    _check_number(frechet_distance(_a, _b), _frechet(_a, _b), "frechet_distance of two 2-D feature sets",
                  _frechet_mistakes(_a, _b), FRECHET_NAN)
    _check_number(frechet_distance(_a, _a), 0.0, "frechet_distance of a set with itself", atol=1e-8)
finally:
    gaussian_statistics, sqrtm_psd = _learners_functions
'''

HIDDEN2B = HELPERS + HIDDEN_COURSE_STATS + WITH_REFERENCE_STATISTICS + '''
try:
    _gen = checks.rng(7301)
    for _n, _m, _d, _dtype in [(40, 55, 4, torch.float64), (120, 80, 6, torch.float32), (25, 30, 3, torch.float64)]:
        _mix_a = torch.randn(_d, _d, generator=_gen, dtype=_dtype)
        _mix_b = torch.randn(_d, _d, generator=_gen, dtype=_dtype)
        _a = torch.randn(_n, _d, generator=_gen, dtype=_dtype) @ _mix_a + torch.randn(_d, generator=_gen, dtype=_dtype)
        _b = torch.randn(_m, _d, generator=_gen, dtype=_dtype) @ _mix_b + torch.randn(_d, generator=_gen, dtype=_dtype)
        _want = _course.frechet_distance(_a, _b)
        checks.assert_true(abs(_want - _frechet(_a, _b)) <= 1e-9 * (1 + _want),
                           "ganlab.metrics.frechet_distance disagrees with the tests' own: was ganlab modified?")
        _what = f"frechet_distance of {_n} and {_m} random {_dtype} rows of {_d} features"
        _check_number(frechet_distance(_a.clone(), _b.clone()), _want, _what, _frechet_mistakes(_a, _b), FRECHET_NAN)
        _check_number(frechet_distance(_b.clone(), _a.clone()), _want, _what + ", the sets swapped (d is symmetric)",
                      _frechet_mistakes(_b, _a), FRECHET_NAN)
        _check_number(frechet_distance(_a.clone(), _a.clone()), 0.0, _what + ": a set against itself", atol=1e-7)
    _a = 2 * torch.randn(30, 1, generator=_gen, dtype=torch.float64) + 1
    _b = 0.5 * torch.randn(20, 1, generator=_gen, dtype=torch.float64) - 1
    _sa, _sb = float(_a.std()), float(_b.std())  # torch.std is unbiased
    _check_number(frechet_distance(_a, _b), (float(_a.mean()) - float(_b.mean())) ** 2 + (_sa - _sb) ** 2,
                  "frechet_distance in 1-D: (mu_a - mu_b)^2 + (sigma_a - sigma_b)^2", _frechet_mistakes(_a, _b), FRECHET_NAN)
finally:
    gaussian_statistics, sqrtm_psd = _learners_functions
'''

PART3 = r"""
## Part 3 — mode coverage on the 2-D benchmarks (5 points)

The ring (8 Gaussians of standard deviation 0.01) and the grid (25 of standard deviation
0.05) of chapter 3 have known modes, with centres `centers` of shape `(K, 2)`
(`ganlab.data.ring_centers()`, `ganlab.data.grid_centers()`). For generated `samples` of
shape `(N, 2)`:

* every sample is registered to its **nearest** centre $k(x) = \arg\min_k \lVert x - c_k \rVert$,
  at a distance $d(x) = \lVert x - c_{k(x)} \rVert / \sigma$ counted **in standard deviations**;
* it is **high quality** if $d(x) \le$ `threshold` (3 standard deviations; a sample exactly at
  3 counts);
* with $n_k$ the number of high-quality samples registered in mode $k$, the mode is
  **covered** if $n_k \ge$ `min_count` (VEEGAN's rule is 1; a stricter 20 of 2,500 ignores
  stray samples);
* the **reverse KL** compares the histogram of the high-quality samples over the modes,
  $\hat p_k = n_k / \sum_j n_j$, with the uniform distribution:
  $\mathrm{KL}(\hat p \,\Vert\, \text{uniform}) = \sum_k \hat p_k \log \frac{\hat p_k}{1/K}$, in
  nats, where an empty mode adds $0 \log 0 = 0$. It is 0 for a perfectly balanced generator and
  $\log K$ when all high-quality samples sit in one mode. With no high-quality sample at all
  it is undefined: return `float("nan")`.

**3a (2 points).** `assign_to_modes(samples, centers, std)` returns `(nearest, distance)`:
the index of the nearest centre of each sample (an int64 tensor `(N,)`) and its distance in
standard deviations (a float64 tensor `(N,)`; convert samples and centres with `.double()`).
`std` is one number.

**3b (3 points).** `mode_coverage(samples, centers, std, threshold=3.0, min_count=1)` returns
the tuple `(modes, high_quality, reverse_kl)`: the number of covered modes (an `int`), the
fraction of **all** samples that are of high quality (a `float` in $[0, 1]$) and the reverse KL
(a `float`). Call your `assign_to_modes`; `torch.bincount(..., minlength=K)` counts per mode.

*The tests check:* 3a and 3b against `ganlab.metrics.assign_to_modes` and
`ganlab.metrics.mode_coverage` on samples around the ring and the grid (some modes dropped,
some samples stray), other thresholds and `min_count`s, a sample exactly at 3 standard
deviations and a mode with exactly `min_count` samples; then the reverse KL, including an empty
mode and no high-quality sample at all. They name a squared distance, a distance not counted
in standard deviations, modes counted from all samples instead of the high-quality ones, `<`
for `<=`, and the KL's direction.
"""

SCAFFOLD3A = '''
def assign_to_modes(samples, centers, std):
    """(nearest, distance): index of each sample's nearest centre (N,) and its distance in stds (N,), float64."""
    {solution}
'''

SOLUTION3A = '''
samples, centers = samples.double(), centers.double()
distances = (samples[:, None, :] - centers[None, :, :]).norm(dim=2)  # (N, K) Euclidean distances
nearest = distances.argmin(dim=1)
distance = distances[torch.arange(len(samples)), nearest] / std
return nearest, distance
'''

ASSIGN_CHECK = '''
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
'''

VISIBLE3A = ASSIGN_CHECK + '''
_centers = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]])
_samples = torch.tensor([[0.1, 0.0], [0.0, -0.5], [2.75, 0.0], [2.0, 2.0], [0.9, 1.9]])
_check_assign(_samples, _centers, 0.25, "5 samples, centres of a 2x2 square: nearest [0, 0, 1, 3, 2], "
              "distances [0.4, 2, 3, 0, 3.62] stds")
'''

SAMPLES = '''
def _benchmark_samples(centers, std, gen, modes_used, n_per_mode, n_stray, spread=1.0):
    """Samples around some of the modes (spread: in units of std) and stray samples between them."""
    parts = []
    for k in modes_used:
        parts.append(centers[k] + spread * std * torch.randn(n_per_mode, 2, generator=gen))
    low, high = centers.min(dim=0).values - 0.5, centers.max(dim=0).values + 0.5
    parts.append(low + (high - low) * torch.rand(n_stray, 2, generator=gen))
    samples = torch.cat(parts)
    return samples[torch.randperm(len(samples), generator=gen)]
'''

HIDDEN_COURSE_COVERAGE = '''
from ganlab import data as _data
from ganlab.metrics import coverage as _course
'''

HIDDEN3A = HELPERS + ASSIGN_CHECK + SAMPLES + HIDDEN_COURSE_COVERAGE + '''
_gen = checks.rng(7401)
for _centers, _std, _what in [(_data.ring_centers(), 0.01, "the ring"), (_data.grid_centers(), 0.05, "the grid"),
                              (_data.grid_centers(), 0.25, "the grid with std 0.25")]:
    _s = _benchmark_samples(_centers, _std, _gen, range(0, len(_centers), 2), 15, 40, spread=2.0)
    _check_assign(_s, _centers, _std, f"{len(_s)} samples around {_what}", _course.assign_to_modes(_s, _centers, _std))
'''

SCAFFOLD3B = '''
def mode_coverage(samples, centers, std, threshold=3.0, min_count=1):
    """(modes, high_quality, reverse_kl): covered modes (int), share of high-quality samples (float), KL (float)."""
    {solution}
'''

SOLUTION3B = '''
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
'''

# Part 3b is tested with the tests' own assign_to_modes (the learner's is put back afterwards).
WITH_REFERENCE_ASSIGN = '''
global assign_to_modes  # (the swap must reach the notebook, where your function looks it up)
_learners_assign = assign_to_modes
def assign_to_modes(samples, centers, std):
    distances = _distances(samples, centers, std)
    return distances.argmin(dim=1), distances.min(dim=1).values
'''

COVERAGE_CHECK = '''
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
'''

VISIBLE3B = COVERAGE_CHECK + WITH_REFERENCE_ASSIGN + '''
try:
    _centers = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]])
    _samples = torch.tensor([[0.1, 0.0], [0.0, -0.5], [2.75, 0.0], [2.0, 2.0], [0.9, 1.9]])
    # distances in stds: 0.4, 2, 3 (exactly), 0 and 3.62 -> 4 high-quality samples in modes 0, 0, 1, 3
    _check_modes(_samples, _centers, 0.25, "the 5 samples of 3a (expected: 3 modes, 80% high quality)")
    _check_modes(_samples, _centers, 0.25, "the 5 samples of 3a (expected: 1 mode)", min_count=2)
finally:
    assign_to_modes = _learners_assign
'''

HIDDEN3B = HELPERS + SAMPLES + COVERAGE_CHECK + HIDDEN_COURSE_COVERAGE + WITH_REFERENCE_ASSIGN + '''
try:
    _gen = checks.rng(7501)
    _ring, _grid = _data.ring_centers(), _data.grid_centers()
    _s = _benchmark_samples(_ring, 0.01, _gen, [0, 1, 2, 4, 6], 60, 80)
    for _threshold, _min_count in [(3.0, 1), (3.0, 20), (2.0, 5)]:
        _check_modes(_s, _ring, 0.01, f"{len(_s)} samples on 5 of the ring's 8 modes and 80 stray ones", _threshold, _min_count,
                     _course.mode_coverage(_s, _ring, 0.01, threshold=_threshold, min_count=_min_count))
    _s = _benchmark_samples(_grid, 0.05, _gen, range(0, 25, 3), 30, 300, spread=1.5)
    for _threshold, _min_count in [(3.0, 1), (3.0, 25)]:
        _check_modes(_s, _grid, 0.05, f"{len(_s)} samples on 9 of the grid's 25 modes and 300 stray ones", _threshold, _min_count,
                     _course.mode_coverage(_s, _grid, 0.05, threshold=_threshold, min_count=_min_count))
    # exactly at the threshold, and a mode with exactly min_count high-quality samples (at most 25 samples:
    # ganlab's torch.cdist is exact then)
    _centers = _grid[:6].double()  # (-4, -4), (-4, -2), ..., (-2, -4)
    _s = torch.cat([_centers[0] + torch.tensor([[0.75, 0.0], [0.0, -0.75], [0.1, 0.2]], dtype=torch.float64),
                    _centers[1] + torch.tensor([[0.3, 0.0], [0.0, 0.3], [0.9, 0.0]], dtype=torch.float64),
                    _centers[3] + torch.tensor([[-0.75, 0.0]], dtype=torch.float64),
                    _centers[4] + torch.tensor([[0.5, 0.5], [0.2, -0.1], [-0.6, 0.0], [0.0, 0.4]], dtype=torch.float64)])
    for _min_count in (1, 2, 3):
        _check_modes(_s, _centers, 0.25, "11 samples, 3 of them exactly 3 stds from their centre", 3.0, _min_count,
                     _course.mode_coverage(_s, _centers, 0.25, min_count=_min_count))
finally:
    assign_to_modes = _learners_assign
'''

VISIBLE3C = COVERAGE_CHECK + WITH_REFERENCE_ASSIGN + '''
try:
    _centers = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]])
    _samples = torch.tensor([[0.1, 0.0], [0.0, -0.2], [2.1, 0.0], [1.9, 2.0], [1.2, 0.9]])
    # high quality: 2 in mode 0, 1 in mode 1, 1 in mode 3, mode 2 empty; p = [1/2, 1/4, 0, 1/4]
    _check_kl(_samples, _centers, 0.25, "p = [1/2, 1/4, 0, 1/4] over 4 modes: KL = 1/2 log 2")
    _check_kl(torch.tensor([[1.0, 1.0]]), _centers, 0.25, "one sample, far from every mode (no high-quality sample)")
finally:
    assign_to_modes = _learners_assign
'''

HIDDEN3C = HELPERS + SAMPLES + COVERAGE_CHECK + HIDDEN_COURSE_COVERAGE + WITH_REFERENCE_ASSIGN + '''
try:
    _gen = checks.rng(7601)
    _ring, _grid = _data.ring_centers(), _data.grid_centers()
    for _centers, _std, _used, _n, _stray, _what in [
            (_ring, 0.01, [0, 1, 2, 3, 5, 6, 7], 40, 30, "7 of the ring's 8 modes"),
            (_ring, 0.01, list(range(8)), 50, 0, "all 8 modes of the ring"),
            (_grid, 0.05, [0, 3, 4, 12, 24], 25, 100, "5 of the grid's 25 modes")]:
        _s = _benchmark_samples(_centers, _std, _gen, _used, _n, _stray)
        _check_kl(_s, _centers, _std, f"{len(_s)} samples on {_what}", _course.mode_coverage(_s, _centers, _std))
    _s = _ring[3] + 0.01 * torch.randn(200, 2, generator=_gen)  # a collapsed generator: KL = log 8
    _check_kl(_s, _ring, 0.01, "200 samples in one mode of the ring (a collapsed generator)", _course.mode_coverage(_s, _ring, 0.01))
    _s = 0.5 * _ring[:4] + 0.5 * _ring[1:5]  # between the modes: none of high quality
    _check_kl(_s, _ring, 0.01, "4 samples half-way between the ring's modes (none of high quality)",
              _course.mode_coverage(_s, _ring, 0.01))
finally:
    assign_to_modes = _learners_assign
'''

OUTRO = r"""
## What you have written

`ganlab.metrics.frechet_distance` and `ganlab.metrics.mode_coverage` are your functions
(with checks of their inputs). Chapter 8 uses them to put numbers next to the published tables;
`ganlab.metrics.digit_fid` is your Fréchet distance on the 64 features of the course's small
digit classifier.

*Try it:* compute `frechet_distance` between two sets of 50 rows of `torch.randn(n, 8)` and
between two sets of 5,000: both come from the same Gaussian, yet the first is much larger. The
estimate is biased by the sample size (chapter 8's floor), so compare distances computed from
the same numbers of samples only. Then draw 2,500 samples with `ganlab.data.ring(2500)` and
check that real data covers all 8 modes with about 99% high-quality samples
($1 - e^{-9/2}$ of a 2-D Gaussian lies within 3 standard deviations).
"""

# Classic mistakes, for tests/test_assignments.py: label -> (solution cell, text in the
# reference solution, replacement, {test cell that must fail: words its message must contain}).
# Every other test cell must still pass (partial credit).
MISTAKES = {
    "biased covariance (divided by N)": (
        "gaussian_statistics", "cov = centred.T @ centred / (len(features) - 1)", "cov = centred.T @ centred / len(features)",
        {"test_gaussian_statistics": "N - 1"}),
    "covariance without subtracting the mean": (
        "gaussian_statistics", "centred = features - mean", "centred = features",
        {"test_gaussian_statistics": "without subtracting the mean"}),
    "float32 statistics": (
        "gaussian_statistics", "features = features.double()", "features = features.float()",
        {"test_gaussian_statistics": "float64"}),
    "matrix square root taken elementwise": (
        "sqrtm_psd", "return eigenvectors @ torch.diag(roots) @ eigenvectors.T", "return matrix.sqrt()",
        {"test_sqrtm_psd": "elementwise"}),
    "negative round-off eigenvalues not clamped": (
        "sqrtm_psd", "roots = eigenvalues.clamp(min=0).sqrt()", "roots = eigenvalues.sqrt()",
        {"test_sqrtm_psd": "clamp"}),
    "eigenvectors not rotated back (V diag V instead of V diag V^T)": (
        "sqrtm_psd", "return eigenvectors @ torch.diag(roots) @ eigenvectors.T",
        "return eigenvectors @ torch.diag(roots) @ eigenvectors",
        {"test_sqrtm_psd": "must give the matrix back"}),
    "trace term without its factor 2": (
        "frechet_distance", "- 2 * trace_root", "- trace_root",
        {"test_frechet_distance": "factor 2"}),
    "elementwise square root of S_a S_b": (
        "frechet_distance", "trace_root = sqrtm_psd(root_a @ cov_b @ root_a).trace()",
        "trace_root = (cov_a @ cov_b).sqrt().trace()",
        {"test_frechet_distance": "elementwise"}),
    "S_a^(1/2) S_b^(1/2) for (S_a S_b)^(1/2)": (
        "frechet_distance", "trace_root = sqrtm_psd(root_a @ cov_b @ root_a).trace()",
        "trace_root = (root_a @ sqrtm_psd(cov_b)).trace()",
        {"test_frechet_distance": "commute"}),
    "mean term not squared": (
        "frechet_distance", "((mean_a - mean_b) ** 2).sum()", "(mean_a - mean_b).norm()",
        {"test_frechet_distance": "not its square"}),
    "returns d instead of d^2": (
        "frechet_distance", "return max(float(distance), 0.0)", "return max(float(distance), 0.0) ** 0.5",
        {"test_frechet_distance": "square root of the Fréchet distance"}),
    "attack: rebinds the visible tests' helper and returns 0 (the hidden tests are out of its reach)": (
        "frechet_distance", "    return max(float(distance), 0.0)  # round-off can leave a distance of 0 slightly negative",
        "    return 0.0\n_check_number = lambda *args, **kwargs: None",
        {"test_frechet_distance": "got 0.0"}),
    "squared distance instead of the distance": (
        "assign_to_modes", "distances = (samples[:, None, :] - centers[None, :, :]).norm(dim=2)",
        "distances = ((samples[:, None, :] - centers[None, :, :]) ** 2).sum(dim=2)",
        {"test_assign_to_modes": "squared"}),
    "distance not in standard deviations": (
        "assign_to_modes", "distance = distances[torch.arange(len(samples)), nearest] / std",
        "distance = distances[torch.arange(len(samples)), nearest]",
        {"test_assign_to_modes": "standard deviations"}),
    "farthest centre (argmax)": (
        "assign_to_modes", "nearest = distances.argmin(dim=1)", "nearest = distances.argmax(dim=1)",
        {"test_assign_to_modes": "farthest"}),
    "modes counted from all samples, not the high-quality ones": (
        "mode_coverage", "counts = torch.bincount(nearest[good], minlength=len(centers))",
        "counts = torch.bincount(nearest, minlength=len(centers))",
        {"test_mode_coverage": "only samples within", "test_mode_coverage_reverse_kl": "*all* samples"}),
    "strict threshold (d < 3 instead of d <= 3)": (
        "mode_coverage", "good = distance <= threshold", "good = distance < threshold",
        {"test_mode_coverage": "exactly at threshold"}),
    "off by one in min_count (n_k > min_count)": (
        "mode_coverage", "modes = int((counts >= min_count).sum())", "modes = int((counts > min_count).sum())",
        {"test_mode_coverage": "at least"}),
    "min_count ignored": (
        "mode_coverage", "modes = int((counts >= min_count).sum())", "modes = int((counts >= 1).sum())",
        {"test_mode_coverage": "ignoring min_count"}),
    "high-quality count instead of share": (
        "mode_coverage", "high_quality = n_good / len(samples)", "high_quality = n_good",
        {"test_mode_coverage": "share of all samples"}),
    "0 log 0 not taken as 0 in the reverse KL": (
        "mode_coverage", "share = counts[counts > 0].double() / n_good", "share = counts.double() / n_good",
        {"test_mode_coverage_reverse_kl": "0 log 0"}),
    "reverse KL without the uniform 1/K": (
        "mode_coverage", "reverse_kl = float((share * torch.log(share * len(centers))).sum())",
        "reverse_kl = float((share * torch.log(share)).sum())",
        {"test_mode_coverage_reverse_kl": "without the uniform distribution's 1/K"}),
    "forward KL(uniform || p) instead of the reverse": (
        "mode_coverage", "reverse_kl = float((share * torch.log(share * len(centers))).sum())",
        "reverse_kl = float((torch.log(1 / (len(centers) * share)) / len(centers)).sum())",
        {"test_mode_coverage_reverse_kl": "forward KL"}),
    "0 instead of nan without high-quality samples": (
        "mode_coverage", 'return modes, high_quality, float("nan")', "return modes, high_quality, 0.0",
        {"test_mode_coverage_reverse_kl": "expected nan"}),
}


TEST_HELPERS = "# Test helpers (read-only): used by the visible tests below. Run this cell once.\n" + HELPERS


def build():
    """The notebook of assignment 07-evaluation."""
    return notebook([
        setup(),
        markdown("intro", INTRO),
        code("test_helpers", TEST_HELPERS),
        markdown("part1", PART1),
        solution("gaussian_statistics", SCAFFOLD1, SOLUTION1),
        tests("test_gaussian_statistics", 2, VISIBLE1, HIDDEN1, scoped=True),
        markdown("part2", PART2),
        solution("sqrtm_psd", SCAFFOLD2A, SOLUTION2A),
        tests("test_sqrtm_psd", 2, VISIBLE2A, HIDDEN2A, scoped=True),
        solution("frechet_distance", SCAFFOLD2B, SOLUTION2B),
        tests("test_frechet_distance", 3, VISIBLE2B, HIDDEN2B, scoped=True),
        markdown("part3", PART3),
        solution("assign_to_modes", SCAFFOLD3A, SOLUTION3A),
        tests("test_assign_to_modes", 2, VISIBLE3A, HIDDEN3A, scoped=True),
        solution("mode_coverage", SCAFFOLD3B, SOLUTION3B),
        tests("test_mode_coverage", 2, VISIBLE3B, HIDDEN3B, scoped=True),
        tests("test_mode_coverage_reverse_kl", 1, VISIBLE3C, HIDDEN3C, scoped=True),
        markdown("outro", OUTRO),
    ])
