"""The sandbox a learner's kernel runs in while its notebook is graded.

The grader starts every kernel through this module instead of ``python -m ipykernel_launcher``
directly::

    python -I .../ganlab_grader/sandbox.py -- python -m ipykernel_launcher -f <connection file>

with a JSON spec in the ``GANLAB_SANDBOX`` environment variable. What the kernel gets:

* **limits** (always): an address-space limit (``RLIMIT_AS``, so a memory bomb raises
  ``MemoryError`` instead of taking the machine), a file-size limit, no core dumps, and death
  when the grader that started it dies (``PR_SET_PDEATHSIG``);
* **isolation by allow-list** (where Linux namespaces are available: as root, or with
  unprivileged user namespaces): its own network namespace (no network at all; the kernel
  talks to the grader over Unix sockets), its own PID namespace (it cannot see or
  ``/proc/<pid>/root`` into the grader), and its own mount namespace whose root is a fresh,
  empty file system holding, read-only, only what a Python kernel needs:

  - the Python environment: ``sys.prefix`` and ``sys.base_prefix`` (the interpreter and its
    standard library), the site-packages folders, and the folder of the ``ganlab`` package
    (an editable checkout's ``ganlab/``, not the checkout around it);
  - the system's programs and libraries (``/usr`` and the ``/bin``, ``/lib``... links to it)
    and the few files of ``/etc`` that the C library, SSL and fonts read;
  - a minimal ``/dev`` (``null``, ``zero``, ``urandom``..., the GPUs' device files), ``/proc``
    of its own PID namespace, ``/sys``;
  - an empty ``/tmp`` and, writable, its own scratch folder (its ``HOME``);
  - anything the instructor adds with ``--allow PATH`` (a data set, say).

  Nothing else exists in there: no home directory, no other checkout or copy of the course,
  no submission, no other kernel's scratch. Finally every capability is dropped
  (``setpriv``), so the learner's code cannot mount anything back.

Where namespaces are not available the limits still apply and the grade records the mode
(``sandbox: limits only``), so an instructor knows the file system was in reach.
"""
from __future__ import annotations

import ctypes
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile

ENV_VAR = "GANLAB_SANDBOX"
_PR_SET_PDEATHSIG = 1
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC = 32, 4096, 16384
_MNT_DETACH = 2
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "arm64": 41, "ppc64le": 203, "s390x": 217}

#: The system's part of the file system, read-only (symbolic links are recreated as links).
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: The files of /etc a Python kernel reads (dynamic linker, users, time zone, SSL, fonts).
ETC_ENTRIES = ("alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime",
               "timezone", "passwd", "group", "nsswitch.conf", "hosts", "host.conf",
               "ssl", "ca-certificates", "ca-certificates.conf", "pki", "fonts", "matplotlibrc",
               "mime.types", "os-release", "debian_version", "locale.alias", "locale.gen")
#: Device files: the usual ones, and the GPUs' (NVIDIA's and the DRI render nodes).
DEV_ENTRIES = ("null", "zero", "full", "random", "urandom", "tty", "dri", "nvidiactl",
               "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset", "kfd")


def launcher() -> list[str]:
    """How to start this module: as a plain script in isolated mode, so that starting the
    sandbox does not import ``ganlab`` (and with it torch) twice before the kernel does.
    First used in assignment 01-minimax."""
    return [sys.executable, "-I", os.path.abspath(__file__)]


def namespace_command(inner: list[str]) -> list[str]:
    """The ``unshare`` prefix that puts ``inner`` in new mount, network and PID namespaces.
    First used in assignment 01-minimax."""
    command = ["unshare", "--mount", "--net", "--pid", "--fork", "--kill-child",
               "--mount-proc", "--propagation", "private"]
    if os.geteuid() != 0:
        command[1:1] = ["--user", "--map-root-user"]
    return command + ["--"] + inner


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def runtime_paths(packages: tuple[str, ...] = ("ganlab",), extra: list[str] | None = None) -> list[str]:
    """What a kernel must see of this machine's Python: the prefixes, the site-packages on
    ``sys.path`` and the folders of ``packages`` (found without importing them), plus
    ``extra``. Call it in the process whose environment the kernel inherits (``PYTHONPATH``
    included). First used in assignment 01-minimax."""
    import importlib.util

    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths = set(prefixes)
    for entry in sys.path:
        if entry and os.path.isdir(entry) and ("-packages" in entry
                                              or any(_inside(entry, p) for p in prefixes)):
            paths.add(entry)
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not (spec.submodule_search_locations or spec.origin):
            raise RuntimeError(f"the kernels import {name!r}, which this Python cannot find: "
                               f"install it (pip install -e <repository>) where the grader runs")
        paths.update(spec.submodule_search_locations or [os.path.dirname(spec.origin)])
    for entry in extra or []:
        if not os.path.exists(entry):
            raise RuntimeError(f"--allow {entry}: no such file or folder")
        paths.add(entry)
    found = set()
    for path in paths:
        path = os.path.abspath(path)
        found.add(path)
        found.add(os.path.realpath(path))  # a venv's python links into base_prefix, say
    return sorted(found)


def _probe_spec(scratch: str) -> dict:
    return {"mode": "namespaces", "scratch": scratch, "allow": runtime_paths(packages=())}


def namespaces_available() -> tuple[bool, str]:
    """Can this machine run a kernel in the allow-list sandbox? (ok, why not). It starts the
    sandbox itself, on a tiny Python program. First used in assignment 01-minimax."""
    if sys.platform != "linux":
        return False, f"namespaces need Linux, this is {sys.platform}"
    for tool in ("unshare", "setpriv"):
        if shutil.which(tool) is None:
            return False, f"the '{tool}' program is missing (util-linux)"
    with tempfile.TemporaryDirectory(prefix="ganlab-probe-") as scratch:
        env = dict(os.environ, **{ENV_VAR: json.dumps(_probe_spec(scratch))})
        command = launcher() + ["--", sys.executable, "-I", "-c",
                                "print('ok')"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=30, env=env)
        except (OSError, subprocess.TimeoutExpired) as error:
            return False, f"the namespace sandbox failed to start: {error}"
    if done.returncode != 0 or done.stdout.strip() != "ok":
        why = (done.stderr or done.stdout).strip().splitlines()
        return False, f"the namespace sandbox failed to start: {(why[-1] if why else '?')[:200]}"
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


# --- the file system of the sandbox (inside the new mount namespace) ----------------------

_libc = None


def _c():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _mount(source, target: str, fstype=None, flags: int = 0, data=None) -> None:
    """mount(2), raising OSError with what failed."""
    encode = lambda s: s.encode() if isinstance(s, str) else s  # noqa: E731
    if _c().mount(encode(source), encode(target), encode(fstype), flags, encode(data)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"sandbox: mount {source} on {target}: {os.strerror(errno)}")


# statvfs's flags that a read-only remount must keep: in a user namespace the kernel refuses
# to drop a flag (nosuid, nodev, noexec, atime) that the host's mount has.
_KEPT_FLAGS = {os.ST_NOSUID: _MS_NOSUID, os.ST_NODEV: _MS_NODEV, os.ST_NOEXEC: _MS_NOEXEC,
               1024: 1024, 2048: 2048, 4096: 1 << 21}  # noatime, nodiratime, relatime


def _read_only(target: str) -> None:
    flags = os.statvfs(target).f_flag
    kept = 0
    for st_flag, ms_flag in _KEPT_FLAGS.items():
        if flags & st_flag:
            kept |= ms_flag
    _mount(None, target, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | kept)


class _Kept:
    """A path of the old file system, held open (O_PATH) so it can be bound after /tmp and
    then the whole tree are covered."""

    def __init__(self, path: str):
        self.path = path
        self.link = os.readlink(path) if os.path.islink(path) else None
        self.is_dir = os.path.isdir(path)
        self.fd = None if self.link else os.open(path, os.O_PATH)

    def bind(self, root: str, *, writable: bool = False, recursive: bool = True) -> None:
        target = root + self.path
        if not writable and os.path.lexists(target):  # seen already, through a link or a folder
            if self.fd is not None:
                os.close(self.fd)
            return
        if self.link is not None:
            if not os.path.lexists(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.symlink(self.link, target)
            return
        if self.is_dir:
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if not os.path.exists(target):
                open(target, "w").close()
        _mount(f"/proc/self/fd/{self.fd}", target, None, _MS_BIND | (_MS_REC if recursive else 0))
        if not writable:
            _read_only(target)
        os.close(self.fd)


def _allowed(spec: dict) -> list[str]:
    """The read-only paths, outermost only (a path inside another one is seen through it)."""
    paths = [p for p in SYSTEM_PATHS if os.path.lexists(p)]
    paths += [os.path.join("/etc", e) for e in ETC_ENTRIES if os.path.lexists(os.path.join("/etc", e))]
    paths += [os.path.join("/dev", e) for e in DEV_ENTRIES if os.path.lexists(os.path.join("/dev", e))]
    paths += [os.path.join("/dev", e) for e in os.listdir("/dev")
              if e.startswith("nvidia") and e[6:].isdigit()]
    paths += [os.path.abspath(p) for p in spec.get("allow", []) if os.path.lexists(p)]
    outermost = []
    for path in sorted(set(paths), key=lambda p: (p.count("/"), p)):
        if not any(_inside(path, o) and not os.path.islink(o) for o in outermost):
            outermost.append(path)
    return sorted(outermost)


def _pivot_root(root: str) -> None:
    """Make ``root`` the file system's root and let go of the old one entirely."""
    os.chdir(root)
    number = _SYS_PIVOT_ROOT.get(platform.machine())
    if number is not None:
        failed = _c().syscall(number, b".", b".") != 0
    else:  # pragma: no cover - another architecture: util-linux's program
        failed = subprocess.run(["pivot_root", ".", "."]).returncode != 0
    if failed:
        raise OSError(ctypes.get_errno(), "sandbox: pivot_root failed")
    if _c().umount2(b".", _MNT_DETACH) != 0:
        raise OSError(ctypes.get_errno(), "sandbox: could not detach the old root")
    os.chdir("/")


def _build_filesystem(spec: dict) -> None:
    """Inside the new mount namespace: a new, empty root holding only what is allowed."""
    scratch = os.path.abspath(spec["scratch"])
    kept = [_Kept(p) for p in _allowed(spec)]
    kept_scratch = _Kept(scratch)
    kept_sys = _Kept("/sys") if os.path.isdir("/sys") else None
    kept_proc = _Kept("/proc")
    # The new root: a tmpfs mounted on /tmp (it covers every throwaway course of the grader).
    root = "/tmp"
    _mount("tmpfs", root, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=16m,mode=755")
    os.makedirs(root + "/tmp")  # first: a checkout under /tmp goes back in it
    _mount("tmpfs", root + "/tmp", "tmpfs", _MS_NOSUID | _MS_NODEV, "size=512m,mode=1777")
    for item in kept:
        item.bind(root)
    os.makedirs(root + "/proc", exist_ok=True)
    try:  # a proc of the kernel's own PID namespace...
        _mount("proc", root + "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
        os.close(kept_proc.fd)
    except OSError:  # ...or, where a user namespace may not mount one, unshare's
        kept_proc.bind(root, writable=True)
    if kept_sys is not None:
        try:
            kept_sys.bind(root)
        except OSError:  # not needed, only nice to have (CPU topology)
            pass
    os.makedirs(root + "/dev/shm", exist_ok=True)
    _mount("tmpfs", root + "/dev/shm", "tmpfs", _MS_NOSUID | _MS_NODEV, "size=512m,mode=1777")
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        if not os.path.lexists(f"{root}/dev/{name}"):
            os.symlink(target, f"{root}/dev/{name}")
    kept_scratch.bind(root, writable=True, recursive=False)
    _read_only(root)
    _pivot_root(root)


def main(argv: list[str]) -> None:
    """``python -I sandbox.py [--inside] -- COMMAND``: run COMMAND in the sandbox that the
    ``GANLAB_SANDBOX`` spec describes. First used in assignment 01-minimax."""
    if "--" not in argv:
        sys.exit("usage: GANLAB_SANDBOX='{...}' python -I sandbox.py [--inside] -- CMD")
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
