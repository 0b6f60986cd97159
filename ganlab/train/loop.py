r"""The training loop every model shares: one core, a small step per model (chapters 2-9).

A GAN (:mod:`ganlab.train.gan`), CycleGAN (:mod:`ganlab.train.cyclegan`), a VAE
(:mod:`ganlab.train.vae`) and many seeds at once (:mod:`ganlab.train.ensemble`) differ only in
what one training step does. That step is an object; :func:`run` does the rest for all of them:

* the learning-rate schedule, :math:`\eta_t = \eta\,f(t)` with :func:`lr_factor`;
* calling ``step(t)`` for :math:`t = 1, \dots, T`; it returns one row of numbers (losses,
  gradient norms) for the history, kept on the device and copied to Python in chunks
  (:class:`History`), so a GPU is not made to wait once per number;
* snapshots for figures, every ``snapshot_interval`` steps and at the end;
* checkpoints every ``checkpoint_interval`` steps and at the end, and an exact resume: the
  step's own state (networks, optimisers, the run's ``torch.Generator``), torch's global
  random state, the step count, the history and the time so far;
* the divergence guard: an update whose loss or gradient is NaN or infinite is not taken
  (:func:`guarded_update` raises :class:`NonFinite` before ``optimizer.step()``), and the loop
  turns it into :class:`TrainingDiverged`, naming the step, the quantity, a fix and the last
  good checkpoint;
* a ``tqdm`` progress bar with the latest losses, and the wall-clock time.

A step object has ``keys`` (the names of its row), ``shown`` (progress-bar label -> key),
``optimizers()`` (pairs ``(optimizer, base learning rate)``), ``__call__(t)``,
``snapshot(t)``, ``state_dict()`` / ``load_state_dict(state)``, ``advice(quantity)`` and
``config`` (a dataclass with ``steps``, ``checkpoint``, ... and the mixin :class:`LoopSettings`),
and may have ``settings``, a dict of its own settings that a resumed run must share.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import time
from pathlib import Path

import torch

from .checkpoint import load_checkpoint, save_checkpoint

__all__ = ["run", "TrainingDiverged", "NonFinite", "LoopSettings", "guarded_update",
           "lr_factor", "Precision", "grad_norm", "frozen", "History", "Progress", "LR_SCHEDULES"]

LR_SCHEDULES = ("constant", "linear")
#: settings that change how a run is computed or shown, not its numbers: not compared on resume
_NOT_COMPARED = ("steps", "snapshot_every", "checkpoint", "checkpoint_every", "resume",
                 "progress", "device", "probe", "amp", "channels_last", "fused_adam", "compile")


class TrainingDiverged(RuntimeError):
    """A loss or gradient became NaN or infinite; training stopped before the bad update.

    Attributes: ``step`` (the step that failed), ``quantity`` (e.g. ``"d_loss"``),
    ``value`` and ``checkpoint`` (the path of the last good checkpoint, or ``None``).
    First used in chapter 4, through :func:`train_gan`.
    """

    def __init__(self, message: str, *, step: int, quantity: str, value: float,
                 checkpoint=None):
        super().__init__(message)
        self.step, self.quantity, self.value, self.checkpoint = step, quantity, value, checkpoint


class NonFinite(Exception):
    """Raised by a step when ``quantity`` is NaN or infinite; :func:`run` reports it (chapter 4)."""

    def __init__(self, quantity: str, value: torch.Tensor):
        super().__init__(quantity)
        self.quantity = quantity
        self.value = float(value.detach().float().reshape(-1)[0]) if value.numel() else math.nan


# --------------------------------------------------------------------------- settings

def lr_factor(schedule: str, step: int, steps: int) -> float:
    r"""The multiplier of the learning rates at step ``step`` (1-based) of ``steps`` (chapter 3).

    ``"constant"``: 1. ``"linear"``: :math:`1 - (t - 1)/T`, from 1 at the first step down to
    :math:`1/T` at the last, which lets the samples settle at the end of a run.
    """
    if schedule == "linear":
        return 1.0 - (step - 1) / steps
    if schedule == "constant":
        return 1.0
    raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES}, got {schedule!r}")


class LoopSettings:
    """What :func:`run` reads from a config dataclass, written once for all of them (chapter 2).

    The dataclass has the fields ``steps``, ``snapshot_every`` (``None``: every
    ``steps // default_snapshots`` steps; 0: none), ``checkpoint``, ``checkpoint_every``
    (``None``: ``steps // 10``), ``resume``, ``lr_schedule``, ``amp`` and ``progress``.
    """
    default_snapshots = 20

    @property
    def snapshot_interval(self) -> int:
        """Steps between snapshots (0: none)."""
        if self.snapshot_every is None:
            return max(1, self.steps // self.default_snapshots)
        return self.snapshot_every

    def snapshot_due(self, step: int) -> bool:
        """Whether a snapshot is taken after step ``step`` (0: before training)."""
        every = self.snapshot_interval
        return every > 0 and (step % every == 0 or step == self.steps)

    @property
    def checkpoint_interval(self) -> int:
        """Steps between checkpoints; ``None`` resolves to ``steps // 10``."""
        if self.checkpoint_every is None:
            return max(1, self.steps // 10)
        return self.checkpoint_every

    def lr_factor(self, step: int) -> float:
        """The multiplier of the learning rates at step ``step`` (see :func:`lr_factor`)."""
        return lr_factor(self.lr_schedule, step, self.steps)

    def resume_settings(self) -> dict:
        """The fields a checkpoint must share to be resumed (those that change the numbers)."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)
                if f.name not in _NOT_COMPARED}

    def _validate_loop(self) -> None:
        """Check the fields shared by every loop; raise ``ValueError`` saying what to change."""
        positive_int("steps", self.steps)
        positive_int("seed", self.seed, minimum=0)
        if self.snapshot_every is not None:
            positive_int("snapshot_every", self.snapshot_every, minimum=0)
        if self.checkpoint_every is not None:
            positive_int("checkpoint_every", self.checkpoint_every)
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES}, "
                             f"got {self.lr_schedule!r}")
        if self.amp not in Precision.MODES:
            raise ValueError(f"amp must be one of {Precision.MODES}, got {self.amp!r}")
        if self.resume and self.checkpoint is None:
            raise ValueError("resume=True needs checkpoint='path/to/run.pt': the file to "
                             "resume from")


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def positive_int(name: str, value, minimum: int = 1) -> None:
    """Raise ``ValueError`` unless ``value`` is an int >= ``minimum`` (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")


# --------------------------------------------------------------------------- one update

class Precision:
    """Mixed precision for ``amp`` in ``(False, True, "bf16", "fp16")`` on ``device`` (chapter 5).

    ``autocast()`` runs the forward pass in 16-bit floats (or does nothing when off);
    ``scaler()`` gives a gradient scaler, switched on only for float16 on a GPU, where small
    gradients would otherwise round to zero.
    """
    MODES = (False, True, "bf16", "fp16")

    def __init__(self, amp, device: torch.device):
        self.device = device
        self.dtype = None
        if amp == "fp16":
            self.dtype = torch.float16
        elif amp == "bf16":
            self.dtype = torch.bfloat16
        elif amp:  # True: bfloat16, or float16 on older GPUs without it
            bf16 = device.type != "cuda" or torch.cuda.is_bf16_supported()
            self.dtype = torch.bfloat16 if bf16 else torch.float16
        self.scaled = self.dtype == torch.float16 and device.type == "cuda"

    def autocast(self):
        """A context in which the forward pass runs in ``self.dtype`` (none when off)."""
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.dtype)

    def scaler(self) -> torch.amp.GradScaler:
        """A gradient scaler (a no-op unless float16 on a GPU)."""
        return torch.amp.GradScaler(self.device.type, enabled=self.scaled)


def grad_norm(parameters) -> torch.Tensor:
    r""":math:`\sqrt{\sum_p \lVert \nabla_p \rVert_2^2}` over the parameters that have a gradient.

    One ``torch._foreach_norm`` call for all the tensors (one kernel launch per group on a
    GPU). First used in chapter 4 (the gradient norms of the history).
    """
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)).float())


def guarded_update(loss: torch.Tensor, optimizer, parameters, quantity: str, player: str, *,
                   scaler: torch.amp.GradScaler | None = None) -> torch.Tensor:
    """Backward, check, step: one guarded optimiser update; returns the gradient norm.

    Raises :class:`NonFinite` *before* ``optimizer.step()`` when ``loss`` (called ``quantity``
    in the error) or the gradient norm of ``player``'s parameters is NaN or infinite, so the
    weights stay those of the last good step. One host sync: the check. With an enabled
    ``scaler`` (float16) a non-finite gradient is the scaler's business: it skips that step and
    lowers its scale. First used in chapter 4.
    """
    optimizer.zero_grad(set_to_none=True)
    if scaler is None:
        loss.backward()
    else:
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
    norm = grad_norm(parameters).to(loss.device)
    watched = loss.detach().float()
    if scaler is None or not scaler.is_enabled():
        watched = torch.stack([watched.reshape(()), norm])
    if not bool(torch.isfinite(watched).all()):
        if not bool(torch.isfinite(loss).all()):
            raise NonFinite(quantity, loss)
        raise NonFinite(f"the gradient norm of {player}", norm)
    if scaler is None:
        optimizer.step()
    else:
        scaler.step(optimizer)
        scaler.update()
    return norm


@contextlib.contextmanager
def frozen(parameters):
    r"""Turn off ``requires_grad`` of ``parameters`` inside the block (D during G's step).

    Autograd then computes :math:`\partial L_G / \partial x` through D's layers, which G needs,
    but not :math:`\partial L_G / \partial \theta_D`, which nobody uses. First used in chapter 3.
    """
    parameters = list(parameters)
    flags = [p.requires_grad for p in parameters]
    for p in parameters:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in zip(parameters, flags):
            p.requires_grad_(flag)


# --------------------------------------------------------------------------- records

class History:
    """The per-step rows, kept as device tensors and copied to ``lists`` in chunks (chapter 2).

    Reading a value on the host (``float(t)``, ``t.tolist()``) waits for the device; one
    ``flush`` per chunk instead of one read per step lets a GPU run ahead of Python. A row
    may be a vector (one number per key) or a matrix (one list per key, e.g. one per seed).
    """

    def __init__(self, keys: tuple, lists: dict | None = None):
        self.keys = tuple(keys)
        self.lists = lists if lists is not None else {key: [] for key in ("step",) + self.keys}
        self.pending: list[tuple[int, torch.Tensor]] = []

    def append(self, step: int, row: torch.Tensor) -> None:
        """Record ``row`` (the values of ``keys`` at ``step``, one device tensor)."""
        self.pending.append((step, row))

    def flush(self) -> dict:
        """Copy the pending rows to the lists (one host transfer) and return the lists."""
        if self.pending:
            rows = torch.stack([row for _, row in self.pending]).tolist()
            for (step, _), row in zip(self.pending, rows):
                self.lists["step"].append(step)
                for key, value in zip(self.keys, row):
                    self.lists[key].append(value)
            self.pending.clear()
        return self.lists


class Progress:
    """A ``tqdm.auto`` bar whose live losses are refreshed every ``total // 100`` steps only.

    First used in chapter 1, through :func:`train_gan`.
    """

    def __init__(self, enabled: bool, total: int, initial: int, desc: str):
        self.bar = None
        self.every = max(1, total // 100)
        if enabled:
            from tqdm.auto import tqdm  # imported on use: keeps `import ganlab` light
            self.bar = tqdm(total=total, initial=initial, desc=desc, unit="step",
                            dynamic_ncols=True)

    def due(self, step: int, total: int) -> bool:
        """Whether ``update(step, ...)`` shows new values (so they are worth reading)."""
        return self.bar is not None and (step % self.every == 0 or step == total)

    def update(self, step: int, total: int, **values: float) -> None:
        """Advance the bar by one step, showing ``values`` when due."""
        if self.bar is None:
            return
        if values and self.due(step, total):
            self.bar.set_postfix({k: f"{v:.3f}" for k, v in values.items()}, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        """Close the bar (leaving its last state on screen)."""
        if self.bar is not None:
            self.bar.close()


def _mean(value) -> float:
    return sum(value) / len(value) if isinstance(value, list) else value


# --------------------------------------------------------------------------- the loop

def run(step, *, desc: str) -> tuple[dict, float]:
    """Train with ``step`` for ``step.config.steps`` steps; returns ``(history, seconds)`` (ch. 2).

    Resumes from ``config.checkpoint`` when ``config.resume`` and the file exists (refusing a
    file saved with other settings), then for each step: set the learning rates, call
    ``step(t)``, record its row, snapshot, checkpoint, show progress. A :class:`NonFinite`
    from the step becomes :class:`TrainingDiverged`. ``seconds`` sums all resumed sessions.
    First used in chapter 1, through :func:`train_gan`.
    """
    config = step.config
    record = History(step.keys)
    start, seconds_before, saved = 0, 0.0, None
    path = config.checkpoint
    if config.resume and path is not None and Path(path).is_file():
        state = load_checkpoint(path)
        _check_resumable(state, step, path)
        step.load_state_dict(state["run"])
        torch.set_rng_state(state["torch_rng"])
        if torch.cuda.is_available() and state.get("cuda_rng") is not None:
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        record.lists = {key: list(values) for key, values in state["history"].items()}
        start, seconds_before, saved = int(state["step"]), float(state["seconds"]), path

    if start == 0 and config.snapshot_due(0):
        step.snapshot(0)
    progress = Progress(config.progress, config.steps, start, desc=desc)
    began = time.perf_counter()
    try:
        for t in range(start + 1, config.steps + 1):
            if config.lr_schedule != "constant":
                for optimizer, lr in step.optimizers():
                    for group in optimizer.param_groups:
                        group["lr"] = lr * config.lr_factor(t)
            try:
                record.append(t, step(t))
            except NonFinite as bad:
                raise _diverged(step, t, bad, saved) from None
            if config.snapshot_due(t):
                step.snapshot(t)
            if path is not None and (t % config.checkpoint_interval == 0 or t == config.steps):
                save_checkpoint(path, dict(
                    step=t, seconds=seconds_before + time.perf_counter() - began,
                    history=record.flush(), settings=_resume_settings(step),
                    run=step.state_dict(), torch_rng=torch.get_rng_state(),
                    cuda_rng=torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None))
                saved = path
            if progress.due(t, config.steps):
                last = {key: values[-1] for key, values in record.flush().items()}
                progress.update(t, config.steps,
                                **{label: _mean(last[key]) for label, key in step.shown.items()})
            else:
                progress.update(t, config.steps)
    finally:
        progress.close()
    return record.flush(), seconds_before + time.perf_counter() - began


def _diverged(step, t: int, bad: NonFinite, saved) -> TrainingDiverged:
    where = (f"the last good checkpoint is kept at {saved}; resume from it with "
             "resume=True after the change" if saved else
             "no checkpoint was saved (pass checkpoint='run.pt' to keep one)")
    return TrainingDiverged(
        f"training diverged at step {t}: {bad.quantity} is {bad.value} (NaN or infinite). "
        f"The models hold the weights from before this update. To fix it: "
        f"{step.advice(bad.quantity)}. {where.capitalize()}.",
        step=t, quantity=bad.quantity, value=bad.value, checkpoint=saved)


def _resume_settings(step) -> dict:
    """The config's settings that change the numbers, and the step's own (e.g. the seeds)."""
    return {**step.config.resume_settings(), **getattr(step, "settings", {})}


def _check_resumable(state: dict, step, path) -> None:
    now = _resume_settings(step)
    # settings newer than the file were at their defaults when it was written
    saved = {**type(step.config)().resume_settings(), **state.get("settings", {})}
    different = {key: (saved.get(key), now[key]) for key in now if saved.get(key) != now[key]}
    if different:
        listed = ", ".join(f"{k}: saved {a!r}, now {b!r}" for k, (a, b) in different.items())
        raise ValueError(f"cannot resume from {path}: it was saved with different settings "
                         f"({listed}). Use the saved settings, or another checkpoint path to "
                         "start a new run.")
