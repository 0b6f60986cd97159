r"""CycleGAN training on two unpaired image domains (Zhu et al., 2017; chapter 7).

Two generators, :math:`G: A \to B` (``g_ab``) and :math:`F: B \to A` (``g_ba``), and two
discriminators, :math:`D_B` judging images of B and :math:`D_A` judging images of A. Each
step draws a batch :math:`a` from A and :math:`b` from B and

1. updates both generators together to lower

   .. math::
       L_G = \underbrace{\overline{(D_B(G(a)) - 1)^2} + \overline{(D_A(F(b)) - 1)^2}}_{\text{adversarial (LSGAN)}}
       + \lambda \underbrace{\bigl(\lVert F(G(a)) - a\rVert_1 + \lVert G(F(b)) - b\rVert_1\bigr)}_{\text{cycle consistency}}
       + \lambda\,\lambda_{id} \underbrace{\bigl(\lVert G(b) - b\rVert_1 + \lVert F(a) - a\rVert_1\bigr)}_{\text{identity}}

   with :math:`\lambda = 10` and :math:`\lambda_{id} = 0.5` (the squared errors as in the
   authors' code, i.e. twice :func:`ganlab.losses.g_loss_least_squares`, which keeps LSGAN's 1/2);
2. updates both discriminators with the least-squares loss
   :math:`\tfrac12\overline{(D(y) - 1)^2} + \tfrac12\overline{D(\tilde y)^2}`, where the fakes
   :math:`\tilde y` come from an :class:`ganlab.models.ImagePool` of the last 50 generated
   images rather than only the newest batch.

Adam with learning rate 2e-4 and betas (0.5, 0.999), as in the paper (without its linear
learning-rate decay, which matters only for long runs).

``freeze_discriminators_at=k`` skips step 2 after step ``k``: from then on only the generators
learn, against two discriminators that no longer change (chapter 7 asks whether D should
stop learning early).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ..losses import cycle_loss, d_loss_least_squares, g_loss_least_squares, identity_loss
from .config import resolve_config
from .loop import LoopSettings, Precision, guarded_update, positive_int, run
from .sampling import make_sampler

__all__ = ["CycleGANConfig", "CycleGANResult", "CycleGANStep", "train_cyclegan",
           "build_cyclegan_models", "CYCLEGAN_HISTORY_KEYS"]

CYCLEGAN_HISTORY_KEYS = ("step", "g_loss", "adversarial", "cycle", "identity", "d_a_loss",
                         "d_b_loss", "grad_norm_g", "grad_norm_d")


@dataclass
class CycleGANConfig(LoopSettings):
    """Hyper-parameters of :func:`train_cyclegan` (chapter 7, through :func:`train_cyclegan`).

    ``width``/``n_blocks`` size the two :class:`~ganlab.models.ResnetGenerator`\\ s,
    ``d_width``/``n_layers`` the two :class:`~ganlab.models.PatchDiscriminator`\\ s (used only
    when the models are not passed in). ``seed`` fixes the models' N(0, 0.02) initialisation,
    every batch and the image pools. ``snapshot_every`` (``None``: ``steps // 10``, 0: none)
    records the translations of ``n_fixed`` fixed images of each domain.
    ``freeze_discriminators_at`` (``None``: never): the last step at which the discriminators
    are updated; after it only the generators learn (with the same losses and optimiser), the
    image pools are no longer read, and the history records NaN for the discriminators' losses.
    ``lr_schedule``, ``amp``, ``checkpoint``, ``checkpoint_every`` and ``resume`` work as in
    :class:`~ganlab.train.TrainConfig`: the loop is the same.
    """
    steps: int = 2000
    batch_size: int = 16
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    lambda_cycle: float = 10.0
    lambda_identity: float = 0.5
    pool_size: int = 50
    width: int = 32
    n_blocks: int = 3
    d_width: int = 32
    n_layers: int = 2
    seed: int = 0
    snapshot_every: int | None = None
    n_fixed: int = 8
    progress: bool = True
    device: Any = None
    freeze_discriminators_at: int | None = None
    lr_schedule: str = "constant"
    amp: bool | str = False
    checkpoint: Any = None
    checkpoint_every: int | None = None
    resume: bool = False

    default_snapshots = 10

    def validate(self) -> "CycleGANConfig":
        """Check every field; raise ``ValueError`` saying what to change."""
        self._validate_loop()
        for name in ("batch_size", "width", "d_width", "n_layers", "n_fixed"):
            positive_int(name, getattr(self, name))
        for name in ("pool_size", "n_blocks"):
            positive_int(name, getattr(self, name), minimum=0)
        if self.freeze_discriminators_at is not None:
            positive_int("freeze_discriminators_at", self.freeze_discriminators_at, minimum=0)
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr!r}")
        for name in ("lambda_cycle", "lambda_identity"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        return self


@dataclass
class CycleGANResult:
    r"""The trained networks and the record of a :func:`train_cyclegan` run.

    ``history``: one entry per step for each key of ``CYCLEGAN_HISTORY_KEYS``.
    ``snapshots``: ``[(step, G(fixed_a), F(fixed_b))]`` on the CPU; ``fixed_a``, ``fixed_b``:
    the fixed images of each domain. First used in chapter 7.
    """
    g_ab: nn.Module
    g_ba: nn.Module
    d_a: nn.Module
    d_b: nn.Module
    history: dict
    snapshots: list
    fixed_a: torch.Tensor
    fixed_b: torch.Tensor
    config: CycleGANConfig
    seconds: float

    @torch.no_grad()
    def translate(self, images: torch.Tensor, direction: str = "ab") -> torch.Tensor:
        """Translate images A -> B (``"ab"``) or B -> A (``"ba"``) in eval mode, on the CPU."""
        if direction not in ("ab", "ba"):
            raise ValueError(f"direction must be 'ab' or 'ba', got {direction!r}")
        model = self.g_ab if direction == "ab" else self.g_ba
        was_training = model.training
        model.eval()
        try:
            device = next(model.parameters()).device
            return model(images.to(device)).cpu()
        finally:
            model.train(was_training)


def build_cyclegan_models(channels: int, config: CycleGANConfig) -> dict[str, nn.Module]:
    """``g_ab, g_ba, d_a, d_b`` with CycleGAN's N(0, 0.02) initialisation drawn from ``config.seed``.

    First used in chapter 7, through :func:`train_cyclegan`.
    """
    from ..models import PatchDiscriminator, ResnetGenerator, dcgan_init_
    init = torch.Generator().manual_seed(config.seed)
    models = {
        "g_ab": ResnetGenerator(channels, config.width, config.n_blocks),
        "g_ba": ResnetGenerator(channels, config.width, config.n_blocks),
        "d_a": PatchDiscriminator(channels, config.d_width, config.n_layers),
        "d_b": PatchDiscriminator(channels, config.d_width, config.n_layers),
    }
    for model in models.values():
        dcgan_init_(model, init)  # N(0, 0.02) weights, zero biases: CycleGAN's "normal" init
    return models


def _images_of(domain, name: str) -> torch.Tensor:
    images = getattr(domain, "images", domain)
    if not isinstance(images, torch.Tensor) or images.dim() != 4:
        raise ValueError(f"domain {name} must hold images (N, C, H, W), got "
                         f"{tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__}")
    return images


class CycleGANStep:
    """One CycleGAN step: both generators, then both discriminators (chapter 7).

    Built by :func:`train_cyclegan`, run by the shared loop of :mod:`ganlab.train.loop`.
    """
    keys = CYCLEGAN_HISTORY_KEYS[1:]
    shown = {"g_loss": "g_loss", "cycle": "cycle", "d_a": "d_a_loss", "d_b": "d_b_loss"}

    def __init__(self, images_a: torch.Tensor, images_b: torch.Tensor, models: dict,
                 config: CycleGANConfig):
        self.config = config
        first = next(models["g_ab"].parameters())
        self.device = device = (torch.device(config.device) if config.device is not None
                                else first.device)
        for model in models.values():
            model.to(device).train()
        self.g_ab, self.g_ba = models["g_ab"], models["g_ba"]
        self.d_a, self.d_b = models["d_a"], models["d_b"]

        self.rng = rng = torch.Generator().manual_seed(config.seed)
        # the fixed images of the snapshots: the run's first draws, A then B
        self.fixed_a = images_a[torch.randperm(len(images_a), generator=rng)[:config.n_fixed]]
        self.fixed_b = images_b[torch.randperm(len(images_b), generator=rng)[:config.n_fixed]]
        self.sample_a = make_sampler(images_a, rng, device)
        self.sample_b = make_sampler(images_b, rng, device)
        from ..models import ImagePool
        self.pool_a = ImagePool(config.pool_size, rng=rng)  # coin flips from the run's rng
        self.pool_b = ImagePool(config.pool_size, rng=rng)

        self.g_parameters = list(self.g_ab.parameters()) + list(self.g_ba.parameters())
        self.d_parameters = list(self.d_a.parameters()) + list(self.d_b.parameters())
        self.opt_g = torch.optim.Adam(self.g_parameters, lr=config.lr, betas=tuple(config.betas))
        self.opt_d = torch.optim.Adam(self.d_parameters, lr=config.lr, betas=tuple(config.betas))
        self.precision = Precision(config.amp, device)
        self.scaler_g, self.scaler_d = self.precision.scaler(), self.precision.scaler()
        self.snapshots: list = []

    def __call__(self, step: int) -> torch.Tensor:
        """Step ``step``: update G and F together, then D_A and D_B; returns the history row."""
        c = self.config
        d_learns = c.freeze_discriminators_at is None or step <= c.freeze_discriminators_at
        if not d_learns and self.d_parameters[0].requires_grad:
            for parameter in self.d_parameters:  # D stops learning: no gradients through it
                parameter.requires_grad_(False)
        real_a, real_b = self.sample_a(c.batch_size), self.sample_b(c.batch_size)
        # 1. both generators: adversarial + cycle + identity
        with self.precision.autocast():
            fake_b, fake_a = self.g_ab(real_a), self.g_ba(real_b)
            adversarial = 2 * (g_loss_least_squares(self.d_b(fake_b))
                               + g_loss_least_squares(self.d_a(fake_a)))
            cycle = cycle_loss(real_a, self.g_ba(fake_b)) + cycle_loss(real_b, self.g_ab(fake_a))
            identity = torch.zeros((), device=self.device)
            if c.lambda_identity > 0:
                identity = (identity_loss(real_b, self.g_ab(real_b))
                            + identity_loss(real_a, self.g_ba(real_a)))
            loss_g = (adversarial + c.lambda_cycle * cycle
                      + c.lambda_cycle * c.lambda_identity * identity)
        norm_g = guarded_update(loss_g, self.opt_g, self.g_parameters, "the generators' loss",
                                "the generators", scaler=self.scaler_g)
        # 2. both discriminators, on pooled fakes (unless they are frozen by now)
        if d_learns:
            with self.precision.autocast():
                loss_d_a = d_loss_least_squares(self.d_a(real_a),
                                                self.d_a(self.pool_a.query(fake_a.detach())))
                loss_d_b = d_loss_least_squares(self.d_b(real_b),
                                                self.d_b(self.pool_b.query(fake_b.detach())))
            norm_d = guarded_update(loss_d_a + loss_d_b, self.opt_d, self.d_parameters,
                                    "the discriminators' loss", "the discriminators",
                                    scaler=self.scaler_d)
        else:
            loss_d_a = loss_d_b = torch.full((), float("nan"), device=self.device)
            norm_d = torch.zeros((), device=self.device)
        return torch.stack([loss_g, adversarial, cycle, identity, loss_d_a, loss_d_b,
                            norm_g, norm_d]).detach().float()

    def optimizers(self):
        """``(optimizer, base learning rate)`` for the schedule."""
        return [(self.opt_g, self.config.lr), (self.opt_d, self.config.lr)]

    @torch.no_grad()
    def snapshot(self, step: int) -> None:
        """Record G(fixed_a) and F(fixed_b) in eval mode."""
        self.g_ab.eval(), self.g_ba.eval()
        self.snapshots.append((step, self.g_ab(self.fixed_a.to(self.device)).float().cpu(),
                               self.g_ba(self.fixed_b.to(self.device)).float().cpu()))
        self.g_ab.train(), self.g_ba.train()

    def state_dict(self) -> dict:
        """Everything the next step depends on, for a checkpoint (the pools included)."""
        state = {name: getattr(self, name).state_dict()
                 for name in ("g_ab", "g_ba", "d_a", "d_b", "opt_g", "opt_d",
                              "scaler_g", "scaler_d")}
        return dict(state, rng=self.rng.get_state(), pool_a=list(self.pool_a.images),
                    pool_b=list(self.pool_b.images), snapshots=self.snapshots,
                    fixed_a=self.fixed_a, fixed_b=self.fixed_b)

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` saved."""
        for name in ("g_ab", "g_ba", "d_a", "d_b", "opt_g", "opt_d", "scaler_g", "scaler_d"):
            getattr(self, name).load_state_dict(state[name])
        self.rng.set_state(state["rng"])
        self.pool_a.images, self.pool_b.images = list(state["pool_a"]), list(state["pool_b"])
        self.snapshots = list(state["snapshots"])
        self.fixed_a, self.fixed_b = state["fixed_a"], state["fixed_b"]

    def advice(self, quantity: str) -> str:
        """What to change when ``quantity`` became NaN or infinite."""
        return (f"lower the learning rate (lr={self.config.lr:g}; try a tenth) or check the "
                "images for NaN/Inf (they should lie in [-1, 1])")


def train_cyclegan(pair, config: CycleGANConfig | None = None, *, g_ab: nn.Module | None = None,
                   g_ba: nn.Module | None = None, d_a: nn.Module | None = None,
                   d_b: nn.Module | None = None, **overrides) -> CycleGANResult:
    r"""Train CycleGAN on an unpaired :class:`ganlab.data.DomainPair` (chapter 7).

    ``pair.a`` and ``pair.b`` are the two domains (``ImageData`` or image tensors). The four
    networks are built from ``config`` unless passed in (``g_ab``: A -> B, ``g_ba``: B -> A,
    ``d_a`` judges A, ``d_b`` judges B). Keyword ``overrides`` replace fields of ``config``.
    Raises :class:`TrainingDiverged` on a NaN or infinite loss or gradient.
    """
    config = resolve_config(config, overrides, CycleGANConfig)
    if not (hasattr(pair, "a") and hasattr(pair, "b")):
        raise TypeError("pair must be a DomainPair (e.g. ganlab.data.unpaired_digits()) with "
                        f"domains .a and .b, got {type(pair).__name__}")
    images_a, images_b = _images_of(pair.a, "a"), _images_of(pair.b, "b")
    if images_a.shape[1:] != images_b.shape[1:]:
        raise ValueError(f"the two domains must have images of the same shape, got "
                         f"{tuple(images_a.shape[1:])} and {tuple(images_b.shape[1:])}")
    built = build_cyclegan_models(images_a.shape[1], config)
    given = dict(g_ab=g_ab, g_ba=g_ba, d_a=d_a, d_b=d_b)
    models = {name: given[name] if given[name] is not None else built[name] for name in built}
    step = CycleGANStep(images_a, images_b, models, config)
    try:
        history, seconds = run(step, desc="train_cyclegan")
    finally:
        for parameter in step.d_parameters:  # the returned discriminators can learn again
            parameter.requires_grad_(True)
    return CycleGANResult(g_ab=step.g_ab, g_ba=step.g_ba, d_a=step.d_a, d_b=step.d_b,
                          history=history, snapshots=step.snapshots, fixed_a=step.fixed_a,
                          fixed_b=step.fixed_b, config=config, seconds=seconds)
