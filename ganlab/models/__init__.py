"""The neural networks of the course (chapters 2-9).

MLP models for toy data (chapters 2-4), DCGAN (chapter 5), batch normalisation from the
formula (chapter 6), CycleGAN (chapter 7), a VAE (chapter 9) and a class-conditional DCGAN
(chapter 10).
"""
from __future__ import annotations

from .base import Generator, LATENT_DISTRIBUTIONS
from .batchnorm import BatchNorm
from .conditional import ConditionalDCGANDiscriminator, ConditionalDCGANGenerator
from .cyclegan import ImagePool, PatchDiscriminator, ResnetBlock, ResnetGenerator
from .dcgan import DCGAN_IMAGE_SIZES, DCGANDiscriminator, DCGANGenerator, dcgan_init_
from .mlp import MLPDiscriminator, MLPGenerator, pack_samples
from .spectral import SpectralNorm, spectral_norm_layers
from .vae import VAE, VAELoss

__all__ = [
    "SpectralNorm", "spectral_norm_layers",
    "Generator", "LATENT_DISTRIBUTIONS",
    "MLPGenerator", "MLPDiscriminator", "pack_samples",
    "DCGANGenerator", "DCGANDiscriminator", "dcgan_init_", "DCGAN_IMAGE_SIZES",
    "BatchNorm",
    "ConditionalDCGANGenerator", "ConditionalDCGANDiscriminator",
    "ResnetGenerator", "ResnetBlock", "PatchDiscriminator", "ImagePool",
    "VAE", "VAELoss",
]
