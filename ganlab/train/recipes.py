r"""Tested settings for the course's standard runs: models and :class:`TrainConfig` together.

Each recipe returns fresh models (built after :func:`ganlab.seed_everything` ``(seed)``, so
the initialisation is repeatable) and the config to pass to :func:`ganlab.train.train_gan`::

    G, D, config = recipes.toy_2d("ring")
    result = train_gan(G, D, ring, config)

or, for several seeds at once, to :func:`ganlab.train.train_ensemble`::

    generators, discriminators, config = recipes.many(recipes.toy_2d, range(10), kind="grid")
    result = train_ensemble(generators, discriminators, grid, config, seeds=range(10))

The benchmarks in ``benchmarks/`` measure what these recipes reach (``mode_coverage.py`` on
the ring and grid, ``digits_fid.py`` on the digits); the chapters reuse them and change one
thing at a time.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .config import TrainConfig

__all__ = ["toy_2d", "toy_2d_collapse", "dcgan_digits", "conditional_digits", "many", "describe",
           "ToyRecipe", "TOY_2D", "TOY_2D_COLLAPSE", "DCGAN_DIGITS", "CONDITIONAL_DIGITS"]


@dataclass(frozen=True)
class ToyRecipe:
    """Sizes of a 2-D GAN's MLPs and its training settings (chapter 3, through :func:`toy_2d_collapse`)."""
    g_hidden: int
    g_depth: int
    d_hidden: int
    d_depth: int
    latent_dim: int
    config: TrainConfig


_TOY_2D_CONFIG = TrainConfig(steps=4000, batch_size=256, lr_g=1e-3, lr_d=1e-3,
                             lr_schedule="linear", r1=1.0, ema=0.999, n_fixed=2500)

#: the default 2-D recipes (chapters 3 and 8), one per mixture. Mescheder et al.'s R1 penalty
#: keeps D flat on the data, which ends the circling around the modes; the learning rate
#: decays linearly to 0 so the samples settle, and the moving average of G's weights removes
#: the last jitter. The ring's generator is deeper (six ReLU layers): its samples then bridge
#: less between neighbouring modes (3 seeds: 93.8 % high quality against 88.6 % with three
#: layers), while on the grid six layers were unstable (seeds collapsing to 0-19 modes).
#: benchmarks/mode_coverage.py, 10 seeds: ring 8.0 +- 0 modes, 92.5 +- 1.5 % high quality,
#: reverse KL 0.002; grid 25.0 +- 0 modes, 38.6 +- 12.6 %, reverse KL 0.17 +- 0.11. With
#: these settings packing (pack=2) hurts: ring 47.5 %, grid 22.6 modes at 6.7 %.
TOY_2D = {"ring": ToyRecipe(g_hidden=128, g_depth=6, d_hidden=128, d_depth=3, latent_dim=2,
                            config=_TOY_2D_CONFIG),
          "grid": ToyRecipe(g_hidden=128, g_depth=3, d_hidden=128, d_depth=3, latent_dim=2,
                            config=_TOY_2D_CONFIG)}

#: a vanilla GAN that collapses (chapter 3): the default ring networks without R1 or averaging,
#: and a discriminator that learns ten times slower than the generator (Adam 1e-4 against
#: 1e-3, decayed linearly to 0). G outruns D, gathers all its samples in one small cluster
#: and moves it around: at the end every seed covers at most one mode (10 seeds: 0.1 +- 0.3
#: modes), though the cluster sits between modes rather than on one. Packing (pack=2) on the
#: same seeds covers 7.7 +- 0.5 modes.
TOY_2D_COLLAPSE = dataclasses.replace(
    TOY_2D["ring"], config=dataclasses.replace(_TOY_2D_CONFIG, steps=2000, lr_d=1e-4, r1=0.0,
                                               ema=0.0))


def _toy(recipe: ToyRecipe, kind: str, pack: int, seed: int, overrides: dict,
         spectral_norm: bool = False):
    import ganlab
    from ..models import MLPDiscriminator, MLPGenerator
    if kind not in ("ring", "grid"):
        raise ValueError(f"kind must be 'ring' or 'grid', got {kind!r}")
    ganlab.seed_everything(seed)
    G = MLPGenerator(recipe.latent_dim, 2, recipe.g_hidden, recipe.g_depth)
    D = MLPDiscriminator(2, recipe.d_hidden, recipe.d_depth, pack=pack,
                         spectral_norm=spectral_norm)
    config = dataclasses.replace(recipe.config, seed=seed, **overrides).validate()
    if config.batch_size % pack:
        config = dataclasses.replace(config, batch_size=config.batch_size // pack * pack)
    return G, D, config


def toy_2d(kind: str = "ring", *, pack: int = 1, seed: int = 0, spectral_norm: bool = False,
           **overrides):
    r"""``(G, D, config)``: the default recipe for the 2-D mixtures (chapters 3 and 8).

    ``kind`` is ``"ring"`` or ``"grid"``. G maps :math:`z \sim \mathcal{N}(0, I_2)` through
    ReLU layers of 128 units to :math:`\mathbb{R}^2` (six for the ring, three for the grid); D
    is an MLP with three LeakyReLU(0.2) layers, returning a logit, packing ``pack`` samples
    (PacGAN), with spectral normalisation if ``spectral_norm`` (chapter 8). The settings are
    ``TOY_2D[kind]``; ``overrides`` replace fields of the config.
    """
    if kind not in TOY_2D:
        raise ValueError(f"kind must be 'ring' or 'grid', got {kind!r}")
    return _toy(TOY_2D[kind], kind, pack, seed, overrides, spectral_norm)


def toy_2d_collapse(kind: str = "ring", *, pack: int = 1, seed: int = 0, **overrides):
    r"""``(G, D, config)``: a vanilla GAN that collapses onto few modes (chapter 3).

    The settings are :data:`TOY_2D_COLLAPSE`; ``pack=2`` is PacGAN's fix on the same seeds.
    """
    return _toy(TOY_2D_COLLAPSE, kind, pack, seed, overrides)


#: the digits DCGAN (chapters 1, 5 and 8): the guidelines' network at 16 x 16, Adam 2e-4 and
#: betas (0.5, 0.999), batch 64, with two changes that the digits' Fréchet distance asked for:
#: a hard-tanh output, which reaches the background of exactly -1 (a tanh leaves a grey
#: speckle the classifier's features notice: 2 seeds at 600 steps, 13-14 x the real floor
#: against 21-24 x), and a moving average of G's weights (8.4-9.4 x at 1,500 steps).
#: benchmarks/digits_fid.py, 3 seeds: 8.55 +- 1.29 x the real floor, 10/10 classes.
DCGAN_DIGITS = dict(latent_dim=32, width=64, generator=dict(output="hardtanh"),
                    config=TrainConfig(steps=1500, batch_size=64, ema=0.999, n_fixed=64))


def dcgan_digits(*, seed: int = 0, latent_dim: int | None = None, width: int | None = None,
                 generator_options: dict | None = None,
                 discriminator_options: dict | None = None, **overrides):
    """``(G, D, config)``: DCGAN for 16 x 16 digits (chapter 1), the settings of :data:`DCGAN_DIGITS`.

    The sizes of the shipped ``dcgan_digits`` generator (``scripts/train_dcgan_digits.py``).
    ``generator_options`` and ``discriminator_options`` are passed on to
    :class:`~ganlab.models.DCGANGenerator` and :class:`~ganlab.models.DCGANDiscriminator`
    (chapter 5's ablation flags, e.g. ``{"downsample": "pool"}``); ``overrides`` replace fields
    of the config.
    """
    import ganlab
    from ..models import DCGANDiscriminator, DCGANGenerator
    latent_dim = latent_dim or DCGAN_DIGITS["latent_dim"]
    width = width or DCGAN_DIGITS["width"]
    ganlab.seed_everything(seed)
    G = DCGANGenerator(latent_dim=latent_dim, channels=1, image_size=16, width=width,
                       **{**DCGAN_DIGITS["generator"], **(generator_options or {})})
    D = DCGANDiscriminator(channels=1, image_size=16, width=width,
                           **(discriminator_options or {}))
    config = dataclasses.replace(DCGAN_DIGITS["config"], seed=seed, **overrides).validate()
    return G, D, config


#: the class-conditional digits DCGAN (chapter 10): the networks and settings of
#: :data:`DCGAN_DIGITS` (z of 32, width 64, hard-tanh output, EMA 0.999, 1,500 steps of batch 64),
#: with the one-hot label concatenated to G's latent vector and, as ten constant planes, to
#: D's input (Mirza and Osindero, 2014). Train it on :func:`ganlab.data.labelled_digits`.
#: ``python -m scripts.measure conditional_digits``, 5 seeds: the requested digit in 98.9 +- 0.2 %
#: of the samples (worst digit 95.0 +- 1.4 %), 2.49 +- 0.33 x the real Fréchet floor, 10/10
#: classes (the unconditional recipe, measured alike in ``dcgan_digits``: 8.80 +- 0.98 x).
CONDITIONAL_DIGITS = dict(latent_dim=32, width=64, n_classes=10,
                          generator=dict(output="hardtanh"),
                          config=TrainConfig(steps=1500, batch_size=64, ema=0.999, n_fixed=64))


def conditional_digits(*, seed: int = 0, latent_dim: int | None = None, width: int | None = None,
                       generator_options: dict | None = None,
                       discriminator_options: dict | None = None, **overrides):
    r"""``(G, D, config)``: a class-conditional DCGAN for 16 x 16 digits (chapter 10).

    G is a :class:`~ganlab.models.ConditionalDCGANGenerator` (noise :math:`z` of
    ``latent_dim``, one-hot label appended to it), D a
    :class:`~ganlab.models.ConditionalDCGANDiscriminator` (image + 10 label planes); the
    settings are :data:`CONDITIONAL_DIGITS`, those of :func:`dcgan_digits`. The data is
    ``ganlab.data.labelled_digits()``. ``generator_options``, ``discriminator_options`` and
    ``overrides`` as in :func:`dcgan_digits`.
    """
    import ganlab
    from ..models import ConditionalDCGANDiscriminator, ConditionalDCGANGenerator
    latent_dim = latent_dim or CONDITIONAL_DIGITS["latent_dim"]
    width = width or CONDITIONAL_DIGITS["width"]
    n_classes = CONDITIONAL_DIGITS["n_classes"]
    ganlab.seed_everything(seed)
    G = ConditionalDCGANGenerator(noise_dim=latent_dim, n_classes=n_classes, channels=1,
                                  image_size=16, width=width,
                                  **{**CONDITIONAL_DIGITS["generator"],
                                     **(generator_options or {})})
    D = ConditionalDCGANDiscriminator(n_classes=n_classes, channels=1, image_size=16,
                                      width=width, **(discriminator_options or {}))
    config = dataclasses.replace(CONDITIONAL_DIGITS["config"], seed=seed, **overrides).validate()
    return G, D, config


def many(recipe, seeds, **kwargs):
    """``(generators, discriminators, config)``: one ``recipe`` per seed, for :func:`train_ensemble`.

    ``recipe`` is a function of this module (e.g. :func:`toy_2d`); model ``i`` is built exactly
    as ``recipe(seed=seeds[i], **kwargs)`` builds it, so run ``i`` of
    ``train_ensemble(generators, discriminators, data, config, seeds=seeds)`` is the standalone
    run of seed ``seeds[i]`` (the stored measurements that chapters 3, 5 and 8 show).
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("give at least one seed, e.g. seeds=range(5)")
    built = [recipe(seed=seed, **kwargs) for seed in seeds]
    generators = [g for g, _, _ in built]
    discriminators = [d for _, d, _ in built]
    return generators, discriminators, built[0][2]


def describe(recipe, **kwargs) -> str:
    """One line naming a recipe's networks and the settings that differ from the defaults (chapter 10)."""
    G, D, config = recipe(**kwargs)
    defaults = TrainConfig()
    changed = {f.name: getattr(config, f.name) for f in dataclasses.fields(TrainConfig)
               if f.name not in ("n_fixed", "seed", "probe")
               and getattr(config, f.name) != getattr(defaults, f.name)}
    settings = ", ".join(f"{name}={value!r}" for name, value in changed.items())
    g_size = sum(p.numel() for p in G.parameters())
    d_size = sum(p.numel() for p in D.parameters())
    output = f", {G.output} output" if getattr(G, "output", "tanh") != "tanh" else ""
    latent = f"z of {G.latent_dim}"
    if hasattr(G, "noise_dim"):  # a conditional generator: z and the one-hot label
        latent = f"z of {G.noise_dim} + one-hot label of {G.n_classes}"
    return (f"{type(G).__name__} ({g_size:,} weights, {latent}{output}) vs "
            f"{type(D).__name__} ({d_size:,} weights); {settings}")
