r"""A small variational autoencoder for digit images (Kingma & Welling, 2014; chapter 9).

The encoder :math:`q_\phi(z \mid x) = \mathcal{N}(\mu_\phi(x), \operatorname{diag}\sigma^2_\phi(x))`
outputs :math:`\mu` and :math:`\log\sigma^2`; the decoder maps :math:`z` to an image in
:math:`[-1, 1]` (Tanh), the mean of a Gaussian likelihood
:math:`p_\theta(x \mid z) = \mathcal{N}(\hat x(z), s^2 I)`; the prior is :math:`p(z) = \mathcal{N}(0, I)`.
Training minimises the negative evidence lower bound (ELBO).
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

__all__ = ["VAE", "VAELoss"]


class VAELoss(NamedTuple):
    """The negative ELBO (``loss``) and its two parts, each averaged over the batch.

    First used in chapter 9.
    """
    loss: torch.Tensor
    reconstruction: torch.Tensor
    kl: torch.Tensor


class VAE(nn.Module):
    r"""Convolutional VAE, images ``(N, channels, S, S)`` with S a multiple of 4 (chapter 9).

    Encoder: two stride-2 4x4 convolutions (``hidden``, ``2 hidden`` channels, ReLU), then a
    ``Linear`` to :math:`(\mu, \log\sigma^2)`, each of size ``latent_dim``. Decoder: the mirror
    image, ending in Tanh. ``recon_std`` is the likelihood's standard deviation :math:`s`:
    smaller values weigh reconstruction more against the KL term (sharper, less regular).
    """

    def __init__(self, image_size: int = 16, channels: int = 1, latent_dim: int = 8, *,
                 hidden: int = 32, recon_std: float = 0.3):
        super().__init__()
        for name, value in (("image_size", image_size), ("channels", channels),
                            ("latent_dim", latent_dim), ("hidden", hidden)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if image_size % 4 != 0 or image_size < 8:
            raise ValueError(f"image_size must be a multiple of 4 and at least 8 (e.g. 16 or 32), "
                             f"got {image_size}")
        if not recon_std > 0:
            raise ValueError(f"recon_std must be positive, got {recon_std!r}")
        self.image_size, self.channels, self.latent_dim = image_size, channels, latent_dim
        self.recon_std = float(recon_std)
        side = image_size // 4
        features = 2 * hidden * side * side
        self.encoder = nn.Sequential(
            nn.Conv2d(channels, hidden, 4, 2, 1), nn.ReLU(),
            nn.Conv2d(hidden, 2 * hidden, 4, 2, 1), nn.ReLU(),
            nn.Flatten(), nn.Linear(features, 2 * latent_dim))
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, features), nn.ReLU(),
            nn.Unflatten(1, (2 * hidden, side, side)),
            nn.ConvTranspose2d(2 * hidden, hidden, 4, 2, 1), nn.ReLU(),
            nn.ConvTranspose2d(hidden, channels, 4, 2, 1), nn.Tanh())

    def _check(self, x: torch.Tensor) -> None:
        expected = (self.channels, self.image_size, self.image_size)
        if x.dim() != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(f"VAE(image_size={self.image_size}, channels={self.channels}) "
                             f"expects (N, {self.channels}, {self.image_size}, "
                             f"{self.image_size}), got {tuple(x.shape)}")

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        r"""The posterior's parameters :math:`(\mu, \log\sigma^2)`, each ``(N, latent_dim)``."""
        self._check(x)
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return mu, logvar

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        r"""Images :math:`\hat x(z)` in [-1, 1] from latent codes ``(N, latent_dim)``."""
        if z.dim() != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"VAE(latent_dim={self.latent_dim}).decode expects z of shape "
                             f"(N, {self.latent_dim}), got {tuple(z.shape)}")
        return self.decoder(z)

    @staticmethod
    def reparameterize(mu: torch.Tensor, logvar: torch.Tensor,
                       rng: torch.Generator | None = None) -> torch.Tensor:
        r"""Reparameterisation trick: :math:`z = \mu + \sigma \odot \varepsilon`, :math:`\varepsilon \sim \mathcal{N}(0, I)`.

        The randomness sits in :math:`\varepsilon`, so gradients flow to :math:`\mu` and
        :math:`\sigma = \exp(\tfrac12 \log\sigma^2)`.
        """
        if rng is None:
            eps = torch.randn_like(mu)
        else:
            eps = torch.randn(mu.shape, generator=rng).to(mu.device, mu.dtype)
        return mu + torch.exp(0.5 * logvar) * eps

    def forward(self, x: torch.Tensor, rng: torch.Generator | None = None):
        r"""``(recon, mu, logvar)``: a reconstruction from one sample :math:`z \sim q(z \mid x)`."""
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar, rng)
        return self.decode(z), mu, logvar

    def loss(self, x: torch.Tensor, rng: torch.Generator | None = None) -> VAELoss:
        r"""Negative ELBO, averaged over the batch, with its two parts (chapter 9).

        .. math::

            -\mathrm{ELBO}(x) = \underbrace{\frac{\lVert x - \hat x(z) \rVert^2}{2 s^2}}_{\text{reconstruction}}
            + \underbrace{\tfrac12 \sum_{j} \left(\mu_j^2 + \sigma_j^2 - \log\sigma_j^2 - 1\right)}_{\mathrm{KL}(q(z\mid x)\,\Vert\,p(z))},
            \qquad z = \mu + \sigma \odot \varepsilon,

        where the reconstruction term is :math:`-\log p_\theta(x \mid z)` for the Gaussian
        likelihood with standard deviation :math:`s` = ``recon_std``, up to the constant
        :math:`D \log(s\sqrt{2\pi})` (:math:`D` pixels), estimated with one sample of :math:`z`.
        Returns ``VAELoss(loss, reconstruction, kl)``; minimise ``loss``.
        """
        recon, mu, logvar = self(x, rng)
        reconstruction = ((x - recon) ** 2).flatten(1).sum(1) / (2 * self.recon_std ** 2)
        kl = 0.5 * (mu ** 2 + logvar.exp() - logvar - 1).sum(1)
        reconstruction, kl = reconstruction.mean(), kl.mean()
        return VAELoss(reconstruction + kl, reconstruction, kl)

    def sample_latent(self, n: int, rng: torch.Generator | None = None,
                      device: torch.device | str | None = None) -> torch.Tensor:
        """``n`` codes from the prior N(0, I), drawn on the CPU, moved to ``device``."""
        z = torch.randn(n, self.latent_dim, generator=rng)
        return z.to(device if device is not None else next(self.parameters()).device)

    @torch.no_grad()
    def generate(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        r"""``n`` new images :math:`\hat x(z)`, :math:`z \sim p(z) = \mathcal{N}(0, I)` (chapter 9)."""
        was_training = self.training
        self.eval()
        try:
            return self.decode(self.sample_latent(n, rng))
        finally:
            self.train(was_training)

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        r"""Deterministic reconstruction :math:`\hat x(\mu(x))`, for figures (chapter 9)."""
        mu, _ = self.encode(x)
        return self.decode(mu)
