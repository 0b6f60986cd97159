"""The real gradebook (``exercises/gradebook.db``): written here, by the grading process only.

Each submission is autograded in a throwaway course; its scores come back as plain numbers
(:class:`~ganlab_grader.worker.GradeResult`) and :func:`merge` records them with nbgrader's
:class:`~nbgrader.api.Gradebook` API: the student, the submission, one auto score per test
cell. Recording the same result twice leaves the same gradebook, so grading is idempotent.
:func:`export_csv` writes ``grades.csv`` (one row per student and assignment, a column pair
per graded part) and :func:`export_summary` ``grades-by-student.csv`` (one row per student),
both from the gradebook itself, so they always agree with it. :func:`reset` moves all of it
aside, to start a term afresh.
"""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .course import COURSE_ID, assignments, graded_parts, nbgrader_env

#: The first columns of grades.csv; then ``<part> points`` and ``<part> result`` for every
#: graded part of the course's assignments, then ``reason``.
CSV_COLUMNS = ["student", "assignment", "score", "max_score", "status"]
#: Every value of the ``status`` column (book/instructors.md explains each).
STATUSES = {
    "graded": "graded in this run",
    "broken": "could not be graded in this run (0 points; the reason says why)",
    "graded earlier": "in the gradebook from an earlier run, not in this run's folder",
    "broken earlier": "broken in an earlier run, not in this run's folder",
}
PASS, FAIL = "pass", "fail"
#: What :func:`reset` moves aside (relative to the course).
GRADING_OUTPUTS = ("gradebook.db", "grades.csv", "grades-by-student.csv", "feedback")


def db_url(course: Path) -> str:
    return "sqlite:///" + str((Path(course) / "gradebook.db").resolve())


def register_assignment(course: Path, assignment: str) -> None:
    """Record the assignment's cells and points in the real gradebook (nbgrader's own way).

    ``nbgrader generate_assignment`` in a temporary copy of the source, pointed at the real
    database: the same cells, checksums and points as the template gradebook the sandboxes use.
    """
    import shutil
    import tempfile

    course = Path(course).resolve()
    with tempfile.TemporaryDirectory(prefix="ganlab-register-") as tmp:
        root = Path(tmp)
        shutil.copytree(course / "source" / assignment, root / "source" / assignment)
        env = nbgrader_env()
        done = subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force",
             "--create", f"--CourseDirectory.course_id={COURSE_ID}",
             f"--CourseDirectory.root={root}", f"--CourseDirectory.db_url={db_url(course)}"],
            cwd=str(root), env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
            raise RuntimeError(f"could not record {assignment} in {course / 'gradebook.db'}:\n{tail}")


def merge(course: Path, result) -> None:
    """Record one :class:`GradeResult` in the real gradebook (broken: every test 0 points)."""
    import warnings

    from nbgrader.api import Gradebook

    with warnings.catch_warnings(), Gradebook(db_url(course), COURSE_ID) as gb:
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes inside nbgrader
        gb.update_or_create_student(result.student)
        submission = gb.update_or_create_submission(result.assignment, result.student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                score = 0.0
                if result.status == "graded":
                    score = float(result.scores.get(grade.name, [0.0])[0])
                grade.auto_score = score
                grade.manual_score = None
                grade.extra_credit = None
                grade.needs_manual_grade = False
            notebook.flagged = result.status != "graded"
        gb.db.commit()


def _records(course: Path) -> dict[tuple[str, str], dict]:
    """(student, assignment) -> {"score", "max_score", "flagged", "parts": {grade_id: (s, max)}}."""
    from nbgrader.api import Gradebook

    table = {}
    if not (Path(course) / "gradebook.db").exists():
        return table
    with Gradebook(db_url(course), COURSE_ID) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                parts, flagged = {}, False
                for notebook in submission.notebooks:
                    flagged = flagged or bool(notebook.flagged)
                    for grade in notebook.grades:
                        if grade.max_score_gradecell is None:
                            continue  # a task cell, not a test
                        parts[grade.name] = (float(grade.score or 0.0), float(grade.max_score))
                table[(submission.student.id, assignment.name)] = {
                    "score": float(submission.score), "max_score": float(submission.max_score),
                    "flagged": flagged, "parts": parts}
    return table


def scores(course: Path) -> dict[tuple[str, str], tuple[float, float]]:
    """(student, assignment) -> (score, max_score), read from the real gradebook.
    First used in assignment 01-minimax."""
    return {key: (r["score"], r["max_score"]) for key, r in _records(course).items()}


def _part_columns(course: Path, names: set[str]) -> list[str]:
    """``<grade_id> points`` and ``<grade_id> result`` of every graded part of the
    assignments ``names``, in the course's order."""
    columns = []
    for name in [a for a in assignments(course) if a in names]:
        for grade_id, _ in graded_parts(course, name):
            for column in (f"{grade_id} points", f"{grade_id} result"):
                if column not in columns:
                    columns.append(column)
    return columns


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


def export_csv(course: Path, path: Path, results: dict) -> list[dict]:
    """Write ``grades.csv``: every submission in the gradebook, a row per student and
    assignment, with the points and ``pass``/``fail`` of each graded part, the total and
    this run's status and reason.

    ``results`` maps (student, assignment) to this run's GradeResult; submissions graded in an
    earlier run get the status ``graded earlier`` (``broken earlier``). Results for folders
    that are not an assignment of the course (so not in the gradebook) are listed too, with
    score 0. First used in assignment 01-minimax.
    """
    rows = []
    table = _records(course)
    for (student, assignment), record in sorted(table.items()):
        result = results.get((student, assignment))
        earlier = "broken earlier" if record["flagged"] else "graded earlier"
        row = {"student": student, "assignment": assignment, "score": f"{record['score']:g}",
               "max_score": f"{record['max_score']:g}",
               "status": result.status if result else earlier,
               "reason": _reason(result) if result else ""}
        for grade_id, (score, max_score) in record["parts"].items():
            row[f"{grade_id} points"] = f"{score:g}"
            row[f"{grade_id} result"] = PASS if score >= max_score else FAIL
        rows.append(row)
    for key, result in sorted(results.items()):
        if key not in table:
            rows.append({"student": result.student, "assignment": result.assignment,
                         "score": "0", "max_score": f"{result.max_score:g}",
                         "status": result.status, "reason": _reason(result)})
    columns = _part_columns(course, {row["assignment"] for row in rows})
    _write(Path(path), CSV_COLUMNS + columns + ["reason"], rows)
    return rows


def export_summary(course: Path, path: Path) -> list[dict]:
    """Write ``grades-by-student.csv``: a row per student, a column per assignment of the
    course (its score; empty when nothing was submitted), the total against the whole
    course's maximum, and which assignments are missing or broken.
    First used in assignment 01-minimax."""
    names = assignments(course)
    maximum = {name: sum(points for _, points in graded_parts(course, name)) for name in names}
    table = _records(course)
    rows = []
    for student in sorted({s for s, _ in table}):
        row = {"student": student}
        for name in names:
            record = table.get((student, name))
            row[name] = f"{record['score']:g}" if record else ""
        row["total"] = f"{sum(r['score'] for (s, _), r in table.items() if s == student):g}"
        row["max_total"] = f"{sum(maximum.values()):g}"
        row["missing"] = " ".join(n for n in names if (student, n) not in table)
        row["broken"] = " ".join(n for n in names if table.get((student, n), {}).get("flagged"))
        rows.append(row)
    _write(Path(path), ["student", *names, "total", "max_total", "missing", "broken"], rows)
    return rows


def _reason(result) -> str:
    parts = [result.reason] if result.reason else []
    parts += list(result.notes)
    return " | ".join(parts)


def reset(course: Path, log=print) -> Path | None:
    """Start afresh: move the gradebook, the CSVs and the feedback pages of ``course`` into
    ``course/old-grades/<date-time>/`` (nothing is deleted); return that folder, or None when
    there was nothing to move. First used in assignment 01-minimax."""
    course = Path(course)
    present = [course / name for name in GRADING_OUTPUTS if (course / name).exists()]
    if not present:
        log(f"nothing to reset in {course}: no {', '.join(GRADING_OUTPUTS)}")
        return None
    backup = course / "old-grades" / time.strftime("%Y%m%d-%H%M%S")
    suffix = 1
    while backup.exists():
        backup = backup.with_name(f"{backup.name.split('+')[0]}+{suffix}")
        suffix += 1
    backup.mkdir(parents=True)
    for item in present:
        shutil.move(str(item), str(backup / item.name))
        log(f"moved {item} -> {backup / item.name}")
    log(f"the gradebook is empty now; the old one is in {backup}")
    return backup
