"""The test helpers of assignment 06-cyclegan: each function or class is copied whole into the cells
that list it (the read-only helpers cell, and again into every hidden part that needs it).
"""
from __future__ import annotations

import copy

import torch
from torch import nn

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from solution import d_loss_least_squares, discriminator_loss, g_loss_least_squares, generator_objective
    from shared import _name_the_slip


def _images(shape, gen):
    """Images in [-1, 1], as the generators produce them."""
    return 2 * torch.rand(shape, generator=gen) - 1


def _check_scalar(got, expected, what, mistakes=(), atol=1e-6, rtol=1e-5):
    """got: a 0-dim tensor close to the float expected; if it equals a known slip, say which."""
    checks.restore()  # the learner's function just ran: trust nothing it may have replaced
    checks.assert_tensor(got, what)
    checks.assert_shape(got, (), what + ": a mean, a 0-dim tensor")
    _name_the_slip(float(got), expected, what, mistakes)
    checks.assert_close(got.detach().double(), torch.tensor(expected, dtype=torch.float64), what, atol=atol, rtol=rtol)


def _check_l1(function, label, a, b, what):
    """function(a, b) must be the mean absolute difference, a 0-dim tensor with gradients."""
    b = b.clone().requires_grad_()
    value = function(a.clone(), b)
    diff = b.detach().double() - a.double()
    slips = [("That is the mean squared error (L2); CycleGAN uses the mean absolute error (L1).", float((diff ** 2).mean())),
             ("That is a sum; take the mean over every value (.mean()).", float(diff.abs().sum())),
             ("That is the mean difference without the absolute value: errors of opposite signs cancel.", float(diff.mean())),
             ("That is the mean difference without the absolute value: errors of opposite signs cancel.", float(-diff.mean()))]
    _check_scalar(value, float(diff.abs().mean()), f"{label} on {what}", slips)
    checks.assert_true(value.requires_grad, f"{label} must keep the autograd graph (no .item(), no .detach())")
    value.backward()
    checks.assert_close(b.grad.double(), torch.sign(diff) / b.numel(), atol=1e-9, rtol=1e-6,
                        what=f"the gradient of {label} with respect to its second argument ({what}): sign(difference) / n")


def _check_d_loss(real, fake, what):
    value = d_loss_least_squares(real.clone(), fake.clone())
    r, f = real.double(), fake.double()
    slips = [("That is without LSGAN's factors 1/2.", float(((r - 1) ** 2).mean() + (f ** 2).mean())),
             ("That pushes the real scores towards 0: their target is 1.", float(0.5 * (r ** 2).mean() + 0.5 * (f ** 2).mean())),
             ("That pushes the fake scores towards 1: their target is 0.", float(0.5 * ((r - 1) ** 2).mean() + 0.5 * ((f - 1) ** 2).mean())),
             ("That has the targets swapped: real scores go to 1, fake ones to 0.", float(0.5 * (r ** 2).mean() + 0.5 * ((f - 1) ** 2).mean())),
             ("That applies a sigmoid: least-squares losses use the raw scores.",
              float(0.5 * ((torch.sigmoid(r) - 1) ** 2).mean() + 0.5 * (torch.sigmoid(f) ** 2).mean()))]
    _check_scalar(value, float(0.5 * ((r - 1) ** 2).mean() + 0.5 * (f ** 2).mean()),
                  f"d_loss_least_squares for {what} (real -> 1, fake -> 0, each term a mean times 1/2)", slips)


def _check_g_loss(fake, what):
    value = g_loss_least_squares(fake.clone())
    f = fake.double()
    slips = [("That is without LSGAN's factor 1/2.", float(((f - 1) ** 2).mean())),
             ("That pushes the fakes' scores towards 0: the generator wants them judged real, target 1.", float(0.5 * (f ** 2).mean())),
             ("That applies a sigmoid: least-squares losses use the raw scores.", float(0.5 * ((torch.sigmoid(f) - 1) ** 2).mean()))]
    _check_scalar(value, float(0.5 * ((f - 1) ** 2).mean()), f"g_loss_least_squares for {what} (0.5 * mean((D(fake) - 1)^2))", slips)


def _stub_generator(channels, gen):
    """A 3x3 convolution and a tanh with fixed random weights: images -> images."""
    net = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.Tanh())
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(0.5 * torch.randn(p.shape, generator=gen))
    return net


def _stub_discriminator(channels, gen):
    """A PatchGAN in miniature: one strided 4x4 convolution, a score per patch (N, 1, H/2, W/2)."""
    net = nn.Conv2d(channels, 1, 4, 2, 1)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(0.5 * torch.randn(p.shape, generator=gen))
    return net


def _ls(scores, target):
    return ((scores.double() - target) ** 2).mean()


def _check_discriminator_loss(shape, seed, what):
    gen = checks.rng(seed)
    generator, discriminator = _stub_generator(shape[1], gen), _stub_discriminator(shape[1], gen)
    reference = copy.deepcopy(discriminator)
    real, source = _images(shape, gen), _images(shape, gen)
    fake = generator(source)  # attached to the generator's graph, as in training
    value = discriminator_loss(discriminator, real.clone(), fake)
    checks.assert_tensor(value, f"discriminator_loss ({what})")
    checks.assert_shape(value, (), f"discriminator_loss ({what})")
    want = 0.5 * _ls(reference(real), 1.0) + 0.5 * _ls(reference(fake.detach()), 0.0)
    checks.assert_close(value.double().detach(), want.detach(), atol=1e-6, rtol=1e-5,
                        what=f"discriminator_loss ({what}): d_loss_least_squares(D(real), D(fake))")
    value.backward()
    for name, p in generator.named_parameters():
        checks.assert_true(p.grad is None or not bool(p.grad.abs().sum() > 0),
                           f"the generator's {name} received a gradient from the discriminator's loss ({what}): "
                           "score fake.detach(), not fake")
    grads = torch.autograd.grad(want, list(reference.parameters()))
    for (name, p), g in zip(discriminator.named_parameters(), grads):
        checks.assert_true(p.grad is not None, f"the discriminator's {name} received no gradient ({what})")
        checks.assert_close(p.grad.double(), g, atol=1e-6, rtol=1e-4, what=f"the gradient of the discriminator's {name} ({what})")


def _l1(x, y):
    return (x.double() - y.double()).abs().mean()


def _check_objective(shape, seed, weights, what):
    gen = checks.rng(seed)
    c = shape[1]
    g_ab, g_ba = _stub_generator(c, gen), _stub_generator(c, gen)
    d_a, d_b = _stub_discriminator(c, gen), _stub_discriminator(c, gen)
    real_a, real_b = _images(shape, gen), _images(shape, gen) * 0.5 + 0.3
    lam, lam_id = weights if weights is not None else (10.0, 0.5)
    # the tests' own objective, on copies
    r_ab, r_ba, r_da, r_db = (copy.deepcopy(m) for m in (g_ab, g_ba, d_a, d_b))
    fb, fa = r_ab(real_a), r_ba(real_b)
    adv = _ls(r_db(fb), 1.0) + _ls(r_da(fa), 1.0)
    cyc = _l1(r_ba(fb), real_a) + _l1(r_ab(fa), real_b)
    idt = _l1(r_ab(real_b), real_b) + _l1(r_ba(real_a), real_a)
    total = adv + lam * cyc + lam * lam_id * idt
    with torch.no_grad():  # two classic slips, for the messages
        swapped_judges = float(_ls(r_da(fb), 1.0) + _ls(r_db(fa), 1.0))
        wrong_domain = float(_l1(r_ab(real_a), real_a) + _l1(r_ba(real_b), real_b))
    if weights is None:
        result = generator_objective(g_ab, g_ba, d_a, d_b, real_a.clone(), real_b.clone())
    else:
        result = generator_objective(g_ab, g_ba, d_a, d_b, real_a.clone(), real_b.clone(),
                                     lambda_cycle=lam, lambda_identity=lam_id)
    checks.assert_true(type(result) is tuple and len(result) == 4,
                       f"generator_objective must return a tuple (total, adversarial, cycle, identity), got {type(result).__name__}")
    for name, value in zip(("total", "adversarial", "cycle", "identity"), result):
        checks.assert_tensor(value, f"the {name} part of generator_objective ({what})")
        checks.assert_shape(value, (), f"the {name} part of generator_objective ({what})")
    mine_total, mine_adv, mine_cyc, mine_idt = result
    adv_value, cyc_value, idt_value = float(adv), float(cyc), float(idt)
    _check_scalar(mine_adv, adv_value, f"the adversarial part ({what}): mean((D_B(G(a)) - 1)^2) + mean((D_A(F(b)) - 1)^2)",
                  [("Each adversarial term is the plain mean squared error, twice g_loss_least_squares.", adv_value / 2),
                   ("G makes images of B, so D_B judges G(a) (and D_A judges F(b)).", swapped_judges)])
    _check_scalar(mine_cyc, cyc_value, f"the cycle part ({what}): |F(G(a)) - a| + |G(F(b)) - b|, unweighted")
    _check_scalar(mine_idt, idt_value, f"the identity part ({what}): |G(b) - b| + |F(a) - a|, unweighted",
                  [("The identity term feeds each generator an image of its OUTPUT domain: G(b) and F(a).", wrong_domain)])
    slips = [("The cycle term is missing its weight lambda.", adv_value + cyc_value + lam * lam_id * idt_value),
             ("The identity term's weight is lambda * lambda_identity, not lambda_identity alone.",
              adv_value + lam * cyc_value + lam_id * idt_value),
             ("The identity term is missing.", adv_value + lam * cyc_value)]
    _check_scalar(mine_total, float(total), f"the total ({what}, lambda = {lam}, lambda_identity = {lam_id}): "
                  "adversarial + lambda * cycle + lambda * lambda_identity * identity", slips, atol=1e-5)
    checks.assert_true(mine_total.requires_grad, f"the total must keep the autograd graph ({what})")
    mine_total.backward()
    want = torch.autograd.grad(total, list(r_ab.parameters()) + list(r_ba.parameters()))
    mine = list(g_ab.parameters()) + list(g_ba.parameters())
    names = [f"g_ab.{n}" for n, _ in g_ab.named_parameters()] + [f"g_ba.{n}" for n, _ in g_ba.named_parameters()]
    for name, p, g in zip(names, mine, want):
        checks.assert_true(p.grad is not None, f"{name} received no gradient from the total ({what}): nothing may be detached here")
        checks.assert_close(p.grad.double(), g, atol=1e-5, rtol=1e-4, what=f"the gradient of {name} ({what}): the adversarial terms must reach the generators "
                                 "through the discriminators' scores, so detach nothing here")
