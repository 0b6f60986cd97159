r"""DCGAN generator and discriminator (Radford et al., 2016; chapter 5).

The five architecture guidelines of the paper (Radford et al., 2016, section 3):

1. no pooling: strided convolutions in D, fractionally strided (transposed) ones in G;
2. batch normalisation in both networks, except on G's output layer and D's input layer;
3. no fully connected hidden layers;
4. ReLU in G with a Tanh output;
5. LeakyReLU (slope 0.2) in D.

With the defaults the networks follow all five; each ablation flag breaks exactly one of them
(chapter 5's ablation). With ``image_size=64``, ``width=64``, ``latent_dim=100`` and
``channels=3`` the layers are exactly those of ``pytorch/examples`` ``dcgan/main.py``
(3,576,704 parameters in G, 2,765,568 in D), except that D returns a logit
:math:`\ell(x)` instead of :math:`\sigma(\ell(x))`: the losses in :mod:`ganlab.losses` take logits.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable

import torch
from torch import nn

from .base import Generator
from .batchnorm import BatchNorm
from .spectral import spectral_norm_layers

__all__ = ["DCGANGenerator", "DCGANDiscriminator", "dcgan_init_", "DCGAN_IMAGE_SIZES"]

DCGAN_IMAGE_SIZES = (16, 32, 64)
_UPSAMPLE = ("transposed", "nearest")
_DOWNSAMPLE = ("strided", "pool")
_G_ACTIVATIONS = ("relu", "leaky_relu")
_D_ACTIVATIONS = ("leaky_relu", "relu")
_OUTPUTS = ("tanh", "hardtanh")
_BN_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, BatchNorm)


def dcgan_init_(module: nn.Module, rng: torch.Generator | None = None) -> nn.Module:
    r"""DCGAN weight initialisation, in place (chapter 5); returns ``module``.

    Convolution, transposed-convolution and linear weights :math:`w \sim \mathcal{N}(0, 0.02^2)`;
    batch-norm scales :math:`\gamma \sim \mathcal{N}(1, 0.02^2)`; every bias (and :math:`\beta`) 0.
    Works for ``torch.nn`` batch norms and :class:`ganlab.models.BatchNorm`. ``rng``
    (a seeded ``torch.Generator`` on the CPU) makes the draw repeatable.
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"dcgan_init_ expects an nn.Module, got {type(module).__name__}")
    for layer in module.modules():
        if isinstance(layer, (nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            _normal_(layer.weight, 0.0, 0.02, rng)
        elif isinstance(layer, _BN_TYPES):
            if layer.weight is not None:
                _normal_(layer.weight, 1.0, 0.02, rng)
        else:
            continue
        if getattr(layer, "bias", None) is not None:
            nn.init.zeros_(layer.bias)
    return module


@torch.no_grad()
def _normal_(tensor: torch.Tensor, mean: float, std: float, rng) -> None:
    # draw on the CPU so that a seeded CPU generator gives the same weights on any device
    tensor.copy_(torch.empty(tensor.shape).normal_(mean, std, generator=rng))


def _check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")


def _check_common(image_size, channels, width) -> int:
    """Validate the shared arguments; return the number of stride-2 stages (4x4 -> size)."""
    if image_size not in DCGAN_IMAGE_SIZES:
        raise ValueError(f"image_size must be one of {DCGAN_IMAGE_SIZES}, got {image_size!r}; "
                         "resize or pad the images (e.g. 28x28 digits to 32x32).")
    for name, value in (("channels", channels), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    return {16: 2, 32: 3, 64: 4}[image_size]


def _activation(name: str) -> nn.Module:
    return nn.ReLU(inplace=True) if name == "relu" else nn.LeakyReLU(0.2, inplace=True)


class DCGANGenerator(Generator):
    r"""DCGAN generator :math:`G: z \mapsto x`, ``(N, latent_dim)`` -> ``(N, channels, S, S)`` in :math:`[-1, 1]` (chapter 5).

    Layers (S = ``image_size``, w = ``width``, :math:`k = \log_2(S/4)` stride-2 stages):

    * projection: ``ConvTranspose2d(latent_dim, w 2^{k-1}, 4, 1, 0)`` turns the 1x1 input into a
      4x4 map (a matrix multiplication, but no ``Linear`` layer), then BatchNorm + ReLU;
    * :math:`k - 1` stages ``ConvTranspose2d(c, c/2, 4, 2, 1)`` + BatchNorm + ReLU, doubling the
      size and halving the channels;
    * output: ``ConvTranspose2d(w, channels, 4, 2, 1)`` + Tanh, no batch norm.

    Ablation flags (each breaks one guideline): ``upsample="nearest"`` (nearest-neighbour
    ``Upsample`` + 3x3 convolution instead of transposed convolutions: a fixed, not learned,
    upsampling), ``batchnorm=False``, ``activation="leaky_relu"``, ``fully_connected=True``
    (the projection becomes a fully connected hidden layer of ``fc_units`` units followed by a
    ``Linear`` to the 4x4 map). ``norm_layer`` (a callable ``C -> module``, e.g.
    :class:`ganlab.models.BatchNorm`) replaces ``torch.nn.BatchNorm2d``. Convolutions have no
    bias, as in ``pytorch/examples``. ``init=True`` applies :func:`dcgan_init_`.
    ``forward`` accepts ``z`` as ``(N, latent_dim)`` or ``(N, latent_dim, 1, 1)``.

    ``output="hardtanh"`` ends in :math:`\max(-1, \min(1, a))` instead of :math:`\tanh a`:
    the same range, but the extremes are reached exactly. Digits have a background of exactly
    :math:`-1`, which a tanh only approaches (:math:`\tanh a = -0.99` needs :math:`a = -2.6`),
    and the grey speckle it leaves is what a feature-space distance notices first (chapter 8).
    """

    def __init__(self, latent_dim: int = 100, channels: int = 1, image_size: int = 32,
                 width: int = 64, *, upsample: str = "transposed", batchnorm: bool = True,
                 activation: str = "relu", fully_connected: bool = False, fc_units: int = 1024,
                 norm_layer: Callable[[int], nn.Module] | None = None, output: str = "tanh",
                 latent_distribution: str = "normal", init: bool = True,
                 rng: torch.Generator | None = None):
        super().__init__(latent_dim, latent_distribution)
        stages = _check_common(image_size, channels, width)
        _check_choice("upsample", upsample, _UPSAMPLE)
        _check_choice("activation", activation, _G_ACTIVATIONS)
        _check_choice("output", output, _OUTPUTS)
        self.channels, self.image_size, self.width = channels, image_size, width
        self.output = output
        self.upsample, self.batchnorm, self.activation = upsample, batchnorm, activation
        self.fully_connected = fully_connected
        norm = norm_layer or nn.BatchNorm2d

        def finish(layers: list[nn.Module], out_channels: int) -> nn.Sequential:
            if batchnorm:
                layers.append(norm(out_channels))
            layers.append(_activation(activation))
            return nn.Sequential(*layers)

        widths = [width * 2 ** i for i in reversed(range(stages))]  # e.g. [8w, 4w, 2w, w] at 64
        blocks: OrderedDict[str, nn.Module] = OrderedDict()
        if fully_connected:
            hidden: list[nn.Module] = [nn.Linear(latent_dim, fc_units, bias=not batchnorm)]
            if batchnorm:
                hidden.append(norm_layer(fc_units) if norm_layer else nn.BatchNorm1d(fc_units))
            hidden += [_activation(activation),
                       nn.Linear(fc_units, widths[0] * 16, bias=False),
                       nn.Unflatten(1, (widths[0], 4, 4))]
            blocks["project"] = finish(hidden, widths[0])
        else:
            blocks["project"] = finish(
                [nn.ConvTranspose2d(latent_dim, widths[0], 4, 1, 0, bias=False)], widths[0])
        for i, (c_in, c_out) in enumerate(zip(widths[:-1], widths[1:]), start=1):
            blocks[f"up{i}"] = finish(self._upsampling(c_in, c_out), c_out)
        squash = nn.Tanh() if output == "tanh" else nn.Hardtanh()
        blocks["output"] = nn.Sequential(*self._upsampling(widths[-1], channels), squash)
        self.net = nn.Sequential(blocks)
        if init:
            dcgan_init_(self, rng)

    def _upsampling(self, c_in: int, c_out: int) -> list[nn.Module]:
        if self.upsample == "transposed":
            return [nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False)]
        return [nn.Upsample(scale_factor=2, mode="nearest"),
                nn.Conv2d(c_in, c_out, 3, 1, 1, bias=False)]

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Images ``(N, channels, image_size, image_size)`` in [-1, 1] from ``z``."""
        if z.dim() == 4 and z.shape[2:] == (1, 1):
            z = z.flatten(1)
        if z.dim() != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"DCGANGenerator(latent_dim={self.latent_dim}) expects z of shape "
                             f"(N, {self.latent_dim}) or (N, {self.latent_dim}, 1, 1), "
                             f"got {tuple(z.shape)}")
        if not self.fully_connected:
            z = z[:, :, None, None]
        return self.net(z)


class DCGANDiscriminator(nn.Module):
    r"""DCGAN discriminator, images ``(N, channels, S, S)`` -> logits ``(N / pack,)`` (chapter 5).

    Layers (w = ``width``, :math:`k = \log_2(S/4)` stride-2 stages):

    * input: ``Conv2d(channels * pack, w, 4, 2, 1)`` + LeakyReLU(0.2), **no** batch norm;
    * :math:`k - 1` stages ``Conv2d(c, 2c, 4, 2, 1)`` + BatchNorm + LeakyReLU(0.2), halving the size
      and doubling the channels down to a 4x4 map;
    * output: ``Conv2d(w 2^{k-1}, 1, 4, 1, 0)``, one raw logit per image (no sigmoid, no ``Linear``).

    ``pack = m`` (PacGAN, Lin et al. 2018) stacks :math:`m` consecutive images along the channel
    axis and judges them together. Ablation flags (each breaks one guideline):
    ``downsample="pool"`` (3x3 stride-1 convolution + ``AvgPool2d(2)``), ``batchnorm=False``,
    ``input_batchnorm=True`` (batch norm on the input layer too: the known trap),
    ``activation="relu"``, ``fully_connected=True`` (the output convolution becomes a fully
    connected hidden layer of ``fc_units`` units and a ``Linear`` to the logit).
    ``spectral_norm=True`` wraps every convolution and linear layer in
    :class:`ganlab.models.SpectralNorm` (Miyato et al. 2018, chapter 8; SNGAN's D has no batch
    norm, so pair it with ``batchnorm=False``).
    ``norm_layer`` replaces ``torch.nn.BatchNorm2d``; ``init=True`` applies :func:`dcgan_init_`.
    """

    def __init__(self, channels: int = 1, image_size: int = 32, width: int = 64, pack: int = 1,
                 *, downsample: str = "strided", batchnorm: bool = True,
                 input_batchnorm: bool = False, activation: str = "leaky_relu",
                 fully_connected: bool = False, fc_units: int = 1024,
                 spectral_norm: bool = False,
                 norm_layer: Callable[[int], nn.Module] | None = None, init: bool = True,
                 rng: torch.Generator | None = None):
        super().__init__()
        stages = _check_common(image_size, channels, width)
        if isinstance(pack, bool) or not isinstance(pack, int) or pack < 1:
            raise ValueError(f"pack must be a positive int, got {pack!r}")
        _check_choice("downsample", downsample, _DOWNSAMPLE)
        _check_choice("activation", activation, _D_ACTIVATIONS)
        self.channels, self.image_size, self.width, self.pack = channels, image_size, width, pack
        self.downsample, self.batchnorm, self.activation = downsample, batchnorm, activation
        self.input_batchnorm, self.fully_connected = input_batchnorm, fully_connected
        norm = norm_layer or nn.BatchNorm2d

        widths = [width * 2 ** i for i in range(stages)]  # e.g. [w, 2w, 4w, 8w] at 64
        blocks: OrderedDict[str, nn.Module] = OrderedDict()
        blocks["input"] = self._block(channels * pack, widths[0], input_batchnorm, norm)
        for i, (c_in, c_out) in enumerate(zip(widths[:-1], widths[1:]), start=1):
            blocks[f"down{i}"] = self._block(c_in, c_out, batchnorm, norm)
        if fully_connected:
            blocks["output"] = nn.Sequential(
                nn.Flatten(), nn.Linear(widths[-1] * 16, fc_units), _activation(activation),
                nn.Linear(fc_units, 1))
        else:
            blocks["output"] = nn.Sequential(nn.Conv2d(widths[-1], 1, 4, 1, 0, bias=False))
        self.net = nn.Sequential(blocks)
        if init:
            dcgan_init_(self, rng)
        self.spectral_norm = spectral_norm
        if spectral_norm:
            spectral_norm_layers(self.net)

    def _block(self, c_in: int, c_out: int, with_norm: bool, norm) -> nn.Sequential:
        if self.downsample == "strided":
            layers: list[nn.Module] = [nn.Conv2d(c_in, c_out, 4, 2, 1, bias=False)]
        else:
            layers = [nn.Conv2d(c_in, c_out, 3, 1, 1, bias=False), nn.AvgPool2d(2)]
        if with_norm:
            layers.append(norm(c_out))
        layers.append(_activation(self.activation))
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of shape ``(N / pack,)`` for images ``x`` of shape ``(N, channels, S, S)``."""
        expected = (self.channels, self.image_size, self.image_size)
        if x.dim() != 4 or tuple(x.shape[1:]) != expected:
            got = "(N, " + ", ".join(map(str, x.shape[1:])) + ")" if x.dim() >= 1 else "a scalar"
            raise ValueError(f"DCGANDiscriminator(image_size={self.image_size}, "
                             f"channels={self.channels}) expects (N, {self.channels}, "
                             f"{self.image_size}, {self.image_size}), got {got} "
                             f"(full shape {tuple(x.shape)})")
        n = x.shape[0]
        if n % self.pack != 0:
            raise ValueError(f"pack={self.pack} needs a batch size divisible by {self.pack}, "
                             f"got {n}; use a batch size that is a multiple of {self.pack}.")
        x = x.reshape(n // self.pack, self.pack * self.channels, self.image_size, self.image_size)
        return self.net(x).reshape(-1)
