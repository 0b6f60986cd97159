"""ganlab.metrics: mode coverage, Fréchet distance, the digit classifier, 1-D divergences."""
import math

import pytest
import torch

from ganlab.data import digits, grid_centers, ring, ring_centers
from ganlab.metrics import (class_coverage, classify_digits, digit_features, digit_fid,
                            frechet_distance, js_divergence, js_divergence_samples,
                            kl_divergence, kl_divergence_samples, mode_coverage)


# ----------------------------------------------------------------------------- mode coverage
def test_samples_on_every_centre_cover_every_mode():
    centers = grid_centers()
    samples = centers.repeat(4, 1)
    result = mode_coverage(samples, centers, std=0.05)
    assert result.modes == 25 and result.total_modes == 25
    assert result.high_quality == 1.0
    assert result.reverse_kl == pytest.approx(0.0, abs=1e-12)
    assert result.counts.tolist() == [4] * 25


def test_samples_on_one_centre_cover_one_mode_with_maximal_reverse_kl():
    centers = ring_centers(8)
    result = mode_coverage(centers[3].repeat(100, 1), centers, std=0.01)
    assert result.modes == 1
    assert result.counts[3] == 100
    assert result.reverse_kl == pytest.approx(math.log(8))


def test_far_away_samples_are_not_high_quality():
    centers = ring_centers(8)
    near = centers[:4] + 0.02       # 2.8 std away in distance: still high quality
    far = centers[4:] * 1.5         # 0.5 away = 50 std
    result = mode_coverage(torch.cat([near, far]), centers, std=0.01)
    assert result.high_quality == 0.5
    assert result.modes == 4
    assert math.isnan(mode_coverage(far, centers, std=0.01).reverse_kl)


def test_min_count_decides_when_a_mode_counts():
    centers = ring_centers(8)
    samples = torch.cat([centers[0].repeat(30, 1), centers[1].repeat(5, 1)])
    assert mode_coverage(samples, centers, 0.01).modes == 2
    assert mode_coverage(samples, centers, 0.01, min_count=20).modes == 1


def test_true_ring_samples_are_covered_and_nearly_uniform():
    result = mode_coverage(ring(2500, rng=torch.Generator().manual_seed(0)),
                           ring_centers(), std=0.01)
    assert result.modes == 8
    assert 0.97 < result.high_quality < 1.0  # P(chi^2_2 <= 9) = 1 - e^{-4.5} = 0.989
    assert result.reverse_kl < 0.02


def test_mode_coverage_works_in_any_dimension_and_rejects_bad_shapes():
    centers = torch.eye(3)
    assert mode_coverage(torch.eye(3), centers, std=0.1).modes == 3
    with pytest.raises(ValueError, match="shape"):
        mode_coverage(torch.zeros(10, 2), centers, std=0.1)
    with pytest.raises(ValueError, match="std"):
        mode_coverage(torch.eye(3), centers, std=-1.0)


# ----------------------------------------------------------------------------- Fréchet distance
def test_frechet_of_identical_sets_is_zero_and_shift_gives_squared_mean_difference():
    features = torch.randn(500, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-6)
    shift = torch.tensor([1.0, -2.0, 0.5, 0, 0, 0, 0, 3.0], dtype=torch.float64)
    assert frechet_distance(features, features + shift) == pytest.approx(float(shift @ shift),
                                                                        rel=1e-6)


def test_frechet_matches_the_closed_form_for_gaussians():
    # For diagonal covariances: d^2 = |mu_a - mu_b|^2 + sum (sqrt(s_a) - sqrt(s_b))^2.
    generator = torch.Generator().manual_seed(2)
    std_a, std_b = torch.tensor([1.0, 2.0, 0.5]), torch.tensor([3.0, 1.0, 0.5])
    mean_b = torch.tensor([1.0, 0.0, -1.0])
    a = torch.randn(200_000, 3, generator=generator) * std_a
    b = mean_b + torch.randn(200_000, 3, generator=generator) * std_b
    expected = float(mean_b @ mean_b + ((std_a - std_b) ** 2).sum())
    assert frechet_distance(a, b) == pytest.approx(expected, rel=0.02)


def test_frechet_with_correlated_covariances_matches_a_commuting_pair():
    rotation, _ = torch.linalg.qr(torch.randn(4, 4, generator=torch.Generator().manual_seed(3),
                                              dtype=torch.float64))
    variances_a = torch.tensor([1.0, 4.0, 9.0, 0.25], dtype=torch.float64)
    variances_b = torch.tensor([4.0, 1.0, 1.0, 1.0], dtype=torch.float64)
    # Exact sample covariances: whiten a sample, then colour it.
    z = torch.randn(1000, 4, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    z = z - z.mean(0)
    z = z @ torch.linalg.inv(torch.linalg.cholesky(z.T @ z / 999)).T
    a = z @ (rotation * variances_a.sqrt()).T
    b = z @ (rotation * variances_b.sqrt()).T
    expected = float(((variances_a.sqrt() - variances_b.sqrt()) ** 2).sum())
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-6)


def test_frechet_rejects_mismatched_dimensions():
    with pytest.raises(ValueError, match="same dimension"):
        frechet_distance(torch.randn(10, 3), torch.randn(10, 4))
    with pytest.raises(ValueError, match="at least 2"):
        frechet_distance(torch.randn(1, 3), torch.randn(10, 3))


# ----------------------------------------------------------------------------- digit classifier
@pytest.fixture(scope="module")
def test_digits():
    return digits(image_size=16, split="test")


def test_classifier_accuracy_on_held_out_digits(test_digits):
    accuracy = (classify_digits(test_digits.images) == test_digits.labels).double().mean()
    assert accuracy >= 0.97


def test_features_are_penultimate_and_batched(test_digits):
    whole = digit_features(test_digits.images)
    batched = digit_features(test_digits.images, batch_size=50)
    assert whole.shape == (len(test_digits), 64)
    torch.testing.assert_close(whole, batched, atol=1e-5, rtol=1e-5)


def test_real_vs_real_fid_is_small_and_noise_is_far(test_digits):
    train = digits(image_size=16, split="train")
    floor = digit_fid(train.images, test_digits.images)
    assert digit_fid(test_digits.images, test_digits.images) == pytest.approx(0.0, abs=1e-6)
    noise = torch.rand(359, 1, 16, 16, generator=torch.Generator().manual_seed(0)) * 2 - 1
    assert digit_fid(noise, test_digits.images) > 20 * floor


def test_other_image_sizes_are_resized(test_digits):
    big = digits(image_size=32, split="test")
    accuracy = (classify_digits(big.images) == big.labels).double().mean()
    assert accuracy >= 0.95


def test_class_coverage_of_real_digits_and_of_one_class(test_digits):
    covered, histogram = class_coverage(test_digits.images)
    assert covered == 10 and int(histogram.sum()) == len(test_digits)
    everything = digits(image_size=16, split="all")
    sevens = everything.images[everything.labels == 7]
    covered, histogram = class_coverage(sevens)
    assert covered == 1 and histogram.argmax() == 7


def test_classifier_rejects_images_out_of_range():
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        classify_digits(torch.full((2, 1, 16, 16), 255.0))
    with pytest.raises(ValueError, match="shape"):
        classify_digits(torch.zeros(2, 3, 16, 16))


# ----------------------------------------------------------------------------- divergences
def test_kl_of_a_distribution_with_itself_is_zero_and_kl_is_not_symmetric():
    x = torch.linspace(-15, 15, 3001)
    p = torch.exp(-x ** 2 / 2)
    q = torch.exp(-(x - 1) ** 2 / 8)
    assert kl_divergence(p, p) == pytest.approx(0.0, abs=1e-12)
    # KL(N(0,1) || N(1,4)) = log 2 + (1 + 1) / 8 - 1/2
    assert kl_divergence(p, q) == pytest.approx(math.log(2) + 2 / 8 - 0.5, abs=1e-3)
    assert kl_divergence(p, q) != pytest.approx(kl_divergence(q, p), abs=1e-2)


def test_js_is_bounded_by_log_two_and_reaches_it_for_disjoint_supports():
    x = torch.linspace(-10, 10, 2001)
    p = torch.exp(-(x + 3) ** 2 / 2)
    q = torch.exp(-(x - 3) ** 2 / 2)
    assert 0 < js_divergence(p, q) < math.log(2)
    assert js_divergence(p, q) == pytest.approx(js_divergence(q, p))
    left, right = (x < 0).double(), (x > 0).double()
    assert js_divergence(left, right) == pytest.approx(math.log(2))
    assert kl_divergence(left, right) == math.inf


def test_sample_estimates_are_near_zero_for_the_same_distribution_and_large_when_apart():
    generator = torch.Generator().manual_seed(0)
    a, b = torch.randn(20_000, generator=generator), torch.randn(20_000, generator=generator)
    assert js_divergence_samples(a, b, bins=30) < 0.01
    assert kl_divergence_samples(a, b, bins=30) < 0.02
    assert js_divergence_samples(a, b + 20, bins=30) == pytest.approx(math.log(2))


def test_divergences_reject_bad_input():
    with pytest.raises(ValueError, match="same grid"):
        kl_divergence([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="negative"):
        js_divergence([1, -1], [1, 1])
