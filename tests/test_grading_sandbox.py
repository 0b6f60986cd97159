"""The kernel's sandbox is an allow-list: the Python environment, the system's libraries and its
own scratch, nothing else. Each test starts the sandbox on a small Python program (about a
second each); tests/test_grading_end_to_end.py does the same through whole gradings.

Planted where the old deny-list sandbox let a kernel read them: a second copy of the course
(with its hidden tests and solutions) outside the course being graded, and a secret file in
the grader's home. Both live outside /tmp (which every sandbox replaces anyway), in /var/tmp
when it is writable.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from ganlab_grader import sandbox
from ganlab_grader.worker import sandbox_mode

REPO = Path(__file__).resolve().parents[1]
SECRET = "the grader's private note 7f3a9c"


def _namespaces() -> tuple[bool, str]:
    mode, why = sandbox_mode()
    return mode == "namespaces", why


pytestmark = pytest.mark.skipif(not _namespaces()[0], reason="no namespace sandbox here: "
                                + _namespaces()[1])


@pytest.fixture
def elsewhere(tmp_path):
    """A folder outside /tmp: /var/tmp when writable (else tmp_path, a weaker test)."""
    if os.access("/var/tmp", os.W_OK):
        path = Path(tempfile.mkdtemp(prefix="ganlab-elsewhere-", dir="/var/tmp"))
        yield path
        shutil.rmtree(path, ignore_errors=True)
    else:
        yield tmp_path / "elsewhere"


@pytest.fixture
def planted(elsewhere):
    """A previous term's course copy and a grader's home holding a secret."""
    old_course = elsewhere / "old-term" / "exercises"
    shutil.copytree(REPO / "exercises" / "source", old_course / "source")
    home = elsewhere / "home" / "grader"
    home.mkdir(parents=True)
    (home / "secret.txt").write_text(SECRET)
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_ed25519").write_text(SECRET)
    return {"course": old_course, "home": home}


def _run(tmp_path: Path, code: str, allow: list[str] | None = None, env: dict | None = None) -> dict:
    """Run ``code`` under the sandbox as the grader starts a kernel; return its JSON line."""
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    spec = {"mode": "namespaces", "scratch": str(scratch), "memory_mb": 0,
            "allow": allow if allow is not None else sandbox.runtime_paths()}
    environment = dict(env or os.environ, **{sandbox.ENV_VAR: json.dumps(spec)})
    done = subprocess.run(sandbox.launcher() + ["--", sys.executable, "-c", textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=120, env=environment)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


_LOOK = """
    import json, os, sys
    paths = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {paths!r}

    def reach(path):
        try:
            if os.path.isdir(path):
                return "listed: " + ",".join(sorted(os.listdir(path))[:20])
            with open(path, "rb") as handle:
                return "read: " + handle.read(200).decode(errors="replace")
        except OSError as error:
            return f"refused: {{type(error).__name__}}"

    print(json.dumps({{name: reach(path) for name, path in paths.items()}}))
"""


def _look(tmp_path, paths: dict[str, str], **kwargs) -> dict:
    return _run(tmp_path, _LOOK.format(paths=paths), **kwargs)


def test_a_second_course_copy_and_the_graders_home_are_not_there(tmp_path, planted):
    hidden_test = next((planted["course"] / "source" / "01-minimax").glob("*.ipynb"))
    seen = _look(tmp_path, {
        "course": str(planted["course"]), "notebook": str(hidden_test),
        "home": str(planted["home"]), "secret": str(planted["home"] / "secret.txt"),
        "key": str(planted["home"] / ".ssh" / "id_ed25519"),
        "repo_source": str(REPO / "exercises" / "source" / "01-minimax" / "01-minimax.ipynb"),
        "builders": str(REPO / "scripts"), "git": str(REPO / ".git")})
    assert all(value.startswith("refused") for value in seen.values()), seen
    assert SECRET not in json.dumps(seen)


def test_the_kernel_sees_only_the_allowed_part_of_home_and_repository(tmp_path):
    """Of the grader's home and of the checkout only the folders on the way to the Python
    environment and the package exist, and they hold nothing else."""
    allow = sandbox.runtime_paths()
    home, repo = os.path.realpath(Path.home()), os.path.realpath(REPO)
    seen = _run(tmp_path, f"""
        import json, os
        def listing(path):
            try:
                return sorted(os.listdir(path))
            except OSError:
                return None
        print(json.dumps({{"home": listing({home!r}), "repo": listing({repo!r}),
                          "root": listing("/"), "tmp": listing("/tmp"), "etc": listing("/etc"),
                          "cwd": os.getcwd(), "HOME": os.environ["HOME"]}}))
    """, allow=allow)

    def on_the_way(folder):  # the first component below `folder` of every allowed path
        prefix = folder.rstrip("/") + "/"
        return {p[len(prefix):].split("/")[0] for p in allow if p.startswith(prefix)}

    assert seen["home"] is None or set(seen["home"]) <= on_the_way(home), seen["home"]
    assert set(seen["repo"] or []) <= on_the_way(repo) | {"ganlab", ".venv"}, seen["repo"]
    assert "exercises" not in (seen["repo"] or []) and "scripts" not in (seen["repo"] or [])
    assert set(seen["root"]) <= {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc",
                                 "dev", "proc", "sys", "tmp"} | on_the_way("/"), seen["root"]
    assert "shadow" not in seen["etc"] and "ssh" not in seen["etc"]
    assert seen["cwd"] == seen["HOME"] == str(tmp_path / "scratch")
    # only the way to its own scratch, and to the environment when the checkout is under /tmp
    assert str(tmp_path).split("/")[2] in seen["tmp"]
    assert set(seen["tmp"]) <= {str(tmp_path).split("/")[2]} | on_the_way("/tmp"), seen["tmp"]


def test_the_kernel_runs_ganlab_and_torch_writes_its_scratch_and_nothing_else(tmp_path):
    seen = _run(tmp_path, """
        import json, os
        import torch
        from ganlab import exercise_checks, losses
        import ganlab
        result = {"ganlab": ganlab.__file__, "sum": float(torch.ones(3).sum())}
        with open("note.txt", "w") as handle:
            handle.write("mine")
        result["scratch"] = open(os.path.join(os.environ["HOME"], "note.txt")).read()
        for name, path in {"venv": os.path.join(os.path.dirname(os.path.dirname(ganlab.__file__)),
                                                ".venv", "planted.py"),
                           "package": os.path.join(os.path.dirname(ganlab.__file__), "planted.py"),
                           "usr": "/usr/planted"}.items():
            try:
                open(path, "w").close()
                result[name] = "written"
            except OSError as error:
                result[name] = type(error).__name__
        print(json.dumps(result))
    """)
    assert seen["ganlab"] == str(REPO / "ganlab" / "__init__.py")
    assert seen["sum"] == 3.0 and seen["scratch"] == "mine"
    assert seen["venv"] != "written" and seen["package"] != "written" and seen["usr"] != "written"


def test_a_clone_under_tmp_still_runs(tmp_path):
    """A checkout under /tmp (which the sandbox replaces by an empty /tmp) is put back."""
    clone = tmp_path / "clone"
    shutil.copytree(REPO / "ganlab", clone / "ganlab",
                    ignore=shutil.ignore_patterns("__pycache__", "weights", "results"))
    env = dict(os.environ, PYTHONPATH=str(clone))
    # the allow-list is computed where the kernel's environment is: PYTHONPATH included
    paths = subprocess.run([sys.executable, "-c", "import json, sys; sys.path.insert(0, sys.argv[1]); "
                            "import sandbox; print(json.dumps(sandbox.runtime_paths()))",
                            str(Path(sandbox.__file__).parent)],
                           capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    allow = json.loads(paths.stdout)
    assert str(clone / "ganlab") in allow
    seen = _run(tmp_path, """
        import json, ganlab
        from ganlab import exercise_checks
        print(json.dumps({"ganlab": ganlab.__file__}))
    """, allow=allow, env=env)
    assert seen["ganlab"] == str(clone / "ganlab" / "__init__.py")


def test_runtime_paths_name_a_missing_package_and_a_missing_allow():
    with pytest.raises(RuntimeError, match="no_such_package_here"):
        sandbox.runtime_paths(packages=("no_such_package_here",))
    with pytest.raises(RuntimeError, match="--allow /no/such/folder"):
        sandbox.runtime_paths(extra=["/no/such/folder"])
