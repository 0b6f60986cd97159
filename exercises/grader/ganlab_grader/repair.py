"""Put a submission's structure back as the release had it, before nbgrader sees it.

A learner can (by accident or not) delete a locked cell, move the setup cell below their own
code, rename a test cell's ``grade_id``, turn a test cell into markdown or edit its points.
nbgrader restores the *source* of the test cells it can find (``OverwriteCells``) and re-adds
missing ones (``add_missing_cells``); what it cannot do is recognise a test cell whose
``grade_id`` changed, and it never restores the setup cell, which must run before any learner
code so that :mod:`ganlab.exercise_checks` captures the pristine torch. This module matches
the submission's cells with the release's by ``grade_id`` and by nbformat cell ``id``, and:

* restores the metadata and cell type of every locked cell (a renamed ``grade_id`` comes
  back, edited ``points`` come back: the gradebook, not the notebook, owns the points);
* strips nbgrader metadata from cells that claim a ``grade_id`` the release does not have
  (they stay as the learner's own cells, and cannot earn points);
* puts the locked cells that precede the first learner cell in the release (the setup and
  the instructions) first again, re-inserting them from the release if they were deleted.

Every change is reported as a short note for the grade's ``reason`` column.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

try:
    from .notes import Note
except ImportError:  # imported as a top-level module by the runner
    from notes import Note

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n?(.*?)### END HIDDEN TESTS\n?", re.S)


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def repair(nb, release) -> list[Note]:
    """Repair ``nb`` (a NotebookNode) in place against ``release`` (a dict); return notes."""
    notes = []
    release_cells = [c for c in release["cells"] if _meta(c).get("grade_id")]
    by_id = {c["metadata"]["nbgrader"]["grade_id"]: c for c in release_cells}
    by_cell_id = {c.get("id"): c for c in release_cells if c.get("id")}
    seen = set()
    for cell in nb.cells:
        meta = _meta(cell)
        grade_id = meta.get("grade_id")
        reference = by_id.get(grade_id) if grade_id else None
        if reference is None and cell.get("id") in by_cell_id:
            reference = by_cell_id[cell["id"]]
            if _meta(reference).get("solution") and not grade_id:
                reference = None  # a learner cell that kept its id but lost metadata: fine
        if reference is None:
            if grade_id:
                notes.append(Note("foreign cell", cell=grade_id))
                del cell["metadata"]["nbgrader"]
            continue
        want = reference["metadata"]["nbgrader"]
        want_id = want["grade_id"]
        if want_id in seen:  # a copy of a cell: nbgrader would count it twice
            notes.append(Note("second copy", cell=want_id))
            del cell["metadata"]["nbgrader"]
            continue
        seen.add(want_id)
        if grade_id != want_id:
            notes.append(Note("grade_id changed", cell=want_id, new=grade_id))
        elif cell.cell_type != reference["cell_type"]:
            notes.append(Note("cell type changed", cell=want_id, kind=cell.cell_type))
        elif {k: meta.get(k) for k in ("points", "grade", "solution", "locked")} != \
                {k: want.get(k) for k in ("points", "grade", "solution", "locked")}:
            notes.append(Note("metadata edited", cell=want_id))
        if cell.cell_type != reference["cell_type"]:
            new = (nbformat.v4.new_code_cell if reference["cell_type"] == "code"
                   else nbformat.v4.new_markdown_cell)(cell.source)
            new["id"] = cell.get("id", new.get("id"))
            cell.clear()
            cell.update(new)
        cell.metadata["nbgrader"] = copy.deepcopy(want)
        if not want.get("solution"):
            cell.source = reference["source"]  # locked: the release's text (nbgrader adds hidden tests)
    for grade_id, cell in by_id.items():
        if grade_id not in seen and _meta(cell).get("grade"):
            notes.append(Note("test cell missing", cell=grade_id))
    _restore_leading_locked_cells(nb, release, notes)
    return notes


def _restore_leading_locked_cells(nb, release, notes: list[Note]) -> None:
    """The locked cells before the first learner cell of the release must come first."""
    leading = []
    for cell in release["cells"]:
        meta = _meta(cell)
        if meta.get("solution") or meta.get("grade") or not meta.get("locked"):
            break
        leading.append(cell)
    position = {_meta(c).get("grade_id"): i for i, c in enumerate(nb.cells)}
    wanted = [_meta(c)["grade_id"] for c in leading]
    if [position.get(g) for g in wanted] == list(range(len(wanted))):
        return
    missing = [g for g in wanted if g not in position]
    notes.append(Note("top cells deleted" if missing else "top cells moved", cells=", ".join(wanted)))
    rest = [c for c in nb.cells if _meta(c).get("grade_id") not in set(wanted)]
    front = [nbformat.from_dict(copy.deepcopy(c)) for c in leading]
    for cell in front:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.cells = front + rest


def repair_file(path: Path, release: dict) -> list[Note]:
    """Repair the notebook at ``path`` in place; return the notes."""
    nb = nbformat.read(str(path), as_version=4)
    notes = repair(nb, release)
    nbformat.write(nb, str(path))
    return notes


def hidden_tests(db_path: Path, assignment: str, notebook: str) -> dict[str, list[str]]:
    """grade_id -> the hidden test blocks of that cell, read from a gradebook's source cells."""
    from nbgrader.api import Gradebook

    with Gradebook("sqlite:///" + str(db_path)) as gb:
        nb = gb.find_notebook(notebook, assignment)
        return {cell.name: HIDDEN.findall(cell.source) for cell in nb.source_cells
                if "BEGIN HIDDEN TESTS" in (cell.source or "")}
