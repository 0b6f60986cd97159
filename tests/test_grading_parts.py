"""The grader's parts without a kernel: the submissions layout, notebook checks, the repair of
a tampered notebook, hidden-test stripping, and the CLI's answers to bad input (fast)."""
from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from ganlab_grader import feedback, repair
from ganlab_grader.course import CourseError, check_release
from ganlab_grader.grade import find_submissions
from ganlab_grader.worker import check_notebook


def _cell(kind, grade_id, source, **meta):
    cell = (new_code_cell if kind == "code" else new_markdown_cell)(source)
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "schema_version": 3, "task": False,
                                 "grade": False, "solution": False, "locked": True, **meta}
    cell["id"] = grade_id.replace("_", "-")
    return cell


def tiny_release():
    """A two-part assignment as released (no hidden tests, stubs in the answer cells)."""
    return new_notebook(cells=[
        _cell("code", "setup", "from ganlab import exercise_checks as checks"),
        _cell("markdown", "intro", "# Tiny"),
        _cell("code", "answer", "def f(x):\n    raise NotImplementedError()", solution=True, locked=False),
        _cell("code", "test_f", "checks.assert_true(f(1) == 2, 'f(1)')", grade=True, points=2),
        _cell("code", "test_g", "checks.assert_true(f(2) == 3, 'f(2)')", grade=True, points=1),
    ])


def test_submissions_layout_is_explained(tmp_path):
    (tmp_path / "ann" / "01-a").mkdir(parents=True)
    (tmp_path / "ann" / "01-a" / "01-a.ipynb").write_text("{}")
    (tmp_path / "bo b" / "01-a").mkdir(parents=True)
    (tmp_path / "bo b" / "01-a" / "renamed.ipynb").write_text("{}")
    (tmp_path / "cy" / "01-a").mkdir(parents=True)
    (tmp_path / "cy" / "01-a" / "x.ipynb").write_text("{}")
    (tmp_path / "cy" / "01-a" / "y.ipynb").write_text("{}")
    (tmp_path / "cy" / "zz-unknown").mkdir()
    (tmp_path / "cy" / "notes.txt").write_text("")
    (tmp_path / "stray.ipynb").write_text("{}")
    (tmp_path / "dee").mkdir()
    found = find_submissions(tmp_path, ["01-a"])
    assert [(s, a, p.name) for s, a, p in found.jobs] == [("ann", "01-a", "01-a.ipynb"),
                                                          ("bo b", "01-a", "renamed.ipynb")]
    reasons = {(s, a): r for s, a, r in found.broken}
    assert "2 notebooks" in reasons[("cy", "01-a")]
    assert "no assignment named 'zz-unknown'" in reasons[("cy", "zz-unknown")]
    ignored = "\n".join(found.ignored)
    assert "stray.ipynb" in ignored and "notes.txt" in ignored and "empty student folder" in ignored
    with pytest.raises(CourseError, match="not a folder"):
        find_submissions(tmp_path / "missing", ["01-a"])


@pytest.mark.parametrize("data, message", [
    (b"\xff\xfe", "not UTF-8"), (b"{ nope", "invalid JSON"), (b"[1, 2]", "no 'cells'"),
    (json.dumps({"cells": "x", "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode(),
     "not a valid Jupyter notebook"),
])
def test_check_notebook_says_what_is_wrong(data, message):
    assert message in check_notebook(data)


def test_check_notebook_accepts_a_notebook():
    assert check_notebook(nbformat.writes(tiny_release()).encode()) is None


def test_repair_undoes_tampering():
    release = tiny_release()
    nb = nbformat.from_dict(json.loads(nbformat.writes(release)))
    own = new_code_cell("import torch\ntorch.allclose = lambda *a, **k: True")
    nb.cells.insert(0, own)  # above the setup cell
    nb.cells[4].metadata.nbgrader["grade_id"] = "free_points"  # test_f renamed (matched by cell id)
    nb.cells[4].metadata.nbgrader["points"] = 50
    test_g = nb.cells[5]
    nb.cells[5] = new_markdown_cell(test_g.source, metadata=test_g.metadata)  # test_g -> markdown
    nb.cells[5]["id"] = test_g["id"]
    extra = new_code_cell("print('mine')")
    extra.metadata["nbgrader"] = {"grade_id": "bonus", "grade": True, "points": 5, "solution": False,
                                  "locked": True, "schema_version": 3, "task": False}
    nb.cells.append(extra)
    notes = repair.repair(nb, release)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    assert ids[:2] == ["setup", "intro"], ids
    assert ids.count("test_f") == 1 and ids.count("test_g") == 1 and "bonus" not in ids
    test_f = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_f")
    assert test_f.metadata.nbgrader["points"] == 2
    test_g = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_g")
    assert test_g.cell_type == "code"
    text = " | ".join(notes)
    assert "grade_id changed to 'free_points'" in text and "turned into markdown" in text
    assert "'bonus' is not in the assignment" in text and "put back first" in text
    nbformat.validate(nb)


def test_repair_reports_a_deleted_test_cell():
    release = tiny_release()
    nb = nbformat.from_dict(json.loads(nbformat.writes(release)))
    del nb.cells[4]
    assert any("'test_g' was missing" in note for note in repair.repair(nb, release))


def test_strip_hidden_removes_hidden_text_and_tracebacks():
    release = tiny_release()
    graded = nbformat.from_dict(json.loads(nbformat.writes(release)))
    hidden_line = "checks.assert_true(f(12345) == 12346, 'secret input')"
    graded.cells[3].source += "\n### BEGIN HIDDEN TESTS\n" + hidden_line + "\n### END HIDDEN TESTS\n"
    graded.cells[3].outputs = [nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="f(12345)",
        traceback=["Traceback", "----> 3 " + hidden_line, "AssertionError: f(12345)"])]
    graded.cells[4].outputs = [nbformat.v4.new_output("stream", name="stdout", text=hidden_line + "\n")]
    failures = feedback.strip_hidden(graded, release, {"test_f": [hidden_line + "\n"]})
    text = nbformat.writes(graded)
    assert "12345) == 12346" not in text
    assert failures == {"test_f": "AssertionError: f(12345)"}
    page = feedback.summary_markdown("tiny", {"test_f": [0.0, 2.0], "test_g": [1.0, 1.0]}, failures)
    assert "Score: 1 / 3" in page and "AssertionError: f(12345)" in page


def test_check_release_flags_missing_stub():
    release = tiny_release()
    release.cells[2].source = "def f(x):\n    return x + 1"
    assert any("does not raise" in p for p in check_release(release, release))


def test_cli_explains_a_missing_course(tmp_path):
    done = subprocess.run([sys.executable, "-m", "ganlab_grader", "grade", "--course",
                           str(tmp_path / "nope"), "--submissions", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "source/<assignment>/<assignment>.ipynb" in done.stderr
