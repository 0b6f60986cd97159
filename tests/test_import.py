"""Importing ganlab stays light: no heavy optional packages, and fast beyond torch itself."""
import json
import subprocess
import sys
import textwrap

import pytest

HEAVY = ("torchvision", "sklearn", "matplotlib", "ipywidgets")

# Runs in a fresh interpreter: this test process has imported everything already.
_PROBE = textwrap.dedent("""
    import json, sys, time
    start = time.perf_counter()
    import torch
    torch_s = time.perf_counter() - start
    start = time.perf_counter()
    import {module}
    ganlab_s = time.perf_counter() - start
    heavy = [name for name in {heavy!r} if name in sys.modules]
    print(json.dumps({{"torch_s": torch_s, "ganlab_s": ganlab_s, "heavy": heavy}}))
""")


def _probe(module: str) -> dict:
    completed = subprocess.run([sys.executable, "-c", _PROBE.format(module=module, heavy=HEAVY)],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_import_ganlab_is_light_and_fast():
    result = _probe("ganlab")
    assert result["heavy"] == [], f"import ganlab pulled in {result['heavy']}"
    # generous for a loaded machine: ganlab itself needs a few milliseconds
    assert result["ganlab_s"] < 1.0, (f"import ganlab took {result['ganlab_s']:.2f} s beyond "
                                      f"torch ({result['torch_s']:.2f} s)")


@pytest.mark.parametrize("module", ["ganlab.data", "ganlab.losses", "ganlab.models"])
def test_core_submodules_do_not_import_heavy_packages(module):
    result = _probe(module)
    assert result["heavy"] == [], f"import {module} pulled in {result['heavy']}"


# --- a learner's install: `pip install ganlab` brings no grader ------------------------------

GRADER_ONLY = ("nbgrader", "dask", "distributed", "playwright", "ganlab_grader")

# Imports every module of ganlab in a fresh interpreter in which the grader's packages cannot
# be imported at all (as in a learner's environment); prints the modules that tried.
_LEARNER_PROBE = textwrap.dedent("""
    import importlib, importlib.abc, json, pkgutil, sys

    blocked, tried = {blocked!r}, []

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in blocked:
                tried.append(name)
                raise ImportError(f"{{name}} is not installed for a learner")
            return None

    sys.meta_path.insert(0, Block())
    import ganlab
    failed = {{}}
    modules = ["ganlab"] + [m.name for m in pkgutil.walk_packages(ganlab.__path__, "ganlab.")]
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as error:
            failed[name] = str(error)
    print(json.dumps({{"modules": modules, "tried": tried, "failed": failed,
                       "loaded": sorted(m for m in sys.modules if m.split(".")[0] in blocked)}}))
""")


def test_ganlab_declares_no_grading_dependency():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
    declared = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        declared += extra
    names = {d.split(";")[0].split("[")[0].split("<")[0].split(">")[0].split("=")[0].strip().lower()
             for d in declared}
    assert names, "no dependencies parsed from pyproject.toml"
    assert not names & {"nbgrader", "dask", "distributed", "playwright", "ganlab-grader"}, names


def test_no_ganlab_module_imports_the_grader_or_its_dependencies():
    """Every module of ganlab imports where nbgrader, dask, playwright and ganlab_grader
    cannot be imported; the old ``ganlab.grading.checks`` name is the only thing left there."""
    completed = subprocess.run([sys.executable, "-c", _LEARNER_PROBE.format(blocked=GRADER_ONLY)],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert "ganlab.exercise_checks" in result["modules"] and len(result["modules"]) > 20
    assert result["tried"] == [], f"ganlab modules tried to import {result['tried']}"
    assert result["failed"] == {}, result["failed"]
    assert result["loaded"] == []
    grading = sorted(m for m in result["modules"] if m.startswith("ganlab.grading."))
    assert grading == ["ganlab.grading.checks"], grading


def test_ganlab_does_not_list_grading_among_its_submodules():
    import ganlab

    assert "grading" not in ganlab._LAZY_SUBMODULES
