r"""Train the shipped digit VAE (chapter 9) and record it in ganlab/weights/manifest.json.

    .venv/bin/python scripts/train_vae_digits.py            # retrain, save, update the manifest
    .venv/bin/python scripts/train_vae_digits.py --check    # retrain, compare with the shipped file

A :class:`ganlab.models.VAE` (latent dimension 8) learns ``digits(split="train")`` by
minimising the negative ELBO of chapter 9 (Kingma & Welling 2014),

.. math::

    -\mathrm{ELBO}(x) = \frac{\lVert x - \hat x(z)\rVert^2}{2 s^2}
        + \mathrm{KL}\big(q_\phi(z \mid x)\,\Vert\,\mathcal{N}(0, I)\big),
    \qquad z = \mu_\phi(x) + \sigma_\phi(x) \odot \varepsilon,

trained by :func:`ganlab.train.train_vae` (Adam, mini-batches of 64, one sample of
:math:`\varepsilon` per image), exactly what chapter 9 runs when ``TRAIN_FROM_SCRATCH = True``. The manifest records the
held-out negative ELBO, the Fréchet distance of 1,000 samples to the held-out digits (on the
shipped classifier's features) and how many digit classes those samples cover. Deterministic on one CPU thread; ``--check``
retrains and compares checksums. About a minute on a laptop CPU.
"""
from __future__ import annotations

import argparse
import time

import torch

from ganlab.data import digits
from ganlab.metrics import class_coverage, digit_fid
from ganlab.models import VAE
from ganlab.pretrained import WEIGHTS_DIR, matches_shipped, write_manifest_entry
from ganlab.train import train_vae

NAME = "vae_digits"
VAE_KWARGS = {"image_size": 16, "channels": 1, "latent_dim": 8}
SEED = 0
STEPS = 4000
BATCH_SIZE = 64
LR = 1e-3


def train(steps: int = STEPS, seed: int = SEED, progress: bool = False) -> VAE:
    """Minimise the negative ELBO on the train split with ganlab.train.train_vae (eval mode)."""
    torch.set_num_threads(1)  # bitwise reproducible on the CPU
    torch.manual_seed(seed)  # the initial weights
    vae = VAE(**VAE_KWARGS)
    result = train_vae(vae, digits(image_size=16, split="train"), steps=steps,
                       batch_size=BATCH_SIZE, lr=LR, seed=seed, progress=progress,
                       snapshot_every=0)
    last = {key: values[-1] for key, values in result.history.items()}
    print(f"  after {steps} steps: -ELBO {last['loss']:.1f} (reconstruction "
          f"{last['reconstruction']:.1f}, KL {last['kl']:.1f}) in {result.seconds:.0f} s")
    return result.vae.eval()


@torch.no_grad()
def evaluate(vae: VAE, n_samples: int = 1000, seed: int = SEED) -> dict[str, float]:
    """Held-out negative ELBO, and FID / class coverage of ``n_samples`` prior samples."""
    test = digits(image_size=16, split="test")
    rng = torch.Generator().manual_seed(seed)
    elbo = vae.loss(test.images, rng=rng)
    samples = vae.generate(n_samples, rng=rng)
    covered, _ = class_coverage(samples)
    return {"test_neg_elbo": round(elbo.loss.item(), 2),
            "test_reconstruction": round(elbo.reconstruction.item(), 2),
            "test_kl": round(elbo.kl.item(), 2),
            "sample_fid_to_test": round(digit_fid(samples, test.images), 2),
            "sample_classes_covered": covered}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="retrain into a temporary file and compare with the shipped one")
    arguments = parser.parse_args()
    start = time.perf_counter()
    vae = train()
    seconds = time.perf_counter() - start
    scores = evaluate(vae)
    print(f"trained in {seconds:.0f} s; " + ", ".join(f"{k} {v}" for k, v in scores.items()))
    if arguments.check:
        same = matches_shipped(NAME, vae)
        print("identical to the shipped weights" if same else
              "DIFFERS from the shipped weights (another torch version or CPU?)")
        raise SystemExit(0 if same else 1)
    path = WEIGHTS_DIR / f"{NAME}.pt"
    torch.save(vae.state_dict(), path)
    record = write_manifest_entry(
        NAME, path, "ganlab.models:VAE", VAE_KWARGS, chapter=9,
        script="scripts/train_vae_digits.py", command="python scripts/train_vae_digits.py",
        data="ganlab.data.digits(image_size=16, split='train'); scores on split='test'",
        seed=SEED, steps=STEPS, batch_size=BATCH_SIZE, lr=LR, **scores)
    print(f"saved {path} ({record['bytes']} bytes), sha256 {record['sha256']}")


if __name__ == "__main__":
    main()
