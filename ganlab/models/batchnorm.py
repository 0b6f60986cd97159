r"""Batch normalisation written from the formula (Ioffe & Szegedy, 2015; chapter 6).

For one channel, a mini-batch :math:`\mathcal{B} = \{x_1, \dots, x_m\}` (all the values of that
channel over the batch and, for images, over every pixel) is normalised as in the paper's Algorithm 1:

.. math::

    \mu_\mathcal{B} &= \frac{1}{m} \sum_{i=1}^{m} x_i
        && \text{mini-batch mean} \\
    \sigma_\mathcal{B}^2 &= \frac{1}{m} \sum_{i=1}^{m} (x_i - \mu_\mathcal{B})^2
        && \text{mini-batch variance} \\
    \hat{x}_i &= \frac{x_i - \mu_\mathcal{B}}{\sqrt{\sigma_\mathcal{B}^2 + \epsilon}}
        && \text{normalise} \\
    y_i &= \gamma \hat{x}_i + \beta
        && \text{scale and shift}

During training the layer also keeps running estimates for evaluation, with the *unbiased*
variance :math:`\frac{m}{m-1}\sigma_\mathcal{B}^2` (as PyTorch does):

.. math::

    \hat\mu \leftarrow (1 - \alpha)\hat\mu + \alpha \mu_\mathcal{B}, \qquad
    \hat\sigma^2 \leftarrow (1 - \alpha)\hat\sigma^2 + \alpha \tfrac{m}{m-1}\sigma_\mathcal{B}^2,

where :math:`\alpha` is ``momentum``, or :math:`1/t` after :math:`t` batches when ``momentum`` is
``None`` (a cumulative average). In evaluation mode :math:`\hat\mu, \hat\sigma^2` replace the
batch statistics, so one image's output no longer depends on the rest of its batch.
"""
from __future__ import annotations

import torch
from torch import nn

__all__ = ["BatchNorm"]


class BatchNorm(nn.Module):
    r"""Batch normalisation for ``(N, C)``, ``(N, C, L)`` and ``(N, C, H, W)`` inputs (chapter 6).

    Behaves like :class:`torch.nn.BatchNorm1d` / :class:`torch.nn.BatchNorm2d` with the same
    arguments, in training and evaluation mode, and has the same ``state_dict`` keys
    (``weight``, ``bias``, ``running_mean``, ``running_var``, ``num_batches_tracked``), so weights
    load either way. The algorithm, one line of code per line of the paper's Algorithm 1:

    1. :math:`\mu_\mathcal{B} = \frac{1}{m}\sum_i x_i` (mean over every axis except the channel)
    2. :math:`\sigma^2_\mathcal{B} = \frac{1}{m}\sum_i (x_i - \mu_\mathcal{B})^2` (biased)
    3. :math:`\hat x_i = (x_i - \mu_\mathcal{B}) / \sqrt{\sigma^2_\mathcal{B} + \epsilon}`
    4. :math:`y_i = \gamma \hat x_i + \beta` (``weight`` :math:`\gamma`, ``bias`` :math:`\beta`)

    Args:
        num_features: number of channels :math:`C`.
        eps: :math:`\epsilon`, added to the variance for numerical safety.
        momentum: :math:`\alpha` of the running averages; ``None`` for a cumulative average.
        affine: learn :math:`\gamma` (init 1) and :math:`\beta` (init 0); if ``False``, :math:`y = \hat x`.
        track_running_stats: keep running statistics and use them in evaluation mode; if
            ``False``, batch statistics are used in both modes.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True):
        super().__init__()
        if isinstance(num_features, bool) or not isinstance(num_features, int) or num_features < 1:
            raise ValueError(f"num_features must be a positive int (the channel count C), "
                             f"got {num_features!r}")
        if not eps > 0:
            raise ValueError(f"eps must be positive, got {eps!r}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"momentum must be in [0, 1] or None, got {momentum!r}")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batch tracked."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1.0)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        r"""Reset the running statistics and set :math:`\gamma = 1`, :math:`\beta = 0`."""
        self.reset_running_stats()
        if self.affine:
            nn.init.ones_(self.weight)
            nn.init.zeros_(self.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise ``x`` of shape ``(N, C)``, ``(N, C, L)`` or ``(N, C, H, W)`` per channel."""
        if x.dim() not in (2, 3, 4) or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm({self.num_features}) expects (N, {self.num_features}), "
                             f"(N, {self.num_features}, L) or (N, {self.num_features}, H, W), "
                             f"got {tuple(x.shape)}")
        axes = [0] + list(range(2, x.dim()))  # every axis except the channel axis
        shape = [1, self.num_features] + [1] * (x.dim() - 2)  # broadcast per-channel values
        use_batch_stats = self.training or not self.track_running_stats
        if use_batch_stats:
            m = x.numel() // self.num_features
            if m < 2:
                raise ValueError(f"BatchNorm in training mode needs more than 1 value per channel, "
                                 f"got input {tuple(x.shape)}; use a batch of 2 or more, or eval().")
            mean = x.mean(dim=axes)                                   # line 1
            var = ((x - mean.view(shape)) ** 2).mean(dim=axes)         # line 2 (biased)
            if self.training and self.track_running_stats:
                self._update_running_stats(mean.detach(), var.detach() * m / (m - 1))
        else:
            mean, var = self.running_mean, self.running_var
        x_hat = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + self.eps)  # line 3
        if self.affine:
            return self.weight.view(shape) * x_hat + self.bias.view(shape)       # line 4
        return x_hat

    @torch.no_grad()
    def _update_running_stats(self, mean: torch.Tensor, unbiased_var: torch.Tensor) -> None:
        self.num_batches_tracked += 1
        if self.momentum is None:
            alpha = 1.0 / float(self.num_batches_tracked)  # cumulative moving average
        else:
            alpha = self.momentum
        self.running_mean.mul_(1 - alpha).add_(alpha * mean.to(self.running_mean.dtype))
        self.running_var.mul_(1 - alpha).add_(alpha * unbiased_var.to(self.running_var.dtype))

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")
