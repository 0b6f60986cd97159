"""The nbgrader source notebooks: up to date, solved, failing when unsolved, partial credit.

Every assignment folder in ``exercises/assignments/`` (built by ``ganlab_grader.build``) is
covered. Each assignment runs in one Jupyter kernel (in its own temporary folder) where
``nbgrader`` cannot be imported, as on a learner's Colab: first the whole source notebook
(every test cell must pass), then a simulated release of each solution cell (its region
replaced by ``raise NotImplementedError()``: its test cells must fail), then each classic
mistake its ``mistakes.py`` lists (the named test cells must fail with the named
words in their message, every other test cell must still pass). The correct solution cell
is re-run after each change, so the kernel is back to the solved state for the next one.
"""
from __future__ import annotations

import ast
import os
import itertools
import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from ganlab_grader import build as build_assignments
from ganlab_grader.build import cells
from ganlab_grader.build.cells import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION

BUILDERS = build_assignments.discover()
NAMES = sorted(BUILDERS)
MISTAKES = [(name, mistake.name) for name in NAMES for mistake in BUILDERS[name].mistakes]
SOLUTION_REGION = re.compile(rf"^([ \t]*){re.escape(BEGIN_SOLUTION)}\n.*?^[ \t]*{re.escape(END_SOLUTION)}$",
                             re.MULTILINE | re.DOTALL)
# What a learner's Colab has: the setup cell may import nothing else.
SETUP_MODULES = {"sys", "copy", "math", "torch", "ganlab"}
NO_NBGRADER = 'import sys\nsys.modules["nbgrader"] = None  # as on Colab: nbgrader cannot be imported'


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def editable_cells(nb):
    return [c for c in nb.cells if nbgrader(c).get("solution")]


def graded_cells(nb):
    return [c for c in nb.cells if nbgrader(c).get("grade")]


def released(source: str) -> str:
    """A solution cell as nbgrader releases it: each region becomes raise NotImplementedError()."""
    return SOLUTION_REGION.sub(lambda m: f"{m.group(1)}raise NotImplementedError()", source)


class Kernel:
    """One kernel that has run a notebook; re-runs single cells and reports their errors."""

    def __init__(self, nb, cwd):
        self.nb = nb
        # nbclient stores each executed cell at its index in the client's notebook: a scratch one.
        self.scratch = nbformat.v4.new_notebook(cells=[new_code_cell("")])
        self.client = NotebookClient(self.scratch, timeout=120, kernel_name="python3", allow_errors=True,
                                     shutdown_kernel="immediate",
                                     resources={"metadata": {"path": str(cwd)}})
        # One thread: tiny torch ops in a kernel on a busy machine are ~100x faster that way
        # (assignments B's measurement), and no result changes.
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        self._context = self.client.setup_kernel(env=env)
        self._context.__enter__()

    def run(self, source: str):
        """Execute source; None if it ran cleanly, else 'ErrorName: message'."""
        cell = new_code_cell(source)
        self.client.execute_cell(cell, 0)
        for output in cell.outputs:
            if output.output_type == "error":
                return f"{output.ename}: {output.evalue}"
        return None

    def run_tests(self) -> dict:
        """{grade_id: error or None} for every test cell."""
        return {nbgrader(c)["grade_id"]: self.run(c.source) for c in graded_cells(self.nb)}

    def rerun_helpers(self):
        """Run the read-only, ungraded code cells again (after the setup cell)."""
        for cell in self.nb.cells[1:]:
            meta = nbgrader(cell)
            if cell.cell_type == "code" and meta.get("locked") and not meta.get("grade"):
                assert self.run(cell.source) is None

    def close(self):
        self._context.__exit__(None, None, None)


@pytest.fixture(scope="module")
def kernel(request, tmp_path_factory):
    """A kernel that has run one assignment's source notebook, cell by cell, in two passes.

    First what a learner who solved the release runs (each test cell without its hidden
    part, so no visible test can lean on a hidden one), then the test cells in full.
    """
    name = request.param
    nb = BUILDERS[name].build()
    runner = Kernel(nb, tmp_path_factory.mktemp(name))
    runner.name = name
    assert runner.run(NO_NBGRADER) is None
    runner.visible_run, runner.full_run = {}, {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            runner.visible_run[nbgrader(cell)["grade_id"]] = runner.run(cell.source.split(BEGIN_HIDDEN)[0])
    runner.full_run = runner.run_tests()
    yield runner
    runner.close()


def test_discovers_the_assignments():
    assert {"01-minimax", "02-losses", "03-training-step", "04-dcgan", "05-batchnorm", "06-cyclegan",
            "07-evaluation", "08-vae"} <= set(NAMES)


def test_sources_up_to_date_and_deterministic(capsys):
    """The committed notebooks are what the builders write, and rebuilding gives the same bytes."""
    assert build_assignments.main(["--check"]) == 0, capsys.readouterr().err
    for name, module in BUILDERS.items():
        assert build_assignments.render(module) == build_assignments.render(module), name


def test_check_mode_reports_a_stale_notebook(tmp_path, capsys):
    name = NAMES[0]
    assert build_assignments.main(["--source", str(tmp_path), name]) == 0
    path = build_assignments.path_of(name, tmp_path)
    assert build_assignments.main(["--check", "--source", str(tmp_path), name]) == 0
    path.write_text(path.read_text().replace("BEGIN SOLUTION", "BEGIN  SOLUTION", 1))
    assert build_assignments.main(["--check", "--source", str(tmp_path), name]) == 1
    assert str(path) in capsys.readouterr().err


def test_links_point_into_this_repository():
    """The Colab install line and the chapter links use _config.yml's repository URL and existing files."""
    root = build_assignments.ROOT
    config = (root / "_config.yml").read_text(encoding="utf-8")
    assert f"url: {cells.REPOSITORY}" in config
    for (name, module), language in itertools.product(BUILDERS.items(), build_assignments.LANGUAGES):
        text = build_assignments.render(module, language)
        for path in re.findall(re.escape(cells.REPOSITORY) + r"/blob/main/([\w./-]+)", text):
            assert (root / path).is_file(), f"{name} ({language}) links to {path}, which does not exist"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_structure(name):
    nb = BUILDERS[name].build()
    first = nb.cells[0]
    assert nbgrader(first)["grade_id"] == "setup" and first.cell_type == "code"
    imported = set()
    python = re.sub(r"^([ \t]*)%.*$", r"\1pass", first.source, flags=re.MULTILINE)
    for node in ast.walk(ast.parse(python)):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported <= SETUP_MODULES, f"the setup cell imports {sorted(imported - SETUP_MODULES)}"
    assert editable_cells(nb) and graded_cells(nb)
    for cell in nb.cells:
        meta = nbgrader(cell)
        assert meta["schema_version"] == 3 and meta["grade_id"]
        assert meta["locked"] == (not meta["solution"]), meta["grade_id"]
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    for cell in editable_cells(nb):
        assert cell.cell_type == "code" and BEGIN_SOLUTION in cell.source, nbgrader(cell)["grade_id"]
        assert "NotImplementedError" in released(cell.source) and END_SOLUTION not in released(cell.source)
    for cell in graded_cells(nb):
        meta = nbgrader(cell)
        assert meta["points"] > 0 and cell.source.count(BEGIN_HIDDEN) == 1 == cell.source.count(END_HIDDEN)
        assert cell.source.startswith("checks.restore()"), f"{meta['grade_id']}: a test cell starts with checks.restore()"
        assert "nbgrader" not in cell.source, f"{meta['grade_id']}: the tests must run without nbgrader (Colab)"


@pytest.mark.parametrize("kernel", NAMES, indirect=True, scope="module")
def test_solutions_pass(kernel):
    """Without nbgrader, the solved notebook passes its visible tests, then its hidden tests."""
    failed = {gid: error for gid, error in kernel.visible_run.items() if error}
    assert not failed, f"visible tests: {failed}"
    failed = {gid: error for gid, error in kernel.full_run.items() if error}
    assert not failed, f"hidden tests: {failed}"


@pytest.mark.parametrize("kernel", NAMES, indirect=True, scope="module")
def test_released_solution_cells_fail_their_tests(kernel):
    """Each solution cell, released (regions raise NotImplementedError), fails its own tests."""
    cells = kernel.nb.cells
    for index, cell in enumerate(cells):
        if not nbgrader(cell).get("solution"):
            continue
        own_tests = []
        for later in cells[index + 1:]:
            if nbgrader(later).get("solution"):
                break
            if nbgrader(later).get("grade"):
                own_tests.append(nbgrader(later)["grade_id"])
        assert own_tests, f"{nbgrader(cell)['grade_id']} has no test cell after it"
        assert kernel.run(released(cell.source)) is None
        try:
            results = kernel.run_tests()
        finally:
            assert kernel.run(cell.source) is None
        for grade_id in own_tests:
            assert results[grade_id] and "NotImplementedError" in results[grade_id], (grade_id, results[grade_id])


@pytest.mark.parametrize("kernel,label", MISTAKES, indirect=["kernel"], scope="module")
def test_classic_mistake_is_caught(kernel, label):
    """A classic mistake fails exactly the test cells it should, with a message that names it."""
    mistake = next(m for m in BUILDERS[kernel.name].mistakes if m.name == label)
    solution_id, old, new, expected = mistake.cell, mistake.old, mistake.new, dict(mistake.fails)
    cell = next(c for c in editable_cells(kernel.nb) if nbgrader(c)["grade_id"] == solution_id)
    assert cell.source.count(old) == 1, f"{label}: {old!r} must occur once in the solution of {solution_id}"
    error = kernel.run(cell.source.replace(old, new))
    try:
        assert error is None, f"{label}: the wrong solution does not even run: {error}"
        results = kernel.run_tests()
    finally:
        assert kernel.run(cell.source) is None
        kernel.rerun_helpers()  # a mistake may have rebound the visible tests' helpers
    failed = {gid for gid, error in results.items() if error}
    assert failed == set(expected), f"{label}: failed {sorted(failed)}, expected {sorted(expected)}: {results}"
    for grade_id, words in expected.items():
        assert words.lower() in results[grade_id].lower(), f"{label}: {grade_id} said {results[grade_id]!r}"

