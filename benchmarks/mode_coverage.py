"""Mode coverage on the ring and the grid over seeds (issue 2, benchmark 2; chapter 3).

Trains the default recipe, ganlab.train.recipes.toy_2d, on the ring of 8 Gaussians
(std 0.01) and the grid of 25 (std 0.05) for each seed, without and with PacGAN packing
(pack=2), and reports the modes covered (mean ± std), the share of high-quality samples
(within 3 std of a centre), the reverse KL of the mode histogram and the seconds per run,
measured on 2,500 samples as in VEEGAN and PacGAN. PacGAN's table 1 (vanilla GAN):
ring 6.3 / 8 modes at 98.2 % high quality, grid 17.3 / 25 at 94.8 %.

    python benchmarks/mode_coverage.py [--seeds 10] [--kinds ring grid] [--packs 1 2]
"""
from __future__ import annotations

import argparse
import math
import statistics
import time

import torch

from ganlab.data import grid, grid_centers, ring, ring_centers
from ganlab.metrics import mode_coverage
from ganlab.train import recipes, train_gan

TARGETS = {"ring": (8, ring, ring_centers(), 0.01, "6.3 / 8 at 98.2%"),
           "grid": (25, grid, grid_centers(), 0.05, "17.3 / 25 at 94.8%")}


def run(kind: str, pack: int, seed: int, steps: int | None):
    _, data, centers, std, _ = TARGETS[kind]
    overrides = dict(progress=False, snapshot_every=0)
    if steps:
        overrides["steps"] = steps
    G, D, config = recipes.toy_2d(kind, pack=pack, seed=seed, **overrides)
    began = time.perf_counter()
    train_gan(G, D, data, config)
    seconds = time.perf_counter() - began
    samples = G.generate(2500, generator=torch.Generator().manual_seed(10_000 + seed))
    return mode_coverage(samples, centers, std), seconds


def summary(values) -> str:
    """``mean ± std`` of the finite values (a run with no high-quality sample has no KL)."""
    finite = [float(v) for v in values if math.isfinite(v)]
    if not finite:
        return "n/a"
    mean = statistics.fmean(finite)
    spread = statistics.stdev(finite) if len(finite) > 1 else 0.0
    missing = len(values) - len(finite)
    return f"{mean:.2f} ± {spread:.2f}" + (f" (over {len(finite)} runs)" if missing else "")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--kinds", nargs="+", default=["ring", "grid"], choices=list(TARGETS))
    parser.add_argument("--packs", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--steps", type=int, default=None, help="override the recipe's steps")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    _, _, config = recipes.toy_2d()
    print(f"recipe: {recipes.TOY_2D['hidden']}x{recipes.TOY_2D['depth']} MLPs, "
          f"{args.steps or config.steps} steps, batch {config.batch_size}, lr {config.lr_g:g} "
          f"({config.lr_schedule}), loss {config.loss}; {args.seeds} seeds, "
          f"{torch.get_num_threads()} thread(s)")
    for kind in args.kinds:
        n_modes, *_, published = TARGETS[kind]
        for pack in args.packs:
            modes, quality, kl, seconds = [], [], [], []
            for seed in range(args.seeds):
                coverage, took = run(kind, pack, seed, args.steps)
                modes.append(coverage.modes)
                quality.append(100 * coverage.high_quality)
                kl.append(coverage.reverse_kl)
                seconds.append(took)
                print(f"  {kind} pack={pack} seed={seed}: {coverage}, {took:.1f} s", flush=True)
            print(f"{kind:4s} pack={pack}: modes {summary(modes)} / {n_modes}, high quality "
                  f"{summary(quality)} %, reverse KL {summary(kl)}, {summary(seconds)} s a run "
                  f"(PacGAN vanilla: {published})", flush=True)


if __name__ == "__main__":
    main()
