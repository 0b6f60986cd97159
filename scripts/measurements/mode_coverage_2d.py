"""Mode coverage of the 2-D recipes over ten seeds (chapters 3 and 8).

Trains each setting for seeds 0-9 at once (:func:`ganlab.train.train_ensemble`) and measures
2,500 fresh samples of each seed's generator as VEEGAN and PacGAN do
(:func:`ganlab.metrics.mode_coverage`): modes covered, the share of high-quality samples
(within 3 standard deviations of their nearest centre) and the reverse KL divergence of the
mode histogram from the uniform one; and, whatever their quality, the share of samples whose
nearest mode is the commonest one (12.5 % on the ring and 4 % on the grid for a generator that
spreads evenly, 100 % for one that collapsed) and how far the samples spread around their
centroid (1 on the ring's circle of radius 1).
"""
from __future__ import annotations

import math

import torch

from ganlab.data import grid, grid_centers, ring, ring_centers
from ganlab.metrics import assign_to_modes, mode_coverage
from ganlab.train import recipes, train_ensemble

TITLE = "Mode coverage on the 2-D mixtures"
BUDGET = ("the recipes of ganlab.train.recipes: toy_2d 4,000 steps of batch 256, "
          "toy_2d_collapse 2,000 steps")
SEEDS = range(10)
METRICS = {
    "modes": {"label": "modes covered", "better": "higher"},
    "high_quality": {"label": "high-quality samples (%)", "better": "higher"},
    "reverse_kl": {"label": "reverse KL (nats)", "better": "lower"},
    "top_mode_share": {"label": "samples nearest the commonest mode (%)", "better": "lower"},
    "spread": {"label": "spread of the samples (mean distance to their centroid)",
               "better": "higher"},
}
DATA = {"ring": (ring, ring_centers(), 0.01), "grid": (grid, grid_centers(), 0.05)}
EVAL_SEED = 10_000  # evaluation samples come from another stream than training
#: setting: (description, mixture, recipe, recipe options)
VARIANTS = {
    "ring": ("ring, the default recipe (R1, EMA, lr decay)", "ring", recipes.toy_2d, {}),
    "ring, pack=2": ("ring, the default recipe with PacGAN's pack=2", "ring", recipes.toy_2d,
                     {"pack": 2}),
    "grid": ("grid, the default recipe (R1, EMA, lr decay)", "grid", recipes.toy_2d, {}),
    "grid, pack=2": ("grid, the default recipe with pack=2", "grid", recipes.toy_2d,
                     {"pack": 2}),
    "collapse": ("ring, a vanilla GAN whose D learns 10x slower (toy_2d_collapse)", "ring",
                 recipes.toy_2d_collapse, {}),
    "collapse, pack=2": ("the collapsing GAN with pack=2", "ring", recipes.toy_2d_collapse,
                         {"pack": 2}),
    "collapse, R1 + EMA": ("the collapsing GAN's learning rates with R1 and weight averaging",
                           "ring", recipes.toy_2d_collapse, {"r1": 1.0, "ema": 0.999}),
    "grid, no R1": ("grid, the default recipe without the R1 penalty", "grid",
                    recipes.toy_2d, {"r1": 0.0}),
    "grid, spectral norm": ("grid, spectral norm in D instead of R1", "grid", recipes.toy_2d,
                            {"r1": 0.0, "spectral_norm": True}),
    "grid, hinge loss": ("grid, the hinge loss instead of the non-saturating loss (with R1)",
                         "grid", recipes.toy_2d, {"loss": "hinge"}),
}
SETTINGS = {name: description for name, (description, *_rest) in VARIANTS.items()}


def measure(setting: str, seeds) -> dict:
    _, kind, recipe, options = VARIANTS[setting]
    seeds = list(seeds)
    data, centers, std = DATA[kind]
    generators, discriminators, config = recipes.many(recipe, seeds, kind=kind, progress=False,
                                                      snapshot_every=0, **options)
    result = train_ensemble(generators, discriminators, data, config, seeds=seeds)
    values = {metric: [] for metric in METRICS}
    for seed, sampler in zip(seeds, result.samplers):
        samples = sampler.generate(2500, rng=torch.Generator().manual_seed(EVAL_SEED + seed))
        coverage = mode_coverage(samples, centers, std)
        nearest, _ = assign_to_modes(samples, centers, std)  # every sample, however far
        top = float(torch.bincount(nearest, minlength=len(centers)).max()) / len(samples)
        spread = float((samples - samples.mean(0)).norm(dim=1).mean())
        values["modes"].append(int(coverage.modes))
        values["high_quality"].append(round(100 * coverage.high_quality, 2))
        kl = coverage.reverse_kl  # nan when no sample is of high quality: stored as null
        values["reverse_kl"].append(round(kl, 4) if math.isfinite(kl) else None)
        values["top_mode_share"].append(round(100 * top, 2))
        values["spread"].append(round(spread, 4))
    return values
