"""Every public name of ganlab says where the course first uses it, and that place uses it.

A learner meeting ``train_gan`` in chapter 1 should be able to go from the docstring to the
chapter and back. So every function and class in a module's ``__all__`` has a docstring with

* "chapter N": the first chapter that uses it (its code, or its text showing the name as
  code, ```ganlab.losses.d_loss```);
* "assignment NN": a helper only the exercises use;
* "the stored measurements" (what ``python -m scripts.measure`` runs, whose results the
  chapters show) or "the shipped weights" (what ``scripts/train_*.py`` trains);
* "the book build".

For the documented API (what the packages export, and the modules the chapters import by
name) the test reads the notebooks: chapter N uses the name and no earlier chapter does. A
name the learner meets inside another says so: "chapter 7, through :func:`train_cyclegan`"
(chapter 7 uses ``train_cyclegan``, and no earlier chapter uses the name itself). A class that
a function returns (``TrainResult`` from ``train_gan``) is used wherever that function is.
"""
from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from functools import lru_cache
from pathlib import Path

import pytest

import ganlab

ROOT = Path(__file__).resolve().parents[1]
#: the instructor's side moves out of the learners' package (issue 11): not the learners' API
SKIPPED_PACKAGES = ("ganlab.grading",)
#: modules the chapters import by name: their whole ``__all__`` is documented API
LEAF_MODULES = ("ganlab.device", "ganlab.losses", "ganlab.plot", "ganlab.widgets",
                "ganlab.latent", "ganlab.pretrained", "ganlab.notebook", "ganlab.train.recipes",
                "ganlab.exercise_checks", "ganlab.i18n")
PACKAGES = ("ganlab", "ganlab.data", "ganlab.models", "ganlab.metrics", "ganlab.train",
            "ganlab.results")
PLACE = re.compile(r"\b(?:[Cc]hapters? (?P<chapter>\d+)|[Aa]ssignments? (?P<assignment>\d+)"
                   r"|(?P<book>the book build)|(?P<measurements>the stored measurements)"
                   r"|(?P<weights>the shipped weights))")
THROUGH = re.compile(r"\bthrough\s+(?::\w+:`~?|``?)([\w.]+)")


def _import(module_name: str):
    try:
        return importlib.import_module(module_name)
    except ImportError:  # an optional module whose extra is not installed
        return None


@lru_cache(maxsize=None)
def _modules() -> tuple[str, ...]:
    names = ["ganlab"] + [m.name for m in pkgutil.walk_packages(ganlab.__path__, "ganlab.")]
    return tuple(name for name in names if not name.startswith(SKIPPED_PACKAGES)
                 and not name.endswith("__main__"))


def _public(module) -> list[tuple[str, object]]:
    """(name, object) for the functions and classes in ``module.__all__``."""
    found = []
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            found.append((name, obj))
    return found


def _defined() -> list[tuple[str, object]]:
    """(qualified name, object) for every public function and class, where it is defined."""
    found = []
    for module_name in _modules():
        module = _import(module_name)
        if module is not None:
            found += [(f"{module_name}.{name}", obj) for name, obj in _public(module)
                      if obj.__module__ == module_name]
    return found


@lru_cache(maxsize=None)
def _homes() -> dict[int, tuple[str, set[str]]]:
    """id(object) -> (its name, the last part of every module whose ``__all__`` has it)."""
    homes: dict[int, tuple[str, set[str]]] = {}
    for module_name in _modules():
        module = _import(module_name)
        for name, obj in _public(module) if module is not None else []:
            homes.setdefault(id(obj), (name, set()))[1].add(module_name.rsplit(".", 1)[-1])
    return homes


@lru_cache(maxsize=None)
def _api() -> dict[int, object]:
    """id(object) -> object, for the documented API."""
    api = {}
    for module_name in PACKAGES + LEAF_MODULES:
        module = _import(module_name)
        api.update({id(obj): obj for _, obj in _public(module)} if module is not None else {})
    return api


@lru_cache(maxsize=None)
def _by_name() -> dict[str, list[object]]:
    by_name: dict[str, list[object]] = {}
    for obj in _api().values():
        by_name.setdefault(_homes()[id(obj)][0], []).append(obj)
    return by_name


@lru_cache(maxsize=None)
def _makers() -> dict[str, list[object]]:
    """Class name -> the API objects whose function or methods return it (by annotation)."""
    makers: dict[str, list[object]] = {}
    for obj in _api().values():
        functions = [obj] if inspect.isfunction(obj) else [
            member for _, member in inspect.getmembers(obj, inspect.isfunction)]
        for function in functions:
            for word in set(re.findall(r"\w+", str(inspect.signature(function).return_annotation))):
                if word != _homes()[id(obj)][0]:
                    makers.setdefault(word, []).append(obj)
    return makers


def _uses(text: str, obj) -> bool:
    """Whether ``text`` uses ``obj``: as ``module.name``, or imported by its name.

    ``results.load(...)`` uses :func:`ganlab.results.load`, ``torch.load`` does not: a bare
    word is too common to count.
    """
    name, modules = _homes()[id(obj)]
    aliases = set(modules)
    for m in modules:  # from ganlab import exercise_checks as checks; import ganlab.plot as p
        aliases |= set(re.findall(rf"\bimport\s+(?:ganlab\.)?(?:\w+\.)*{re.escape(m)}\s+as\s+(\w+)",
                                  text))
    if any(re.search(rf"\b{re.escape(m)}\.{re.escape(name)}\b", text) for m in aliases):
        return True
    homes = "|".join(re.escape(m) for m in modules if m != "ganlab")
    module_path = rf"ganlab(\.\w+)*\.({homes})" if homes else "ganlab"
    if "ganlab" in modules and homes:
        module_path = rf"({module_path}|ganlab)"
    imported = rf"from\s+{module_path}\s+import\s+(\([^)]*|[^\n]*)(?<![\w.]){re.escape(name)}\b"
    return re.search(imported, text) is not None


def _used_in(text: str, obj, seen: frozenset = frozenset()) -> bool:
    """Whether ``text`` uses ``obj``, or a function that returns it."""
    if _uses(text, obj):
        return True
    name = _homes()[id(obj)][0]
    return any(_used_in(text, maker, seen | {id(obj)})
               for maker in _makers().get(name, ()) if id(maker) not in seen)


@lru_cache(maxsize=None)
def _chapter_text() -> dict[int, str]:
    """Chapter number -> its code cells, and an import line for each name its text shows.

    The text counts where it names the function as code for the learner
    (```ganlab.losses.d_loss```, ```train_gan(...)```).
    """
    chapters = {}
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        for cell in cells:
            if cell["cell_type"] == "markdown":
                for shown in re.findall(r"`([\w.]+)(?:\([^`]*\))?`", "".join(cell["source"])):
                    module, _, name = shown.rpartition(".")
                    sources.append(f"{shown}\nfrom ganlab{'.' + module if module else ''} "
                                   f"import {name}")
        chapters[int(path.name[:2])] = "\n".join(sources)
    return chapters


def _read(paths) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in paths)


@lru_cache(maxsize=None)
def _assignment_text() -> dict[int, str]:
    """Assignment number -> its source notebooks (both languages) and its files in ``exercises/assignments``."""
    texts: dict[int, str] = {}
    for root in ("source", "source-ko", "assignments"):
        for folder in sorted((ROOT / "exercises" / root).glob("[0-9][0-9]-*")):
            files = [p for p in folder.rglob("*") if p.suffix in (".ipynb", ".py", ".md")]
            number = int(folder.name[:2])
            texts[number] = texts.get(number, "") + "\n" + _read(files)
    return texts


@lru_cache(maxsize=None)
def _script_text(kind: str) -> str:
    scripts = ROOT / "scripts"
    if kind == "measurements":
        return _read([scripts / "measure.py", *(scripts / "measurements").glob("*.py")])
    return _read(scripts.glob("train_*.py"))


def _place(obj) -> re.Match | None:
    return PLACE.search(inspect.getdoc(obj) or "")


def _through(obj) -> list[object]:
    """The API objects named after "through" in the docstring."""
    names = [n.rsplit(".", 1)[-1] for n in THROUGH.findall(inspect.getdoc(obj) or "")]
    return [other for name in names for other in _by_name().get(name, [])]


ALL_NAMES = _defined()


def test_the_audit_covers_the_package():
    qualified = {name for name, _ in ALL_NAMES}
    assert len(qualified) > 100
    for name in ("ganlab.train.gan.train_gan", "ganlab.losses.d_loss", "ganlab.plot.image_grid",
                 "ganlab.latent.slerp", "ganlab.results.load", "ganlab.pretrained.load"):
        assert name in qualified, name
    from ganlab import pretrained, results
    assert _uses("m = results.load('x')", results.load)
    assert not _uses("m = results.load('x')", pretrained.load)
    assert not _uses("state = torch.load(path)", pretrained.load)
    assert _uses("from ganlab.pretrained import (\n    entry, load)\n", pretrained.load)


@pytest.mark.parametrize("qualified, obj", ALL_NAMES, ids=[name for name, _ in ALL_NAMES])
def test_docstring_names_where_it_is_first_used(qualified, obj):
    place = _place(obj)
    assert place, (f"{qualified}: its docstring must name where the course first uses it, "
                   "e.g. 'First used in chapter 3.', 'assignment 04' or 'the book build'")
    if id(obj) not in _api():
        return  # an internal helper: the format is all that is checked
    via = _through(obj)
    if place["chapter"]:
        chapter, chapters = int(place["chapter"]), _chapter_text()
        assert chapter in chapters, f"{qualified}: there is no chapter {chapter}"
        direct = [n for n, text in chapters.items() if _used_in(text, obj)]
        indirect = [n for n, text in chapters.items() if any(_used_in(text, o) for o in via)]
        assert chapter in direct + indirect, (
            f"{qualified} says chapter {chapter}, which does not use it (chapters {direct} "
            f"do{'; through ' + str(indirect) if via else ''}); name the chapter that does")
        assert not direct or chapter <= min(direct), (
            f"{qualified} says chapter {chapter}, but chapter {min(direct)} uses it first")
    elif place["assignment"]:
        number, texts = int(place["assignment"]), _assignment_text()
        assert number in texts, f"{qualified}: there is no assignment {number:02d}"
        assert any(_used_in(texts[number], o) for o in [obj] + via), (
            f"{qualified} says assignment {number:02d}, whose files do not use it")
    elif place["measurements"] or place["weights"]:
        kind = "measurements" if place["measurements"] else "weights"
        assert any(_used_in(_script_text(kind), o) for o in [obj] + via), (
            f"{qualified} says {place.group(0)}, whose scripts do not use it")
