"""Wall time of S seeds trained as one model (train_ensemble) against one seed (train_gan).

In one run, on the same steps: the 2-D recipe (ganlab.train.recipes.toy_2d) for 1 seed with
train_gan and 10 seeds with train_ensemble, then the digits DCGAN (recipes.dcgan_digits) for
1 seed and 5 seeds. Prints the seconds and the ratio "S seeds / one seed" (the issue's target
for the 2-D recipe: 10 seeds in at most 3 x the time of one). The order alternates over
``--repeats`` rounds and the median ratio is reported, so a busy machine biases neither side.

    python benchmarks/ensemble_speed.py [--toy-steps 400] [--dcgan-steps 40] [--repeats 3]
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

from ganlab.data import digits, grid
from ganlab.train import recipes, train_ensemble, train_gan


def one_seed(recipe, data, steps: int, **kwargs) -> float:
    G, D, config = recipe(seed=0, progress=False, snapshot_every=0, steps=steps, **kwargs)
    began = time.perf_counter()
    train_gan(G, D, data, config)
    return time.perf_counter() - began


def many_seeds(recipe, data, steps: int, n_seeds: int, **kwargs) -> float:
    seeds = list(range(n_seeds))
    generators, discriminators, config = recipes.many(recipe, seeds, progress=False,
                                                      snapshot_every=0, steps=steps, **kwargs)
    began = time.perf_counter()
    train_ensemble(generators, discriminators, data, config, seeds=seeds)
    return time.perf_counter() - began


def compare(name: str, recipe, data, steps: int, n_seeds: int, repeats: int, **kwargs) -> None:
    ratios, singles, ensembles = [], [], []
    for round_ in range(repeats):
        if round_ % 2 == 0:
            single = one_seed(recipe, data, steps, **kwargs)
            ensemble = many_seeds(recipe, data, steps, n_seeds, **kwargs)
        else:
            ensemble = many_seeds(recipe, data, steps, n_seeds, **kwargs)
            single = one_seed(recipe, data, steps, **kwargs)
        singles.append(single)
        ensembles.append(ensemble)
        ratios.append(ensemble / single)
        print(f"  {name}: 1 seed {single:6.2f} s, {n_seeds} seeds {ensemble:6.2f} s "
              f"(ratio {ensemble / single:.2f})", flush=True)
    print(f"{name}, {steps} steps: 1 seed {statistics.median(singles):.2f} s, {n_seeds} seeds "
          f"{statistics.median(ensembles):.2f} s; median ratio {statistics.median(ratios):.2f} "
          f"(sequential would be {n_seeds}.00)", flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--toy-steps", type=int, default=400)
    parser.add_argument("--dcgan-steps", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (both sides)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s) for both sides")
    compare("2-D recipe (grid)", recipes.toy_2d, grid, args.toy_steps, 10, args.repeats,
            kind="grid")
    compare("digits DCGAN", recipes.dcgan_digits, digits(16), args.dcgan_steps, 5, args.repeats)


if __name__ == "__main__":
    main()
