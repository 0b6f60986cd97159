"""Run one of the stored measurements of :mod:`ganlab.results` and write (or check) its JSON.

    python -m scripts.measure NAME                       # every setting, the default seeds
    python -m scripts.measure NAME --settings A B        # some settings, merged into the file
    python -m scripts.measure NAME --check [--settings A] [--seeds 0 1]
                                                         # re-run, compare with the stored file
    python -m scripts.measure --list

Each experiment is a module of ``scripts/measurements`` with ``TITLE``, ``BUDGET`` (the
training budget in words), ``SEEDS``, ``METRICS`` (name -> label and whether lower or higher
is better), ``SETTINGS`` (name -> description) and ``measure(setting, seeds) -> {metric:
[value per seed]}``. A setting's values are written to ``ganlab/results/NAME.json`` as soon as
it is done, so a long run that stops keeps what it finished. ``--check`` exits with status 1
when a re-measured value differs from the stored one by more than ``--rtol``.
"""
from __future__ import annotations

import argparse
import datetime
import importlib
import json
import math
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

import torch

from ganlab.results import RESULTS_DIR

EXPERIMENTS = ("dcgan_digits", "mode_coverage_2d", "vae_digits", "cyclegan_digits",
               "conditional_digits")


def experiment(name: str):
    if name not in EXPERIMENTS:
        raise SystemExit(f"unknown measurement {name!r}; choose one of {', '.join(EXPERIMENTS)}")
    return importlib.import_module(f"scripts.measurements.{name}")


def versions() -> dict:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, cwd=Path(__file__).parent).stdout.strip()
    except OSError:
        commit = ""
    return {"python": platform.python_version(), "torch": torch.__version__,
            "git_commit": commit, "threads": torch.get_num_threads(),
            "machine": f"{platform.machine()}, {platform.system()}"}


def read(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def write(path: Path, record: dict) -> None:
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")


def close(a, b, rtol: float) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return abs(a - b) <= rtol * max(abs(a), abs(b)) + 1e-9


def run(name: str, settings: list[str], seeds: list[int], path: Path) -> None:
    module = experiment(name)
    record = read(path)
    if record is None or record["seeds"] != seeds:
        record = {"name": name, "title": module.TITLE, "budget": module.BUDGET, "seeds": seeds,
                  "metrics": module.METRICS, "settings": {}}
    record.update(title=module.TITLE, budget=module.BUDGET, metrics=module.METRICS)
    for setting in settings:
        began = time.perf_counter()
        values = module.measure(setting, seeds)
        seconds = time.perf_counter() - began
        record = read(path) or record  # another process may have added settings meanwhile
        record["settings"][setting] = {
            "description": module.SETTINGS[setting], "values": values,
            "seconds": round(seconds, 1), "versions": versions(),
            "command": "python -m scripts.measure " + shlex.join([name, "--settings", setting]),
            "date": datetime.date.today().isoformat()}
        order = list(module.SETTINGS)
        record["settings"] = dict(sorted(record["settings"].items(),
                                         key=lambda item: order.index(item[0])
                                         if item[0] in order else len(order)))
        write(path, record)
        summary = ", ".join(f"{metric} {values[metric]}" for metric in module.METRICS)
        print(f"{setting}: {summary} ({seconds:.0f} s)", flush=True)


def check(name: str, settings: list[str], seeds: list[int] | None, path: Path,
          rtol: float) -> bool:
    module = experiment(name)
    record = read(path)
    if record is None:
        raise SystemExit(f"{path} does not exist: run `python -m scripts.measure {name}` first")
    stored_seeds = record["seeds"]
    seeds = seeds or stored_seeds
    unknown = set(seeds) - set(stored_seeds)
    if unknown:
        raise SystemExit(f"seeds {sorted(unknown)} are not stored; stored: {stored_seeds}")
    ok = True
    for setting in settings:
        if setting not in record["settings"]:
            print(f"{setting}: not stored, skipped")
            continue
        fresh = module.measure(setting, seeds)
        stored = record["settings"][setting]["values"]
        for metric, values in fresh.items():
            expected = [stored[metric][stored_seeds.index(s)] for s in seeds]
            same = all(close(a, b, rtol) for a, b in zip(values, expected))
            ok &= same
            print(f"{setting} / {metric}: {'same' if same else 'DIFFERENT'}: "
                  f"measured {values}, stored {expected}", flush=True)
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?")
    parser.add_argument("--settings", nargs="+", default=None)
    parser.add_argument("--seeds", nargs="+", type=int, default=None)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="folder of the JSON files")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args(argv)
    if args.list or not args.name:
        for name in EXPERIMENTS:
            module = experiment(name)
            print(f"{name}: {module.TITLE} ({module.BUDGET}); settings: {', '.join(module.SETTINGS)}")
        return 0
    torch.set_num_threads(args.threads)
    module = experiment(args.name)
    settings = args.settings or list(module.SETTINGS)
    unknown = [s for s in settings if s not in module.SETTINGS]
    if unknown:
        raise SystemExit(f"unknown settings {unknown}; {args.name} has {list(module.SETTINGS)}")
    path = args.out / f"{args.name}.json"
    if args.check:
        return 0 if check(args.name, settings, args.seeds, path, args.rtol) else 1
    run(args.name, settings, args.seeds or list(module.SEEDS), path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
