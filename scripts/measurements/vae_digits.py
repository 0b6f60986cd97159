"""The digit VAE of chapter 9 over five seeds, scored like the digits DCGAN.

Each seed trains the shipped recipe (``scripts/train_vae_digits.py``: latent dimension 8,
4,000 Adam steps of batch 64, learning rate 1e-3) and draws 1,000 images from the prior,
:math:`\\hat x(z),\\ z \\sim \\mathcal N(0, I)`. They are scored as
``scripts/measurements/dcgan_digits.py`` scores the GAN's samples (Fréchet distance in the
shipped classifier's features over the real floor, digit classes, share of the commonest
class), so chapter 9 can set the two families side by side over the same seeds; the
held-out negative loss (ELBO up to its constant) is recorded too.
"""
from __future__ import annotations

import torch

from ganlab.data import digits
from ganlab.metrics import class_coverage, digit_fid
from ganlab.models import VAE
from ganlab.train import train_vae

TITLE = "Digit VAE samples from the prior"
BUDGET = "4,000 steps of batch 64 (the shipped recipe, scripts/train_vae_digits.py)"
SEEDS = range(5)
METRICS = {
    "fid_ratio": {"label": "Fréchet distance / real floor", "better": "lower"},
    "classes": {"label": "digit classes (of 10)", "better": "higher"},
    "largest_share": {"label": "share of the commonest class", "better": "lower"},
    "test_loss": {"label": "held-out loss (-ELBO up to a constant, nats)", "better": "lower"},
}
SETTINGS = {"VAE": "the shipped VAE recipe, one run per seed"}
N_IMAGES = 1000


def measure(setting: str, seeds) -> dict:
    train, test = digits(16, "train"), digits(16, "test")
    floor = digit_fid(train.images, test.images)
    values = {metric: [] for metric in METRICS}
    for seed in seeds:
        torch.manual_seed(seed)  # the initial weights, as scripts/train_vae_digits.py
        vae = VAE(image_size=16, channels=1, latent_dim=8)
        vae = train_vae(vae, train, steps=4000, batch_size=64, lr=1e-3, seed=seed,
                        progress=False, snapshot_every=0).vae.eval()
        with torch.no_grad():
            images = vae.generate(N_IMAGES, rng=torch.Generator().manual_seed(1))
            loss = vae.loss(test.images, rng=torch.Generator().manual_seed(seed)).loss
        covered, histogram = class_coverage(images)
        values["fid_ratio"].append(round(digit_fid(images, test.images) / floor, 4))
        values["classes"].append(int(covered))
        values["largest_share"].append(round(float(histogram.max()) / N_IMAGES, 4))
        values["test_loss"].append(round(float(loss), 3))
    return values
