"""ganlab.losses: hand-computed values, torch's reference losses, stability, gradients, autocast."""
import math

import pytest
import torch
import torch.nn.functional as F

from ganlab import losses
from ganlab.losses import (LOSSES, cycle_loss, d_loss, d_loss_least_squares, g_loss_least_squares,
                           g_loss_nonsaturating, g_loss_saturating, get_loss, identity_loss,
                           value_function)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# ----------------------------------------------------------------------------- hand-computed
def test_logits_zero_mean_d_one_half():
    zero = torch.zeros(4)
    assert d_loss(zero, zero).item() == pytest.approx(2 * math.log(2))
    assert g_loss_nonsaturating(zero).item() == pytest.approx(math.log(2))
    assert g_loss_saturating(zero).item() == pytest.approx(-math.log(2))


def test_value_function_at_the_optimum_is_minus_log_4():
    # D* = 1/2 everywhere <=> logit 0
    assert value_function(torch.zeros(7), torch.zeros(3)).item() == pytest.approx(-math.log(4))


def test_specific_logits_by_hand():
    real, fake = [2.0, -0.5, 1.0], [-1.0, 3.0]
    expected_v = (sum(math.log(sigmoid(r)) for r in real) / 3
                  + sum(math.log(1 - sigmoid(f)) for f in fake) / 2)
    real_t, fake_t = torch.tensor(real), torch.tensor(fake)
    assert value_function(real_t, fake_t).item() == pytest.approx(expected_v, rel=1e-6)
    assert d_loss(real_t, fake_t).item() == pytest.approx(-expected_v, rel=1e-6)
    assert g_loss_saturating(fake_t).item() == pytest.approx(
        sum(math.log(1 - sigmoid(f)) for f in fake) / 2, rel=1e-6)
    assert g_loss_nonsaturating(fake_t).item() == pytest.approx(
        -sum(math.log(sigmoid(f)) for f in fake) / 2, rel=1e-6)


def test_least_squares_cycle_and_identity_by_hand():
    real, fake = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 2.0])
    # 0.5 * mean((1-1)^2, (0-1)^2) + 0.5 * mean(0^2, 2^2) = 0.25 + 1
    assert d_loss_least_squares(real, fake).item() == pytest.approx(1.25)
    # 0.5 * mean((0-1)^2, (2-1)^2)
    assert g_loss_least_squares(fake).item() == pytest.approx(0.5)
    x, y = torch.tensor([[0.0, 1.0], [2.0, -1.0]]), torch.tensor([[0.5, 1.0], [0.0, 0.0]])
    assert cycle_loss(x, y).item() == pytest.approx((0.5 + 0 + 2 + 1) / 4)
    assert identity_loss(x, y).item() == pytest.approx((0.5 + 0 + 2 + 1) / 4)


# ----------------------------------------------------------------------------- torch references
@pytest.fixture
def logits():
    generator = torch.Generator().manual_seed(0)
    return 3 * torch.randn(64, generator=generator), 3 * torch.randn(48, generator=generator)


def test_against_binary_cross_entropy_with_logits(logits):
    real, fake = logits
    bce = F.binary_cross_entropy_with_logits
    expected_d = bce(real, torch.ones_like(real)) + bce(fake, torch.zeros_like(fake))
    torch.testing.assert_close(d_loss(real, fake), expected_d)
    torch.testing.assert_close(g_loss_nonsaturating(fake), bce(fake, torch.ones_like(fake)))
    torch.testing.assert_close(g_loss_saturating(fake), -bce(fake, torch.zeros_like(fake)))
    torch.testing.assert_close(value_function(real, fake), -expected_d)


def test_least_squares_against_mse_loss(logits):
    real, fake = logits
    expected = (0.5 * F.mse_loss(real, torch.ones_like(real))
                + 0.5 * F.mse_loss(fake, torch.zeros_like(fake)))
    torch.testing.assert_close(d_loss_least_squares(real, fake), expected)
    torch.testing.assert_close(g_loss_least_squares(fake),
                               0.5 * F.mse_loss(fake, torch.ones_like(fake)))


def test_patch_scores_of_any_shape():
    generator = torch.Generator().manual_seed(1)
    real, fake = torch.randn(4, 1, 3, 3, generator=generator), torch.randn(2, 1, 3, 3,
                                                                            generator=generator)
    expected = 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake ** 2).mean()
    torch.testing.assert_close(d_loss_least_squares(real, fake), expected)


def test_cycle_and_identity_against_l1_loss():
    generator = torch.Generator().manual_seed(2)
    a, b = torch.randn(3, 1, 8, 8, generator=generator), torch.randn(3, 1, 8, 8,
                                                                     generator=generator)
    torch.testing.assert_close(cycle_loss(a, b), F.l1_loss(b, a))
    torch.testing.assert_close(identity_loss(a, b), F.l1_loss(b, a))


# ----------------------------------------------------------------------------- stability
def test_extreme_logits_give_finite_values_and_gradients():
    real = torch.tensor([100.0, -100.0], requires_grad=True)
    fake = torch.tensor([-100.0, 100.0], requires_grad=True)
    losses = [d_loss(real, fake), value_function(real, fake), g_loss_saturating(fake),
              g_loss_nonsaturating(fake)]
    for loss in losses:
        assert torch.isfinite(loss)
        real.grad = fake.grad = None
        loss.backward()
        for grad in (real.grad, fake.grad):
            assert grad is None or torch.isfinite(grad).all()
    # D sure and right: loss ~0; D sure and wrong: loss ~ the logit's size
    assert d_loss(torch.tensor([100.0]), torch.tensor([-100.0])).item() == pytest.approx(0, abs=1e-6)
    assert d_loss(torch.tensor([-100.0]), torch.tensor([100.0])).item() == pytest.approx(200)
    assert g_loss_nonsaturating(torch.tensor([-100.0])).item() == pytest.approx(100)


@pytest.mark.parametrize("logit", [-6.0, -2.0, 0.0, 1.5, 4.0])
def test_analytic_gradients_wrt_the_logit(logit):
    d = sigmoid(logit)
    m = 5                                   # losses are means: the gradient per logit is 1/m
    fake = torch.full((m,), logit, requires_grad=True)
    g_loss_saturating(fake).backward()
    torch.testing.assert_close(fake.grad * m, torch.full((m,), -d))
    fake.grad = None
    g_loss_nonsaturating(fake).backward()
    torch.testing.assert_close(fake.grad * m, torch.full((m,), -(1 - d)))


def test_nonsaturating_gradient_is_larger_when_d_rejects_the_fakes():
    fake = torch.tensor([-6.0], requires_grad=True)            # D(G(z)) ~ 0.0025
    (saturating,) = torch.autograd.grad(g_loss_saturating(fake), fake)
    (nonsaturating,) = torch.autograd.grad(g_loss_nonsaturating(fake), fake)
    assert nonsaturating.abs().item() > 100 * saturating.abs().item()
    assert saturating.abs().item() < 0.01 and nonsaturating.abs().item() > 0.99


# ----------------------------------------------------------------------------- autocast
def test_bfloat16_autocast_gives_float32_close_to_float32():
    torch.manual_seed(0)
    layer = torch.nn.Linear(16, 1)
    x_real, x_fake = torch.randn(32, 16), torch.randn(32, 16)
    with torch.no_grad():
        real32, fake32 = layer(x_real).squeeze(1), layer(x_fake).squeeze(1)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            real16, fake16 = layer(x_real).squeeze(1), layer(x_fake).squeeze(1)
            assert real16.dtype == torch.bfloat16          # autocast is really on
            results = {
                "d": (d_loss(real16, fake16), d_loss(real32, fake32)),
                "g_ns": (g_loss_nonsaturating(fake16), g_loss_nonsaturating(fake32)),
                "g_sat": (g_loss_saturating(fake16), g_loss_saturating(fake32)),
                "d_ls": (d_loss_least_squares(real16, fake16),
                         d_loss_least_squares(real32, fake32)),
                "g_ls": (g_loss_least_squares(fake16), g_loss_least_squares(fake32)),
            }
    for name, (mixed, full) in results.items():
        assert mixed.dtype == torch.float32, name
        torch.testing.assert_close(mixed, full, rtol=2e-2, atol=2e-2, msg=name)


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize("call", [
    lambda: d_loss([0.0, 1.0], torch.zeros(2)),
    lambda: d_loss(torch.zeros(2), 0.5),
    lambda: g_loss_nonsaturating([0.1]),
    lambda: g_loss_saturating(None),
    lambda: d_loss_least_squares(torch.zeros(2), [1.0]),
    lambda: cycle_loss([1.0], torch.zeros(1)),
])
def test_non_tensor_inputs_are_a_type_error(call):
    with pytest.raises(TypeError, match=r"torch\.Tensor.*torch\.as_tensor"):
        call()


def test_integer_logits_are_a_type_error():
    with pytest.raises(TypeError, match="floating-point"):
        g_loss_nonsaturating(torch.tensor([1, 2]))


@pytest.mark.parametrize("loss", [cycle_loss, identity_loss])
def test_mismatched_shapes_are_a_value_error(loss):
    with pytest.raises(ValueError, match=r"\(2, 1, 4, 4\).*\(2, 1, 4, 5\).*must match"):
        loss(torch.zeros(2, 1, 4, 4), torch.zeros(2, 1, 4, 5))


def test_real_and_fake_batches_may_differ_in_size():
    assert torch.isfinite(d_loss(torch.zeros(8), torch.zeros(3)))


@pytest.mark.parametrize("loss", [d_loss, losses.value_function, d_loss_least_squares,
                                  losses.d_loss_hinge])
def test_per_sample_shapes_must_match_though_batch_sizes_may_differ(loss):
    # a scalar logit per real sample against a 5 x 7 map per fake sample is a bug
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(3, 5, 7\).*batch sizes.*may differ"):
        loss(torch.zeros(4, 1), torch.zeros(3, 5, 7))
    with pytest.raises(ValueError, match="same discriminator"):
        loss(torch.zeros(4, 1), torch.zeros(4))  # (4, 1) logits against (4,): one axis missing
    assert torch.isfinite(loss(torch.zeros(4, 1, 5, 5), torch.zeros(9, 1, 5, 5)))  # PatchGAN maps


def test_get_loss():
    assert get_loss("nonsaturating").g is g_loss_nonsaturating
    assert get_loss("saturating").g is g_loss_saturating
    assert get_loss("least_squares").d is d_loss_least_squares
    assert get_loss("hinge").g is losses.g_loss_hinge
    assert set(LOSSES) == {"nonsaturating", "saturating", "least_squares", "hinge"}
    with pytest.raises(ValueError, match=r"unknown loss 'wasserstein'.*least_squares"):
        get_loss("wasserstein")


def test_hinge_loss_has_a_margin():
    # D is pushed only on samples inside the margin: real logits below 1, fake logits above -1
    real = torch.tensor([2.0, 0.5], requires_grad=True)
    fake = torch.tensor([-3.0, 0.0], requires_grad=True)
    loss = losses.d_loss_hinge(real, fake)
    assert loss.item() == pytest.approx(0.5 / 2 + 1.0 / 2)
    loss.backward()
    assert real.grad.tolist() == [0.0, -0.5] and fake.grad.tolist() == [0.0, 0.5]
    assert losses.g_loss_hinge(torch.tensor([1.0, 3.0])).item() == -2.0
