"""CycleGAN on the inverted digits: the identity term and a frozen discriminator (chapter 7).

Every setting trains :func:`ganlab.train.train_cyclegan` on the ``invert`` pair of
:func:`ganlab.data.unpaired_digits` (white digits on black <-> black on white) for each seed,
with the networks and the recipe of the shipped translators (``scripts/train_cyclegan_digits.py``:
generators of width 16 with 2 residual blocks, PatchGANs of width 16, batch 16, Adam 2e-4,
lambda = 10, an image pool of 50), and changes one thing:

* ``λ_id = 0``: the shipped inverted pair's recipe, no identity term;
* ``λ_id = 0.5``: the paper's identity weight;
* ``D frozen after 20 %``: ``λ_id = 0``, and both discriminators stop learning after a fifth
  of the steps (``freeze_discriminators_at``); only the generators learn from then on.

The seed fixes the initial weights, the batches and the image pools, so the three settings
start from the same networks. Each seed's generators are then judged on the 181 held-out
digits of A, as in chapter 7: the share the shipped digit classifier still reads as their
own digit after one translation (``one way``, read through ``ganlab.data.invert``) and after
the round trip; the Fréchet distance, in the classifier's features, between the one-way
translations (inverted back) and the real held-out digits of A; and the mean score that
the run's own final discriminator D_B gives the one-way translations (1 = "real").
"""
from __future__ import annotations

import torch

from ganlab.data import invert, unpaired_digits
from ganlab.metrics import classify_digits, digit_fid
from ganlab.train import train_cyclegan

TITLE = "CycleGAN on inverted digits: identity term and frozen discriminators"
BUDGET = "600 steps of batch 16 (the shipped translators' budget, SHIPPED_STEPS in chapter 7)"
SEEDS = range(5)
STEPS = 600
SIZES = dict(width=16, n_blocks=2, d_width=16, n_layers=2)  # chapter 7's SIZES
METRICS = {
    "one_way": {"label": "one way: digit kept (%)", "better": "higher"},
    "round_trip": {"label": "round trip: digit kept (%)", "better": "higher"},
    "fid": {"label": "Fréchet distance of G_AB(a) to real A", "better": "lower"},
    "d_b_score": {"label": "D_B's mean score of G_AB(a) (1 = real)", "better": "higher"},
}
#: setting: (description, options of train_cyclegan)
VARIANTS = {
    "λ_id = 0": ("no identity term (the shipped inverted pair's recipe)",
                 dict(lambda_identity=0.0)),
    "λ_id = 0.5": ("the paper's identity weight, lambda_id = 0.5", dict(lambda_identity=0.5)),
    "D frozen after 20 %": ("lambda_id = 0; both discriminators stop learning after step "
                            f"{STEPS // 5} of {STEPS}",
                            dict(lambda_identity=0.0, freeze_discriminators_at=STEPS // 5)),
}
SETTINGS = {name: description for name, (description, _options) in VARIANTS.items()}


def train(setting: str, seed: int, steps: int = STEPS):
    """One run of ``setting``: the trained :class:`ganlab.train.CycleGANResult`."""
    _, options = VARIANTS[setting]
    if "freeze_discriminators_at" in options:
        options = dict(options, freeze_discriminators_at=steps // 5)
    pair = unpaired_digits("invert", image_size=16, split="train")
    return train_cyclegan(pair, steps=steps, batch_size=16, seed=seed, snapshot_every=0,
                          progress=False, device="cpu", **SIZES, **options)


@torch.no_grad()
def judge(result) -> dict:
    """Chapter 7's measures of one run, on the held-out digits of A."""
    g_ab, g_ba, d_b = (model.cpu().eval() for model in (result.g_ab, result.g_ba, result.d_b))
    a = unpaired_digits("invert", image_size=16, split="test").a
    fake_b = g_ab(a.images)
    one_way = classify_digits(invert(fake_b)) == a.labels
    round_trip = classify_digits(g_ba(fake_b)) == a.labels
    return {"one_way": round(100 * float(one_way.double().mean()), 2),
            "round_trip": round(100 * float(round_trip.double().mean()), 2),
            "fid": round(digit_fid(invert(fake_b), a.images), 3),
            "d_b_score": round(float(d_b(fake_b).mean()), 4)}


def measure(setting: str, seeds) -> dict:
    values = {metric: [] for metric in METRICS}
    for seed in seeds:
        scores = judge(train(setting, seed))
        for metric in METRICS:
            values[metric].append(scores[metric])
    return values
