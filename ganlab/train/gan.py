r"""Algorithm 1 of Goodfellow et al. (2014): the GAN step, and :func:`train_gan` (chapters 2-6).

With Adam instead of plain SGD (Radford et al., 2016). Each of ``steps`` iterations

1. repeats ``k = d_steps`` times: draw a fresh real batch :math:`x^{(1..m)} \sim p_{data}` and
   a latent batch :math:`z^{(1..m)} \sim p_z`, and update D to lower

   .. math:: L_D = -\frac1m\sum_i \log D(x^{(i)}) - \frac1m\sum_i \log\bigl(1 - D(G(z^{(i)}))\bigr)

   (or the loss chosen by ``config.loss``). The fakes are computed without a graph to G
   (``torch.no_grad``, the same as ``.detach()``): the D step must not move G (chapter 3);
2. draws a new latent batch and updates G to lower :math:`L_G` (non-saturating by default,
   chapter 4). Gradients flow *through* D into G, but D's parameters are frozen
   (``requires_grad=False``) for this step: their gradients would never be used, and not
   computing them saves about a third of D's backward pass.

That is :meth:`GANStep.__call__`, :meth:`GANStep.discriminator_step` and
:meth:`GANStep.generator_step`, read top to bottom. Everything around it (history,
snapshots, checkpoints, the divergence guard, the learning-rate schedule, the progress bar) is
the shared loop of :mod:`ganlab.train.loop`.

Speed: ``config.reuse_fakes``, ``amp``, ``channels_last``, ``fused_adam`` and ``compile``
trade exactness or Algorithm 1 for speed (see :class:`TrainConfig`);
``benchmarks/dcgan_throughput.py`` measures them.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..losses import get_loss, r1_penalty
from .averaging import average_copy, update_average_
from .config import TrainConfig, resolve_config
from .loop import Precision, frozen, guarded_update, run
from .sampling import make_sampler

__all__ = ["train_gan", "GANStep", "TrainResult", "HISTORY_KEYS"]

HISTORY_KEYS = ("step", "d_loss", "g_loss", "d_real", "d_fake", "grad_norm_d", "grad_norm_g")


@dataclass
class TrainResult:
    r"""What :func:`train_gan` returns: the trained models and the record of the run (chapter 1).

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


class GANStep:
    """One iteration of Algorithm 1 for ``generator`` against ``discriminator`` (chapter 1).

    First used in chapter 1, through :func:`train_gan`.

    Holds what the iteration needs (the optimisers, the run's ``torch.Generator`` ``rng``, the
    real-batch sampler, the loss) and what the run records (``snapshots``, ``d_snapshots``,
    ``fixed_z``, the moving average). :func:`train_gan` builds one and hands it to the loop.
    """
    keys = HISTORY_KEYS[1:]
    shown = {"d_loss": "d_loss", "g_loss": "g_loss", "D_x": "d_real", "D_G_z": "d_fake"}

    def __init__(self, generator: nn.Module, discriminator: nn.Module, data,
                 config: TrainConfig):
        self.config = config
        pack = _check_models(generator, discriminator)
        if config.batch_size % pack != 0:
            raise ValueError(f"the discriminator packs {pack} samples together (PacGAN), so "
                             f"batch_size must be a multiple of {pack}; got {config.batch_size}. "
                             f"Use e.g. batch_size={max(pack, config.batch_size // pack * pack)}.")
        self.loss = get_loss(config.loss)
        self.device = device = (torch.device(config.device) if config.device is not None
                                else next(generator.parameters()).device)
        self.memory_format = (torch.channels_last if config.channels_last
                              else torch.contiguous_format)
        self.G, self.D = generator.to(device), discriminator.to(device)
        if config.channels_last:
            self.G.to(memory_format=self.memory_format)
            self.D.to(memory_format=self.memory_format)

        self.rng = torch.Generator().manual_seed(config.seed)  # draws fixed_z, then every batch
        self.fixed_z = generator.sample_latent(config.n_fixed, rng=self.rng, device="cpu")
        self.sample_real = make_sampler(data, self.rng, device)
        self.probe = None
        if config.probe is not None:  # with packing, each point is judged as a pack of copies
            probe = torch.as_tensor(config.probe).float().to(device)
            self.probe = probe.repeat_interleave(pack)[:, None]

        adam = dict(betas=tuple(config.betas), fused=True if config.fused_adam else None)
        self.opt_g = torch.optim.Adam(generator.parameters(), lr=config.lr_g, **adam)
        self.opt_d = torch.optim.Adam(discriminator.parameters(), lr=config.lr_d, **adam)
        self.precision = Precision(config.amp, device)
        self.scaler_g, self.scaler_d = self.precision.scaler(), self.precision.scaler()
        self.g_run = torch.compile(generator) if config.compile else generator
        self.d_run = torch.compile(discriminator) if config.compile else discriminator
        self.g_parameters = list(generator.parameters())
        self.d_parameters = list(discriminator.parameters())
        self.average = average_copy(generator) if config.ema else None
        self.snapshots: list = []
        self.d_snapshots: list = []
        self.shapes_checked = False
        generator.train()
        discriminator.train()

    # ------------------------------------------------------------------ Algorithm 1

    def __call__(self, step: int) -> torch.Tensor:
        """Iteration ``step``: ``k`` D updates, then one G update; returns the history row."""
        k, rows = self.config.d_steps, []
        for i in range(k):  # k discriminator steps, each on fresh batches
            row, fake = self.discriminator_step(keep_graph=self.config.reuse_fakes and i == k - 1)
            rows.append(row)
        loss_g, norm_g = self.generator_step(fake if self.config.reuse_fakes else None)
        if self.average is not None:
            update_average_(self.average, self.G, self.config.ema, step)
        d_loss, d_real, d_fake, norm_d = torch.stack(rows).mean(0)
        return torch.stack([d_loss, loss_g, d_real, d_fake, norm_d, norm_g])

    def discriminator_step(self, keep_graph: bool = False):
        """Lower :math:`L_D` on a fresh real batch and fresh fakes; returns (row, the fakes).

        The fakes carry G's graph only when ``keep_graph`` (for ``reuse_fakes``), and D sees
        them detached either way: this step must not move G.
        """
        c = self.config
        real = self.sample_real(c.batch_size)
        if c.r1:
            real = real.detach().requires_grad_(True)
        z = self.G.sample_latent(c.batch_size, rng=self.rng, device=self.device)
        with self.precision.autocast():
            with torch.set_grad_enabled(keep_graph):
                fake = self.g_run(z)
            self._check_shapes(real, fake)
            real_logits = self.d_run(self._layout(real))
            fake_logits = self.d_run(self._layout(fake.detach()))
            loss_d = self.loss.d(real_logits, fake_logits)
            if c.r1:
                loss_d = loss_d + r1_penalty(real, real_logits, c.r1)
        norm_d = guarded_update(loss_d, self.opt_d, self.d_parameters,
                                "the discriminator loss (d_loss)", "D", scaler=self.scaler_d)
        d_real, d_fake = real_logits.detach().float(), fake_logits.detach().float()
        if c.loss != "least_squares":  # show D(x) as a probability
            d_real, d_fake = torch.sigmoid(d_real), torch.sigmoid(d_fake)
        return torch.stack([loss_d.detach().float(), d_real.mean(), d_fake.mean(), norm_d]), fake

    def generator_step(self, fake: torch.Tensor | None = None):
        """Lower :math:`L_G` on new fakes (or ``fake``) through the frozen D; (loss, norm)."""
        with frozen(self.d_parameters):
            with self.precision.autocast():
                if fake is None:
                    z = self.G.sample_latent(self.config.batch_size, rng=self.rng,
                                             device=self.device)
                    fake = self.g_run(z)
                loss_g = self.loss.g(self.d_run(self._layout(fake)))
            norm_g = guarded_update(loss_g, self.opt_g, self.g_parameters,
                                    "the generator loss (g_loss)", "G", scaler=self.scaler_g)
        return loss_g.detach().float(), norm_g

    # ------------------------------------------------------------------ for the loop

    def optimizers(self):
        """``(optimizer, base learning rate)`` for the schedule."""
        return [(self.opt_g, self.config.lr_g), (self.opt_d, self.config.lr_d)]

    @torch.no_grad()
    def snapshot(self, step: int) -> None:
        """Record G(fixed_z) (the average's when there is one) and D on the probe."""
        was_training = self.G.training, self.D.training
        shown = self.average if self.average is not None else self.G
        shown.eval()
        self.D.eval()
        try:
            self.snapshots.append((step, shown(self.fixed_z.to(self.device)).float().cpu()))
            if self.probe is not None:
                judged = torch.sigmoid(self.D(self.probe).float()).cpu()
                self.d_snapshots.append((step, judged))
        finally:
            self.G.train(was_training[0])
            self.D.train(was_training[1])

    def state_dict(self) -> dict:
        """Everything the next iteration depends on, for a checkpoint."""
        return dict(generator=self.G.state_dict(), discriminator=self.D.state_dict(),
                    ema_generator=self.average.state_dict() if self.average is not None else None,
                    opt_g=self.opt_g.state_dict(), opt_d=self.opt_d.state_dict(),
                    scaler_g=self.scaler_g.state_dict(), scaler_d=self.scaler_d.state_dict(),
                    rng=self.rng.get_state(), snapshots=self.snapshots,
                    d_snapshots=self.d_snapshots, fixed_z=self.fixed_z)

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` saved."""
        self.G.load_state_dict(state["generator"])
        self.D.load_state_dict(state["discriminator"])
        if self.average is not None:
            self.average.load_state_dict(state["ema_generator"])
        for name in ("opt_g", "opt_d", "scaler_g", "scaler_d"):
            getattr(self, name).load_state_dict(state[name])
        self.rng.set_state(state["rng"])
        self.snapshots, self.d_snapshots = list(state["snapshots"]), list(state["d_snapshots"])
        self.fixed_z = state["fixed_z"]

    def advice(self, quantity: str) -> str:
        """What to change when ``quantity`` became NaN or infinite."""
        c = self.config
        tips = [f"lower the learning rates (lr_g={c.lr_g:g}, lr_d={c.lr_d:g}; try a tenth)"]
        if c.amp:
            tips.append("train without amp (float16 overflows more easily)")
        if c.loss == "saturating":
            tips.append("use loss='nonsaturating'")
        tips.append("check the data for NaN/Inf and its scale (images in [-1, 1])")
        return "; ".join(tips)

    def _layout(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=self.memory_format) if x.dim() == 4 else x

    def _check_shapes(self, real: torch.Tensor, fake: torch.Tensor) -> None:
        if self.shapes_checked:
            return
        if real.shape[1:] != fake.shape[1:]:
            raise ValueError(f"the data samples have shape {tuple(real.shape[1:])} but the "
                             f"generator makes samples of shape {tuple(fake.shape[1:])}; build "
                             "the generator for this data (e.g. out_dim, channels, image_size)")
        self.shapes_checked = True


def train_gan(generator: nn.Module, discriminator: nn.Module, data,
              config: TrainConfig | None = None, **overrides) -> TrainResult:
    r"""Train ``generator`` against ``discriminator`` on ``data`` (chapter 1).

    ``data``: a tensor ``(N, ...)`` (batches drawn with replacement), an
    :class:`ganlab.data.ImageData`, or a function ``sample(n, rng)`` returning fresh
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
    step = GANStep(generator, discriminator, data, config)
    history, seconds = run(step, desc="train_gan")
    return TrainResult(generator=step.G, discriminator=step.D, history=history,
                       snapshots=step.snapshots, d_snapshots=step.d_snapshots,
                       fixed_z=step.fixed_z, config=config, seconds=seconds,
                       step=history["step"][-1] if history["step"] else 0,
                       ema_generator=step.average.eval() if step.average is not None else None)


def _check_models(generator, discriminator) -> int:
    """The discriminator's pack size, after checking both models' types."""
    if not isinstance(generator, nn.Module) or not hasattr(generator, "sample_latent"):
        raise TypeError("generator must be a ganlab generator (an nn.Module with "
                        "sample_latent(n, rng=...)), e.g. ganlab.models.MLPGenerator; "
                        f"got {type(generator).__name__}")
    if not isinstance(discriminator, nn.Module):
        raise TypeError(f"discriminator must be an nn.Module, got {type(discriminator).__name__}")
    return int(getattr(discriminator, "pack", 1))
