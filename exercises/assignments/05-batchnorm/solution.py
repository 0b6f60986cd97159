"""The reference solutions of assignment 05-batchnorm: one region per editable cell.

Each region (from a ``# %% cell: <grade_id>`` line to the next) is the cell as the source
notebook holds it; the release replaces each ``### BEGIN SOLUTION`` ... ``### END SOLUTION``
block by ``raise NotImplementedError()``. The names the notebook's setup cell defines are
imported here so that the file lints and imports on its own.
"""
from __future__ import annotations

import torch
from torch import nn


# %% cell: batch_statistics
def batch_statistics(x):
    """Per-channel mean and biased variance of x, shape (N, C) or (N, C, H, W): (mean, var), each (C,)."""
    ### BEGIN SOLUTION
    axes = [0] + list(range(2, x.dim()))  # every axis except the channel axis 1
    mean = x.mean(dim=axes)
    var = x.var(dim=axes, unbiased=False)  # biased: divide by m, not m - 1
    return mean, var
    ### END SOLUTION


# %% cell: normalize
def normalize(x, mean, var, gamma, beta, eps):
    """gamma * (x - mean) / sqrt(var + eps) + beta, with the (C,) vectors broadcast along axis 1 of x."""
    ### BEGIN SOLUTION
    shape = [1, x.shape[1]] + [1] * (x.dim() - 2)  # (1, C) or (1, C, 1, 1)
    x_hat = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps)
    return gamma.view(shape) * x_hat + beta.view(shape)
    ### END SOLUTION


# %% cell: batch_norm
class BatchNorm(nn.Module):
    """Batch normalisation of (N, C) or (N, C, H, W) inputs, like torch.nn.BatchNorm1d/2d."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))  # gamma, learned
        self.bias = nn.Parameter(torch.zeros(num_features))   # beta, learned
        self.register_buffer("running_mean", torch.zeros(num_features))  # not learned
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x):
        if self.training:
            # Part 3: set mean and var from this batch, and update the running estimates.
            ### BEGIN SOLUTION
            mean, var = batch_statistics(x)
            m = x.numel() // x.shape[1]  # values per channel: N, or N * H * W
            unbiased_var = var * m / (m - 1)
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean.detach()
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased_var.detach()
            ### END SOLUTION
        else:
            # Part 4: set mean and var from the running estimates.
            ### BEGIN SOLUTION
            mean, var = self.running_mean, self.running_var
            ### END SOLUTION
        return normalize(x, mean, var, self.weight, self.bias, self.eps)
