"""Mode coverage on the ring and the grid over seeds, next to VEEGAN's and PacGAN's tables (ch. 3, 8).

Trains the course's 2-D recipes for every seed at once (ganlab.train.train_ensemble) and
measures, as VEEGAN and PacGAN do, 2,500 samples per seed: the modes covered (a mode counts
when a sample within 3 std of its centre is registered in it), the share of high-quality
samples and the reverse KL of the mode histogram. It prints every seed, the mean ± standard
deviation and the worst seed, for

* ``good``: ganlab.train.recipes.toy_2d, the default recipe, without and with packing;
* ``collapse``: ganlab.train.recipes.toy_2d_collapse, a vanilla GAN that collapses, and the
  same seeds with packing (pack=2) and with the good recipe.

Published (PacGAN, Lin et al. 2018, Table 1; ± are standard errors over 10 trials):
vanilla GAN ring 6.3 / 8 at 98.2 %, KL 0.45; grid 17.3 / 25 at 94.8 %, KL 0.70;
PacGAN2 ring 7.9 at 95.6 %, KL 0.07; grid 23.8 at 91.3 %, KL 0.13. VEEGAN's GAN row (5 runs):
ring 1 mode at 99.3 %, grid 3.3 modes at 0.5 %.

    python benchmarks/mode_coverage.py [--seeds 10] [--kinds ring grid] [--parts good collapse]
"""
from __future__ import annotations

import argparse
import math
import statistics
import time

import torch

from ganlab.data import grid, grid_centers, ring, ring_centers
from ganlab.metrics import mode_coverage
from ganlab.train import recipes, train_ensemble

DATA = {"ring": (ring, ring_centers(), 0.01), "grid": (grid, grid_centers(), 0.05)}
#: the issue's targets for the good recipe over 10 seeds: (modes, high quality %, reverse KL)
TARGETS = {"ring": (7.9, 97.0, 0.07), "grid": (24.8, 95.0, 0.13)}
EVAL_SEED = 10_000  # evaluation samples come from another stream than training


def evaluate(result, kind: str) -> list:
    """Coverage of 2,500 fresh samples of every seed's generator."""
    _, centers, std = DATA[kind]
    coverages = []
    for seed, generator in zip(result.seeds, result.samplers):
        samples = generator.generate(2500, rng=torch.Generator().manual_seed(EVAL_SEED + seed))
        coverages.append(mode_coverage(samples, centers, std))
    return coverages


def train(kind: str, recipe, seeds, **overrides):
    data, _, _ = DATA[kind]
    generators, discriminators, config = recipes.many(recipe, seeds, kind=kind, progress=False,
                                                      snapshot_every=0, **overrides)
    began = time.perf_counter()
    result = train_ensemble(generators, discriminators, data, config, seeds=seeds)
    return result, time.perf_counter() - began


def spread(values) -> str:
    finite = [float(v) for v in values if math.isfinite(v)]
    if not finite:
        return "n/a"
    deviation = statistics.stdev(finite) if len(finite) > 1 else 0.0
    return f"{statistics.fmean(finite):.2f} ± {deviation:.2f}"


def report(label: str, kind: str, coverages, seconds: float, seeds) -> dict:
    modes = [c.modes for c in coverages]
    quality = [100 * c.high_quality for c in coverages]
    kl = [c.reverse_kl for c in coverages]
    for seed, c in zip(seeds, coverages):
        print(f"    seed {seed}: {c}")
    worst = min(range(len(coverages)), key=lambda i: (modes[i], quality[i]))
    print(f"  {label:28s} {kind}: modes {spread(modes)} / {coverages[0].total_modes}, high quality "
          f"{spread(quality)} %, reverse KL {spread(kl)}; worst seed {seeds[worst]}: "
          f"{coverages[worst]}; {len(seeds)} seeds in {seconds:.0f} s", flush=True)
    return dict(modes=statistics.fmean(modes), quality=statistics.fmean(quality),
                kl=statistics.fmean(v for v in kl if math.isfinite(v)) if any(map(math.isfinite, kl)) else math.nan,
                collapsed=sum(m <= 2 and q >= 90 for m, q in zip(modes, quality)))


def good(kinds, seeds, packs) -> None:
    for kind in kinds:
        print(f"good recipe for the {kind} (ganlab.train.recipes.toy_2d):",
              recipes.describe(recipes.toy_2d, kind=kind))
        for pack in packs:
            result, seconds = train(kind, recipes.toy_2d, seeds, pack=pack)
            summary = report(f"toy_2d pack={pack}", kind, evaluate(result, kind), seconds, seeds)
            if pack == 1:
                modes, quality, kl = TARGETS[kind]
                met = (summary["modes"] >= modes and summary["quality"] >= quality
                       and summary["kl"] <= kl)
                print(f"  target {kind}: >= {modes} modes at >= {quality} %, KL <= {kl}: "
                      f"{'met' if met else 'NOT met'}", flush=True)


def collapse(seeds) -> None:
    print("collapse recipe (ganlab.train.recipes.toy_2d_collapse):",
          recipes.describe(recipes.toy_2d_collapse))
    result, seconds = train("ring", recipes.toy_2d_collapse, seeds)
    summary = report("toy_2d_collapse", "ring", evaluate(result, "ring"), seconds, seeds)
    print(f"  collapsed (<= 2 modes at >= 90 % high quality): {summary['collapsed']} of "
          f"{len(seeds)} seeds (VEEGAN's GAN row: 1 mode at 99.3 %)", flush=True)
    result, seconds = train("ring", recipes.toy_2d_collapse, seeds, pack=2)
    summary = report("toy_2d_collapse pack=2", "ring", evaluate(result, "ring"), seconds, seeds)
    print(f"  collapsed with packing: {summary['collapsed']} of {len(seeds)} seeds", flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--kinds", nargs="+", default=["ring", "grid"], choices=list(DATA))
    parser.add_argument("--packs", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--parts", nargs="+", default=["good", "collapse"],
                        choices=["good", "collapse"])
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    seeds = list(range(args.seeds))
    print(f"{len(seeds)} seeds, {torch.get_num_threads()} thread(s), torch {torch.__version__}")
    if "good" in args.parts:
        good(args.kinds, seeds, args.packs)
    if "collapse" in args.parts:
        collapse(seeds)


if __name__ == "__main__":
    main()
