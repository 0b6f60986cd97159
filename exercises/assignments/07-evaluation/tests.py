"""The test code of assignment 07-evaluation: the body of each function (after its docstring) is
copied into the test cells that list it; the functions are never called from here.
"""
from __future__ import annotations

import math

import torch

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from helpers import FRECHET_NAN, _benchmark_samples, _check_assign, _check_kl, _check_modes, _check_number, _check_sqrtm, _check_statistics, _course_coverage, _course_frechet, _data, _frechet, _frechet_mistakes, _statistics
    from solution import frechet_distance


def visible_gaussian_statistics():
    """The visible tests of test_gaussian_statistics (assignment 07-evaluation)."""
    _f = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 0.0]])
    _check_statistics(_f, "[[1, 2], [3, 4], [5, 0]] (mean [3, 2], covariance [[4, -2], [-2, 4]])")
    _gen = checks.rng(0)
    _check_statistics(torch.randn(6, 3, generator=_gen, dtype=torch.float64) + 1.0, "6 random rows of 3 features")


def hidden_gaussian_statistics():
    """The hidden tests of test_gaussian_statistics (assignment 07-evaluation)."""
    _gen = checks.rng(7101)
    for _n, _d, _dtype in [(4, 3, torch.float64), (9, 5, torch.float32), (40, 2, torch.float64), (3, 6, torch.float32)]:
        _f = 2 * torch.randn(_n, _d, generator=_gen, dtype=_dtype) @ torch.randn(_d, _d, generator=_gen, dtype=_dtype) + 3.0
        _course_mean, _course_cov = _course_frechet.gaussian_statistics(_f)
        _mean, _cov = _statistics(_f)
        checks.assert_true(bool(torch.allclose(_course_cov, _cov, rtol=1e-12, atol=1e-12)) and bool(torch.allclose(_course_mean, _mean, rtol=1e-12, atol=1e-12)),
                           "ganlab.metrics.gaussian_statistics disagrees with the tests' own: was ganlab modified?")
        _check_statistics(_f, f"{_n} random {_dtype} rows of {_d} features")


def visible_sqrtm_psd():
    """The visible tests of test_sqrtm_psd (assignment 07-evaluation)."""
    _check_sqrtm(torch.tensor([[4.0, 0.0], [0.0, 9.0]], dtype=torch.float64), "[[4, 0], [0, 9]]: [[2, 0], [0, 3]]")
    _check_sqrtm(torch.tensor([[2.0, 1.0], [1.0, 2.0]], dtype=torch.float64), "[[2, 1], [1, 2]]")
    _q = torch.linalg.qr(torch.randn(4, 4, generator=checks.rng(1), dtype=torch.float64)).Q
    _check_sqrtm(_q @ torch.diag(torch.tensor([3.0, 1.0, 0.0, -1e-13], dtype=torch.float64)) @ _q.T,
                 "a singular matrix whose round-off left an eigenvalue of -1e-13")


def hidden_sqrtm_psd():
    """The hidden tests of test_sqrtm_psd (assignment 07-evaluation)."""
    _gen = checks.rng(7201)
    for _d in (3, 6):
        _a = torch.rand(_d, _d, generator=_gen, dtype=torch.float64)  # positive entries
        _m = _a @ _a.T + 0.3 * torch.eye(_d, dtype=torch.float64)
        _check_sqrtm(_m, f"a random {_d}x{_d} positive-definite matrix", _course_frechet._psd_sqrt(_m))
    _x = torch.randn(3, 5, generator=_gen, dtype=torch.float64)
    _m = _statistics(_x)[1]  # 3 samples, 5 features: rank 2
    _q = torch.linalg.qr(torch.randn(5, 5, generator=_gen, dtype=torch.float64)).Q
    for _m, _what in [(_m, "the covariance of 3 samples of 5 features (singular)"),
                      (_q @ torch.diag(torch.tensor([2.0, 0.5, 0.0, -1e-14, -3e-13], dtype=torch.float64)) @ _q.T,
                       "a singular 5x5 matrix whose round-off left eigenvalues of -1e-14 and -3e-13")]:
        _check_sqrtm(_m, _what, _course_frechet._psd_sqrt(_m))


def visible_frechet_distance():
    """The visible tests of test_frechet_distance (assignment 07-evaluation)."""
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


def hidden_frechet_distance():
    """The hidden tests of test_frechet_distance (assignment 07-evaluation)."""
    _gen = checks.rng(7301)
    for _n, _m, _d, _dtype in [(40, 55, 4, torch.float64), (120, 80, 6, torch.float32), (25, 30, 3, torch.float64)]:
        _mix_a = torch.randn(_d, _d, generator=_gen, dtype=_dtype)
        _mix_b = torch.randn(_d, _d, generator=_gen, dtype=_dtype)
        _a = torch.randn(_n, _d, generator=_gen, dtype=_dtype) @ _mix_a + torch.randn(_d, generator=_gen, dtype=_dtype)
        _b = torch.randn(_m, _d, generator=_gen, dtype=_dtype) @ _mix_b + torch.randn(_d, generator=_gen, dtype=_dtype)
        _want = _course_frechet.frechet_distance(_a, _b)
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


def visible_assign_to_modes():
    """The visible tests of test_assign_to_modes (assignment 07-evaluation)."""
    _centers = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]])
    _samples = torch.tensor([[0.1, 0.0], [0.0, -0.5], [2.75, 0.0], [2.0, 2.0], [0.9, 1.9]])
    _check_assign(_samples, _centers, 0.25, "5 samples, centres of a 2x2 square: nearest [0, 0, 1, 3, 2], "
                  "distances [0.4, 2, 3, 0, 3.62] stds")


def hidden_assign_to_modes():
    """The hidden tests of test_assign_to_modes (assignment 07-evaluation)."""
    _gen = checks.rng(7401)
    for _centers, _std, _what in [(_data.ring_centers(), 0.01, "the ring"), (_data.grid_centers(), 0.05, "the grid"),
                                  (_data.grid_centers(), 0.25, "the grid with std 0.25")]:
        _s = _benchmark_samples(_centers, _std, _gen, range(0, len(_centers), 2), 15, 40, spread=2.0)
        _check_assign(_s, _centers, _std, f"{len(_s)} samples around {_what}", _course_coverage.assign_to_modes(_s, _centers, _std))


def visible_mode_coverage():
    """The visible tests of test_mode_coverage (assignment 07-evaluation)."""
    _centers = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]])
    _samples = torch.tensor([[0.1, 0.0], [0.0, -0.5], [2.75, 0.0], [2.0, 2.0], [0.9, 1.9]])
    # distances in stds: 0.4, 2, 3 (exactly), 0 and 3.62 -> 4 high-quality samples in modes 0, 0, 1, 3
    _check_modes(_samples, _centers, 0.25, "the 5 samples of 3a (expected: 3 modes, 80% high quality)")
    _check_modes(_samples, _centers, 0.25, "the 5 samples of 3a (expected: 1 mode)", min_count=2)


def hidden_mode_coverage():
    """The hidden tests of test_mode_coverage (assignment 07-evaluation)."""
    _gen = checks.rng(7501)
    _ring, _grid = _data.ring_centers(), _data.grid_centers()
    _s = _benchmark_samples(_ring, 0.01, _gen, [0, 1, 2, 4, 6], 60, 80)
    for _threshold, _min_count in [(3.0, 1), (3.0, 20), (2.0, 5)]:
        _check_modes(_s, _ring, 0.01, f"{len(_s)} samples on 5 of the ring's 8 modes and 80 stray ones", _threshold, _min_count,
                     _course_coverage.mode_coverage(_s, _ring, 0.01, threshold=_threshold, min_count=_min_count))
    _s = _benchmark_samples(_grid, 0.05, _gen, range(0, 25, 3), 30, 300, spread=1.5)
    for _threshold, _min_count in [(3.0, 1), (3.0, 25)]:
        _check_modes(_s, _grid, 0.05, f"{len(_s)} samples on 9 of the grid's 25 modes and 300 stray ones", _threshold, _min_count,
                     _course_coverage.mode_coverage(_s, _grid, 0.05, threshold=_threshold, min_count=_min_count))
    # exactly at the threshold, and a mode with exactly min_count high-quality samples (at most 25 samples:
    # ganlab's torch.cdist is exact then)
    _centers = _grid[:6].double()  # (-4, -4), (-4, -2), ..., (-2, -4)
    _s = torch.cat([_centers[0] + torch.tensor([[0.75, 0.0], [0.0, -0.75], [0.1, 0.2]], dtype=torch.float64),
                    _centers[1] + torch.tensor([[0.3, 0.0], [0.0, 0.3], [0.9, 0.0]], dtype=torch.float64),
                    _centers[3] + torch.tensor([[-0.75, 0.0]], dtype=torch.float64),
                    _centers[4] + torch.tensor([[0.5, 0.5], [0.2, -0.1], [-0.6, 0.0], [0.0, 0.4]], dtype=torch.float64)])
    for _min_count in (1, 2, 3):
        _check_modes(_s, _centers, 0.25, "11 samples, 3 of them exactly 3 stds from their centre", 3.0, _min_count,
                     _course_coverage.mode_coverage(_s, _centers, 0.25, min_count=_min_count))


def visible_mode_coverage_reverse_kl():
    """The visible tests of test_mode_coverage_reverse_kl (assignment 07-evaluation)."""
    _centers = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]])
    _samples = torch.tensor([[0.1, 0.0], [0.0, -0.2], [2.1, 0.0], [1.9, 2.0], [1.2, 0.9]])
    # high quality: 2 in mode 0, 1 in mode 1, 1 in mode 3, mode 2 empty; p = [1/2, 1/4, 0, 1/4]
    _check_kl(_samples, _centers, 0.25, "p = [1/2, 1/4, 0, 1/4] over 4 modes: KL = 1/2 log 2")
    _check_kl(torch.tensor([[1.0, 1.0]]), _centers, 0.25, "one sample, far from every mode (no high-quality sample)")


def hidden_mode_coverage_reverse_kl():
    """The hidden tests of test_mode_coverage_reverse_kl (assignment 07-evaluation)."""
    _gen = checks.rng(7601)
    _ring, _grid = _data.ring_centers(), _data.grid_centers()
    for _centers, _std, _used, _n, _stray, _what in [
            (_ring, 0.01, [0, 1, 2, 3, 5, 6, 7], 40, 30, "7 of the ring's 8 modes"),
            (_ring, 0.01, list(range(8)), 50, 0, "all 8 modes of the ring"),
            (_grid, 0.05, [0, 3, 4, 12, 24], 25, 100, "5 of the grid's 25 modes")]:
        _s = _benchmark_samples(_centers, _std, _gen, _used, _n, _stray)
        _check_kl(_s, _centers, _std, f"{len(_s)} samples on {_what}", _course_coverage.mode_coverage(_s, _centers, _std))
    _s = _ring[3] + 0.01 * torch.randn(200, 2, generator=_gen)  # a collapsed generator: KL = log 8
    _check_kl(_s, _ring, 0.01, "200 samples in one mode of the ring (a collapsed generator)", _course_coverage.mode_coverage(_s, _ring, 0.01))
    _s = 0.5 * _ring[:4] + 0.5 * _ring[1:5]  # between the modes: none of high quality
    _check_kl(_s, _ring, 0.01, "4 samples half-way between the ring's modes (none of high quality)",
              _course_coverage.mode_coverage(_s, _ring, 0.01))
