"""The reference solutions of assignment 04-dcgan: one region per editable cell.

Each region (from a ``# %% cell: <grade_id>`` line to the next) is the cell as the source
notebook holds it; the release replaces each ``### BEGIN SOLUTION`` ... ``### END SOLUTION``
block by ``raise NotImplementedError()``. The names the notebook's setup cell defines are
imported here so that the file lints and imports on its own.
"""
from __future__ import annotations

from torch import nn


# %% cell: dcgan_init
def dcgan_init_(module):
    """DCGAN initialisation, in place: conv weights N(0, 0.02^2), batch-norm scales N(1, 0.02^2),
    biases and batch-norm shifts 0. Returns module."""
    ### BEGIN SOLUTION
    for layer in module.modules():
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(layer.weight, mean=0.0, std=0.02)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
        elif isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(layer.weight, mean=1.0, std=0.02)  # the scale gamma
            nn.init.zeros_(layer.bias)  # the shift beta
    return module
    ### END SOLUTION


# %% cell: generator
class Generator(nn.Module):
    """DCGAN generator: z of shape (N, latent_dim) -> images (N, channels, image_size, image_size) in [-1, 1]."""

    def __init__(self, latent_dim=100, channels=1, image_size=16, width=32):
        super().__init__()
        if image_size not in (16, 32):
            raise ValueError(f"image_size must be 16 or 32, got {image_size!r}")
        self.latent_dim = latent_dim
        # Build self.net = nn.Sequential(...) here.
        ### BEGIN SOLUTION
        stages = {16: 2, 32: 3}[image_size]  # layers before the output layer: log2(image_size / 4)
        widths = [width * 2 ** i for i in reversed(range(stages))]  # 16: [2w, w]; 32: [4w, 2w, w]
        layers = [nn.ConvTranspose2d(latent_dim, widths[0], 4, 1, 0, bias=False),  # 1x1 -> 4x4
                  nn.BatchNorm2d(widths[0]), nn.ReLU()]
        for c_in, c_out in zip(widths[:-1], widths[1:]):  # each doubles the size, halves the channels
            layers += [nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
        layers += [nn.ConvTranspose2d(widths[-1], channels, 4, 2, 1, bias=False), nn.Tanh()]  # output: no batch norm
        self.net = nn.Sequential(*layers)
        ### END SOLUTION

    def forward(self, z):
        ### BEGIN SOLUTION
        return self.net(z.view(z.shape[0], self.latent_dim, 1, 1))
        ### END SOLUTION


# %% cell: discriminator
class Discriminator(nn.Module):
    """DCGAN discriminator: images (N, channels, image_size, image_size) -> logits of shape (N,)."""

    def __init__(self, channels=1, image_size=16, width=32):
        super().__init__()
        if image_size not in (16, 32):
            raise ValueError(f"image_size must be 16 or 32, got {image_size!r}")
        # Build self.net = nn.Sequential(...) here.
        ### BEGIN SOLUTION
        stages = {16: 2, 32: 3}[image_size]  # layers before the output layer
        widths = [width * 2 ** i for i in range(stages)]  # 16: [w, 2w]; 32: [w, 2w, 4w]
        layers = [nn.Conv2d(channels, widths[0], 4, 2, 1, bias=False), nn.LeakyReLU(0.2)]  # input layer: no batch norm
        for c_in, c_out in zip(widths[:-1], widths[1:]):  # each halves the size, doubles the channels
            layers += [nn.Conv2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2)]
        layers += [nn.Conv2d(widths[-1], 1, 4, 1, 0, bias=False)]  # 4x4 -> 1x1: one logit, no sigmoid
        self.net = nn.Sequential(*layers)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return self.net(x).reshape(-1)
        ### END SOLUTION
