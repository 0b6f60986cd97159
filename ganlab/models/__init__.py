"""The neural networks of the course (chapters 2-9).

MLP models for toy data (chapters 2-4), DCGAN (chapter 5), batch normalisation from the
formula (chapter 6), CycleGAN (chapter 7) and a VAE (chapter 9).
"""
from __future__ import annotations

from .base import Generator, LATENT_DISTRIBUTIONS
from .mlp import MLPGenerator, MLPDiscriminator, pack_samples

__all__ = ["Generator", "LATENT_DISTRIBUTIONS", "MLPGenerator", "MLPDiscriminator",
           "pack_samples"]
