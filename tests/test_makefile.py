"""The Makefile's install rule: another TORCH_SPEC installs that torch; make test-fast exists.

Run on a copy of the Makefile in a temporary folder whose ``.venv/bin/python`` only writes
down what it was asked to do, so nothing is installed.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    for name in ("requirements.txt", "pyproject.toml", "exercises/grader/requirements.txt",
                 "exercises/grader/pyproject.toml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        echo "$@" >> {tmp_path / "calls.log"}
        """))
    python.chmod(0o755)
    return tmp_path


def make(project: Path, *arguments: str) -> list[str]:
    """Run make in ``project``; return the python calls it made (pip installs, pytest ...)."""
    log = project / "calls.log"
    log.unlink(missing_ok=True)
    # Under `make test TORCH_SPEC=...` (CI) the outer make passes its command-line variables
    # down, through MAKEFLAGS and as environment variables; this make must see only the
    # arguments given here.
    inherited = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "TORCH_SPEC", "PYTHON", "VENV", "BOOK_ARGS"}
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    subprocess.run(["make", "--no-print-directory", *arguments], cwd=project, check=True,
                   capture_output=True, text=True, env=env)
    return log.read_text().splitlines() if log.exists() else []


def torch_installs(calls: list[str]) -> list[str]:
    return [c for c in calls if c.startswith("-m pip install") and "torch" in c]


def test_another_torch_spec_installs_that_torch(project):
    first = make(project, "env", "TORCH_SPEC=torch==2.5.1")
    assert torch_installs(first) == ["-m pip install --quiet torch==2.5.1"]
    assert make(project, "env", "TORCH_SPEC=torch==2.5.1") == []  # nothing changed
    assert make(project, "env") == []  # no spec: the installed torch stays
    second = make(project, "env", "TORCH_SPEC=torch==2.6.0 --index-url https://example.org/cpu")
    assert torch_installs(second) == [
        "-m pip install --quiet torch==2.6.0 --index-url https://example.org/cpu"]
    assert any("-r requirements.txt" in call for call in second)
    assert (project / ".venv" / ".torch-spec").read_text().strip().startswith("torch==2.6.0")


def test_make_test_fast_runs_the_suite_without_slow_and_browser_tests(project):
    make(project, "env")
    assert make(project, "test-fast") == ['-m pytest -m not slow and not browser']
