r"""One alternating training loop for every GAN of the course (chapters 2-6).

Algorithm 1 of Goodfellow et al. (2014), with Adam instead of plain SGD (Radford et al., 2016).
For each of ``steps`` generator updates:

1. repeat ``k = d_steps`` times: draw a fresh real batch :math:`x^{(1..m)} \sim p_{data}` and
   a latent batch :math:`z^{(1..m)} \sim p_z`, and update D to lower

   .. math:: L_D = -\frac1m\sum_i \log D(x^{(i)}) - \frac1m\sum_i \log\bigl(1 - D(G(z^{(i)}))\bigr)

   (or the loss chosen by ``config.loss``). The fakes are computed without a graph to G
   (``torch.no_grad``, the same as ``.detach()``): the D step must not move G (chapter 3);
2. draw a new latent batch and update G to lower :math:`L_G` (non-saturating by default,
   chapter 4). Gradients flow *through* D into G, but D's parameters are frozen
   (``requires_grad=False``) for this step: their gradients would never be used, and not
   computing them saves about a third of D's backward pass. The G update is the same.

Along the way it records a history (losses, mean :math:`D(x)` and :math:`D(G(z))`, gradient
norms), snapshots :math:`G(z_{fixed})` for figures and animations, and :math:`D` on a probe
grid for chapter 2's figure. It saves resumable checkpoints and stops with
:class:`TrainingDiverged` when a loss or a gradient becomes NaN or infinite.

Speed: the history stays on the device and is copied to Python lists in chunks (at each
progress-bar refresh, snapshot, checkpoint and at the end), so the host waits for a GPU only
once per update, for the divergence check. ``config.reuse_fakes``, ``amp``,
``channels_last``, ``fused_adam`` and ``compile`` trade exactness or Algorithm 1 for speed
(see :class:`TrainConfig`); ``benchmarks/dcgan_throughput.py`` measures them.
"""
from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from ..losses import get_loss, r1_penalty
from .averaging import average_copy, update_average_
from .checkpoint import load_checkpoint, save_checkpoint
from .config import TrainConfig, resolve_config
from .sampling import make_sampler

__all__ = ["train_gan", "TrainResult", "TrainingDiverged", "HISTORY_KEYS"]

HISTORY_KEYS = ("step", "d_loss", "g_loss", "d_real", "d_fake", "grad_norm_d", "grad_norm_g")
#: settings that change the trajectory: a checkpoint only resumes a run that had the same ones
_RESUME_KEYS = ("batch_size", "loss", "d_steps", "lr_g", "lr_d", "betas", "seed", "n_fixed",
                "lr_schedule", "r1", "ema", "reuse_fakes")


class TrainingDiverged(RuntimeError):
    """A loss or gradient became NaN or infinite; training stopped before the bad update.

    Attributes: ``step`` (the generator step that failed), ``quantity`` (e.g. ``"d_loss"``),
    ``value`` and ``checkpoint`` (the path of the last good checkpoint, or ``None``).
    """

    def __init__(self, message: str, *, step: int, quantity: str, value: float,
                 checkpoint=None):
        super().__init__(message)
        self.step, self.quantity, self.value, self.checkpoint = step, quantity, value, checkpoint


@dataclass
class TrainResult:
    r"""What :func:`train_gan` returns: the trained models and the record of the run.

    ``history``: a dict of equally long lists, one entry per generator step, keys
    :data:`HISTORY_KEYS`: the step, both losses, ``d_real`` and ``d_fake`` (the mean of
    :math:`D(x)` and :math:`D(G(z))`, i.e. :math:`\sigma` of the logits; for the least-squares
    loss the raw scores, whose targets are 1 and 0) and the gradient norms
    :math:`\lVert\nabla_{\theta_D} L_D\rVert_2`, :math:`\lVert\nabla_{\theta_G} L_G\rVert_2`
    (averaged over the ``k`` D steps of a G step). ``snapshots``: ``[(step, G(fixed_z))]`` on
    the CPU, from step 0; ``d_snapshots``: ``[(step, sigmoid(D(probe)))]`` when a probe was
    given. ``seconds``: wall-clock training time (summed over resumed sessions).
    ``ema_generator``: the moving average of G's weights when ``config.ema`` is set (the
    snapshots then show it), else ``None``.
    """
    generator: nn.Module
    discriminator: nn.Module
    history: dict
    snapshots: list
    d_snapshots: list
    fixed_z: torch.Tensor
    config: TrainConfig
    seconds: float
    step: int = 0
    ema_generator: nn.Module | None = None

    @property
    def sampler(self) -> nn.Module:
        """The generator to draw samples from: the moving average when there is one."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def __repr__(self) -> str:
        last = {k: round(v[-1], 4) for k, v in self.history.items() if v and k != "step"}
        return (f"TrainResult(step={self.step}, seconds={self.seconds:.1f}, "
                f"snapshots={len(self.snapshots)}, last={last})")


# --------------------------------------------------------------------------- helpers

def _autocast_dtype(amp, device: torch.device):
    """The autocast dtype for ``config.amp`` on ``device`` (None: full float32)."""
    if amp is False:
        return None
    if amp == "fp16":
        return torch.float16
    if amp == "bf16":
        return torch.bfloat16
    if device.type == "cuda" and not torch.cuda.is_bf16_supported():
        return torch.float16  # older GPUs: float16 with loss scaling
    return torch.bfloat16


def _grad_norm(parameters) -> torch.Tensor:
    r""":math:`\sqrt{\sum_p \lVert \nabla_p \rVert_2^2}` over the parameters that have a gradient.

    One ``torch._foreach_norm`` call for all the tensors (one kernel launch per group on a GPU).
    """
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)).float())


def _is_finite(value: torch.Tensor) -> bool:
    return bool(torch.isfinite(value).all())


@contextlib.contextmanager
def _frozen(parameters):
    r"""Turn off ``requires_grad`` of ``parameters`` inside the block (D during G's step).

    Autograd then computes :math:`\partial L_G / \partial x` through D's layers, which G needs,
    but not :math:`\partial L_G / \partial \theta_D`, which nobody uses.
    """
    flags = [p.requires_grad for p in parameters]
    for p in parameters:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in zip(parameters, flags):
            p.requires_grad_(flag)


class _History:
    """The per-step records, kept as device tensors and copied to ``lists`` in chunks.

    Reading a value on the host (``float(t)``, ``t.tolist()``) waits for the device; one
    ``flush`` per chunk instead of one read per step lets a GPU run ahead of Python.
    """

    def __init__(self, lists: dict):
        self.lists = lists
        self.pending: list[tuple[int, torch.Tensor]] = []

    def append(self, step: int, row: torch.Tensor) -> None:
        """``row``: the values of ``HISTORY_KEYS[1:]`` at ``step``, one device tensor."""
        self.pending.append((step, row))

    def flush(self) -> dict:
        if self.pending:
            rows = torch.stack([row for _, row in self.pending]).tolist()
            for (step, _), row in zip(self.pending, rows):
                self.lists["step"].append(step)
                for key, value in zip(HISTORY_KEYS[1:], row):
                    self.lists[key].append(value)
            self.pending.clear()
        return self.lists


def _check_models(generator, discriminator) -> int:
    if not isinstance(generator, nn.Module) or not hasattr(generator, "sample_latent"):
        raise TypeError("generator must be a ganlab generator (an nn.Module with "
                        "sample_latent(n, generator=...)), e.g. ganlab.models.MLPGenerator; "
                        f"got {type(generator).__name__}")
    if not isinstance(discriminator, nn.Module):
        raise TypeError(f"discriminator must be an nn.Module, got {type(discriminator).__name__}")
    pack = getattr(discriminator, "pack", 1)
    return int(pack)


def _advice(quantity: str, config: TrainConfig) -> str:
    tips = [f"lower the learning rates (lr_g={config.lr_g:g}, lr_d={config.lr_d:g}; try a tenth)"]
    if config.amp:
        tips.append("train without amp (float16 overflows more easily)")
    if config.loss == "saturating":
        tips.append("use loss='nonsaturating'")
    tips.append("check the data for NaN/Inf and its scale (images in [-1, 1])")
    return "; ".join(tips)


class _Progress:
    """A ``tqdm.auto`` bar whose live losses are refreshed every ``every`` steps only."""

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
        if self.bar is None:
            return
        if values and self.due(step, total):
            self.bar.set_postfix({k: f"{v:.3f}" for k, v in values.items()}, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# --------------------------------------------------------------------------- the loop

def train_gan(generator: nn.Module, discriminator: nn.Module, data,
              config: TrainConfig | None = None, **overrides) -> TrainResult:
    r"""Train ``generator`` against ``discriminator`` on ``data`` (chapters 2-6).

    ``data``: a tensor ``(N, ...)`` (batches drawn with replacement), an
    :class:`ganlab.data.ImageData`, or a function ``sample(n, generator)`` returning fresh
    samples (e.g. :func:`ganlab.data.ring`). ``config``: a :class:`TrainConfig`; keyword
    ``overrides`` replace its fields (``train_gan(G, D, data, steps=500)``). The models are
    trained in place (build them after :func:`ganlab.seed_everything` for a repeatable
    initialisation) and returned in a :class:`TrainResult` with the history and snapshots.

    The run's ``torch.Generator``, seeded with ``config.seed``, first draws ``fixed_z``
    (``config.n_fixed`` points from ``generator.sample_latent``), then every real and latent
    batch, so the same seed and models give the same run. Raises :class:`TrainingDiverged`
    on a NaN or infinite loss or gradient, before the bad update.
    """
    config = resolve_config(config, overrides)
    pack = _check_models(generator, discriminator)
    if config.batch_size % pack != 0:
        raise ValueError(f"the discriminator packs {pack} samples together (PacGAN), so "
                         f"batch_size must be a multiple of {pack}; got {config.batch_size}. "
                         f"Use e.g. batch_size={max(pack, config.batch_size // pack * pack)}.")
    loss = get_loss(config.loss)
    least_squares = config.loss == "least_squares"
    device = (torch.device(config.device) if config.device is not None
              else next(generator.parameters()).device)
    memory_format = torch.channels_last if config.channels_last else torch.contiguous_format
    generator.to(device)
    discriminator.to(device)
    if config.channels_last:
        generator.to(memory_format=memory_format)
        discriminator.to(memory_format=memory_format)

    rng = torch.Generator().manual_seed(config.seed)
    fixed_z = generator.sample_latent(config.n_fixed, generator=rng, device="cpu")
    sample_real = make_sampler(data, rng, device)
    probe = None
    if config.probe is not None:
        probe = torch.as_tensor(config.probe).float().to(device).repeat_interleave(pack)[:, None]

    adam = dict(betas=tuple(config.betas), fused=True if config.fused_adam else None)
    opt_g = torch.optim.Adam(generator.parameters(), lr=config.lr_g, **adam)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=config.lr_d, **adam)
    amp_dtype = _autocast_dtype(config.amp, device)
    use_scaler = amp_dtype == torch.float16 and device.type == "cuda"
    scaler_g = torch.amp.GradScaler(device.type, enabled=use_scaler)
    scaler_d = torch.amp.GradScaler(device.type, enabled=use_scaler)

    def autocast():
        if amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=device.type, dtype=amp_dtype)

    g_run = torch.compile(generator) if config.compile else generator
    d_run = torch.compile(discriminator) if config.compile else discriminator

    def layout(x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=memory_format) if x.dim() == 4 else x

    history: dict[str, list] = {key: [] for key in HISTORY_KEYS}
    snapshots: list = []
    d_snapshots: list = []
    start, seconds_before = 0, 0.0
    checkpoint = config.checkpoint
    saved_checkpoint = None  # path of the last checkpoint this call could fall back to

    average = average_copy(generator) if config.ema else None
    if config.resume and checkpoint is not None and _exists(checkpoint):
        state = load_checkpoint(checkpoint)
        _check_resumable(state, config, checkpoint)
        generator.load_state_dict(state["generator"])
        if average is not None:
            average.load_state_dict(state["ema_generator"])
        discriminator.load_state_dict(state["discriminator"])
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
        scaler_g.load_state_dict(state["scaler_g"])
        scaler_d.load_state_dict(state["scaler_d"])
        rng.set_state(state["rng"])
        torch.set_rng_state(state["torch_rng"])
        if device.type == "cuda" and state.get("cuda_rng") is not None:
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        history = {key: list(values) for key, values in state["history"].items()}
        snapshots, d_snapshots = list(state["snapshots"]), list(state["d_snapshots"])
        fixed_z = state["fixed_z"]
        start, seconds_before = int(state["step"]), float(state["seconds"])
        saved_checkpoint = checkpoint
    fixed_z_device = fixed_z.to(device)

    @torch.no_grad()
    def take_snapshot(step: int) -> None:
        was_training = generator.training, discriminator.training
        shown = average if average is not None else generator
        shown.eval()
        discriminator.eval()
        try:
            snapshots.append((step, shown(fixed_z_device).float().cpu()))
            if probe is not None:
                # with packing, each probe point is judged as a pack of copies of itself
                d_snapshots.append((step, torch.sigmoid(discriminator(probe).float()).cpu()))
        finally:
            generator.train(was_training[0])
            discriminator.train(was_training[1])

    def diverged(step: int, quantity: str, value: torch.Tensor) -> TrainingDiverged:
        where = (f"the last good checkpoint is kept at {saved_checkpoint}; resume from it with "
                 "resume=True after the change" if saved_checkpoint else
                 "no checkpoint was saved (pass checkpoint='run.pt' to keep one)")
        number = float(value.detach().float().reshape(-1)[0]) if value.numel() else math.nan
        return TrainingDiverged(
            f"training diverged at step {step}: {quantity} is {number} (NaN or infinite). "
            f"The models hold the weights from before this update. To fix it: "
            f"{_advice(quantity, config)}. {where.capitalize()}.",
            step=step, quantity=quantity, value=number, checkpoint=saved_checkpoint)

    def update(loss_value, optimizer, scaler, parameters, step, name, quantity) -> torch.Tensor:
        """Backward, check, step; returns the gradient norm. One host sync: the check."""
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss_value).backward()
        scaler.unscale_(optimizer)
        norm = _grad_norm(parameters).to(device)
        watched = loss_value.detach().float()
        if not use_scaler:  # the scaler skips steps with non-finite gradients itself
            watched = torch.stack([watched, norm])
        if not _is_finite(watched):
            if not _is_finite(loss_value):
                raise diverged(step, quantity, loss_value)
            raise diverged(step, f"the gradient norm of {name}", norm)
        scaler.step(optimizer)
        scaler.update()
        return norm

    def d_step(step: int, with_graph: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """One D update on fresh batches; returns (record row, the fakes).

        The fakes carry G's graph when ``with_graph`` (to be reused by G's step), else none.
        """
        real = sample_real(config.batch_size)
        if config.r1:
            real = real.detach().requires_grad_(True)
        z = generator.sample_latent(config.batch_size, generator=rng, device=device)
        with autocast():
            with torch.set_grad_enabled(with_graph):
                fake = g_run(z)
            check_shapes(real, fake)
            real_logits = d_run(layout(real))
            fake_logits = d_run(layout(fake.detach()))
            loss_d = loss.d(real_logits, fake_logits)
            if config.r1:
                loss_d = loss_d + r1_penalty(real, real_logits, config.r1)
        norm_d = update(loss_d, opt_d, scaler_d, d_parameters, step, "D",
                        "the discriminator loss (d_loss)")
        d_real, d_fake = real_logits.detach().float(), fake_logits.detach().float()
        if not least_squares:
            d_real, d_fake = torch.sigmoid(d_real), torch.sigmoid(d_fake)
        return torch.stack([loss_d.detach().float(), d_real.mean(), d_fake.mean(), norm_d]), fake

    def g_step(step: int, fake: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """One G update through the frozen D; returns (loss, gradient norm)."""
        with _frozen(d_parameters):
            with autocast():
                if fake is None:
                    z = generator.sample_latent(config.batch_size, generator=rng, device=device)
                    fake = g_run(z)
                loss_g = loss.g(d_run(layout(fake)))
            norm_g = update(loss_g, opt_g, scaler_g, g_parameters, step, "G",
                            "the generator loss (g_loss)")
        return loss_g.detach().float(), norm_g

    shapes_checked = False

    def check_shapes(real, fake) -> None:
        nonlocal shapes_checked
        if not shapes_checked:
            _check_shapes(real, fake)
            shapes_checked = True

    generator.train()
    discriminator.train()
    if start == 0 and config.snapshot_due(0):
        take_snapshot(0)
    progress = _Progress(config.progress, config.steps, start, desc="train_gan")
    record = _History(history)
    d_parameters, g_parameters = list(discriminator.parameters()), list(generator.parameters())
    began = time.perf_counter()
    try:
        for step in range(start + 1, config.steps + 1):
            config.set_learning_rates(opt_g, opt_d, step)
            records = []
            for i in range(config.d_steps):  # k discriminator steps, each on fresh batches
                row, fake = d_step(step, with_graph=config.reuse_fakes and i == config.d_steps - 1)
                records.append(row)
            loss_g, norm_g = g_step(step, fake if config.reuse_fakes else None)
            if average is not None:
                update_average_(average, generator, config.ema, step)
            d_loss, d_real, d_fake, norm_d = torch.stack(records).mean(0)
            record.append(step, torch.stack([d_loss, loss_g, d_real, d_fake, norm_d, norm_g]))
            del fake
            if config.snapshot_due(step):
                take_snapshot(step)
            if checkpoint is not None and (step % config.checkpoint_interval == 0
                                           or step == config.steps):
                seconds = seconds_before + time.perf_counter() - began
                save_checkpoint(checkpoint, dict(
                    step=step, seconds=seconds,
                    generator=generator.state_dict(), discriminator=discriminator.state_dict(),
                    ema_generator=average.state_dict() if average is not None else None,
                    opt_g=opt_g.state_dict(), opt_d=opt_d.state_dict(),
                    scaler_g=scaler_g.state_dict(), scaler_d=scaler_d.state_dict(),
                    rng=rng.get_state(), torch_rng=torch.get_rng_state(),
                    cuda_rng=torch.cuda.get_rng_state_all() if device.type == "cuda" else None,
                    history=record.flush(), snapshots=snapshots, d_snapshots=d_snapshots,
                    fixed_z=fixed_z, settings=_settings(config)))
                saved_checkpoint = checkpoint
            if progress.due(step, config.steps):
                last = {key: values[-1] for key, values in record.flush().items()}
                progress.update(step, config.steps, d_loss=last["d_loss"],
                                g_loss=last["g_loss"], D_x=last["d_real"], D_G_z=last["d_fake"])
            else:
                progress.update(step, config.steps)
    finally:
        progress.close()
    history = record.flush()
    seconds = seconds_before + time.perf_counter() - began
    return TrainResult(generator=generator, discriminator=discriminator, history=history,
                       snapshots=snapshots, d_snapshots=d_snapshots, fixed_z=fixed_z,
                       config=config, seconds=seconds,
                       step=history["step"][-1] if history["step"] else 0,
                       ema_generator=average.eval() if average is not None else None)


def _exists(path) -> bool:
    from pathlib import Path
    return Path(path).is_file()


def _settings(config: TrainConfig) -> dict:
    return {key: (list(value) if isinstance(value, tuple) else value)
            for key in _RESUME_KEYS for value in [getattr(config, key)]}


def _check_resumable(state: dict, config: TrainConfig, path) -> None:
    saved, now = state.get("settings", {}), _settings(config)
    saved = {**_settings(TrainConfig()), **saved}  # keys newer than the file: their defaults
    different = {key: (saved[key], now[key]) for key in now if saved[key] != now[key]}
    if different:
        listed = ", ".join(f"{k}: saved {a!r}, now {b!r}" for k, (a, b) in different.items())
        raise ValueError(f"cannot resume from {path}: it was saved with different settings "
                         f"({listed}). Use the saved settings, or another checkpoint path to "
                         "start a new run.")


def _check_shapes(real: torch.Tensor, fake: torch.Tensor) -> None:
    if real.shape[1:] != fake.shape[1:]:
        raise ValueError(f"the data samples have shape {tuple(real.shape[1:])} but the generator "
                         f"makes samples of shape {tuple(fake.shape[1:])}; build the generator "
                         "for this data (e.g. out_dim, channels, image_size)")
