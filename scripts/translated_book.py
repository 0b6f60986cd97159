"""The translated books, made from the English build without executing anything (issue 12).

``scripts/build_book.py`` builds the English book first; jupyter-cache then holds every chapter
executed.  For each language in ``translations/`` (today: Korean) this module writes a Jupyter
Book project, ``<builddir>/<lang>-src/``:

* ``chapters/<chapter>.ipynb``: the English notebook as it stands, with the cache's outputs
  merged in (code cells byte for byte the English ones), its Markdown cells replaced by the
  translation (``scripts.translations.translated_notebook``), and every figure swapped for the
  rendition that ``ganlab.i18n`` drew in the language while the chapter executed;
* ``book/<page>.md``: ``translations/<lang>/book/<page>.md``, or the English page when there
  is none yet (a stale translation is used and reported: see :func:`page_state`);
* ``_config.yml`` and ``_toc.yml``: the English ones with the language's title, Sphinx
  ``language``, part captions, and execution off.

Then Sphinx builds it into ``<builddir>/html/<lang>/`` and :func:`add_language_switch` links
every page to its twin in the other language.
"""
from __future__ import annotations

import ast
import copy
import importlib.util
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from scripts import translations

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = "translations"
GLUE_PREFIX = "application/papermill.record/"
#: The one line that opens a whole-page translation: ``<!-- en:<hash of the English page> -->``.
PAGE_STAMP = re.compile(r"^<!-- en:(?P<hash>[0-9a-f]{12}) -->[ \t]*$")
SWITCH_CLASS = "ganlab-language-switch"
_FIGURE_TEXT = re.compile(r"<[\w.]*Figure size ")


def i18n():
    """``ganlab/i18n.py`` without ``import ganlab``, which loads torch (needless in the build).

    First used in the book build.
    """
    if "ganlab.i18n" in sys.modules:
        return sys.modules["ganlab.i18n"]
    if "ganlab_i18n" not in sys.modules:
        spec = importlib.util.spec_from_file_location("ganlab_i18n", ROOT / "ganlab" / "i18n.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["ganlab_i18n"] = module
        spec.loader.exec_module(module)
    return sys.modules["ganlab_i18n"]


def languages(root: Path) -> list[str]:
    """The languages with a book (``translations/<lang>/book.yml``). First used in the book build."""
    return sorted(p.parent.name for p in (root / TRANSLATIONS).glob("*/book.yml"))


def settings(root: Path, lang: str) -> dict:
    """``translations/<lang>/book.yml``: title, part captions, switch label, banner text."""
    return yaml.safe_load((root / TRANSLATIONS / lang / "book.yml").read_text(encoding="utf-8"))


def figure_table_path(root: Path, lang: str) -> Path:
    return root / TRANSLATIONS / lang / "figures.json"


# --------------------------------------------------------------------------------------
# Figures: the renditions ganlab.i18n attached at execution time
# --------------------------------------------------------------------------------------
@dataclass
class FigureReport:
    """What swapping a notebook's figures found. First used in the book build."""

    swapped: int = 0
    english_kept: int = 0                 # no CJK font when the chapter executed
    untranslated: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


def _figure_outputs(notebook):
    """``(output, "" or the glue prefix)`` for every matplotlib figure output (plain or glued).

    A figure's text form is matplotlib's ``<Figure size 640x480 with 1 Axes>`` (or a subclass's,
    ``<NotebookFigure size ...>``); any other
    picture (an ``IPython.display.Image``, say) has no translated rendition to look for.
    """
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            for prefix in ("", GLUE_PREFIX):
                data = output.get("data", {})
                text = str(data.get(prefix + "text/plain", ""))
                if prefix + "image/png" in data and _FIGURE_TEXT.match(text):
                    yield output, prefix


def stale_figures(notebook, lang: str, table: dict, font: str | None) -> list[str]:
    """Why the figures of an executed notebook must be drawn again in ``lang`` (empty: fine).

    A figure is stale when it has no rendition (the cache predates ganlab.i18n, or the build
    ran without it), when a text it shows now translates differently (``figures.json``
    changed), or when it was drawn without a CJK font and one is installed now.
    First used in the book build.
    """
    rendition_mime, translate = i18n().rendition_mime, i18n().translate
    mime = rendition_mime(lang)
    reasons = []
    for output, _ in _figure_outputs(notebook):
        record = output.get("metadata", {}).get(mime)
        if record is None or "png" not in record:
            reasons.append("a figure has no translated rendition (executed before the build drew them)")
            continue
        if record.get("font") is None and font is not None and not record.get("error"):
            reasons.append(f"a figure was drawn without a CJK font; {font} is installed now")
        for english, drawn in record.get("texts", {}).items():
            if translate(english, table) != drawn:
                reasons.append(f"figures.json now translates {english!r} differently")
    return sorted(set(reasons))


def swap_figures(notebook, lang: str) -> FigureReport:
    """Replace every figure's PNG by its ``lang`` rendition, in place; drop the renditions."""
    mime = i18n().rendition_mime(lang)
    report = FigureReport()
    for output, prefix in _figure_outputs(notebook):
        record = output.get("metadata", {}).pop(mime, None)
        if record is None or "png" not in record:
            report.errors.append(f"a figure has no {lang} rendition: ganlab.i18n did not draw it "
                                 "(was GANLAB_FIGURE_TRANSLATIONS set when the chapter executed? "
                                 "build with `make book`, which sets it)")
            continue
        if record.get("error"):
            report.errors.append(record["error"])
        report.untranslated |= {en for en, ko in record.get("texts", {}).items() if ko is None}
        if record["png"]:
            output["data"][prefix + "image/png"] = record["png"]
            report.swapped += 1
        else:
            report.english_kept += 1
    return report


def translate_glued_values(notebook, table: dict[str, str]) -> list[str]:
    """Translate, in place, the words a chapter glued into its text (``{glue:text}``).

    The code is the English one, so a glued string such as ``'equal'`` is English; the table
    (``translations/<lang>/glued.json``) gives the reader's words.  Returns the glued strings
    still holding English prose, for the build to report.
    """
    left = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data, record = output.get("data", {}), output.get("metadata", {}).get("scrapbook")
            mime = None if record is None else record.get("mime_prefix", "") + "text/plain"
            if mime not in data:  # not glued, or glued without text (a figure)
                continue
            plain = "".join(data[mime]) if isinstance(data[mime], list) else data[mime]
            data[mime] = translations.translate_glued_plain(plain, table)
            try:
                value = ast.literal_eval(plain)
            except (SyntaxError, ValueError):
                continue
            if isinstance(value, str) and translations.untranslated_glued(value, table):
                left.append(value)
    return left


# --------------------------------------------------------------------------------------
# Pages and chapters
# --------------------------------------------------------------------------------------
def page_state(root: Path, lang: str, page: str) -> str:
    """``"translated"``, ``"stale"`` (the English page changed since) or ``"missing"``.

    ``page`` is a toc entry such as ``book/intro``.  First used in the book build.
    """
    translated = root / TRANSLATIONS / lang / f"{page}.md"
    if not translated.is_file():
        return "missing"
    first = translated.read_text(encoding="utf-8").split("\n", 1)[0]
    match = PAGE_STAMP.match(first)
    english = (root / f"{page}.md").read_text(encoding="utf-8")
    if match is None or match["hash"] != translations.source_hash(english):
        return "stale"
    return "translated"


def translated_config(config: dict, lang_settings: dict, root: Path) -> dict:
    """The English ``_config.yml`` turned into the ``lang`` book's: nothing executes."""
    config = copy.deepcopy(config)
    config["title"] = lang_settings["title"]
    config["author"] = lang_settings.get("author", config.get("author"))
    config["execute"] = dict(config.get("execute", {}), execute_notebooks="off")
    config.setdefault("html", {})["extra_footer"] = lang_settings.get(
        "extra_footer", config["html"].get("extra_footer", ""))
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx["language"] = lang_settings["language"]
    # served from the same folders as the English book's (absolute: this project lives elsewhere)
    for key in ("html_static_path", "html_extra_path"):
        if key in sphinx:
            sphinx[key] = [str((root / p).resolve()) for p in sphinx[key]]
    return config


def translated_toc(toc: dict, lang_settings: dict) -> dict:
    """The English ``_toc.yml`` with the part captions in ``lang``; a clear error for a missing one."""
    toc = copy.deepcopy(toc)
    captions = lang_settings.get("captions", {})
    for part in toc.get("parts", []):
        if part.get("caption") not in captions:
            raise ValueError(f"translations/{lang_settings['language']}/book.yml: no caption for the "
                             f"part {part.get('caption')!r}; add it under 'captions:'")
        part["caption"] = captions[part["caption"]]
    return toc


def toc_pages(toc: dict) -> list[str]:
    """Every file of a toc, root first (``book/intro``, ``chapters/02-minimax``, ...)."""
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [entry["file"] for entry in part.get("chapters", [])]
    return pages


def exec_table(records: dict[str, dict | None], lang_settings: dict) -> str:
    """A Markdown table standing in for ``{nb-exec-table}`` (nothing executes in this book).

    ``records`` maps a chapter to ``{"modified", "seconds", "ok"}`` from the English build's
    jupyter-cache, or None when it has no successful execution.
    """
    words = lang_settings["exec_table"]
    rows = [f"| {' | '.join(words['columns'])} |", "|" + " --- |" * len(words["columns"])]
    for chapter, record in records.items():
        if record is None:
            rows.append(f"| {{doc}}`../chapters/{chapter}` | - | - | - | {words['not_run']} |")
        else:
            status = words["ok"] if record["ok"] else words["failed"]
            rows.append(f"| {{doc}}`../chapters/{chapter}` | {record['modified']} | cache "
                        f"| {record['seconds']:.2f} | {status} |")
    return f"{words['caption']}\n\n" + "\n".join(rows) + "\n"


_EXEC_TABLE = re.compile(r"^```\{nb-exec-table\}\s*\n```[ \t]*$", re.M)


@dataclass
class ProjectReport:
    """What writing one translated project found. First used in the book build."""

    lang: str
    source: Path
    pages: dict[str, str] = field(default_factory=dict)        # page -> translated/stale/missing
    figures: dict[str, FigureReport] = field(default_factory=dict)
    not_in_step: dict[str, int] = field(default_factory=dict)  # chapter -> cells not in step
    glued_in_english: dict[str, list[str]] = field(default_factory=dict)  # chapter -> glued words

    def problems(self) -> list[str]:
        """What must be fixed before the translated book can be published (fails the build)."""
        return [f"{chapter}: {error}" for chapter, r in self.figures.items() for error in r.errors]

    def notes(self) -> list[str]:
        """What a reader of the build log should know (does not fail the build)."""
        shown = {"missing": "the English page is shown", "stale": "shown as it is"}
        notes = [f"{page}: {state} translation ({shown[state]})"
                 for page, state in self.pages.items() if state != "translated"]
        notes += [f"{chapter}: {n} Markdown cells not in step (python -m scripts.translations status)"
                  for chapter, n in self.not_in_step.items() if n]
        kept = sum(r.english_kept for r in self.figures.values())
        if kept:
            notes.append(f"{kept} figures stay English: no CJK font was found when the chapters "
                         f"executed (install one, e.g. `apt-get install fonts-noto-cjk`, and build again)")
        notes += [f"{chapter}: glued words with no translation in translations/{self.lang}/glued.json: "
                  + "; ".join(map(repr, left[:10])) for chapter, left in self.glued_in_english.items() if left]
        words = sorted({text for r in self.figures.values() for text in r.untranslated})
        if words:
            notes.append(f"{len(words)} figure texts have no translation in "
                         f"translations/{self.lang}/figures.json (list them all: python -m "
                         f"scripts.translated_book untranslated): " + "; ".join(map(repr, words[:40])))
        return notes


def write_project(root: Path, target: Path, lang: str, executed: dict[str, object],
                  exec_records: dict[str, dict | None]) -> ProjectReport:
    """Write the ``lang`` book's project into ``target`` (emptied first).

    ``executed`` maps each chapter to its executed English notebook (cache outputs merged into
    the current source).  First used in the book build.
    """
    lang_settings = settings(root, lang)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    report = ProjectReport(lang, target)

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    (target / "_config.yml").write_text(yaml.safe_dump(translated_config(config, lang_settings, root),
                                                       allow_unicode=True, sort_keys=False), encoding="utf-8")
    (target / "_toc.yml").write_text(yaml.safe_dump(translated_toc(toc, lang_settings),
                                                    allow_unicode=True, sort_keys=False), encoding="utf-8")
    for bib in config.get("bibtex_bibfiles", []):
        (target / bib).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / bib, target / bib)

    for page in toc_pages(toc):
        if page.startswith("chapters/"):
            _write_chapter(root, target, lang, Path(page).name, executed, report)
        else:
            _write_page(root, target, lang, page, lang_settings, exec_records, report)
    return report


def _write_chapter(root, target, lang, chapter, executed, report) -> None:
    notebook = executed.get(chapter)
    if notebook is None:
        raise ValueError(f"{chapter} has no executed notebook in the English build's cache: "
                         "the English book must build first")
    blocks = translations.read(chapter, lang, root)
    translated = translations.translated_notebook(notebook, blocks)
    report.figures[chapter] = swap_figures(translated, lang)
    report.glued_in_english[chapter] = translate_glued_values(translated, translations.glued_table(lang, root))
    report.not_in_step[chapter] = len(translations.problems(chapter, lang, root))
    path = target / "chapters" / f"{chapter}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(translated, path)


def _write_page(root, target, lang, page, lang_settings, exec_records, report) -> None:
    state = page_state(root, lang, page)
    report.pages[page] = state
    source = root / TRANSLATIONS / lang / f"{page}.md" if state != "missing" else root / f"{page}.md"
    text = source.read_text(encoding="utf-8")
    if _EXEC_TABLE.search(text):
        text = _EXEC_TABLE.sub(lambda _: exec_table(exec_records, lang_settings), text)
    path = target / f"{page}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------------------
# The language switch
# --------------------------------------------------------------------------------------
def _pages(html_dir: Path, skip: str) -> list[Path]:
    """The book's pages under ``html_dir``, not those under its folder ``skip``."""
    return sorted(p for p in html_dir.rglob("*.html")
                  if p.relative_to(html_dir).parts[0] not in (skip, "_static", "_sources")
                  and "_static" not in p.parts and "_sources" not in p.parts)


def _switch_link(href: str, lang: str, label: str) -> str:
    return (f'<a class="{SWITCH_CLASS} btn btn-sm" href="{href}" hreflang="{lang}" lang="{lang}" '
            f'title="{label}" style="font-weight:600;white-space:nowrap">{label}</a>')


def _insert_switch(text: str, link: str) -> str | None:
    if SWITCH_CLASS in text:
        return None
    buttons = re.search(r'<div class="article-header-buttons">', text)
    if buttons is None:
        return None  # a redirect page (index.html): no header to hold the switch
    return text[:buttons.end()] + link + text[buttons.end():]


def add_language_switch(html_dir: Path, lang: str, name: str, english_name: str = "English") -> int:
    """Link every page to the same page in the other language (relative links); returns links added.

    English pages (``<html_dir>/<page>.html``) link to ``<lang>/<page>.html`` and back.  A page
    with no twin gets no link.  First used in the book build.
    """
    added = 0
    translated_dir = html_dir / lang
    for page in _pages(html_dir, skip=lang):
        relative = page.relative_to(html_dir)
        twin = translated_dir / relative
        depth = len(relative.parts) - 1
        pairs = ((page, twin, "../" * depth + f"{lang}/{relative.as_posix()}", lang, name),
                 (twin, page, "../" * (depth + 1) + relative.as_posix(), "en", english_name))
        if not twin.is_file():
            continue
        for here, _, href, target_lang, label in pairs:
            text = here.read_text(encoding="utf-8")
            changed = _insert_switch(text, _switch_link(href, target_lang, label))
            if changed is not None:
                here.write_text(changed, encoding="utf-8")
                added += 1
    return added


# --------------------------------------------------------------------------------------
# Command line: which figure texts still need a translation
# --------------------------------------------------------------------------------------
def figure_texts(notebook, lang: str) -> dict[str, str | None]:
    """Every word text the notebook's figures showed, with the translation they were drawn
    with (None: none in the table).  First used in the book build."""
    mime = i18n().rendition_mime(lang)
    texts: dict[str, str | None] = {}
    for output, _ in _figure_outputs(notebook):
        texts.update(output.get("metadata", {}).get(mime, {}).get("texts", {}))
    return texts


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.translated_book untranslated [--builddir _build/fast] [--lang ko]``:
    the figure texts of the last build that ``figures.json`` does not translate, as JSON
    entries to fill in."""
    import argparse
    import json

    from jupyter_cache import get_cache

    parser = argparse.ArgumentParser(prog="python -m scripts.translated_book")
    parser.add_argument("command", choices=["untranslated"])
    parser.add_argument("--builddir", type=Path, default=ROOT / "_build" / "fast")
    parser.add_argument("--lang", default="ko")
    args = parser.parse_args(argv)
    table = i18n().load_table(figure_table_path(ROOT, args.lang))
    cache = get_cache(args.builddir / ".jupyter_cache")
    missing: dict[str, str] = {}
    for record in cache.list_cache_records():
        for english in figure_texts(cache.get_cache_bundle(record.pk).nb, args.lang):
            if i18n().translate(english, table) is None:
                missing[english] = english
    print(json.dumps(dict(sorted(missing.items())), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
