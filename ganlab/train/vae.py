r"""Training a variational autoencoder by maximising the ELBO (Kingma & Welling, 2014; chapter 9).

Each step draws a batch :math:`x` of images (with replacement, from the run's seeded
generator), estimates the negative evidence lower bound with one reparameterised sample
:math:`z = \mu + \sigma \odot \varepsilon` per image (:meth:`ganlab.models.VAE.loss`)

.. math:: -\mathrm{ELBO}(x) = \frac{\lVert x - \hat x(z)\rVert^2}{2 s^2}
          + \mathrm{KL}\bigl(q(z \mid x)\,\Vert\,\mathcal{N}(0, I)\bigr)

and takes one Adam step on encoder and decoder together. Unlike a GAN there is a single
loss and no adversary: the contrast chapter 9 draws.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from .config import resolve_config
from .loop import LoopSettings, Precision, guarded_update, positive_int, run
from .sampling import make_sampler

__all__ = ["train_vae", "VAEConfig", "VAEResult", "VAEStep", "VAE_HISTORY_KEYS"]

VAE_HISTORY_KEYS = ("step", "loss", "reconstruction", "kl")


@dataclass
class VAEResult:
    """The trained VAE, its history (keys ``VAE_HISTORY_KEYS``), snapshots of decoded fixed
    latent codes ``[(step, images)]`` on the CPU, ``fixed_z`` and the seconds it took (chapter 9).
    """
    vae: nn.Module
    history: dict
    snapshots: list
    fixed_z: torch.Tensor
    seconds: float


@dataclass
class VAEConfig(LoopSettings):
    """The settings of a :func:`train_vae` run, its keyword arguments (chapter 9).

    First used in chapter 9, through :func:`train_vae`.

    ``checkpoint``, ``checkpoint_every``, ``resume``, ``lr_schedule`` and ``amp`` work as in
    :class:`~ganlab.train.TrainConfig`: the loop is the same.
    """
    steps: int = 2000
    batch_size: int = 64
    lr: float = 1e-3
    seed: int = 0
    progress: bool = True
    snapshot_every: int | None = None
    n_fixed: int = 64
    device: Any = None
    lr_schedule: str = "constant"
    amp: bool | str = False
    checkpoint: Any = None
    checkpoint_every: int | None = None
    resume: bool = False

    default_snapshots = 10

    def validate(self) -> "VAEConfig":
        """Check every field; raise ``ValueError`` saying what to change."""
        self._validate_loop()
        for name in ("batch_size", "n_fixed"):
            positive_int(name, getattr(self, name))
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr!r}")
        return self


class VAEStep:
    """One VAE step: one Adam step on the negative ELBO of a fresh batch (chapter 9).

    Built by :func:`train_vae`, run by the shared loop of :mod:`ganlab.train.loop`.
    """
    keys = VAE_HISTORY_KEYS[1:]
    shown = {"loss": "loss", "recon": "reconstruction", "kl": "kl"}

    def __init__(self, vae: nn.Module, data, config: VAEConfig):
        if not hasattr(vae, "loss") or not hasattr(vae, "decode"):
            raise TypeError(f"vae must be a ganlab.models.VAE (with .loss and .decode), "
                            f"got {type(vae).__name__}")
        self.config = config
        self.device = device = (torch.device(config.device) if config.device is not None
                                else next(vae.parameters()).device)
        self.vae = vae.to(device).train()
        self.rng = torch.Generator().manual_seed(config.seed)
        self.fixed_z = vae.sample_latent(config.n_fixed, rng=self.rng, device="cpu")
        self.sample = make_sampler(data, self.rng, device)
        self.optimizer = torch.optim.Adam(vae.parameters(), lr=config.lr)
        self.parameters = list(vae.parameters())
        self.precision = Precision(config.amp, device)
        self.scaler = self.precision.scaler()
        self.snapshots: list = []

    def __call__(self, step: int) -> torch.Tensor:
        """Step ``step``: a batch, its negative ELBO with one reparameterised z, one update."""
        with self.precision.autocast():
            parts = self.vae.loss(self.sample(self.config.batch_size), rng=self.rng)
        guarded_update(parts.loss, self.optimizer, self.parameters, "the loss (negative ELBO)",
                       "the VAE", scaler=self.scaler)
        return torch.stack(list(parts)).detach().float()

    def optimizers(self):
        """``(optimizer, base learning rate)`` for the schedule."""
        return [(self.optimizer, self.config.lr)]

    @torch.no_grad()
    def snapshot(self, step: int) -> None:
        """Record the decoded fixed codes in eval mode."""
        self.vae.eval()
        self.snapshots.append((step, self.vae.decode(self.fixed_z.to(self.device)).float().cpu()))
        self.vae.train()

    def state_dict(self) -> dict:
        """Everything the next step depends on, for a checkpoint."""
        return dict(vae=self.vae.state_dict(), optimizer=self.optimizer.state_dict(),
                    scaler=self.scaler.state_dict(), rng=self.rng.get_state(),
                    snapshots=self.snapshots, fixed_z=self.fixed_z)

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` saved."""
        for name in ("vae", "optimizer", "scaler"):
            getattr(self, name).load_state_dict(state[name])
        self.rng.set_state(state["rng"])
        self.snapshots, self.fixed_z = list(state["snapshots"]), state["fixed_z"]

    def advice(self, quantity: str) -> str:
        """What to change when ``quantity`` became NaN or infinite."""
        return f"lower the learning rate (lr={self.config.lr:g}; try a tenth) or raise recon_std"


def train_vae(vae: nn.Module, data, steps: int = 2000, batch_size: int = 64, lr: float = 1e-3,
              seed: int = 0, progress: bool = True, *, snapshot_every: int | None = None,
              n_fixed: int = 64, device=None, **settings) -> VAEResult:
    r"""Train ``vae`` (a :class:`ganlab.models.VAE`) on ``data`` with Adam (chapter 9).

    ``data``: images as a tensor ``(N, C, H, W)``, an ``ImageData`` or a function
    ``sample(n, rng)``. ``seed`` seeds the run's ``torch.Generator`` (fixed codes, batches,
    and the :math:`\varepsilon` of the reparameterisation). Snapshots decode ``n_fixed`` fixed
    codes :math:`z \sim \mathcal{N}(0, I)` every ``snapshot_every`` steps (``None``:
    ``steps // 10``; 0: none). ``settings``: the other fields of :class:`VAEConfig`
    (``checkpoint``, ``resume``, ...). Raises :class:`TrainingDiverged` on a NaN or infinite
    loss or gradient.
    """
    config = resolve_config(None, dict(steps=steps, batch_size=batch_size, lr=lr, seed=seed,
                                       progress=progress, snapshot_every=snapshot_every,
                                       n_fixed=n_fixed, device=device, **settings), VAEConfig)
    step = VAEStep(vae, data, config)
    history, seconds = run(step, desc="train_vae")
    return VAEResult(vae=step.vae, history=history, snapshots=step.snapshots,
                     fixed_z=step.fixed_z, seconds=seconds)
