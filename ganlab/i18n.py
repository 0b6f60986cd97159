"""Figures in the reader's language, drawn once at execution time (the book build, issue 12).

The translated books reuse the English book's executed notebooks, so nothing runs twice; but a
figure is a picture, and its words (axis titles, legends, titles, word tick labels) are baked
into it.  So during the book build (``GANLAB_FIGURE_TRANSLATIONS=ko=<path>/figures.json``, set by
``scripts/build_book.py``), every matplotlib figure a chapter displays -- plainly, or through
``glue`` -- is drawn a second time with its word texts looked up in a translation table, and the
translated PNG travels in the output's metadata, under its own key (:func:`rendition_mime`), not
in its data: MyST-NB would warn about an output type it cannot show.  The translated notebook
generator swaps it in for the English PNG; the English book never looks at it.

The table (``translations/<lang>/figures.json``)::

    {"texts":    {"step": "단계", "real": "진짜", ...},          # exact strings
     "patterns": {"^losses \\(moving average of (\\d+)\\)$": "손실 (이동 평균 \\1)"}}

A pattern is a regular expression that must match the whole text; its replacement may use
the groups.  A value equal to its key keeps the English deliberately.  Texts without words
(numbers, symbols, ``$D(G(z))$``: see :func:`has_words`) are never looked up.

Each rendition, ``{"png": base64, "texts": {...}, "font": ...}``, records which texts it
translated and how (``texts``: English -> translation, or None when the table had none) and
the CJK font it used (``font``, None when no font was found: then ``png`` is empty, the figure
stays English and the build says so).  The build compares that record with the current table and re-executes
a chapter whose figures were drawn with an older one.
"""
from __future__ import annotations

import base64
import json
import os
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

__all__ = ["ENV", "rendition_mime", "load_table", "has_words", "translate", "find_cjk_font",
           "render_translated", "install"]

#: ``lang=path`` pairs, separated by ``os.pathsep``: the book build sets it.
ENV = "GANLAB_FIGURE_TRANSLATIONS"

#: CJK fonts, best first (Debian's fonts-noto-cjk first: the CI installs it).
CJK_FONTS = ("Noto Sans CJK KR", "Noto Sans KR", "Noto Sans CJK JP", "Noto Sans CJK SC",
             "NanumGothic", "Malgun Gothic", "AppleGothic", "Source Han Sans K", "UnDotum")

_MATH = re.compile(r"(?<!\\)\$.*?(?<!\\)\$", re.S)


def rendition_mime(lang: str) -> str:
    """The output-metadata key of a figure's ``lang`` rendition (``image/x.ganlab-ko+png``).

    First used in the book build.
    """
    return f"image/x.ganlab-{lang}+png"


def load_table(path: str | Path) -> dict:
    """Read a figure translation table; a clear error for a malformed one. First used in the book build."""
    path = Path(path)
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable JSON figure table ({exc})") from exc
    unknown = set(table) - {"texts", "patterns", "_comment"}
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}; use 'texts' and 'patterns'")
    for pattern in table.get("patterns", {}):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{path}: pattern {pattern!r} is not a regular expression ({exc})") from exc
    return {"texts": dict(table.get("texts", {})), "patterns": dict(table.get("patterns", {}))}


def has_words(text: str) -> bool:
    """Whether a figure text holds words to translate: two letters in a row outside ``$...$``.

    First used in the book build.
    """
    return bool(re.search(r"[A-Za-z]{2,}", _MATH.sub("", text)))


def translate(text: str, table: dict) -> str | None:
    """The translation of one figure text, or None when the table has none. First used in the book build."""
    if text in table["texts"]:
        return table["texts"][text]
    for pattern, replacement in table["patterns"].items():
        match = re.fullmatch(pattern, text, flags=re.S)
        if match:
            return match.expand(replacement)
    return None


@lru_cache(maxsize=None)
def find_cjk_font() -> str | None:
    """The family name of an installed font with Hangul, or None. First used in the book build.

    matplotlib caches its font list; a font installed after that cache was written is found
    by scanning the system's font files once.
    """
    from matplotlib import font_manager

    def known():
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in CJK_FONTS if name in names), None)

    if known() is None:
        for path in font_manager.findSystemFonts():
            if re.search(r"cjk|nanum|hangul|malgun|gothic", Path(path).name, re.I):
                try:
                    font_manager.fontManager.addfont(path)
                except Exception:  # noqa: BLE001  (a font file matplotlib cannot read: skip it)
                    continue
    return known()


@contextmanager
def _translated_texts(figure, table: dict, font: str, record: dict):
    """Within the block, ``figure``'s word texts read translated; restored on exit."""
    from matplotlib.axis import Axis
    from matplotlib.text import Text
    from matplotlib.ticker import FuncFormatter

    def translated(text: str) -> str:
        if not has_words(text):
            return text
        ko = translate(text, table)
        record[text] = ko
        return text if ko is None else ko

    def use_font(artist: Text, text: str) -> None:
        # mathtext draws the words around $...$ in the text's first family only
        families = [font] if "$" in text else [*artist.get_fontfamily(), font]
        artist.set_fontfamily(families)

    saved_texts, saved_formatters = [], []
    try:
        for artist in figure.findobj(Text):
            text = artist.get_text()
            ko = translated(text)
            if ko != text:
                saved_texts.append((artist, text, artist.get_fontfamily()))
                artist.set_text(ko)
                use_font(artist, ko)
        for axis in figure.findobj(Axis):  # word tick labels are made at draw time
            for level in (axis.major, axis.minor):
                formatter = level.formatter
                saved_formatters.append((level, formatter))
                wrapped = FuncFormatter(lambda x, pos, f=formatter: translated(f(x, pos)))
                wrapped.set_axis(axis)
                wrapped.set_locs = formatter.set_locs  # offsets and scales: the original's
                wrapped.get_offset = formatter.get_offset
                level.formatter = wrapped  # not set_major_formatter: it changes axis state
            for label in axis.get_ticklabels(which="both"):
                saved_texts.append((label, label.get_text(), label.get_fontfamily()))
                label.set_fontfamily([*label.get_fontfamily(), font])
        yield
    finally:
        for level, formatter in saved_formatters:
            level.formatter = formatter
        for artist, text, families in saved_texts:
            artist.set_text(text)
            artist.set_fontfamily(families)


def render_translated(figure, table: dict, **print_kwargs) -> tuple[str, dict]:
    """``(base64 PNG, record)``: ``figure`` drawn with its word texts translated.

    The PNG is empty when no CJK font is installed (the figure then stays English).  The
    record is ``{"texts": {English: translation or None}, "font": family or None}``.
    First used in the book build.
    """
    from IPython.core.pylabtools import print_figure

    font = find_cjk_font()
    record: dict = {}
    if font is None:
        return "", {"texts": record, "font": None}
    with _translated_texts(figure, table, font, record):
        data = print_figure(figure, fmt="png", base64=False, **print_kwargs)
    return base64.b64encode(data).decode("ascii"), {"texts": record, "font": font}


def _inline_print_kwargs() -> dict:
    try:
        from matplotlib_inline.backend_inline import InlineBackend
    except ImportError:
        return {"bbox_inches": "tight"}
    return dict(InlineBackend.instance().print_figure_kwargs)


def _formatter(lang: str, table: dict):
    import sys

    from IPython.core.formatters import BaseFormatter

    class TranslatedFigureFormatter(BaseFormatter):
        """Draws a matplotlib figure again in ``lang``; every other object: nothing.

        Decided by ``isinstance`` at call time, not by IPython's type registry: matplotlib-inline
        removes every formatter's Figure entry when the inline backend starts.
        """

        format_type = rendition_mime(lang)

        def __call__(self, obj):
            figure_module = sys.modules.get("matplotlib.figure")
            if figure_module is None or not isinstance(obj, figure_module.Figure):
                return None
            try:  # no data of this type: everything goes to the output's metadata
                png, record = render_translated(obj, table, **_inline_print_kwargs())
                return None, {"png": png, **record}
            except Exception as exc:  # noqa: BLE001  (the build reports it; the English figure stays)
                return None, {"png": "", "texts": {}, "font": None, "error": f"{type(exc).__name__}: {exc}"}

    return TranslatedFigureFormatter()


def install(spec: str | None = None) -> list[str]:
    """Register the translated-figure formatters with the running IPython kernel.

    ``spec`` is ``lang=path[<os.pathsep>lang=path...]`` (default: the ``GANLAB_FIGURE_TRANSLATIONS``
    environment variable).  Returns the languages registered; none outside IPython.
    First used in the book build (``import ganlab`` calls it when the variable is set).
    """
    spec = os.environ.get(ENV, "") if spec is None else spec
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    if shell is None or not spec.strip():
        return []
    registered = []
    for item in filter(None, spec.split(os.pathsep)):
        lang, sep, path = item.partition("=")
        if not sep or not lang.isalpha():
            raise ValueError(f"{ENV}: {item!r} is not 'lang=path/to/figures.json'")
        formatter = _formatter(lang, load_table(path))
        shell.display_formatter.formatters[formatter.format_type] = formatter
        registered.append(lang)
    return registered
