"""The Korean edition (issue 12): kept in step with the English book, and built from it.

Fast tests (no build): every chapter's translation is in step with its English notebook
(``scripts.translations.problems``, one test per chapter: a stale cell fails naming it), every
page of the front and back matter is translated and not stale, the Korean chapters use the
glossary's terms, and the machinery (``ganlab.i18n``'s figure renditions, the translated
project, the language switch, the quiet build log) does what it says.

Slow tests read the fast build (``fast_book`` in conftest.py): the generated Korean notebooks'
code cells are the English ones byte for byte, their figures are the Korean renditions, and the
Korean search index holds Korean words.
"""
from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import nbformat
import pytest

from conftest import CHAPTERS, REPO

from scripts import translated_book, translations

LANG = "ko"
#: The front and back matter (toc entries besides the chapters), translated as whole pages.
PAGES = ["book/intro", "book/how-to-run", "book/exercises", "book/instructors",
         "book/glossary", "book/bibliography", "book/status"]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


# ---------------------------------------------------------------------------------------
# Kept in step (these fail until the translation is finished: that is their job)
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_translation_is_in_step(chapter):
    found = translations.problems(chapter, LANG)
    assert not found, (f"{len(found)} cells of the Korean {chapter} are not in step with the English "
                       f"notebook (translations/ko/chapters/{chapter}.md):\n" + "\n".join(found[:40]))


@pytest.mark.parametrize("page", PAGES)
def test_korean_page_is_present_and_not_stale(page):
    state = translated_book.page_state(REPO, LANG, page)
    english = (REPO / f"{page}.md").read_text(encoding="utf-8")
    stamp = f"<!-- en:{translations.source_hash(english)} -->"
    assert state != "missing", (f"translations/ko/{page}.md is missing (the Korean book shows the English "
                                f"page); translate {page}.md and open the file with the line {stamp}")
    assert state == "translated", (f"translations/ko/{page}.md is stale: its first line must be {stamp} "
                                   f"(the English page changed since it was translated: update the "
                                   "translation, then the hash)")


def test_a_translated_notebook_keeps_every_code_cell_byte_for_byte():
    for chapter in CHAPTERS:
        english = nbformat.read(REPO / "chapters" / f"{chapter}.ipynb", as_version=4)
        korean = translations.translated_notebook(english, translations.read(chapter, LANG))
        assert [c.source for c in korean.cells if c.cell_type == "code"] == \
               [c.source for c in english.cells if c.cell_type == "code"], chapter
        assert [c.cell_type for c in korean.cells] == [c.cell_type for c in english.cells], chapter


# ---------------------------------------------------------------------------------------
# The glossary's terms
# ---------------------------------------------------------------------------------------
def glossary_rows(path: Path = REPO / "book" / "glossary.md") -> list[tuple[str, list[str]]]:
    """``(main Korean form, [other forms])`` for each row of the glossary's table.

    The Korean column reads ``main / other (other, other)``; when the English column has as
    many ``/`` parts (``encoder / decoder``), the parts are separate terms, each its own row.
    """
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not HANGUL.search(cells[1]) or set(cells[1]) <= set("- "):
            continue
        english, korean = cells[0], cells[1]
        inside = re.findall(r"\(([^)]*)\)", korean)
        outside = re.sub(r"\([^)]*\)", "", korean)
        parts = [p.strip() for p in outside.split("/") if p.strip()]
        others = [o.strip() for group in inside for o in group.split(",") if HANGUL.search(o)]
        if len(parts) > 1 and len(parts) == len(english.split("/")):
            rows += [(part, []) for part in parts]
            rows[-1] = (rows[-1][0], others)
        else:
            rows.append((parts[0], parts[1:] + others))
    return rows


def _chapter_korean_text(chapter: str) -> str:
    blocks = translations.read(chapter, LANG)
    text = "\n".join(b.text for b in blocks.values() if not b.todo)
    text = re.sub(r"`[^`]*`", " ", text)                 # code and roles' targets
    return re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", " ", text, flags=re.S)  # maths


def glossary_exceptions() -> dict[str, dict[str, str]]:
    """``translations/ko/glossary-exceptions.yml``: words a chapter uses in another sense."""
    import yaml

    path = REPO / "translations" / LANG / "glossary-exceptions.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {} if path.is_file() else {}


def glossary_problems(chapter: str, rows=None) -> list[str]:
    """Other forms of a glossary term used in a chapter that never uses the term's main form.

    A fair check: an other form is fine next to the main form (``판별자 (구분자)``), and a form
    that is some row's main form never counts as another row's other form.  Every row's main
    form is masked before the other forms are looked for, so ``기울기 소실`` (a main form) does
    not count as ``기울기`` (an other form of 그래디언트).
    """
    rows = glossary_rows() if rows is None else rows
    allowed = glossary_exceptions().get(chapter, {})
    text = _chapter_korean_text(chapter)
    mains = sorted({main for main, _ in rows}, key=len, reverse=True)
    masked = text
    for main in mains:
        masked = masked.replace(main, "\0")
    found = []
    for main, others in rows:
        for other in others:
            if other in mains or other in main or other in allowed:
                continue
            if other in masked and main not in text:
                found.append(f"{chapter}: uses {other!r} but never the glossary's form {main!r}")
    return found


def test_glossary_rows_read_as_intended():
    rows = dict(glossary_rows())
    assert rows["판별자"] == ["구분자", "판별망"]
    assert "생성자" in rows and "생성 모델" in rows["생성자"]
    assert "인코더" in rows and "디코더" in rows  # "encoder / decoder": two terms
    assert len(rows) >= 60


def test_glossary_check_flags_an_other_form_used_alone():
    rows = [("판별자", ["구분자"]), ("기울기 소실", []), ("그래디언트", ["기울기"])]
    original = translations.read

    def fake(chapter, lang="ko", root=REPO):
        return {"c1": translations.Block("c1", "0" * 12, text)}

    try:
        translations.read = fake
        text = "구분자는 진짜와 가짜를 가린다. 기울기 소실이 일어난다."
        assert glossary_problems("x", rows) == ["x: uses '구분자' but never the glossary's form '판별자'"]
        assert glossary_problems("10-conditional-gans", rows) == ["10-conditional-gans: uses '구분자' but "
                                                                 "never the glossary's form '판별자'"]
        text = "획의 기울기"  # an exception of chapter 10 (the slant of a stroke)
        assert glossary_problems("10-conditional-gans", rows) == []
        assert glossary_problems("x", rows) == ["x: uses '기울기' but never the glossary's form '그래디언트'"]
        text = "판별자(구분자)는 진짜와 가짜를 가린다. 그래디언트(기울기)"
        assert glossary_problems("x", rows) == []
    finally:
        translations.read = original


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_korean_chapter_uses_the_glossary_terms(chapter):
    found = glossary_problems(chapter)
    assert not found, "\n".join(found)


# ---------------------------------------------------------------------------------------
# Figures drawn in Korean (ganlab.i18n)
# ---------------------------------------------------------------------------------------
def _i18n():
    return translated_book.i18n()


def test_has_words_skips_numbers_and_maths():
    has_words = _i18n().has_words
    assert has_words("step") and has_words("losses (moving average of 20)")
    assert not has_words("0.25") and not has_words("$D(G(z))$") and not has_words("G(z)")
    assert has_words("generator loss $-\\log D(G(z))$")


def test_translate_exact_then_patterns():
    table = {"texts": {"step": "단계"}, "patterns": {r"^losses \(moving average of (\d+)\)$": r"손실 (이동 평균 \1)"}}
    translate = _i18n().translate
    assert translate("step", table) == "단계"
    assert translate("losses (moving average of 20)", table) == "손실 (이동 평균 20)"
    assert translate("steps", table) is None


def test_load_table_names_what_is_wrong(tmp_path):
    bad = tmp_path / "figures.json"
    bad.write_text('{"words": {}}', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown keys"):
        _i18n().load_table(bad)
    bad.write_text('{"patterns": {"(": "x"}}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a regular expression"):
        _i18n().load_table(bad)


def test_the_korean_figure_table_is_valid():
    table = _i18n().load_table(translated_book.figure_table_path(REPO, LANG))
    assert len(table["texts"]) >= 20
    untranslated = [k for k, v in table["texts"].items() if v == k and HANGUL.search(k) is None
                    and _i18n().has_words(k) and len(k) > 12]
    assert len(untranslated) < len(table["texts"]) / 4, f"mostly kept in English: {untranslated[:10]}"


def test_render_translated_draws_korean_and_restores_the_figure():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    i18n = _i18n()
    if i18n.find_cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    figure, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["real", "fake"], [1, 2])
    ax.set_xlabel("step")
    ax.set_title("generator loss $-\\log D(G(z))$")
    table = {"texts": {"step": "단계", "real": "진짜", "generator loss $-\\log D(G(z))$": "생성자 손실 $-\\log D(G(z))$"},
             "patterns": {}}
    png, record = i18n.render_translated(figure, table, bbox_inches="tight")
    assert record["font"] and record["texts"]["step"] == "단계" and record["texts"]["fake"] is None
    assert base64.b64decode(png).startswith(b"\x89PNG")
    assert ax.get_xlabel() == "step" and ax.get_title().startswith("generator")  # restored
    english = io.BytesIO()
    figure.savefig(english, format="png", bbox_inches="tight")
    assert english.getvalue() != base64.b64decode(png)
    plt.close(figure)


def _figure_notebook(record, with_rendition=True):
    mime = _i18n().rendition_mime(LANG)
    data = {"image/png": "RU5HTElTSA==", "text/plain": "<NotebookFigure size 640x480 with 1 Axes>"}
    if with_rendition:
        record = {"png": "S09SRUFO" if record.get("font") else "", **record}
    output = nbformat.v4.new_output("display_data", data=data, metadata={mime: record} if record else {})
    cell = nbformat.v4.new_code_cell("plt.show()", outputs=[output])
    return nbformat.v4.new_notebook(cells=[cell])


def test_swap_figures_puts_the_korean_png_in_place():
    notebook = _figure_notebook({"texts": {"step": "단계", "fake": None}, "font": "Noto Sans CJK KR"})
    report = translated_book.swap_figures(notebook, LANG)
    data = notebook.cells[0].outputs[0]["data"]
    assert data["image/png"] == "S09SRUFO" and set(data) == {"image/png", "text/plain"}
    assert report.swapped == 1 and report.untranslated == {"fake"} and not report.errors


def test_a_picture_that_is_no_matplotlib_figure_is_left_alone():
    notebook = _figure_notebook(None, with_rendition=False)
    notebook.cells[0].outputs[0]["data"]["text/plain"] = "<IPython.core.display.Image object>"
    assert translated_book.stale_figures(notebook, LANG, {"texts": {}, "patterns": {}}, None) == []
    report = translated_book.swap_figures(notebook, LANG)
    assert not report.errors and report.swapped == 0


def test_without_a_cjk_font_the_figure_stays_english_and_says_so(monkeypatch):
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    i18n = _i18n()
    monkeypatch.setattr(i18n, "find_cjk_font", lambda: None)
    figure, ax = plt.subplots()
    ax.set_xlabel("step")
    png, record = i18n.render_translated(figure, {"texts": {"step": "단계"}, "patterns": {}})
    plt.close(figure)
    assert png == "" and record["font"] is None
    notebook = _figure_notebook({"texts": {}, "font": None})
    project = translated_book.ProjectReport(LANG, Path("."))
    project.figures["x"] = translated_book.swap_figures(notebook, LANG)
    assert notebook.cells[0].outputs[0]["data"]["image/png"] == "RU5HTElTSA=="  # the English one
    assert any("no CJK font" in note and "fonts-noto-cjk" in note for note in project.notes())


def test_a_figure_without_rendition_is_an_error_not_an_english_figure():
    notebook = _figure_notebook(None, with_rendition=False)
    report = translated_book.swap_figures(notebook, LANG)
    assert report.errors and "GANLAB_FIGURE_TRANSLATIONS" in report.errors[0]


def test_stale_figures_reasons():
    table = {"texts": {"step": "단계"}, "patterns": {}}
    fresh = _figure_notebook({"texts": {"step": "단계"}, "font": "Noto Sans CJK KR"})
    assert translated_book.stale_figures(fresh, LANG, table, "Noto Sans CJK KR") == []
    changed = _figure_notebook({"texts": {"step": "스텝"}, "font": "Noto Sans CJK KR"})
    assert "differently" in translated_book.stale_figures(changed, LANG, table, "Noto Sans CJK KR")[0]
    old_cache = _figure_notebook(None, with_rendition=False)
    assert "no translated rendition" in translated_book.stale_figures(old_cache, LANG, table, None)[0]
    no_font = _figure_notebook({"texts": {}, "font": None})
    assert translated_book.stale_figures(no_font, LANG, table, None) == []
    assert "CJK font" in translated_book.stale_figures(no_font, LANG, table, "Noto Sans CJK KR")[0]


# ---------------------------------------------------------------------------------------
# The translated project and the language switch
# ---------------------------------------------------------------------------------------
def test_translated_config_and_toc():
    import yaml

    settings = translated_book.settings(REPO, LANG)
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    korean = translated_book.translated_config(config, settings, REPO)
    assert korean["execute"]["execute_notebooks"] == "off"
    assert korean["sphinx"]["config"]["language"] == "ko"
    assert HANGUL.search(korean["title"])
    assert all(Path(p).is_absolute() for p in korean["sphinx"]["config"]["html_static_path"])
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    captions = [part["caption"] for part in translated_book.translated_toc(toc, settings)["parts"]]
    assert all(HANGUL.search(c) for c in captions), captions
    with pytest.raises(ValueError, match="no caption for the part"):
        translated_book.translated_toc({"root": "x", "parts": [{"caption": "New part"}]}, settings)


def test_exec_table_lists_every_chapter():
    settings = translated_book.settings(REPO, LANG)
    table = translated_book.exec_table({"02-minimax": {"modified": "2026-12-01 20:00", "seconds": 12.5, "ok": True},
                                        "05-dcgan": None}, settings)
    assert "{doc}`../chapters/02-minimax`" in table and "12.50" in table and "✅" in table
    assert settings["exec_table"]["not_run"] in table


def test_language_switch_links_both_ways(tmp_path):
    page = '<html><body><div class="article-header-buttons"></div></body></html>'
    for path in ("book/intro.html", "chapters/02-minimax.html", "ko/book/intro.html",
                 "ko/chapters/02-minimax.html", "book/only-english.html"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(page, encoding="utf-8")
    assert translated_book.add_language_switch(tmp_path, "ko", "한국어") == 4
    assert 'href="../ko/chapters/02-minimax.html"' in (tmp_path / "chapters/02-minimax.html").read_text()
    assert 'href="../../chapters/02-minimax.html"' in (tmp_path / "ko/chapters/02-minimax.html").read_text()
    assert "ganlab-language-switch" not in (tmp_path / "book/only-english.html").read_text()
    assert translated_book.add_language_switch(tmp_path, "ko", "한국어") == 0  # once only


def test_build_log_hides_the_noise_and_keeps_the_rest():
    from scripts.build_book import _Tee, is_noise

    assert is_noise("[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All ...")
    assert is_noise("myst v3.0.1: MdParserConfig(commonmark_only=False, gfm_only=False)")
    assert is_noise("myst-nb v1.4.0: NbParserConfig(custom_formats={})")
    assert not is_noise("/work/chapters/02-minimax.ipynb:12: WARNING: undefined label")
    terminal, log = io.StringIO(), io.StringIO()
    tee = _Tee(terminal, log)
    tee.write("reading sources... [ 50%] chapters/02-minimax\nmyst v3.0.1: MdParserConfig(x=1,\n")
    tee.write(" y=2)\n[IPKernelApp] WARNING | Kernel is running over TCP without encryption.\ndone")
    tee.flush()
    assert log.getvalue() == terminal.getvalue() == "reading sources... [ 50%] chapters/02-minimax\n y=2)\ndone"


# ---------------------------------------------------------------------------------------
# The generated Korean book (slow: reads the fast build)
# ---------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_generated_korean_notebook_has_the_english_code_and_korean_figures(fast_book, chapter):
    generated = fast_book.builddir / f"{LANG}-src" / "chapters" / f"{chapter}.ipynb"
    assert generated.is_file(), f"{generated} was not generated:\n" + fast_book.output[-3000:]
    korean = nbformat.read(generated, as_version=4)
    english = nbformat.read(REPO / "chapters" / f"{chapter}.ipynb", as_version=4)
    korean_code = [c.source for c in korean.cells if c.cell_type == "code"]
    english_code = [c.source for c in english.cells if c.cell_type == "code"]
    assert korean_code == english_code, f"{chapter}: the Korean code cells differ from the English ones"
    assert json.dumps(korean_code).encode() == json.dumps(english_code).encode()
    mime = _i18n().rendition_mime(LANG)
    leftovers = [k for c in korean.cells for o in c.get("outputs", []) for k in o.get("metadata", {}) if mime in k]
    assert not leftovers, f"{chapter}: Korean renditions left in the outputs (not swapped in)"
    executed = fast_book.builddir / "jupyter_execute" / "chapters" / f"{chapter}.ipynb"
    assert executed.is_file()


@pytest.mark.slow
def test_korean_search_index_has_korean_words(fast_book):
    index = fast_book.html / LANG / "searchindex.js"
    assert index.is_file(), "the Korean book has no search index"
    text = index.read_text(encoding="utf-8")
    terms = json.loads(text[text.index("(") + 1:text.rindex(")")])["terms"]
    korean_terms = [t for t in terms if HANGUL.search(t)]
    assert len(korean_terms) > 100, f"only {len(korean_terms)} Korean words in the Korean search index"
    assert any(t.startswith("판별자") for t in terms), "the word 판별자 is not searchable in the Korean book"


@pytest.mark.slow
def test_build_reports_both_build_times(fast_book):
    assert re.search(r"wall time of the English book .*: [\d.]+ s", fast_book.output), fast_book.output[-3000:]
    assert re.search(r"wall time of the ko book .*: [\d.]+ s", fast_book.output)
    assert "Kernel is running over TCP without encryption" not in fast_book.output
    assert "MdParserConfig(" not in fast_book.output


def test_the_korean_book_shares_the_english_vendored_javascript(tmp_path):
    from scripts.build_book import share_vendor

    ko = tmp_path / "ko"
    (ko / "_static" / "vendor" / "mathjax").mkdir(parents=True)
    (ko / "chapters").mkdir()
    (ko / "chapters" / "02-minimax.html").write_text(
        '<script src="../_static/vendor/mathjax/tex-mml-chtml.js?v=1"></script>'
        '<link href="../_static/styles/theme.css">', encoding="utf-8")
    (ko / "_static" / "vendor" / "fontawesome").mkdir()  # the theme's: stays
    (ko / "index.html").write_text('<script src="_static/vendor/requirejs/require.js"></script>'
                                   '<link href="_static/vendor/fontawesome/css/all.min.css">', encoding="utf-8")
    assert share_vendor(ko, ["mathjax", "requirejs"]) == 2
    assert '"../../_static/vendor/mathjax/tex-mml-chtml.js?v=1"' in (ko / "chapters" / "02-minimax.html").read_text()
    assert '"../_static/styles/theme.css"' in (ko / "chapters" / "02-minimax.html").read_text()
    assert '"../_static/vendor/requirejs/require.js"' in (ko / "index.html").read_text()
    assert '"_static/vendor/fontawesome/css/all.min.css"' in (ko / "index.html").read_text()
    assert not (ko / "_static" / "vendor" / "mathjax").exists()
    assert (ko / "_static" / "vendor" / "fontawesome").is_dir()


def test_glued_words_are_translated_in_the_translated_notebook():
    """The code glues English words ('equal'); the Korean notebook shows Korean ones, and what
    the table cannot translate is returned for the build to report."""
    import nbformat

    from scripts import translated_book, translations

    cell = nbformat.v4.new_code_cell("glue(...)")
    glued = {"k-word": "'equal'", "k-unknown": "'purple monkey dishwasher'", "k-number": "3.5"}
    prefix = "application/papermill.record/"  # how glue(..., display=False) stores a value
    cell.outputs = [nbformat.v4.new_output("display_data", data={prefix + "text/plain": text},
                                           metadata={"scrapbook": {"name": key, "mime_prefix": prefix}})
                    for key, text in glued.items()]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    left = translated_book.translate_glued_values(notebook, translations.glued_table("ko"))
    shown = [output.data[prefix + "text/plain"] for output in cell.outputs]
    assert shown == ["'같다'", "'purple monkey dishwasher'", "3.5"]
    assert left == ["purple monkey dishwasher"]
