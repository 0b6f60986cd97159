"""How fast does the safe grader grade? Two figures for the closing note of issue 4.

1. **Seconds per notebook on one core**: the median of ``--repeats`` gradings of one
   submission (the source notebook of ``--assignment``, so every test runs), with this process
   and its children pinned to one CPU. Everything is counted: the throwaway course, the
   nbgrader process, the sandboxed kernel's start, the notebook, the feedback HTML.
2. **Throughput with all cores busy**: ``--submissions`` copies graded by ``grade()`` on a
   process pool with one worker per core, in notebooks per minute (wall clock, including the
   release of the template and the gradebook merge).

    python benchmarks/grading_speed.py [--assignment 01-minimax] [--repeats 5] [--submissions 50]
"""
from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from ganlab_grader import course as course_mod
from ganlab_grader.grade import grade
from ganlab_grader.worker import GradeJob, grade_one, sandbox_mode

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="01-minimax")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--submissions", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ganlab-bench-") as tmp:
        root = Path(tmp)
        course = root / "exercises"
        shutil.copytree(REPO / "exercises" / "source" / args.assignment,
                        course / "source" / args.assignment)
        shutil.copy(REPO / "exercises" / "nbgrader_config.py", course)
        generated = course_mod.generate(course, args.assignment)
        notebook = (course / "source" / args.assignment / f"{args.assignment}.ipynb").read_bytes()
        mode, why = sandbox_mode()
        print(f"sandbox: {why}; {os.cpu_count()} cores; assignment {args.assignment}")

        # 1. one core
        all_cores = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(all_cores)})
        job = GradeJob("bench", args.assignment, args.assignment, notebook, generated.template_db,
                       generated.release)
        seconds = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            result = grade_one(job)
            seconds.append(time.perf_counter() - start)
            assert result.score == result.max_score, (result.status, result.reason)
        os.sched_setaffinity(0, all_cores)
        print(f"one notebook on one core: median {statistics.median(seconds):.2f} s "
              f"(min {min(seconds):.2f}, max {max(seconds):.2f}, {args.repeats} runs)")

        # 2. all cores
        submissions = root / "submitted"
        for i in range(args.submissions):
            folder = submissions / f"student{i:03d}" / args.assignment
            folder.mkdir(parents=True)
            (folder / f"{args.assignment}.ipynb").write_bytes(notebook)
        workers = len(all_cores)
        start = time.perf_counter()
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
            results = grade(course, submissions, executor=pool, log=lambda *a: None)
        elapsed = time.perf_counter() - start
        graded = sum(r.score == r.max_score for r in results.values())
        print(f"{args.submissions} submissions on {workers} workers: {elapsed:.1f} s, "
              f"{60 * args.submissions / elapsed:.1f} notebooks/min ({graded} full marks)")


if __name__ == "__main__":
    main()
