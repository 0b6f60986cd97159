"""The attack set of tests/test_grading_end_to_end.py (written against 01-minimax) on every
assignment, graded by the real grader: each attack gets exactly the score it deserves.

The attacks are the same, written for any assignment: "part 1" is the first solution cell
(its points are those of the test cells up to the next solution cell), "the last part" the
last one, and a wrong answer to a part is that part doing nothing (every solution block
``return None``), which must earn none of its points. One grading run per assignment
(``-k 04-dcgan`` grades one); slow: about a minute an assignment on two workers.

Only the attacks whose outcome depends on what an assignment's own tests call run here
(:data:`ON_EVERY_ASSIGNMENT`: patching torch, numpy, math or the builtins, objects that claim
to be equal, replacing ``checks``, swallowing exceptions). The others meet the grader's
generic machinery whatever the assignment: a dead kernel, endless loops, output floods, a
memory bomb, reading or writing the disk, non-notebooks, and the repair of deleted, edited,
renamed or re-typed cells (:data:`ELSEWHERE`); tests/test_grading_end_to_end.py runs them on
01-minimax, and tests/test_assignment_code.py checks a do-nothing answer and a part that does
not parse on all eight without a kernel.
"""
from __future__ import annotations

import concurrent.futures
import json
import re
import shutil

import nbformat
import pytest

from ganlab_grader import course as course_mod
from ganlab_grader.build.cells import BEGIN_SOLUTION
from ganlab_grader.grade import grade
from test_assignment_code import replace_regions
from test_grading_end_to_end import (CELL_TIMEOUT, EXERCISES, READ_ATTACK, TIMEOUT, WRITE_ATTACK, Learner, _given,
                                     _meta, _strip_markers)

pytestmark = pytest.mark.slow
NAMES = course_mod.assignments(EXERCISES)
ON_EVERY_ASSIGNMENT = {"patch-assert-close", "patch-allclose", "patch-numpy-math-builtins", "patch-tensor-methods",
                       "equals-everything", "tensor-subclass", "replace-checks", "custom-exception-handler"}
ELSEWHERE = {  # attack -> the test module that runs it
    **dict.fromkeys(["delete-test-cell", "edit-test-cell", "rename-grade-id", "change-points", "test-cell-to-markdown",
                     "code-before-setup", "os-exit", "endless-loop-in-answer", "uninterruptible-loop", "output-flood",
                     "memory-bomb", "read-hidden-tests", "write-gradebook", "warning-on-stderr", "not-json",
                     "not-a-notebook"], "test_grading_end_to_end.py"),
    "syntax-error-part-2": "test_assignment_code.py", "do-nothing": "test_assignment_code.py"}

ANYTHING = ("class Anything:\n    shape = ()\n    requires_grad = True\n"
            "    def __eq__(self, other): return True\n    def __getattr__(self, name): return lambda *a, **k: self\n")
LIAR = ("class Liar(torch.Tensor):\n    @classmethod\n"
        "    def __torch_function__(cls, func, types, args=(), kwargs=None):\n        return torch.tensor(True)\n")


class Parts:
    """An assignment's solution cells, their test cells and points, and answers that do nothing."""

    def __init__(self, course, name):
        source = nbformat.read(course / "source" / name / f"{name}.ipynb", 4)
        self.sources, self.points, self.tests, current = {}, {}, {}, None
        for cell in source.cells:
            meta = _meta(cell)
            if meta.get("solution"):
                current = meta["grade_id"]
                self.sources[current], self.points[current], self.tests[current] = cell.source, 0, []
            elif meta.get("grade"):
                self.points[current] += meta["points"]
                self.tests[current].append(meta["grade_id"])
        self.first, self.last = next(iter(self.sources)), list(self.sources)[-1]
        self.total = sum(self.points.values())

    def nothing(self, grade_id: str) -> str:
        """The cell with every solution block doing nothing (return None)."""
        return replace_regions(self.sources[grade_id], "return None")

    def function(self, grade_id: str) -> str:
        """The name of the first function the cell defines."""
        return re.search(r"^def (\w+)\(", self.sources[grade_id], re.MULTILINE).group(1)

    def noisy(self, grade_id: str) -> str:
        """The right answer, with a warning and a note on stderr each time it runs."""
        first = self.sources[grade_id].index(BEGIN_SOLUTION)
        indent = self.sources[grade_id][:first].rsplit("\n", 1)[-1]
        noise = (f"{BEGIN_SOLUTION}\n{indent}warnings.warn('careful: a warning from a correct answer')\n"
                 f"{indent}print('a note on stderr', file=sys.stderr)")
        return "import sys, warnings\n" + _strip_markers(self.sources[grade_id].replace(BEGIN_SOLUTION, noise, 1))


def attacks(course, name):
    """(student, expected score or None for broken, description, learner, raw bytes)."""
    parts = Parts(course, name)
    first, last, total = parts.first, parts.last, parts.total
    rest = [g for g in parts.sources if g != first]
    wrong = parts.nothing(first)
    without_first = total - parts.points[first]
    out = []

    def learner():
        return Learner(course, name)

    def attack(student, expected, description, who=None, raw=None):
        out.append((student, expected, description, who, raw))

    def wrong_first(prefix):
        return learner().solve(*rest).write(first, prefix + wrong)

    attack("patch-assert-close", without_first, "torch.testing.assert_close a no-op, part 1 does nothing",
           wrong_first("import torch.testing\ntorch.testing.assert_close = lambda *a, **k: None\n"))
    attack("patch-allclose", without_first, "torch.allclose/isclose/equal return True, part 1 does nothing",
           wrong_first("torch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True\n"
                       "torch.isclose = lambda a, b, **k: torch.ones_like(a, dtype=torch.bool)\n"))
    attack("patch-numpy-math-builtins", without_first, "numpy/math isclose, builtins isinstance and abs patched",
           wrong_first("import builtins, numpy\nnumpy.isclose = lambda *a, **k: True\n"
                       "math.isclose = lambda *a, **k: True\n_isinstance, _abs = isinstance, abs\n"
                       "builtins.isinstance = lambda o, c: True if c is torch.Tensor else _isinstance(o, c)\n"
                       "builtins.abs = lambda x: torch.zeros(()) if _isinstance(x, torch.Tensor) else _abs(x)\n"))
    attack("patch-tensor-methods", without_first, "torch.Tensor.__eq__/__sub__/tolist/abs patched",
           wrong_first("torch.Tensor.__eq__ = lambda s, o: True\ntorch.Tensor.__sub__ = lambda s, o: torch.zeros(())\n"
                       "torch.Tensor.tolist = lambda s: 0.0\ntorch.Tensor.abs = lambda s: torch.zeros(())\n"))
    attack("equals-everything", without_first, "part 1 returns an object that equals everything",
           learner().solve(*rest).write(first, ANYTHING + f"def {parts.function(first)}(*args, **kwargs):\n"
                                        "    return Anything()\n"))
    attack("tensor-subclass", without_first, "part 1 returns a Tensor subclass whose ops all say 'equal'",
           learner().solve(*rest).write(first, LIAR + f"def {parts.function(first)}(*args, **kwargs):\n"
                                        "    return torch.zeros(()).as_subclass(Liar)\n"))
    attack("replace-checks", without_first, "checks.assert_close overwritten, `checks` rebound to a fake",
           wrong_first("class FakeChecks:\n    def __getattr__(self, name): return lambda *a, **k: None\n"
                       "try:\n    vars(checks)['assert_close'] = lambda *a, **k: None\nexcept Exception:\n    pass\n"
                       "checks = FakeChecks()\n"))
    attack("custom-exception-handler", without_first, "IPython told to swallow every exception",
           wrong_first("get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n"))
    who = learner().solve()
    deleted = parts.tests[rest[0]][0] if rest else parts.tests[first][-1]
    who.nb.cells = [c for c in who.nb.cells if _meta(c).get("grade_id") != deleted]
    attack("delete-test-cell", total, f"test cell {deleted} deleted, all answers right", who)
    test1 = parts.tests[first][0]
    who = wrong_first("")
    who.cell(test1).source = "print('all good')"
    attack("edit-test-cell", without_first, f"{test1} replaced by a print, part 1 does nothing", who)
    who = wrong_first("")
    who.cell(test1).metadata["nbgrader"]["grade_id"] = "free_points"
    attack("rename-grade-id", without_first, f"grade_id of {test1} renamed", who)
    who = learner().solve()
    who.cell(test1).metadata["nbgrader"]["points"] = 100
    attack("change-points", total, f"points of {test1} set to 100, all answers right", who)
    who = wrong_first("")
    cell = who.cell(test1)
    markdown = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)
    markdown["id"] = cell["id"]
    who.nb.cells[who.nb.cells.index(cell)] = markdown
    attack("test-cell-to-markdown", without_first, f"{test1} turned into markdown, part 1 does nothing", who)
    who = learner().solve()
    who.nb.cells.insert(0, nbformat.v4.new_code_cell("import torch\ntorch.allclose = lambda *a, **k: True"))
    attack("code-before-setup", total, "a cell above the setup cell patches torch first; answers right", who)
    attack("os-exit", None, "os._exit(0) in a cell: the kernel dies",
           learner().solve().prepend(last, "import os\nos._exit(0)"))
    loop = replace_regions(parts.sources[last], "while True:\n    pass")
    attack("endless-loop-in-answer", total - parts.points[last], "the last part loops forever (cell timeout)",
           learner().solve(*[g for g in parts.sources if g != last]).write(last, loop))
    attack("uninterruptible-loop", None, "a loop that swallows KeyboardInterrupt: the notebook is stopped",
           learner().solve().prepend(last, "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n"
                                           "    except BaseException:\n        pass"))
    attack("output-flood", total, "50 MB printed by an answer cell, answers right",
           learner().solve().prepend(first, "for _ in range(50):\n    print('x' * 1_000_000)"))
    attack("memory-bomb", without_first, "part 1 allocates 64 GB (MemoryError), the other parts right",
           learner().solve(*rest).write(first, f"def {parts.function(first)}(*args, **kwargs):\n"
                                        "    hog = bytearray(64 * 2**30)\n    return None\n"))
    attack("read-hidden-tests", 0, "searches the disk for hidden tests and gradebooks",
           learner().prepend(first, READ_ATTACK))
    attack("write-gradebook", 0, "sets every score of every gradebook it finds to 100",
           learner().prepend(first, WRITE_ATTACK))
    attack("warning-on-stderr", total, "right answers that print a warning and a note to stderr",
           learner().solve().write(first, parts.noisy(first)))
    if rest:  # issue 10: a SyntaxError in part 2 costs part 2's points, and only those
        second = rest[0]
        attack("syntax-error-part-2", total - parts.points[second], f"{second} does not parse, the other parts right",
               learner().solve(*[g for g in parts.sources if g != second]).write(second, "def broken(:\n    pass\n"))
    attack("do-nothing", 0, "every function returns None", learner().solve())
    for grade_id in parts.sources:
        out[-1][3].write(grade_id, _strip_markers(parts.nothing(grade_id)))
    attack("not-json", None, "a file that is not JSON", raw=b"{ this is not a notebook")
    attack("not-a-notebook", None, "valid JSON, not a notebook", raw=json.dumps({"hello": 1}).encode())
    return out


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacks")
    course = root / "exercises"
    shutil.copytree(EXERCISES / "source", course / "source")
    shutil.copy(EXERCISES / "nbgrader_config.py", course / "nbgrader_config.py")
    course_mod.release(course, log=lambda *a: None)
    return course


@pytest.mark.parametrize("name", NAMES)
def test_every_attack_gets_what_it_deserves(name, course, tmp_path):
    table = [row for row in attacks(course, name) if row[0] in ON_EVERY_ASSIGNMENT]
    submissions = tmp_path / "submitted"
    for student, _, _, who, raw in table:
        path = submissions / student / name / f"{name}.ipynb"
        if raw is not None:
            path.parent.mkdir(parents=True)
            path.write_bytes(raw)
        else:
            who.save(path)
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        results = grade(course, submissions, executor=pool, timeout=TIMEOUT, cell_timeout=CELL_TIMEOUT,
                        csv_path=tmp_path / "grades.csv", feedback_dir=tmp_path / "feedback", log=lambda *a: None)
    rows, wrong = [], []
    for student, expected, description, _, _ in table:
        result = results[(student, name)]
        given = _given(result)
        rows.append(f"| {student} | {description} | {expected} | {given} | {result.reason[:80]} |")
        if given != expected:
            wrong.append(f"{student}: expected {expected}, given {given} ({result.status}: {result.reason})")
    print(f"\n{name}\n| attack | what it does | expected | given | reason |\n| --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    assert not wrong, "\n".join(wrong)


def test_every_attack_left_out_runs_elsewhere(course):
    """Each attack of :func:`attacks` runs here on every assignment, or in the module named."""
    for name in NAMES:
        for student, *_ in attacks(course, name):
            assert student in ON_EVERY_ASSIGNMENT or student in ELSEWHERE, f"{student} runs nowhere"
    for student, module in ELSEWHERE.items():
        text = (EXERCISES.parent / "tests" / module).read_text(encoding="utf-8")
        wanted = {"syntax-error-part-2": "def test_a_syntax_error_costs_only_its_part",
                  "do-nothing": "DO_NOTHING = "}.get(student, f'attack("{student}"')
        assert wanted in text, f"{student}: {module} does not run it"
