"""What an assignment's ``assignment.toml`` and ``mistakes.toml`` hold, as named records.

``assignment.toml`` has ``name`` (``"01-minimax"``), ``about`` and one ``[[cell]]`` table per
cell, in notebook order, each naming its kind by its first key::

    [[cell]]
    setup = ""                       # extra import lines
    [[cell]]
    markdown = "intro"               # a region of text.md
    [[cell]]
    code = "test_helpers"            # read-only: a comment, then the pieces
    comment = "# Test helpers (read-only) ..."
    pieces = ["_normal", "_check_value"]
    [[cell]]
    solution = "value_function"      # a region of solution.py
    [[cell]]
    tests = "test_value_function"    # autograded
    points = 4
    visible = ["visible1"]
    hidden = ["_check_value", "hidden1"]
    scoped = true                    # optional
    references = ["optimal_discriminator"]   # optional, see Tests

``mistakes.toml`` has one ``[[mistake]]`` table per :class:`Mistake`. :func:`build` turns the
records into the nbgrader source notebook with the text of the folder's files (see
:mod:`ganlab_grader.build.sources`). First used by the assignment builder for assignment
01-minimax and every other.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import nbformat

from . import cells
from .sources import AssignmentFiles

@dataclass(frozen=True)
class Setup:
    """The read-only first cell (imports); ``extra`` adds import lines."""
    extra: str = ""


@dataclass(frozen=True)
class Markdown:
    """A read-only Markdown cell: the region ``grade_id`` of text.md."""
    grade_id: str


@dataclass(frozen=True)
class Code:
    """A read-only, ungraded code cell: a comment line, then the pieces named."""
    grade_id: str
    pieces: tuple[str, ...]
    comment: str = ""


@dataclass(frozen=True)
class Solution:
    """An editable cell: the region ``grade_id`` of solution.py."""
    grade_id: str


@dataclass(frozen=True)
class Tests:
    """An autograded cell: the visible pieces, then the hidden ones.

    ``references`` names functions of earlier parts that this part calls: the last piece of
    the visible and of the hidden tests runs with the tests' own versions of them (from
    references.py) in the notebook's namespace, and the learner's are put back afterwards,
    or none if the learner's cell never defined them. So a slip in an earlier part (even a
    SyntaxError) costs only that part's points.
    """
    grade_id: str
    points: int
    visible: tuple[str, ...]
    hidden: tuple[str, ...]
    scoped: bool = False
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mistake:
    """A classic mistake: ``old`` replaced by ``new`` in the reference solution cell ``cell``.

    It must fail exactly the test cells in ``fails``, each with a message holding the words
    given; every other test cell must still pass. In a translated notebook the message holds
    the translation of those words, found in the assignment's messages table (see
    tests/test_assignment_translations.py), so a mistake is written down once.
    """
    name: str
    cell: str
    old: str
    new: str
    fails: Mapping[str, str]


class SpecError(ValueError):
    """An assignment.toml or mistakes.toml entry that is not what the builder reads."""


def read_toml(path: Path) -> dict:
    """The TOML file at path, or a SpecError that names it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SpecError(f"{path}: {error}") from error


_KINDS = {"setup": Setup, "markdown": Markdown, "code": Code, "solution": Solution, "tests": Tests}
_KEYS = {"setup": set(), "markdown": set(), "solution": set(), "code": {"pieces", "comment"},
         "tests": {"points", "visible", "hidden", "scoped", "references"}}


def cell_record(entry: dict, where: str):
    """The record of one [[cell]] table (its kind is the key among setup, markdown, code, ...)."""
    kinds = [key for key in entry if key in _KINDS]
    if len(kinds) != 1:
        raise SpecError(f"{where}: a cell needs exactly one of {sorted(_KINDS)}, got {sorted(entry)}")
    kind = kinds[0]
    unknown = set(entry) - {kind} - _KEYS[kind]
    if unknown:
        raise SpecError(f"{where}: a {kind} cell takes {sorted(_KEYS[kind]) or 'nothing else'}, not {sorted(unknown)}")
    value = entry[kind]
    if kind == "code":
        return Code(value, tuple(entry.get("pieces", ())), entry.get("comment", ""))
    if kind == "tests":
        missing = {"points", "visible", "hidden"} - set(entry)
        if missing:
            raise SpecError(f"{where}: the tests cell {value!r} needs {sorted(missing)}")
        if entry["points"] <= 0:
            raise SpecError(f"{where}: the tests cell {value!r} needs a positive number of points")
        return Tests(value, entry["points"], tuple(entry["visible"]), tuple(entry["hidden"]),
                     bool(entry.get("scoped", False)), tuple(entry.get("references", ())))
    return _KINDS[kind](value)


def mistake_record(entry: dict, where: str) -> Mistake:
    """The Mistake of one [[mistake]] table."""
    fields = {"name", "cell", "old", "new", "fails"}
    if set(entry) != fields:
        raise SpecError(f"{where}: a mistake has the keys name, cell, old, new, fails, "
                        f"got {sorted(entry)}")
    return Mistake(entry["name"], entry["cell"], entry["old"], entry["new"], MappingProxyType(dict(entry["fails"])))


def with_references(names: tuple[str, ...], definitions: str, body: str, *, scoped: bool) -> str:
    """body run with the tests' own definitions of names bound in the notebook, then yours back.

    Works whether or not the learner's cell defined the names (a missing name is no
    ``NameError``: it is missing again afterwards). Inside the scoped hidden tests a
    ``global`` statement makes the definitions reach the notebook's namespace.
    """
    listed = ", ".join(names)
    return "\n".join(
        ([f"global {listed}  # the swap must reach the notebook, where your functions look them up"] if scoped else [])
        + [f"_learners = {{_name: globals()[_name] for _name in {list(names)!r} if _name in globals()}}",
           definitions,
           "try:",
           textwrap.indent(body, "    "),
           "finally:",
           f"    del {listed}  # the tests' versions go, and yours (if your cell defined them) come back",
           "    globals().update(_learners)"])


def _test_code(files: AssignmentFiles, pieces: tuple[str, ...], references: tuple[str, ...],
               scoped: bool = False) -> str:
    if not references:
        return files.code(*pieces)
    before, last = pieces[:-1], pieces[-1]
    swapped = with_references(references, files.references(*references), files.code(last), scoped=scoped)
    return "\n\n".join(([files.code(*before)] if before else []) + [swapped])


def render_cell(record, files: AssignmentFiles) -> nbformat.NotebookNode:
    """One record of CELLS as an nbgrader cell."""
    if isinstance(record, Setup):
        return cells.setup(record.extra)
    if isinstance(record, Markdown):
        return cells.markdown(record.grade_id, files.markdown(record.grade_id))
    if isinstance(record, Code):
        text = files.code(*record.pieces)
        return cells.code(record.grade_id, f"{record.comment}\n{text}" if record.comment else text)
    if isinstance(record, Solution):
        return cells.solution(record.grade_id, files.solution(record.grade_id))
    if isinstance(record, Tests):
        return cells.tests(record.grade_id, record.points,
                           _test_code(files, record.visible, record.references),
                           _test_code(files, record.hidden, record.references, record.scoped), scoped=record.scoped)
    raise TypeError(f"not a cell record: {record!r}")


def build(cell_records, folder: Path) -> nbformat.NotebookNode:
    """The source notebook of the assignment in folder."""
    files = AssignmentFiles(folder)
    return cells.notebook([render_cell(record, files) for record in cell_records])
