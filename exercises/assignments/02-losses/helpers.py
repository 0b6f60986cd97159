"""The test helpers of assignment 02-losses: each function or class is copied whole into the cells
that list it (the read-only helpers cell, and again into every hidden part that needs it).
"""
from __future__ import annotations

import math

import torch

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from shared import _check_scalar_tensor, _name_the_slip


def _softplus(v):
    """log(1 + e^v) without overflow: max(v, 0) + log1p(e^-|v|)."""
    return max(v, 0.0) + math.log1p(math.exp(-abs(v)))


def _sigmoid(v):
    return 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))


def _mean(values):
    return sum(values) / len(values)


def _check_loss(got, expected, what, mistakes=(), atol=1e-5, rtol=1e-5):
    """got: a 0-dim tensor close to expected. Names the mistake if got matches a known one."""
    _check_scalar_tensor(got, what, "a scalar: average over the batch with .mean()")
    value = float(got)
    checks.assert_true(not math.isinf(value), f"{what} is {value}: a probability rounded to 0 and its "
                       "logarithm is infinite. torch.log(torch.sigmoid(l)) "
                       "is log(0) = -inf once |l| is large; use F.softplus, F.logsigmoid or "
                       "F.binary_cross_entropy_with_logits (see the identities above).")
    checks.assert_true(not math.isnan(value), f"{what} is nan. The inputs are logits (any real number), not probabilities: "
                       "torch.log of a negative logit is nan. Use D(x) = sigmoid(logit) through softplus.")
    _name_the_slip(value, expected, what, mistakes)
    checks.assert_close(got, torch.tensor(expected, dtype=got.dtype), what, atol=atol, rtol=rtol)


def _d_mistakes(real, fake):
    sig = [_sigmoid(v) for v in real], [_sigmoid(v) for v in fake]
    right = sum(_softplus(-v) for v in real) / len(real) + sum(_softplus(v) for v in fake) / len(fake)
    return [
        ("That is the loss with the sigmoid applied twice: the logits went through torch.sigmoid and then "
         "into a loss that applies it again (softplus / BCE-with-logits take logits).",
         _mean([_softplus(-p) for p in sig[0]]) + _mean([_softplus(p) for p in sig[1]])),
        ("That is the loss with the labels swapped: real samples have target 1, fakes target 0.",
         _mean([_softplus(v) for v in real]) + _mean([_softplus(-v) for v in fake])),
        ("That is V, D's *gain*; the loss to minimise is -V (mind the sign).", -right),
        ("That is one mean over both batches together; average each term on its own.",
         (sum(_softplus(-v) for v in real) + sum(_softplus(v) for v in fake)) / (len(real) + len(fake))),
        ("That is a sum over the batch; the loss averages each term (.mean()).",
         sum(_softplus(-v) for v in real) + sum(_softplus(v) for v in fake)),
    ] + _as_probabilities(real, fake)


def _as_probabilities(real, fake):
    """The loss of a learner who took the logits for probabilities (where it is defined)."""
    if min(real) <= 0 or max(fake) >= 1:
        return []
    return [("That treats the logits as probabilities (log of a logit). The inputs are logits, not probabilities: "
             "D(x) = sigmoid(logit).", -_mean([math.log(v) for v in real]) - _mean([math.log(1 - v) for v in fake]))]


def _sat_mistakes(fake):
    right = -_mean([_softplus(v) for v in fake])
    return [
        ("That is -L_G: the saturating loss is mean(log(1 - D(G(z)))) = -mean(softplus(logit)), a negative number.", -right),
        ("That is the non-saturating loss, -mean(log D(G(z))); this part asks for mean(log(1 - D(G(z)))).",
         _mean([_softplus(-v) for v in fake])),
        ("That is the loss with the sigmoid applied twice: softplus takes the logits themselves.",
         -_mean([_softplus(_sigmoid(v)) for v in fake])),
    ]


def _ns_mistakes(fake):
    right = _mean([_softplus(-v) for v in fake])
    return [
        ("That is the saturating loss mean(log(1 - D(G(z)))); the non-saturating one is -mean(log D(G(z))).",
         -_mean([_softplus(v) for v in fake])),
        ("That is -L_G: G *minimises* -mean(log D(G(z))) = mean(softplus(-logit)), a positive number.", -right),
        ("That is D's loss on fakes (target 0); G wants its fakes called real (target 1): softplus(-logit).",
         _mean([_softplus(v) for v in fake])),
        ("That is the loss with the sigmoid applied twice: softplus takes the logits themselves.",
         _mean([_softplus(-_sigmoid(v)) for v in fake])),
    ]
