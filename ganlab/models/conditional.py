r"""A class-conditional DCGAN: :math:`G(z, y)` and :math:`D(x, y)` (Mirza and Osindero, 2014; chapter 10).

A conditional GAN plays the minimax game of Goodfellow et al. (2014) with both players given
extra information :math:`y`, here the class of a digit:

.. math:: \min_G \max_D\; V(D, G) =
          \mathbb{E}_{(x, y) \sim p_{data}}\bigl[\log D(x \mid y)\bigr]
          + \mathbb{E}_{z \sim p_z,\, y \sim p_y}\bigl[\log\bigl(1 - D(G(z \mid y) \mid y)\bigr)\bigr].

For each :math:`y` the inner game is the unconditional one on :math:`p_{data}(x \mid y)`, so
at the optimum :math:`p_g(x \mid y) = p_{data}(x \mid y)` for every class: G draws the digit
it is asked for. Mirza and Osindero feed :math:`y` to both players by concatenating its one-hot
vector to their inputs; so do these networks.

* **Generator.** The latent vector is :math:`(z, e_y)`: the noise :math:`z \in \mathbb{R}^{d}`
  and the one-hot label :math:`e_y \in \{0, 1\}^K`. A DCGAN generator with
  ``latent_dim = d + K`` maps it to an image, and the forward pass appends the label planes
  (:func:`ganlab.data.label_planes`), so :math:`G` returns a *labelled image*
  ``(N, C + K, S, S)`` exactly like the real data of :func:`ganlab.data.labelled_digits`.
  ``sample_latent`` draws :math:`z \sim \mathcal N(0, I)` and a uniform class, which is how
  :func:`ganlab.train.train_gan` and :func:`ganlab.train.train_ensemble` train it unchanged.
* **Discriminator.** A DCGAN discriminator over the :math:`C + K` channels: the label planes
  are concatenated to the image at D's input. Because a plane is constant, D's first
  convolution turns it into a class-dependent bias on every feature map,
  :math:`w * [x, e_y \mathbf 1^\top] = w_x * x + \sum_k y_k\,(w_k * \mathbf 1)`, a learned
  embedding of the class added to the image's features (up to the zero padding at the border).

Projection discriminators (Miyato and Koyama, 2018) inject :math:`y` at D's end instead,
:math:`\ell(x, y) = \psi(\phi(x)) + e_y^\top V \phi(x)`; the input concatenation used here is
the original and simplest form, and enough for ten digit classes.
"""
from __future__ import annotations

import torch

from ..data.conditional import check_labels
from .dcgan import DCGANDiscriminator, DCGANGenerator

__all__ = ["ConditionalDCGANGenerator", "ConditionalDCGANDiscriminator"]


class ConditionalDCGANGenerator(DCGANGenerator):
    r"""DCGAN generator conditioned on a class: :math:`(z, y) \mapsto [G(z, y), e_y\mathbf 1^\top]` (chapter 10).

    First used in chapter 10, through :func:`conditional_digits`.

    ``noise_dim`` (:math:`d`): the size of :math:`z`; ``n_classes`` (:math:`K`). The latent
    vector that ``forward`` takes is :math:`(z, e_y)`, of size ``latent_dim = noise_dim +
    n_classes``; the other arguments and options are those of
    :class:`~ganlab.models.DCGANGenerator` (the first layer simply has :math:`K` more inputs).

    * ``sample_latent(n, rng)`` draws :math:`z \sim \mathcal N(0, I_d)` and then labels
      :math:`y \sim \mathcal U\{0, \dots, K-1\}` with the same ``torch.Generator``;
    * ``forward(latent)`` returns the *labelled* images ``(N, channels + K, S, S)``: the image
      channels, then the label planes (what the discriminator judges, same layout as
      :func:`ganlab.data.labelled_digits`);
    * ``generate(n, labels=..., z=...)`` returns plain images ``(N, channels, S, S)`` of the
      requested classes, for looking at and for metrics;
    * ``latent(z, labels)`` builds the latent vector from a given noise and labels.
    """

    def __init__(self, noise_dim: int = 32, n_classes: int = 10, channels: int = 1,
                 image_size: int = 16, width: int = 64, **options):
        for name, value in (("noise_dim", noise_dim), ("n_classes", n_classes)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if n_classes < 2:
            raise ValueError(f"n_classes must be at least 2 (a condition with one value is no "
                             f"condition), got {n_classes}")
        if "latent_dim" in options:
            raise TypeError("ConditionalDCGANGenerator takes noise_dim (the size of z); its "
                            "latent_dim is noise_dim + n_classes")
        super().__init__(latent_dim=noise_dim + n_classes, channels=channels,
                         image_size=image_size, width=width, **options)
        self.noise_dim, self.n_classes = noise_dim, n_classes

    # ----------------------------------------------------------------------- latents
    def latent(self, z: torch.Tensor, labels) -> torch.Tensor:
        r"""The latent vectors :math:`(z_i, e_{y_i})`, shape ``(N, noise_dim + n_classes)``.

        ``z``: ``(N, noise_dim)``; ``labels``: ``N`` class indices, or one int for all rows.
        """
        if not isinstance(z, torch.Tensor) or z.dim() != 2 or z.shape[1] != self.noise_dim:
            shape = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(f"z must have shape (N, {self.noise_dim}) (noise_dim), got {shape}")
        labels = self._labels(labels, len(z))
        one_hot = torch.nn.functional.one_hot(labels.to(z.device), self.n_classes).to(z.dtype)
        return torch.cat([z, one_hot], dim=1)

    def sample_latent(self, n: int, rng: torch.Generator | None = None,
                      device: torch.device | str | None = None) -> torch.Tensor:
        r"""``n`` latent vectors :math:`(z, e_y)`: :math:`z \sim \mathcal N(0, I)`, :math:`y` uniform.

        Drawn on the CPU with ``rng`` (first all the noise, then all the labels), then
        moved to ``device`` (default: the device of the parameters).
        """
        z = self._noise(n, rng)
        labels = torch.randint(self.n_classes, (n,), generator=rng)
        return self.latent(z, labels).to(device if device is not None else self._device())

    def _noise(self, n: int, rng) -> torch.Tensor:
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be a non-negative int, got {n!r}")
        if self.latent_distribution == "normal":
            return torch.randn(n, self.noise_dim, generator=rng)
        return 2 * torch.rand(n, self.noise_dim, generator=rng) - 1

    def _labels(self, labels, n: int) -> torch.Tensor:
        if isinstance(labels, int) and not isinstance(labels, bool):
            labels = torch.full((n,), labels, dtype=torch.long)
        labels = check_labels(labels, self.n_classes)
        if len(labels) != n:
            raise ValueError(f"give one label per sample (or one int for all): {n} samples, "
                             f"{len(labels)} labels")
        return labels

    # ----------------------------------------------------------------------- forward
    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        """Labelled images ``(N, channels + n_classes, S, S)`` from latents ``(N, noise_dim + n_classes)``."""
        if latent.dim() == 4 and latent.shape[2:] == (1, 1):
            latent = latent.flatten(1)
        if latent.dim() != 2 or latent.shape[1] != self.latent_dim:
            raise ValueError(f"ConditionalDCGANGenerator(noise_dim={self.noise_dim}, "
                             f"n_classes={self.n_classes}) expects latents (z, one-hot y) of "
                             f"shape (N, {self.latent_dim}); got {tuple(latent.shape)}. Build "
                             "them with sample_latent(n) or latent(z, labels)")
        images = super().forward(latent)
        one_hot = latent[:, self.noise_dim:]
        planes = one_hot[:, :, None, None].expand(-1, -1, *images.shape[2:])
        return torch.cat([images, planes.to(images.dtype)], dim=1)

    @torch.no_grad()
    def generate(self, n: int | None = None, rng: torch.Generator | None = None, *,
                 labels=None, z: torch.Tensor | None = None) -> torch.Tensor:
        """Images ``(N, channels, S, S)`` of the requested classes, in eval mode (chapter 10).

        ``labels``: ``None`` (uniform random classes, drawn with ``rng`` after the
        noise), one int (``n`` images of that class) or ``N`` class indices. ``z``: the noise
        ``(N, noise_dim)`` to use (default: drawn with ``rng``); the same ``z`` with
        different labels keeps the *style* and changes the class. ``n`` may be left out when
        ``labels`` or ``z`` give the number. The label planes are dropped; the module's
        train/eval mode is restored afterwards.
        """
        n = self._count(n, labels, z)
        if z is None:
            z = self._noise(n, rng)
        if labels is None:
            labels = torch.randint(self.n_classes, (n,), generator=rng)
        parameter = next(self.parameters())
        latent = self.latent(z.to(parameter.device, parameter.dtype), labels)
        was_training = self.training
        self.eval()
        try:
            return self(latent)[:, :self.channels]
        finally:
            self.train(was_training)

    def _count(self, n, labels, z) -> int:
        counts = {}
        if n is not None:
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise ValueError(f"n must be a positive int, got {n!r}")
            counts["n"] = n
        if labels is not None and not (isinstance(labels, int) and not isinstance(labels, bool)):
            counts["labels"] = len(check_labels(labels, self.n_classes))
        if z is not None:
            if not isinstance(z, torch.Tensor) or z.dim() != 2:
                raise ValueError(f"z must be a tensor (N, {self.noise_dim}), got "
                                 f"{tuple(z.shape) if isinstance(z, torch.Tensor) else z!r}")
            counts["z"] = len(z)
        if not counts:
            raise ValueError("say how many images: generate(n), generate(labels=[...]) or "
                             "generate(z=...)")
        if len(set(counts.values())) > 1:
            raise ValueError(f"n, labels and z disagree on the number of images: {counts}")
        return next(iter(counts.values()))

    def extra_repr(self) -> str:
        return f"noise_dim={self.noise_dim}, n_classes={self.n_classes}"


class ConditionalDCGANDiscriminator(DCGANDiscriminator):
    r"""DCGAN discriminator :math:`D(x \mid y)` on labelled images ``(N, channels + K, S, S)`` (chapter 10).

    First used in chapter 10, through :func:`conditional_digits`.

    A :class:`~ganlab.models.DCGANDiscriminator` whose input layer takes the ``channels``
    image channels *and* the ``n_classes`` label planes (Mirza and Osindero's concatenation of
    :math:`y` to D's input). Its first convolution adds a learned, class-dependent bias to
    every feature map (see :mod:`ganlab.models.conditional`), and every later layer sees the
    image and the class together, so D can reject a well-drawn digit that is not the digit
    it was labelled. Options as for :class:`~ganlab.models.DCGANDiscriminator`.
    """

    def __init__(self, n_classes: int = 10, channels: int = 1, image_size: int = 16,
                 width: int = 64, **options):
        if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
            raise ValueError(f"n_classes must be an int >= 2, got {n_classes!r}")
        if isinstance(channels, bool) or not isinstance(channels, int) or channels < 1:
            raise ValueError(f"channels must be a positive int, got {channels!r}")
        super().__init__(channels=channels + n_classes, image_size=image_size, width=width,
                         **options)
        self.n_classes, self.image_channels = n_classes, channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(N / pack,)`` for labelled images ``(N, channels + n_classes, S, S)``."""
        expected = self.image_channels + self.n_classes
        if x.dim() == 4 and x.shape[1] == self.image_channels:
            raise ValueError(f"ConditionalDCGANDiscriminator judges labelled images: "
                             f"{self.image_channels} image channel(s) + {self.n_classes} label "
                             f"planes = {expected} channels; got only the images "
                             f"{tuple(x.shape)}. Add the labels with "
                             "ganlab.data.with_label_planes(images, labels)")
        return super().forward(x)
