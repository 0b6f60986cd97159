"""Train the shipped DCGAN generator on digits (chapters 1 and 5) and record it in the manifest.

    .venv/bin/python scripts/train_dcgan_digits.py            # retrain, save, update the manifest
    .venv/bin/python scripts/train_dcgan_digits.py --check    # retrain, compare with the shipped file
    .venv/bin/python scripts/train_dcgan_digits.py --steps 500 --no-save   # a quick look

A DCGAN (Radford et al., 2016) that follows all five guidelines, trained with
:func:`ganlab.train.train_gan` and the course's digits recipe,
:func:`ganlab.train.recipes.dcgan_digits` (its settings are printed and written to the
manifest), on ``ganlab.data.digits(16, "train")`` only. What ships is the generator the
recipe samples from: the moving average of G's weights when the recipe keeps one. It prints, every ``steps // 20`` steps, the digit FID
of the generated images against the held-out ``digits(16, "test")`` and how many of the ten
digits they cover (:func:`ganlab.metrics.digit_fid`, :func:`ganlab.metrics.class_coverage`),
then the final figures, and stores them with the seed, the step count and the command in
``ganlab/weights/manifest.json`` (entry ``dcgan_digits``).

Deterministic: one CPU thread and a fixed seed, so on the same torch version it reproduces
the shipped file bit for bit (``--check``); another torch or CPU may differ in the last bits,
which the checksum then reports. Only the generator ships (under 1 MB); the discriminator
is not needed to sample.
"""
from __future__ import annotations

import argparse
import time

import torch

from ganlab.data import digits
from ganlab.metrics import class_coverage, digit_fid
from ganlab.pretrained import WEIGHTS_DIR, matches_shipped, write_manifest_entry
from ganlab.train import recipes, train_gan

NAME = "dcgan_digits"
SEED = 0
STEPS = recipes.DCGAN_DIGITS["config"].steps
LATENT_DIM = recipes.DCGAN_DIGITS["latent_dim"]
WIDTH = recipes.DCGAN_DIGITS["width"]
IMAGE_SIZE = 16
N_EVAL = 2000      # generated images per FID; the test split has 359 real ones
EVAL_SEED = 1      # the latent draw used for the reported figures
COMMAND = "python scripts/train_dcgan_digits.py"


def generator_kwargs(latent_dim: int = LATENT_DIM, width: int = WIDTH) -> dict:
    """The constructor arguments of the shipped generator (also written to the manifest)."""
    return {"latent_dim": latent_dim, "channels": 1, "image_size": IMAGE_SIZE, "width": width,
            **recipes.DCGAN_DIGITS["generator"]}


def train(steps: int = STEPS, seed: int = SEED, latent_dim: int = LATENT_DIM, width: int = WIDTH,
          progress: bool = True):
    """Build G and D with the recipe (seeded DCGAN init) and train them; returns the ``TrainResult``."""
    torch.set_num_threads(1)  # bitwise reproducible: no thread-count dependent reductions
    generator, discriminator, config = recipes.dcgan_digits(
        seed=seed, latent_dim=latent_dim, width=width, steps=steps,
        snapshot_every=max(1, steps // 20), n_fixed=N_EVAL, progress=progress)
    return train_gan(generator, discriminator, digits(IMAGE_SIZE, "train"), config)


def _settings(config) -> dict:
    """The config's training settings as JSON-ready values (the manifest records them)."""
    keep = ("batch_size", "loss", "d_steps", "lr_g", "lr_d", "betas", "lr_schedule", "r1", "ema")
    return {key: list(value) if isinstance(value, tuple) else value
            for key in keep for value in [getattr(config, key)]}


def evaluate(images: torch.Tensor, test_images: torch.Tensor) -> tuple[float, int, list[int]]:
    """(digit FID against the test split, classes covered, per-class counts)."""
    covered, histogram = class_coverage(images)
    return digit_fid(images, test_images), covered, histogram.tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="retrain into a temporary file and compare with the shipped one")
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--width", type=int, default=WIDTH)
    parser.add_argument("--latent-dim", type=int, default=LATENT_DIM)
    parser.add_argument("--no-save", action="store_true",
                        help="train and report, but leave the shipped weights alone")
    arguments = parser.parse_args()
    defaults = (arguments.steps, arguments.width, arguments.latent_dim) == (STEPS, WIDTH,
                                                                            LATENT_DIM)
    if not defaults and not (arguments.no_save or arguments.check):
        parser.error("non-default --steps/--width/--latent-dim only with --no-save: the "
                     "shipped weights must come from the defaults written in this script")

    start = time.perf_counter()
    result = train(arguments.steps, SEED, arguments.latent_dim, arguments.width)
    seconds = time.perf_counter() - start
    test = digits(IMAGE_SIZE, "test").images
    floor = digit_fid(digits(IMAGE_SIZE, "train").images, test)
    print(f"trained {arguments.steps} steps in {seconds:.0f} s; real-vs-real floor "
          f"(train vs test) digit FID {floor:.2f}")
    print("step  digit_fid  classes   (G(fixed z) in eval mode, n = %d)" % N_EVAL)
    curve = []
    for step, images in result.snapshots:
        fid, covered, _ = evaluate(images, test)
        curve.append([int(step), round(fid, 2), covered])
        print(f"{step:5d}  {fid:9.2f}  {covered:7d}")

    generator = result.sampler.eval()
    images = generator.generate(N_EVAL, torch.Generator().manual_seed(EVAL_SEED))
    fid, covered, histogram = evaluate(images, test)
    print(f"final: digit FID {fid:.2f} against the test split, {covered}/10 classes covered, "
          f"per class {histogram}")

    if arguments.check:
        same = matches_shipped(NAME, generator)
        print("identical to the shipped weights" if same else
              "DIFFERS from the shipped weights (another torch version or CPU?)")
        raise SystemExit(0 if same else 1)
    if arguments.no_save:
        return
    path = WEIGHTS_DIR / f"{NAME}.pt"
    torch.save(generator.state_dict(), path)
    record = write_manifest_entry(
        NAME, path, "ganlab.models:DCGANGenerator", generator_kwargs(), chapter=5,
        script="scripts/train_dcgan_digits.py", command=COMMAND,
        data="ganlab.data.digits(16, 'train'); digit FID against digits(16, 'test')",
        seed=SEED, steps=arguments.steps, recipe=recipes.describe(recipes.dcgan_digits),
        settings=_settings(result.config), digit_fid=round(fid, 2), class_coverage=covered,
        class_histogram=histogram, fid_floor=round(floor, 2), n_eval=N_EVAL,
        eval_seed=EVAL_SEED, fid_curve=curve, train_seconds=round(seconds))
    print(f"saved {path} ({record['bytes']} bytes), sha256 {record['sha256']}")


if __name__ == "__main__":
    main()
