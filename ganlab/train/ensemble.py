r"""Many seeds as one model: S independent GAN runs trained at once (chapters 3, 5 and 8).

A claim such as "packing covers more modes" is only taught when it holds over seeds. Training
S seeds one after the other costs S times the time of one; on a CPU most of a small GAN's
step is overhead, not arithmetic, so stacking the S runs into one batched model costs far less.

The S copies of one architecture keep their own parameters, stacked along a new leading axis
(:func:`torch.func.stack_module_state`), and :func:`torch.func.vmap` runs the module once over
that axis: a linear layer becomes a batched matrix product, a convolution a grouped one. For
seed :math:`i` with parameters :math:`\theta_i`, the ensemble minimises

.. math:: L(\theta_1, \dots, \theta_S) = \sum_{i=1}^{S} L_i(\theta_i),
          \qquad \nabla_{\theta_i} L = \nabla_{\theta_i} L_i(\theta_i),

because no term depends on two seeds. Adam is element-wise, so one Adam over the stacked
tensors is exactly S separate Adams. Each seed draws its own fixed latent points, real batches
and latent batches from its own ``torch.Generator``, in the same order as
:func:`ganlab.train.train_gan`, and batch-norm statistics (running and per batch) stay per seed
because the batch axis lies inside the mapped axis. Seed :math:`i` of an ensemble is therefore
the standalone run of seed :math:`i`, up to floating-point rounding.
"""
from __future__ import annotations

import contextlib
import copy
import math
import time
import warnings
from dataclasses import dataclass

import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from ..losses import get_loss, r1_penalty
from .averaging import average_copy, update_average_
from .config import TrainConfig, resolve_config
from .loop import HISTORY_KEYS, TrainResult, _autocast_dtype, _check_models, _Progress
from .sampling import make_sampler

__all__ = ["ModelStack", "train_ensemble", "EnsembleResult"]


class ModelStack(nn.Module):
    r"""S models of one architecture as one: ``stack(x)`` maps ``(S, B, ...)`` to ``(S, B', ...)``.

    ``models``: a list of S modules with the same structure (e.g. built by one recipe with S
    seeds). Their parameters and buffers are copied into stacked tensors of shape
    ``(S, *shape)``; ``stack.parameters()`` are those S-fold tensors, so any element-wise
    optimiser trains the S copies independently. ``stack.unstack(i)`` returns model ``i`` as an
    ordinary module holding the current weights (chapter 3). ``vectorize=False`` runs the S
    models one after the other on their slices of the stacked tensors instead of with
    :func:`torch.func.vmap`: the same numbers, faster for convolutions on a CPU.
    """

    def __init__(self, models: list[nn.Module], vectorize: bool = True):
        super().__init__()
        self.vectorize = vectorize
        if not models:
            raise ValueError("ModelStack needs at least one model")
        first = models[0]
        for model in models[1:]:
            if type(model) is not type(first) or _shapes(model) != _shapes(first):
                raise ValueError("every model of a ModelStack must have the same architecture "
                                 f"(same class and parameter shapes); got {type(first).__name__} "
                                 f"and {type(model).__name__} with different shapes")
        params, buffers = stack_module_state(models)
        self.size = len(models)
        # the template holds no weights: every call swaps in the stacked ones
        self._template = [copy.deepcopy(first).to("meta")]
        self._names = list(params)
        self.stacked = nn.ParameterDict({_key(n): nn.Parameter(p.detach().clone())
                                         for n, p in params.items()})
        for name, buffer in buffers.items():
            self.register_buffer(_key(name), buffer.clone())
        self._buffer_names = list(buffers)

    @property
    def template(self) -> nn.Module:
        """The architecture (on the ``meta`` device: shapes only, no weights)."""
        return self._template[0]

    def _state(self) -> tuple[dict, dict]:
        params = {name: self.stacked[_key(name)] for name in self._names}
        buffers = {name: getattr(self, _key(name)) for name in self._buffer_names}
        return params, buffers

    def train(self, mode: bool = True) -> "ModelStack":
        super().train(mode)
        self.template.train(mode)
        return self

    def forward(self, x: torch.Tensor, *args) -> torch.Tensor:
        """Run model ``i`` on ``x[i]`` for every ``i``; ``x`` has shape ``(S, B, ...)``."""
        if x.shape[0] != self.size:
            raise ValueError(f"a ModelStack of {self.size} models expects inputs of shape "
                             f"({self.size}, batch, ...), one batch per model; got "
                             f"{tuple(x.shape)}")
        params, buffers = self._state()
        template = self.template

        def one(p, b, xi):
            return functional_call(template, (p, b), (xi, *args))
        if self.vectorize:
            return vmap(one)(params, buffers, x)
        return torch.stack([one({k: v[i] for k, v in params.items()},
                                {k: v[i] for k, v in buffers.items()}, x[i])
                            for i in range(self.size)])

    def unstack(self, index: int) -> nn.Module:
        """Model ``index`` as an ordinary module on this stack's device, a copy of its weights."""
        state = self.state_dict_of(index)
        device = next(iter(state.values())).device
        model = copy.deepcopy(self.template).to_empty(device=device)
        model.load_state_dict(state)
        return model.train(self.training)

    def state_dict_of(self, index: int) -> dict:
        """The ``state_dict`` model ``index`` would have (detached views of the stacked tensors)."""
        if not 0 <= index < self.size:
            raise IndexError(f"model index {index} out of range for {self.size} models")
        params, buffers = self._state()
        state = {name: value[index].detach() for name, value in {**params, **buffers}.items()}
        return {name: state[name] for name in self.template.state_dict()}


def _key(name: str) -> str:
    return name.replace(".", "__")


def _shapes(model: nn.Module) -> list:
    return [(name, tuple(t.shape)) for name, t in model.state_dict().items()]


@dataclass
class EnsembleResult:
    r"""What :func:`train_ensemble` returns: S runs, one per seed (chapters 3, 5 and 8).

    ``generators`` and ``discriminators``: the models passed in, trained in place (model
    ``i`` holds seed ``i``'s weights). ``histories``: one dict per seed with the keys of
    :data:`ganlab.train.HISTORY_KEYS`; ``snapshots``: one list ``[(step, G_i(fixed_z_i))]`` per
    seed; ``diverged``: ``{seed: step}`` for seeds whose loss or gradient became NaN or
    infinite (their weights were frozen from before that step). ``ema_generators``: the moving
    averages of G's weights when ``config.ema`` is set (the snapshots then show them).
    ``run(i)`` gives seed ``i`` as a :class:`TrainResult`, for every plot that takes one.
    """
    generators: list
    discriminators: list
    histories: list
    snapshots: list
    d_snapshots: list
    fixed_z: list
    seeds: list
    config: TrainConfig
    seconds: float
    diverged: dict
    ema_generators: list | None = None

    @property
    def samplers(self) -> list:
        """The generators to draw samples from: the moving averages when there are some."""
        return self.ema_generators if self.ema_generators is not None else self.generators

    def run(self, index: int) -> TrainResult:
        """Seed number ``index`` (its position in ``seeds``) as a :class:`TrainResult`."""
        history = self.histories[index]
        return TrainResult(generator=self.generators[index],
                           discriminator=self.discriminators[index], history=history,
                           snapshots=self.snapshots[index], d_snapshots=self.d_snapshots[index],
                           fixed_z=self.fixed_z[index], config=self.config,
                           seconds=self.seconds, step=history["step"][-1] if history["step"] else 0,
                           ema_generator=(self.ema_generators[index] if self.ema_generators
                                          else None))

    def __len__(self) -> int:
        return len(self.seeds)

    def __repr__(self) -> str:
        return (f"EnsembleResult(seeds={self.seeds}, steps={self.config.steps}, "
                f"seconds={self.seconds:.1f}, diverged={self.diverged})")


_UNSUPPORTED = {"checkpoint": None, "resume": False, "channels_last": False, "compile": False,
                "reuse_fakes": False}


def _per_seed_norms(parameters) -> torch.Tensor:
    r""":math:`\lVert\nabla_{\theta_i}\rVert_2` for each seed ``i``: a tensor of shape ``(S,)``."""
    squares = [p.grad.float().flatten(1).pow(2).sum(1) for p in parameters if p.grad is not None]
    return torch.stack(squares).sum(0).sqrt()


def _vectorize(model: nn.Module, device: torch.device) -> bool:
    """vmap, except for convolutional networks on a CPU.

    On a CPU a grouped convolution is no faster than the S convolutions it replaces and vmap
    adds layout copies (digits DCGAN, 5 seeds: 6.6 x one seed's time against 5.5 x with a
    loop over the seeds); a GPU runs the grouped convolution in parallel.
    """
    convolutional = any(isinstance(m, nn.modules.conv._ConvNd) for m in model.modules())
    return device.type != "cpu" or not convolutional


def train_ensemble(generators: list, discriminators: list, data, config: TrainConfig | None = None,
                   *, seeds: list | None = None, **overrides) -> EnsembleResult:
    r"""Train ``generators[i]`` against ``discriminators[i]`` for every seed at once (chapter 3).

    The same alternating algorithm as :func:`ganlab.train.train_gan` (k D steps on fresh real
    and latent batches, then one G step), run as one batched model (:class:`ModelStack`).
    ``seeds`` (default ``config.seed, config.seed + 1, ...``) seed each run's own
    ``torch.Generator``; run ``i`` equals ``train_gan(generators[i], discriminators[i], data,
    config, seed=seeds[i])`` up to rounding, so build model ``i`` with the recipe's seed
    ``seeds[i]`` (see :func:`ganlab.train.recipes.many`). ``data`` is shared, each seed drawing
    its own batches from it. Every other setting comes from ``config`` and ``overrides``;
    checkpoints, ``channels_last`` and ``compile`` are for single runs.

    A seed whose loss or gradient becomes NaN or infinite is frozen at its last good weights
    and reported in ``result.diverged``; the others train on.
    """
    config = resolve_config(config, overrides)
    for name, default in _UNSUPPORTED.items():
        if getattr(config, name) != default:
            raise ValueError(f"train_ensemble does not support {name}={getattr(config, name)!r}: "
                             "it is for single runs; train one seed with train_gan instead")
    generators, discriminators = list(generators), list(discriminators)
    if len(generators) != len(discriminators) or not generators:
        raise ValueError(f"give one discriminator per generator: got {len(generators)} "
                         f"generators and {len(discriminators)} discriminators")
    n_runs = len(generators)
    seeds = list(range(config.seed, config.seed + n_runs)) if seeds is None else list(seeds)
    if len(seeds) != n_runs or len(set(seeds)) != n_runs:
        raise ValueError(f"give {n_runs} distinct seeds, one per generator; got {seeds}")
    packs = {_check_models(g, d) for g, d in zip(generators, discriminators)}
    if len(packs) != 1:
        raise ValueError(f"every discriminator must pack the same number of samples, got {packs}")
    pack = packs.pop()
    if config.batch_size % pack:
        raise ValueError(f"the discriminators pack {pack} samples together (PacGAN), so "
                         f"batch_size must be a multiple of {pack}; got {config.batch_size}")
    loss = get_loss(config.loss)
    least_squares = config.loss == "least_squares"
    device = (torch.device(config.device) if config.device is not None
              else next(generators[0].parameters()).device)
    template_g = generators[0]
    G = ModelStack([g.to(device) for g in generators],
                   vectorize=_vectorize(generators[0], device)).to(device)
    D = ModelStack([d.to(device) for d in discriminators],
                   vectorize=_vectorize(discriminators[0], device)).to(device)

    rngs = [torch.Generator().manual_seed(seed) for seed in seeds]
    fixed_z = [template_g.sample_latent(config.n_fixed, generator=rng, device="cpu")
               for rng in rngs]
    draw_real = [make_sampler(data, rng, device) for rng in rngs]

    def real_batch() -> torch.Tensor:
        return torch.stack([sample(config.batch_size) for sample in draw_real])

    def latent_batch() -> torch.Tensor:
        return torch.stack([template_g.sample_latent(config.batch_size, generator=rng,
                                                     device=device) for rng in rngs])

    probe = None
    if config.probe is not None:
        probe = torch.as_tensor(config.probe).float().to(device).repeat_interleave(pack)[:, None]
        probe = probe.expand(n_runs, *probe.shape)

    fused = {"fused": True} if config.fused_adam else {}
    opt_g = torch.optim.Adam(G.parameters(), lr=config.lr_g, betas=tuple(config.betas), **fused)
    opt_d = torch.optim.Adam(D.parameters(), lr=config.lr_d, betas=tuple(config.betas), **fused)
    amp_dtype = _autocast_dtype(config.amp, device)
    if amp_dtype == torch.float16 and device.type == "cuda":
        raise ValueError("train_ensemble supports amp='bf16' (no loss scaling); float16 needs "
                         "a gradient scaler per seed: train single runs with train_gan")

    def autocast():
        if amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=device.type, dtype=amp_dtype)

    d_loss_each = vmap(loss.d)
    g_loss_each = vmap(loss.g)
    fixed_z_device = torch.stack(fixed_z).to(device)
    snapshots: list[list] = [[] for _ in seeds]
    d_snapshots: list[list] = [[] for _ in seeds]
    records: list[torch.Tensor] = []
    alive = torch.ones(n_runs, dtype=torch.bool, device=device)
    frozen: dict[str, dict] = {}  # weights of diverged seeds, restored after every update
    diverged: dict = {}

    average = average_copy(G) if config.ema else None

    @torch.no_grad()
    def take_snapshot(step: int) -> None:
        shown = average if average is not None else G
        shown.eval()
        D.eval()
        try:
            images = shown(fixed_z_device).float().cpu()
            for i in range(n_runs):
                snapshots[i].append((step, images[i]))
            if probe is not None:
                judged = torch.sigmoid(D(probe).float()).cpu()
                for i in range(n_runs):
                    d_snapshots[i].append((step, judged[i]))
        finally:
            G.train()
            D.train()

    def freeze_failed(step: int, *values: torch.Tensor) -> None:
        """Mark the seeds whose values are not finite as diverged and keep their weights."""
        failed = torch.zeros_like(alive)
        for value in values:
            failed |= ~torch.isfinite(value)
        failed &= alive
        if not bool(failed.any()):
            return
        for i in failed.nonzero().flatten().tolist():
            diverged[seeds[i]] = step
            warnings.warn(f"seed {seeds[i]} diverged at step {step} (a loss or gradient became "
                          "NaN or infinite); its weights are frozen from before that step. "
                          "Lower the learning rates to keep every seed alive.", stacklevel=3)
        alive.copy_(alive & ~failed)
        for name, stack in (("G", G), ("D", D)):
            frozen[name] = {key: value.detach().clone()
                            for key, value in stack.state_dict().items()}

    @torch.no_grad()
    def restore_frozen() -> None:
        if not frozen:
            return
        dead = ~alive
        for name, stack in (("G", G), ("D", D)):
            for key, value in stack.state_dict().items():
                value[dead] = frozen[name][key][dead]

    def update(loss_total: torch.Tensor, optimizer, stack: ModelStack) -> torch.Tensor:
        optimizer.zero_grad(set_to_none=True)
        loss_total.backward()
        norms = _per_seed_norms(stack.parameters())
        return norms

    G.train()
    D.train()
    if config.snapshot_due(0):
        take_snapshot(0)
    progress = _Progress(config.progress, config.steps, 0, desc=f"train_ensemble ({n_runs} seeds)")
    began = time.perf_counter()
    try:
        for step in range(1, config.steps + 1):
            config.set_learning_rates(opt_g, opt_d, step)
            d_records = []
            for _ in range(config.d_steps):
                real = real_batch()
                if config.r1:
                    real.requires_grad_(True)
                z = latent_batch()
                with autocast():
                    with torch.no_grad():
                        fake = G(z)
                    real_logits, fake_logits = D(real), D(fake)
                    losses_d = d_loss_each(real_logits, fake_logits)
                    if config.r1:
                        losses_d = losses_d + r1_penalty(real, real_logits, config.r1, stacked=True)
                norm_d = update(losses_d.sum(), opt_d, D)
                freeze_failed(step, losses_d, norm_d)
                opt_d.step()
                restore_frozen()
                d_real, d_fake = real_logits.detach().float(), fake_logits.detach().float()
                if not least_squares:
                    d_real, d_fake = torch.sigmoid(d_real), torch.sigmoid(d_fake)
                d_records.append(torch.stack([losses_d.detach().float(), d_real.flatten(1).mean(1),
                                              d_fake.flatten(1).mean(1), norm_d]))
            z = latent_batch()
            D.requires_grad_(False)  # G's step needs gradients through D, not for D's weights
            try:
                with autocast():
                    losses_g = g_loss_each(D(G(z)))
                norm_g = update(losses_g.sum(), opt_g, G)
            finally:
                D.requires_grad_(True)
            freeze_failed(step, losses_g, norm_g)
            opt_g.step()
            restore_frozen()
            if average is not None:
                update_average_(average, G, config.ema, step)
            d_part = torch.stack(d_records).mean(0)  # (4, S): averaged over the k D steps
            records.append(torch.cat([d_part, losses_g.detach().float()[None], norm_g[None]]))
            if config.snapshot_due(step):
                take_snapshot(step)
            if progress.due(step, config.steps):
                progress.update(step, config.steps, d_loss=float(d_part[0].mean()),
                                g_loss=float(losses_g.detach().float().mean()))
            else:
                progress.update(step, config.steps)
    finally:
        progress.close()
    seconds = time.perf_counter() - began

    for i, (g, d) in enumerate(zip(generators, discriminators)):
        g.load_state_dict(G.state_dict_of(i))
        d.load_state_dict(D.state_dict_of(i))
    histories = _histories(records, n_runs)
    ema_generators = None
    if average is not None:
        ema_generators = [average.unstack(i).eval() for i in range(n_runs)]
    return EnsembleResult(generators=generators, discriminators=discriminators,
                          ema_generators=ema_generators,
                          histories=histories, snapshots=snapshots, d_snapshots=d_snapshots,
                          fixed_z=fixed_z, seeds=seeds, config=config, seconds=seconds,
                          diverged=diverged)


def _histories(records: list, n_runs: int) -> list[dict]:
    """Per-seed history dicts from per-step ``(6, S)`` records (one host transfer at the end)."""
    order = ("d_loss", "d_real", "d_fake", "grad_norm_d", "g_loss", "grad_norm_g")
    table = torch.stack(records).cpu() if records else torch.zeros(0, len(order), n_runs)
    histories = []
    for i in range(n_runs):
        history = {key: [] for key in HISTORY_KEYS}
        history["step"] = list(range(1, len(table) + 1))
        for column, key in enumerate(order):
            history[key] = table[:, column, i].tolist()
        histories.append(history)
    return histories
