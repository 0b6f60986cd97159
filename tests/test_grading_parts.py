"""The grader's parts without a kernel: the submissions layout (several notebooks in a folder,
another assignment's notebook), notebook checks, the repair of a tampered notebook,
hidden-test stripping and its final check, offline feedback pages, the limits written once,
the gradebook reset, and the CLI's answers to bad input (fast)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from ganlab_grader import feedback, gradebook, repair
from ganlab_grader.course import CourseError, check_release
from ganlab_grader.grade import best_of, find_submissions
from ganlab_grader.limits import DEFAULTS
from ganlab_grader.worker import GradeJob, GradeResult, check_notebook


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
    (tmp_path / "cy" / "01-a" / "01-a-Copy1.ipynb").write_text("{}")
    (tmp_path / "cy" / "01-a" / "01-a.ipynb").write_text("{}")
    (tmp_path / "cy" / "01-a" / "empty").mkdir()
    (tmp_path / "cy" / "zz-unknown").mkdir()
    (tmp_path / "cy" / "notes.txt").write_text("")
    (tmp_path / "stray.ipynb").write_text("{}")
    (tmp_path / "dee").mkdir()
    (tmp_path / "eve" / "01-a").mkdir(parents=True)
    found = find_submissions(tmp_path, ["01-a"])
    # every notebook of a folder is graded (the assignment's own name first)
    assert [(s, a, p.name) for s, a, p in found.jobs] == [
        ("ann", "01-a", "01-a.ipynb"), ("bo b", "01-a", "renamed.ipynb"),
        ("cy", "01-a", "01-a.ipynb"), ("cy", "01-a", "01-a-Copy1.ipynb")]
    reasons = {(s, a): r for s, a, r in found.broken}
    assert "no assignment named 'zz-unknown'" in reasons[("cy", "zz-unknown")]
    assert "no notebook in" in reasons[("eve", "01-a")]
    ignored = "\n".join(found.ignored)
    assert "stray.ipynb" in ignored and "notes.txt" in ignored and "empty student folder" in ignored
    with pytest.raises(CourseError, match="not a folder"):
        find_submissions(tmp_path / "missing", ["01-a"])


def _result(assignment, status, score, max_score=3.0):
    scores = {"t": [score, max_score]} if status == "graded" else {}
    return GradeResult("ann", assignment, status, "", scores, max_score)


def test_the_best_of_several_notebooks_counts():
    untouched, answered = _result("01-a", "graded", 0.0), _result("01-a", "graded", 3.0)
    assert best_of([("01-a.ipynb", untouched), ("01-a-Copy1.ipynb", answered)])[0] == "01-a-Copy1.ipynb"
    assert best_of([("x.ipynb", _result("01-a", "broken", 0.0)),
                    ("01-a.ipynb", untouched)])[0] == "01-a.ipynb"  # graded before broken
    tie = [("b.ipynb", _result("01-a", "graded", 1.0)), ("01-a.ipynb", _result("01-a", "graded", 1.0))]
    assert best_of(tie)[0] == "01-a.ipynb"  # on a tie, the assignment's own file name


def _notebook_with_ids(path, *grade_ids):
    nb = new_notebook(cells=[_cell("code", g, "pass") for g in grade_ids])
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def test_another_assignments_notebook_is_named_as_such(tmp_path):
    signatures = {"01-a": {"setup", "answer_a", "test_a"}, "02-b": {"setup", "answer_b", "test_b"}}
    _notebook_with_ids(tmp_path / "ann" / "01-a" / "01-a.ipynb", "setup", "answer_b", "test_b")
    _notebook_with_ids(tmp_path / "bo" / "01-a" / "01-a.ipynb", "setup", "answer_a", "test_a")
    _notebook_with_ids(tmp_path / "bo" / "01-a" / "other.ipynb", "answer_b", "test_b")
    _notebook_with_ids(tmp_path / "cy" / "lab2" / "lab2.ipynb", "setup", "answer_b", "test_b")
    _notebook_with_ids(tmp_path / "dee" / "01-a" / "01-a.ipynb", "my_own_cell")
    found = find_submissions(tmp_path, ["01-a", "02-b"], signatures)
    reasons = {(s, a): r for s, a, r in found.broken}
    assert "01-a.ipynb looks like 02-b, not 01-a" in reasons[("ann", "01-a")]
    assert "put it in ann/02-b/" in reasons[("ann", "01-a")]
    assert "the notebook in it looks like 02-b" in reasons[("cy", "lab2")]
    # beside the right notebook: the wrong one is left out and the reason says so
    assert ("bo", "01-a", tmp_path / "bo" / "01-a" / "01-a.ipynb") in found.jobs
    assert "other.ipynb looks like 02-b" in found.notes[("bo", "01-a")][0]
    # a notebook that holds no known cell is graded as its folder says (repair restores it)
    assert ("dee", "01-a", tmp_path / "dee" / "01-a" / "01-a.ipynb") in found.jobs


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


# --- feedback: the hidden-text check raises, the page reads offline ------------------------

def test_the_hidden_text_check_raises_even_under_python_O():
    """A real check, not an ``assert`` that ``python -O`` removes."""
    code = textwrap.dedent("""
        from ganlab_grader.feedback import check_no_hidden, HiddenTextError
        hidden = {"test_f": ['checks.assert_true(f(12345) == 12346, "secret")']}
        page = "<pre>checks.assert_true(f(12345) == 12346, &quot;secret&quot;)</pre>"
        try:
            check_no_hidden(page, hidden, {"cells": []})
        except HiddenTextError as error:
            print("raised", error)
    """)
    done = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("raised") and "'test_f'" in done.stdout


def test_the_hidden_text_check_passes_a_clean_page_and_lines_the_release_shows():
    hidden = {"test_f": ["checks.restore()\ncheck_secret_input(12345)\n"]}
    release = {"cells": [{"cell_type": "code", "source": "checks.restore()\n"}]}
    feedback.check_no_hidden("<p>checks.restore()</p>", hidden, release)  # visible anyway
    with pytest.raises(feedback.HiddenTextError):
        feedback.check_no_hidden("<p>check_secret_input(12345)</p>", hidden, release)


def test_maths_become_mathml_outside_code():
    text = feedback.maths_to_mathml("Let $D(x)$ be, and `$not maths$`, $5 and\n\n$$\\max_D V$$")
    assert text.count("<math") == 2 and 'display="block"' in text
    assert "`$not maths$`" in text and "$5 and" in text


def test_feedback_page_loads_no_script_from_the_network(tmp_path):
    """Offline: no MathJax, require.js or mermaid from a CDN; maths as MathML."""
    import re

    release = tiny_release()
    release.cells[1].source = "# Tiny\n\nThe value $V(D, G) = \\mathbb{E}[\\log D(x)]$ and\n\n$$D^*(x) = 1/2$$"
    graded = nbformat.from_dict(json.loads(nbformat.writes(release)))
    path = tmp_path / "graded.ipynb"
    nbformat.write(graded, str(path))
    page, _ = feedback.render(path, release, {}, {"test_f": [2.0, 2.0], "test_g": [0.0, 1.0]}, "tiny")
    sources = re.findall(r"<(?:script|link|img|iframe)[^>]*?(?:src|href)\s*=\s*[\"']?(https?:[^\"' >]*)",
                         page, re.I)
    assert sources == [], sources
    assert "@import url(http" not in page and "mathjax" not in page.lower()
    assert page.count("<math") >= 2 and "Score: 2 / 3" in page


# --- what nbgrader generated, kept --------------------------------------------------------------

def test_generate_reuses_what_it_generated_from_the_same_notebook(tmp_path, monkeypatch):
    import shutil
    from pathlib import Path

    from ganlab_grader import course as course_mod

    exercises = Path(__file__).resolve().parents[1] / "exercises"
    course = tmp_path / "exercises"
    shutil.copytree(exercises / "source" / "01-minimax", course / "source" / "01-minimax")
    shutil.copy(exercises / "nbgrader_config.py", course / "nbgrader_config.py")
    first = course_mod.generate(course, "01-minimax")  # nbgrader runs
    runs = []
    monkeypatch.setattr(course_mod, "_generate", lambda *args: runs.append(args) or first)
    kept = lambda: sorted(p.name for p in (course / ".cache" / "generated").iterdir())  # noqa: E731
    assert course_mod.generate(course, "01-minimax") == first and runs == []
    [entry] = kept()
    # an edited notebook is generated again, and the cache of its old text goes
    source = course / "source" / "01-minimax" / "01-minimax.ipynb"
    nb = json.loads(source.read_text())
    nb["metadata"]["edited"] = True
    source.write_text(json.dumps(nb))
    course_mod.generate(course, "01-minimax")
    assert len(runs) == 1 and len(kept()) == 1 and kept() != [entry]
    # a cache folder missing a file is generated again; so is another configuration
    (course / ".cache" / "generated" / kept()[0] / "gradebook.db").unlink()
    course_mod.generate(course, "01-minimax")
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    course_mod.generate(course, "01-minimax")
    assert len(runs) == 3 and course_mod.generate(course, "01-minimax") == first and len(runs) == 3


# --- the grader's notes, in the learner's language ------------------------------------------

def test_every_note_reads_in_english_and_in_korean():
    import inspect
    import pickle
    import re

    from ganlab_grader.notes import TEMPLATES, Note, say

    fields = {"cell": "test_f", "new": "free_points", "kind": "markdown", "cells": "setup, intro",
              "name": "x.ipynb", "other": "02-b", "assignment": "01-a", "student": "ann",
              "count": 2, "counted": "x.ipynb", "notebooks": [("x.ipynb", 3, 3, False),
                                                              ("01-a.ipynb", 0, 3, True)]}
    for key, texts in TEMPLATES.items():
        assert set(texts) == {"en", "ko"}, key
        en = texts["en"]
        names = inspect.signature(en).parameters if callable(en) else re.findall(r"{(\w+)", en)
        wanted = {k: v for k, v in fields.items() if k in names}
        note = Note(key, **wanted)
        assert str(note) == say(note, "en") and not re.search("[가-힣]", note), key
        assert re.search("[가-힣]", say(note, "ko")), f"{key}: not Korean: {say(note, 'ko')}"
        assert say(pickle.loads(pickle.dumps(note)), "ko") == say(note, "ko")  # a process pool
    assert say("plain text", "ko") == "plain text"  # a note that came back as JSON
    with pytest.raises(KeyError, match="no note called 'nope'"):
        Note("nope")


def test_repair_notes_on_a_korean_page_are_korean(tmp_path):
    import html

    release = tiny_release()
    nb = nbformat.from_dict(json.loads(nbformat.writes(release)))
    del nb.cells[4]
    notes = repair.repair(nb, release)
    path = tmp_path / "graded.ipynb"
    nbformat.write(nb, str(path))
    page, _ = feedback.render(path, release, {}, {"test_f": [2.0, 2.0], "test_g": [1.0, 1.0]}, "tiny",
                              notes=notes, language="ko")
    assert "채점기의 메모" in page and "테스트 셀 'test_g'가 없어서" in html.unescape(page)
    assert "was missing" not in page
    assert any("'test_g' was missing" in note for note in notes)  # the gradebook's English


def test_the_folder_notes_reach_the_page_of_the_notebook_that_counted(tmp_path):
    from ganlab_grader.grade import _settle
    from ganlab_grader.notes import Note

    release = tiny_release()
    path = tmp_path / "graded.ipynb"
    nbformat.write(release, str(path))
    scores = {"test_f": [2.0, 2.0], "test_g": [1.0, 1.0]}
    pages = {}
    for language, notes in (("ko", []), ("en", [Note("second copy", cell="test_f")])):
        page, _ = feedback.render(path, release, {}, scores, "tiny", notes=notes, language=language)
        answered = _result("01-a", "graded", 3.0)
        answered.feedback_html, answered.language, answered.notes = page, language, list(notes)
        stray = Note("another assignment", name="x.ipynb", other="02-b", assignment="01-a", student="ann")
        counted = _settle([("01-a-Copy1.ipynb", answered), ("01-a.ipynb", _result("01-a", "graded", 0.0))],
                          [stray])
        assert counted is answered
        pages[language] = counted.feedback_html
        text = " | ".join(counted.notes)  # the gradebook's English, whatever the page's language
        assert "2 notebooks in the folder" in text and "x.ipynb looks like 02-b" in text
    assert "폴더에 노트북이 2개 있었습니다" in pages["ko"] and "01-a-Copy1.ipynb: 3/3" in pages["ko"]
    assert "채점하지 않음: x.ipynb" in pages["ko"] and "notebooks in the folder" not in pages["ko"]
    assert pages["en"].count("<li>") == 3 and "a second copy of cell" in pages["en"]
    assert pages["en"].index("second copy") < pages["en"].index("2 notebooks in the folder")
    assert feedback.add_notes(pages["en"], []) == pages["en"]


# --- limits written once; the gradebook reset ------------------------------------------------

def test_limits_are_written_once():
    import inspect
    from pathlib import Path

    from ganlab_grader import cli, grade

    job = GradeJob("s", "a", "a", b"", b"", b"")
    assert (job.timeout, job.cell_timeout, job.memory_mb) == (
        DEFAULTS.timeout, DEFAULTS.cell_timeout, DEFAULTS.memory_mb)
    signature = inspect.signature(grade.grade).parameters
    assert signature["timeout"].default == DEFAULTS.timeout
    assert signature["cell_timeout"].default == DEFAULTS.cell_timeout
    assert signature["memory_mb"].default == DEFAULTS.memory_mb
    args = cli._parser().parse_args(["grade", "--submissions", "x"])
    assert (args.timeout, args.cell_timeout, args.memory_mb) == (
        DEFAULTS.timeout, DEFAULTS.cell_timeout, DEFAULTS.memory_mb)
    config = (Path(__file__).resolve().parents[1] / "exercises" / "nbgrader_config.py").read_text()
    assert "DEFAULTS.cell_timeout" in config and "= 60" not in config


def test_reset_moves_the_grades_aside(tmp_path):
    (tmp_path / "gradebook.db").write_text("db")
    (tmp_path / "grades.csv").write_text("csv")
    (tmp_path / "feedback" / "ann").mkdir(parents=True)
    (tmp_path / "source").mkdir()
    lines = []
    backup = gradebook.reset(tmp_path, log=lines.append)
    assert backup.parent == tmp_path / "old-grades"
    assert (backup / "gradebook.db").read_text() == "db" and (backup / "feedback" / "ann").is_dir()
    assert not (tmp_path / "gradebook.db").exists() and (tmp_path / "source").is_dir()
    assert gradebook.reset(tmp_path, log=lines.append) is None
    assert "nothing to reset" in lines[-1]


def test_cli_reset_and_statuses_are_documented(tmp_path):
    from pathlib import Path

    (tmp_path / "grades.csv").write_text("csv")
    done = subprocess.run([sys.executable, "-m", "ganlab_grader", "reset", "--course", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "moved" in done.stdout and not (tmp_path / "grades.csv").exists()
    guide = (Path(__file__).resolve().parents[1] / "book" / "instructors.md").read_text()
    for status in gradebook.STATUSES:
        assert f"`{status}`" in guide, f"book/instructors.md does not explain the status {status!r}"
    assert "python -m ganlab_grader reset" in guide
