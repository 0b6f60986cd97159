r"""Save and resume a training run exactly (chapter 5).

A checkpoint holds everything the next step depends on: both networks, both optimisers
(Adam's moment estimates :math:`m_t, v_t` and step counts), the gradient scaler of mixed
precision, the run's ``torch.Generator`` (which draws every batch), torch's global random
state, the step, the history and the snapshots. Restoring all of it makes a run stopped at
step :math:`s` and resumed identical, bit for bit on a CPU, to one that never stopped.

Files are written to a temporary name and then renamed (``os.replace`` is atomic), so a crash
or a diverging run never leaves a half-written checkpoint in place of the last good one.
"""
from __future__ import annotations

import os
from pathlib import Path

import torch

__all__ = ["save_checkpoint", "load_checkpoint", "CheckpointError"]

FORMAT = "ganlab.train/2"  # 2: the step's state under "run" (one loop for every model)


class CheckpointError(RuntimeError):
    """A checkpoint file is missing, unreadable, or belongs to different models.

    First used in chapter 5, through ``train_gan(resume=True)``.
    """


def save_checkpoint(path, state: dict) -> Path:
    """Write ``state`` (a dict of tensors, numbers, lists, dicts) to ``path`` atomically.

    First used in chapter 5, through ``train_gan(checkpoint=...)``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    torch.save({"format": FORMAT, **state}, temporary)
    os.replace(temporary, path)
    return path


def load_checkpoint(path, map_location="cpu") -> dict:
    """Read a checkpoint written by :func:`save_checkpoint` (tensors only, no pickled code).

    First used in chapter 5, through ``train_gan(resume=True)``.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:
        raise CheckpointError(f"cannot read the checkpoint {path} ({type(error).__name__}: "
                              f"{error}); delete it to start the run afresh") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a ganlab.train checkpoint")
    return state
