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

import time
from dataclasses import dataclass

import torch
from torch import nn

from .config import _positive_int
from .loop import TrainingDiverged, _Progress
from .sampling import make_sampler

__all__ = ["train_vae", "VAEResult", "VAE_HISTORY_KEYS"]

VAE_HISTORY_KEYS = ("step", "loss", "reconstruction", "kl")


@dataclass
class VAEResult:
    """The trained VAE, its history (keys ``VAE_HISTORY_KEYS``), snapshots of decoded fixed
    latent codes ``[(step, images)]`` on the CPU, ``fixed_z`` and the seconds it took."""
    vae: nn.Module
    history: dict
    snapshots: list
    fixed_z: torch.Tensor
    seconds: float


def train_vae(vae: nn.Module, data, steps: int = 2000, batch_size: int = 64, lr: float = 1e-3,
              seed: int = 0, progress: bool = True, *, snapshot_every: int | None = None,
              n_fixed: int = 64, device=None) -> VAEResult:
    r"""Train ``vae`` (a :class:`ganlab.models.VAE`) on ``data`` with Adam (chapter 9).

    ``data``: images as a tensor ``(N, C, H, W)``, an ``ImageData`` or a function
    ``sample(n, generator)``. ``seed`` seeds the run's ``torch.Generator`` (fixed codes, batches,
    and the :math:`\varepsilon` of the reparameterisation). Snapshots decode ``n_fixed`` fixed
    codes :math:`z \sim \mathcal{N}(0, I)` every ``snapshot_every`` steps (``None``:
    ``steps // 10``; 0: none). Raises :class:`TrainingDiverged` on a NaN or infinite loss.
    """
    for name, value in (("steps", steps), ("batch_size", batch_size), ("n_fixed", n_fixed)):
        _positive_int(name, value)
    _positive_int("seed", seed, minimum=0)
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr!r}")
    if not hasattr(vae, "loss") or not hasattr(vae, "decode"):
        raise TypeError(f"vae must be a ganlab.models.VAE (with .loss and .decode), "
                        f"got {type(vae).__name__}")
    every = max(1, steps // 10) if snapshot_every is None else snapshot_every
    _positive_int("snapshot_every", every, minimum=0)
    device = torch.device(device) if device is not None else next(vae.parameters()).device
    vae.to(device).train()
    rng = torch.Generator().manual_seed(seed)
    fixed_z = vae.sample_latent(n_fixed, generator=rng, device="cpu")
    sample = make_sampler(data, rng, device)
    optimizer = torch.optim.Adam(vae.parameters(), lr=lr)
    history: dict[str, list] = {key: [] for key in VAE_HISTORY_KEYS}
    snapshots: list = []

    @torch.no_grad()
    def take_snapshot(step: int) -> None:
        vae.eval()
        snapshots.append((step, vae.decode(fixed_z.to(device)).cpu()))
        vae.train()

    if every:
        take_snapshot(0)
    bar = _Progress(progress, steps, 0, desc="train_vae")
    began = time.perf_counter()
    try:
        for step in range(1, steps + 1):
            parts = vae.loss(sample(batch_size), generator=rng)
            if not torch.isfinite(parts.loss):
                raise TrainingDiverged(
                    f"VAE training diverged at step {step}: the loss is {float(parts.loss)}. "
                    f"Lower the learning rate (lr={lr:g}; try a tenth) or raise recon_std.",
                    step=step, quantity="loss", value=float(parts.loss))
            optimizer.zero_grad(set_to_none=True)
            parts.loss.backward()
            optimizer.step()
            values = torch.stack(list(parts)).detach().tolist()
            history["step"].append(step)
            for key, value in zip(VAE_HISTORY_KEYS[1:], values):
                history[key].append(value)
            if every and (step % every == 0 or step == steps):
                take_snapshot(step)
            bar.update(step, steps, loss=values[0], recon=values[1], kl=values[2])
    finally:
        bar.close()
    return VAEResult(vae=vae, history=history, snapshots=snapshots, fixed_z=fixed_z,
                     seconds=time.perf_counter() - began)
