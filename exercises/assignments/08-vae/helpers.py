"""The test helpers of assignment 08-vae: each function or class is copied whole into the cells
that list it (the read-only helpers cell, and again into every hidden part that needs it).
"""
from __future__ import annotations

import copy

import torch

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from solution import kl_divergence, negative_elbo, reparameterize


def _check_tensor(got, expected, what, mistakes=(), atol=1e-5, rtol=1e-5):
    """got: a tensor of expected's shape close to it (compared in float64); a known slip is named."""
    checks.restore()  # the learner's function just ran: trust nothing it may have replaced
    checks.assert_tensor(got, what)
    checks.assert_shape(got, tuple(expected.shape), what)
    value, expected = got.detach().double(), expected.detach().double()
    checks.assert_true(not bool(torch.isnan(value).any()), f"{what} contains nan.")
    for hint, wrong in mistakes:
        wrong = wrong.detach().double()
        far_from_answer = bool(((wrong - expected).abs() > 1e-3 * (1 + expected.abs())).any())
        if far_from_answer and bool(((value - wrong).abs() <= 1e-5 + 1e-4 * wrong.abs()).all()):
            checks.assert_true(False, f"{what}: {hint}")
    checks.assert_close(value, expected, what, atol=atol, rtol=rtol)


def _eps(shape, seed):
    """The noise a generator seeded with `seed` gives first: torch.randn(shape, generator=...)."""
    return torch.randn(shape, generator=checks.rng(seed))


def _kl(mu, logvar):
    """The tests' own KL(N(mu, diag exp(logvar)) || N(0, I)) per example, shape (N,)."""
    return 0.5 * (mu ** 2 + logvar.exp() - logvar - 1).sum(dim=1)


def _stub_vae(seed, image_size=8, latent_dim=3, recon_std=0.3):
    """A small ganlab VAE with fixed random weights drawn from checks.rng(seed)."""
    from ganlab.models import VAE as model  # the course's VAE, whatever a cell bound to the name VAE
    vae = model(image_size=image_size, channels=1, latent_dim=latent_dim, hidden=4, recon_std=recon_std)
    gen = checks.rng(seed)
    with torch.no_grad():
        for p in vae.parameters():
            p.copy_(0.3 * torch.randn(p.shape, generator=gen))
    return vae


def _images(n, image_size, seed):
    """n images (n, 1, S, S) in [-1, 1]."""
    return 2 * torch.rand(n, 1, image_size, image_size, generator=checks.rng(seed)) - 1


def _check_reparameterize(mu, logvar, seed, what, course=None):
    mu, logvar = mu.clone().requires_grad_(), logvar.clone().requires_grad_()
    z = reparameterize(mu, logvar, checks.rng(seed))
    checks.restore()
    checks.assert_tensor(z, f"z ({what})")
    checks.assert_shape(z, tuple(mu.shape), f"z ({what}): the shape of mu")
    eps = _eps(tuple(mu.shape), seed)
    m, lv = mu.detach(), logvar.detach()
    want = m + torch.exp(0.5 * lv) * eps
    if course is not None:
        checks.assert_true(bool(torch.allclose(course(m, lv, checks.rng(seed)), want, rtol=1e-6, atol=1e-6)),
                           "ganlab.models.VAE.reparameterize disagrees with the tests' own: was ganlab modified?")
    checks.assert_true(z.requires_grad, f"z ({what}) carries no gradient: the reparameterisation trick exists so that "
                       "gradients reach mu and logvar. No torch.normal(mu, std), no .detach(), no torch.no_grad().")
    z.sum().backward()
    checks.assert_true(mu.grad is not None and bool((mu.grad.abs() > 0).all()),
                       f"no gradient reached mu ({what}): z = mu + sigma * eps must be computed from mu itself "
                       "(torch.normal(mu, std) and mu.detach() cut the graph)")
    again = reparameterize(m.clone(), lv.clone(), checks.rng(seed))
    checks.restore()
    checks.assert_tensor(again, f"z ({what}, drawn again)")
    checks.assert_true(bool(torch.equal(again.detach(), z.detach())),
                       f"two calls with generators seeded alike gave different z ({what}): draw eps from `rng`, "
                       "eps = torch.randn(mu.shape, generator=rng), so that a run can be repeated")
    _check_tensor(z, want, f"z ({what})", [
        ("That is mu + exp(logvar) * eps, the *variance* times eps; the standard deviation is "
         "sigma = exp(0.5 * logvar).", m + torch.exp(lv) * eps),
        ("That is mu + logvar * eps: logvar is log(sigma^2); sigma = exp(0.5 * logvar).", m + lv * eps),
        ("That is mu + 0.5 * exp(logvar) * eps; sigma = exp(0.5 * logvar) (exponent 0.5, not factor 0.5).",
         m + 0.5 * torch.exp(lv) * eps),
    ])
    _check_tensor(mu.grad, torch.ones_like(m), f"dz/dmu ({what}), which should be 1")
    _check_tensor(logvar.grad, 0.5 * torch.exp(0.5 * lv) * eps, f"dz/dlogvar ({what}), which should be 0.5 * sigma * eps", [
        ("That is the gradient of mu + exp(logvar) * eps; sigma = exp(0.5 * logvar).", torch.exp(lv) * eps)])


def _check_unseeded(mu, logvar, what):
    z1, z2 = reparameterize(mu.clone(), logvar.clone()), reparameterize(mu.clone(), logvar.clone())
    checks.restore()
    checks.assert_tensor(z1, f"reparameterize(mu, logvar) without a generator ({what})")
    checks.assert_shape(z1, tuple(mu.shape), f"reparameterize(mu, logvar) without a generator ({what})")
    checks.assert_tensor(z2, f"reparameterize(mu, logvar) without a generator ({what})")
    checks.assert_true(not bool(torch.equal(z1, z2)), f"two calls without a generator gave the same z ({what}): "
                       "eps must be random, torch.randn_like(mu)")


def _check_kl(mu, logvar, what):
    mu, logvar = mu.clone().requires_grad_(), logvar.clone().requires_grad_()
    kl = kl_divergence(mu, logvar)
    checks.restore()
    checks.assert_tensor(kl, f"kl_divergence ({what})")
    n, d = mu.shape
    if tuple(kl.shape) == ():
        checks.assert_true(False, f"kl_divergence ({what}) returned one number; return one KL per example, "
                           f"shape ({n},): sum over the latent dimensions only (.sum(dim=1)).")
    m, lv = mu.detach().double(), logvar.detach().double()
    want = _kl(m, lv)
    _check_tensor(kl, want, f"kl_divergence ({what})", [
        ("That is -KL: the KL divergence is never negative, 0.5 * sum(mu^2 + sigma^2 - log sigma^2 - 1).", -want),
        ("That misses the -1 in each term: without it the KL of the prior itself would be 0.5 d, not 0.", want + 0.5 * d),
        ("That uses sigma = exp(0.5 * logvar) where the variance sigma^2 = exp(logvar) belongs.",
         0.5 * (m ** 2 + (0.5 * lv).exp() - lv - 1).sum(dim=1)),
        ("That uses log sigma = 0.5 * logvar where log sigma^2 = logvar belongs.",
         0.5 * (m ** 2 + lv.exp() - 0.5 * lv - 1).sum(dim=1)),
        ("That is a mean over the latent dimensions; the KL of independent dimensions is their sum.", want / d),
        ("That misses the factor 1/2.", 2 * want),
    ])
    kl.sum().backward()
    _check_tensor(mu.grad, m, f"d kl_divergence / d mu ({what}), which should be mu", atol=1e-5, rtol=1e-5)
    _check_tensor(logvar.grad, 0.5 * (lv.exp() - 1), f"d kl_divergence / d logvar ({what}), which should be "
                  "0.5 * (sigma^2 - 1)", [
        ("That is the gradient of a KL that uses sigma = exp(0.5 * logvar) where the variance sigma^2 = exp(logvar) "
         "belongs.", 0.5 * (0.5 * (0.5 * lv).exp() - 1)),
        ("That is the gradient of a KL that uses log sigma = 0.5 * logvar where log sigma^2 = logvar belongs.",
         0.5 * (lv.exp() - 0.5))], atol=1e-5, rtol=1e-5)


def _scalar(got, expected, what, mistakes=()):
    """A 0-dim tensor close to the float expected; a known slip (a float) is named."""
    checks.restore()
    checks.assert_tensor(got, what)
    checks.assert_shape(got, (), what + " (averaged over the batch: a 0-dim tensor)")
    value = float(got.detach().double())
    for hint, wrong in mistakes:
        if abs(wrong - expected) > 1e-3 * (1 + abs(expected)) and abs(value - wrong) <= 1e-4 * (1 + abs(wrong)):
            checks.assert_true(False, f"{what}: expected {expected:.6g}, got {value:.6g}. {hint}")
    checks.assert_scalar_close(value, expected, what, atol=1e-5, rtol=1e-5)


def _check_elbo(vae, x, seed, what, course=None):
    reference = copy.deepcopy(vae)
    result = negative_elbo(vae, x.clone(), checks.rng(seed))
    checks.restore()
    checks.assert_true(type(result) is tuple and len(result) == 3,
                       f"negative_elbo must return a tuple (loss, reconstruction, kl), got {type(result).__name__}")
    loss, reconstruction, kl = result
    # the tests' own loss, on a copy of the model, with the same noise
    mu, logvar = reference.encode(x)
    eps = _eps(tuple(mu.shape), seed)
    recon = reference.decode(mu + torch.exp(0.5 * logvar) * eps)
    s = reference.recon_std
    squared = ((x - recon) ** 2).flatten(1).sum(dim=1)
    want_rec, want_kl = (squared / (2 * s ** 2)).mean(), _kl(mu, logvar).mean()
    want = want_rec + want_kl
    n, pixels = len(x), x[0].numel()
    if course is not None:
        checks.assert_true(abs(float(course.loss) - float(want)) <= 1e-5 * (1 + abs(float(want)))
                           and abs(float(course.reconstruction) - float(want_rec)) <= 1e-5 * (1 + abs(float(want_rec))),
                           "ganlab.models.VAE.loss disagrees with the tests' own: was ganlab modified?")
    with torch.no_grad():
        from_mu = ((x - reference.decode(mu)) ** 2).flatten(1).sum(dim=1).mean() / (2 * s ** 2)
    r, k = float(want_rec), float(want_kl)
    _scalar(kl, k, f"the KL part ({what})", [
        ("That is the KL summed over the batch; average it over the batch (.mean()).", k * n)])
    _scalar(reconstruction, r, f"the reconstruction part ({what}, s = {s})", [
        ("That is summed over the batch; average it over the batch (.mean()).", r * n),
        ("That is a mean over the pixels (as F.mse_loss gives); sum the squared error over each image's pixels, "
         "then average over the batch.", r / pixels),
        ("That is the squared error without its weight 1/(2 s^2), s = vae.recon_std.", r * 2 * s ** 2),
        ("That is the squared error over 2 s^2 without the 2, over s^2.", 2 * r),
        ("That divides by 2 s, the standard deviation, where the variance s^2 belongs: 1/(2 s^2).", r * s),
        ("That decodes mu; the ELBO's reconstruction term decodes the sampled z = mu + sigma * eps "
         "(reparameterize(mu, logvar, rng)).", float(from_mu)),
    ])
    _scalar(loss, float(want), f"the loss ({what})", [
        ("That is reconstruction - KL: the negative ELBO *adds* the KL term.", r - k),
        ("That is the ELBO itself; minimise its negative, reconstruction + KL.", -(r + k))])
    checks.assert_true(loss.requires_grad, f"the loss ({what}) carries no gradient: keep the autograd graph (no .item(), "
                       "no .detach(), no torch.no_grad())")
    loss.backward()
    grads = torch.autograd.grad(want, list(reference.parameters()))
    for (name, p), g in zip(vae.named_parameters(), grads):
        checks.assert_true(p.grad is not None, f"the VAE's {name} received no gradient from the loss ({what})")
        checks.assert_close(p.grad, g, f"the gradient of the VAE's {name} ({what})", atol=1e-5, rtol=1e-4)
