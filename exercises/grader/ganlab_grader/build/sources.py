"""The files of one assignment folder, read as text: the builder copies code out of them.

An assignment lives in ``exercises/assignments/<NN-name>/``:

* ``text.md``: the Markdown cells, each after a line ``<!-- cell: <grade_id> -->``;
* ``solution.py``: the editable cells, each after a line ``# %% cell: <grade_id>``, exactly
  as the source notebook holds them (``### BEGIN SOLUTION`` / ``### END SOLUTION`` around
  the reference code; the release replaces each block by ``raise NotImplementedError()``);
* ``helpers.py``: test helpers; a name listed by a cell copies that top-level ``def``,
  ``class``, import or constant whole;
* ``references.py``: the tests' own versions of functions that a later part calls, swapped
  in while that part is tested (see ``spec.tests(..., references=...)``);
* ``../shared.py``: helpers that several assignments use, found when the assignment's own
  helpers.py does not define the name;
* ``tests.py``: test code; a name listed by a cell copies the *body* of that function (after
  its docstring), so visible and hidden tests read as ordinary functions.

Everything above the first marker of ``text.md`` and ``solution.py`` (a docstring, the imports
that make the file lint on its own) stays out of the notebook. Nothing here imports the
files: they are parsed, so building needs no torch. First used by the assignment builder
(``python -m ganlab_grader.build``) for assignment 01-minimax and every other.
"""
from __future__ import annotations

import ast
import re
import textwrap
from functools import cached_property
from pathlib import Path

MARKDOWN_MARK = re.compile(r"^<!-- cell: ([\w-]+) -->$", re.MULTILINE)
SOLUTION_MARK = re.compile(r"^# %% cell: ([\w-]+)$", re.MULTILINE)


class SourceError(ValueError):
    """An assignment folder that does not hold what a cell asks for."""


def regions(text: str, mark: re.Pattern, where: str) -> dict[str, str]:
    """``{grade_id: text}`` of the regions after each marker line (blank lines at the ends cut)."""
    found = list(mark.finditer(text))
    out = {}
    for match, following in zip(found, found[1:] + [None]):
        end = following.start() if following else len(text)
        name = match.group(1)
        if name in out:
            raise SourceError(f"{where}: two regions called {name!r}")
        out[name] = text[match.end():end].strip("\n")
    return out


class _Definitions:
    """The top-level statements of a Python file, by the names they bind."""

    def __init__(self, path: Path):
        self.path = path
        self.text = path.read_text(encoding="utf-8") if path.exists() else ""
        self.lines = self.text.split("\n")
        self.nodes = {}
        for node in ast.parse(self.text, filename=str(path)).body:
            for name in _bound_names(node):
                if name in self.nodes:
                    raise SourceError(f"{path}: {name!r} is defined twice")
                self.nodes[name] = node

    def whole(self, name: str) -> str:
        """The statement that binds name, decorators included, as written."""
        node = self.nodes[name]
        start = node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno
        return "\n".join(self.lines[start - 1:node.end_lineno])

    def body(self, name: str) -> str:
        """The body of function name after its docstring, dedented."""
        node = self.nodes[name]
        if not isinstance(node, ast.FunctionDef):
            raise SourceError(f"{self.path}: {name!r} is not a function; only a function's body can be copied")
        first = node.body[0]
        start = first.end_lineno + 1 if ast.get_docstring(node) is not None else first.lineno
        if start > node.end_lineno:
            raise SourceError(f"{self.path}: the function {name!r} has no code after its docstring")
        return textwrap.dedent("\n".join(self.lines[start - 1:node.end_lineno])).strip("\n")


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
        return [t.id for t in node.targets]  # a constant, e.g. a message the tests share
    return []


class AssignmentFiles:
    """Text out of one assignment folder, by grade_id (Markdown, solutions) or by name (code)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _read(self, name: str) -> str:
        return (self.folder / name).read_text(encoding="utf-8")

    @cached_property
    def _markdown(self) -> dict[str, str]:
        return regions(self._read("text.md"), MARKDOWN_MARK, str(self.folder / "text.md"))

    @cached_property
    def _solutions(self) -> dict[str, str]:
        return regions(self._read("solution.py"), SOLUTION_MARK, str(self.folder / "solution.py"))

    @cached_property
    def _helpers(self) -> _Definitions:
        return _Definitions(self.folder / "helpers.py")

    @cached_property
    def _tests(self) -> _Definitions:
        return _Definitions(self.folder / "tests.py")

    @cached_property
    def _references(self) -> _Definitions:
        return _Definitions(self.folder / "references.py")

    def markdown(self, grade_id: str) -> str:
        return self._region(self._markdown, grade_id, "text.md", "<!-- cell: {} -->")

    def solution(self, grade_id: str) -> str:
        return self._region(self._solutions, grade_id, "solution.py", "# %% cell: {}")

    def _region(self, found: dict, grade_id: str, file: str, mark: str) -> str:
        if grade_id not in found:
            raise SourceError(f"{self.folder / file} has no region {mark.format(grade_id)!r} "
                              f"(it has {sorted(found)})")
        return found[grade_id]

    @cached_property
    def _shared(self) -> _Definitions:
        return _Definitions(self.folder.parent / "shared.py")

    def code(self, *names: str) -> str:
        """The pieces named, one blank line apart: helpers whole (the assignment's own, else the
        shared ones), test functions' bodies."""
        pieces = []
        for name in names:
            in_helpers, in_tests = name in self._helpers.nodes, name in self._tests.nodes
            if in_helpers and in_tests:
                raise SourceError(f"{self.folder}: {name!r} is in both helpers.py and tests.py")
            if in_helpers:
                pieces.append(self._helpers.whole(name))
            elif in_tests:
                pieces.append(self._tests.body(name))
            elif name in self._shared.nodes:
                pieces.append(self._shared.whole(name))
            else:
                raise SourceError(f"{self.folder}: no {name!r} in helpers.py, tests.py or ../shared.py")
        return "\n\n".join(pieces)

    def references(self, *names: str) -> str:
        """The tests' own versions of the functions named, from references.py."""
        missing = [n for n in names if n not in self._references.nodes]
        if missing:
            raise SourceError(f"{self.folder / 'references.py'} defines no {missing}")
        return "\n".join(self._references.whole(n) for n in names)
