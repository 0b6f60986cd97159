"""Seconds of DCGAN training until the digits look real to the classifier, over seeds (ch. 5, 8).

Trains ganlab.train.recipes.dcgan_digits on ganlab.data.digits(16) for each seed with
train_gan, in chunks (resuming a checkpoint, so each seed is exactly one uninterrupted run),
and after each chunk measures, on 1,000 images of the generator it would ship (the moving
average of G's weights when the recipe keeps one), the Fréchet distance in the shipped
classifier's feature space against the test split (ganlab.metrics.digit_fid) and the
classes generated (ganlab.metrics.class_coverage). Reports the training seconds at which each
seed first reaches the target: a distance within 3 x the real-vs-real floor (train split vs
test split) with all ten digits, and where it ends.

    python benchmarks/digits_fid.py [--seeds 3] [--chunk 250] [--threads 2]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import torch

from ganlab.data import digits
from ganlab.metrics import class_coverage, digit_fid
from ganlab.train import recipes, train_gan


def run_seed(seed: int, train, test, floor: float, args) -> tuple[float | None, float, int, float]:
    """Train one seed; returns (seconds to target or None, final ratio, classes, seconds)."""
    G, D, config = recipes.dcgan_digits(seed=seed, progress=False, snapshot_every=0)
    reached = None
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = Path(folder) / "dcgan.pt"
        steps = 0
        while steps < config.steps:
            steps = min(config.steps, steps + args.chunk)
            result = train_gan(G, D, train, config, steps=steps, checkpoint=checkpoint,
                               checkpoint_every=args.chunk, resume=True)
            images = result.sampler.generate(args.samples,
                                             rng=torch.Generator().manual_seed(1))
            ratio = digit_fid(images, test.images) / floor
            covered, _ = class_coverage(images)
            hit = ratio <= args.factor and covered == 10
            if hit and reached is None:
                reached = result.seconds
            print(f"  seed {seed} step {steps:5d}  {result.seconds:6.1f} s  FID {ratio:6.2f} x "
                  f"floor  classes {covered}/10{'  <- target' if hit else ''}", flush=True)
    return reached, ratio, covered, result.seconds


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=250, help="steps between evaluations")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--factor", type=float, default=3.0, help="target: factor x floor")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    train, test = digits(16, split="train"), digits(16, split="test")
    floor = digit_fid(train.images, test.images)
    print(f"recipe: {recipes.describe(recipes.dcgan_digits)}")
    print(f"real-vs-real floor (train vs test): {floor:.3f}; target <= {args.factor} x floor "
          f"with 10/10 classes; {torch.get_num_threads()} thread(s)", flush=True)
    rows = [run_seed(seed, train, test, floor, args) for seed in range(args.seeds)]
    for seed, (reached, ratio, covered, seconds) in enumerate(rows):
        when = f"reached at {reached:.1f} s" if reached is not None else "not reached"
        print(f"seed {seed}: {when}; final {ratio:.2f} x floor, {covered}/10 classes after "
              f"{seconds:.1f} s")
    finals = [ratio for _, ratio, _, _ in rows]
    spread = statistics.stdev(finals) if len(finals) > 1 else 0.0
    hits = [r for r, *_ in rows if r is not None]
    print(f"final FID / floor over {len(rows)} seeds: {statistics.fmean(finals):.2f} ± {spread:.2f} "
          f"(worst {max(finals):.2f}); target reached by {len(hits)} of {len(rows)} seeds"
          + (f", at most {max(hits):.1f} s of training" if hits else ""))


if __name__ == "__main__":
    main()
