"""The course on disk, and what nbgrader generates from it.

A course folder (``exercises/``) holds ``nbgrader_config.py``, ``source/<assignment>/
<assignment>.ipynb`` (the instructor's notebooks, with solutions and hidden tests), and,
once graded, ``gradebook.db``, ``grades.csv`` and ``feedback/``. ``release/<assignment>/`` is
generated.

:func:`generate` runs ``nbgrader generate_assignment`` on one assignment in a *temporary*
copy of the course, so it needs no existing gradebook and never touches the real one; it
returns the released notebook and the template gradebook (the assignment's cells and points)
that every throwaway grading course starts from. What it generated is kept under
``.cache/generated/`` in the course folder, keyed by the source notebook, the nbgrader
configuration and nbgrader's version: ``make release`` and every later ``make grade`` of an
unchanged assignment reuse it instead of running nbgrader again (seconds per assignment).

An assignment may also exist in other languages: ``source-ko/<assignment>/<assignment>.ipynb``
is the Korean notebook (same cells, grade ids, points and tests; see
:mod:`ganlab_grader.build.translate`). :func:`release` writes it beside the English one as
``release/<assignment>/<assignment>.ko.ipynb``, and :func:`generate` with ``language="ko"``
gives the Korean template, so a Korean submission is graded with its own text restored.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .build import LANGUAGES, source_folder

COURSE_ID = "gan-course"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
_HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n?(.*?)### END HIDDEN TESTS", re.S)


class CourseError(Exception):
    """The course folder is not as expected; the message says what to do."""


@dataclass
class Generated:
    assignment: str
    release: bytes  # the released notebook (JSON)
    template_db: bytes  # gradebook.db holding only this assignment's cells


def assignments(course: Path) -> list[str]:
    """The assignments under ``course/source``: folders holding ``<name>/<name>.ipynb``."""
    source = Path(course) / "source"
    if not source.is_dir():
        raise CourseError(f"{source} does not exist: a course folder holds source/<assignment>/"
                          "<assignment>.ipynb (run `python -m ganlab_grader.build`).")
    names = sorted(p.name for p in source.iterdir()
                   if p.is_dir() and (p / f"{p.name}.ipynb").exists())
    if not names:
        raise CourseError(f"no assignment in {source}: expected source/<name>/<name>.ipynb")
    return names


def graded_parts(course: Path, assignment: str) -> list[tuple[str, float]]:
    """[(grade_id, points)] of the assignment's graded cells, in the notebook's order: the
    parts that ``grades.csv`` gives a column each. First used in assignment 01-minimax."""
    nb = json.loads((Path(course) / "source" / assignment / f"{assignment}.ipynb").read_text())
    parts = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
        if meta.get("grade") and meta.get("grade_id"):
            parts.append((meta["grade_id"], float(meta.get("points", 0) or 0)))
    return parts


def cell_ids(course: Path, assignment: str) -> set[str]:
    """Every ``grade_id`` of the assignment's notebook: what tells one assignment's notebook
    from another's. First used in assignment 01-minimax."""
    nb = json.loads((Path(course) / "source" / assignment / f"{assignment}.ipynb").read_text())
    return {c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"]
            if (c.get("metadata", {}).get("nbgrader", {}) or {}).get("grade_id")}


def source_notebook(course: Path, assignment: str, language: str = "en") -> Path:
    """``source/<a>/<a>.ipynb``, or ``source-<language>/<a>/<a>.ipynb`` for a translation."""
    return source_folder(Path(course) / "source", language) / assignment / f"{assignment}.ipynb"


def languages(course: Path, assignment: str) -> list[str]:
    """The languages the assignment exists in ("en" first). First used in assignment 01-minimax."""
    return [lang for lang in LANGUAGES if source_notebook(course, assignment, lang).exists()]


def release_name(assignment: str, language: str = "en") -> str:
    """``01-minimax.ipynb``, ``01-minimax.ko.ipynb``: a release's file name."""
    return f"{assignment}.ipynb" if language == "en" else f"{assignment}.{language}.ipynb"


def language_of(notebook: bytes | dict) -> str:
    """The language a notebook was released in: its metadata ``{"ganlab": {"language": ...}}``,
    "en" when it says nothing (or is not readable). First used in assignment 01-minimax."""
    try:
        nb = json.loads(notebook) if isinstance(notebook, (bytes, str)) else notebook
        language = nb["metadata"]["ganlab"]["language"]
    except (ValueError, TypeError, KeyError):
        return "en"
    return language if language in LANGUAGES else "en"


def nbgrader_env() -> dict:
    """The environment for an nbgrader subprocess: ours, with this Python's bin folder first on
    PATH (nbgrader runs the ``alembic`` program to create a gradebook) and no JUPYTER_* paths."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


def _nbgrader(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = nbgrader_env()
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=600)


_CACHE_FORMAT = "1"  # raise it when what is cached changes


def _cached(course: Path, assignment: str, language: str, source: Path) -> Path:
    """The cache folder for this source notebook, configuration and nbgrader."""
    config = course / "nbgrader_config.py"
    key = hashlib.sha256(b"\0".join([
        _CACHE_FORMAT.encode(), importlib.metadata.version("nbgrader").encode(), source.read_bytes(),
        config.read_bytes() if config.exists() else b""])).hexdigest()[:16]
    return course / ".cache" / "generated" / f"{assignment}.{language}.{key}"


def generate(course: Path, assignment: str, language: str = "en") -> Generated:
    """Run ``nbgrader generate_assignment`` in a temporary copy of the course (for a
    translation, a course whose source notebook is the translated one), or take what an
    earlier run generated from the same notebook out of the course's cache."""
    course = Path(course)
    source = source_notebook(course, assignment, language)
    if not source.exists():
        raise CourseError(f"{assignment} has no {language!r} notebook ({source} is missing; "
                          "run `python -m ganlab_grader.build`)")
    cached = _cached(course, assignment, language, source)
    try:
        generated = Generated(assignment, (cached / "release.ipynb").read_bytes(),
                              (cached / "gradebook.db").read_bytes())
    except OSError:
        generated = _generate(course, assignment, source)
        _keep(cached, generated)
    problems = check_release(json.loads(generated.release), json.loads(source.read_text()))
    if problems:
        raise CourseError(f"the release of {assignment} is not safe to publish: "
                          + "; ".join(problems))
    return generated


def _keep(cached: Path, generated: Generated) -> None:
    """Write the cache folder whole or not at all, and drop this notebook's older ones."""
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.glob(cached.name.rsplit(".", 1)[0] + ".*"):
            shutil.rmtree(old, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(dir=cached.parent, prefix=".writing-"))
    except OSError:  # a read-only course folder: no cache
        return
    try:
        (tmp / "release.ipynb").write_bytes(generated.release)
        (tmp / "gradebook.db").write_bytes(generated.template_db)
        os.replace(tmp, cached)
    except OSError:  # another run wrote it first
        shutil.rmtree(tmp, ignore_errors=True)


def _generate(course: Path, assignment: str, source: Path) -> Generated:
    with tempfile.TemporaryDirectory(prefix="ganlab-release-") as tmp:
        root = Path(tmp)
        (root / "source" / assignment).mkdir(parents=True)
        shutil.copy(source, root / "source" / assignment / f"{assignment}.ipynb")
        config = course / "nbgrader_config.py"
        if config.exists():
            shutil.copy(config, root / "nbgrader_config.py")
        done = _nbgrader(["generate_assignment", assignment, "--force", "--create",
                          f"--CourseDirectory.course_id={COURSE_ID}",
                          f"--CourseDirectory.root={root}"], cwd=root)
        released = root / "release" / assignment / f"{assignment}.ipynb"
        if done.returncode != 0 or not released.exists():
            log = (done.stdout + done.stderr).strip().splitlines()[-8:]
            raise CourseError(f"nbgrader generate_assignment {assignment} failed:\n"
                              + "\n".join(log))
        return Generated(assignment, released.read_bytes(), (root / "gradebook.db").read_bytes())


def _text(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def check_release(release: dict, source: dict) -> list[str]:
    """What is wrong with a released notebook (empty list: safe to publish)."""
    problems = []
    text = "\n".join(_text(c) for c in release["cells"])
    for marker in SOLUTION_MARKERS + HIDDEN_MARKERS:
        if marker in text:
            problems.append(f"it contains {marker!r}")
    hidden_lines = {line.strip() for cell in source["cells"] for block in _HIDDEN.findall(_text(cell))
                    for line in block.splitlines() if len(line.strip()) >= 20}
    visible = set()
    for cell in source["cells"]:
        visible.update(line.strip() for line in _HIDDEN.sub("", _text(cell)).splitlines())
    released_lines = {line.strip() for line in text.splitlines()}
    leaked = sorted((hidden_lines - visible) & released_lines)
    if leaked:
        problems.append(f"hidden test lines leaked, e.g. {leaked[0]!r}")
    for cell in release["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell["cell_type"] == "code" \
                and "raise NotImplementedError()" not in _text(cell):
            problems.append(f"solution cell {meta.get('grade_id')!r} does not raise "
                            "NotImplementedError()")
        if cell["cell_type"] == "code" and cell.get("outputs"):
            problems.append(f"cell {meta.get('grade_id')!r} has outputs")
    return problems


def release(course: Path, names: list[str] | None = None, log=print) -> list[Path]:
    """Write ``course/release/<a>/<a>.ipynb`` for every assignment, and ``<a>.ko.ipynb``
    beside it where the Korean notebook exists; return the paths."""
    course = Path(course)
    written = []
    for name in names or assignments(course):
        for language in languages(course, name):
            generated = generate(course, name, language)
            target = course / "release" / name / release_name(name, language)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(generated.release)
            log(f"released {name} ({language}) -> {target}")
            written.append(target)
    return written
