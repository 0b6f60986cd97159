r"""Tested settings for the course's standard runs: models and :class:`TrainConfig` together.

Each recipe returns fresh models (built after :func:`ganlab.seed_everything` ``(seed)``, so
the initialisation is repeatable) and the config to pass to :func:`ganlab.train.train_gan`::

    G, D, config = recipes.toy_2d("ring")
    result = train_gan(G, D, ring, config)

The benchmarks in ``benchmarks/`` measure what these recipes reach (mode coverage on the
ring and grid, Fréchet distance on the digits); the chapters reuse them and change one
thing at a time.
"""
from __future__ import annotations

import dataclasses

from .config import TrainConfig

__all__ = ["toy_2d", "dcgan_digits", "many", "TOY_2D"]

#: the default 2-D recipe (chapter 3): MLPs for G and D, non-saturating loss, Adam with
#: betas (0.5, 0.999) and a learning rate of 1e-3 decayed linearly to 0 over 4,000 steps of
#: batches of 256. Without the decay, runs at 1e-3 lose modes again; the decay lets the
#: samples settle on the modes (seed 0: the ring's high-quality share went from 80 % at
#: 5e-4 over 3,000 steps to 91 %, the grid's from 5 % to 34 %; benchmarks/mode_coverage.py).
TOY_2D = dict(hidden=128, depth=3, latent_dim=2,
              config=TrainConfig(steps=4000, batch_size=256, lr_g=1e-3, lr_d=1e-3,
                                 lr_schedule="linear", n_fixed=2500))


def toy_2d(kind: str = "ring", *, pack: int = 1, seed: int = 0, **overrides):
    r"""``(G, D, config)`` for the 2-D mixtures of chapter 3 (``kind`` ``"ring"`` or ``"grid"``).

    G maps :math:`z \sim \mathcal{N}(0, I_2)` through ``depth`` ReLU layers of ``hidden`` units
    to :math:`\mathbb{R}^2`; D is the mirror MLP with LeakyReLU(0.2), returning a logit,
    packing ``pack`` samples (PacGAN). ``overrides`` replace fields of the config.
    """
    import ganlab
    from ..models import MLPDiscriminator, MLPGenerator
    if kind not in ("ring", "grid"):
        raise ValueError(f"kind must be 'ring' or 'grid', got {kind!r}")
    recipe = TOY_2D
    ganlab.seed_everything(seed)
    G = MLPGenerator(recipe["latent_dim"], 2, recipe["hidden"], recipe["depth"])
    D = MLPDiscriminator(2, recipe["hidden"], recipe["depth"], pack=pack)
    config = dataclasses.replace(recipe["config"], seed=seed, **overrides).validate()
    if config.batch_size % pack:
        config = dataclasses.replace(config, batch_size=config.batch_size // pack * pack)
    return G, D, config


def dcgan_digits(*, seed: int = 0, latent_dim: int = 32, width: int = 64, **overrides):
    """``(G, D, config)``: DCGAN for 16 x 16 digits (chapter 5), 2e-4 and betas (0.5, 0.999).

    The sizes of the shipped ``dcgan_digits`` generator (``scripts/train_dcgan_digits.py``).
    """
    import ganlab
    from ..models import DCGANDiscriminator, DCGANGenerator
    ganlab.seed_everything(seed)
    G = DCGANGenerator(latent_dim=latent_dim, channels=1, image_size=16, width=width)
    D = DCGANDiscriminator(channels=1, image_size=16, width=width)
    config = dataclasses.replace(TrainConfig(steps=2000, batch_size=64, n_fixed=64),
                                 seed=seed, **overrides).validate()
    return G, D, config


def many(recipe, seeds, **kwargs):
    """``(generators, discriminators, config)``: one ``recipe`` per seed, for :func:`train_ensemble`.

    ``recipe`` is a function of this module (e.g. :func:`toy_2d`); model ``i`` is built exactly
    as ``recipe(seed=seeds[i], **kwargs)`` builds it, so run ``i`` of
    ``train_ensemble(generators, discriminators, data, config, seeds=seeds)`` is the standalone
    run of seed ``seeds[i]`` (chapters 3, 5 and 8).
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("give at least one seed, e.g. seeds=range(5)")
    built = [recipe(seed=seed, **kwargs) for seed in seeds]
    generators = [g for g, _, _ in built]
    discriminators = [d for _, d, _ in built]
    return generators, discriminators, built[0][2]
