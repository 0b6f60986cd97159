"""Write every assignment's nbgrader source notebook from its builder in scripts/assignments/.

    python -m scripts.build_assignments            # write exercises/source/<a>/<a>.ipynb
    python -m scripts.build_assignments --check    # exit 1 if a committed notebook is stale
    python -m scripts.build_assignments 02-losses  # only the named assignment(s)

An assignment is any module in ``scripts/assignments/`` that defines ``NAME`` and ``build()``
(``cells.py`` holds the shared cell builders), so adding an assignment needs no list here.
Notebooks are written without outputs and byte for byte the same on every rebuild.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

import nbformat

from scripts import assignments as _package

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "exercises" / "source"


def discover() -> dict:
    """``{NAME: module}`` for every module of scripts.assignments with NAME and build()."""
    found = {}
    for info in sorted(pkgutil.iter_modules(_package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{_package.__name__}.{info.name}")
        name, build = getattr(module, "NAME", None), getattr(module, "build", None)
        if name is None or not callable(build):
            continue
        if name in found:
            raise RuntimeError(f"two builders call their assignment {name!r}: "
                               f"{found[name].__name__} and {module.__name__}")
        found[name] = module
    return dict(sorted(found.items()))


def render(module) -> str:
    """The notebook text exactly as it is written to disk."""
    return nbformat.writes(module.build(), version=4) + "\n"


def path_of(name: str, source: Path = SOURCE) -> Path:
    return source / name / f"{name}.ipynb"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="assignments to build (default: all)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a notebook differs from its builder")
    parser.add_argument("--source", type=Path, default=SOURCE,
                        help="the nbgrader source folder (default: exercises/source)")
    args = parser.parse_args(argv)

    builders = discover()
    unknown = sorted(set(args.names) - set(builders))
    if unknown:
        parser.error(f"no builder for {unknown}; known assignments: {sorted(builders)}")
    stale = []
    for name in args.names or builders:
        path, text = path_of(name, args.source), render(builders[name])
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        else:
            print(f"up to date: {name}")
    if stale:
        print("out of date (run `python -m scripts.build_assignments`):", file=sys.stderr)
        for path in stale:
            print(f"  {path}", file=sys.stderr)
        return 1
    if args.check:
        print(f"all {len(args.names or builders)} source notebooks match their builders")
    return 0


if __name__ == "__main__":
    sys.exit(main())
