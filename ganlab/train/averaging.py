r"""An exponential moving average of the generator's weights (chapters 5 and 8).

GAN training seldom converges to a point: the players circle around an equilibrium and the
last iterate is one point of that orbit. Averaging the generator's weights over time,

.. math:: \bar\theta_t = \beta_t\,\bar\theta_{t-1} + (1 - \beta_t)\,\theta_t,
          \qquad \beta_t = \min\!\left(\beta, \frac{1 + t}{10 + t}\right),

lands nearer its centre (Yazıcı et al., 2019). The ramp :math:`\beta_t` forgets the random
initial weights quickly; batch-norm statistics are copied, not averaged.
"""
from __future__ import annotations

import copy

import torch
from torch import nn

__all__ = ["average_copy", "update_average_", "ema_decay"]


def ema_decay(beta: float, step: int) -> float:
    r""":math:`\beta_t = \min(\beta, (1 + t)/(10 + t))` at generator step ``step``.

    First used in chapter 3, through ``train_gan(ema=...)``.
    """
    return min(beta, (1 + step) / (10 + step))


def average_copy(model: nn.Module) -> nn.Module:
    """A frozen copy of ``model`` to hold the average (no gradients, same device).

    First used in chapter 3, through ``train_gan(ema=...)``.
    """
    average = copy.deepcopy(model)
    average.requires_grad_(False)
    return average


@torch.no_grad()
def update_average_(average: nn.Module, model: nn.Module, beta: float, step: int) -> None:
    """Move ``average``'s weights towards ``model``'s by :math:`1 - \\beta_t`; copy its buffers.

    First used in chapter 3, through ``train_gan(ema=...)``.
    """
    weight = 1.0 - ema_decay(beta, step)
    torch._foreach_lerp_(list(average.parameters()), list(model.parameters()), weight)
    for mine, theirs in zip(average.buffers(), model.buffers()):
        mine.copy_(theirs)
