"""The reference solutions of assignment 08-vae: one region per editable cell.

Each region (from a ``# %% cell: <grade_id>`` line to the next) is the cell as the source
notebook holds it; the release replaces each ``### BEGIN SOLUTION`` ... ``### END SOLUTION``
block by ``raise NotImplementedError()``. The names the notebook's setup cell defines are
imported here so that the file lints and imports on its own.
"""
from __future__ import annotations

import torch


# %% cell: reparameterize
def reparameterize(mu, logvar, rng=None):
    """z = mu + exp(0.5 * logvar) * eps, eps = torch.randn(mu.shape, generator=rng)."""
    ### BEGIN SOLUTION
    if rng is None:
        eps = torch.randn_like(mu)
    else:
        eps = torch.randn(mu.shape, generator=rng).to(mu.device, mu.dtype)
    std = torch.exp(0.5 * logvar)  # sigma = exp(log(sigma^2) / 2)
    return mu + std * eps
    ### END SOLUTION


# %% cell: kl_divergence
def kl_divergence(mu, logvar):
    """KL(N(mu, diag exp(logvar)) || N(0, I)) of each example: a tensor of shape (N,)."""
    ### BEGIN SOLUTION
    return 0.5 * (mu ** 2 + logvar.exp() - logvar - 1).sum(dim=1)
    ### END SOLUTION


# %% cell: negative_elbo
def negative_elbo(vae, x, rng=None):
    """(loss, reconstruction, kl) of ganlab's VAE on images x, each averaged over the batch; loss = reconstruction + kl."""
    ### BEGIN SOLUTION
    mu, logvar = vae.encode(x)
    z = reparameterize(mu, logvar, rng)
    recon = vae.decode(z)
    reconstruction = ((x - recon) ** 2).flatten(1).sum(dim=1) / (2 * vae.recon_std ** 2)  # per image
    kl = kl_divergence(mu, logvar)  # per image
    reconstruction, kl = reconstruction.mean(), kl.mean()  # averaged over the batch
    return reconstruction + kl, reconstruction, kl
    ### END SOLUTION
