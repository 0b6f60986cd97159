r"""Fully connected generator and discriminator for 1-D and 2-D toy data (chapters 2-4).

The generator is a stack of ``Linear -> ReLU`` layers ending in a plain ``Linear`` (the data
live on all of :math:`\mathbb{R}^d`, so no squashing output). The discriminator uses
``LeakyReLU(0.2)`` hidden units and returns a **logit** :math:`\ell(x)`, with
:math:`D(x) = \sigma(\ell(x))`; the losses in :mod:`ganlab.losses` take logits.

PacGAN (Lin et al., 2018): with ``pack = m`` the discriminator judges *packs* of :math:`m`
samples at once, reshaping a batch ``(B, d)`` to ``(B/m, m d)``. Seeing several samples together
lets it notice a lack of diversity, which fights mode collapse (chapter 3).
"""
from __future__ import annotations

import torch
from torch import nn

from .base import Generator
from .spectral import spectral_norm_layers

__all__ = ["MLPGenerator", "MLPDiscriminator", "pack_samples"]


def _check_positive_int(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def _mlp(in_dim: int, hidden: int, depth: int, out_dim: int, activation) -> nn.Sequential:
    """``depth`` hidden layers of width ``hidden``, each followed by ``activation()``."""
    layers: list[nn.Module] = []
    width = in_dim
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), activation()]
        width = hidden
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


def pack_samples(x: torch.Tensor, pack: int) -> torch.Tensor:
    r"""PacGAN packing (chapter 3): ``(B, ...)`` -> ``(B/m, m * prod(...))``, :math:`m` = ``pack``.

    First used in chapter 3, through :class:`MLPDiscriminator` (``pack=2``).

    Consecutive samples form a pack: rows :math:`0..m-1` are pack 0, and so on.
    Raises ``ValueError`` when :math:`B` is not a multiple of :math:`m`.
    """
    batch = x.shape[0]
    if batch % pack != 0:
        raise ValueError(f"pack={pack} needs a batch size divisible by {pack}, got {batch}; "
                         f"use a batch size that is a multiple of {pack}.")
    return x.reshape(batch // pack, -1)


class MLPGenerator(Generator):
    r"""MLP generator :math:`G: \mathbb{R}^{k} \to \mathbb{R}^{d}` (chapter 2).

    ``latent_dim`` :math:`k` inputs, ``depth`` hidden ReLU layers of width ``hidden``, a linear
    output of size ``out_dim`` :math:`d`. ``latent_distribution`` is ``"normal"`` or ``"uniform"``
    (the uniform :math:`z` of Goodfellow et al.'s 1-D figure).
    """

    def __init__(self, latent_dim: int = 2, out_dim: int = 2, hidden: int = 128, depth: int = 3,
                 latent_distribution: str = "normal"):
        super().__init__(latent_dim, latent_distribution)
        for name, value in (("out_dim", out_dim), ("hidden", hidden), ("depth", depth)):
            _check_positive_int(name, value)
        self.out_dim = out_dim
        self.net = _mlp(latent_dim, hidden, depth, out_dim, nn.ReLU)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Map ``z`` of shape ``(N, latent_dim)`` to samples of shape ``(N, out_dim)``."""
        if z.dim() != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"MLPGenerator(latent_dim={self.latent_dim}) expects z of shape "
                             f"(N, {self.latent_dim}), got {tuple(z.shape)}")
        return self.net(z)


class MLPDiscriminator(nn.Module):
    r"""MLP discriminator returning logits :math:`\ell(x)`, :math:`D(x)=\sigma(\ell(x))` (chapter 2).

    Input ``(B, in_dim)``; output shape ``(B / pack,)``: one logit per pack of ``pack`` samples
    (PacGAN, Lin et al. 2018; ``pack=1`` is the ordinary discriminator). Hidden units are
    ``LeakyReLU(0.2)`` so that gradients flow for negative pre-activations too.
    ``spectral_norm=True`` divides every layer's weight by its largest singular value
    (:class:`ganlab.models.SpectralNorm`, Miyato et al. 2018; chapter 8).
    """

    def __init__(self, in_dim: int = 2, hidden: int = 128, depth: int = 3, pack: int = 1,
                 *, spectral_norm: bool = False):
        super().__init__()
        for name, value in (("in_dim", in_dim), ("hidden", hidden), ("depth", depth),
                            ("pack", pack)):
            _check_positive_int(name, value)
        self.in_dim = in_dim
        self.pack = pack
        self.net = _mlp(in_dim * pack, hidden, depth, 1, lambda: nn.LeakyReLU(0.2))
        self.spectral_norm = spectral_norm
        if spectral_norm:
            spectral_norm_layers(self.net)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of shape ``(B / pack,)`` for samples ``x`` of shape ``(B, in_dim)``."""
        if x.dim() == 1 and self.in_dim == 1:
            x = x.unsqueeze(1)  # 1-D data may come as a flat vector of samples
        if x.dim() != 2 or x.shape[1] != self.in_dim:
            raise ValueError(f"MLPDiscriminator(in_dim={self.in_dim}) expects x of shape "
                             f"(B, {self.in_dim}), got {tuple(x.shape)}")
        return self.net(pack_samples(x, self.pack)).squeeze(1)
