r"""Labelled images as one tensor: the image and one constant plane per class (chapter 10).

A conditional GAN (Mirza and Osindero, 2014) shows both players the label :math:`y` with the
image. ``ganlab`` keeps the data a plain tensor, so that :func:`ganlab.train.train_gan` and
:func:`ganlab.train.train_ensemble` train a conditional GAN unchanged: a labelled image
:math:`(x, y)` with :math:`K` classes is the tensor

.. math:: [\,x,\ e_y \mathbf{1}^\top\,] \in \mathbb{R}^{(C + K) \times H \times W},

the :math:`C` image channels followed by :math:`K` *label planes*: plane :math:`k` is 1
everywhere if :math:`y = k` and 0 everywhere otherwise (the one-hot vector :math:`e_y`
broadcast over the pixels). A batch drawn from such a tensor carries its labels with it, and
the conditional generator (:class:`ganlab.models.ConditionalDCGANGenerator`) appends the same
planes to its images, so real and generated batches have the same layout.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .digits import digits

__all__ = ["label_planes", "with_label_planes", "split_label_planes", "labelled_digits",
           "check_labels", "N_DIGIT_CLASSES"]

N_DIGIT_CLASSES = 10


def check_labels(labels, n_classes: int, name: str = "labels") -> torch.Tensor:
    """``labels`` as a 1-D ``long`` tensor of class indices in ``[0, n_classes)``, or an error.

    First used in chapter 10, through :func:`with_label_planes`.
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
        raise ValueError(f"n_classes must be an int >= 2, got {n_classes!r}")
    labels = torch.as_tensor(labels)
    if labels.dim() == 0:
        labels = labels.reshape(1)
    if labels.dim() != 1:
        raise ValueError(f"{name} must be a 1-D tensor of class indices, shape (N,); got shape "
                         f"{tuple(labels.shape)}")
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer class indices (e.g. torch.long), got dtype "
                        f"{labels.dtype}; one-hot vectors are made for you")
    if len(labels) and (int(labels.min()) < 0 or int(labels.max()) >= n_classes):
        raise ValueError(f"{name} must lie in 0..{n_classes - 1} ({n_classes} classes); got "
                         f"values from {int(labels.min())} to {int(labels.max())}")
    return labels.long()


def label_planes(labels, n_classes: int, size: int | tuple[int, int],
                 dtype: torch.dtype | None = None) -> torch.Tensor:
    r"""One-hot label planes, shape ``(N, n_classes, H, W)``: plane :math:`y_i` of row :math:`i` is 1.

    ``size`` is ``H`` (square) or ``(H, W)``. The planes are :math:`e_{y_i}` broadcast over the
    pixels, on the labels' device, in ``dtype`` (default: the default float dtype).
    First used in chapter 10, through :func:`with_label_planes`.
    """
    labels = check_labels(labels, n_classes)
    height, width = (size, size) if isinstance(size, int) else tuple(size)
    one_hot = F.one_hot(labels, n_classes).to(dtype or torch.get_default_dtype())
    return one_hot[:, :, None, None].expand(-1, -1, height, width)


def with_label_planes(images: torch.Tensor, labels, n_classes: int = N_DIGIT_CLASSES
                      ) -> torch.Tensor:
    """Images ``(N, C, H, W)`` and labels ``(N,)`` -> labelled images ``(N, C + n_classes, H, W)``.

    First used in chapter 10.
    """
    if not isinstance(images, torch.Tensor) or images.dim() != 4:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"images must be a tensor (N, C, H, W), got {shape}")
    labels = check_labels(labels, n_classes)
    if len(labels) != len(images):
        raise ValueError(f"give one label per image: {len(images)} images, {len(labels)} labels")
    planes = label_planes(labels.to(images.device), n_classes, tuple(images.shape[2:]),
                          dtype=images.dtype)
    return torch.cat([images, planes], dim=1)


def split_label_planes(labelled: torch.Tensor, n_classes: int = N_DIGIT_CLASSES
                       ) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Labelled images ``(N, C + K, H, W)`` -> ``(images (N, C, H, W), labels (N,))``.

    The label of row :math:`i` is :math:`\arg\max_k` of the mean of plane :math:`k` (exact for
    planes made by :func:`label_planes`). First used in chapter 10.
    """
    if not isinstance(labelled, torch.Tensor) or labelled.dim() != 4 \
            or labelled.shape[1] <= n_classes:
        shape = tuple(labelled.shape) if isinstance(labelled, torch.Tensor) else \
            type(labelled).__name__
        raise ValueError(f"labelled images must have shape (N, C + {n_classes}, H, W) with "
                         f"C >= 1 image channels and {n_classes} label planes; got {shape}")
    images, planes = labelled[:, :-n_classes], labelled[:, -n_classes:]
    return images, planes.mean(dim=(2, 3)).argmax(dim=1)


def labelled_digits(image_size: int = 16, split: str = "train") -> torch.Tensor:
    """The digits of :func:`ganlab.data.digits` with their labels as planes, ``(N, 11, S, S)`` (chapter 10).

    Channel 0 is the image in :math:`[-1, 1]`, channels 1-10 the one-hot label planes
    (:func:`with_label_planes`). A plain tensor: pass it to ``train_gan`` as the data.
    """
    data = digits(image_size, split)
    return with_label_planes(data.images, data.labels, N_DIGIT_CLASSES)
