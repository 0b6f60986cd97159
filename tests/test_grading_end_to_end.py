"""End to end, in a temporary copy of the course: release, then grade one folder holding, for
every assignment, its source notebook (full marks) and its untouched release (0), plus a set
of attack submissions on 01-minimax that must get exactly the score they deserve, a folder
with two notebooks, another assignment's notebook in the wrong folder, and a kernel that
looks for a second copy of the course and a secret in the grader's home (planted outside
/tmp, in /var/tmp when writable).

One grading run (two worker processes) feeds every test of this module; a second run of a
few submissions, on a local Dask cluster, checks the Dask executor and that grading again
leaves the same gradebook; a last one grades with ganlab from a clone under /tmp.
"""
from __future__ import annotations

import concurrent.futures
import csv
import json
import os
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

import nbformat
import pytest

from ganlab_grader import course as course_mod
from ganlab_grader import gradebook
from ganlab_grader.grade import grade
from ganlab_grader.worker import sandbox_mode

pytestmark = pytest.mark.slow  # grades whole courses: minutes

REPO = Path(__file__).resolve().parents[1]
EXERCISES = REPO / "exercises"
ATTACKED = "01-minimax"  # (10 points: value_function 4, optimal_discriminator 3, value_at_optimal_d 3)
TIMEOUT, CELL_TIMEOUT = 150, 20
SECRET = "the grader's private note 51e0d2"


def _assignments() -> list[str]:
    return course_mod.assignments(EXERCISES)


# --- building submissions -----------------------------------------------------------------

def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _strip_markers(text: str) -> str:
    return "\n".join(line for line in text.splitlines()
                     if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))


class Learner:
    """A learner's notebook: the release with some answers filled in."""

    def __init__(self, course: Path, assignment: str):
        self.nb = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", 4)
        source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", 4)
        self.answers = {_meta(c)["grade_id"]: _strip_markers(c.source)
                        for c in source.cells if _meta(c).get("solution")}

    def cell(self, grade_id: str):
        return next(c for c in self.nb.cells if _meta(c).get("grade_id") == grade_id)

    def solve(self, *grade_ids: str) -> "Learner":
        for grade_id in grade_ids or tuple(self.answers):
            self.cell(grade_id).source = self.answers[grade_id]
        return self

    def write(self, grade_id: str, code: str) -> "Learner":
        self.cell(grade_id).source = code
        return self

    def prepend(self, grade_id: str, code: str) -> "Learner":
        self.cell(grade_id).source = code + "\n" + self.cell(grade_id).source
        return self

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(self.nb, str(path))


WRONG_V = "def value_function(d_real, d_fake):\n    return torch.tensor(0.0)\n"

# (student folder, expected score on 01-minimax (None: broken, 0 points), builder, description)
def _attacks(course: Path, planted: dict[str, str]):
    L = lambda: Learner(course, ATTACKED)  # noqa: E731
    part23 = ("optimal_discriminator", "value_at_optimal_d")
    attacks = []

    def attack(name, expected, description, learner=None, raw=None):
        attacks.append((name, expected, description, learner, raw))

    attack("patch-assert-close", 6, "torch.testing.assert_close replaced by a no-op, wrong part 1",
           L().solve(*part23).write("value_function", "import torch.testing\n"
               "torch.testing.assert_close = lambda *a, **k: None\n" + WRONG_V))
    attack("patch-allclose", 6, "torch.allclose/isclose/equal return True, wrong part 1",
           L().solve(*part23).write("value_function",
               "torch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True\n"
               "torch.isclose = lambda a, b, **k: torch.ones_like(a, dtype=torch.bool)\n" + WRONG_V))
    attack("patch-numpy-math-builtins", 6, "numpy.isclose, math.isclose patched; builtins.isinstance "
           "and abs patched to call tensors anything (the kernel keeps working), wrong part 1",
           L().solve(*part23).write("value_function",
               "import builtins, numpy\nnumpy.isclose = lambda *a, **k: True\n"
               "math.isclose = lambda *a, **k: True\n_isinstance, _abs = isinstance, abs\n"
               "builtins.isinstance = lambda o, c: True if c is torch.Tensor else _isinstance(o, c)\n"
               "builtins.abs = lambda x: torch.zeros(()) if _isinstance(x, torch.Tensor) else _abs(x)\n"
               + WRONG_V))
    attack("patch-tensor-methods", 6, "torch.Tensor.__eq__/__sub__/tolist/abs patched, wrong part 1",
           L().solve(*part23).write("value_function",
               "torch.Tensor.__eq__ = lambda s, o: True\ntorch.Tensor.__sub__ = lambda s, o: torch.zeros(())\n"
               "torch.Tensor.tolist = lambda s: 0.0\ntorch.Tensor.abs = lambda s: torch.zeros(())\n" + WRONG_V))
    attack("equals-everything", 6, "value_function returns an object that equals everything",
           L().solve(*part23).write("value_function",
               "class Anything:\n    shape = ()\n    requires_grad = True\n"
               "    def __eq__(self, other): return True\n    def __getattr__(self, name): return lambda *a, **k: self\n"
               "def value_function(d_real, d_fake):\n    return Anything()\n"))
    attack("tensor-subclass", 6, "value_function returns a Tensor subclass whose ops all say 'equal'",
           L().solve(*part23).write("value_function",
               "class Liar(torch.Tensor):\n    @classmethod\n"
               "    def __torch_function__(cls, func, types, args=(), kwargs=None):\n"
               "        return torch.tensor(True)\n"
               "def value_function(d_real, d_fake):\n    return torch.zeros(()).as_subclass(Liar)\n"))
    attack("replace-checks", 6, "checks.assert_close overwritten, `checks` rebound to a fake, wrong part 1",
           L().solve(*part23).write("value_function",
               "class FakeChecks:\n    def __getattr__(self, name): return lambda *a, **k: None\n"
               "try:\n    vars(checks)['assert_close'] = lambda *a, **k: None\nexcept Exception:\n    pass\n"
               "checks = FakeChecks()\n" + WRONG_V))
    attack("custom-exception-handler", 6, "IPython told to swallow every exception, wrong part 1",
           L().solve(*part23).write("value_function",
               "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n" + WRONG_V))
    learner = L().solve()
    learner.nb.cells = [c for c in learner.nb.cells if _meta(c).get("grade_id") != "test_optimal_discriminator"]
    attack("delete-test-cell", 10, "test cell of part 2 deleted, all answers right (the test is restored)", learner)
    learner = L().solve(*part23).write("value_function", WRONG_V)
    learner.cell("test_value_function").source = "print('all good')"
    attack("edit-test-cell", 6, "test cell of part 1 replaced by a print, wrong part 1", learner)
    learner = L().solve(*part23).write("value_function", WRONG_V)
    learner.cell("test_value_function").metadata["nbgrader"]["grade_id"] = "free_points"
    attack("rename-grade-id", 6, "grade_id of test 1 renamed, wrong part 1", learner)
    learner = L().solve()
    learner.cell("test_value_function").metadata["nbgrader"]["points"] = 100
    attack("change-points", 10, "points of test 1 set to 100, all answers right (max stays 10)", learner)
    learner = L().solve(*part23).write("value_function", WRONG_V)
    cell = learner.cell("test_value_function")
    index = learner.nb.cells.index(cell)
    markdown = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)
    markdown["id"] = cell["id"]
    learner.nb.cells[index] = markdown
    attack("test-cell-to-markdown", 6, "test cell 1 turned into markdown, wrong part 1", learner)
    learner = L().solve()
    learner.nb.cells.insert(0, nbformat.v4.new_code_cell("import torch\ntorch.allclose = lambda *a, **k: True"))
    attack("code-before-setup", 10, "a cell above the setup cell patches torch first; answers right",
           learner)
    attack("os-exit", None, "os._exit(0) in a cell: the kernel dies",
           L().solve().prepend("value_at_optimal_d", "import os\nos._exit(0)"))
    attack("endless-loop-in-answer", 7, "part 3 loops forever (the cell timeout interrupts it)",
           L().solve("value_function", "optimal_discriminator").write("value_at_optimal_d",
               "def value_at_optimal_d(p_data, p_g, x):\n    while True:\n        pass\n"))
    attack("uninterruptible-loop", None, "a loop that swallows KeyboardInterrupt: the kernel stops answering, the notebook is stopped",
           L().solve().prepend("value_at_optimal_d",
               "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except BaseException:\n        pass"))
    attack("output-flood", 10, "50 MB printed by an answer cell, answers right",
           L().solve().prepend("value_function", "for _ in range(50):\n    print('x' * 1_000_000)"))
    attack("memory-bomb", 6, "part 1 allocates 64 GB (MemoryError), parts 2 and 3 right",
           L().solve(*part23).write("value_function",
               "def value_function(d_real, d_fake):\n    hog = bytearray(64 * 2**30)\n    return torch.tensor(0.0)\n"))
    attack("read-hidden-tests", 0, "searches the disk for the hidden tests, source and gradebooks",
           L().prepend("value_function", READ_ATTACK))
    attack("write-gradebook", 0, "opens every gradebook.db it can find and sets all scores to 100",
           L().prepend("value_function", WRITE_ATTACK))
    answer = Learner(course, ATTACKED).answers["value_function"]
    noisy = answer.replace("    real_term =", "    warnings.warn('careful: a warning from a correct answer')\n"
                           "    print('a note on stderr', file=sys.stderr)\n    real_term =", 1)
    assert noisy != answer, "the reference answer of part 1 changed: update this attack"
    attack("warning-on-stderr", 10, "right answers that print a warning and a note to stderr",
           L().solve().write("value_function", "import sys, warnings\n" + noisy))
    attack("read-planted", 0, "reads a second copy of the course and a secret in the grader's home",
           L().prepend("value_function", PLANTED_ATTACK.replace("__PATHS__", repr(planted))))
    attack("not-json", None, "a file that is not JSON", raw=b"{ this is not a notebook")
    attack("not-a-notebook", None, "valid JSON, not a notebook", raw=json.dumps({"hello": 1}).encode())
    return attacks


READ_ATTACK = r'''
import os, pathlib, ganlab
_found = []
_roots = [pathlib.Path.cwd(), pathlib.Path(ganlab.__file__).resolve().parents[1], pathlib.Path("/tmp"),
          pathlib.Path.home()]
for _root in _roots:
    for _dirpath, _dirs, _files in os.walk(_root):
        if "site-packages" in _dirpath or "/.venv" in _dirpath or "/proc" in _dirpath:
            continue
        for _name in _files:
            if _name.endswith((".ipynb", ".py", ".db", ".json", ".pack", ".txt")):
                try:
                    _text = open(os.path.join(_dirpath, _name), "rb").read(5_000_000)
                except OSError:
                    continue
                if b"checks.rng(" + b"1101)" in _text or b"SQLite format" in _text[:16]:
                    _found.append(os.path.join(_dirpath, _name))
print(f"hidden files found: {len(_found)}", _found[:5])
'''

WRITE_ATTACK = r'''
import os, sqlite3, pathlib, ganlab
_written = 0
for _root in [pathlib.Path.cwd(), pathlib.Path(ganlab.__file__).resolve().parents[1], pathlib.Path("/tmp")]:
    for _dirpath, _dirs, _files in os.walk(_root):
        if "gradebook.db" in _files:
            try:
                _db = sqlite3.connect(os.path.join(_dirpath, "gradebook.db"))
                _db.execute("UPDATE grade SET auto_score = 100, manual_score = 100")
                _db.commit()
                _written += 1
            except Exception as _error:
                print("could not write", _dirpath, _error)
print(f"gradebooks written: {_written}")
'''


PLANTED_ATTACK = r'''
import os
for _name, _path in __PATHS__.items():
    try:
        if os.path.isdir(_path):
            print("PLANTED", _name, "listed", os.listdir(_path))
        else:
            print("PLANTED", _name, "read", open(_path).read()[:2000])
    except OSError as _error:
        print("PLANTED", _name, "refused", type(_error).__name__)
'''


def _plant(root: Path) -> tuple[Path, dict[str, str]]:
    """A previous term's course and a grader's home with a secret, outside /tmp if we can."""
    base = Path(tempfile.mkdtemp(prefix="ganlab-elsewhere-", dir="/var/tmp")) \
        if os.access("/var/tmp", os.W_OK) else root / "elsewhere"
    shutil.copytree(EXERCISES / "source", base / "old-term" / "source")
    home = base / "home"
    home.mkdir(parents=True)
    (home / "secret.txt").write_text(SECRET)
    notebook = base / "old-term" / "source" / ATTACKED / f"{ATTACKED}.ipynb"
    return base, {"course": str(base / "old-term" / "source"), "notebook": str(notebook),
                  "home": str(home), "secret": str(home / "secret.txt")}


# --- the grading run ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    course = root / "exercises"
    shutil.copytree(EXERCISES / "source", course / "source")
    shutil.copytree(EXERCISES / "source-ko", course / "source-ko")
    shutil.copy(EXERCISES / "nbgrader_config.py", course / "nbgrader_config.py")
    names = _assignments()
    released = course_mod.release(course, log=lambda *a: None)
    submissions = root / "submitted"
    expected = {}
    for name in names:
        shutil.copytree(course / "source" / name, submissions / "solutions" / name)
        (submissions / "untouched" / name).mkdir(parents=True)
        shutil.copy(course / "release" / name / f"{name}.ipynb", submissions / "untouched" / name)
        # a Korean learner: the Korean notebook, graded against the same hidden tests
        (submissions / "korean" / name).mkdir(parents=True)
        shutil.copy(course / "source-ko" / name / f"{name}.ipynb", submissions / "korean" / name / f"{name}.ko.ipynb")
        expected[("solutions", name)] = expected[("korean", name)] = "full"
        expected[("untouched", name)] = 0.0
    (submissions / "korean untouched" / ATTACKED).mkdir(parents=True)
    shutil.copy(course / "release" / ATTACKED / f"{ATTACKED}.ko.ipynb", submissions / "korean untouched" / ATTACKED)
    elsewhere, planted = _plant(root)
    attacks = _attacks(course, planted)
    for student, score, _, learner, raw in attacks:
        path = submissions / f"attack {student}" / ATTACKED / f"{ATTACKED}.ipynb"
        if raw is not None:
            path.parent.mkdir(parents=True)
            path.write_bytes(raw)
        else:
            learner.save(path)
    # a stray file and an unknown assignment: explained, not fatal
    (submissions / "README.txt").write_text("collected on Monday")
    (submissions / "solutions" / "99-unknown").mkdir()
    # an untouched original beside an answered copy; another assignment's notebook misfiled
    (submissions / "two notebooks" / ATTACKED).mkdir(parents=True)
    shutil.copy(course / "release" / ATTACKED / f"{ATTACKED}.ipynb",
                submissions / "two notebooks" / ATTACKED / f"{ATTACKED}.ipynb")
    shutil.copy(course / "source" / ATTACKED / f"{ATTACKED}.ipynb",
                submissions / "two notebooks" / ATTACKED / f"{ATTACKED}-Copy1.ipynb")
    (submissions / "misfiled" / ATTACKED).mkdir(parents=True)
    shutil.copy(course / "source" / "02-losses" / "02-losses.ipynb",
                submissions / "misfiled" / ATTACKED / f"{ATTACKED}.ipynb")
    lines = []
    try:
        with pytest.MonkeyPatch.context() as patch, \
                concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
            patch.setenv("HOME", planted["home"])  # the grader's home holds the secret
            results = grade(course, submissions, executor=pool, timeout=TIMEOUT,
                            cell_timeout=CELL_TIMEOUT, log=lines.append)
    finally:
        shutil.rmtree(elsewhere, ignore_errors=True)
    return {"course": course, "submissions": submissions, "results": results, "names": names,
            "released": released, "attacks": attacks, "log": lines, "planted": planted,
            "dump": _dump(course)}


def _dump(course: Path) -> list[tuple]:
    """Every grade in the gradebook: (submission id, student, assignment, test, score, max)."""
    with sqlite3.connect(course / "gradebook.db") as db:
        return sorted(db.execute(
            "SELECT sa.id, sa.student_id, a.name, bc.name, g.auto_score, gc.max_score "
            "FROM grade g JOIN grade_cells gc ON g.cell_id = gc.id "
            "JOIN base_cell bc ON bc.id = gc.id "
            "JOIN submitted_notebook sn ON g.notebook_id = sn.id "
            "JOIN submitted_assignment sa ON sn.assignment_id = sa.id "
            "JOIN assignment a ON sa.assignment_id = a.id").fetchall())


# --- release ------------------------------------------------------------------------------

def test_release_holds_no_solution_and_no_hidden_test(graded):
    course = graded["course"]
    assert len(graded["released"]) == 2 * len(graded["names"])  # English and Korean
    for name, (release_name, source_folder) in ((n, k) for n in graded["names"] for k in
                                                 [("{}.ipynb", "source"), ("{}.ko.ipynb", "source-ko")]):
        release = json.loads((course / "release" / name / release_name.format(name)).read_text())
        source = json.loads((course / source_folder / name / f"{name}.ipynb").read_text())
        text = json.dumps(release)
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        assert course_mod.check_release(release, source) == []
        solutions = [c for c in release["cells"] if _meta(c).get("solution")]
        assert solutions and all("raise NotImplementedError()" in "".join(c["source"]) for c in solutions)
        for cell in source["cells"]:
            for block in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", "".join(cell["source"]), re.S):
                assert block.strip() and block.strip() not in "".join("".join(c["source"]) for c in release["cells"])


def test_check_release_catches_a_leak(graded):
    course = graded["course"]
    name = graded["names"][0]
    source = json.loads((course / "source" / name / f"{name}.ipynb").read_text())
    problems = course_mod.check_release(source, source)  # the source itself is no release
    assert any("BEGIN SOLUTION" in p for p in problems)
    assert any("HIDDEN" in p for p in problems)


# --- scores -------------------------------------------------------------------------------

def test_source_gets_full_marks_and_release_gets_zero(graded):
    results = graded["results"]
    for name in graded["names"]:
        full = results[("solutions", name)]
        assert full.status == "graded", full.reason
        assert full.max_score > 0 and full.score == full.max_score, (name, full.scores, full.reason)
        empty = results[("untouched", name)]
        assert empty.status == "graded", empty.reason
        assert empty.score == 0.0, (name, empty.scores)
        assert "NotImplementedError" in empty.reason


def test_korean_notebooks_are_graded_alike_with_korean_feedback(graded):
    """The Korean source gets full marks, the Korean release 0, in the same gradebook columns,
    and the Korean learner's feedback page is in Korean."""
    results, course = graded["results"], graded["course"]
    for name in graded["names"]:
        full = results[("korean", name)]
        assert full.status == "graded", full.reason
        assert full.score == full.max_score == results[("solutions", name)].max_score, (name, full.scores)
        assert set(full.scores) == set(results[("solutions", name)].scores)
    empty = results[("korean untouched", ATTACKED)]
    assert empty.status == "graded" and empty.score == 0.0, empty.scores
    assert "아직 답하지 않았습니다" in empty.reason
    page = (course / "feedback" / "korean untouched" / ATTACKED / f"{ATTACKED}.html").read_text()
    assert "점수: 0 / 10" in page and "피드백" in page
    assert "공개 테스트" in page or "최적 판별자" in page  # the Korean text and tests, restored
    with sqlite3.connect(course / "gradebook.db") as db:
        students = {row[0] for row in db.execute("SELECT id FROM student")}
    assert {"korean", "korean untouched"} <= students


def _given(result) -> float | None:
    return None if result.status == "broken" else result.score


def test_attack_table(graded):
    rows, wrong = [], []
    for student, expected, description, _, _ in graded["attacks"]:
        result = graded["results"][(f"attack {student}", ATTACKED)]
        given = _given(result)
        rows.append(f"| {student} | {description} | {'0 (broken)' if expected is None else f'{expected:g}'} "
                    f"| {'0 (broken)' if given is None else f'{given:g}'} | {result.reason[:90]} |")
        if given != expected:
            wrong.append(f"{student}: expected {expected}, given {given} ({result.status}: {result.reason})")
    print("\n| attack | what it does | expected | given | reason |\n| --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    assert len(graded["attacks"]) >= 12
    assert not wrong, "\n".join(wrong)


def test_broken_submissions_have_clear_reasons(graded):
    results = graded["results"]
    reason = lambda name: results[(f"attack {name}", ATTACKED)].reason  # noqa: E731
    assert "invalid JSON" in reason("not-json")
    assert "not a Jupyter notebook" in reason("not-a-notebook")
    assert "kernel died" in reason("os-exit")
    assert "timed out" in reason("uninterruptible-loop")
    unknown = results[("solutions", "99-unknown")]
    assert unknown.status == "broken" and "no assignment named '99-unknown'" in unknown.reason
    assert any("README.txt" in line and "student folder" in line for line in graded["log"])


def test_repairs_are_reported(graded):
    results = graded["results"]
    notes = lambda name: " ".join(results[(f"attack {name}", ATTACKED)].notes)  # noqa: E731
    assert "grade_id changed" in notes("rename-grade-id")
    assert "turned into markdown" in notes("test-cell-to-markdown")
    assert "metadata edited" in notes("change-points")
    assert "moved" in notes("code-before-setup")
    assert results[(f"attack change-points", ATTACKED)].max_score == 10


def test_hidden_tests_and_gradebooks_were_out_of_reach(graded):
    mode, why = sandbox_mode()
    feedback = graded["course"] / "feedback"
    read = (feedback / "attack read-hidden-tests" / ATTACKED / f"{ATTACKED}.html").read_text()
    write = (feedback / "attack write-gradebook" / ATTACKED / f"{ATTACKED}.html").read_text()
    if mode != "namespaces":
        pytest.skip(f"no namespace sandbox on this machine ({why}): the file system is in reach")
    assert "hidden files found: 0" in read
    assert "gradebooks written: 0" in write
    # the real gradebook has every other student's true score
    assert graded["results"][("solutions", ATTACKED)].score == 10


# --- gradebook, CSV, feedback -------------------------------------------------------------

def test_csv_matches_the_gradebook(graded):
    course = graded["course"]
    with open(course / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = list(rows[0])
    assert columns[:len(gradebook.CSV_COLUMNS)] == gradebook.CSV_COLUMNS and columns[-1] == "reason"
    table = gradebook.scores(course)
    in_csv = {(r["student"], r["assignment"]): (float(r["score"]), float(r["max_score"]))
              for r in rows if (r["student"], r["assignment"]) in table}
    assert in_csv == table
    for (student, assignment), result in graded["results"].items():
        if (student, assignment) in table:
            assert table[(student, assignment)][0] == result.score, (student, assignment)
    statuses = {(r["student"], r["assignment"]): r["status"] for r in rows}
    assert statuses[("attack not-json", ATTACKED)] == "broken"
    assert statuses[("solutions", "99-unknown")] == "broken"
    assert set(statuses.values()) <= set(gradebook.STATUSES)


def test_csv_has_a_column_pair_per_graded_part(graded):
    course = graded["course"]
    with open(course / "grades.csv", newline="") as handle:
        rows = {(r["student"], r["assignment"]): r for r in csv.DictReader(handle)}
    for name in graded["names"]:
        parts = course_mod.graded_parts(course, name)
        assert parts, name
        full, empty = rows[("solutions", name)], rows[("untouched", name)]
        for grade_id, points in parts:
            assert float(full[f"{grade_id} points"]) == points and full[f"{grade_id} result"] == "pass"
            assert float(empty[f"{grade_id} points"]) == 0 and empty[f"{grade_id} result"] == "fail"
        for row in (full, empty):  # the parts add up to the total
            assert sum(float(row[f"{g} points"]) for g, _ in parts) == float(row["score"])
    wrong_part_1 = rows[("attack patch-allclose", ATTACKED)]
    assert wrong_part_1["test_value_function result"] == "fail"
    assert wrong_part_1["test_optimal_discriminator result"] == "pass"


def test_the_summary_has_one_row_per_student(graded):
    course = graded["course"]
    with open(course / "grades-by-student.csv", newline="") as handle:
        rows = {r["student"]: r for r in csv.DictReader(handle)}
    maximum = sum(p for name in graded["names"] for _, p in course_mod.graded_parts(course, name))
    solutions = rows["solutions"]
    assert float(solutions["total"]) == float(solutions["max_total"]) == maximum
    assert solutions["missing"] == "" and solutions["broken"] == ""
    attacker = rows["attack not-json"]
    assert attacker[ATTACKED] == "0" and attacker["broken"] == ATTACKED
    assert "02-losses" in attacker["missing"].split()


def test_progress_and_every_skipped_input_are_printed(graded):
    log = graded["log"]
    assert log[0].startswith("grading ") and "sandbox:" in log[0]
    finished = [line for line in log if re.match(r"\[\d+/\d+\] ", line)]
    notebooks = int(re.search(r"\((\d+) notebook", log[0]).group(1))
    assert len(finished) == notebooks and finished[-1].startswith(f"[{notebooks}/{notebooks}]")
    skipped = [line for line in log if line.startswith("skipped ")]
    assert any("README.txt" in line for line in skipped)
    assert any("solutions/99-unknown" in line and "no assignment named" in line for line in skipped)
    assert any("misfiled/01-minimax" in line and "looks like 02-losses" in line for line in skipped)
    assert log[-1].startswith("graded ") and "grades-by-student.csv" in log[-1]


def test_two_notebooks_in_a_folder_the_best_counts(graded):
    result = graded["results"][("two notebooks", ATTACKED)]
    assert result.status == "graded" and result.score == 10
    assert any("2 notebooks in the folder" in note and f"{ATTACKED}-Copy1.ipynb" in note
               for note in result.notes)
    # the learner's page says which notebook counted
    page = (graded["course"] / "feedback" / "two notebooks" / ATTACKED / f"{ATTACKED}.html").read_text()
    assert "2 notebooks in the folder" in page and f"the best counts, {ATTACKED}-Copy1.ipynb" in page


def test_another_assignments_notebook_is_named(graded):
    result = graded["results"][("misfiled", ATTACKED)]
    assert result.status == "broken" and result.score == 0
    assert "looks like 02-losses, not 01-minimax" in result.reason


def test_a_planted_course_copy_and_the_graders_home_are_unreadable(graded):
    mode, why = sandbox_mode()
    page = (graded["course"] / "feedback" / "attack read-planted" / ATTACKED / f"{ATTACKED}.html").read_text()
    if mode != "namespaces":
        pytest.skip(f"no namespace sandbox on this machine ({why}): the file system is in reach")
    for name in graded["planted"]:
        assert f"PLANTED {name} refused" in page, (name, re.findall(r"PLANTED [^<]{0,80}", page))
    assert SECRET not in page and "BEGIN HIDDEN TESTS" not in page
    for (student, assignment), result in graded["results"].items():
        feedback = graded["course"] / "feedback" / student / assignment / f"{assignment}.html"
        if feedback.exists():
            assert SECRET not in feedback.read_text(), (student, assignment)


def test_feedback_pages_load_no_script_from_the_network(graded):
    pages = sorted((graded["course"] / "feedback").rglob("*.html"))
    assert len(pages) >= len(graded["names"]) * 2
    for page in pages:
        text = page.read_text()
        remote = re.findall(r"<(?:script|link)[^>]*?(?:src|href)\s*=\s*[\"']?https?:", text, re.I)
        assert remote == [], (page, remote[:3])
        assert "mathjax" not in text.lower(), page


def test_feedback_has_the_score_and_no_hidden_text(graded):
    course = graded["course"]
    for (student, assignment), result in graded["results"].items():
        if result.status != "graded":
            continue
        page = (course / "feedback" / student / assignment / f"{assignment}.html").read_text()
        score = "점수" if student.startswith("korean") else "Score"
        assert f"{score}: {result.score:g} / {result.max_score:g}" in page
        korean = student.startswith("korean")
        source = nbformat.read(course / ("source-ko" if korean else "source") / assignment / f"{assignment}.ipynb", 4)
        released = nbformat.read(course / "release" / assignment /
                                 f"{assignment}{'.ko' if korean else ''}.ipynb", 4)
        for cell in source.cells:
            for block in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S):
                for line in block.splitlines():
                    line = line.strip()
                    if len(line) >= 25 and line not in "\n".join(c.source for c in released.cells):
                        assert line not in page and _html(line) not in page, (student, assignment, line)
        assert "BEGIN HIDDEN TESTS" not in page


def _html(text: str) -> str:
    import html
    return html.escape(text)


def test_dask_executor_and_grading_twice_gives_the_same_gradebook(graded, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    again = tmp_path / "again"
    for student, name in [("solutions", ATTACKED), ("untouched", ATTACKED),
                          ("attack patch-allclose", ATTACKED), ("attack not-json", ATTACKED)]:
        shutil.copytree(graded["submissions"] / student / name, again / student / name)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        results = grade(graded["course"], again, executor=client.get_executor(), timeout=TIMEOUT,
                        cell_timeout=CELL_TIMEOUT, csv_path=tmp_path / "grades.csv",
                        feedback_dir=tmp_path / "feedback", log=lambda *a: None)
    assert results[("solutions", ATTACKED)].score == 10
    assert results[("attack patch-allclose", ATTACKED)].score == 6
    assert results[("attack not-json", ATTACKED)].status == "broken"
    assert _dump(graded["course"]) == graded["dump"]


def test_the_whole_notebook_time_limit_stops_a_slow_notebook(graded):
    """Each cell stays under its own limit, the notebook as a whole does not."""
    from ganlab_grader.worker import GradeJob, grade_one

    course = graded["course"]
    learner = Learner(course, ATTACKED).solve()
    for _ in range(6):
        learner.nb.cells.insert(4, nbformat.v4.new_code_cell("import time\ntime.sleep(8)"))
    generated = course_mod.generate(course, ATTACKED)
    job = GradeJob("slow", ATTACKED, ATTACKED, nbformat.writes(learner.nb).encode(),
                   generated.template_db, generated.release, timeout=30, cell_timeout=CELL_TIMEOUT)
    result = grade_one(job)
    assert result.status == "broken" and result.score == 0
    assert "timed out: the notebook ran longer than 30 s" in result.reason


def test_a_clone_under_tmp_grades(graded, tmp_path, monkeypatch):
    """ganlab from a checkout under /tmp (which every sandbox replaces): still full marks."""
    from ganlab_grader.worker import GradeJob, grade_one

    course = graded["course"]
    clone = tmp_path / "clone"
    shutil.copytree(REPO / "ganlab", clone / "ganlab", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("PYTHONPATH", str(clone))
    learner = Learner(course, ATTACKED).solve()
    learner.nb.cells.append(nbformat.v4.new_code_cell("import ganlab\nprint('GANLAB_AT', ganlab.__file__)"))
    generated = course_mod.generate(course, ATTACKED)
    result = grade_one(GradeJob("clone", ATTACKED, ATTACKED, nbformat.writes(learner.nb).encode(),
                                generated.template_db, generated.release, timeout=TIMEOUT,
                                cell_timeout=CELL_TIMEOUT))
    assert result.status == "graded" and result.score == 10, result.reason
    assert f"GANLAB_AT {clone / 'ganlab' / '__init__.py'}" in result.feedback_html
