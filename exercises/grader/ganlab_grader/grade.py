"""Grade a folder of submissions: ``<submissions>/<student>/<assignment>/<assignment>.ipynb``.

:func:`grade` finds the submissions (:func:`find_submissions`, which explains every input it
skips), generates each assignment's template once, sends one
:class:`~ganlab_grader.worker.GradeJob` per notebook to a ``concurrent.futures`` executor (a
local process pool by default, or a Dask cluster's executor), and, back in this process,
merges each result into the real gradebook, writes the feedback HTML and finally
``grades.csv`` and ``grades-by-student.csv``. It prints a start line, a line per finished
submission and every skipped input with its reason. A broken submission gets 0 points and a
reason; the run goes on.

A notebook is graded in the language it was released in (:func:`submission_language`):
the Korean release ``<assignment>.ko.ipynb`` against the Korean template, whose text,
messages and hidden tests nbgrader restores, with the same grade ids and points as the
English one; so a class may hand in either, and ``grades.csv`` holds both alike.

Two rules for folders that do not hold exactly the assignment's notebook:

* **several notebooks** (an answered ``01-minimax-Copy1.ipynb`` beside the untouched
  original, say): each is graded, the best score counts, and the reason names them all;
* **another assignment's notebook** (its cells are those of ``02-losses``, it sits in
  ``01-minimax/``): not graded, and the reason says "this looks like 02-losses".
"""
from __future__ import annotations

import concurrent.futures
import functools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import course as course_mod
from . import feedback, gradebook
from .limits import DEFAULTS
from .notes import Note
from .worker import GradeJob, GradeResult, grade_one, max_score_of, sandbox_mode

LAYOUT = "expected <dir>/<student>/<assignment>/<assignment>.ipynb"
_print = functools.partial(print, flush=True)  # progress must show while `make grade` runs


@dataclass
class Found:
    """The submissions found in a folder, and the entries that are not submissions.
    First used in assignment 01-minimax."""
    jobs: list = field(default_factory=list)  # (student, assignment, path): one per notebook
    broken: list = field(default_factory=list)  # (student, assignment, reason)
    ignored: list = field(default_factory=list)  # messages about stray entries
    notes: dict = field(default_factory=dict)  # (student, assignment) -> [note]


def _grade_ids(path: Path) -> set[str] | None:
    """The ``grade_id`` of every cell of the notebook at ``path`` (None: not readable JSON)."""
    try:
        nb = json.loads(path.read_bytes())
        return {c["metadata"]["nbgrader"]["grade_id"] for c in nb.get("cells", [])
                if isinstance(c, dict) and (c.get("metadata", {}).get("nbgrader") or {}).get("grade_id")}
    except (ValueError, TypeError, KeyError, AttributeError, OSError):
        return None


def _distinctive(signatures: dict[str, set[str]]) -> dict[str, set[str]]:
    """Each assignment's grade ids that no other assignment has (``setup`` is everyone's)."""
    return {name: ids - set().union(*(other for o, other in signatures.items() if o != name))
            for name, ids in signatures.items()}


def looks_like(path: Path, signatures: dict[str, set[str]]) -> str | None:
    """The assignment whose cells the notebook at ``path`` holds most of, or None when it
    holds none of any (or is not JSON). First used in assignment 01-minimax."""
    ids = _grade_ids(path)
    if not ids or not signatures:
        return None
    signatures = _distinctive(signatures)
    best = max(sorted(signatures), key=lambda name: len(ids & signatures[name]))
    return best if ids & signatures[best] else None


def find_submissions(submissions: Path, known: list[str],
                     signatures: dict[str, set[str]] | None = None) -> Found:
    """Walk ``submissions/<student>/<assignment>/`` and explain whatever does not fit.

    ``signatures`` (assignment -> its cells' grade ids) lets it recognise a notebook of
    another assignment. First used in assignment 01-minimax."""
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise course_mod.CourseError(f"{submissions} is not a folder: {LAYOUT}")
    signatures = _distinctive(signatures or {})
    found = Found()
    for student_dir in sorted(submissions.iterdir()):
        if student_dir.name.startswith("."):
            continue
        if not student_dir.is_dir():
            found.ignored.append(f"{student_dir}: a file where a student folder belongs ({LAYOUT})")
            continue
        entries = [p for p in sorted(student_dir.iterdir()) if not p.name.startswith(".")]
        if not entries:
            found.ignored.append(f"{student_dir}: empty student folder")
        for entry in entries:
            if not entry.is_dir():
                found.ignored.append(f"{entry}: a file where an assignment folder belongs ({LAYOUT})")
                continue
            _find_in_folder(found, student_dir.name, entry, known, signatures)
    return found


def _find_in_folder(found: Found, student: str, folder: Path, known: list[str],
                    signatures: dict[str, set[str]]) -> None:
    assignment = folder.name
    notebooks = sorted(folder.glob("*.ipynb"), key=lambda p: (p.name != f"{assignment}.ipynb", p.name))
    if assignment not in known:
        hint = next((looks_like(p, signatures) for p in notebooks if looks_like(p, signatures)), None)
        found.broken.append((student, assignment, f"no assignment named {assignment!r} in this "
                             f"course (known: {', '.join(known)})"
                             + (f"; the notebook in it looks like {hint}: put it in "
                                f"{student}/{hint}/" if hint else "")))
        return
    if not notebooks:
        found.broken.append((student, assignment, f"no notebook in {folder}"))
        return
    graded, elsewhere = [], []
    for path in notebooks:
        other = looks_like(path, signatures)
        if other is not None and other != assignment and not (
                _grade_ids(path) or set()) & signatures.get(assignment, set()):
            elsewhere.append(Note("another assignment", name=path.name, other=other,
                                  assignment=assignment, student=student))
        else:
            graded.append(path)
    if not graded:
        found.broken.append((student, assignment, "; ".join(elsewhere)))
        return
    for path in graded:
        found.jobs.append((student, assignment, path))
    if elsewhere:
        found.notes[(student, assignment)] = elsewhere


def submission_language(course: Path, assignment: str, path: Path) -> str:
    """The language to grade the notebook at path in: what its metadata says (the release's
    ``{"ganlab": {"language": "ko"}}``), else what its name says (``<a>.ko.ipynb``), and
    English when the course has no such translation. First used in assignment 01-minimax."""
    try:
        lang = course_mod.language_of(Path(path).read_bytes())
    except OSError:
        lang = "en"
    if lang == "en":
        lang = next((code for code in course_mod.LANGUAGES
                     if Path(path).name == course_mod.release_name(assignment, code)), "en")
    return lang if lang in course_mod.languages(course, assignment) else "en"


def best_of(results: list[tuple[str, GradeResult]]) -> tuple[str, GradeResult]:
    """The (file name, result) that counts when a folder held several notebooks: a graded one
    before a broken one, then the highest score, then a released name (``<assignment>.ipynb``,
    ``<assignment>.ko.ipynb``), then by name. First used in assignment 01-minimax."""
    def released(name: str, assignment: str) -> bool:
        return name in {course_mod.release_name(assignment, code) for code in course_mod.LANGUAGES}
    return min(results, key=lambda item: (item[1].status != "graded", -item[1].score,
                                          not released(item[0], item[1].assignment), item[0]))


def make_executor(kind: str = "process", workers: int | None = None, scheduler: str | None = None):
    """A concurrent.futures executor: the local process pool, or a Dask cluster's.
    First used in assignment 01-minimax."""
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


def _line(result: GradeResult) -> str:
    reason = f": {result.reason}" if result.reason else ""
    return (f"{result.student} / {result.assignment}: {result.score:g}/{result.max_score:g} "
            f"{result.status}{reason}")[:240]


def grade(course: Path, submissions: Path, *, executor=None, timeout: float = DEFAULTS.timeout,
          cell_timeout: int = DEFAULTS.cell_timeout, memory_mb: int = DEFAULTS.memory_mb,
          sandbox: str = "auto", allow: list[str] | None = None, csv_path: Path | None = None,
          feedback_dir: Path | None = None, log=_print) -> dict[tuple[str, str], GradeResult]:
    """Grade every submission; return (student, assignment) -> GradeResult.
    First used in assignment 01-minimax."""
    course, submissions = Path(course).resolve(), Path(submissions).resolve()
    known = course_mod.assignments(course)
    signatures = {name: course_mod.cell_ids(course, name) for name in known}
    found = find_submissions(submissions, known, signatures)
    groups: dict[tuple[str, str], list[Path]] = {}
    for student, assignment, path in found.jobs:
        groups.setdefault((student, assignment), []).append(path)
    try:
        _, why = sandbox_mode(sandbox)
    except RuntimeError as error:  # --sandbox namespaces where there are none
        raise course_mod.CourseError(str(error)) from error
    missing = [p for p in allow or [] if not Path(p).exists()]
    if missing:
        raise course_mod.CourseError(f"--allow {missing[0]}: no such file or folder")
    workers = min(len(found.jobs), os.cpu_count() or 1) or 1
    where = f"{workers} local process(es)" if executor is None else type(executor).__name__
    log(f"grading {len(groups)} submission(s) ({len(found.jobs)} notebook(s)) of "
        f"{len({s for s, _ in groups})} student(s) from {submissions} on {where}; "
        f"sandbox: {why}")
    for message in found.ignored:
        log(f"skipped {message}")
    for student, assignment, reason in found.broken:
        log(f"skipped {student}/{assignment}: {reason}")
    for (student, assignment), paths in groups.items():
        if len(paths) > 1:
            log(f"{student}/{assignment}: {len(paths)} notebooks ({', '.join(p.name for p in paths)}): "
                "each is graded, the best score counts")
    language = {path: submission_language(course, assignment, path) for _, assignment, path in found.jobs}
    needed = sorted({(a, language[p]) for _, a, p in found.jobs}
                    | {(a, "en") for _, a, _ in found.broken if a in known})
    templates, futures = {}, {}
    results: dict[tuple[str, str], GradeResult] = {}
    own_executor = executor is None
    executor = executor or make_executor("process", workers)
    finished: dict[tuple[str, str], list[tuple[str, GradeResult]]] = {}
    done = 0
    try:
        # An assignment's notebooks go to the workers as soon as it is prepared, so the
        # workers grade while the next assignment is generated (seconds each).
        for name, lang in needed:
            log(f"preparing {name}{'' if lang == 'en' else f' ({lang})'} (nbgrader generate_assignment)")
            templates[name, lang] = template = course_mod.generate(course, name, lang)
            if lang == next(code for a, code in needed if a == name):  # once per assignment
                gradebook.register_assignment(course, name)
            for student, assignment, path in found.jobs:
                if (assignment, language[path]) == (name, lang):
                    job = GradeJob(student, assignment, assignment, path.read_bytes(), template.template_db,
                                   template.release, timeout=timeout, cell_timeout=cell_timeout,
                                   memory_mb=memory_mb, allow=list(allow or []), sandbox=sandbox,
                                   source_path=str(path), language=lang)
                    futures[executor.submit(grade_one, job)] = job
        for student, assignment, reason in found.broken:
            release = templates[assignment, "en"].release if (assignment, "en") in templates else None
            results[(student, assignment)] = GradeResult(
                student, assignment, "broken", reason, {}, max_score_of(release) if release else 0.0)
        for future in concurrent.futures.as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
            except Exception as error:  # the worker itself failed (e.g. a lost Dask worker)
                result = GradeResult(job.student, job.assignment, "broken",
                                     f"grading failed: {type(error).__name__}: {error}"[:300],
                                     {}, max_score_of(job.release), language=job.language)
            key = (job.student, job.assignment)
            finished.setdefault(key, []).append((Path(job.source_path).name, result))
            done += 1
            if len(finished[key]) < len(groups[key]):
                log(f"[{done}/{len(futures)}] {job.student} / {Path(job.source_path).name}: "
                    f"{result.score:g}/{result.max_score:g} {result.status} (waiting for the "
                    "folder's other notebooks)")
                continue
            result = _settle(finished[key], found.notes.get(key, []))
            results[key] = result
            gradebook.merge(course, result)  # here, in this process only, as results arrive
            _write_feedback(course, result, feedback_dir)
            log(f"[{done}/{len(futures)}] {_line(result)}")
    finally:
        if own_executor:  # after an error (a failed preparation), the waiting notebooks are dropped
            executor.shutdown(cancel_futures=True)
    for student, assignment, _ in found.broken:  # known assignment, unusable folder
        if (assignment, "en") in templates:
            gradebook.merge(course, results[(student, assignment)])
    csv_path = Path(csv_path) if csv_path else course / "grades.csv"
    summary_path = csv_path.with_name(csv_path.stem + "-by-student.csv")
    rows = gradebook.export_csv(course, csv_path, results)
    gradebook.export_summary(course, summary_path)
    broken = sum(r.status != "graded" for r in results.values())
    log(f"graded {len(results)} submission(s), {broken} broken; gradebook {course / 'gradebook.db'}, "
        f"{len(rows)} row(s) in {csv_path}, one per student in {summary_path}")
    return results


def _settle(graded: list[tuple[str, GradeResult]], notes: list[Note]) -> GradeResult:
    """The result that counts for one folder, with notes on what else it held (in the
    gradebook and on its feedback page)."""
    name, result = best_of(graded)
    folder_notes = list(notes)
    if len(graded) > 1:
        folder_notes.insert(0, Note("several notebooks", count=len(graded), counted=name, notebooks=[
            (n, r.score, r.max_score, r.status != "graded") for n, r in sorted(graded)]))
    result.notes.extend(folder_notes)
    result.feedback_html = feedback.add_notes(result.feedback_html, folder_notes, result.language)
    return result
