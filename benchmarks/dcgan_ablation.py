"""Chapter 5's guidelines ablation over seeds: does the guidelines' network beat each variant?

Trains the digits recipe (ganlab.train.recipes.dcgan_digits) at its full budget for every
seed at once (ganlab.train.train_ensemble), once with all five DCGAN guidelines and once for
each variant that breaks one, and measures the Fréchet distance in the shipped classifier's
feature space (1,000 images of each seed against the test split, as a multiple of the
real-vs-real floor) and the classes generated. Prints every seed, the mean ± standard
deviation, and for each variant how many seeds the guidelines' network beats it on, with the
mean difference.

    python benchmarks/dcgan_ablation.py [--seeds 5] [--steps N] [--variants ...]
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

from ganlab.data import digits
from ganlab.metrics import class_coverage, digit_fid
from ganlab.train import recipes, train_ensemble

#: variant: (generator options, discriminator options), numbered by the paper's guidelines
VARIANTS = {
    "all guidelines": ({}, {}),
    "1: pooling in D": ({}, {"downsample": "pool"}),
    "1: upsample + conv in G": ({"upsample": "nearest"}, {}),
    "2: no batch norm": ({"batchnorm": False}, {"batchnorm": False}),
    "3: fully connected layers": ({"fully_connected": True, "fc_units": 256},
                                  {"fully_connected": True, "fc_units": 256}),
    "5: ReLU in D": ({}, {"activation": "relu"}),
}


def measure(name: str, seeds: list, train, test, floor: float, steps: int | None) -> list:
    g_options, d_options = VARIANTS[name]
    overrides = dict(progress=False, snapshot_every=0)
    if steps:
        overrides["steps"] = steps
    generators, discriminators, config = recipes.many(
        recipes.dcgan_digits, seeds, generator_options=g_options,
        discriminator_options=d_options, **overrides)
    began = time.perf_counter()
    result = train_ensemble(generators, discriminators, train, config, seeds=seeds)
    seconds = time.perf_counter() - began
    rows = []
    for seed, generator in zip(seeds, result.samplers):
        images = generator.generate(1000, rng=torch.Generator().manual_seed(1))
        rows.append((digit_fid(images, test.images) / floor, class_coverage(images)[0]))
    ratios = [r for r, _ in rows]
    print(f"{name:27s} FID/floor " + " ".join(f"{r:6.2f}" for r in ratios)
          + f"  mean {statistics.fmean(ratios):6.2f} ± {statistics.stdev(ratios):5.2f}"
          + f"  classes {[c for _, c in rows]}  ({config.steps} steps, {seconds:.0f} s)"
          + (f"  diverged {result.diverged}" if result.diverged else ""), flush=True)
    return ratios


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=None, help="default: the recipe's")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    train, test = digits(16, "train"), digits(16, "test")
    floor = digit_fid(train.images, test.images)
    seeds = list(range(args.seeds))
    print(f"recipe: {recipes.describe(recipes.dcgan_digits)}; {len(seeds)} seeds; floor "
          f"{floor:.3f}; {torch.get_num_threads()} thread(s)", flush=True)
    names = ["all guidelines"] + [v for v in args.variants if v != "all guidelines"]
    results = {name: measure(name, seeds, train, test, floor, args.steps) for name in names}
    base = results["all guidelines"]
    print("verdict (lower FID is better):")
    for name in names[1:]:
        wins = sum(b < v for b, v in zip(base, results[name]))
        gap = statistics.fmean(v - b for b, v in zip(base, results[name]))
        verdict = "beats" if wins > len(seeds) / 2 and gap > 0 else "does NOT beat"
        print(f"  the guidelines' network {verdict} '{name}': better on {wins} of {len(seeds)} "
              f"seeds, mean difference {gap:+.2f} x floor")


if __name__ == "__main__":
    main()
