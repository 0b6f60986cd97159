"""The digits DCGAN at its full budget, one change at a time (chapters 4, 5, 6, 8 and 9).

Every setting trains :func:`ganlab.train.recipes.dcgan_digits` for each seed (the same seeds,
hence the same initial weights wherever the networks agree) and changes one thing: a DCGAN
guideline broken (chapter 5), batch norm removed or put on D's input (chapter 6), the
saturating loss (chapter 4), or a stabiliser of chapter 8. Each seed's moving-average
generator draws 1,000 images, scored against the 1,797-digit test split by the Fréchet
distance in the shipped classifier's features, divided by the real-vs-real floor, and by the
number of digit classes the classifier finds in them.
"""
from __future__ import annotations

import torch

from ganlab.data import digits
from ganlab.metrics import class_coverage, digit_fid
from ganlab.train import recipes, train_ensemble

from . import score_seeds

TITLE = "Digits DCGAN, one change at a time"
BUDGET = "1,500 steps of batch 64 (the shipped recipe, ganlab.train.recipes.dcgan_digits)"
SEEDS = range(5)
METRICS = {
    "fid_ratio": {"label": "Fréchet distance / real floor", "better": "lower"},
    "classes": {"label": "digit classes (of 10)", "better": "higher"},
    "largest_share": {"label": "share of the commonest class", "better": "lower"},
}
#: setting: (description, generator options, discriminator options, config overrides)
VARIANTS = {
    "guidelines": ("all five DCGAN guidelines (the recipe)", {}, {}, {}),
    "pooling in D": ("guideline 1 broken: 3x3 conv + average pooling in D", {},
                     {"downsample": "pool"}, {}),
    "upsample + conv in G": ("guideline 1 broken: nearest upsampling + 3x3 conv in G",
                             {"upsample": "nearest"}, {}, {}),
    "no batch norm": ("guideline 2 broken: no batch norm in G or D", {"batchnorm": False},
                      {"batchnorm": False}, {}),
    "batch norm on D's input": ("batch norm on D's input layer too (chapter 6's trap)", {},
                                {"input_batchnorm": True}, {}),
    "fully connected": ("guideline 3 broken: fully connected hidden layers (256 units)",
                        {"fully_connected": True, "fc_units": 256},
                        {"fully_connected": True, "fc_units": 256}, {}),
    "ReLU in D": ("guideline 5 broken: ReLU instead of LeakyReLU in D", {},
                  {"activation": "relu"}, {}),
    "saturating loss": ("G minimises log(1 - D(G(z))) (chapter 4)", {}, {},
                        {"loss": "saturating"}),
    "spectral norm in D": ("stabiliser: spectral norm on every layer of D, no batch norm in D",
                           {}, {"spectral_norm": True, "batchnorm": False}, {}),
    "hinge loss": ("stabiliser: the hinge loss instead of the non-saturating loss", {}, {},
                   {"loss": "hinge"}),
    "R1 penalty": ("stabiliser: R1 penalty on D's gradient at real digits, gamma = 1", {}, {},
                   {"r1": 1.0}),
}
SETTINGS = {name: description for name, (description, *_rest) in VARIANTS.items()}
N_IMAGES = 1000


def measure(setting: str, seeds) -> dict:
    _, g_options, d_options, overrides = VARIANTS[setting]
    seeds = list(seeds)
    train, test = digits(16, "train"), digits(16, "test")
    floor = digit_fid(train.images, test.images)
    generators, discriminators, config = recipes.many(
        recipes.dcgan_digits, seeds, generator_options=g_options,
        discriminator_options=d_options, progress=False, snapshot_every=0, **overrides)
    result = train_ensemble(generators, discriminators, train, config, seeds=seeds)

    def score(sampler):
        images = sampler.generate(N_IMAGES, rng=torch.Generator().manual_seed(1))
        covered, histogram = class_coverage(images)
        return {"fid_ratio": round(digit_fid(images, test.images) / floor, 4),
                "classes": int(covered),
                "largest_share": round(float(histogram.max()) / N_IMAGES, 4)}

    return score_seeds(result, METRICS, score)
