"""``python -m ganlab_grader release|grade|reset``: the instructor's commands.

::

    python -m ganlab_grader release --course exercises
    python -m ganlab_grader grade --course exercises --submissions collected/ \\
        [--executor process|dask --scheduler tcp://HOST:8786] [--workers N] \\
        [--timeout 300] [--cell-timeout 60] [--memory-mb 4096] [--sandbox auto|namespaces|limits] \\
        [--allow PATH ...]
    python -m ganlab_grader reset --course exercises

``grade`` exits 0 when some submissions are broken (they get 0 and a reason in grades.csv);
it exits 2 when the course or the submissions folder itself is not usable.
"""
from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

from .course import CourseError
from .limits import DEFAULTS

_print = functools.partial(print, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ganlab_grader",
                                     description="Release and grade the course's nbgrader assignments.")
    commands = parser.add_subparsers(dest="command", required=True)
    release = commands.add_parser("release", help="write release/<a>/<a>.ipynb for every assignment")
    release.add_argument("--course", default="exercises", help="course folder (default: exercises)")
    release.add_argument("assignments", nargs="*", help="only these assignments (default: all)")
    grade = commands.add_parser("grade", help="grade <submissions>/<student>/<assignment>/*.ipynb")
    grade.add_argument("--course", default="exercises", help="course folder (default: exercises)")
    grade.add_argument("--submissions", required=True, help="folder of <student>/<assignment>/")
    grade.add_argument("--executor", choices=["process", "dask"], default="process")
    grade.add_argument("--scheduler", help="Dask scheduler address, with --executor dask")
    grade.add_argument("--workers", type=int, default=None, help="local processes (default: all cores)")
    grade.add_argument("--timeout", type=float, default=DEFAULTS.timeout,
                       help=f"seconds for a whole notebook (default {DEFAULTS.timeout:g})")
    grade.add_argument("--cell-timeout", type=int, default=DEFAULTS.cell_timeout,
                       help=f"seconds for one cell (default {DEFAULTS.cell_timeout})")
    grade.add_argument("--memory-mb", type=int, default=DEFAULTS.memory_mb,
                       help=f"memory limit of a kernel (default {DEFAULTS.memory_mb})")
    grade.add_argument("--sandbox", choices=["auto", "namespaces", "limits"], default="auto")
    grade.add_argument("--allow", action="append", default=[], metavar="PATH",
                       help="a file or folder the kernels may read too (repeatable)")
    grade.add_argument("--csv", default=None, help="default: <course>/grades.csv")
    grade.add_argument("--feedback-dir", default=None, help="default: <course>/feedback")
    reset = commands.add_parser("reset", help="move the gradebook, the CSVs and the feedback "
                                "aside into <course>/old-grades/<date-time>/")
    reset.add_argument("--course", default="exercises", help="course folder (default: exercises)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """The command line. First used in assignment 01-minimax."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "release":
            from .course import release
            release(Path(args.course), args.assignments or None, log=_print)
            return 0
        if args.command == "reset":
            from .gradebook import reset
            reset(Path(args.course), log=_print)
            return 0
        from .grade import grade, make_executor
        executor = None
        if args.executor == "dask" or args.workers:
            executor = make_executor(args.executor, args.workers, args.scheduler)
        grade(Path(args.course), Path(args.submissions), executor=executor, timeout=args.timeout,
              cell_timeout=args.cell_timeout, memory_mb=args.memory_mb, sandbox=args.sandbox,
              allow=[str(Path(p).resolve()) for p in args.allow],
              csv_path=Path(args.csv) if args.csv else None,
              feedback_dir=Path(args.feedback_dir) if args.feedback_dir else None, log=_print)
        return 0
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
