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

import copy
import warnings
from dataclasses import dataclass

import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from ..losses import get_loss, r1_penalty
from .averaging import average_copy, update_average_
from .config import TrainConfig, resolve_config
from .gan import HISTORY_KEYS, TrainResult, _check_models
from .loop import Precision, run
from .sampling import make_sampler

__all__ = ["ModelStack", "train_ensemble", "EnsembleResult", "EnsembleStep"]


class ModelStack(nn.Module):
    r"""S models of one architecture as one: ``stack(x)`` maps ``(S, B, ...)`` to ``(S, B', ...)``.

    ``models``: a list of S modules with the same structure (e.g. built by one recipe with S
    seeds). Their parameters and buffers are copied into stacked tensors of shape
    ``(S, *shape)``; ``stack.parameters()`` are those S-fold tensors, so any element-wise
    optimiser trains the S copies independently. ``stack.unstack(i)`` returns model ``i`` as an
    ordinary module holding the current weights (the stored measurements, through :func:`train_ensemble`). ``vectorize=False`` runs the S
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
    r"""What :func:`train_ensemble` returns: S runs, one per seed (the stored measurements that chapters 3, 5 and 8 show).

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


_UNSUPPORTED = {"channels_last": False, "compile": False, "reuse_fakes": False}


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


class EnsembleStep:
    """One step of Algorithm 1 for S seeds at once, as one batched model (chapter 3).

    The same iteration as :class:`ganlab.train.gan.GANStep`, on :class:`ModelStack`\\ s of the
    S generators and discriminators; a seed whose loss or gradient becomes NaN or infinite is
    frozen at its last good weights (``diverged``) while the others train on. Built by
    :func:`train_ensemble`, run by the shared loop of :mod:`ganlab.train.loop`.
    """
    keys = HISTORY_KEYS[1:]  # each entry of a row holds one number per seed
    shown = {"d_loss": "d_loss", "g_loss": "g_loss"}

    def __init__(self, generators: list, discriminators: list, data, seeds: list,
                 config: TrainConfig, pack: int):
        self.config, self.seeds, n_runs = config, seeds, len(seeds)
        self.settings = {"seeds": list(seeds)}  # a checkpoint resumes only these seeds
        self.loss = get_loss(config.loss)
        self.device = device = (torch.device(config.device) if config.device is not None
                                else next(generators[0].parameters()).device)
        self.template_g = generators[0]
        self.G = ModelStack([g.to(device) for g in generators],
                            vectorize=_vectorize(generators[0], device)).to(device)
        self.D = ModelStack([d.to(device) for d in discriminators],
                            vectorize=_vectorize(discriminators[0], device)).to(device)

        self.rngs = [torch.Generator().manual_seed(seed) for seed in seeds]
        self.fixed_z = [self.template_g.sample_latent(config.n_fixed, rng=rng, device="cpu")
                        for rng in self.rngs]
        self.draw_real = [make_sampler(data, rng, device) for rng in self.rngs]
        self.probe = None
        if config.probe is not None:
            probe = torch.as_tensor(config.probe).float().to(device)
            probe = probe.repeat_interleave(pack)[:, None]
            self.probe = probe.expand(n_runs, *probe.shape)

        fused = {"fused": True} if config.fused_adam else {}
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=config.lr_g,
                                      betas=tuple(config.betas), **fused)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=config.lr_d,
                                      betas=tuple(config.betas), **fused)
        self.precision = Precision(config.amp, device)
        if self.precision.scaled:
            raise ValueError("train_ensemble supports amp='bf16' (no loss scaling); float16 "
                             "needs a gradient scaler per seed: train single runs with train_gan")
        self.d_loss_each = vmap(self.loss.d)
        self.g_loss_each = vmap(self.loss.g)
        self.snapshots: list[list] = [[] for _ in seeds]
        self.d_snapshots: list[list] = [[] for _ in seeds]
        self.alive = torch.ones(n_runs, dtype=torch.bool, device=device)
        self.frozen: dict[str, dict] = {}  # weights of diverged seeds, restored after updates
        self.diverged: dict = {}
        self.average = average_copy(self.G) if config.ema else None
        self.G.train()
        self.D.train()

    def real_batch(self) -> torch.Tensor:
        """``(S, batch_size, ...)``: each seed's real batch, drawn with its own rng."""
        return torch.stack([sample(self.config.batch_size) for sample in self.draw_real])

    def latent_batch(self) -> torch.Tensor:
        """``(S, batch_size, latent_dim)``: each seed's latent batch, drawn with its own rng."""
        return torch.stack([self.template_g.sample_latent(self.config.batch_size, rng=rng,
                                                          device=self.device)
                            for rng in self.rngs])

    def __call__(self, step: int) -> torch.Tensor:
        """Iteration ``step`` for every seed; returns a ``(6, S)`` history row."""
        c = self.config
        d_records = []
        for _ in range(c.d_steps):  # k discriminator steps, each on fresh batches
            real = self.real_batch()
            if c.r1:
                real.requires_grad_(True)
            z = self.latent_batch()
            with self.precision.autocast():
                with torch.no_grad():
                    fake = self.G(z)
                real_logits, fake_logits = self.D(real), self.D(fake)
                losses_d = self.d_loss_each(real_logits, fake_logits)
                if c.r1:
                    losses_d = losses_d + r1_penalty(real, real_logits, c.r1, stacked=True)
            norm_d = self._update(losses_d, self.opt_d, self.D, step)
            d_real, d_fake = real_logits.detach().float(), fake_logits.detach().float()
            if c.loss != "least_squares":
                d_real, d_fake = torch.sigmoid(d_real), torch.sigmoid(d_fake)
            d_records.append(torch.stack([losses_d.detach().float(), d_real.flatten(1).mean(1),
                                          d_fake.flatten(1).mean(1), norm_d]))
        z = self.latent_batch()
        self.D.requires_grad_(False)  # G's step needs gradients through D, not for D's weights
        try:
            with self.precision.autocast():
                losses_g = self.g_loss_each(self.D(self.G(z)))
            norm_g = self._update(losses_g, self.opt_g, self.G, step)
        finally:
            self.D.requires_grad_(True)
        if self.average is not None:
            update_average_(self.average, self.G, c.ema, step)
        d_loss, d_real, d_fake, norm_d = torch.stack(d_records).mean(0)  # over the k D steps
        return torch.stack([d_loss, losses_g.detach().float(), d_real, d_fake, norm_d, norm_g])

    def _update(self, losses: torch.Tensor, optimizer, stack: ModelStack, step: int):
        """Backward the sum of the S losses, freeze failed seeds, step; per-seed norms."""
        optimizer.zero_grad(set_to_none=True)
        losses.sum().backward()
        norms = _per_seed_norms(stack.parameters())
        self._freeze_failed(step, losses, norms)
        optimizer.step()
        self._restore_frozen()
        return norms

    def _freeze_failed(self, step: int, *values: torch.Tensor) -> None:
        """Mark the seeds whose values are not finite as diverged and keep their weights."""
        failed = torch.zeros_like(self.alive)
        for value in values:
            failed |= ~torch.isfinite(value)
        failed &= self.alive
        if not bool(failed.any()):
            return
        for i in failed.nonzero().flatten().tolist():
            self.diverged[self.seeds[i]] = step
            warnings.warn(f"seed {self.seeds[i]} diverged at step {step} (a loss or gradient "
                          "became NaN or infinite); its weights are frozen from before that "
                          "step. Lower the learning rates to keep every seed alive.",
                          stacklevel=4)
        self.alive.copy_(self.alive & ~failed)
        for name, stack in (("G", self.G), ("D", self.D)):
            self.frozen[name] = {key: value.detach().clone()
                                 for key, value in stack.state_dict().items()}

    @torch.no_grad()
    def _restore_frozen(self) -> None:
        if not self.frozen:
            return
        dead = ~self.alive
        for name, stack in (("G", self.G), ("D", self.D)):
            for key, value in stack.state_dict().items():
                value[dead] = self.frozen[name][key][dead]

    def optimizers(self):
        """``(optimizer, base learning rate)`` for the schedule."""
        return [(self.opt_g, self.config.lr_g), (self.opt_d, self.config.lr_d)]

    @torch.no_grad()
    def snapshot(self, step: int) -> None:
        """Record each seed's G(fixed_z) (the averages' when there are some) and D on the probe."""
        shown = self.average if self.average is not None else self.G
        shown.eval()
        self.D.eval()
        try:
            images = shown(torch.stack(self.fixed_z).to(self.device)).float().cpu()
            for i, images_i in enumerate(images):
                self.snapshots[i].append((step, images_i))
            if self.probe is not None:
                judged = torch.sigmoid(self.D(self.probe).float()).cpu()
                for i, judged_i in enumerate(judged):
                    self.d_snapshots[i].append((step, judged_i))
        finally:
            self.G.train()
            self.D.train()

    def state_dict(self) -> dict:
        """Everything the next iteration depends on, for a checkpoint."""
        return dict(G=self.G.state_dict(), D=self.D.state_dict(),
                    average=self.average.state_dict() if self.average is not None else None,
                    opt_g=self.opt_g.state_dict(), opt_d=self.opt_d.state_dict(),
                    rngs=[rng.get_state() for rng in self.rngs], alive=self.alive,
                    frozen=self.frozen, diverged=self.diverged, snapshots=self.snapshots,
                    d_snapshots=self.d_snapshots, fixed_z=self.fixed_z)

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` saved."""
        for name in ("G", "D", "opt_g", "opt_d"):
            getattr(self, name).load_state_dict(state[name])
        if self.average is not None:
            self.average.load_state_dict(state["average"])
        for rng, rng_state in zip(self.rngs, state["rngs"]):
            rng.set_state(rng_state)
        self.alive.copy_(state["alive"])
        self.frozen, self.diverged = dict(state["frozen"]), dict(state["diverged"])
        self.snapshots = [list(s) for s in state["snapshots"]]
        self.d_snapshots = [list(s) for s in state["d_snapshots"]]
        self.fixed_z = list(state["fixed_z"])

    def advice(self, quantity: str) -> str:
        """What to change when ``quantity`` became NaN or infinite (seeds freeze instead)."""
        return f"lower the learning rates (lr_g={self.config.lr_g:g}, lr_d={self.config.lr_d:g})"


def train_ensemble(generators: list, discriminators: list, data, config: TrainConfig | None = None,
                   *, seeds: list | None = None, **overrides) -> EnsembleResult:
    r"""Train ``generators[i]`` against ``discriminators[i]`` for every seed at once (the stored measurements that chapters 3, 5 and 8 show).

    The same alternating algorithm as :func:`ganlab.train.train_gan` (k D steps on fresh real
    and latent batches, then one G step), run as one batched model (:class:`ModelStack`).
    ``seeds`` (default ``config.seed, config.seed + 1, ...``) seed each run's own
    ``torch.Generator``; run ``i`` equals ``train_gan(generators[i], discriminators[i], data,
    config, seed=seeds[i])`` up to rounding, so build model ``i`` with the recipe's seed
    ``seeds[i]`` (see :func:`ganlab.train.recipes.many`). ``data`` is shared, each seed drawing
    its own batches from it. Every other setting comes from ``config`` and ``overrides``,
    checkpoints and resume included; ``channels_last``, ``compile`` and ``reuse_fakes`` are
    for single runs.

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
    step = EnsembleStep(generators, discriminators, data, seeds, config, pack)
    history, seconds = run(step, desc=f"train_ensemble ({n_runs} seeds)")

    for i, (g, d) in enumerate(zip(generators, discriminators)):
        g.load_state_dict(step.G.state_dict_of(i))
        d.load_state_dict(step.D.state_dict_of(i))
    ema_generators = None
    if step.average is not None:
        ema_generators = [step.average.unstack(i).eval() for i in range(n_runs)]
    return EnsembleResult(generators=generators, discriminators=discriminators,
                          ema_generators=ema_generators, histories=_histories(history, n_runs),
                          snapshots=step.snapshots, d_snapshots=step.d_snapshots,
                          fixed_z=step.fixed_z, seeds=seeds, config=config, seconds=seconds,
                          diverged=step.diverged)


def _histories(history: dict, n_runs: int) -> list[dict]:
    """Per-seed history dicts from the loop's history, whose entries hold one value per seed."""
    return [{key: list(values) if key == "step" else [row[i] for row in values]
             for key, values in history.items()} for i in range(n_runs)]
