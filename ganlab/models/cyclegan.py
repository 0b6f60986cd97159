r"""CycleGAN networks, small enough for the CPU (Zhu et al., 2017; chapter 7).

Two generators :math:`G: X \to Y` and :math:`F: Y \to X` and two discriminators
:math:`D_Y, D_X` learn from *unpaired* images. The generator is the ResNet of Johnson et al.
(2016) as used by CycleGAN; the discriminator is a PatchGAN that scores overlapping patches
instead of the whole image; the image pool (Shrivastava et al., 2017) shows D a history of
generated images rather than only the latest ones. The losses (least-squares adversarial,
cycle consistency with :math:`\lambda = 10`, identity) are in :mod:`ganlab.losses`.
"""
from __future__ import annotations

import torch
from torch import nn

__all__ = ["ResnetGenerator", "ResnetBlock", "PatchDiscriminator", "ImagePool"]


def _positive_int(name: str, value, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")


def _norm(kind: str, channels: int) -> nn.Module:
    if kind == "instance":
        return nn.InstanceNorm2d(channels)  # no affine, no running stats, as in CycleGAN
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    return nn.Identity()


_NORMS = ("instance", "batch", "none")


def _check_images(name: str, x: torch.Tensor, channels: int, multiple: int, minimum: int) -> None:
    ok = x.dim() == 4 and x.shape[1] == channels
    ok = ok and all(s % multiple == 0 and s >= minimum for s in x.shape[2:])
    if not ok:
        raise ValueError(f"{name}(channels={channels}) expects images (N, {channels}, H, W) with "
                         f"H and W multiples of {multiple} and at least {minimum}, "
                         f"got {tuple(x.shape)}")


class ResnetBlock(nn.Module):
    r"""Residual block :math:`x + F(x)`, :math:`F` = two reflection-padded 3x3 convolutions (chapter 7).

    First used in chapter 7, through :func:`train_cyclegan`.
    """

    def __init__(self, channels: int, norm: str = "instance"):
        super().__init__()
        self.block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), _norm(norm, channels),
            nn.ReLU(inplace=True),
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), _norm(norm, channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The identity path keeps the input; the block learns only the change."""
        return x + self.block(x)


class ResnetGenerator(nn.Module):
    r"""CycleGAN generator, ``(N, channels, H, W)`` -> same shape in :math:`[-1, 1]` (chapter 7).

    ``c7s1-w, d2w, d4w, R4w x n_blocks, u2w, uw, c7s1-channels`` in the paper's notation:
    a reflection-padded 7x7 convolution, two stride-2 3x3 convolutions (downsampling),
    ``n_blocks`` residual blocks, two stride-2 transposed convolutions (upsampling), a
    reflection-padded 7x7 convolution and Tanh. Instance normalisation and ReLU after every
    convolution except the last. H and W must be multiples of 4 (at least 8).
    """

    def __init__(self, channels: int = 1, width: int = 32, n_blocks: int = 3, *,
                 norm: str = "instance"):
        super().__init__()
        _positive_int("channels", channels)
        _positive_int("width", width)
        _positive_int("n_blocks", n_blocks, minimum=0)
        if norm not in _NORMS:
            raise ValueError(f"norm must be one of {_NORMS}, got {norm!r}")
        self.channels, self.width, self.n_blocks = channels, width, n_blocks
        w = width
        layers: list[nn.Module] = [nn.ReflectionPad2d(3), nn.Conv2d(channels, w, 7),
                                   _norm(norm, w), nn.ReLU(inplace=True)]
        for mult in (1, 2):  # downsample: w -> 2w -> 4w channels, size / 4
            layers += [nn.Conv2d(w * mult, w * mult * 2, 3, stride=2, padding=1),
                       _norm(norm, w * mult * 2), nn.ReLU(inplace=True)]
        layers += [ResnetBlock(4 * w, norm) for _ in range(n_blocks)]
        for mult in (4, 2):  # upsample back: 4w -> 2w -> w channels, size x 4
            layers += [nn.ConvTranspose2d(w * mult, w * mult // 2, 3, stride=2, padding=1,
                                          output_padding=1),
                       _norm(norm, w * mult // 2), nn.ReLU(inplace=True)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(w, channels, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Translate images ``x`` to the other domain; the output has the shape of ``x``."""
        _check_images("ResnetGenerator", x, self.channels, multiple=4, minimum=8)
        return self.net(x)


class PatchDiscriminator(nn.Module):
    r"""PatchGAN discriminator: images -> raw score map ``(N, 1, h, w)`` (chapter 7).

    ``C64-C128-C256-C512`` in the paper (here ``width``, doubling, capped at 8 ``width``):
    ``n_layers`` stride-2 4x4 convolutions, one stride-1 4x4 convolution and a final 4x4
    convolution to one channel. LeakyReLU(0.2) everywhere, instance norm on every layer but the
    first. Each score judges one receptive-field patch (70x70 for ``n_layers=3``;
    ``n_layers=2`` sees 34x34, enough for 16x16 or 32x32 digits). No sigmoid: the scores go to
    least-squares or logit losses. For ``n_layers=2``: 32x32 -> 6x6 scores, 16x16 -> 2x2.
    """

    def __init__(self, channels: int = 1, width: int = 32, n_layers: int = 2, *,
                 norm: str = "instance"):
        super().__init__()
        _positive_int("channels", channels)
        _positive_int("width", width)
        _positive_int("n_layers", n_layers)
        if norm not in _NORMS:
            raise ValueError(f"norm must be one of {_NORMS}, got {norm!r}")
        self.channels, self.width, self.n_layers = channels, width, n_layers
        layers: list[nn.Module] = [nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        c_in = width
        for n in range(1, n_layers + 1):
            c_out = width * min(2 ** n, 8)
            stride = 2 if n < n_layers else 1  # the last of these keeps the size (minus one)
            layers += [nn.Conv2d(c_in, c_out, 4, stride, 1), _norm(norm, c_out),
                       nn.LeakyReLU(0.2, True)]
            c_in = c_out
        layers.append(nn.Conv2d(c_in, 1, 4, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Score map ``(N, 1, h, w)``: one raw realness score per patch of ``x``."""
        multiple = 2 ** self.n_layers
        _check_images("PatchDiscriminator", x, self.channels, multiple=multiple,
                      minimum=3 * multiple)
        return self.net(x)


class ImagePool:
    r"""History of generated images for the discriminator (Shrivastava et al., 2017; chapter 7).

    ``query(images)`` returns a batch of the same shape. While the pool holds fewer than
    ``size`` images, each new image is stored and returned. Once full, each image is, with
    probability 1/2, stored in place of a random older one which is returned instead, and
    otherwise returned as it is. ``size=0`` returns the input unchanged. Stored images are
    detached copies. ``rng`` (a CPU ``torch.Generator``) makes the choices repeatable.
    """

    def __init__(self, size: int = 50, rng: torch.Generator | None = None):
        _positive_int("size", size, minimum=0)
        self.size = size
        self.rng = rng
        self.images: list[torch.Tensor] = []

    def __len__(self) -> int:
        return len(self.images)

    @torch.no_grad()
    def query(self, images: torch.Tensor) -> torch.Tensor:
        """A batch mixing ``images`` with older ones from the pool, shape of ``images``."""
        if not isinstance(images, torch.Tensor) or images.dim() < 1:
            raise ValueError("ImagePool.query expects a batch tensor (N, ...), "
                             f"got {type(images).__name__}")
        if self.size == 0:
            return images
        out = []
        for image in images.detach():
            if len(self.images) < self.size:
                self.images.append(image.clone())
                out.append(image)
            elif torch.rand((), generator=self.rng) < 0.5:
                index = int(torch.randint(self.size, (), generator=self.rng))
                out.append(self.images[index].to(image.device))
                self.images[index] = image.clone()
            else:
                out.append(image)
        return torch.stack(out)
