"""The assignments as code, without a kernel and without nbgrader (fast): every file in
exercises/assignments/ lints, and each source notebook, run cell by cell in one namespace in
this process, gives what grading must give:

* the reference solutions: full marks;
* the release as handed out (each solution block is ``raise NotImplementedError()``): 0;
* a submission that does nothing (its functions return ``None``, or a stand-in object that
  claims to equal everything): 0, also from the tests that check a mistake is *absent*;
* a ``SyntaxError`` in one part costs only that part: every other part's tests still pass
  (issue 10's case: part 2 of 01-minimax broken, part 3 right, gets part 3's 3 points).

tests/test_assignments.py runs the same notebooks in a Jupyter kernel (the classic
mistakes); tests/test_assignment_attacks.py grades them with the real grader.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ganlab_grader import build as builder
from ganlab_grader.build.cells import BEGIN_SOLUTION, END_SOLUTION

ASSIGNMENTS = builder.discover()
NAMES = sorted(ASSIGNMENTS)
SOLUTION_REGION = re.compile(rf"^([ \t]*){re.escape(BEGIN_SOLUTION)}\n.*?^[ \t]*{re.escape(END_SOLUTION)}$",
                             re.MULTILINE | re.DOTALL)
# What a learner who writes nothing useful hands in, region by region.
STAND_IN = ('return type("StandIn", (), {"__eq__": lambda s, o: True, "__float__": lambda s: 0.0, '
            '"__getattr__": lambda s, n: (lambda *a, **k: s), "__call__": lambda s, *a, **k: s, '
            '"__iter__": lambda s: iter(())})()')
DO_NOTHING = {"returns None": "return None", "returns a stand-in object": STAND_IN}


def meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def replace_regions(source: str, body: str) -> str:
    """Every solution block of a cell replaced by body (at the block's indentation).

    Where ``return`` cannot stand (a block outside any function), ``pass`` stands instead.
    """
    def one(match):
        indent = match.group(1)
        text = "\n".join(indent + line for line in body.split("\n"))
        return text
    out = SOLUTION_REGION.sub(one, source)
    try:
        compile(out, "<cell>", "exec")
    except SyntaxError:
        out = SOLUTION_REGION.sub(lambda m: m.group(1) + "pass", source)
    return out


def run_notebook(nb, replace: dict[str, str] | None = None) -> dict[str, str | None]:
    """Run every code cell in one fresh namespace, solution cells replaced as asked.

    Returns ``{test grade_id: None if it passed, else 'ErrorName: message'}``.
    """
    replace = replace or {}
    namespace = {"__name__": "__main__"}
    results = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        grade_id = meta(cell)["grade_id"]
        source = replace.get(grade_id, cell.source)
        source = re.sub(r"^([ \t]*)%.*$", r"\1pass", source, flags=re.MULTILINE)  # the %pip line (Colab)
        try:
            exec(compile(source, f"<{grade_id}>", "exec"), namespace)
            error = None
        except BaseException as exc:  # noqa: BLE001 (a learner's cell may raise anything)
            if isinstance(exc, KeyboardInterrupt):
                raise
            error = f"{type(exc).__name__}: {exc}"
        if meta(cell).get("grade"):
            results[grade_id] = error
    return results


def score(nb, results) -> tuple[int, int]:
    points = {meta(c)["grade_id"]: meta(c)["points"] for c in nb.cells if meta(c).get("grade")}
    return sum(p for g, p in points.items() if results[g] is None), sum(points.values())


def parts(nb) -> dict[str, list[str]]:
    """{solution cell: the test cells after it, up to the next solution cell}."""
    out, current = {}, None
    for cell in nb.cells:
        if meta(cell).get("solution"):
            current = meta(cell)["grade_id"]
            out[current] = []
        elif meta(cell).get("grade"):
            out[current].append(meta(cell)["grade_id"])
    return out


@pytest.fixture(scope="module")
def notebooks():
    return {name: assignment.build() for name, assignment in ASSIGNMENTS.items()}


def test_assignment_files_lint():
    """Every .py file of every assignment compiles and pyflakes finds nothing."""
    files = sorted(builder.ASSIGNMENTS.glob("**/*.py"))
    assert len(files) >= 8 * 3  # solution.py, helpers.py, tests.py (and references.py)
    done = subprocess.run([sys.executable, "-m", "pyflakes", *map(str, files)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", NAMES)
def test_assignment_files_import(name):
    """The solution, helpers, references and tests of an assignment import on their own."""
    folder = builder.ASSIGNMENTS / name
    for path in sorted(folder.glob("*.py")):
        module = builder.load_module(path, f"_imported_{name.replace('-', '_')}_{path.stem}")
        assert module.__doc__, f"{path} needs a docstring that says what it holds"


@pytest.mark.parametrize("name", NAMES)
def test_solution_full_marks_release_and_do_nothing_zero(name, notebooks):
    nb = notebooks[name]
    results = run_notebook(nb)
    got, total = score(nb, results)
    assert got == total, {g: e for g, e in results.items() if e}
    editable = [meta(c)["grade_id"] for c in nb.cells if meta(c).get("solution")]
    sources = {meta(c)["grade_id"]: c.source for c in nb.cells if meta(c).get("solution")}
    released = {g: replace_regions(sources[g], "raise NotImplementedError()") for g in editable}
    results = run_notebook(nb, released)
    assert score(nb, results)[0] == 0, {g: e for g, e in results.items() if e is None}
    for what, body in DO_NOTHING.items():
        results = run_notebook(nb, {g: replace_regions(sources[g], body) for g in editable})
        assert score(nb, results)[0] == 0, f"{what}: passed {[g for g, e in results.items() if e is None]}"


@pytest.mark.parametrize("name", NAMES)
def test_a_syntax_error_costs_only_its_part(name, notebooks):
    """Each solution cell in turn made a SyntaxError: every other part keeps its points."""
    nb = notebooks[name]
    for broken, own_tests in parts(nb).items():
        results = run_notebook(nb, {broken: "def broken(:\n    pass"})
        failed = {g: e for g, e in results.items() if e}
        assert set(failed) == set(own_tests), f"{broken} broken: failed {failed}, expected only {own_tests}"


def test_minimax_part_2_broken_part_3_right(notebooks):
    """Issue 10's case: a SyntaxError in part 2 of 01-minimax, part 3 right: 7 of 10."""
    nb = notebooks["01-minimax"]
    results = run_notebook(nb, {"optimal_discriminator": "def optimal_discriminator(p_data, p_g, x)\n    return 0"})
    assert results["test_value_at_optimal_d"] is None, results["test_value_at_optimal_d"]
    assert "SyntaxError" not in (results["test_optimal_discriminator"] or "")
    assert score(nb, results) == (7, 10)


# The stable softplus the text of 02-losses announces, written by hand: full marks.
HAND_SOFTPLUS = {
    "d_loss": "def d_loss(real_logits, fake_logits):\n"
              "    def softplus(v):\n        return v.clamp(min=0) + torch.log1p(torch.exp(-v.abs()))\n"
              "    return softplus(-real_logits).mean() + softplus(fake_logits).mean()\n",
    "g_loss_saturating": "def g_loss_saturating(fake_logits):\n"
                         "    return -(fake_logits.clamp(min=0) + torch.log1p(torch.exp(-fake_logits.abs()))).mean()\n",
    "g_loss_nonsaturating": "def g_loss_nonsaturating(fake_logits):\n"
                            "    v = -fake_logits\n    return (v.clamp(min=0) + torch.log1p(torch.exp(-v.abs()))).mean()\n",
}


def test_losses_a_hand_written_stable_softplus_gets_full_marks(notebooks):
    """clamp(v, 0) + log1p(exp(-|v|)) is exactly softplus away from 0 (autograd's subgradient
    at 0 differs): the tests of what the text announces, extreme logits, give it every point."""
    nb = notebooks["02-losses"]
    results = run_notebook(nb, HAND_SOFTPLUS)
    assert score(nb, results) == score(nb, run_notebook(nb)), {g: e for g, e in results.items() if e}


MISTAKES = [(name, mistake.name) for name in NAMES for mistake in ASSIGNMENTS[name].mistakes]


@pytest.mark.parametrize("name,label", MISTAKES)
def test_classic_mistake_fails_only_its_tests(name, label, notebooks):
    """A mistake of mistakes.py, put into the reference: the named tests fail, with the named
    words; every other test passes (tests/test_assignments.py does the same in a kernel)."""
    mistake = next(m for m in ASSIGNMENTS[name].mistakes if m.name == label)
    nb = notebooks[name]
    source = next(c.source for c in nb.cells if meta(c).get("grade_id") == mistake.cell)
    assert source.count(mistake.old) == 1, f"{mistake.old!r} must occur once in the solution of {mistake.cell}"
    results = run_notebook(nb, {mistake.cell: source.replace(mistake.old, mistake.new)})
    failed = {g: e for g, e in results.items() if e}
    assert set(failed) == set(mistake.fails), f"failed {failed}, expected {sorted(mistake.fails)}"
    for grade_id, words in mistake.fails.items():
        assert words.lower() in failed[grade_id].lower(), (grade_id, failed[grade_id])


def test_builder_says_what_is_wrong(tmp_path):
    """A cell table with two kinds, an unknown key, a missing region: errors that name the place."""
    from ganlab_grader.build import spec
    from ganlab_grader.build.sources import AssignmentFiles, SourceError

    with pytest.raises(spec.SpecError, match="exactly one of"):
        spec.cell_record({"markdown": "intro", "solution": "f"}, "cell 2")
    with pytest.raises(spec.SpecError, match="not \\['point'\\]"):
        spec.cell_record({"tests": "test_f", "point": 2, "visible": [], "hidden": []}, "cell 3")
    with pytest.raises(spec.SpecError, match="positive number of points"):
        spec.cell_record({"tests": "test_f", "points": 0, "visible": [], "hidden": []}, "cell 3")
    (tmp_path / "text.md").write_text("<!-- cell: intro -->\n# Hello\n")
    (tmp_path / "tests.py").write_text('def visible_f():\n    """Doc."""\n    assert f(1) == 2\n')
    files = AssignmentFiles(tmp_path)
    assert files.markdown("intro") == "# Hello"
    assert files.code("visible_f") == "assert f(1) == 2"
    with pytest.raises(SourceError, match="no region '<!-- cell: part1 -->'"):
        files.markdown("part1")
    with pytest.raises(SourceError, match="no '_helper' in helpers.py, tests.py or ../shared.py"):
        files.code("_helper")
