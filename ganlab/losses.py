r"""GAN losses, all computed from the discriminator's **logits** (pre-sigmoid scores).

With :math:`D(x) = \sigma(\ell(x))` for a logit :math:`\ell`, the two logarithms of the
minimax game have stable forms (Goodfellow et al., 2014; StudioGAN's ``losses.py``):

.. math::
    \log D(x) = -\operatorname{softplus}(-\ell(x)), \qquad
    \log(1 - D(x)) = -\operatorname{softplus}(\ell(x)),

so no loss here ever takes ``log(sigmoid(...))``, which underflows to ``-inf`` when D is sure,
and ``nn.BCELoss`` on probabilities (unsafe under autocast) is never needed. Every loss is a
mean over the batch, to be *minimised*.

Introduced in chapters 2 (value function), 3 (discriminator loss), 4 (saturating and
non-saturating generator losses) and 7 (least-squares, cycle and identity losses).
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import torch
import torch.nn.functional as F

__all__ = [
    "value_function", "d_loss", "g_loss_saturating", "g_loss_nonsaturating",
    "d_loss_least_squares", "g_loss_least_squares", "cycle_loss", "identity_loss",
    "d_loss_hinge", "g_loss_hinge", "GANLoss", "LOSSES", "get_loss", "r1_penalty",
]


def _check_tensor(name: str, value) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of discriminator outputs, got "
                        f"{type(value).__name__}; wrap it with torch.as_tensor(...) first.")
    if not value.is_floating_point():
        raise TypeError(f"{name} must hold floating-point logits, got dtype {value.dtype}.")
    return value


def _check_same_shape(name_a: str, a: torch.Tensor, name_b: str, b: torch.Tensor) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{name_a} has shape {tuple(a.shape)} but {name_b} has shape "
                         f"{tuple(b.shape)}; they must match (same batch, same output shape).")


def _check_per_sample(name_a: str, a: torch.Tensor, name_b: str, b: torch.Tensor) -> None:
    """The batch sizes may differ, what D says about one sample may not.

    A scalar logit per sample against a PatchGAN's map of logits (or two discriminators mixed
    up) would still give a number, a meaningless one: that is an error.
    """
    if a.shape[1:] != b.shape[1:]:
        raise ValueError(
            f"{name_a} has shape {tuple(a.shape)} and {name_b} has shape {tuple(b.shape)}: "
            f"one sample gets a score of shape {tuple(a.shape[1:])} in the first and "
            f"{tuple(b.shape[1:])} in the second. The batch sizes (the first dimension) may "
            "differ, the rest must match: judge real and fake samples with the same "
            "discriminator.")


def _log_d(logits: torch.Tensor) -> torch.Tensor:
    """log D = log sigmoid(logits), computed stably and in float32 under autocast."""
    return -F.softplus(-logits.float())


def _log_one_minus_d(logits: torch.Tensor) -> torch.Tensor:
    """log(1 - D) = log sigmoid(-logits), computed stably."""
    return -F.softplus(logits.float())


def value_function(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    r"""The minimax value :math:`V(D, G)` estimated from a batch (chapter 2).

    .. math::
        V(D, G) = \mathbb{E}_{x \sim p_{data}}[\log D(x)]
                + \mathbb{E}_{z \sim p_z}[\log(1 - D(G(z)))]

    ``real_logits`` are D's logits on data, ``fake_logits`` on generated samples (their batch
    sizes may differ, the shape of one sample's logits may not). D maximises V, G minimises it: :math:`\min_G \max_D V(D, G)`. At the
    global optimum :math:`p_g = p_{data}`, :math:`D^* = 1/2` and :math:`V = -\log 4`.
    """
    real_logits = _check_tensor("real_logits", real_logits)
    fake_logits = _check_tensor("fake_logits", fake_logits)
    _check_per_sample("real_logits", real_logits, "fake_logits", fake_logits)
    return _log_d(real_logits).mean() + _log_one_minus_d(fake_logits).mean()


def d_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    r"""The discriminator's loss, :math:`-V(D, G)` (chapter 2).

    .. math::
        L_D = -\frac{1}{m}\sum_i \log D(x_i) - \frac{1}{m}\sum_i \log(1 - D(G(z_i)))
            = \overline{\operatorname{softplus}(-\ell_{real})}
            + \overline{\operatorname{softplus}(\ell_{fake})}

    i.e. binary cross-entropy with targets real → 1, fake → 0 (chapter 3's two steps).
    Minimising it maximises V. Inputs are logits.
    """
    return -value_function(real_logits, fake_logits)


def g_loss_saturating(fake_logits: torch.Tensor) -> torch.Tensor:
    r"""The generator's loss as the minimax game writes it (chapter 4).

    .. math::
        L_G^{sat} = \frac{1}{m}\sum_i \log(1 - D(G(z_i)))
                  = -\overline{\operatorname{softplus}(\ell_{fake})}

    G minimises it. Its gradient with respect to the logit is :math:`-D(G(z))`, which
    vanishes when D confidently rejects the fakes (early training): it *saturates*.
    """
    fake_logits = _check_tensor("fake_logits", fake_logits)
    return _log_one_minus_d(fake_logits).mean()


def g_loss_nonsaturating(fake_logits: torch.Tensor) -> torch.Tensor:
    r"""Goodfellow et al.'s (2014) fix for early training: maximise :math:`\log D(G(z))` instead (chapter 4).

    .. math::
        L_G^{ns} = -\frac{1}{m}\sum_i \log D(G(z_i))
                 = \overline{\operatorname{softplus}(-\ell_{fake})}

    Same fixed point as the saturating loss, but its gradient with respect to the logit is
    :math:`-(1 - D(G(z)))`, close to :math:`-1` exactly when G is weak.
    """
    fake_logits = _check_tensor("fake_logits", fake_logits)
    return -_log_d(fake_logits).mean()


def d_loss_least_squares(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    r"""LSGAN discriminator loss (Mao et al., 2017), used by CycleGAN (chapter 7).

    .. math::
        L_D^{LS} = \tfrac12\,\overline{(D(x) - 1)^2} + \tfrac12\,\overline{D(G(z))^2}

    The scores are D's raw outputs (no sigmoid), any shape per sample, e.g. PatchGAN maps,
    the same for real and fake. First used in chapter 7, through :func:`train_cyclegan`.
    """
    real_scores = _check_tensor("real_scores", real_scores).float()
    fake_scores = _check_tensor("fake_scores", fake_scores).float()
    _check_per_sample("real_scores", real_scores, "fake_scores", fake_scores)
    return 0.5 * ((real_scores - 1) ** 2).mean() + 0.5 * (fake_scores ** 2).mean()


def g_loss_least_squares(fake_scores: torch.Tensor) -> torch.Tensor:
    r"""LSGAN generator loss :math:`\tfrac12\,\overline{(D(G(z)) - 1)^2}` (chapter 7).

    First used in chapter 7, through :func:`train_cyclegan`.
    """
    fake_scores = _check_tensor("fake_scores", fake_scores).float()
    return 0.5 * ((fake_scores - 1) ** 2).mean()


def d_loss_hinge(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    r"""The hinge loss of the discriminator (Lim & Ye, 2017; Miyato et al., 2018).

    First used in chapter 8, through ``TrainConfig(loss="hinge")``.

    .. math::
        L_D^{hinge} = \overline{\max(0, 1 - \ell_{real})} + \overline{\max(0, 1 + \ell_{fake})}

    D stops being pushed on a sample once its logit is beyond the margin (above 1 for real,
    below -1 for fake): confidently classified samples give no gradient.
    """
    real_logits = _check_tensor("real_logits", real_logits).float()
    fake_logits = _check_tensor("fake_logits", fake_logits).float()
    _check_per_sample("real_logits", real_logits, "fake_logits", fake_logits)
    return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()


def g_loss_hinge(fake_logits: torch.Tensor) -> torch.Tensor:
    r"""The generator's side of the hinge loss, :math:`L_G = -\overline{\ell_{fake}}` (chapter 8).

    First used in chapter 8, through ``TrainConfig(loss="hinge")``.
    """
    fake_logits = _check_tensor("fake_logits", fake_logits).float()
    return -fake_logits.mean()


def cycle_loss(real: torch.Tensor, reconstructed: torch.Tensor) -> torch.Tensor:
    r"""Cycle-consistency loss :math:`\lVert F(G(x)) - x \rVert_1`, a mean (chapter 7, through :func:`train_cyclegan`).

    CycleGAN (Zhu et al., 2017) adds it for both directions with weight :math:`\lambda = 10`;
    the weight is applied by the caller.
    """
    real = _check_tensor("real", real)
    reconstructed = _check_tensor("reconstructed", reconstructed)
    _check_same_shape("real", real, "reconstructed", reconstructed)
    return (reconstructed.float() - real.float()).abs().mean()


def identity_loss(real: torch.Tensor, mapped: torch.Tensor) -> torch.Tensor:
    r"""Identity loss :math:`\lVert G(y) - y \rVert_1` for a target-domain image y (chapter 7,
    through :func:`train_cyclegan`).

    A generator fed an image already in its output domain should leave it alone; CycleGAN
    weighs it by :math:`0.5\,\lambda`.
    """
    real = _check_tensor("real", real)
    mapped = _check_tensor("mapped", mapped)
    _check_same_shape("real", real, "mapped", mapped)
    return (mapped.float() - real.float()).abs().mean()


def r1_penalty(real: torch.Tensor, real_logits: torch.Tensor, gamma: float, *,
               stacked: bool = False) -> torch.Tensor:
    r"""Mescheder et al.'s (2018) R1 penalty on D's gradient at real data (chapter 2).

    .. math:: R_1 = \frac{\gamma}{2}\,\frac1m\sum_i \lVert \nabla_x \ell(x_i) \rVert_2^2

    ``real`` must have ``requires_grad=True`` and ``real_logits`` must be D's logits on it.
    The gradient keeps its graph (``create_graph=True``) so that D's update sees the penalty.
    ``stacked=True``: ``real`` is ``(S, m, ...)``, one batch per model of a
    :class:`ganlab.train.ModelStack`; returns the S penalties, shape ``(S,)``.
    """
    if not real.requires_grad:
        raise ValueError("r1_penalty needs the real batch with requires_grad=True, before D "
                         "is applied to it: real.requires_grad_(True); logits = D(real)")
    gradient, = torch.autograd.grad(real_logits.float().sum(), real, create_graph=True)
    per_sample = gradient.float().pow(2).flatten(2 if stacked else 1).sum(-1)
    return gamma / 2 * per_sample.mean(-1)


class GANLoss(NamedTuple):
    """A discriminator loss and the generator loss that goes with it (chapter 2).

    First used in chapter 2, through :func:`train_gan`, which builds one from ``loss=...``.
    """
    d: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    g: Callable[[torch.Tensor], torch.Tensor]


LOSSES: dict[str, GANLoss] = {
    "nonsaturating": GANLoss(d_loss, g_loss_nonsaturating),
    "saturating": GANLoss(d_loss, g_loss_saturating),
    "least_squares": GANLoss(d_loss_least_squares, g_loss_least_squares),
    "hinge": GANLoss(d_loss_hinge, g_loss_hinge),
}


def get_loss(name: str) -> GANLoss:
    """A loss pair by name: ``"nonsaturating"``, ``"saturating"``, ``"least_squares"``, ``"hinge"``.

    First used in chapter 2, through :func:`train_gan` (``loss=...``).
    """
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; choose one of {sorted(LOSSES)}") from None
