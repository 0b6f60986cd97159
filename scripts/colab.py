"""Colab notebooks that read like the book: ``colab/<chapter>.ipynb`` and ``colab/ko/...``.

A chapter's notebook is written in MyST: ``{glue:text}`` pastes a measured number into the
text, ``{numref}`` and ``{eq}`` print figure and equation numbers, ``{cite}`` a reference,
and admonitions and captioned tables are directives.  Jupyter Book renders all of that; Colab
and plain Jupyter show it raw.  The Colab button therefore opens a generated copy of each
chapter whose code cells are the chapter's, byte for byte, and whose Markdown is rewritten
into plain Markdown (:func:`plain_markdown`):

* a glued number becomes the value the book's own run measured (the learner's run prints its
  own in the cells);
* figure, table and equation references become the numbers the built book shows, equations
  get a ``\\tag``, a section reference becomes its title;
* a citation becomes "[Goodfellow et al., 2014]" as in the book, from ``book/references.bib``;
* an admonition becomes a quoted block with its title in bold, a glued figure its caption
  (the figure itself is drawn by the code cell, ``ganlab.notebook.glue`` shows it in place).

The values and numbers come from a build (:func:`values_from_build`), and each generated
notebook stores the ones it used in its metadata.  So :func:`stale` can regenerate every
notebook from the chapters alone and say which are out of date, without building the book
(``python -m scripts.colab --check``; ``make book`` rewrites them).
"""
from __future__ import annotations

import argparse
import ast
import html
import json
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
COLAB_DIR = "colab"
LANGUAGES = ("en", "ko")

#: How a bare ``{numref}`label``` and a glued figure's caption are introduced, per language.
WORDS = {
    "en": {"fig": "Fig.", "tbl": "Table", "eq": "Eq.", "intro": (
        "*This is the Colab copy of chapter {number} of **{title}** ({repository}). Its code "
        "is the book's; the numbers in the text are those the book measured, and your run "
        "prints its own. A GPU runtime makes it faster; a CPU runtime works.*")},
    "ko": {"fig": "그림", "tbl": "표", "eq": "식", "intro": (
        "*이 노트북은 **{title}** ({repository})의 {number}장을 Colab에서 실행하도록 만든 "
        "사본이다. 코드는 책과 같고, 본문의 수치는 책을 빌드할 때 측정한 값이며, 여러분의 실행은 "
        "셀마다 자신의 값을 출력한다. GPU 런타임이면 더 빠르고, CPU 런타임에서도 동작한다.*")},
}
BOOK_TITLE = {"en": "GANs, from the minimax game to CycleGAN", "ko": "GAN: 미니맥스 게임에서 CycleGAN까지"}

_ROLE = re.compile(r"\{(?P<role>glue:text|glue|cite|cite:p|cite:t|eq|numref|ref)\}`(?P<body>[^`]*)`")
_FENCE = re.compile(r"^(?P<fence>```|:::)\{(?P<name>[a-z:-]+)\}[ \t]*(?P<arg>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                    re.M | re.S)
_LABEL = re.compile(r"^\((?P<label>[^)\s]+)\)=[ \t]*\n", re.M)
_EQUATION = re.compile(r"^\$\$(?P<maths>.+?)^\$\$[ \t]*\((?P<label>[^)]+)\)[ \t]*$", re.M | re.S)


# --- where the substitutions come from ------------------------------------------------------

def citations(bib_path: Path = ROOT / "book" / "references.bib") -> dict[str, tuple[str, str]]:
    """``{key: ("Goodfellow et al.", "2014")}`` for every entry of the bibliography."""
    text = bib_path.read_text(encoding="utf-8")
    found = {}
    for match in re.finditer(r"@\w+\{(?P<key>[^,\s]+),(?P<fields>.*?)\n\}", text, re.S):
        fields = dict(re.findall(r"(\w+)\s*=\s*\{(.*?)\}\s*,?\s*$", match["fields"], re.M))
        authors = [a.strip() for a in fields.get("author", "Anonymous").split(" and ")]
        surnames = [a.split(",")[0].strip() if "," in a else a.split()[-1] for a in authors]
        surnames = [s.strip("{}") for s in surnames]
        if len(surnames) == 1:
            who = surnames[0]
        elif len(surnames) == 2:
            who = f"{surnames[0]} and {surnames[1]}"
        else:
            who = f"{surnames[0]} et al."
        found[match["key"]] = (who, fields.get("year", "n.d."))
    return found


def glued_values(executed) -> dict[str, str]:
    """``{name: text/plain}`` of every value a chapter glued (from its executed notebook)."""
    values = {}
    for cell in executed.get("cells", []):
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook", {})
            name = record.get("name")  # display=False stores it under a prefixed MIME type
            text = output.get("data", {}).get(record.get("mime_prefix", "") + "text/plain")
            if name and text is not None:
                values[name] = "".join(text) if isinstance(text, list) else text
    return values


def reference_numbers(html_dir: Path) -> dict[str, str]:
    """What the built book prints for each label: ``{"fig-ch5-seeds": "5.3", ...}``.

    Figures and tables map to their number, equations to ``(2.1)``-style numbers, section
    labels to the section's title.
    """
    numbers: dict[str, str] = {}
    for page in sorted((html_dir / "chapters").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r'<(?:figure|table|div)[^>]*\bid="(?P<id>[^"]+)"[^>]*>(?P<after>.{0,3000}?)'
                                 r'<span class="caption-number">[^<\d]*(?P<num>[\d.]+)', text, re.S):
            if "<figure" not in match["after"] and "<table" not in match["after"]:
                numbers.setdefault(match["id"], match["num"].rstrip("."))
        for match in re.finditer(r'id="equation-(?P<id>[^"]+)"[^>]*>\s*<span class="eqno">\((?P<num>[^)]+)\)', text):
            numbers[match["id"]] = match["num"]
        for match in re.finditer(r'<span id="(?P<id>[^"]+)"></span><h\d>(?P<title>.*?)<a class="headerlink"', text, re.S):
            numbers[match["id"]] = html.unescape(re.sub(r"<[^>]+>", "", match["title"])).strip()
    return numbers


# --- the rewrite ------------------------------------------------------------------------------

def _format_value(text: str, spec: str) -> str:
    """Format a glued value exactly as MyST-NB's ``{glue:text}`` does."""
    from myst_nb.core.variables import format_plain_text
    return format_plain_text(text, spec)


def _number(label: str, numbers: dict[str, str]) -> str:
    return numbers.get(label, "?")


def _role(match: re.Match, values, numbers, cites, words) -> str:
    role, body = match["role"], match["body"]
    if role in ("glue:text", "glue"):
        key, _, spec = body.partition(":")
        if key not in values:
            return "…"
        return _format_value(values[key], spec)
    if role.startswith("cite"):  # as the book prints them (sphinxcontrib-bibtex, author_year)
        found = [cites.get(key.strip(), (key.strip(), "n.d.")) for key in body.split(",")]
        if role == "cite:t":
            return "; ".join(f"{who} [{year}]" for who, year in found)
        return "[" + "; ".join(f"{who}, {year}" for who, year in found) + "]"
    if role == "eq":
        return f"({_number(body, numbers)})"
    if role == "ref":
        title, _, label = body.rpartition("<")
        return title.strip() if label else numbers.get(body, body)
    # numref: "Figure %s <label>" or a bare label
    explicit = re.fullmatch(r"(?P<text>.*?)\s*<(?P<label>[^>]+)>", body)
    if explicit:
        return explicit["text"].replace("%s", _number(explicit["label"], numbers))
    kind = body.split("-")[0]
    return f"{words.get(kind, '')} {_number(body, numbers)}".strip()


def _options_and_body(body: str) -> tuple[dict[str, str], str]:
    lines = body.split("\n")
    options = {}
    while lines and re.match(r"^:[\w-]+:", lines[0]):
        name, _, value = lines.pop(0)[1:].partition(":")
        options[name] = value.strip()
    return options, "\n".join(lines).strip("\n")


def _quote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.split("\n"))


def _directive(match: re.Match, values, numbers, cites, words) -> str:
    name, arg = match["name"], match["arg"].strip()
    options, body = _options_and_body(match["body"])
    if name == "admonition":
        return _quote(f"**{arg}**\n\n{body}")
    if name == "glue:figure":
        label = options.get("name", arg)
        return f"**{words['fig']} {_number(label, numbers)}** {body}".strip()
    if name == "table":
        label = options.get("name", "")
        return f"**{words['tbl']} {_number(label, numbers)}** {arg}\n\n{body}"
    return body  # any other directive: its content, plainly


def plain_markdown(source: str, values: dict[str, str], numbers: dict[str, str],
                   cites: dict[str, str], lang: str = "en") -> str:
    """One MyST Markdown cell rewritten as plain Markdown (see the module's docstring)."""
    words = WORDS[lang]

    def directive(match):
        return _directive(match, values, numbers, cites, words)

    text = source
    for _ in range(3):  # directives may nest (an admonition holding a table)
        text = _FENCE.sub(directive, text)
    text = _EQUATION.sub(lambda m: f"$${m['maths'].rstrip()} \\tag{{{_number(m['label'], numbers)}}}\n$$", text)
    text = _LABEL.sub(lambda m: f'<a id="{m["label"]}"></a>\n', text)
    return _ROLE.sub(lambda m: _role(m, values, numbers, cites, words), text)


def _labels(source: str) -> set[str]:
    """Every label a Markdown cell references or defines (figures, tables, equations, sections)."""
    found = set(re.findall(r"^:name:\s*(\S+)", source, re.M))
    found |= {m["label"] for m in _EQUATION.finditer(source)}
    for match in _ROLE.finditer(source):
        if match["role"] in ("eq", "numref", "ref"):
            explicit = re.fullmatch(r".*?<(?P<label>[^>]+)>", match["body"], re.S)
            found.add(explicit["label"] if explicit else match["body"])
    return found


def colab_notebook(chapter: Path, values: dict[str, str], numbers: dict[str, str],
                   lang: str = "en", root: Path = ROOT):
    """The Colab copy of ``chapter`` in ``lang`` (Korean Markdown from ``translations/ko``)."""
    notebook = nbformat.read(chapter, as_version=4)
    shown = values
    if lang != "en":
        from scripts import translations
        notebook = translations.translated_notebook(notebook, translations.read(chapter.stem, lang, root))
        table = translations.glued_table(lang, root)  # words the code glues, in the reader's language
        shown = {key: translations.translate_glued_plain(text, table) for key, text in values.items()}
    cites = citations(root / "book" / "references.bib")
    used_values, used_numbers = {}, {}
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for match in _ROLE.finditer(cell.source):
            key = match["body"].partition(":")[0]
            if match["role"] in ("glue:text", "glue") and key in values:
                used_values[key] = values[key]
        for label in _labels(cell.source):
            if label in numbers:
                used_numbers[label] = numbers[label]
        cell.source = plain_markdown(cell.source, shown, numbers, cites, lang)
    _, repository = repository_url(root)
    number = int(chapter.stem.split("-")[0])
    intro = WORDS[lang]["intro"].format(number=number, title=BOOK_TITLE[lang], repository=repository)
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell(intro, id="colab-intro"))
    notebook.metadata["ganlab"] = {"colab": {
        "source": f"chapters/{chapter.name}", "language": lang,
        "glued_values": dict(sorted(used_values.items())), "numbers": dict(sorted(used_numbers.items())),
    }}
    notebook.metadata.setdefault("colab", {})["name"] = chapter.name
    return notebook


def repository_url(root: Path = ROOT) -> tuple[str, str]:
    """``(branch, url)`` of the repository, read from ``_config.yml`` (written once, there)."""
    config = (root / "_config.yml").read_text(encoding="utf-8")
    section = config[config.index("\nrepository:"):]
    url = re.search(r"^\s+url:\s*(\S+)", section, re.M)[1]
    branch = re.search(r"^\s+branch:\s*(\S+)", section, re.M)[1]
    return branch, url


def colab_path(chapter: str, lang: str = "en", root: Path = ROOT) -> Path:
    folder = root / COLAB_DIR if lang == "en" else root / COLAB_DIR / lang
    return folder / f"{chapter}.ipynb"


def _dumps(notebook) -> str:
    return nbformat.writes(notebook) + "\n"


def write(values_by_chapter: dict[str, dict[str, str]], numbers: dict[str, dict[str, str]],
          root: Path = ROOT) -> list[Path]:
    """Write every chapter's Colab copy in every language; return the files that changed.

    ``numbers`` holds, per language, what that language's built book prints for each label
    (the same numbers; the section titles differ).
    """
    changed = []
    for chapter in sorted((root / "chapters").glob("*.ipynb")):
        for lang in LANGUAGES:
            text = _dumps(colab_notebook(chapter, values_by_chapter.get(chapter.stem, {}),
                                         numbers.get(lang) or numbers["en"], lang, root))
            path = colab_path(chapter.stem, lang, root)
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                changed.append(path)
    return changed


def stale(root: Path = ROOT) -> list[str]:
    """Why the committed Colab notebooks differ from what the chapters give now (empty: in step).

    Each notebook is regenerated from its chapter with the values and numbers it stored, so a
    changed cell is found without a build; a value the text newly quotes needs a build.
    """
    problems = []
    for chapter in sorted((root / "chapters").glob("*.ipynb")):
        for lang in LANGUAGES:
            path = colab_path(chapter.stem, lang, root)
            if not path.is_file():
                problems.append(f"{path.relative_to(root)} is missing")
                continue
            stored = json.loads(path.read_text(encoding="utf-8"))["metadata"].get("ganlab", {}).get("colab", {})
            expected = _dumps(colab_notebook(chapter, stored.get("glued_values", {}), stored.get("numbers", {}),
                                             lang, root))
            if path.read_text(encoding="utf-8") != expected:
                problems.append(f"{path.relative_to(root)} is out of date with chapters/{chapter.name}")
    return problems


def values_from_build(builddir: Path, root: Path = ROOT) -> tuple[dict[str, dict[str, str]], dict]:
    """Glued values (from the build's jupyter cache) and, per language, the numbers its HTML shows."""
    from scripts.build_book import Paths, cached_notebook

    paths = Paths(root=root, builddir=builddir)
    values = {}
    for chapter in sorted((root / "chapters").glob("*.ipynb")):
        executed = cached_notebook(paths, chapter.stem)
        if executed is not None:
            values[chapter.stem] = glued_values(executed)
    numbers = {"en": reference_numbers(paths.html)}
    for lang in LANGUAGES[1:]:
        if (paths.html / lang / "chapters").is_dir():
            numbers[lang] = reference_numbers(paths.html / lang)
    return values, numbers


def point_colab_buttons(html_dir: Path, lang: str = "en", root: Path = ROOT) -> int:
    """Make each page's "open in Colab" link open ``colab/[<lang>/]<chapter>.ipynb``.

    Jupyter Book links the chapter's source notebook, which Colab shows as raw MyST.
    Returns how many links were changed.
    """
    branch, url = repository_url(root)
    github = re.sub(r"^https://github\.com/", "", url).rstrip("/")
    target = COLAB_DIR if lang == "en" else f"{COLAB_DIR}/{lang}"
    pattern = re.compile(r"(https://colab\.research\.google\.com/github/" + re.escape(github)
                         + r"/blob/" + re.escape(branch) + r"/)(?:[^\"']*/)?chapters/([\w.-]+\.ipynb)")
    changed = 0
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new, n = pattern.subn(lambda m: f"{m[1]}{target}/{m[2]}", text)
        if n:
            page.write_text(new, encoding="utf-8")
            changed += n
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.colab", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a Colab notebook is out of date")
    parser.add_argument("--from-build", type=Path, metavar="BUILDDIR",
                        help="rewrite colab/ with the values and numbers of this (full) build, e.g. _build")
    args = parser.parse_args(argv)
    if args.from_build:
        values, numbers = values_from_build(args.from_build)
        changed = write(values, numbers)
        print(f"colab/: {len(changed)} notebooks rewritten" + (" (commit them)" if changed else ""))
    problems = stale()
    if args.check or not args.from_build:
        print("\n".join(problems) if problems else "colab/ is in step with chapters/")
    return 1 if args.check and problems else 0


if __name__ == "__main__":
    sys.exit(main())
