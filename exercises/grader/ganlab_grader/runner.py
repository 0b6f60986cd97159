"""Autograde one submission inside its throwaway course (runs as its own process).

``python -m ganlab_grader.runner JOB_DIR`` reads ``JOB_DIR/job.json`` (written by
:func:`ganlab_grader.worker.grade_one`), where ``JOB_DIR/course`` is a throwaway nbgrader
course: a copy of the assignment's template gradebook (source cells, grade cells, points) and
the submission under ``submitted/learner/<assignment>/``. Nothing of the instructor's course is
passed in. The steps:

1. **repair** the submission's structure against the release (:mod:`.repair`): locked cells
   back in place, renamed ``grade_id`` / changed cell types / changed points undone;
2. ``nbgrader autograde`` with sandboxed kernels (:mod:`.sandbox`): nbgrader restores the test
   cells from the gradebook (``OverwriteCells``, with ``add_missing_cells``), executes the
   notebook, records the scores in the throwaway gradebook;
3. read the scores back, and write ``result.json`` and the feedback HTML (hidden tests
   stripped, :mod:`.feedback`).
"""
from __future__ import annotations

import json
import os
import sys
import time
import traceback
import uuid

import nbformat
from pathlib import Path

from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from jupyter_client.manager import AsyncKernelManager
from nbformat.notebooknode import NotebookNode
from traitlets import CaselessStrEnum, Integer

try:
    from . import sandbox
except ImportError:  # started as a plain module (see worker.py): no `import ganlab`, no torch
    import sandbox

STUDENT = "learner"  # the id used inside every throwaway course (the real name stays outside)


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the kernel through :mod:`ganlab_grader.sandbox`, talking over Unix sockets."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Absolute paths in the kernel's own folder (the only one it can see): the connection
        # file, and the socket files next to it.
        from jupyter_core.paths import jupyter_runtime_dir
        name = os.path.join(jupyter_runtime_dir(), f"kernel-{uuid.uuid4().hex[:12]}")
        self.connection_file = name + ".json"
        self.ip = name + "-ipc"

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        return sandbox.launcher() + ["--"] + command


class SandboxedExecute(Execute):
    """nbgrader's Execute with a sandboxed kernel and a cap on each cell's output."""

    max_output_bytes = Integer(1_000_000, help="output kept per cell").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = SandboxedKernelManager
        super().__init__(*args, **kwargs)
        self._output_bytes = {}

    def output(self, outs, msg, display_id, cell_index):
        used = self._output_bytes.get(cell_index, 0)
        size = len(json.dumps(msg.get("content", {})))
        self._output_bytes[cell_index] = used + size
        if used + size > self.max_output_bytes:
            if used <= self.max_output_bytes:
                outs.append(NotebookNode(output_type="stream", name="stdout", text=(
                    f"\n[the grader dropped the rest of this cell's output: more than "
                    f"{self.max_output_bytes} bytes]\n")))
            return None
        return super().output(outs, msg, display_id, cell_index)


class HarmlessStderr(NbGraderPreprocessor):
    """In test cells, stderr text (a library's warning) is output, not a failure.

    nbgrader 0.9 gives a test cell 0 points as soon as anything reaches stderr; a correct
    answer that triggers a ``UserWarning`` must keep its points. Errors still count: they are
    ``error`` outputs. Values displayed by a test cell's last line are dropped too, so that no
    learner object can claim partial credit through nbgrader's "output a number" rule.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            kept = []
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    output["name"] = "stdout"
                    output["text"] = "[stderr] " + output.get("text", "")
                if output.get("output_type") == "execute_result":
                    continue
                kept.append(output)
            cell["outputs"] = kept
        return cell, resources


class GuardTestCells(NbGraderPreprocessor):
    """Each test cell first re-imports the checks and restores the pristine torch & co.

    The assignments' test cells call ``checks.restore()`` themselves; this line also undoes a
    learner cell that rebound the name ``checks`` to an object of its own.
    """

    guard = "from ganlab import exercise_checks as checks; checks.restore()  # added by the grader\n"

    def preprocess_cell(self, cell, resources, cell_index):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            cell.source = self.guard + cell.source
        return cell, resources


def _config(job: dict):
    from traitlets.config import Config
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput,
                                        DeduplicateIds, IgnorePattern, LimitOutput,
                                        OverwriteCells, OverwriteKernelspec, SaveAutoGrades)
    from nbconvert.preprocessors import ClearMetadataPreprocessor

    c = Config()
    c.CourseDirectory.root = job["course"]
    c.CourseDirectory.course_id = job.get("course_id", "gan-course")
    c.OverwriteCells.add_missing_cells = True
    c.Execute.timeout = int(job["cell_timeout"])
    c.Execute.startup_timeout = 120
    c.Execute.execute_retries = 0
    c.SandboxedExecute.max_output_bytes = int(job.get("max_output_bytes", 1_000_000))
    c.LimitOutput.max_lines = 200
    c.LimitOutput.max_traceback = 40
    c.Autograde.sanitize_preprocessors = [
        ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, GuardTestCells,
        CheckCellMetadata]
    c.Autograde.autograde_preprocessors = [
        SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, HarmlessStderr,
        SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
    return c


def _read_scores(job: dict) -> dict:
    from nbgrader.api import Gradebook

    url = "sqlite:///" + str(Path(job["course"]) / "gradebook.db")
    with Gradebook(url) as gb:
        submission = gb.find_submission(job["assignment"], STUDENT)
        scores = {}
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.cell_type is None or grade.max_score_gradecell is None:
                    continue
                scores[grade.name] = [float(grade.score or 0.0), float(grade.max_score)]
        return scores


def _classify(log: str, error: str) -> str:
    text = (log or "") + "\n" + (error or "")
    if "DeadKernelError" in text or "Kernel died" in text or "kernel died" in text:
        return ("the kernel died while running the notebook (os._exit, a crash, or running "
                "out of memory)")
    if "CellTimeoutError" in text or "Timeout waiting" in text:
        return ("timed out: a cell kept running after its time limit and the kernel stopped "
                "answering (an endless loop that ignores interrupts?)")
    if "MemoryError" in text:
        return "the grader ran out of memory (the notebook's output or data is too large)"
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "nbgrader could not grade it: " + (lines[-1][:300] if lines else "unknown error")


def run(job_dir: Path) -> dict:
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    try:
        from . import feedback, repair
    except ImportError:
        import feedback
        import repair

    job = json.loads((job_dir / "job.json").read_text())
    start = time.time()
    result = {"status": "graded", "reason": "", "scores": {}, "notes": [], "sandbox": job["mode"]}
    submitted = (Path(job["course"]) / "submitted" / STUDENT / job["assignment"]
                 / f"{job['notebook']}.ipynb")
    release = nbformat.read(job["release"], as_version=4)
    notes = repair.repair_file(submitted, release)
    result["notes"].extend(notes)

    runtime = Path(job["scratch"]) / "runtime"
    runtime.mkdir(parents=True, exist_ok=True)
    os.environ["JUPYTER_RUNTIME_DIR"] = str(runtime)
    os.environ[sandbox.ENV_VAR] = json.dumps({
        "mode": job["mode"], "scratch": job["scratch"], "memory_mb": job["memory_mb"],
        # computed here, in the environment (PYTHONPATH too) that the kernel inherits
        "allow": sandbox.runtime_paths(extra=job.get("allow", []))})
    os.environ.pop("PYTHONSTARTUP", None)
    os.chdir(job["course"])

    config = _config(job)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = job["assignment"], STUDENT
    app = Autograde(coursedir=coursedir, config=config)
    app.force, app.create_student = True, True
    outcome = capture_log(app)
    autograded = (Path(job["course"]) / "autograded" / STUDENT / job["assignment"]
                  / f"{job['notebook']}.ipynb")
    if not outcome.get("success") or not autograded.exists():
        result.update(status="broken", reason=_classify(outcome.get("log", ""),
                                                         outcome.get("error", "")))
        result["log"] = (outcome.get("log", "") + outcome.get("error", ""))[-4000:]
    else:
        result["scores"] = _read_scores(job)
        hidden = repair.hidden_tests(Path(job["course"]) / "gradebook.db", job["assignment"],
                                     job["notebook"])
        try:
            html, failures = feedback.render(autograded, release, hidden, result["scores"],
                                             title=job["assignment"], notes=result["notes"],
                                             language=job.get("language", "en"))
            (job_dir / "feedback.html").write_text(html)
        except feedback.HiddenTextError as error:  # the scores stand; no page is sent
            failures = getattr(error, "failures", {})
            result["notes"].append(f"no feedback page: {error}")
        result["failures"] = failures
    result["seconds"] = round(time.time() - start, 3)
    return result


def main(argv: list[str]) -> None:
    job_dir = Path(argv[0])
    try:
        result = run(job_dir)
    except Exception as error:  # a bug or a broken notebook: report it, never crash the run
        result = {"status": "broken", "reason": f"{type(error).__name__}: {error}"[:400],
                  "scores": {}, "notes": [], "log": traceback.format_exc()[-4000:]}
    (job_dir / "result.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
