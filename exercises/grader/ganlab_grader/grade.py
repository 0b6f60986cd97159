"""Grade a folder of submissions: ``<submissions>/<student>/<assignment>/<assignment>.ipynb``.

:func:`grade` finds the submissions, generates each assignment's template once, sends one
:class:`~ganlab_grader.worker.GradeJob` per submission to a ``concurrent.futures`` executor
(a local process pool by default, or a Dask cluster's executor), and, back in this process,
merges each result into the real gradebook, writes the feedback HTML and finally
``grades.csv``. A broken submission gets 0 points and a reason; the run goes on.
"""
from __future__ import annotations

import concurrent.futures
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import course as course_mod
from . import gradebook
from .worker import GradeJob, GradeResult, grade_one, max_score_of


@dataclass
class Found:
    """The submissions found in a folder, and the entries that are not submissions."""
    jobs: list = field(default_factory=list)  # (student, assignment, path)
    broken: list = field(default_factory=list)  # (student, assignment, reason)
    ignored: list = field(default_factory=list)  # messages about stray entries


def find_submissions(submissions: Path, known: list[str]) -> Found:
    """Walk ``submissions/<student>/<assignment>/`` and explain whatever does not fit."""
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise course_mod.CourseError(
            f"{submissions} is not a folder: expected <dir>/<student>/<assignment>/<assignment>.ipynb")
    found = Found()
    layout = "expected <dir>/<student>/<assignment>/<assignment>.ipynb"
    for student_dir in sorted(submissions.iterdir()):
        if student_dir.name.startswith("."):
            continue
        if not student_dir.is_dir():
            found.ignored.append(f"{student_dir}: a file where a student folder belongs ({layout})")
            continue
        entries = [p for p in sorted(student_dir.iterdir()) if not p.name.startswith(".")]
        if not entries:
            found.ignored.append(f"{student_dir}: empty student folder")
        for entry in entries:
            if not entry.is_dir():
                found.ignored.append(f"{entry}: a file where an assignment folder belongs ({layout})")
                continue
            student, assignment = student_dir.name, entry.name
            if assignment not in known:
                found.broken.append((student, assignment, f"no assignment named {assignment!r} "
                                     f"in this course (known: {', '.join(known)})"))
                continue
            notebooks = sorted(entry.glob("*.ipynb"))
            named = entry / f"{assignment}.ipynb"
            if named.exists():
                found.jobs.append((student, assignment, named))
            elif len(notebooks) == 1:
                found.jobs.append((student, assignment, notebooks[0]))
            elif not notebooks:
                found.broken.append((student, assignment, f"no notebook in {entry}"))
            else:
                found.broken.append((student, assignment, f"{len(notebooks)} notebooks in {entry} "
                                     f"and none named {assignment}.ipynb"))
    return found


def private_paths(course: Path, submissions: Path) -> list[str]:
    """Folders the learner's kernel must not see: the course, the submissions, and the
    repositories around them (which hold the assignment builders and .git) except the
    ganlab package and the Python environment the kernel runs on."""
    import importlib.util

    spec = importlib.util.find_spec("ganlab")  # where it is, without importing torch
    if spec is None or not spec.origin:
        raise course_mod.CourseError("the kernels need the ganlab package: pip install -e <repository>")
    package = Path(spec.origin).resolve().parent
    keep = {package, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    # installed packages only: a source folder on sys.path (tests/, the repo) stays hidden
    keep.update(Path(p).resolve() for p in sys.path
                if p and Path(p).exists() and ("-packages" in p or "/lib/python" in p))
    roots = {Path(course).resolve().parent}
    if (package.parent / "pyproject.toml").exists():
        roots.add(package.parent)
    hide = {Path(course).resolve(), Path(submissions).resolve()}
    for root in roots:
        for entry in root.iterdir():
            entry = entry.resolve()
            if any(k == entry or entry in k.parents for k in keep):
                continue
            hide.add(entry)
    return sorted(str(p) for p in hide if not any(p == k or p in k.parents for k in keep))


def make_executor(kind: str = "process", workers: int | None = None, scheduler: str | None = None):
    """A concurrent.futures executor: the local process pool, or a Dask cluster's."""
    if kind == "process":
        return concurrent.futures.ProcessPoolExecutor(max_workers=workers or os.cpu_count())
    if kind == "dask":
        try:
            from dask.distributed import Client
        except ImportError as error:
            raise course_mod.CourseError("--executor dask needs `pip install dask[distributed]`") from error
        if not scheduler:
            raise course_mod.CourseError("--executor dask needs --scheduler ADDRESS "
                                         "(e.g. tcp://10.0.0.5:8786)")
        return Client(scheduler).get_executor()
    raise course_mod.CourseError(f"unknown executor {kind!r}: use 'process' or 'dask'")


def _write_feedback(course: Path, result: GradeResult, feedback_dir: Path | None) -> Path | None:
    if not result.feedback_html:
        return None
    folder = (feedback_dir or Path(course) / "feedback") / result.student / result.assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.assignment}.html"
    path.write_text(result.feedback_html)
    return path


def grade(course: Path, submissions: Path, *, executor=None, timeout: float = 300,
          cell_timeout: int = 60, memory_mb: int = 4096, sandbox: str = "auto",
          csv_path: Path | None = None, feedback_dir: Path | None = None,
          log=print) -> dict[tuple[str, str], GradeResult]:
    """Grade every submission; return (student, assignment) -> GradeResult."""
    course, submissions = Path(course).resolve(), Path(submissions).resolve()
    known = course_mod.assignments(course)
    found = find_submissions(submissions, known)
    for message in found.ignored:
        log(f"ignored: {message}")
    needed = sorted({a for _, a, _ in found.jobs} | {a for _, a, _ in found.broken if a in known})
    templates = {}
    for name in needed:
        templates[name] = course_mod.generate(course, name)
        gradebook.register_assignment(course, name)
    hide = private_paths(course, submissions)
    results: dict[tuple[str, str], GradeResult] = {}
    for student, assignment, reason in found.broken:
        release = templates[assignment].release if assignment in templates else None
        results[(student, assignment)] = GradeResult(
            student, assignment, "broken", reason, {}, max_score_of(release) if release else 0.0)
    jobs = [GradeJob(student, assignment, assignment, path.read_bytes(),
                     templates[assignment].template_db, templates[assignment].release,
                     timeout=timeout, cell_timeout=cell_timeout, memory_mb=memory_mb, hide=hide,
                     sandbox=sandbox, source_path=str(path))
            for student, assignment, path in found.jobs]
    own_executor = executor is None
    executor = executor or make_executor("process", min(len(jobs), os.cpu_count() or 1) or 1)
    try:
        futures = {executor.submit(grade_one, job): job for job in jobs}
        for future in concurrent.futures.as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
            except Exception as error:  # the worker itself failed (e.g. a lost Dask worker)
                result = GradeResult(job.student, job.assignment, "broken",
                                     f"grading failed: {type(error).__name__}: {error}"[:300],
                                     {}, max_score_of(job.release))
            results[(job.student, job.assignment)] = result
            gradebook.merge(course, result)  # here, in this process only, as results arrive
            _write_feedback(course, result, feedback_dir)
            log(f"{result.student:>20} {result.assignment:<20} {result.score:g}/{result.max_score:g}"
                f"  {result.status}{': ' + result.reason if result.reason else ''}"[:200])
    finally:
        if own_executor:
            executor.shutdown()
    for student, assignment, _ in found.broken:  # known assignment, unusable folder
        if assignment in templates:
            gradebook.merge(course, results[(student, assignment)])
    rows = gradebook.export_csv(course, csv_path or course / "grades.csv", results)
    broken = sum(r.status != "graded" for r in results.values())
    log(f"graded {len(results)} submission(s), {broken} broken; gradebook {course / 'gradebook.db'}, "
        f"{len(rows)} row(s) in {csv_path or course / 'grades.csv'}")
    return results
