r"""What every generator in ``ganlab`` shares: a latent space to sample from (chapter 1).

A generator maps a point :math:`z` of the latent space (잠재 공간) to a sample
:math:`x = G(z)`. The latent distribution :math:`p_z` is a standard normal by default, or
uniform on :math:`[-1, 1]` as in the 1-D figure of Goodfellow et al. (2014). The seed that
draws :math:`z` decides which sample comes out: "z as a random seed" (chapter 1).
"""
from __future__ import annotations

import torch
from torch import nn

__all__ = ["Generator", "LATENT_DISTRIBUTIONS"]

LATENT_DISTRIBUTIONS = ("normal", "uniform")


class Generator(nn.Module):
    """Base class: subclasses set ``latent_dim`` and implement ``forward(z)``.

    First used in chapter 1, through :func:`ganlab.pretrained.load_or_train` (every generator
    of the course is one).
    """

    def __init__(self, latent_dim: int, latent_distribution: str = "normal"):
        super().__init__()
        if latent_distribution not in LATENT_DISTRIBUTIONS:
            raise ValueError(f"latent_distribution must be one of {LATENT_DISTRIBUTIONS}, "
                             f"got {latent_distribution!r}")
        if isinstance(latent_dim, bool) or not isinstance(latent_dim, int) or latent_dim < 1:
            raise ValueError(f"latent_dim must be a positive int, got {latent_dim!r}")
        self.latent_dim = latent_dim
        self.latent_distribution = latent_distribution

    def sample_latent(self, n: int, rng: torch.Generator | None = None,
                      device: torch.device | str | None = None) -> torch.Tensor:
        r"""Draw ``n`` latent vectors :math:`z \sim p_z`, shape ``(n, latent_dim)``.

        Drawn on the CPU with ``rng`` (so a seed gives the same z on every device), then
        moved to ``device`` (default: the device of the generator's parameters).
        """
        if self.latent_distribution == "normal":
            z = torch.randn(n, self.latent_dim, generator=rng)
        else:
            z = 2 * torch.rand(n, self.latent_dim, generator=rng) - 1
        return z.to(device if device is not None else self._device())

    @torch.no_grad()
    def generate(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        """``n`` samples :math:`G(z)` in evaluation mode, without gradients (chapter 1).

        The module's train/eval mode is restored afterwards.
        """
        was_training = self.training
        self.eval()
        try:
            return self(self.sample_latent(n, rng))
        finally:
            self.train(was_training)

    def _device(self) -> torch.device:
        first = next(self.parameters(), None)
        return first.device if first is not None else torch.device("cpu")
