"""The test code of assignment 06-cyclegan: the body of each function (after its docstring) is
copied into the test cells that list it; the functions are never called from here.
"""
from __future__ import annotations

import torch

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from helpers import _check_d_loss, _check_discriminator_loss, _check_g_loss, _check_l1, _check_objective, _images
    from solution import cycle_loss, d_loss_least_squares, identity_loss


def visible_cycle_loss():
    """The visible tests of test_cycle_loss (assignment 06-cyclegan)."""
    _check_l1(cycle_loss, "cycle_loss", torch.tensor([[0.0, 1.0], [2.0, -1.0]]), torch.tensor([[0.5, 1.0], [0.0, 2.0]]),
              "real [[0, 1], [2, -1]] and reconstructed [[0.5, 1], [0, 2]]: (0.5 + 0 + 2 + 3) / 4 = 1.375")
    _gen = checks.rng(0)
    _check_l1(cycle_loss, "cycle_loss", _images((2, 1, 4, 4), _gen), _images((2, 1, 4, 4), _gen), "two batches (2, 1, 4, 4)")


def hidden_cycle_loss():
    """The hidden tests of test_cycle_loss (assignment 06-cyclegan)."""
    _gen = checks.rng(6101)
    for _shape in [(3, 1, 8, 8), (1, 3, 5, 7), (6, 2, 4, 4)]:
        _a = _images(_shape, _gen)
        _b = _a + 1.6 * torch.randn(_shape, generator=_gen)  # differences both below and above 1
        _check_l1(cycle_loss, "cycle_loss", _a, _b, f"batches of shape {_shape}")


def visible_identity_loss():
    """The visible tests of test_identity_loss (assignment 06-cyclegan)."""
    _gen = checks.rng(1)
    _check_l1(identity_loss, "identity_loss", _images((3, 1, 4, 4), _gen), 2 * _images((3, 1, 4, 4), _gen), "two batches (3, 1, 4, 4)")


def hidden_identity_loss():
    """The hidden tests of test_identity_loss (assignment 06-cyclegan)."""
    _gen = checks.rng(6201)
    for _shape in [(4, 1, 6, 6), (2, 3, 3, 5)]:
        _a = _images(_shape, _gen)
        _check_l1(identity_loss, "identity_loss", _a, _a + 1.5 * torch.randn(_shape, generator=_gen), f"batches of shape {_shape}")


def visible_d_loss():
    """The visible tests of test_d_loss (assignment 06-cyclegan)."""
    _check_d_loss(torch.tensor([1.0, 0.0, 3.0]), torch.tensor([0.0, 2.0]),
                  "real scores [1, 0, 3] and fake scores [0, 2]: 0.5 * (0 + 1 + 4) / 3 + 0.5 * (0 + 4) / 2")
    _gen = checks.rng(2)
    _check_d_loss(torch.randn(2, 1, 3, 3, generator=_gen), torch.randn(2, 1, 3, 3, generator=_gen), "patch maps (2, 1, 3, 3)")


def hidden_d_loss():
    """The hidden tests of test_d_loss (assignment 06-cyclegan)."""
    _gen = checks.rng(6301)
    for _real_shape, _fake_shape in [((4, 1, 5, 5), (4, 1, 5, 5)), ((3, 1, 2, 2), (6, 1, 2, 2)), ((7,), (2,))]:
        _check_d_loss(1.5 * torch.randn(_real_shape, generator=_gen) + 0.5, 1.5 * torch.randn(_fake_shape, generator=_gen),
                      f"real scores {_real_shape} and fake scores {_fake_shape}")
    # The gradient pushes real scores up towards 1 and fake scores down towards 0.
    _real = torch.tensor([0.25, 0.5]).requires_grad_()
    _fake = torch.tensor([0.5, 0.75, 1.0]).requires_grad_()
    d_loss_least_squares(_real, _fake).backward()
    checks.assert_close(_real.grad, (_real.detach() - 1) / 2, atol=1e-6, rtol=1e-6, what="dL_D / d(real scores) = (D(y) - 1) / m")
    checks.assert_close(_fake.grad, _fake.detach() / 3, atol=1e-6, rtol=1e-6, what="dL_D / d(fake scores) = D(fake) / n")


def visible_g_loss():
    """The visible tests of test_g_loss (assignment 06-cyclegan)."""
    _check_g_loss(torch.tensor([1.0, 0.0, 3.0, -1.0]), "fake scores [1, 0, 3, -1]: 0.5 * (0 + 1 + 4 + 4) / 4")


def hidden_g_loss():
    """The hidden tests of test_g_loss (assignment 06-cyclegan)."""
    _gen = checks.rng(6302)
    for _shape in [(5, 1, 4, 4), (3,), (2, 1, 7, 3)]:
        _check_g_loss(1.5 * torch.randn(_shape, generator=_gen), f"fake scores {_shape}")


def visible_discriminator_loss():
    """The visible tests of test_discriminator_loss (assignment 06-cyclegan)."""
    _check_discriminator_loss((4, 1, 8, 8), seed=3, what="batches (4, 1, 8, 8)")


def hidden_discriminator_loss():
    """The hidden tests of test_discriminator_loss (assignment 06-cyclegan)."""
    _check_discriminator_loss((2, 1, 6, 6), seed=6401, what="batches (2, 1, 6, 6)")
    _check_discriminator_loss((5, 3, 8, 4), seed=6402, what="batches (5, 3, 8, 4)")


def visible_generator_objective():
    """The visible tests of test_generator_objective (assignment 06-cyclegan)."""
    _check_objective((3, 1, 8, 8), seed=4, weights=None, what="batches (3, 1, 8, 8), default weights")


def hidden_generator_objective():
    """The hidden tests of test_generator_objective (assignment 06-cyclegan)."""
    _check_objective((2, 1, 6, 6), seed=6501, weights=None, what="batches (2, 1, 6, 6), default weights")
    _check_objective((4, 3, 4, 8), seed=6502, weights=(3.0, 0.25), what="batches (4, 3, 4, 8), lambda 3, lambda_identity 0.25")
    _check_objective((3, 1, 8, 8), seed=6503, weights=(7.0, 0.0), what="batches (3, 1, 8, 8), lambda 7, no identity weight")
