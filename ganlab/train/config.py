r"""The settings of one GAN training run, :class:`TrainConfig` (chapters 2-6).

Every chapter trains with :func:`ganlab.train.train_gan` and changes only what it studies:
the loss (chapter 4), the number ``k`` of discriminator steps per generator step (chapter 3),
the learning rates, mixed precision on a GPU (chapter 5). Any field can also be passed to
``train_gan`` as a keyword: ``train_gan(G, D, data, steps=500, loss="saturating")``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import torch

from .loop import LoopSettings, positive_int

__all__ = ["TrainConfig", "resolve_config"]


@dataclass
class TrainConfig(LoopSettings):
    r"""Hyper-parameters of :func:`ganlab.train.train_gan` (chapter 2, through :func:`train_gan`).

    ``steps``: generator updates; each is preceded by ``d_steps`` discriminator updates
    (the :math:`k` of Goodfellow et al.'s Algorithm 1), each on a fresh real batch and a fresh
    latent batch of ``batch_size``. ``loss``: a name of :func:`ganlab.losses.get_loss`.
    Both players use Adam with ``lr_g``, ``lr_d`` and ``betas`` (DCGAN's 2e-4 and (0.5, 0.999));
    ``lr_schedule="linear"`` lowers both rates linearly to 0 over the run,
    :math:`\eta_t = \eta\,(1 - (t - 1)/T)`, which lets the samples settle on the modes at the end.
    ``r1`` (:math:`\gamma`, 0 for none) adds Mescheder et al.'s (2018) penalty
    :math:`\frac{\gamma}{2}\,\mathbb{E}\lVert\nabla_x \ell(x)\rVert^2` on real data to
    :math:`L_D` (:func:`ganlab.losses.r1_penalty`); the recorded ``d_loss`` includes it.

    ``ema`` (:math:`\beta`, default 0: off) keeps an exponential moving average of G's weights,
    :math:`\bar\theta_t = \beta_t\bar\theta_{t-1} + (1 - \beta_t)\,\theta_t` with
    :math:`\beta_t = \min(\beta, (1 + t)/(10 + t))` (so early weights are soon forgotten), and
    batch-norm statistics copied from G. The average of a generator that circles around an
    equilibrium lies closer to it than any one iterate (Yazıcı et al., 2019); the result's
    ``ema_generator`` holds it and the snapshots show it.

    ``seed`` seeds the run's own ``torch.Generator``, which draws ``fixed_z`` (``n_fixed``
    latent points whose images are recorded every ``snapshot_every`` steps; ``None`` means
    ``steps // 20``, ``0`` none) and then every data and latent batch. ``probe`` (a 1-D tensor
    of points) records :math:`\sigma(D(\text{probe}))` at each snapshot, for chapter 2's figure.

    ``checkpoint`` (a file path) saves the whole run every ``checkpoint_every`` steps (``None``
    means ``steps // 10``) and at the end; ``resume=True`` continues from that file when it
    exists. ``progress`` shows a ``tqdm`` bar; ``device`` defaults to the device of the
    generator's parameters.

    Speed options. The defaults compute exactly Algorithm 1 in float32; each option below
    changes the numbers a run produces (so a seed gives another run) and is off by default:

    * ``reuse_fakes=True``: G's step reuses the latent batch and the fakes of the last D step,
      as ``pytorch/examples`` ``dcgan/main.py`` does, instead of drawing a fresh
      :math:`z'` (Algorithm 1). G is run forward once per step instead of twice. The cost:
      D's update :math:`\phi_{t+1} = \phi_t - \eta\nabla_\phi L_D(x, G(z))` depends on
      :math:`z`, so G's gradient :math:`\frac1m\sum_i\nabla_\theta\,\ell_G(D_{\phi_{t+1}}(G_\theta(z_i)))`
      is no longer an unbiased estimate of
      :math:`\nabla_\theta\,\mathbb{E}_{z'}[\ell_G(D_{\phi_{t+1}}(G_\theta(z')))]`: it is
      measured on the very samples D was just pushed to reject (a bias of order :math:`\eta`),
      and the G step sees no latent points beyond D's. With ``d_steps = k > 1`` the last D
      step's batch is reused. About 1.1x faster for the 64x64 DCGAN on a CPU.
    * ``amp``: ``True``, ``"bf16"`` or ``"fp16"`` turns on autocast mixed precision:
      convolutions and matrix products in 16-bit floats (8 bits of mantissa for bfloat16
      instead of 24), losses, batch norm and the optimiser in float32; ``"fp16"`` on a GPU
      also scales the loss. On a CPU with AVX-512 BF16, ``"bf16"`` trains the 64x64 DCGAN
      about 1.8x faster; without it bfloat16 is emulated and slower.
    * ``channels_last``: images and convolution weights in the NHWC memory layout (the same
      values, other summation order); faster on GPUs with tensor cores, and about 1.1x for
      the 64x64 DCGAN on a CPU (oneDNN's forward convolutions).
    * ``fused_adam``: Adam's update of all tensors in one fused kernel
      (``torch.optim.Adam(fused=True)``) instead of one small operation per tensor;
      the same formula, rounded differently in the last bit. A few per cent on a CPU, more
      for small networks on a GPU.
    * ``compile``: ``torch.compile`` of both networks (a slow first step, then fused kernels).

    All four CPU options together train the 64x64 DCGAN 2.2x as fast as the
    ``pytorch/examples``-style loop of ``benchmarks/dcgan_throughput.py``; the defaults 1.0x.
    """
    steps: int = 2000
    batch_size: int = 64
    loss: str = "nonsaturating"
    d_steps: int = 1
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    lr_schedule: str = "constant"
    r1: float = 0.0
    ema: float = 0.0
    seed: int = 0
    snapshot_every: int | None = None
    n_fixed: int = 256
    probe: torch.Tensor | None = None
    checkpoint: Any = None
    checkpoint_every: int | None = None
    resume: bool = False
    reuse_fakes: bool = False
    amp: bool | str = False
    channels_last: bool = False
    fused_adam: bool = False
    compile: bool = False
    progress: bool = True
    device: Any = None

    def validate(self) -> "TrainConfig":
        """Check every field; raise ``ValueError``/``TypeError`` saying what to change."""
        self._validate_loop()
        for name in ("batch_size", "d_steps", "n_fixed"):
            positive_int(name, getattr(self, name))
        for name in ("lr_g", "lr_d"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        if isinstance(self.r1, bool) or not isinstance(self.r1, (int, float)) or self.r1 < 0:
            raise ValueError(f"r1 must be a number >= 0 (0: no penalty), got {self.r1!r}")
        if len(tuple(self.betas)) != 2 or not all(0 <= b < 1 for b in self.betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        from ..losses import get_loss
        get_loss(self.loss)  # unknown names raise a ValueError listing the choices
        ema = self.ema
        if isinstance(ema, bool) or not isinstance(ema, (int, float)) or not 0 <= ema < 1:
            raise ValueError(f"ema must be a decay in [0, 1) such as 0.999 (0: off), got {ema!r}")
        for name in ("reuse_fakes", "channels_last", "fused_adam", "compile"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if self.probe is not None:
            probe = torch.as_tensor(self.probe)
            if probe.dim() != 1 or not probe.is_floating_point():
                raise ValueError("probe must be a 1-D float tensor of points where D is "
                                 f"recorded, e.g. torch.linspace(-2, 8, 200); got shape "
                                 f"{tuple(probe.shape)}, dtype {probe.dtype}")
        return self


def resolve_config(config, overrides: dict, config_class=TrainConfig):
    """``config`` (or the defaults) with ``overrides`` applied, validated (chapter 2).

    How every ``train_*`` function combines its ``config`` argument with keyword overrides.
    """
    if config is None:
        config = config_class()
    elif not isinstance(config, config_class):
        raise TypeError(f"config must be a {config_class.__name__} (or None), "
                        f"got {type(config).__name__}")
    names = {f.name for f in dataclasses.fields(config_class)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise TypeError(f"unknown {config_class.__name__} setting(s) {unknown}; "
                        f"valid names are {sorted(names)}")
    return dataclasses.replace(config, **overrides).validate()
