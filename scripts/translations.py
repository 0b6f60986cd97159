"""Translations of the book, kept in step with the English notebooks (issue 12).

A translated chapter is the English notebook with its Markdown cells replaced: code cells are
the English ones byte for byte, so a fix to the code lands in every language and jupyter-cache
(which keys on code) executes nothing twice.  The translated Markdown lives in one readable
file per notebook, ``translations/<lang>/chapters/<chapter>.md``, made of blocks::

    <!-- cell c004 en:3f2a9c1b7d0e -->
    ## 가치 함수, 항 하나씩
    ...

``c004`` is the English cell's id and ``3f2a9c1b7d0e`` the first 12 hex digits of the SHA-256 of
the English cell's source at the time it was translated.  When the English cell changes, the
hash no longer matches and :func:`problems` names the cell as stale, so a later edit to the
English book cannot leave the translation silently behind.  A block whose marker ends in
`` todo`` (``<!-- cell c004 en:3f2a9c1b7d0e todo -->``) still holds the English text to
translate.

Command line (``python -m scripts.translations``)::

    status [--lang ko]                 # every missing, stale, untranslated or broken cell
    stub   [--lang ko] CHAPTER ...     # add blocks (English text, marked todo) for missing cells
    stamp  [--lang ko] CHAPTER CELL    # after updating a stale cell: record the English hash

A translated cell must keep the English cell's machine-read markup: labels ``(name)=``,
``{glue:...}``, ``{cite}``, ``{eq}``, ``{numref}`` and ``{ref}`` targets, equation labels and
the maths itself (:func:`markup_problems`).
"""
from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("ko",)
CHAPTERS_DIR = ROOT / "chapters"

_MARKER = re.compile(r"^<!-- cell (?P<id>\S+) en:(?P<hash>[0-9a-f]{12})(?P<todo> todo)? -->[ \t]*$", re.M)


def source_hash(source: str) -> str:
    """First 12 hex digits of the SHA-256 of an English cell's source."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]


def translation_path(chapter: str | Path, lang: str = "ko", root: Path = ROOT) -> Path:
    """``translations/<lang>/chapters/<chapter>.md`` for ``chapters/<chapter>.ipynb``."""
    return root / "translations" / lang / "chapters" / f"{Path(chapter).stem}.md"


@dataclass(frozen=True)
class Block:
    """One translated Markdown cell."""

    cell_id: str
    english_hash: str
    text: str
    todo: bool = False


def english_markdown(notebook) -> dict[str, str]:
    """The English notebook's Markdown cells: ``{cell id: source}``, in order."""
    return {cell.id: cell.source for cell in notebook.cells if cell.cell_type == "markdown"}


def parse(text: str, where: str = "translation") -> dict[str, Block]:
    """The blocks of a translation file, by cell id; a clear error for a malformed file."""
    markers = list(_MARKER.finditer(text))
    if text.strip() and not markers:
        raise ValueError(f"{where}: no '<!-- cell <id> en:<hash> -->' markers found")
    blocks: dict[str, Block] = {}
    for marker, following in zip(markers, markers[1:] + [None]):
        end = following.start() if following else len(text)
        body = text[marker.end():end].strip("\n")
        cell_id = marker["id"]
        if cell_id in blocks:
            raise ValueError(f"{where}: cell {cell_id} is translated twice")
        blocks[cell_id] = Block(cell_id, marker["hash"], body, bool(marker["todo"]))
    return blocks


def render(blocks: list[Block]) -> str:
    """The text of a translation file holding ``blocks`` (the inverse of :func:`parse`)."""
    parts = []
    for block in blocks:
        todo = " todo" if block.todo else ""
        parts.append(f"<!-- cell {block.cell_id} en:{block.english_hash}{todo} -->\n{block.text}\n")
    return "\n".join(parts)


def read(chapter: str | Path, lang: str = "ko", root: Path = ROOT) -> dict[str, Block]:
    path = translation_path(chapter, lang, root)
    if not path.is_file():
        return {}
    return parse(path.read_text(encoding="utf-8"), where=str(path.relative_to(root)))


# The markup a reader never sees but the build reads: it must survive translation unchanged.
_MARKUP = {
    "label": re.compile(r"^\((?P<x>[^)\s]+)\)=\s*$", re.M),
    "role": re.compile(r"\{(?:glue:text|glue:figure|glue|cite|cite:p|cite:t|eq|numref|ref|doc|download)\}`(?P<x>[^`]*)`"),
    "directive": re.compile(r"^(?:```|:::)\{(?P<x>glue:figure|glue:math|math|figure|table)\}\s*(?P<arg>\S*)", re.M),
    "equation label": re.compile(r"^\$\$ *\((?P<x>[^)]+)\)\s*$", re.M),
    "name option": re.compile(r"^:name:\s*(?P<x>\S+)", re.M),
}


def _target(kind: str, match: re.Match) -> str:
    if kind == "role":
        x = match["x"]
        return x.split("<")[-1].rstrip(">") if "<" in x else x  # {numref}`Figure %s <fig-x>`
    if kind == "directive":  # a table's argument is its caption, translated like any text
        return match["x"] if match["x"] == "table" else f"{match['x']} {match['arg']}"
    return match["x"]


def markup(source: str) -> Counter:
    """The machine-read markup of a Markdown cell, as a multiset of ``(kind, target)``."""
    found: Counter = Counter()
    for kind, pattern in _MARKUP.items():
        for match in pattern.finditer(source):
            found[(kind, _target(kind, match))] += 1
    # Words in \text{...} inside an equation may be translated; the maths around them may not.
    found.update(("display maths", re.sub(r"\\text\{[^{}]*\}", r"\\text{}", eq).strip())
                 for eq in re.findall(r"\$\$(.+?)\$\$", source, re.S))
    return found


def markup_problems(english: str, translated: str) -> list[str]:
    """What a translation lost or added of the English cell's markup (empty when it kept all)."""
    en, ko = markup(english), markup(translated)
    problems = [f"missing {kind} {target!r}" for (kind, target), n in (en - ko).items()]
    problems += [f"extra {kind} {target!r}" for (kind, target), n in (ko - en).items()]
    return problems


def problems(chapter: str | Path, lang: str = "ko", root: Path = ROOT) -> list[str]:
    """Every reason the translation of ``chapter`` is not in step with the English notebook."""
    notebook = nbformat.read(root / "chapters" / f"{Path(chapter).stem}.ipynb", as_version=4)
    english = english_markdown(notebook)
    blocks = read(chapter, lang, root)
    name = Path(chapter).stem
    found = []
    for cell_id, source in english.items():
        first_line = source.strip().splitlines()[0][:60] if source.strip() else ""
        block = blocks.get(cell_id)
        if block is None:
            found.append(f"{name} cell {cell_id} ({first_line!r}): not translated")
        elif block.todo:
            found.append(f"{name} cell {cell_id} ({first_line!r}): marked todo")
        elif block.english_hash != source_hash(source):
            found.append(f"{name} cell {cell_id} ({first_line!r}): the English cell changed since it "
                         f"was translated (update the translation, then `python -m scripts.translations "
                         f"stamp --lang {lang} {name} {cell_id}`)")
        else:
            found += [f"{name} cell {cell_id}: {p}" for p in markup_problems(source, block.text)]
    found += [f"{name} cell {cell_id}: translated, but the English notebook has no such Markdown cell"
              for cell_id in blocks.keys() - english.keys()]
    return found


def translated_notebook(notebook, blocks: dict[str, Block]):
    """A copy of ``notebook`` whose Markdown cells are the translations (code cells unchanged).

    A Markdown cell without a translation keeps its English text (a build of a partial
    translation still reads); :func:`problems` is what reports it.
    """
    copy = nbformat.from_dict(notebook)
    for cell in copy.cells:
        block = blocks.get(cell.get("id"))
        if cell.cell_type == "markdown" and block is not None and not block.todo:
            cell.source = block.text
    return copy


def stub(chapter: str | Path, lang: str = "ko", root: Path = ROOT) -> int:
    """Add a todo block holding the English text for every untranslated cell; keep the rest.

    Blocks are written in the English notebook's order.  Returns how many blocks were added.
    """
    notebook = nbformat.read(root / "chapters" / f"{Path(chapter).stem}.ipynb", as_version=4)
    existing = read(chapter, lang, root)
    ordered, added = [], 0
    for cell_id, source in english_markdown(notebook).items():
        if cell_id in existing:
            ordered.append(existing[cell_id])
        else:
            ordered.append(Block(cell_id, source_hash(source), source, todo=True))
            added += 1
    path = translation_path(chapter, lang, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(ordered), encoding="utf-8")
    return added


def stamp(chapter: str | Path, cell_id: str, lang: str = "ko", root: Path = ROOT) -> None:
    """Record that the translation of ``cell_id`` follows the English cell as it is now."""
    notebook = nbformat.read(root / "chapters" / f"{Path(chapter).stem}.ipynb", as_version=4)
    english = english_markdown(notebook)
    if cell_id not in english:
        raise SystemExit(f"{chapter} has no Markdown cell {cell_id!r}")
    blocks = read(chapter, lang, root)
    if cell_id not in blocks:
        raise SystemExit(f"{cell_id} is not translated yet: run `stub` first")
    blocks[cell_id] = Block(cell_id, source_hash(english[cell_id]), blocks[cell_id].text, todo=False)
    translation_path(chapter, lang, root).write_text(render(list(blocks.values())), encoding="utf-8")


def chapter_names(root: Path = ROOT) -> list[str]:
    return sorted(p.stem for p in (root / "chapters").glob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.translations", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    status_cmd = commands.add_parser("status", help="list every cell that is not in step")
    status_cmd.add_argument("--lang", default="ko", choices=LANGUAGES)
    stub_cmd = commands.add_parser("stub", help="add todo blocks for untranslated cells")
    stub_cmd.add_argument("--lang", default="ko", choices=LANGUAGES)
    stub_cmd.add_argument("chapters", nargs="+")
    stamp_cmd = commands.add_parser("stamp", help="record the English hash of an updated cell")
    stamp_cmd.add_argument("--lang", default="ko", choices=LANGUAGES)
    stamp_cmd.add_argument("chapter")
    stamp_cmd.add_argument("cell")
    args = parser.parse_args(argv)

    if args.command == "stub":
        for chapter in args.chapters:
            print(f"{Path(chapter).stem}: {stub(chapter, args.lang)} blocks added")
        return 0
    if args.command == "stamp":
        stamp(args.chapter, args.cell, args.lang)
        return 0
    found = [p for chapter in chapter_names() for p in problems(chapter, args.lang)]
    print("\n".join(found) if found else f"every chapter's {args.lang} translation is in step")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())


# ---------------------------------------------------------------------------------------
# Glued words: the values code cells compute and the text quotes with {glue:text}
# ---------------------------------------------------------------------------------------
#: ``translations/<lang>/glued.json``: English glued texts -> their translation.
GLUED_TABLE = "glued.json"
_PLACEHOLDER = re.compile(r"\{(\d*)\}")
_ENGLISH_PLACEHOLDER = re.compile(r"\{=?\}")
_LATIN = re.compile(r"[A-Za-z]")


def glued_table(lang: str = "ko", root: Path = ROOT) -> dict[str, str]:
    """The glued-words table of ``lang``, checked; ``{}`` if the language has none.

    The file maps an English text to its translation.  A key holding ``{}`` is a template:
    each ``{}`` stands for any text (a number, a setting's name), and the translation puts
    the parts back with ``{}`` in the same order or ``{0}``, ``{1}``, ... in any order.  A part
    written ``{=}`` in the English template is put back as it is, untranslated (a setting's name
    inside a command).  A key starting with ``_`` is a comment.  First used in the book build.
    """
    import json

    path = root / "translations" / lang / GLUED_TABLE
    if not path.is_file():
        return {}
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc}); fix the file (a missing comma or quote?)") from exc
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ValueError(f"{path}: must be one JSON object mapping English texts to translated texts")
    table = {k: v for k, v in table.items() if not k.startswith("_")}
    for english, translated in table.items():
        _check_template(english, translated, where=str(path))
    return table


def _check_template(english: str, translated: str, where: str = "glued table") -> None:
    n = len(_ENGLISH_PLACEHOLDER.findall(english))
    if re.search(r"\{\d+\}", english):
        raise ValueError(f"{where}: the English template {english!r} must use plain {{}} or {{=}} placeholders")
    used = _PLACEHOLDER.findall(translated)
    numbered = [int(i) for i in used if i]
    if numbered and len(numbered) != len(used):
        raise ValueError(f"{where}: {translated!r} mixes {{}} and {{0}}-style placeholders; use one kind")
    if (sorted(numbered) != list(range(n))) if numbered else (len(used) != n):
        raise ValueError(f"{where}: {english!r} has {n} placeholders but its translation {translated!r} "
                         f"uses {len(used)} ({used}); put each part back exactly once")


def _template_regex(english: str) -> re.Pattern:
    parts = _ENGLISH_PLACEHOLDER.split(english)
    return re.compile("(.+?)".join(re.escape(p) for p in parts), re.S)


def _is_template(english: str) -> bool:
    return bool(_ENGLISH_PLACEHOLDER.search(english))


def _fill(translated: str, parts: list[str]) -> str:
    counter = iter(range(len(parts)))
    return _PLACEHOLDER.sub(lambda m: parts[int(m[1]) if m[1] else next(counter)], translated)


def _sentences(text: str) -> list[str]:
    """``text`` cut into sentences: after ``.``, ``!`` or ``?`` and a space before a capital."""
    return [part for part in re.split(r"(?<=[.!?])\s+(?=[A-Z(])", text.strip()) if part]


def _match(text: str, table: dict[str, str]) -> tuple[str, list[str]] | None:
    """The entry of ``table`` that ``text`` is, and the parts its placeholders stand for."""
    if text in table:
        return text, []
    # Most specific template first: the one with the most fixed text.
    templates = sorted((k for k in table if _is_template(k)),
                       key=lambda k: (-len(_ENGLISH_PLACEHOLDER.sub("", k)), k))
    for english in templates:
        match = _template_regex(english).fullmatch(text)
        if match:
            return english, list(match.groups())
    return None


def translate_glued(text: str, table: dict[str, str], _depth: int = 0) -> str:
    """A glued text in the table's language: ``"equal"`` -> ``"같다"``.

    Exact entries first, then (for a text of several sentences) each sentence on its own,
    then templates (``"{} times the real-vs-real floor"`` ->
    ``"진짜 대 진짜 하한의 {}배"``), whose parts are translated the same way in turn.  Text
    without Latin letters (a number, ``"7.1 ± 0.4"``) and text the table does not know come
    back unchanged (:func:`untranslated_glued` finds the latter).  First used in the book build.
    """
    if not isinstance(text, str):
        raise TypeError(f"translate_glued takes the glued text as a str, got {type(text).__name__}")
    if not _LATIN.search(text) or _depth > 8:
        return text
    sentences = _sentences(text)
    if len(sentences) > 1 and text not in table:  # "With X: ... . With Y: ... ."
        return " ".join(translate_glued(sentence, table, _depth + 1) for sentence in sentences)
    found = _match(text, table)
    if found is None:
        return text
    english, parts = found
    verbatim = [token == "{=}" for token in _ENGLISH_PLACEHOLDER.findall(english)]
    return _fill(table[english], [part if keep else translate_glued(part, table, _depth + 1)
                                  for part, keep in zip(parts, verbatim)])


def untranslated_glued(text: str, table: dict[str, str], _depth: int = 0) -> bool:
    """Whether ``text`` keeps English words that ``table`` does not translate.

    True for text with Latin letters that no entry matches, and for a template match whose
    part is English prose (two words or more: a new setting's name) the table does not know;
    a part such as ``ganlab.train.recipes.dcgan_digits`` is a name and stays.  An entry equal
    to its key keeps the English on purpose.  The book build lists these so that a new glued
    sentence gets its row.  First used in the book build.
    """
    if not _LATIN.search(text) or _depth > 8:
        return False
    sentences = _sentences(text)
    if len(sentences) > 1 and text not in table:
        return any(untranslated_glued(sentence, table, _depth + 1) for sentence in sentences)
    found = _match(text, table)
    if found is None:
        return True
    english, parts = found
    verbatim = [token == "{=}" for token in _ENGLISH_PLACEHOLDER.findall(english)]
    return any(not keep and _PROSE.search(part) and untranslated_glued(part, table, _depth + 1)
               for part, keep in zip(parts, verbatim))


#: English prose in a template's part: two words of letters separated by a space.
_PROSE = re.compile(r"(?<![\w.])[A-Za-z]{2,} [A-Za-z]{2,}(?![\w.])")


def translate_glued_plain(plain: str, table: dict[str, str]) -> str:
    """A glued output's ``text/plain`` with the string in it translated (:func:`translate_glued`).

    IPython stores a glued ``str`` as its repr, ``"'equal'"``, and MyST-NB reads it back with
    ``ast.literal_eval``; so the string is read the same way, translated and written back as a
    repr (``"'같다'"``).  A number's or an object's ``text/plain`` comes back unchanged.  First
    used in the book build.
    """
    import ast

    try:
        value = ast.literal_eval(plain)
    except (SyntaxError, ValueError):
        return plain
    if not isinstance(value, str):
        return plain
    translated = translate_glued(value, table)
    return plain if translated == value else repr(translated)
