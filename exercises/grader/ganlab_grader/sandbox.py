"""The sandbox a learner's kernel runs in while its notebook is graded.

The grader starts every kernel through this module instead of ``python -m ipykernel_launcher``
directly::

    python -I .../ganlab_grader/sandbox.py -- python -m ipykernel_launcher -f <connection file>

with a JSON spec in the ``GANLAB_SANDBOX`` environment variable. What the kernel gets:

* **limits** (always): an address-space limit (``RLIMIT_AS``, so a memory bomb raises
  ``MemoryError`` instead of taking the machine), a file-size limit, no core dumps, and death
  when the grader that started it dies (``PR_SET_PDEATHSIG``);
* **isolation** (where Linux namespaces are available: as root, or with unprivileged user
  namespaces): its own network namespace (no network at all; the kernel talks to the grader
  over Unix sockets), its own PID namespace (it cannot see or ``/proc/<pid>/root`` into the
  grader), and its own mount namespace in which the whole file system is read-only, ``/tmp``
  is a fresh empty tmpfs (every throwaway course of every submission disappears), the
  directories named in ``hide`` (the course with its ``source/`` and real gradebook, the
  submissions, the repository that builds the assignments) are empty, and only the kernel's
  own scratch directory is writable. Finally every capability is dropped (``setpriv``), so
  the learner's code cannot undo the mounts.

Where namespaces are not available the limits still apply and the grade records the mode
(``sandbox: limits only``), so an instructor knows the file system was in reach.
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import signal
import subprocess
import sys

ENV_VAR = "GANLAB_SANDBOX"
_PR_SET_PDEATHSIG = 1
_MS_BIND = 4096
_MS_REMOUNT = 32
_MS_RDONLY = 1
# Never made read-only or hidden: the kernel needs them as they are.
_SPECIAL = {"/proc", "/sys", "/dev", "/tmp", "/run"}


def launcher() -> list[str]:
    """How to start this module: as a plain script in isolated mode, so that starting the
    sandbox does not import ``ganlab`` (and with it torch) twice before the kernel does."""
    return [sys.executable, "-I", os.path.abspath(__file__)]


def namespace_command(inner: list[str]) -> list[str]:
    """The ``unshare`` prefix that puts ``inner`` in new mount, network and PID namespaces."""
    command = ["unshare", "--mount", "--net", "--pid", "--fork", "--kill-child",
               "--mount-proc", "--propagation", "private"]
    if os.geteuid() != 0:
        command[1:1] = ["--user", "--map-root-user"]
    return command + ["--"] + inner


def namespaces_available() -> tuple[bool, str]:
    """Can this machine run a kernel in fresh namespaces with read-only mounts? (ok, why not)."""
    if sys.platform != "linux":
        return False, f"namespaces need Linux, this is {sys.platform}"
    for tool in ("unshare", "mount", "setpriv"):
        if shutil.which(tool) is None:
            return False, f"the '{tool}' program is missing (util-linux)"
    probe = namespace_command(["sh", "-c", "mount -t tmpfs -o size=1m none /mnt 2>/dev/null "
                                           "|| mount -t tmpfs -o size=1m none /tmp"])
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"unshare failed: {error}"
    if done.returncode != 0:
        return False, f"unshare failed: {(done.stderr or done.stdout).strip()[:200]}"
    return True, "namespaces"


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def _set_limits(spec: dict) -> None:
    memory = int(spec.get("memory_mb", 0)) * 2 ** 20
    if memory > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    file_size = int(spec.get("file_mb", 256)) * 2 ** 20
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"mount {' '.join(args)}: {done.stderr.strip()}")


def _mount_points() -> set[str]:
    with open("/proc/self/mountinfo") as handle:
        return {line.split()[4] for line in handle}


def _build_filesystem(spec: dict) -> None:
    """Inside the new mount namespace: read-only everything, fresh /tmp, hidden course."""
    scratch = spec["scratch"]
    scratch_fd = os.open(scratch, os.O_RDONLY | os.O_DIRECTORY)
    mounts = _mount_points()
    # 1. Read-only: every top-level directory (and the mount points below them we know of).
    for entry in sorted(os.listdir("/")):
        path = "/" + entry
        if path in _SPECIAL or not os.path.isdir(path) or os.path.islink(path):
            continue
        targets = [path] + sorted(m for m in mounts if m.startswith(path + "/")
                                  and not any(m.startswith(s + "/") for s in _SPECIAL))
        for target in targets:
            try:
                _mount("--bind", target, target)
                _mount("-o", "remount,bind,ro", target)
            except RuntimeError:
                pass  # e.g. an autofs mount point: left as it is
    # 2. Hidden: the course, the submissions, the repository's private parts.
    for path in spec.get("hide", []):
        if os.path.isdir(path):
            _mount("-t", "tmpfs", "-o", "ro,size=1m,mode=755", "tmpfs", path)
        elif os.path.exists(path):
            _mount("--bind", "-o", "ro", "/dev/null", path)
    # 3. A fresh /tmp (all throwaway courses vanish), then back in it, read-only, the Python
    #    environment and ganlab when they live there (a checkout in /tmp), and the scratch.
    fresh = ("/tmp", "/dev/shm", "/run")
    kept = {path: os.open(path, os.O_RDONLY | os.O_DIRECTORY) for path in _runtime_paths()
            if any(path.startswith(root + "/") for root in fresh)}
    for path in fresh:
        if os.path.isdir(path):
            _mount("-t", "tmpfs", "-o", "size=512m,mode=1777", "tmpfs", path)
    for path, descriptor in sorted(kept.items()):
        _bind_descriptor(descriptor, path, read_only=True)
    _bind_descriptor(scratch_fd, scratch, read_only=False)


def _runtime_paths() -> list[str]:
    """What the kernel must keep seeing: the Python environment and the ganlab package."""
    import importlib.util

    spec = importlib.util.find_spec("ganlab")  # finds it without importing it (and torch)
    package = os.path.dirname(os.path.dirname(spec.origin)) if spec and spec.origin else sys.prefix
    paths = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, package)}
    return sorted(paths)


def _bind_descriptor(descriptor: int, target: str, *, read_only: bool) -> None:
    """Bind-mount the directory open as ``descriptor`` onto ``target`` (created if needed)."""
    os.makedirs(target, exist_ok=True)
    # mount(2) itself, not the mount program: it would resolve the /proc link to the new path
    libc = ctypes.CDLL(None, use_errno=True)
    source = f"/proc/self/fd/{descriptor}".encode()
    if libc.mount(source, target.encode(), None, _MS_BIND, None) != 0:
        raise OSError(ctypes.get_errno(), f"bind-mounting {target} into the sandbox")
    if read_only and libc.mount(None, target.encode(), None,
                                _MS_BIND | _MS_REMOUNT | _MS_RDONLY, None) != 0:
        raise OSError(ctypes.get_errno(), f"making {target} read-only in the sandbox")
    os.close(descriptor)


def main(argv: list[str]) -> None:
    if "--" not in argv:
        sys.exit("usage: GANLAB_SANDBOX='{...}' python -m ganlab_grader.sandbox [--inside] -- CMD")
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    spec = json.loads(os.environ.get(ENV_VAR, "{}"))
    mode = spec.get("mode", "limits")
    if mode == "namespaces" and "--inside" not in options:
        # Outer step: die with the grader, then re-enter this module in new namespaces.
        _die_with_parent()
        inner = launcher() + ["--inside", "--"] + command
        os.execvp("unshare", namespace_command(inner))
    if mode == "namespaces":
        _build_filesystem(spec)
    else:
        _die_with_parent()
    scratch = spec.get("scratch")
    if scratch:
        os.chdir(scratch)
        os.environ["HOME"] = scratch
        os.environ["TMPDIR"] = "/tmp" if mode == "namespaces" else scratch
    os.environ.pop(ENV_VAR, None)
    _set_limits(spec)
    if mode == "namespaces":
        command = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs",
                   "--"] + command
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
