"""The test code of assignment 04-dcgan: the body of each function (after its docstring) is
copied into the test cells that list it; the functions are never called from here.
"""
from __future__ import annotations

import torch
from torch import nn

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from solution import Discriminator, Generator, dcgan_init_
    from helpers import _check_discriminator_guidelines, _check_generator_guidelines, _check_logits, _check_normal, _filled


def visible_init():
    """The visible tests of test_init (assignment 04-dcgan)."""
    torch.manual_seed(4)
    _net = _filled(nn.Sequential(nn.Conv2d(16, 64, 4, bias=True), nn.BatchNorm2d(512),
                                 nn.Sequential(nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False)), nn.Linear(100, 512)), 3.0)
    _out = dcgan_init_(_net)
    checks.assert_true(_out is _net, "dcgan_init_ should return the module it was given (changed in place)")
    _check_normal(_net[0].weight, 0.0, "the Conv2d weights")
    checks.assert_true(bool((_net[0].bias == 0).all()), "the Conv2d bias must be set to 0")
    _check_normal(_net[1].weight, 1.0, "the BatchNorm2d scales gamma (drawn around 1, not 0)")
    checks.assert_true(bool((_net[1].bias == 0).all()), "the BatchNorm2d shifts beta (its .bias) must be set to 0")
    _check_normal(_net[2][0].weight, 0.0, "the ConvTranspose2d weights inside a nested nn.Sequential")
    _check_normal(_net[3].weight, 0.0, "the nn.Linear weights (initialised like the convolutions)")
    checks.assert_true(bool((_net[3].bias == 0).all()), "the nn.Linear bias must be set to 0")


def hidden_init():
    """The hidden tests of test_init (assignment 04-dcgan)."""
    torch.manual_seed(404)
    class _Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.up = nn.ConvTranspose2d(256, 128, 4, 2, 1, bias=True)
            self.norm = nn.BatchNorm2d(4096)
            self.inner = nn.Sequential(nn.Conv2d(128, 256, 4, 2, 1, bias=True), nn.LeakyReLU(0.2), nn.BatchNorm1d(2048))
            self.project = nn.Linear(64, 4096, bias=True)
    _big = _filled(_Block(), -2.5)
    dcgan_init_(_big)
    _check_normal(_big.up.weight, 0.0, "a ConvTranspose2d(256, 128, 4) weight")
    _check_normal(_big.inner[0].weight, 0.0, "a Conv2d(128, 256, 4) weight inside a nested block")
    _check_normal(_big.norm.weight, 1.0, "the scales of a BatchNorm2d(4096)")
    _check_normal(_big.inner[2].weight, 1.0, "the scales of a BatchNorm1d(2048)")
    _check_normal(_big.project.weight, 0.0, "an nn.Linear(64, 4096) weight")
    for _name, _bias in [("ConvTranspose2d", _big.up.bias), ("Conv2d", _big.inner[0].bias), ("Linear", _big.project.bias),
                         ("BatchNorm2d", _big.norm.bias), ("BatchNorm1d", _big.inner[2].bias)]:
        checks.assert_true(bool((_bias == 0).all()), f"the {_name} bias must be set to 0")
    # Two calls draw different weights: the draw is random, not a fixed pattern.
    _a = dcgan_init_(_filled(nn.Conv2d(8, 8, 3), 1.0)).weight.detach().clone()
    _b = dcgan_init_(_filled(nn.Conv2d(8, 8, 3), 1.0)).weight.detach().clone()
    checks.assert_true(not torch.equal(_a, _b), "two calls gave identical weights: draw them at random (nn.init.normal_)")


def visible_generator_shapes():
    """The visible tests of test_generator_shapes (assignment 04-dcgan)."""
    _G = Generator(latent_dim=100, image_size=16, width=32)
    checks.assert_true(isinstance(_G, nn.Module), "Generator must be an nn.Module")
    _img = _G(torch.randn(5, 100, generator=checks.rng(0)))
    checks.assert_tensor(_img, "Generator(latent_dim=100, image_size=16)(z)")
    checks.assert_shape(_img, (5, 1, 16, 16), "G(z) for z of shape (5, 100), image_size=16")
    _img = Generator(latent_dim=100, image_size=32, width=32)(torch.randn(3, 100, generator=checks.rng(1)))
    checks.assert_shape(_img, (3, 1, 32, 32), "G(z) for z of shape (3, 100), image_size=32")


def hidden_generator_shapes():
    """The hidden tests of test_generator_shapes (assignment 04-dcgan)."""
    _gen = checks.rng(4201)
    for _n, _latent, _size, _width, _channels in [(2, 16, 16, 8, 1), (7, 64, 32, 16, 1), (4, 100, 32, 8, 1),
                                                  (6, 20, 16, 12, 3), (3, 5, 32, 4, 2)]:
        _G = Generator(latent_dim=_latent, channels=_channels, image_size=_size, width=_width)
        checks.assert_true(isinstance(_G, nn.Module), "Generator must be an nn.Module")
        _img = _G(torch.randn(_n, _latent, generator=_gen))
        _what = f"Generator(latent_dim={_latent}, channels={_channels}, image_size={_size}, width={_width}) on z of shape ({_n}, {_latent})"
        checks.assert_tensor(_img, _what)
        checks.assert_shape(_img, (_n, _channels, _size, _size), _what)


def visible_generator_guidelines():
    """The visible tests of test_generator_guidelines (assignment 04-dcgan)."""
    _check_generator_guidelines(Generator(latent_dim=100, image_size=16, width=32),
                                3 * torch.randn(64, 100, generator=checks.rng(2)), image_size=16)


def hidden_generator_guidelines():
    """The hidden tests of test_generator_guidelines (assignment 04-dcgan)."""
    _gen = checks.rng(4202)
    for _latent, _size, _width in [(100, 32, 32), (12, 16, 8), (40, 32, 6)]:
        _check_generator_guidelines(Generator(latent_dim=_latent, image_size=_size, width=_width),
                                    3 * torch.randn(32, _latent, generator=_gen), image_size=_size)


def visible_discriminator_shapes():
    """The visible tests of test_discriminator_shapes (assignment 04-dcgan)."""
    _D = Discriminator(image_size=16, width=32)
    checks.assert_true(isinstance(_D, nn.Module), "Discriminator must be an nn.Module")
    _x = 2 * torch.rand(5, 1, 16, 16, generator=checks.rng(3)) - 1
    _scores = _D(_x)
    checks.assert_tensor(_scores, "Discriminator(image_size=16)(x)")
    checks.assert_shape(_scores, (5,), "D(x) for x of shape (5, 1, 16, 16): one logit per image, so flatten with .reshape(-1)")
    _check_logits(Discriminator(image_size=16, width=16), 2 * torch.rand(32, 1, 16, 16, generator=checks.rng(4)) - 1,
                  "D(x) for 32 images of 16x16")


def hidden_discriminator_shapes():
    """The hidden tests of test_discriminator_shapes (assignment 04-dcgan)."""
    _gen = checks.rng(4301)
    for _n, _size, _width, _channels in [(2, 16, 8, 1), (9, 32, 16, 1), (4, 32, 4, 3), (6, 16, 12, 2)]:
        _D = Discriminator(channels=_channels, image_size=_size, width=_width)
        checks.assert_true(isinstance(_D, nn.Module), "Discriminator must be an nn.Module")
        _what = f"Discriminator(channels={_channels}, image_size={_size}, width={_width}) on x of shape ({_n}, {_channels}, {_size}, {_size})"
        _scores = _D(2 * torch.rand(_n, _channels, _size, _size, generator=_gen) - 1)
        checks.assert_tensor(_scores, _what)
        checks.assert_shape(_scores, (_n,), _what)
    _check_logits(Discriminator(image_size=32, width=8), 2 * torch.rand(24, 1, 32, 32, generator=_gen) - 1,
                  "D(x) for 24 images of 32x32")


def visible_discriminator_guidelines():
    """The visible tests of test_discriminator_guidelines (assignment 04-dcgan)."""
    _check_discriminator_guidelines(Discriminator(image_size=16, width=32),
                                    2 * torch.rand(8, 1, 16, 16, generator=checks.rng(5)) - 1)


def hidden_discriminator_guidelines():
    """The hidden tests of test_discriminator_guidelines (assignment 04-dcgan)."""
    _gen = checks.rng(4302)
    for _size, _width in [(32, 32), (16, 8), (32, 6)]:
        _check_discriminator_guidelines(Discriminator(image_size=_size, width=_width),
                                        2 * torch.rand(6, 1, _size, _size, generator=_gen) - 1)
