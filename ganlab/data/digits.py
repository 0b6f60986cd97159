r"""The handwritten digits that ship inside scikit-learn: the book's default image data.

1,797 grey images of 8 × 8 pixels (UCI optical digits), no download needed. They are
resized to ``image_size`` and scaled to :math:`[-1, 1]`, the range of the generator's
``tanh`` output. Introduced in chapter 5 (DCGAN).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch
import torch.nn.functional as F

__all__ = ["ImageData", "digits", "to_unit_range", "SPLIT_SEED"]

SPLIT_SEED = 2014  # fixes the train/test split for everyone, whatever else is seeded
TEST_FRACTION = 0.2
_SPLITS = ("train", "test", "all")


@dataclass(frozen=True)
class ImageData:
    """Images of shape ``(N, C, H, W)`` in :math:`[-1, 1]` with integer labels of shape ``(N,)``.

    First used in chapter 1, through :func:`digits`.
    """
    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.images)

    def to(self, device) -> "ImageData":
        return ImageData(self.images.to(device), self.labels.to(device))

    def subset(self, index) -> "ImageData":
        return ImageData(self.images[index], self.labels[index])


def to_unit_range(images: torch.Tensor) -> torch.Tensor:
    """Map images from :math:`[-1, 1]` back to :math:`[0, 1]` for display.

    First used in chapter 5.
    """
    return ((images + 1) / 2).clamp(0, 1)


@lru_cache(maxsize=1)
def _raw_digits() -> tuple[torch.Tensor, torch.Tensor]:
    from sklearn.datasets import load_digits  # heavy: loaded only when digits are asked for
    bunch = load_digits()
    images = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1) / 16.0
    return images, torch.tensor(bunch.target, dtype=torch.long)


def _split_index(labels: torch.Tensor, split: str) -> torch.Tensor:
    """A stratified split: the same 20 % of every class is held out, whatever the global seed."""
    if split == "all":
        return torch.arange(len(labels))
    rng = torch.Generator().manual_seed(SPLIT_SEED)
    chosen = []
    for digit in range(10):
        members = (labels == digit).nonzero().squeeze(1)
        members = members[torch.randperm(len(members), generator=rng)]
        n_test = round(TEST_FRACTION * len(members))
        chosen.append(members[:n_test] if split == "test" else members[n_test:])
    return torch.cat(chosen).sort().values


def digits(image_size: int = 16, split: str = "train") -> ImageData:
    """scikit-learn's digits as ``ImageData`` of shape ``(N, 1, image_size, image_size)`` (chapter 5).

    ``split`` is ``"train"`` (1,438 images), ``"test"`` (359, the same for every run) or
    ``"all"`` (1,797). Pixels are bilinearly resized from 8 × 8 and scaled to :math:`[-1, 1]`.
    """
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS}, got {split!r}")
    if isinstance(image_size, bool) or not isinstance(image_size, int) or image_size < 8:
        raise ValueError(f"image_size must be an int of at least 8 (the digits are 8 × 8), "
                         f"got {image_size!r}")
    images, labels = _raw_digits()
    index = _split_index(labels, split)
    images, labels = images[index], labels[index]
    if image_size != 8:
        images = F.interpolate(images, size=(image_size, image_size), mode="bilinear",
                               align_corners=False)
    return ImageData(images.clamp(0, 1) * 2 - 1, labels)
