"""The real gradebook (``exercises/gradebook.db``): written here, by the grading process only.

Each submission is autograded in a throwaway course; its scores come back as plain numbers
(:class:`~ganlab_grader.worker.GradeResult`) and :func:`merge` records them with nbgrader's
:class:`~nbgrader.api.Gradebook` API: the student, the submission, one auto score per test
cell. Recording the same result twice leaves the same gradebook, so grading is idempotent.
:func:`export_csv` writes ``grades.csv`` from the gradebook itself, so the two always agree.
"""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from .course import COURSE_ID, nbgrader_env

CSV_COLUMNS = ["student", "assignment", "score", "max_score", "status", "reason"]


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


def scores(course: Path) -> dict[tuple[str, str], tuple[float, float]]:
    """(student, assignment) -> (score, max_score), read from the real gradebook."""
    from nbgrader.api import Gradebook

    table = {}
    if not (Path(course) / "gradebook.db").exists():
        return table
    with Gradebook(db_url(course), COURSE_ID) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                table[(submission.student.id, assignment.name)] = (
                    float(submission.score), float(submission.max_score))
    return table


def export_csv(course: Path, path: Path, results: dict) -> list[dict]:
    """Write ``grades.csv``: every submission in the gradebook, with this run's status/reason.

    ``results`` maps (student, assignment) to this run's GradeResult; submissions graded in an
    earlier run get the status ``graded earlier``. Results for folders that are not an
    assignment of the course (so not in the gradebook) are listed too, with score 0.
    """
    rows = []
    table = scores(course)
    for (student, assignment), (score, max_score) in sorted(table.items()):
        result = results.get((student, assignment))
        rows.append({"student": student, "assignment": assignment, "score": f"{score:g}",
                     "max_score": f"{max_score:g}",
                     "status": result.status if result else "graded earlier",
                     "reason": _reason(result) if result else ""})
    for key, result in sorted(results.items()):
        if key not in table:
            rows.append({"student": result.student, "assignment": result.assignment,
                         "score": "0", "max_score": f"{result.max_score:g}",
                         "status": result.status, "reason": _reason(result)})
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return rows


def _reason(result) -> str:
    parts = [result.reason] if result.reason else []
    parts += list(result.notes)
    return " | ".join(parts)
