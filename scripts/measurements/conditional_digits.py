"""The class-conditional digits DCGAN at its full budget (chapter 10).

Every seed trains :func:`ganlab.train.recipes.conditional_digits` (the networks and settings of
the unconditional ``dcgan_digits`` recipe, with the one-hot label concatenated to G's latent
vector and, as ten constant planes, to D's input) on the labelled train split. Each seed's
moving-average generator is then asked for 100 images of every digit, 1,000 in all; the
shipped classifier reads them. Class accuracy is the share classified as the digit that was
requested, per class and overall; the same 1,000 images (uniform labels) are scored against
the test split by the Fréchet distance in the classifier's features, divided by the
real-vs-real floor, as in ``dcgan_digits``.
"""
from __future__ import annotations

import torch

from ganlab.data import digits, labelled_digits
from ganlab.metrics import class_coverage, classify_digits, digit_fid
from ganlab.train import recipes, train_ensemble

from . import score_seeds

TITLE = "Class-conditional digits DCGAN"
BUDGET = "1,500 steps of batch 64 (ganlab.train.recipes.conditional_digits)"
SEEDS = range(5)
METRICS = {
    "accuracy": {"label": "class accuracy (share read as the requested digit)",
                 "better": "higher"},
    "worst_class": {"label": "accuracy of the worst digit", "better": "higher"},
    "fid_ratio": {"label": "Fréchet distance / real floor", "better": "lower"},
    "classes": {"label": "digit classes (of 10)", "better": "higher"},
}
SETTINGS = {
    "conditional DCGAN": "G(z, y) and D(x, y): the one-hot label concatenated to G's latent "
                         "vector and, as 10 constant planes, to D's input (Mirza and Osindero)",
}
PER_CLASS = 100
N_CLASSES = 10


def measure(setting: str, seeds, **overrides) -> dict:
    """``{metric: [value per seed]}``; ``overrides`` go to the recipe (a test: ``steps=2``)."""
    if setting not in SETTINGS:
        raise KeyError(f"unknown setting {setting!r}; choose one of {list(SETTINGS)}")
    seeds = list(seeds)
    train, test = digits(16, "train"), digits(16, "test")
    floor = digit_fid(train.images, test.images)
    generators, discriminators, config = recipes.many(
        recipes.conditional_digits, seeds, progress=False, snapshot_every=0, **overrides)
    result = train_ensemble(generators, discriminators, labelled_digits(16, "train"), config,
                            seeds=seeds)
    requested = torch.arange(N_CLASSES).repeat_interleave(PER_CLASS)

    def score(sampler):
        images = sampler.generate(labels=requested, rng=torch.Generator().manual_seed(1))
        correct = (classify_digits(images) == requested).float()
        per_class = correct.reshape(N_CLASSES, PER_CLASS).mean(dim=1)
        covered, _ = class_coverage(images)
        return {"accuracy": round(float(correct.mean()), 4),
                "worst_class": round(float(per_class.min()), 4),
                "fid_ratio": round(digit_fid(images, test.images) / floor, 4),
                "classes": int(covered)}

    return score_seeds(result, METRICS, score)
