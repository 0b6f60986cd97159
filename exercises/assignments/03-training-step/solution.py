"""The reference solutions of assignment 03-training-step: one region per editable cell.

Each region (from a ``# %% cell: <grade_id>`` line to the next) is the cell as the source
notebook holds it; the release replaces each ``### BEGIN SOLUTION`` ... ``### END SOLUTION``
block by ``raise NotImplementedError()``. The names the notebook's setup cell defines are
imported here so that the file lints and imports on its own.
"""
from __future__ import annotations

import torch.nn.functional as F


# %% cell: d_step
def d_step(generator, discriminator, d_optimizer, real, z):
    """One update of D on real -> 1 and G(z) -> 0. Returns L_D before the update (a float)."""
    ### BEGIN SOLUTION
    fake = generator(z).detach()  # the D loss must not send gradients into G
    d_optimizer.zero_grad()  # .backward() adds to .grad: clear the old gradients first
    real_logits, fake_logits = discriminator(real), discriminator(fake)
    loss = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    loss.backward()
    d_optimizer.step()
    return loss.item()
    ### END SOLUTION


# %% cell: g_step
def g_step(generator, discriminator, g_optimizer, z):
    """One update of G with the non-saturating loss through D. Returns L_G before the update."""
    ### BEGIN SOLUTION
    g_optimizer.zero_grad()
    logits = discriminator(generator(z))  # no detach: the gradient must reach G through D
    loss = F.softplus(-logits).mean()  # -log D(G(z))
    loss.backward()
    g_optimizer.step()
    return loss.item()
    ### END SOLUTION


# %% cell: train_step
def train_step(generator, discriminator, g_optimizer, d_optimizer, sample_real, sample_z, k=1):
    """k D steps (fresh batches each), then one G step (fresh noise). Returns (d_losses, g_loss)."""
    ### BEGIN SOLUTION
    d_losses = [d_step(generator, discriminator, d_optimizer, sample_real(), sample_z()) for _ in range(k)]
    g_loss = g_step(generator, discriminator, g_optimizer, sample_z())
    return d_losses, g_loss
    ### END SOLUTION
