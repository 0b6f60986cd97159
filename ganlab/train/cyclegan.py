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
learn, against two discriminators that no longer change (chapter 7's answer to handout 003's
question whether D should stop learning early).
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ..losses import cycle_loss, d_loss_least_squares, g_loss_least_squares, identity_loss
from .config import _positive_int, resolve_config
from .loop import TrainingDiverged, _grad_norm, _Progress
from .sampling import make_sampler

__all__ = ["CycleGANConfig", "CycleGANResult", "train_cyclegan", "build_cyclegan_models"]

CYCLEGAN_HISTORY_KEYS = ("step", "g_loss", "adversarial", "cycle", "identity", "d_a_loss",
                         "d_b_loss", "grad_norm_g", "grad_norm_d")


@dataclass
class CycleGANConfig:
    """Hyper-parameters of :func:`train_cyclegan` (chapter 7).

    ``width``/``n_blocks`` size the two :class:`~ganlab.models.ResnetGenerator`\\ s,
    ``d_width``/``n_layers`` the two :class:`~ganlab.models.PatchDiscriminator`\\ s (used only
    when the models are not passed in). ``seed`` fixes the models' N(0, 0.02) initialisation,
    every batch and the image pools. ``snapshot_every`` (``None``: ``steps // 10``, 0: none)
    records the translations of ``n_fixed`` fixed images of each domain.
    ``freeze_discriminators_at`` (``None``: never): the last step at which the discriminators
    are updated; after it only the generators learn (with the same losses and optimiser), the
    image pools are no longer read, and the history records NaN for the discriminators' losses.
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

    def validate(self) -> "CycleGANConfig":
        for name in ("steps", "batch_size", "width", "d_width", "n_layers", "n_fixed"):
            _positive_int(name, getattr(self, name))
        for name in ("pool_size", "n_blocks", "seed"):
            _positive_int(name, getattr(self, name), minimum=0)
        if self.snapshot_every is not None:
            _positive_int("snapshot_every", self.snapshot_every, minimum=0)
        if self.freeze_discriminators_at is not None:
            _positive_int("freeze_discriminators_at", self.freeze_discriminators_at, minimum=0)
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr!r}")
        for name in ("lambda_cycle", "lambda_identity"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        return self

    @property
    def snapshot_interval(self) -> int:
        if self.snapshot_every is None:
            return max(1, self.steps // 10)
        return self.snapshot_every


@dataclass
class CycleGANResult:
    r"""The trained networks and the record of a :func:`train_cyclegan` run.

    ``history``: one entry per step for each key of ``CYCLEGAN_HISTORY_KEYS``.
    ``snapshots``: ``[(step, G(fixed_a), F(fixed_b))]`` on the CPU; ``fixed_a``, ``fixed_b``:
    the fixed images of each domain.
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
    """``g_ab, g_ba, d_a, d_b`` with CycleGAN's N(0, 0.02) initialisation drawn from ``config.seed``."""
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


def train_cyclegan(pair, config: CycleGANConfig | None = None, *, g_ab: nn.Module | None = None,
                   g_ba: nn.Module | None = None, d_a: nn.Module | None = None,
                   d_b: nn.Module | None = None, **overrides) -> CycleGANResult:
    r"""Train CycleGAN on an unpaired :class:`ganlab.data.DomainPair` (chapter 7).

    ``pair.a`` and ``pair.b`` are the two domains (``ImageData`` or image tensors). The four
    networks are built from ``config`` unless passed in (``g_ab``: A -> B, ``g_ba``: B -> A,
    ``d_a`` judges A, ``d_b`` judges B). Keyword ``overrides`` replace fields of ``config``.
    Raises :class:`TrainingDiverged` on a NaN or infinite loss.
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
    first = next(models["g_ab"].parameters())
    device = torch.device(config.device) if config.device is not None else first.device
    for model in models.values():
        model.to(device).train()
    g_ab, g_ba, d_a, d_b = (models[k] for k in ("g_ab", "g_ba", "d_a", "d_b"))

    rng = torch.Generator().manual_seed(config.seed)
    fixed_a = images_a[torch.randperm(len(images_a), generator=rng)[:config.n_fixed]].clone()
    fixed_b = images_b[torch.randperm(len(images_b), generator=rng)[:config.n_fixed]].clone()
    sample_a = make_sampler(images_a, rng, device)
    sample_b = make_sampler(images_b, rng, device)
    pool_a = _image_pool(config.pool_size, rng)
    pool_b = _image_pool(config.pool_size, rng)

    g_parameters = list(g_ab.parameters()) + list(g_ba.parameters())
    d_parameters = list(d_a.parameters()) + list(d_b.parameters())
    opt_g = torch.optim.Adam(g_parameters, lr=config.lr, betas=tuple(config.betas))
    opt_d = torch.optim.Adam(d_parameters, lr=config.lr, betas=tuple(config.betas))
    history: dict[str, list] = {key: [] for key in CYCLEGAN_HISTORY_KEYS}
    snapshots: list = []

    @torch.no_grad()
    def take_snapshot(step: int) -> None:
        g_ab.eval(), g_ba.eval()
        snapshots.append((step, g_ab(fixed_a.to(device)).cpu(), g_ba(fixed_b.to(device)).cpu()))
        g_ab.train(), g_ba.train()

    def check(step: int, name: str, value: torch.Tensor) -> None:
        if not torch.isfinite(value).all():
            raise TrainingDiverged(
                f"CycleGAN training diverged at step {step}: {name} is {float(value)}. "
                f"Lower the learning rate (lr={config.lr:g}; try a tenth) or check the images "
                "for NaN/Inf (they should lie in [-1, 1]).",
                step=step, quantity=name, value=float(value))

    frozen_after = config.freeze_discriminators_at
    every = config.snapshot_interval
    if every:
        take_snapshot(0)
    progress = _Progress(config.progress, config.steps, 0, desc="train_cyclegan")
    began = time.perf_counter()
    try:
        for step in range(1, config.steps + 1):
            if frozen_after is not None and step == frozen_after + 1:
                for parameter in d_parameters:  # D stops learning: no gradients through it
                    parameter.requires_grad_(False)
            real_a, real_b = sample_a(config.batch_size), sample_b(config.batch_size)
            # 1. both generators: adversarial + cycle + identity
            fake_b, fake_a = g_ab(real_a), g_ba(real_b)
            adversarial = 2 * (g_loss_least_squares(d_b(fake_b)) + g_loss_least_squares(d_a(fake_a)))
            cycle = cycle_loss(real_a, g_ba(fake_b)) + cycle_loss(real_b, g_ab(fake_a))
            identity = torch.zeros((), device=device)
            if config.lambda_identity > 0:
                identity = identity_loss(real_b, g_ab(real_b)) + identity_loss(real_a, g_ba(real_a))
            loss_g = (adversarial + config.lambda_cycle * cycle
                      + config.lambda_cycle * config.lambda_identity * identity)
            check(step, "the generators' loss", loss_g)
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            norm_g = _grad_norm(g_parameters)
            opt_g.step()
            # 2. both discriminators, on pooled fakes (unless they are frozen by now)
            if frozen_after is None or step <= frozen_after:
                loss_d_a = d_loss_least_squares(d_a(real_a), d_a(pool_a.query(fake_a.detach())))
                loss_d_b = d_loss_least_squares(d_b(real_b), d_b(pool_b.query(fake_b.detach())))
                check(step, "the discriminators' loss", loss_d_a + loss_d_b)
                opt_d.zero_grad(set_to_none=True)
                (loss_d_a + loss_d_b).backward()
                norm_d = _grad_norm(d_parameters)
                opt_d.step()
            else:
                loss_d_a = loss_d_b = torch.full((), float("nan"), device=device)
                norm_d = torch.zeros(())

            values = torch.stack([loss_g, adversarial, cycle, identity, loss_d_a, loss_d_b,
                                  norm_g.to(device), norm_d.to(device)]).detach().tolist()
            history["step"].append(step)
            for key, value in zip(CYCLEGAN_HISTORY_KEYS[1:], values):
                history[key].append(value)
            if every and (step % every == 0 or step == config.steps):
                take_snapshot(step)
            progress.update(step, config.steps, g_loss=values[0], cycle=values[2],
                            d_a=values[4], d_b=values[5])
    finally:
        progress.close()
        if frozen_after is not None and config.steps > frozen_after:
            for parameter in d_parameters:  # the returned discriminators can learn again
                parameter.requires_grad_(True)
    return CycleGANResult(g_ab=g_ab, g_ba=g_ba, d_a=d_a, d_b=d_b, history=history,
                          snapshots=snapshots, fixed_a=fixed_a, fixed_b=fixed_b, config=config,
                          seconds=time.perf_counter() - began)


def _image_pool(size: int, rng: torch.Generator):
    """An :class:`ganlab.models.ImagePool` drawing its coin flips from the run's generator."""
    from ..models import ImagePool
    return ImagePool(size, generator=rng)
