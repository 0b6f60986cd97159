"""Everything to check on a CUDA machine, in one run (issue 8, part 3).

1. the CUDA-only tests: ``pytest -m cuda tests/`` (skipped on machines without a GPU);
2. DCGAN 64 x 64 throughput of ``train_gan`` in float32, AMP, channels_last, both, and
   ``torch.compile``, with the plain reference loop of ``dcgan_throughput.py`` for scale;
3. every chapter of ``chapters/`` executed in full mode (``GANLAB_FAST`` unset) with
   ``nbclient``, the seconds of each (target: at most 15 s a chapter on an H100/H200).

Without a CUDA device it says so and exits with status 0. ``--dry-run`` checks the script's
own logic on the CPU instead: a few steps, chapters in fast mode (``GANLAB_FAST=1``).

    python benchmarks/gpu_check.py [--skip tests,throughput,chapters] [--chapters 01,05]
        [--steps 30] [--dry-run]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
THROUGHPUT = {"float32": {}, "amp": dict(amp=True), "channels_last": dict(channels_last=True),
              "amp + channels_last": dict(amp=True, channels_last=True),
              "amp + channels_last + reuse_fakes + fused_adam":
                  dict(amp=True, channels_last=True, reuse_fakes=True, fused_adam=True),
              "compile": dict(compile=True), "compile + amp": dict(compile=True, amp=True)}
CHAPTER_TARGET_S = 15.0


def run_cuda_tests() -> bool:
    """``pytest -m cuda tests/``; True when it passed."""
    command = [sys.executable, "-m", "pytest", "-m", "cuda", "-q", "-ra", "tests/"]
    print("$ " + " ".join(command[2:]), flush=True)
    return subprocess.run(command, cwd=ROOT).returncode == 0


def time_throughput(args, device: torch.device) -> None:
    """Images per second of ``train_gan`` on the 64 x 64 DCGAN for each of ``THROUGHPUT``."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import dcgan_throughput as bench

    settings = argparse.Namespace(steps=args.steps, warmup=args.warmup, batch=64, compile=False)
    reference, _ = bench.reference_rate(settings, device)
    print(f"reference loop (pytorch/examples style): {reference:8.1f} images/s", flush=True)
    for name, options in THROUGHPUT.items():
        if args.dry_run and "compile" in name:
            continue  # the CPU's inductor needs a C++ toolchain and minutes
        options = dict(options)
        settings.compile = options.pop("compile", False)
        began = time.perf_counter()
        try:
            rate, _ = bench.ganlab_rate(bench.SIZE, bench.CHANNELS, settings, device, **options)
        except Exception as error:  # report and go on: one failing mode must not hide the rest
            print(f"ganlab {name:48s} FAILED: {type(error).__name__}: {error}", flush=True)
            continue
        print(f"ganlab {name:48s} {rate:8.1f} images/s  ({rate / reference:.2f}x the "
              f"reference; {time.perf_counter() - began:.0f} s with warm-up)", flush=True)


def chapter_paths(selected: str | None) -> list[Path]:
    paths = sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb"))
    if selected:
        wanted = selected.split(",")
        paths = [p for p in paths if any(p.name.startswith(w) for w in wanted)]
    return paths


def run_chapter(path: Path, fast: bool) -> tuple[float, str | None]:
    """Execute one chapter in a fresh kernel: (seconds, error or None)."""
    import nbclient
    import nbformat

    os.environ.pop("GANLAB_FAST", None)
    if fast:
        os.environ["GANLAB_FAST"] = "1"
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    began = time.perf_counter()
    try:
        client.execute()
    except Exception as error:  # CellExecutionError, timeouts, a dead kernel
        return time.perf_counter() - began, f"{type(error).__name__}: {str(error)[-300:]}"
    return time.perf_counter() - began, None


def time_chapters(args) -> bool:
    """Run every chapter; print its seconds; True when all ran without an error."""
    mode = "fast mode (GANLAB_FAST=1)" if args.dry_run else "full mode"
    print(f"chapters in {mode}, target <= {CHAPTER_TARGET_S:.0f} s each", flush=True)
    ok, total = True, 0.0
    for path in chapter_paths(args.chapters):
        seconds, error = run_chapter(path, fast=args.dry_run)
        total += seconds
        verdict = "ERROR " + error if error else ("ok" if seconds <= CHAPTER_TARGET_S
                                                  else "over the target")
        print(f"  {path.stem:32s} {seconds:7.1f} s  {verdict}", flush=True)
        ok &= error is None
    print(f"  {'all chapters':32s} {total:7.1f} s", flush=True)
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip", default="", help="comma-separated: tests,throughput,chapters")
    parser.add_argument("--chapters", default=None, help="prefixes, e.g. 01,05 (default: all)")
    parser.add_argument("--steps", type=int, default=30, help="timed throughput steps")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps (compiling)")
    parser.add_argument("--dry-run", action="store_true",
                        help="no GPU needed: check this script on the CPU, briefly")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    if args.dry_run:
        device = torch.device("cpu")
        args.steps, args.warmup = min(args.steps, 2), min(args.warmup, 1)
    elif not torch.cuda.is_available():
        print("gpu_check: no CUDA device is present (torch.cuda.is_available() is False); "
              "nothing to check here. Run it on a machine with an NVIDIA GPU, or use "
              "--dry-run to check the script on the CPU.")
        return 0
    else:
        device = torch.device("cuda")
        print(f"gpu_check on {torch.cuda.get_device_name(0)}, torch {torch.__version__}, "
              f"CUDA {torch.version.cuda}", flush=True)
    ok = True
    if "tests" not in skip:
        ok &= run_cuda_tests()
    if "throughput" not in skip:
        time_throughput(args, device)
    if "chapters" not in skip:
        ok &= time_chapters(args)
    print("gpu_check: " + ("everything passed" if ok else "FAILURES above"), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
