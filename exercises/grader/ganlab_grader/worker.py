"""Grade one submission on whatever machine the executor picked: :func:`grade_one`.

Everything a grading needs travels *in* the :class:`GradeJob` (bytes, not paths): the
submission, the assignment's template gradebook and its release. So the same function runs in
a local process pool or on a Dask worker on another machine, and the learner's kernel never
gets a path to the instructor's course (its sandbox shows it only the Python environment,
see :mod:`ganlab_grader.sandbox`). The job runs :mod:`ganlab_grader.runner` in a child
process with a wall-clock limit for the whole notebook and a memory limit; whatever happens
(invalid JSON, a dead kernel, an endless loop) comes back as a :class:`GradeResult`.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .limits import DEFAULTS

STUDENT = "learner"


@dataclass
class GradeJob:
    """Everything one grading needs, as bytes: it travels to any worker. First used in
    assignment 01-minimax."""
    student: str
    assignment: str
    notebook: str  # the notebook's name without .ipynb (= the assignment's notebook)
    submission: bytes
    template_db: bytes
    release: bytes
    course_id: str = "gan-course"
    timeout: float = DEFAULTS.timeout  # seconds for the whole notebook
    cell_timeout: int = DEFAULTS.cell_timeout
    memory_mb: int = DEFAULTS.memory_mb
    allow: list[str] = field(default_factory=list)  # more read-only paths for the kernel
    sandbox: str = "auto"  # "auto" (namespaces if available), "namespaces", "limits"
    source_path: str = ""  # where the submission came from, for messages only
    language: str = "en"  # the release's language: the feedback page's words


@dataclass
class GradeResult:
    """What came back from grading one notebook. First used in assignment 01-minimax."""
    student: str
    assignment: str
    status: str  # "graded" or "broken"
    reason: str
    scores: dict  # grade_id -> [score, max_score]
    max_score: float
    notes: list = field(default_factory=list)
    failures: dict = field(default_factory=dict)
    feedback_html: str = ""
    sandbox: str = ""
    seconds: float = 0.0
    language: str = "en"  # the notebook's: the language its feedback page speaks

    @property
    def score(self) -> float:
        return sum(s for s, _ in self.scores.values()) if self.status == "graded" else 0.0


_SANDBOX_MODE = None


def sandbox_mode(requested: str = "auto") -> tuple[str, str]:
    """("namespaces" | "limits", why) for this machine, probed once per process."""
    global _SANDBOX_MODE
    from . import sandbox

    if requested == "limits":
        return "limits", "limits only (asked for)"
    if _SANDBOX_MODE is None:
        _SANDBOX_MODE = sandbox.namespaces_available()
    ok, why = _SANDBOX_MODE
    if ok:
        return "namespaces", "namespaces"
    if requested == "namespaces":
        raise RuntimeError(f"the namespace sandbox is not available here: {why}")
    return "limits", f"limits only ({why})"


def check_notebook(data: bytes) -> str | None:
    """None if ``data`` is a readable Jupyter notebook, else why not (for the reason column)."""
    import nbformat

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "not a Jupyter notebook: the file is not UTF-8 text"
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        return f"not a Jupyter notebook: invalid JSON ({error.msg} at line {error.lineno})"
    if not isinstance(parsed, dict) or "cells" not in parsed:
        return "not a Jupyter notebook: the JSON has no 'cells'"
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # nbformat raises several kinds
        return f"not a valid Jupyter notebook: {str(error).splitlines()[0][:200]}"
    return None


def _limits(memory_mb: int):
    def apply():
        os.setsid()
        if memory_mb > 0:
            # the grader process holds the outputs; the kernel gets its own limit
            limit = (memory_mb + 2048) * 2 ** 20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def _broken(job: GradeJob, max_score: float, reason: str, **extra) -> GradeResult:
    return GradeResult(job.student, job.assignment, "broken", reason, {}, max_score,
                       language=job.language, **extra)


def max_score_of(release: bytes) -> float:
    nb = json.loads(release)
    return float(sum(c.get("metadata", {}).get("nbgrader", {}).get("points", 0) or 0
                     for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")))


def grade_one(job: GradeJob) -> GradeResult:
    """Grade one submission in its own throwaway course; never raises for a bad submission."""
    started = time.time()
    max_score = max_score_of(job.release)
    problem = check_notebook(job.submission)
    if problem:
        return _broken(job, max_score, problem, seconds=time.time() - started)
    mode, why = sandbox_mode(job.sandbox)
    base = Path(tempfile.mkdtemp(prefix="ganlab-grade-"))
    try:
        course = base / "course"
        scratch = base / "kernel"
        folder = course / "submitted" / STUDENT / job.assignment
        folder.mkdir(parents=True)
        scratch.mkdir()
        (course / "gradebook.db").write_bytes(job.template_db)
        (folder / f"{job.notebook}.ipynb").write_bytes(job.submission)
        (base / "release.ipynb").write_bytes(job.release)
        (base / "job.json").write_text(json.dumps({
            "course": str(course), "course_id": job.course_id, "assignment": job.assignment,
            "notebook": job.notebook, "scratch": str(scratch), "release": str(base / "release.ipynb"),
            "allow": job.allow, "mode": mode, "memory_mb": job.memory_mb,
            "cell_timeout": job.cell_timeout, "language": job.language}))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "GANLAB_SANDBOX"))}
        env["PYTHONUNBUFFERED"] = "1"
        # The runner is started as a plain module of this folder: `python -m ganlab_grader...`
        # would import ganlab, hence torch, which the runner does not need (seconds per notebook).
        start_runner = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                        "import runner; runner.main(sys.argv[1:])")
        process = subprocess.Popen([sys.executable, "-c", start_runner, str(base)],
                                   cwd=str(base), env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, preexec_fn=_limits(job.memory_mb))
        try:
            _, stderr = process.communicate(timeout=job.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return _broken(job, max_score, f"timed out: the notebook ran longer than "
                           f"{job.timeout:g} s (an endless loop?)", sandbox=why,
                           seconds=time.time() - started)
        result_file = base / "result.json"
        if not result_file.exists():
            tail = (stderr or b"").decode(errors="replace").strip().splitlines()[-3:]
            return _broken(job, max_score, "the grader process died "
                           f"(exit code {process.returncode}): {' | '.join(tail)[:300]}",
                           sandbox=why, seconds=time.time() - started)
        result = json.loads(result_file.read_text())
        feedback = base / "feedback.html"
        scores = {k: list(v) for k, v in result.get("scores", {}).items()}
        status = result["status"]
        reason = result.get("reason", "")
        if status == "graded":
            failed = result.get("failures", {})
            lost = [f"{g}: {failed.get(g, 'failed')}" for g, (s, m) in scores.items() if s < m]
            reason = "; ".join(lost)
        return GradeResult(job.student, job.assignment, status, reason, scores, max_score,
                           notes=result.get("notes", []), failures=result.get("failures", {}),
                           feedback_html=feedback.read_text() if feedback.exists() else "",
                           sandbox=why, seconds=time.time() - started, language=job.language)
    finally:
        if not os.environ.get("GANLAB_GRADING_KEEP"):  # set it to debug the grader itself
            shutil.rmtree(base, ignore_errors=True)
