"""The test code of assignment 08-vae: the body of each function (after its docstring) is
copied into the test cells that list it; the functions are never called from here.
"""
from __future__ import annotations

import copy
import math

import torch

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from helpers import _check_elbo, _check_kl, _check_reparameterize, _check_unseeded, _images, _kl, _stub_vae


def visible_reparameterize():
    """The visible tests of test_reparameterize (assignment 08-vae)."""
    _mu, _logvar = torch.tensor([[0.5, -1.0]]), torch.tensor([[0.0, 0.7]])
    _check_reparameterize(_mu, _logvar, 0, "mu [[0.5, -1]], logvar [[0, 0.7]]")
    _gen = checks.rng(1)
    _check_reparameterize(torch.randn(4, 3, generator=_gen), torch.randn(4, 3, generator=_gen), 2, "a batch of 4 codes of size 3")
    _check_unseeded(torch.zeros(2, 3), torch.zeros(2, 3), "mu = 0, logvar = 0")


def hidden_reparameterize():
    """The hidden tests of test_reparameterize (assignment 08-vae)."""
    from ganlab.models import VAE as _VAE
    _gen = checks.rng(8101)
    for _n, _d, _seed in [(5, 2, 8102), (16, 8, 8103), (1, 6, 8104)]:
        _mu = 2 * torch.randn(_n, _d, generator=_gen)
        _logvar = 3 * torch.rand(_n, _d, generator=_gen) - 2  # sigma from 0.37 to 1.65
        _check_reparameterize(_mu, _logvar, _seed, f"a batch of {_n} codes of size {_d}", _VAE.reparameterize)
    _check_unseeded(torch.randn(6, 4, generator=_gen), torch.randn(6, 4, generator=_gen), "6 random codes")


def visible_kl_divergence():
    """The visible tests of test_kl_divergence (assignment 08-vae)."""
    _check_kl(torch.zeros(3, 4), torch.zeros(3, 4), "at the prior, mu = 0 and logvar = 0: expected [0, 0, 0]")
    _check_kl(torch.tensor([[1.0, 0.0], [0.0, 2.0]]), torch.tensor([[0.0, math.log(4.0)], [0.0, 0.0]]),
              "mu [[1, 0], [0, 2]], sigma^2 [[1, 4], [1, 1]]: 0.5 * [1 + (4 - log 4 - 1), 4]")


def hidden_kl_divergence():
    """The hidden tests of test_kl_divergence (assignment 08-vae)."""
    from ganlab.models import VAE as _VAE
    _gen = checks.rng(8201)
    for _n, _d, _dtype in [(5, 2, torch.float32), (12, 8, torch.float32), (3, 5, torch.float64)]:
        _mu = 1.5 * torch.randn(_n, _d, generator=_gen, dtype=_dtype)
        _logvar = 4 * torch.rand(_n, _d, generator=_gen, dtype=_dtype) - 2.5
        _check_kl(_mu, _logvar, f"{_n} random {_dtype} codes of size {_d}")
    # The KL part of ganlab's VAE.loss is the batch mean of the same per-example KL.
    _vae = _stub_vae(8202)
    _x = _images(6, 8, 8203)
    with torch.no_grad():
        _mu, _logvar = _vae.encode(_x)
        _course = _VAE.loss(_vae, _x, checks.rng(8204)).kl
        checks.assert_true(abs(float(_course) - float(_kl(_mu.double(), _logvar.double()).mean())) < 1e-5,
                           "ganlab.models.VAE.loss disagrees with the tests' own KL: was ganlab modified?")
    _check_kl(_mu, _logvar, "the encoder's mu and logvar for 6 images (compared with the KL of ganlab.models.VAE.loss)")


def visible_negative_elbo():
    """The visible tests of test_negative_elbo (assignment 08-vae)."""
    _check_elbo(_stub_vae(3), _images(4, 8, 4), 5, "a VAE on 8x8 images, a batch of 4")


def hidden_negative_elbo():
    """The hidden tests of test_negative_elbo (assignment 08-vae)."""
    from ganlab.models import VAE as _VAE
    for _seed, _size, _latent, _s, _n in [(8301, 8, 3, 0.4, 5), (8302, 12, 4, 0.3, 3), (8303, 8, 2, 0.6, 7)]:
        _vae = _stub_vae(_seed, image_size=_size, latent_dim=_latent, recon_std=_s)
        _x = _images(_n, _size, _seed + 10)
        with torch.no_grad():
            _course = _VAE.loss(copy.deepcopy(_vae), _x, checks.rng(_seed + 20))
        _check_elbo(_vae, _x, _seed + 20, f"a VAE on {_size}x{_size} images, latent size {_latent}, s = {_s}, "
                    f"a batch of {_n}", _course)
