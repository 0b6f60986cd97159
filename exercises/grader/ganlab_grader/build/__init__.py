"""Write every assignment's nbgrader source notebooks from its folder in exercises/assignments/.

    python -m ganlab_grader.build            # write exercises/source/<a>/<a>.ipynb (English)
                                             # and exercises/source-ko/<a>/<a>.ipynb (Korean)
    python -m ganlab_grader.build --check    # exit 1 if a committed notebook is stale
    python -m ganlab_grader.build 02-losses  # only the named assignment(s)

An assignment is any folder ``exercises/assignments/<NN-name>/`` with an ``assignment.toml``
(its cells, in notebook order) and a ``mistakes.toml`` (its classic mistakes): data, read into
the records of :mod:`ganlab_grader.build.spec`; the cells' text and code come from the
folder's Markdown and Python files (:mod:`ganlab_grader.build.sources`). Adding an assignment
needs no list here. Notebooks are written without outputs and byte for byte the same on every rebuild.
The Korean notebook is the English one translated (:mod:`ganlab_grader.build.translate`: the
folder's ``text.ko.md`` and ``messages.ko.toml``), with the same cells, ids and tests; it lives
in its own source folder so that nbgrader, run on ``exercises/``, sees one notebook per assignment.
First used by ``make release`` (through the committed notebooks) and assignment 01-minimax.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import nbformat

from . import spec, translate

ROOT = Path(__file__).resolve().parents[4]
ASSIGNMENTS = ROOT / "exercises" / "assignments"
SOURCE = ROOT / "exercises" / "source"
LANGUAGES = ("en", *translate.LANGUAGES)


def source_folder(source: Path, language: str) -> Path:
    """Where the source notebooks in language live: ``source`` for English, ``source-ko`` beside it."""
    source = Path(source)
    return source if language == "en" else source.with_name(f"{source.name}-{language}")


@dataclass(frozen=True)
class Assignment:
    """One assignment folder: its name, its cells and its classic mistakes."""
    name: str
    folder: Path
    cells: tuple
    mistakes: tuple
    doc: str

    def build(self, language: str = "en") -> nbformat.NotebookNode:
        """The source notebook, in English or (translated) in another language."""
        english = spec.build(self.cells, self.folder)
        return english if language == "en" else translate.translated(english, self.folder, language)


def load_module(path: Path, name: str) -> ModuleType:
    """Import the file at path under name (assignment folders are not packages: 01-minimax)."""
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def load(folder: Path) -> Assignment:
    """The assignment in folder, from its assignment.toml and mistakes.toml."""
    data = spec.read_toml(folder / "assignment.toml")
    if data.get("name") != folder.name:
        raise spec.SpecError(f"{folder / 'assignment.toml'}: name must be {folder.name!r}, "
                             f"got {data.get('name')!r}")
    records = tuple(spec.cell_record(entry, f"{folder / 'assignment.toml'}, cell {index}")
                    for index, entry in enumerate(data.get("cell", []), start=1))
    if not records:
        raise spec.SpecError(f"{folder / 'assignment.toml'} lists no [[cell]]")
    mistakes = ()
    if (folder / "mistakes.toml").exists():
        entries = spec.read_toml(folder / "mistakes.toml").get("mistake", [])
        mistakes = tuple(spec.mistake_record(entry, f"{folder / 'mistakes.toml'}, mistake {index}")
                         for index, entry in enumerate(entries, start=1))
    return Assignment(folder.name, folder, records, mistakes, data.get("about", ""))


def discover(root: Path = ASSIGNMENTS) -> dict[str, Assignment]:
    """``{NAME: Assignment}`` for every folder of root with an assignment.toml, sorted."""
    return {folder.name: load(folder) for folder in sorted(root.iterdir())
            if (folder / "assignment.toml").is_file()}


def render(assignment: Assignment, language: str = "en") -> str:
    """The notebook text exactly as it is written to disk."""
    return nbformat.writes(assignment.build(language), version=4) + "\n"


def path_of(name: str, source: Path = SOURCE, language: str = "en") -> Path:
    """Where the source notebook of assignment name in language lives."""
    return source_folder(source, language) / name / f"{name}.ipynb"


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module's docstring); returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m ganlab_grader.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="assignments to build (default: all)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a notebook differs from its assignment folder")
    parser.add_argument("--source", type=Path, default=SOURCE,
                        help="the nbgrader source folder (default: exercises/source)")
    args = parser.parse_args(argv)

    assignments = discover()
    unknown = sorted(set(args.names) - set(assignments))
    if unknown:
        parser.error(f"no assignment folder for {unknown}; known assignments: {sorted(assignments)}")
    stale = []
    for name, language in ((n, lang) for n in args.names or assignments for lang in LANGUAGES):
        try:
            path, text = path_of(name, args.source, language), render(assignments[name], language)
        except translate.TranslationError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        else:
            print(f"up to date: {name} ({language})")
    if stale:
        print("out of date (run `python -m ganlab_grader.build`):", file=sys.stderr)
        for path in stale:
            print(f"  {path}", file=sys.stderr)
        return 1
    if args.check:
        print(f"all {len(args.names or assignments)} assignments' source notebooks ({', '.join(LANGUAGES)}) "
              "match their assignment folders")
    return 0
