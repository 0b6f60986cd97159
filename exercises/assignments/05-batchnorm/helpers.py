"""The test helpers of assignment 05-batchnorm: each function or class is copied whole into the cells
that list it (the read-only helpers cell, and again into every hidden part that needs it).
"""
from __future__ import annotations

import torch
from torch import nn

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from solution import BatchNorm, batch_statistics, normalize


def _expected_statistics(x):
    """The tests' own mean and biased variance per channel, in float64."""
    per_channel = x.double().transpose(0, 1).reshape(x.shape[1], -1)
    mean = per_channel.mean(dim=1)
    return mean, ((per_channel - mean[:, None]) ** 2).mean(dim=1)


def _check_statistics(x, what):
    result = batch_statistics(x.clone())
    checks.assert_true(type(result) is tuple and len(result) == 2,
                       f"batch_statistics must return a tuple (mean, var), got {type(result).__name__}")
    mean, var = result
    c = x.shape[1]
    checks.assert_shape(mean, (c,), f"the mean for {what}: one value per channel (reduce every axis except axis 1)")
    checks.assert_shape(var, (c,), f"the variance for {what}: one value per channel")
    want_mean, want_var = _expected_statistics(x)
    checks.assert_close(mean.double(), want_mean, atol=1e-5, rtol=1e-5, what=f"the per-channel mean for {what}")
    checks.assert_close(var.double(), want_var, atol=1e-5, rtol=1e-4,
                        what=f"the per-channel variance for {what} (biased: divide by m, not m - 1)")


def _check_normalize(x, mean, var, gamma, beta, eps, what):
    view = [1, x.shape[1]] + [1] * (x.dim() - 2)
    want = (gamma.double().view(view) * (x.double() - mean.double().view(view))
            / torch.sqrt(var.double().view(view) + eps) + beta.double().view(view))
    y = normalize(x.clone(), mean.clone(), var.clone(), gamma.clone(), beta.clone(), eps)
    checks.assert_tensor(y, f"normalize(...) for {what}")
    checks.assert_shape(y, tuple(x.shape), f"normalize(...) for {what}: the output has the shape of x")
    checks.assert_close(y.double(), want, atol=1e-5, rtol=1e-4,
                        what=f"gamma * (x - mean) / sqrt(var + eps) + beta for {what} (eps inside the square root)")


def _torch_batchnorm(num_features, dim, eps, momentum, gamma, beta):
    """torch.nn.BatchNorm1d (dim 2) or BatchNorm2d (dim 4) with the given gamma and beta."""
    layer = (nn.BatchNorm1d if dim == 2 else nn.BatchNorm2d)(num_features, eps=eps, momentum=momentum)
    with torch.no_grad():
        layer.weight.copy_(gamma)
        layer.bias.copy_(beta)
    return layer


def _make_pair(num_features, dim, eps, momentum, gen):
    """Your BatchNorm and torch's, with the same random gamma and beta."""
    gamma = 1 + 0.5 * torch.randn(num_features, generator=gen)
    beta = 0.5 * torch.randn(num_features, generator=gen)
    ours = BatchNorm(num_features, eps=eps, momentum=momentum)
    checks.assert_true(isinstance(ours, nn.Module), "BatchNorm must be an nn.Module")
    with torch.no_grad():
        ours.weight.copy_(gamma)
        ours.bias.copy_(beta)
    return ours, _torch_batchnorm(num_features, dim, eps, momentum, gamma, beta)


def _batch(shape, gen):
    """Inputs whose channels have means and spreads far from 0 and 1."""
    c = shape[1]
    view = [1, c] + [1] * (len(shape) - 2)
    return (torch.randn(shape, generator=gen) * (0.5 + 2 * torch.rand(c, generator=gen)).view(view)
            + (4 * torch.rand(c, generator=gen) - 2).view(view))


def _check_training(shape, eps, momentum, steps, seed, what):
    gen = checks.rng(seed)
    ours, reference = _make_pair(shape[1], len(shape), eps, momentum, gen)
    ours.train()
    for step in range(1, steps + 1):
        x = _batch(shape, gen)
        x_ours, x_ref = x.clone().requires_grad_(), x.clone().requires_grad_()
        y_ours, y_ref = ours(x_ours), reference(x_ref)
        where = f"{what}, training step {step}"
        checks.assert_tensor(y_ours, f"BatchNorm output ({where})")
        checks.assert_close(y_ours, y_ref.detach(), atol=1e-4, rtol=1e-4,
                            what=f"the output in training mode ({where}): normalise with the batch mean and the biased variance")
        for name in ("running_mean", "running_var"):
            value = getattr(ours, name)
            checks.assert_tensor(value, f"{name} ({where})")
            checks.assert_true(value.grad_fn is None and not value.requires_grad,
                               f"{name} is part of the autograd graph ({where}): update it with detached values")
        checks.assert_close(ours.running_mean, reference.running_mean, atol=1e-5, rtol=1e-4,
                            what=f"running_mean ({where}): (1 - momentum) * running_mean + momentum * batch mean")
        checks.assert_close(ours.running_var, reference.running_var, atol=1e-5, rtol=1e-4,
                            what=f"running_var ({where}): (1 - momentum) * running_var + momentum * m / (m - 1) * batch variance")
        weights = torch.randn(shape, generator=gen)  # a loss that weighs every output differently
        (y_ours * weights).sum().backward()
        (y_ref * weights).sum().backward()
        checks.assert_true(ours.weight.grad is not None and ours.bias.grad is not None,
                           f"no gradient reached gamma (weight) and beta (bias) ({where})")
        checks.assert_close(ours.weight.grad, reference.weight.grad, atol=1e-3, rtol=1e-4, what=f"the gradient of gamma ({where})")
        checks.assert_close(ours.bias.grad, reference.bias.grad, atol=1e-3, rtol=1e-4, what=f"the gradient of beta ({where})")
        checks.assert_close(x_ours.grad, x_ref.grad, atol=1e-4, rtol=1e-3,
                            what=f"the gradient with respect to the input ({where}): do not detach the batch statistics themselves")
        ours.zero_grad()
        reference.zero_grad()


def _check_evaluation(shape, eps, seed, what):
    gen = checks.rng(seed)
    ours, reference = _make_pair(shape[1], len(shape), eps, 0.1, gen)
    running_mean = 3 * torch.randn(shape[1], generator=gen)
    running_var = 0.2 + 3 * torch.rand(shape[1], generator=gen)
    with torch.no_grad():
        for layer in (ours, reference):
            layer.running_mean.copy_(running_mean)
            layer.running_var.copy_(running_var)
    ours.eval()
    reference.eval()
    x = _batch(shape, gen)  # its statistics differ from the running ones
    y = ours(x.clone())
    checks.assert_tensor(y, f"BatchNorm output in evaluation mode ({what})")
    checks.assert_close(y, reference(x).detach(), atol=1e-4, rtol=1e-4,
                        what=f"the output in evaluation mode ({what}): normalise with running_mean and running_var, "
                             "not with the statistics of the batch")
    checks.assert_close(ours.running_mean, running_mean, atol=0.0, rtol=0.0,
                        what=f"running_mean after a forward pass in evaluation mode ({what}): it must not change")
    checks.assert_close(ours.running_var, running_var, atol=0.0, rtol=0.0,
                        what=f"running_var after a forward pass in evaluation mode ({what}): it must not change")
    one = ours(x[:1].clone())
    checks.assert_close(one, y[:1].detach(), atol=1e-5, rtol=1e-5,
                        what=f"the first image alone against the same image inside its batch ({what}): in evaluation "
                             "mode an output must not depend on the rest of the batch")
