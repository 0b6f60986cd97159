"""Where the computation runs, and how to make it repeatable.

Introduced in chapter 1 (Generative models and GANs); every chapter's first code cell calls
:func:`get_device` and :func:`seed_everything`.
"""
from __future__ import annotations

import os
import random
import sys

import torch

__all__ = ["get_device", "seed_everything", "on_colab", "gpu_hint"]

_DEVICE_VARIABLE = "GANLAB_DEVICE"


def on_colab() -> bool:
    """True inside a Google Colab runtime (chapter 1, through :func:`get_device`)."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def gpu_hint() -> str | None:
    """One line for a Colab learner without a GPU, or ``None`` when there is nothing to say.

    First used in chapter 1, through :func:`get_device`.
    """
    if on_colab() and not torch.cuda.is_available():
        return ("No GPU in this Colab runtime: everything still runs, only slower. For speed, "
                "choose Runtime > Change runtime type > T4 GPU, then run the notebook again.")
    return None


def get_device(prefer: str | None = None, *, verbose: bool = False) -> torch.device:
    """Pick the fastest device at hand: CUDA, then Apple's MPS, then the CPU (chapter 1).

    ``prefer`` (or the environment variable ``GANLAB_DEVICE``) forces a choice, e.g. ``"cpu"``
    to reproduce the book's CPU figures on a GPU machine. On Colab without a GPU, prints how to
    switch one on.
    """
    choice = prefer or os.environ.get(_DEVICE_VARIABLE)
    if choice:
        device = torch.device(choice)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(f"{_DEVICE_VARIABLE}/prefer asks for {choice!r} but no CUDA GPU is "
                               "visible; use 'cpu' or unset it.")
        if device.type == "mps" and not _mps_available():
            raise RuntimeError(f"{_DEVICE_VARIABLE}/prefer asks for 'mps' but MPS is not available; "
                               "use 'cpu' or unset it.")
    elif torch.cuda.is_available():
        device = torch.device("cuda")
    elif _mps_available():
        device = torch.device("mps")
    else:
        device = torch.device("cpu")
    hint = gpu_hint()
    if hint:
        print(hint)
    elif verbose:
        print(f"ganlab runs on: {device}")
    return device


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def seed_everything(seed: int = 0, *, deterministic: bool = False) -> torch.Generator:
    """Seed Python, NumPy (if installed) and torch on every device; return a seeded CPU generator.

    First used in chapter 2. The same seed gives the same figures at every build.
    ``deterministic=True`` also asks cuDNN and torch for deterministic kernels (slower on a GPU).
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import numpy as np
        np.random.seed(seed % 2**32)
    except ImportError:  # numpy is optional for ganlab itself
        pass
    torch.manual_seed(seed)  # seeds CUDA and MPS too
    if deterministic:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
        torch.use_deterministic_algorithms(True, warn_only=True)
    return torch.Generator().manual_seed(seed)
