"""The nbgrader cells (schema version 3) of a source notebook, from their text.

:mod:`ganlab_grader.build.spec` calls these with the text of an assignment's files:

* ``setup(extra="")``: the first, read-only code cell. It installs the course package on
  Colab and imports ``torch``, ``F``, ``nn``, ``math``, ``copy`` and ``checks``
  (``ganlab.exercise_checks``) *before* any learner code runs; ``extra`` adds more imports.
* ``markdown(grade_id, text)``: read-only instructions (maths, hints, the points table).
* ``code(grade_id, source)``: a read-only, ungraded code cell (the visible tests' helpers).
* ``solution(grade_id, source)``: the cell the learner edits, reference code between
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` (the release replaces it with
  ``raise NotImplementedError()``).
* ``tests(grade_id, points, visible, hidden)``: a locked, autograded cell. It starts with
  ``checks.restore()`` (undoes monkeypatching by learner code), runs the visible tests,
  prints "Visible tests passed.", then the hidden tests between ``### BEGIN HIDDEN TESTS``
  / ``### END HIDDEN TESTS`` (the release removes them), again after ``checks.restore()``.
  ``scoped=True`` runs the hidden tests inside a function (their helpers become local
  names that learner code cannot rebind).

Every ``grade_id`` must be unique within a notebook; cell ids are derived from position and
``grade_id``, so rebuilding gives the same bytes. First used by the assignment builder for
assignment 01-minimax.
"""
from __future__ import annotations

import textwrap

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPOSITORY = "https://github.com/gan-course/gan-course"  # as in _config.yml (a test checks)
COLAB_INSTALL = f'%pip install -q "git+{REPOSITORY}"'
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
RESTORE = "checks.restore()  # undo any monkeypatching of torch, math or builtins by earlier cells"


def _nbgrader(grade_id: str, *, solution: bool = False, grade: bool = False,
              locked: bool = True, points: int | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _clean(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def markdown(grade_id: str, text: str) -> nbformat.NotebookNode:
    """A read-only markdown cell (instructions, maths, hints)."""
    return new_markdown_cell(_clean(text), metadata=_nbgrader(grade_id))


def code(grade_id: str, source: str) -> nbformat.NotebookNode:
    """A read-only code cell that is not graded (a demonstration, a plot, loading data)."""
    return new_code_cell(_clean(source), metadata=_nbgrader(grade_id))


def setup(extra: str = "") -> nbformat.NotebookNode:
    """The first cell: install ganlab on Colab, import torch and the checks before any learner code."""
    lines = [
        "# Setup (read-only): runs first, before any of your code.",
        "import sys",
        'if "google.colab" in sys.modules:  # on Colab, install the course package first',
        "    " + COLAB_INSTALL,
        "",
        "import copy",
        "import math",
        "",
        "import torch",
        "import torch.nn.functional as F",
        "from torch import nn",
        "",
        "from ganlab import exercise_checks as checks",
    ]
    if _clean(extra):
        lines.append(_clean(extra))
    lines += ["", "torch.manual_seed(0)", 'print("torch", torch.__version__)']
    return new_code_cell("\n".join(lines), metadata=_nbgrader("setup"))


def solution(grade_id: str, source: str) -> nbformat.NotebookNode:
    """A cell the learner edits: source holds the reference code between the solution markers.

    Each ``### BEGIN SOLUTION`` needs its ``### END SOLUTION``; the release replaces the lines
    between them (markers included) by ``raise NotImplementedError()``.
    """
    lines = [line.strip() for line in _clean(source).split("\n")]
    begins, ends = lines.count(BEGIN_SOLUTION), lines.count(END_SOLUTION)
    if begins == 0 or begins != ends:
        raise ValueError(f"{grade_id}: a solution cell needs matching {BEGIN_SOLUTION!r} / {END_SOLUTION!r} "
                         f"lines, found {begins} and {ends}")
    return new_code_cell(_clean(source), metadata=_nbgrader(grade_id, solution=True, locked=False))


def tests(grade_id: str, points: int, visible: str, hidden: str, *,
          scoped: bool = False) -> nbformat.NotebookNode:
    """An autograded, locked test cell: visible tests, then the hidden tests.

    With ``scoped=True`` the hidden tests run inside a function, so the helpers they define
    are local names: learner code called by the tests cannot rebind them through
    ``globals()``. Names the hidden tests must assign in the notebook (to swap in a
    reference) need a ``global`` statement then.
    """
    if points <= 0:
        raise ValueError(f"{grade_id}: a test cell needs a positive number of points, got {points}")
    hidden = _clean(hidden)
    if scoped:
        hidden = "\n".join([
            "def _hidden_tests():  # local helpers: learner code cannot rebind them",
            textwrap.indent(hidden, "    "),
            "",
            "_hidden_tests()",
        ])
    source = "\n".join([
        RESTORE,
        _clean(visible),
        'print("Visible tests passed.")',
        "",
        BEGIN_HIDDEN,
        RESTORE,
        hidden,
        END_HIDDEN,
    ])
    return new_code_cell(source, metadata=_nbgrader(grade_id, grade=True, points=points))


def notebook(cells: list) -> nbformat.NotebookNode:
    """A Python 3 notebook without outputs, validated against the nbformat schema."""
    ids = [cell.metadata["nbgrader"]["grade_id"] for cell in cells]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"grade_id used more than once: {duplicates}")
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:02d}-{cell.metadata['nbgrader']['grade_id']}".replace("_", "-")
    nbformat.validate(nb)
    return nb


def points(nb: nbformat.NotebookNode) -> int:
    """Total points of a notebook's autograded cells."""
    return sum(cell.metadata.get("nbgrader", {}).get("points", 0) for cell in nb.cells)
