r"""The shipped digit classifier and what it measures (chapter 8: evaluating GANs).

A small CNN trained on the *train* split of :func:`ganlab.data.digits` (16 × 16 images in
:math:`[-1, 1]`) by ``scripts/train_classifier.py``; its weights ship in
``ganlab/weights/digit_classifier.pt`` and are checked against ``manifest.json``. It plays the
part Inception-v3 plays for FID and the Inception Score: its penultimate layer gives
features for :func:`digit_fid`, its predictions give :func:`class_coverage`.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .frechet import frechet_distance

__all__ = ["DigitClassifier", "load_digit_classifier", "digit_features", "classify_digits",
           "digit_fid", "class_coverage", "IMAGE_SIZE", "N_CLASSES"]

IMAGE_SIZE = 16
N_CLASSES = 10


class DigitClassifier(nn.Module):
    """Two conv blocks and two linear layers: (N, 1, 16, 16) -> logits (N, 10) (chapter 1).

    First used in chapter 1, through :func:`class_coverage`.

    ``features(x)`` returns the ``feature_dim`` activations before the last layer.
    """

    def __init__(self, width: int = 16, feature_dim: int = 64):
        super().__init__()
        self.width, self.feature_dim = width, feature_dim
        self.body = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),          # 8 x 8
            nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 4 x 4
            nn.Flatten(),
            nn.Linear(2 * width * 4 * 4, feature_dim), nn.ReLU(),
        )
        self.head = nn.Linear(feature_dim, N_CLASSES)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Penultimate-layer features, shape (N, feature_dim)."""
        return self.body(images)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(images))


_CACHE: dict[str, DigitClassifier] = {}


def load_digit_classifier(device: torch.device | str = "cpu") -> DigitClassifier:
    """The shipped classifier in eval mode on ``device``, checksum verified (chapter 8).

    Loaded once per device through :func:`ganlab.pretrained.load` and cached.
    """
    key = str(torch.device(device))
    if key not in _CACHE:
        from ganlab.pretrained import load
        model = load("digit_classifier").to(key).eval()
        for parameter in model.parameters():
            parameter.requires_grad_(False)
        _CACHE[key] = model
    return _CACHE[key]


def prepare_images(images) -> torch.Tensor:
    """Check digit images and bring them to the classifier's input: (N, 1, 16, 16), float.

    Accepts ``ImageData``, (N, 1, H, W) or (N, H, W) tensors in :math:`[-1, 1]`; other sizes
    are resized (bilinear, antialiased when shrinking).
    """
    images = getattr(images, "images", images)  # ImageData
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a tensor or ImageData, got {type(images).__name__}")
    images = images.detach().float()
    if images.dim() == 3:
        images = images.unsqueeze(1)
    if images.dim() != 4 or images.shape[1] != 1 or len(images) == 0:
        raise ValueError(f"digit images must have shape (N, 1, H, W) or (N, H, W), got "
                         f"{tuple(images.shape)}")
    if not torch.isfinite(images).all():
        raise ValueError("images contain NaN or infinite values")
    low, high = float(images.min()), float(images.max())
    if low < -1.01 or high > 1.01:
        raise ValueError(f"digit images must lie in [-1, 1] (a tanh output), got values in "
                         f"[{low:.3g}, {high:.3g}]; rescale with images * 2 - 1 if they are in [0, 1]"
                         " or 0-255")
    if images.shape[-2:] != (IMAGE_SIZE, IMAGE_SIZE):
        shrink = images.shape[-1] > IMAGE_SIZE or images.shape[-2] > IMAGE_SIZE
        images = F.interpolate(images, size=(IMAGE_SIZE, IMAGE_SIZE), mode="bilinear",
                               align_corners=False, antialias=shrink)
    return images


@torch.no_grad()
def _batched(function_name: str, images, batch_size: int, device) -> torch.Tensor:
    images = prepare_images(images)
    device = torch.device(device) if device is not None else images.device
    model = load_digit_classifier(device)
    function = getattr(model, function_name)
    outputs = [function(batch.to(device)).cpu() for batch in images.split(batch_size)]
    return torch.cat(outputs)


def digit_features(images, *, batch_size: int = 512, device=None) -> torch.Tensor:
    """Penultimate-layer features of the shipped classifier, shape (N, 64), on the CPU (chapter 5).

    First used in chapter 5, through :func:`digit_fid`.

    Eval mode, no gradients, in batches of ``batch_size``; computed on ``device`` (default:
    the device of ``images``). Images other than 16 × 16 are resized first.
    """
    return _batched("features", images, batch_size, device)


def classify_digits(images, *, batch_size: int = 512, device=None) -> torch.Tensor:
    r"""Predicted digit :math:`\arg\max_c\, \text{logit}_c(x)` of every image, shape (N,) (chapter 5)."""
    return _batched("forward", images, batch_size, device).argmax(dim=1)


def digit_fid(images_a, images_b, *, batch_size: int = 512, device=None) -> float:
    r"""Fréchet distance between two sets of digit images in classifier-feature space (chapter 5).

    .. math:: d^2 = \|\mu_a - \mu_b\|^2 + \operatorname{Tr}\!\left(\Sigma_a + \Sigma_b
              - 2 (\Sigma_a\Sigma_b)^{1/2}\right)

    with means and covariances of :func:`digit_features` (see :func:`frechet_distance`). An
    "FID" on the course's classifier: compare it with the real-vs-real floor, e.g.
    ``digit_fid(digits(split="train").images, digits(split="test").images)``.
    """
    return frechet_distance(digit_features(images_a, batch_size=batch_size, device=device),
                            digit_features(images_b, batch_size=batch_size, device=device))


def class_coverage(images, min_share: float = 0.02, *, batch_size: int = 512,
                   device=None) -> tuple[int, torch.Tensor]:
    r"""How many of the ten digits a set of images contains, by the classifier (chapter 1).

    Returns ``(n_covered, histogram)``: ``histogram[c]`` counts the images classified as
    digit ``c`` (shape (10,)), and a class is covered if it holds at least ``min_share`` of
    the images, :math:`n_c / N \ge` ``min_share`` (default 2 %, a fifth of the uniform share,
    so a few misclassified images do not count as a generated digit). A generator that
    collapsed onto a few digits covers few classes, whatever its images look like.
    """
    if not 0 <= min_share <= 1:
        raise ValueError(f"min_share must be a share between 0 and 1, got {min_share!r}")
    labels = classify_digits(images, batch_size=batch_size, device=device)
    histogram = torch.bincount(labels, minlength=N_CLASSES)
    covered = histogram.double() / len(labels) >= min_share
    if min_share == 0:
        covered = histogram > 0
    return int(covered.sum()), histogram
