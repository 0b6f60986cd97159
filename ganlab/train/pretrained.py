"""Use shipped weights when they are there, train otherwise (chapters 5-9).

The long runs of the later chapters would take minutes on a CPU, so the chapters load
weights that ship with the package, and a learner who wants to see training happen sets a
flag such as ``TRAIN_FROM_SCRATCH = True``::

    G = load_or_train("dcgan_digits", lambda: train_gan(G, D, data).generator,
                      retrain=TRAIN_FROM_SCRATCH)
"""
from __future__ import annotations

from typing import Callable

from torch import nn

__all__ = ["load_or_train"]


def load_or_train(name: str, train_fn: Callable[[], nn.Module], *,
                  retrain: bool = False) -> nn.Module:
    """The shipped pretrained model ``name`` (eval mode), or ``train_fn()`` when asked or needed.

    With ``retrain=True`` it calls ``train_fn()`` and returns what it returns (the trained
    model). Otherwise it returns :func:`ganlab.pretrained.load` ``(name)``; if those weights
    are missing or broken it says so in one sentence and trains instead.
    """
    if not callable(train_fn):
        raise TypeError(f"train_fn must be a function that trains and returns the model, "
                        f"got {type(train_fn).__name__}")
    if not retrain:
        from .. import pretrained
        try:
            return pretrained.load(name)
        except pretrained.PretrainedError as error:
            print(f"No usable pretrained weights for {name!r} ({error}), so training from "
                  "scratch instead.")
    return train_fn()
