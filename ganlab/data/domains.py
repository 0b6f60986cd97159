r"""Unpaired image domains built from the embedded digits, for CycleGAN (chapter 7).

CycleGAN (Zhu et al., 2017) learns maps :math:`G: A \to B` and :math:`F: B \to A` from two
*unrelated* collections of images. To make that honest on a toy problem, the digits split is
cut into two disjoint, class-balanced halves: domain A is made of the first half, domain B
of the *other* half passed through a transform. No image of A has its counterpart in B, so
the model can only learn the style of each domain, never copy pairs. The labels are kept
for evaluation (does :math:`G(a)` still show the same digit?), not for training.

Kinds (:data:`DOMAIN_KINDS`):

* ``"invert"``: A white strokes on black, B black strokes on white, :math:`b = -a`.
  A global colour change, the easiest kind: CycleGAN's bread and butter.
* ``"bold"``: A the usual strokes, B strokes thickened by a 3 × 3 dilation (max-pooling).
  A local change of texture, like horse → zebra.
* ``"rotate"``: A upright, B turned by 90°. A *geometric* change, which Zhu et al. report
  as CycleGAN's typical failure; chapter 7 uses it as a "try it" experiment.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from .digits import ImageData, digits

__all__ = ["DomainPair", "unpaired_digits", "invert", "embolden", "rotate", "DOMAIN_KINDS",
           "DOMAIN_SEED"]

DOMAIN_SEED = 7  # fixes which half of each class goes to A, whatever else is seeded


def _check_images(images) -> torch.Tensor:
    if not isinstance(images, torch.Tensor) or images.dim() != 4:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"images must be a tensor of shape (N, C, H, W), got {shape}")
    return images


def invert(images: torch.Tensor) -> torch.Tensor:
    r"""Swap ink and paper: :math:`x \mapsto -x` on :math:`[-1, 1]` images (chapter 7).

    In :math:`[0, 1]` terms this is the photographic negative :math:`1 - x`.
    """
    return -_check_images(images)


def embolden(images: torch.Tensor, width: int = 3) -> torch.Tensor:
    r"""Thicken the strokes by a grey-scale dilation (chapter 7).

    .. math:: b_{ij} = \max_{|u|, |v| \le \lfloor w/2 \rfloor} a_{i+u,\, j+v}

    a max-pool with a ``width`` × ``width`` window and stride 1 (``width`` odd), so the
    bright ink spreads over its neighbours and the images keep their size and range.
    """
    images = _check_images(images)
    if isinstance(width, bool) or not isinstance(width, int) or width < 1 or width % 2 == 0:
        raise ValueError(f"width must be an odd positive int, got {width!r}")
    return F.max_pool2d(images, kernel_size=width, stride=1, padding=width // 2)


def rotate(images: torch.Tensor, quarter_turns: int = 1) -> torch.Tensor:
    """Turn the images counter-clockwise by ``quarter_turns`` × 90° (chapter 7)."""
    return torch.rot90(_check_images(images), quarter_turns, dims=(-2, -1))


#: kind -> (transform applied to domain B, description of A, description of B)
DOMAIN_KINDS: dict[str, tuple[Callable[[torch.Tensor], torch.Tensor], str, str]] = {
    "invert": (invert, "white on black", "black on white"),
    "bold": (embolden, "thin strokes", "bold strokes"),
    "rotate": (rotate, "upright", "turned 90°"),
}


@dataclass(frozen=True)
class DomainPair:
    """Two unpaired image domains: ``a`` and ``b`` are ``ImageData`` with no image in common.

    First used in chapter 7, through :func:`unpaired_digits`.
    """
    a: ImageData
    b: ImageData
    kind: str

    @property
    def names(self) -> tuple[str, str]:
        """Short descriptions of domains A and B, for figure titles."""
        _, name_a, name_b = DOMAIN_KINDS[self.kind]
        return name_a, name_b


def _halves(labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Split every class in two disjoint random halves (A gets the extra image of odd classes)."""
    rng = torch.Generator().manual_seed(DOMAIN_SEED)
    first, second = [], []
    for digit in labels.unique().tolist():
        members = (labels == digit).nonzero().squeeze(1)
        members = members[torch.randperm(len(members), generator=rng)]
        half = (len(members) + 1) // 2
        first.append(members[:half])
        second.append(members[half:])
    return torch.cat(first).sort().values, torch.cat(second).sort().values


def unpaired_digits(kind: str = "invert", image_size: int = 16,
                    split: str = "train") -> DomainPair:
    """Two unpaired digit domains for CycleGAN, built from disjoint halves of a split (chapter 7).

    ``kind`` is a key of :data:`DOMAIN_KINDS`; ``split`` and ``image_size`` are those of
    :func:`ganlab.data.digits`. Domain A is half of the split as it is, domain B the other
    half transformed. The same call always returns the same halves.
    """
    if kind not in DOMAIN_KINDS:
        raise ValueError(f"unknown domain kind {kind!r}; choose one of {sorted(DOMAIN_KINDS)}")
    data = digits(image_size=image_size, split=split)
    index_a, index_b = _halves(data.labels)
    transform = DOMAIN_KINDS[kind][0]
    b = data.subset(index_b)
    return DomainPair(a=data.subset(index_a), b=ImageData(transform(b.images), b.labels),
                      kind=kind)
