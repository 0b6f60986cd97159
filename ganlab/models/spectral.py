r"""Spectral normalisation of a layer's weight (Miyato et al., 2018; chapter 8).

A discriminator whose every layer has spectral norm (largest singular value) at most 1 is
1-Lipschitz when its activations are (ReLU and LeakyReLU are), so its output cannot change
faster than its input: :math:`|\ell(x) - \ell(x')| \le \lVert x - x'\rVert`. The layer divides
its weight :math:`W` (reshaped to a matrix of ``out`` rows) by an estimate of
:math:`\sigma(W)`, kept up to date by one step of power iteration per training forward pass:

.. math::
    v \leftarrow \frac{W^\top u}{\lVert W^\top u\rVert}, \qquad
    u \leftarrow \frac{W v}{\lVert W v\rVert}, \qquad
    \sigma(W) \approx u^\top W v, \qquad \bar W = W / \sigma(W).

:math:`u` and :math:`v` are constants for autograd; the gradient flows through :math:`W` in
both numerator and denominator, as in the paper.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["SpectralNorm", "spectral_norm_layers"]


class SpectralNorm(nn.Module):
    """Wrap a ``Linear`` or ``Conv2d`` so that it uses :math:`W / \\sigma(W)` (chapter 8)."""

    def __init__(self, layer: nn.Module, eps: float = 1e-12):
        super().__init__()
        if not isinstance(layer, (nn.Linear, nn.Conv2d)):
            raise TypeError(f"SpectralNorm wraps nn.Linear or nn.Conv2d, got {type(layer).__name__}")
        self.layer, self.eps = layer, eps
        rows = layer.weight.shape[0]
        self.register_buffer("u", F.normalize(torch.randn(rows), dim=0, eps=eps))

    def normalized_weight(self) -> torch.Tensor:
        weight = self.layer.weight
        matrix = weight.flatten(1)
        with torch.no_grad():
            u = self.u
            if self.training:  # one power-iteration step per training forward pass
                v = F.normalize(matrix.t() @ u, dim=0, eps=self.eps)
                u = F.normalize(matrix @ v, dim=0, eps=self.eps)
                self.u.copy_(u)
            v = F.normalize(matrix.t() @ u, dim=0, eps=self.eps)
        sigma = u @ matrix @ v
        return weight / sigma

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weight = self.normalized_weight()
        if isinstance(self.layer, nn.Linear):
            return F.linear(x, weight, self.layer.bias)
        return self.layer._conv_forward(x, weight, self.layer.bias)


def spectral_norm_layers(module: nn.Module) -> nn.Module:
    """Wrap every ``Linear`` and ``Conv2d`` inside ``module`` in :class:`SpectralNorm`, in place.

    First used in chapter 8, through :func:`toy_2d` (``spectral_norm=True``).
    """
    for name, child in module.named_children():
        if isinstance(child, (nn.Linear, nn.Conv2d)):
            setattr(module, name, SpectralNorm(child))
        elif not isinstance(child, SpectralNorm):
            spectral_norm_layers(child)
    return module
