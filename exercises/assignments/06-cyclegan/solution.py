"""The reference solutions of assignment 06-cyclegan: one region per editable cell.

Each region (from a ``# %% cell: <grade_id>`` line to the next) is the cell as the source
notebook holds it; the release replaces each ``### BEGIN SOLUTION`` ... ``### END SOLUTION``
block by ``raise NotImplementedError()``. The names the notebook's setup cell defines are
imported here so that the file lints and imports on its own.
"""
from __future__ import annotations

import torch


# %% cell: cycle_loss
def cycle_loss(real, reconstructed):
    """Mean absolute error between real images and their reconstructions F(G(real)): a 0-dim tensor."""
    ### BEGIN SOLUTION
    return (reconstructed - real).abs().mean()
    ### END SOLUTION


# %% cell: identity_loss
def identity_loss(real, mapped):
    """Mean absolute error between real target-domain images and the generator's output on them."""
    ### BEGIN SOLUTION
    return (mapped - real).abs().mean()
    ### END SOLUTION


# %% cell: least_squares
def d_loss_least_squares(real_scores, fake_scores):
    """LSGAN discriminator loss: 0.5 * mean((D(real) - 1)^2) + 0.5 * mean(D(fake)^2)."""
    ### BEGIN SOLUTION
    real_term = ((real_scores - torch.ones_like(real_scores)) ** 2).mean()
    fake_term = ((fake_scores - torch.zeros_like(fake_scores)) ** 2).mean()
    return 0.5 * real_term + 0.5 * fake_term
    ### END SOLUTION


def g_loss_least_squares(fake_scores):
    """LSGAN generator loss: 0.5 * mean((D(fake) - 1)^2)."""
    ### BEGIN SOLUTION
    return 0.5 * ((fake_scores - torch.ones_like(fake_scores)) ** 2).mean()
    ### END SOLUTION


# %% cell: discriminator_loss
def discriminator_loss(discriminator, real, fake):
    """LSGAN loss of `discriminator` on real images and generated ones, with the fakes detached."""
    ### BEGIN SOLUTION
    return d_loss_least_squares(discriminator(real), discriminator(fake.detach()))
    ### END SOLUTION


# %% cell: generator_objective
def generator_objective(g_ab, g_ba, d_a, d_b, real_a, real_b, lambda_cycle=10.0, lambda_identity=0.5):
    """CycleGAN's loss for both generators: (total, adversarial, cycle, identity), each a 0-dim tensor.

    L_G = L_adv + lambda_cycle * L_cyc + lambda_cycle * lambda_identity * L_id
    """
    ### BEGIN SOLUTION
    fake_b, fake_a = g_ab(real_a), g_ba(real_b)
    adversarial = 2 * (g_loss_least_squares(d_b(fake_b)) + g_loss_least_squares(d_a(fake_a)))
    cycle = cycle_loss(real_a, g_ba(fake_b)) + cycle_loss(real_b, g_ab(fake_a))
    identity = identity_loss(real_b, g_ab(real_b)) + identity_loss(real_a, g_ba(real_a))
    total = adversarial + lambda_cycle * cycle + lambda_cycle * lambda_identity * identity
    return total, adversarial, cycle, identity
    ### END SOLUTION
