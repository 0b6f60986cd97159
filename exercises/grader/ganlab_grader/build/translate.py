"""An assignment in another language, built from the English notebook and two translation files.

The Korean notebook of ``exercises/assignments/<NN-name>/`` is the English source notebook
with three things changed, and nothing else (the tests grade both alike):

* every Markdown cell is the region of ``text.ko.md`` with its ``grade_id``, written after a
  line ``<!-- cell: <grade_id> en:<hash> -->``; ``<hash>`` is :func:`source_hash` of the
  English region it translates, so an edited English cell makes its translation *stale*;
* every text a learner reads in the code (a string with words in it, a docstring, a
  comment) is replaced by its translation from ``messages.ko.toml`` (the assignment's, then
  ``exercises/assignments/messages.ko.toml`` for the texts all assignments share)::

      [[text]]
      en = "V on batches of {_m} real and {_n} fake probabilities"
      ko = "실제 확률 {_m}개와 가짜 확률 {_n}개로 된 배치에서의 V"

  An f-string is written with its replacement fields as in the code (``{_m}``, ``{x:.3f}``)
  and its translation must hold the same fields; a docstring is written without its
  indentation. ``ko = ""`` marks a text not yet translated;
* the setup cell tells ``ganlab.exercise_checks`` the language (``checks.use_language("ko")``),
  so the checks' own messages ("expected shape ..., got ...") come in Korean too, and the
  notebook's metadata says ``{"ganlab": {"language": "ko"}}`` (the grader reads it).

Which strings a learner reads as prose: :func:`is_prose`. ``python -m ganlab_grader.build translate status``
names every missing, stale or untranslated text; ``stub`` adds empty entries for new ones.
First used by the Korean release of assignment 01-minimax.
"""
from __future__ import annotations

import ast
import copy
import hashlib
import inspect
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .spec import SpecError, read_toml

LANGUAGES = {"ko": "한국어"}
TODO = "TODO(translate)"
TEXT_MARK = re.compile(r"^<!-- cell: ([\w-]+) en:([0-9a-f]{12}) -->$", re.MULTILINE)
_WORD = re.compile(r"^[(\[\"']*[A-Za-z][a-z]+[,.;:!?)\]\"']*$")
_NOT_PROSE = re.compile(r"`[^`]*`|\{[^{}]*\}")
_MAGIC = re.compile(r"^([ \t]*)([%!].*)$", re.MULTILINE)
_MARKERS = ("### BEGIN", "### END", "%% cell:", "noqa", "type:")


class TranslationError(ValueError):
    """A translation file that cannot be used as it is; the message names the file and the text."""


def source_hash(text: str) -> str:
    """The first 12 hex digits of the SHA-256 of text (as the chapters' translations use)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def is_prose(text: str) -> bool:
    """Whether a learner reads text as prose: two or more English words in it, or one in a
    phrase ("batches (4, 1, 8, 8)"), not counting anything in backticks or braces
    (``"mean"``, ``"d_real"`` and ``"discriminator_loss ({what})"`` are not prose)."""
    plain = _NOT_PROSE.sub(" ", text)
    words = [w for w in plain.split() if _WORD.match(w)]
    return len(words) >= 2 or (len(words) == 1 and len(plain.split()) >= 2)


# ---------------------------------------------------------------------------------------
# The texts in a cell of code
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    """One text of a code cell: its English, and where it sits (character offsets)."""
    english: str
    kind: str  # "string", "f-string", "docstring" or "comment"
    start: int
    end: int
    indent: int = 0  # a docstring's column
    closes_alone: bool = True  # a docstring's closing quotes on a line of their own


def _offsets(source: str) -> list[int]:
    starts, total = [0], 0
    for line in source.split("\n"):
        total += len(line) + 1
        starts.append(total)
    return starts


def _parseable(source: str) -> str:
    """source with IPython magics (``%pip ...``) blanked to ``pass`` of the same length."""
    return _MAGIC.sub(lambda m: m.group(1) + "pass".ljust(len(m.group(2))), source)


def _template(node: ast.JoinedStr) -> str:
    """An f-string as written between its quotes: ``V on {_m} batches``, ``{x:.3f}``."""
    out = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            out.append(part.value.replace("{", "{{").replace("}", "}}"))
            continue
        field = "{" + ast.unparse(part.value)
        if part.conversion != -1:
            field += "!" + chr(part.conversion)
        if part.format_spec is not None:
            field += ":" + "".join(v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                                   for v in part.format_spec.values)
        out.append(field + "}")
    return "".join(out)


def _docstring_nodes(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def texts(source: str) -> list[Text]:
    """Every text of source a learner reads as prose (:func:`is_prose`), in order."""
    code = _parseable(source)
    tree = ast.parse(code)
    starts = _offsets(code)
    lines = code.split("\n")
    docstrings = _docstring_nodes(tree)
    inside_fstrings = {id(n) for f in ast.walk(tree) if isinstance(f, ast.JoinedStr)
                       for n in ast.walk(f) if n is not f}
    found = []
    for node in ast.walk(tree):
        if id(node) in inside_fstrings:
            continue
        if not hasattr(node, "lineno"):
            continue
        # ast counts columns in UTF-8 bytes ("Fréchet"), the offsets here are characters
        column = len(lines[node.lineno - 1].encode()[:node.col_offset].decode())
        start = starts[node.lineno - 1] + column
        end = starts[node.end_lineno - 1] + len(lines[node.end_lineno - 1].encode()[:node.end_col_offset].decode())
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings:
                english = inspect.cleandoc(node.value)
                closes_alone = bool(re.search(r'\n[ \t]*("""|\'\'\')$', code[start:end]))
                if is_prose(english):
                    found.append(Text(english, "docstring", start, end, column, closes_alone))
            elif is_prose(node.value):
                found.append(Text(node.value, "string", start, end))
        elif isinstance(node, ast.JoinedStr):
            template = _template(node)
            if is_prose(template):
                found.append(Text(template, "f-string", start, end))
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type != tokenize.COMMENT:
            continue
        body = token.string.lstrip("#").strip()
        if any(marker in token.string for marker in _MARKERS) or not is_prose(body):
            continue
        start = starts[token.start[0] - 1] + token.start[1]
        found.append(Text(body, "comment", start, start + len(token.string)))
    return sorted(found, key=lambda t: t.start)


def _fields(template: str) -> list[str]:
    return sorted(re.findall(r"(?<!\{)\{(?!\{)[^{}]*\}", template.replace("{{", "").replace("}}", "")))


def _escape_literal(text: str, quote: str) -> str:
    return (text.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", "\\n")
            .replace("\t", "\\t"))


def _render(text: Text, translated: str) -> str:
    """The code that replaces text: a string, an f-string, a docstring or a comment."""
    if text.kind == "comment":
        return "# " + translated
    if text.kind == "docstring":
        lines = translated.replace('"""', '\\"\\"\\"').split("\n")
        if len(lines) == 1:
            return f'"""{lines[0]}"""'
        pad = " " * text.indent
        body = '"""' + lines[0] + "\n" + "\n".join(pad + line if line else "" for line in lines[1:])
        return body + ("\n" + pad if text.closes_alone else "") + '"""'
    if text.kind == "string":
        quote = '"' if '"' not in translated or "'" in translated else "'"
        return quote + _escape_literal(translated, quote) + quote
    # An f-string: the fields are copied as they are, the words between them escaped.
    quote = "'" if any('"' in f for f in _fields(translated)) else '"'
    pieces = re.split(r"(\{\{|\}\}|\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})", translated)
    body = "".join(p if p.startswith("{") or p == "}}" else _escape_literal(p, quote) for p in pieces)
    return "f" + quote + body + quote


def translate_code(source: str, table: dict[str, str], where: str = "cell") -> tuple[str, list[Text]]:
    """source with every text replaced by its translation in table; and the texts that table
    lacks (or leaves empty), which stay English."""
    code = _parseable(source)
    missing = []
    out = code
    for text in sorted(texts(source), key=lambda t: -t.start):
        translated = table.get(text.english, "")
        if not translated:
            missing.append(text)
            continue
        out = out[:text.start] + _render(text, translated) + out[text.end:]
    # The magics come back: their blanked lines ("pass" + spaces) are still there, in order.
    magics = [line for line in source.split("\n") if _MAGIC.match(line)]
    lines = out.split("\n")
    for magic in magics:
        lines[lines.index(_parseable(magic))] = magic
    out = "\n".join(lines)
    try:
        ast.parse(_parseable(out))
    except SyntaxError as error:
        raise TranslationError(f"{where}: the translated code does not parse ({error}); "
                               "check the translations of its texts") from error
    return out, list(reversed(missing))


def _solution_spans(source: str) -> list[tuple[int, int]]:
    """Where the reference code sits (between the solution markers): a learner never reads it."""
    return [(m.start(), m.end()) for m in re.finditer(r"### BEGIN SOLUTION.*?### END SOLUTION", source, re.S)]


def learner_texts(source: str) -> list[Text]:
    """The texts of source that a learner reads: all but those inside the reference code."""
    spans = _solution_spans(_parseable(source))
    return [t for t in texts(source) if not any(a <= t.start < b for a, b in spans)]


# ---------------------------------------------------------------------------------------
# The translation files
# ---------------------------------------------------------------------------------------
def shared_table_path(folder: Path, lang: str) -> Path:
    """The table of the texts every assignment shares (the builder's own, shared.py's)."""
    return Path(folder).parent / f"messages.{lang}.toml"


def read_table(path: Path, lang: str) -> dict[str, str]:
    """``{English: translation}`` of one messages.<lang>.toml ("" where not yet translated)."""
    if not path.exists():
        return {}
    try:
        entries = read_toml(path).get("text", [])
    except SpecError as error:
        raise TranslationError(str(error)) from error
    table = {}
    for index, entry in enumerate(entries, start=1):
        if set(entry) != {"en", lang}:
            raise TranslationError(f"{path}, text {index}: an entry has the keys en and {lang}, "
                                   f"got {sorted(entry)}")
        english = entry["en"]
        if english in table:
            raise TranslationError(f"{path}, text {index}: {english[:60]!r} is listed twice")
        translated = entry[lang]
        if translated and _fields(translated) != _fields(english):
            raise TranslationError(
                f"{path}, text {index}: the translation must keep the fields {_fields(english)} "
                f"of {english[:60]!r}, it has {_fields(translated)}")
        table[english] = translated
    return table


def table_for(folder: Path, lang: str) -> dict[str, str]:
    """The assignment's own table over the shared one."""
    return {**read_table(shared_table_path(folder, lang), lang),
            **read_table(Path(folder) / f"messages.{lang}.toml", lang)}


def _toml_string(text: str) -> str:
    if "\n" in text and "'''" not in text:
        return "'''\n" + text + "'''" if not text.endswith("'") else '"""\n' + text.replace("\\", "\\\\") + '"""'
    if "'" not in text and "\n" not in text:
        return "'" + text + "'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_table(path: Path, entries: list[tuple[str, str]], lang: str, header: str) -> None:
    """Write entries [(English, translation)] as a messages.<lang>.toml."""
    blocks = [header.rstrip("\n") + "\n"]
    for english, translated in entries:
        blocks.append(f"[[text]]\nen = {_toml_string(english)}\n{lang} = {_toml_string(translated)}\n")
    path.write_text("\n".join(blocks), encoding="utf-8")


# ---------------------------------------------------------------------------------------
# Markdown: text.<lang>.md
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Region:
    """One translated Markdown cell: its text, and the hash of the English it translates."""
    text: str
    english_hash: str


def read_text(folder: Path, lang: str) -> dict[str, Region]:
    """``{grade_id: Region}`` of the assignment's text.<lang>.md (empty when there is none)."""
    path = Path(folder) / f"text.{lang}.md"
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    found = list(TEXT_MARK.finditer(text))
    marks = len(re.findall(r"^<!-- cell: ", text, re.MULTILINE))
    if marks != len(found):
        raise TranslationError(f"{path}: every region starts with a line "
                               "'<!-- cell: <grade_id> en:<12 hex digits> -->'")
    regions = {}
    for match, following in zip(found, found[1:] + [None]):
        name = match.group(1)
        if name in regions:
            raise TranslationError(f"{path}: two regions called {name!r}")
        end = following.start() if following else len(text)
        regions[name] = Region(text[match.end():end].strip("\n"), match.group(2))
    return regions


# ---------------------------------------------------------------------------------------
# The notebook
# ---------------------------------------------------------------------------------------
USE_LANGUAGE = 'checks.use_language("{lang}")  # {note}'
_NOTES = {"ko": "검사 메시지를 한국어로 보여 줍니다"}


def _grade_id(cell) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


def problems(english: nbformat.NotebookNode, folder: Path, lang: str) -> list[str]:
    """What keeps the translation of this assignment from being complete and current."""
    folder = Path(folder)
    found = []
    regions = read_text(folder, lang)
    wanted = set()
    for cell in english.cells:
        if cell.cell_type != "markdown":
            continue
        grade_id = _grade_id(cell)
        wanted.add(grade_id)
        region = regions.get(grade_id)
        if region is None:
            found.append(f"text.{lang}.md: no region for the Markdown cell {grade_id!r}")
        elif region.english_hash != source_hash(cell.source):
            found.append(f"text.{lang}.md: {grade_id!r} is stale: the English changed since it was "
                         f"translated (en:{region.english_hash}, now en:{source_hash(cell.source)})")
        elif not region.text.strip() or TODO in region.text:
            found.append(f"text.{lang}.md: {grade_id!r} is not yet translated")
    found += [f"text.{lang}.md: {name!r} is no Markdown cell of the notebook"
              for name in sorted(set(regions) - wanted)]
    table = table_for(folder, lang)
    needed = {t.english for cell in english.cells if cell.cell_type == "code"
              for t in learner_texts(cell.source)}
    for english_text in sorted(needed):
        if english_text not in table:
            found.append(f"messages.{lang}.toml: missing {english_text[:80]!r}")
        elif not table[english_text]:
            found.append(f"messages.{lang}.toml: not yet translated {english_text[:80]!r}")
    own = read_table(folder / f"messages.{lang}.toml", lang)
    found += [f"messages.{lang}.toml: {e[:80]!r} is in no cell any more (remove it)"
              for e in sorted(set(own) - needed)]
    return found


def translated(english: nbformat.NotebookNode, folder: Path, lang: str) -> nbformat.NotebookNode:
    """The notebook in lang; a TranslationError lists whatever is missing or stale."""
    if lang not in LANGUAGES:
        raise TranslationError(f"no language {lang!r}; known: {sorted(LANGUAGES)}")
    folder = Path(folder)
    missing = problems(english, folder, lang)
    if missing:
        raise TranslationError(f"{folder.name} in {LANGUAGES[lang]} ({lang}) is not complete "
                               f"(run `python -m ganlab_grader.build translate status {folder.name}`):\n  "
                               + "\n  ".join(missing))
    regions, table = read_text(folder, lang), table_for(folder, lang)
    nb = copy.deepcopy(english)
    for cell in nb.cells:
        grade_id = _grade_id(cell)
        if cell.cell_type == "markdown":
            cell.source = regions[grade_id].text
            continue
        cell.source, _ = translate_code(cell.source, table, where=f"{folder.name}, cell {grade_id}")
        if grade_id == "setup":
            cell.source = cell.source.replace(
                "from ganlab import exercise_checks as checks\n",
                "from ganlab import exercise_checks as checks\n"
                + USE_LANGUAGE.format(lang=lang, note=_NOTES[lang]) + "\n", 1)
    nb.metadata["ganlab"] = {"language": lang}
    nbformat.validate(nb)
    return nb



# ---------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------
_TABLE_HEADER = """# The {language} ({lang}) of the texts learners read in the code of {what}: messages of the
# tests, docstrings and comments (see ganlab_grader.build.translate). `{lang} = ""`: not yet
# translated. Keep every {{field}} of an f-string; write docstrings without their indentation.
"""


def _needed(english: nbformat.NotebookNode) -> list[str]:
    seen = {}
    for cell in english.cells:
        if cell.cell_type == "code":
            for text in learner_texts(cell.source):
                seen.setdefault(text.english, None)
    return list(seen)


def stub(assignments: dict, names: list[str], lang: str) -> list[str]:
    """Add what is missing to the translation files (todo markers, empty entries); return
    the files written. A text that several assignments need goes to the shared table."""
    needed = {name: _needed(a.build()) for name, a in assignments.items()}
    counts: dict[str, int] = {}
    for texts_ in needed.values():
        for text in texts_:
            counts[text] = counts.get(text, 0) + 1
    written = []
    folder0 = next(iter(assignments.values())).folder
    shared_path = shared_table_path(folder0, lang)
    shared = read_table(shared_path, lang)
    new_shared = [t for name in names for t in needed[name] if counts[t] > 1 and t not in shared]
    if new_shared:
        entries = list(shared.items()) + [(t, "") for t in dict.fromkeys(new_shared)]
        write_table(shared_path, entries, lang, _TABLE_HEADER.format(
            language=LANGUAGES[lang], lang=lang, what="every assignment (what several share)"))
        written.append(str(shared_path))
        shared = dict(entries)
    for name in names:
        assignment = assignments[name]
        path = assignment.folder / f"messages.{lang}.toml"
        own = read_table(path, lang)
        new = [t for t in needed[name] if t not in own and t not in shared]
        if new or not path.exists():
            write_table(path, list(own.items()) + [(t, "") for t in new], lang, _TABLE_HEADER.format(
                language=LANGUAGES[lang], lang=lang, what=f"assignment {name}"))
            written.append(str(path))
        text_path = assignment.folder / f"text.{lang}.md"
        regions = read_text(assignment.folder, lang)
        english = assignment.build()
        blocks, changed = [], not text_path.exists()
        for cell in english.cells:
            if cell.cell_type != "markdown":
                continue
            grade_id = _grade_id(cell)
            region = regions.get(grade_id)
            if region is None:
                region, changed = Region(f"{TODO}\n\n{cell.source}", source_hash(cell.source)), True
            blocks.append(f"<!-- cell: {grade_id} en:{region.english_hash} -->\n{region.text}\n")
        if changed:
            text_path.write_text("\n".join(blocks), encoding="utf-8")
            written.append(str(text_path))
    return written


def stamp(assignment, grade_id: str, lang: str) -> None:
    """Record that the region grade_id of text.<lang>.md now translates the current English."""
    english = {_grade_id(c): c.source for c in assignment.build().cells if c.cell_type == "markdown"}
    if grade_id not in english:
        raise TranslationError(f"{assignment.name} has no Markdown cell {grade_id!r}")
    path = assignment.folder / f"text.{lang}.md"
    text = path.read_text(encoding="utf-8")
    mark = re.compile(rf"^<!-- cell: {re.escape(grade_id)} en:[0-9a-f]{{12}} -->$", re.MULTILINE)
    if not mark.search(text):
        raise TranslationError(f"{path} has no region {grade_id!r}")
    path.write_text(mark.sub(f"<!-- cell: {grade_id} en:{source_hash(english[grade_id])} -->", text),
                    encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """``status`` | ``stub`` [assignments] | ``stamp`` assignment grade_id; ``--lang ko``."""
    import argparse
    from . import discover
    parser = argparse.ArgumentParser(prog="python -m ganlab_grader.build translate",
                                     description="The assignments' translations: what is missing or stale.")
    parser.add_argument("command", choices=["status", "stub", "stamp"])
    parser.add_argument("names", nargs="*", help="assignments (default: all); for stamp: NAME GRADE_ID")
    parser.add_argument("--lang", default="ko", choices=sorted(LANGUAGES))
    args = parser.parse_args(argv)
    assignments = discover()
    if args.command == "stamp":
        if len(args.names) != 2:
            parser.error("stamp takes an assignment and a grade_id")
        stamp(assignments[args.names[0]], args.names[1], args.lang)
        return 0
    unknown = sorted(set(args.names) - set(assignments))
    if unknown:
        parser.error(f"no assignment {unknown}; known: {sorted(assignments)}")
    names = args.names or sorted(assignments)
    if args.command == "stub":
        for path in stub(assignments, names, args.lang):
            print(f"wrote {path}")
        return 0
    total = 0
    for name in names:
        found = problems(assignments[name].build(), assignments[name].folder, args.lang)
        total += len(found)
        print(f"{name}: {'complete' if not found else f'{len(found)} to do'}")
        for line in found:
            print(f"  {line}")
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main())
