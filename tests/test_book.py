"""The built HTML book, read the way a learner reads it: in a real browser, offline.

Debian's chromium (headless, driven by playwright) opens every page of the fast build
(``fast_book`` in conftest.py), English and Korean (``ko/``), from a local HTTP server.  Every
request that leaves that server is blocked and recorded: the book must read without the
internet (no CDN).  Korean pages must show Hangul drawn with a real font (Debian's
fonts-noto-cjk; without one chromium draws boxes), and every page links to its twin in the
other language.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import re
import threading
import zipfile
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
import yaml
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from conftest import BOOK_ROOT, CHAPTERS

CHROMIUM = "/usr/bin/chromium"
FRONT_AND_BACK = ["book/intro", "book/how-to-run", "book/exercises", "book/instructors",
                  "book/glossary", "book/bibliography", "book/status"]
ZIP = Path("_downloads") / "gan-course-html.zip"
ASSIGNMENTS = ["01-minimax", "02-losses", "03-training-step", "04-dcgan", "05-batchnorm", "06-cyclegan",
               "07-evaluation", "08-vae"]
HANGUL = re.compile(r"[\uac00-\ud7a3]")
SWITCH = "a.ganlab-language-switch"
CDN_HOSTS = re.compile(r"cdn\.|jsdelivr|unpkg\.com|cdnjs|googleapis|gstatic|polyfill\.io|plausible\.io")

pytestmark = pytest.mark.slow


def _colab_url(chapter: str, lang: str = "en") -> str:
    """The chapter's Colab copy (scripts/colab.py), which the launch button opens."""
    config = yaml.safe_load((BOOK_ROOT / "_config.yml").read_text(encoding="utf-8"))
    repo = urlparse(config["repository"]["url"]).path.strip("/")
    branch = config["repository"]["branch"]
    folder = "colab" if lang == "en" else f"colab/{lang}"
    return f"{config['launch_buttons']['colab_url']}/github/{repo}/blob/{branch}/{folder}/{chapter}.ipynb"


# ---------------------------------------------------------------------------------------
# A local server and a browser
# ---------------------------------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(fast_book):
    assert fast_book.html.joinpath("index.html").is_file(), \
        "the book did not build:\n" + fast_book.output[-4000:]
    handler = functools.partial(_QuietHandler, directory=str(fast_book.html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: a free port
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).is_file(), f"Debian's chromium is needed at {CHROMIUM} (apt-get install chromium)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


class Visit:
    """One page opened in a fresh browser context, with external requests blocked."""

    def __init__(self, browser, server: str, page_name: str):
        self.external: list[str] = []
        self.failed: list[str] = []
        self.js_errors: list[str] = []
        self.context = browser.new_context()
        self.context.route("**/*", self._route(server))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.js_errors.append(str(exc)))
        self.page.on("requestfailed", lambda req: self.failed.append(req.url)
                     if req.url.startswith(server) else None)
        self.response = self.page.goto(f"{server}/{page_name}.html", wait_until="load")

    def _route(self, server):
        def handle(route):
            url = route.request.url
            if url.startswith(server) or url.startswith(("data:", "blob:", "about:")):
                route.continue_()
            else:
                self.external.append(url)
                route.abort()
        return handle

    def wait_for_mathjax(self):
        has = self.page.evaluate("() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)")
        if has:
            self.page.evaluate("() => MathJax.startup.promise")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, server):
    opened = []

    def open_page(page_name):
        v = Visit(browser, server, page_name)
        opened.append(v)
        return v

    yield open_page
    for v in opened:
        v.close()


def _widgets_rendered(page, timeout_ms: int = 20_000) -> bool:
    """Wait until the widgets' HTML manager has drawn at least one view from saved state."""
    try:
        page.wait_for_selector("main .jupyter-widgets", timeout=timeout_ms)
    except PlaywrightTimeout:
        return False
    return True


def _math_count(page) -> int:
    return page.evaluate("() => document.querySelectorAll('main .math, main span.math, main div.math').length")


def _check_common(v: Visit, name: str):
    assert v.response is not None and v.response.ok, f"{name}: HTTP {v.response and v.response.status}"
    assert not v.external, f"{name} fetched from outside the book (must read offline): {v.external}"
    assert not v.failed, f"{name}: requests that failed: {v.failed}"
    assert not v.js_errors, f"{name}: JavaScript errors: {v.js_errors}"
    text = v.page.inner_text("main")
    assert "Traceback (most recent call last)" not in text, f"{name} shows a traceback"
    assert v.page.locator(".output.traceback, .output.error").count() == 0, f"{name} shows an error output"


# ---------------------------------------------------------------------------------------
# Chapter pages
# ---------------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_in_the_browser(visit, fast_book, chapter):
    assert fast_book.page(f"chapters/{chapter}").is_file(), f"chapters/{chapter}.html was not built"
    v = visit(f"chapters/{chapter}")
    v.wait_for_mathjax()
    v.page.wait_for_load_state("networkidle")
    _check_common(v, chapter)
    page = v.page

    # Figures: at least one image made by the chapter's code, and every image loads.
    images = page.evaluate("""() => Array.from(document.querySelectorAll('main img')).map(
        i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0}))""")
    figures = [i for i in images if "_images/" in (i["src"] or "")]
    assert figures, f"{chapter}: no figure produced by the chapter's code"
    broken = [i["src"] for i in images if not i["ok"]]
    assert not broken, f"{chapter}: images that did not load: {broken}"

    # Maths: rendered by the vendored MathJax, without errors.
    maths = _math_count(page)
    assert maths > 0, f"{chapter}: no maths on the page"
    rendered = page.locator("main mjx-container").count()
    assert rendered >= maths, f"{chapter}: {rendered} of {maths} formulas rendered by MathJax"
    assert page.locator("mjx-merror").count() == 0, f"{chapter}: MathJax reports a TeX error"

    # The Colab launch button opens this chapter's Colab copy in the configured repository.
    colab = page.locator(f'a[href="{_colab_url(chapter)}"]')
    assert colab.count() >= 1, f"{chapter}: no Colab link to {_colab_url(chapter)}"

    # Saved widget views (progress bars, sliders) render from their saved state.
    saved_views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    if saved_views:
        assert _widgets_rendered(page), (f"{chapter}: {saved_views} widget views in the page, none "
                                         "rendered (no saved widget state? did the chapter execute?)")


@pytest.mark.browser
def test_widgets_and_progress_bars_render(visit, fast_book):
    """The chapter 2 stepper (a widget) renders, and some chapter keeps a progress bar."""
    with_views = [c for c in CHAPTERS if fast_book.page(f"chapters/{c}").is_file()
                  and "application/vnd.jupyter.widget-view+json" in fast_book.page(f"chapters/{c}").read_text()]
    assert "02-minimax" in with_views, "chapter 2 has no saved widget (the training stepper)"
    progress_pages = []
    for chapter in with_views:
        v = visit(f"chapters/{chapter}")
        assert _widgets_rendered(v.page), f"{chapter}: its saved widgets did not render"
        assert not v.external and not v.js_errors, (chapter, v.external, v.js_errors)
        if v.page.locator("main .widget-hprogress, main .jupyter-widgets progress").count():
            progress_pages.append(chapter)
        v.close()
    assert progress_pages, f"no chapter shows a saved progress bar (checked {with_views})"


# ---------------------------------------------------------------------------------------
# Front and back matter
# ---------------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("name", FRONT_AND_BACK)
def test_front_and_back_matter_in_the_browser(visit, fast_book, name):
    assert fast_book.page(name).is_file(), f"{name}.html was not built"
    v = visit(name)
    v.wait_for_mathjax()
    v.page.wait_for_load_state("networkidle")
    _check_common(v, name)
    assert v.page.locator("main h1").count() >= 1


def test_glossary_has_at_least_40_terms_with_korean(fast_book):
    text = fast_book.page("book/glossary").read_text(encoding="utf-8")
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", text, flags=re.S)
    korean_rows = [r for r in rows if re.search(r"[\uac00-\ud7a3]", r)]
    assert len(korean_rows) >= 40, f"only {len(korean_rows)} English–Korean rows"


def test_status_page_lists_every_chapter_with_its_run_time(fast_book):
    text = fast_book.page("book/status").read_text(encoding="utf-8")
    table = text[text.index("<table"):text.index("</table>")]
    for chapter in CHAPTERS:
        row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*chapters/{chapter}(?:(?!</tr>).)*</tr>", table, flags=re.S)
        assert row, f"the status page has no row for {chapter}"
        cells = re.findall(r"<td><p>(.*?)</p></td>", row.group(0), flags=re.S)
        assert float(cells[3]) > 0, f"{chapter}: no run time on the status page ({cells})"
        assert "✅" in cells[4], f"{chapter}: execution did not succeed ({cells})"


def test_bibliography_lists_cited_papers(fast_book):
    text = fast_book.page("book/bibliography").read_text(encoding="utf-8").lower()
    for needle in ("generative adversarial nets", "goodfellow", "radford", "zhu", "ioffe"):
        assert needle in text, f"{needle!r} is not in the bibliography"


# ---------------------------------------------------------------------------------------
# The Korean book
# ---------------------------------------------------------------------------------------
#: Draws a Hangul syllable and a private-use character (which no font has: chromium draws its
#: "missing glyph" box) in the page's own font; identical pixels mean Hangul is drawn as boxes.
_HANGUL_DRAWN = """(text) => {
  const family = getComputedStyle(document.querySelector('main')).fontFamily;
  const draw = (ch) => {
    const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const g = c.getContext('2d'); g.font = '40px ' + family;
    g.fillText(ch, 4, 48); return Array.from(g.getImageData(0, 0, 64, 64).data).join(',');
  };
  const box = draw('\\ue000');
  const hangul = Array.from(text).filter(ch => /[\\uac00-\\ud7a3]/.test(ch)).slice(0, 5);
  return {checked: hangul.length, boxes: hangul.filter(ch => draw(ch) === box).length};
}"""


#: The page's own prose (not the navigation, whose labels Sphinx translates anyway, nor code).
_PROSE = """() => Array.from(document.querySelectorAll(
    'article :is(p, li, h1, h2, h3, td, th, dt, dd, figcaption)')).map(e => e.innerText).join(' ')"""


def _korean_text_is_drawn(v: Visit, name: str) -> None:
    """Hangul in the page's prose (a chapter: much of it), drawn with a font that has it.

    Whether each page is translated and in step is tests/test_translations.py's job.
    """
    text = v.page.evaluate(_PROSE)
    syllables = len(HANGUL.findall(text))
    least = 500 if name.startswith("chapters/") else 20
    assert syllables >= least, (f"ko/{name}: its text shows {syllables} Hangul syllables: the page is "
                                "not translated?")
    drawn = v.page.evaluate(_HANGUL_DRAWN, text)
    assert drawn["checked"] and drawn["boxes"] == 0, (
        f"ko/{name}: {drawn['boxes']} of {drawn['checked']} Hangul syllables drawn as boxes "
        "(no CJK font: apt-get install fonts-noto-cjk)")
    assert v.page.evaluate("() => document.documentElement.lang") == "ko"


@pytest.mark.browser
@pytest.mark.parametrize("name", [f"chapters/{c}" for c in CHAPTERS] + FRONT_AND_BACK)
def test_korean_page_in_the_browser(visit, fast_book, name):
    assert fast_book.translated_page(name).is_file(), f"ko/{name}.html was not built"
    v = visit(f"ko/{name}")
    v.wait_for_mathjax()
    v.page.wait_for_load_state("networkidle")
    _check_common(v, f"ko/{name}")
    _korean_text_is_drawn(v, name)
    images = v.page.evaluate("""() => Array.from(document.querySelectorAll('main img')).map(
        i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0}))""")
    broken = [i["src"] for i in images if not i["ok"]]
    assert not broken, f"ko/{name}: images that did not load: {broken}"
    if name.startswith("chapters/"):
        assert any("_images/" in (i["src"] or "") for i in images), f"ko/{name}: no figure"
        maths = _math_count(v.page)
        assert maths > 0 and v.page.locator("main mjx-container").count() >= maths, f"ko/{name}: maths"
        assert v.page.locator("mjx-merror").count() == 0, f"ko/{name}: MathJax reports a TeX error"
        chapter = name.removeprefix("chapters/")
        assert v.page.locator(f'a[href="{_colab_url(chapter, "ko")}"]').count() >= 1, \
            f"ko/{name}: no Colab link to the Korean Colab copy {_colab_url(chapter, 'ko')}"
    switch = v.page.locator(SWITCH)
    assert switch.count() == 1 and switch.get_attribute("href") == "../" * (name.count("/") + 1) + f"{name}.html"


@pytest.mark.browser
@pytest.mark.parametrize("name", ["book/intro", "chapters/02-minimax"])
def test_language_switch_both_ways(visit, server, name):
    v = visit(name)
    v.page.locator(SWITCH).first.click()
    v.page.wait_for_load_state("load")
    assert v.page.url == f"{server}/ko/{name}.html", v.page.url
    assert len(HANGUL.findall(v.page.evaluate(_PROSE))) >= 20
    v.page.locator(SWITCH).first.click()
    v.page.wait_for_load_state("load")
    assert v.page.url == f"{server}/{name}.html", v.page.url
    assert not v.external and not v.js_errors, (v.external, v.js_errors)


@pytest.mark.browser
def test_korean_search_finds_a_korean_word(visit):
    v = visit("ko/search")
    v.page.goto(v.page.url + "?q=" + "판별자", wait_until="load")
    try:
        v.page.wait_for_selector("#search-results li", timeout=20_000)
    except PlaywrightTimeout:
        pass
    found = v.page.locator("#search-results li").count()
    assert found >= 3, f"searching the Korean book for 판별자 found {found} pages"
    assert not v.external and not v.js_errors, (v.external, v.js_errors)


def test_every_page_links_its_twin_in_the_other_language(fast_book):
    english = [p for p in _pages(fast_book.html) if p.relative_to(fast_book.html).parts[0] != "ko"
               and "<main" in p.read_text(encoding="utf-8")]
    assert len(english) >= len(CHAPTERS) + len(FRONT_AND_BACK)
    missing = []
    for page in english:
        twin = fast_book.html / "ko" / page.relative_to(fast_book.html)
        for here, there in ((page, twin), (twin, page)):
            text = here.read_text(encoding="utf-8") if here.is_file() else ""
            hrefs = re.findall(r'class="ganlab-language-switch[^"]*" href="([^"]+)"', text)
            target = Path(unquote(urlparse(urljoin("file://" + str(here), hrefs[0])).path)) if hrefs else None
            if len(hrefs) != 1 or target != there:
                missing.append(f"{here.relative_to(fast_book.html)} -> {there.relative_to(fast_book.html)}")
    assert not missing, "pages without a switch to their twin:\n" + "\n".join(missing)


def test_korean_status_page_lists_every_chapter_with_its_run_time(fast_book):
    text = fast_book.translated_page("book/status").read_text(encoding="utf-8")
    table = text[text.index("<table"):text.index("</table>")]
    for chapter in CHAPTERS:
        row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*chapters/{chapter}(?:(?!</tr>).)*</tr>", table, flags=re.S)
        assert row, f"the Korean status page has no row for {chapter}"
        cells = re.findall(r"<td[^>]*><p>(.*?)</p></td>", row.group(0), flags=re.S)
        assert float(cells[3]) > 0 and "✅" in cells[4], f"{chapter}: {cells}"


# ---------------------------------------------------------------------------------------
# The whole HTML: links, offline, the zip, the exercise downloads
# ---------------------------------------------------------------------------------------
class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "name" in attrs:
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key):
                self.links.append((tag, attrs[key]))


def _pages(html_dir: Path) -> list[Path]:
    return sorted(p for p in html_dir.rglob("*.html")
                  if "_static" not in p.parts and "_sources" not in p.parts)


@functools.lru_cache(maxsize=None)
def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def test_no_internal_link_is_broken(fast_book):
    html_dir = fast_book.html
    broken = []
    for page in _pages(html_dir):
        base = "file://" + str(page)
        for tag, link in _parse(page).links:
            parsed = urlparse(link)
            if parsed.scheme in ("http", "https", "mailto", "javascript", "data"):
                continue
            target = urlparse(urljoin(base, link))
            path = Path(unquote(target.path))
            if not path.is_relative_to(html_dir):
                broken.append(f"{page.relative_to(html_dir)}: {link} (outside the book)")
                continue
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{page.relative_to(html_dir)}: {link}")
            elif target.fragment and path.suffix == ".html" and tag == "a":
                if unquote(target.fragment) not in _parse(path).ids:
                    broken.append(f"{page.relative_to(html_dir)}: {link} (no such anchor)")
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:60])


def test_pages_reference_no_cdn(fast_book):
    offenders = []
    for page in _pages(fast_book.html):
        text = page.read_text(encoding="utf-8", errors="replace")
        for tag, link in _parse(page).links:
            if tag in ("script", "link", "img", "iframe") and urlparse(link).scheme in ("http", "https", ""):
                if link.startswith(("http://", "https://", "//")):
                    offenders.append(f"{page.name}: <{tag}> {link}")
        offenders += [f"{page.name}: mentions {m}" for m in set(CDN_HOSTS.findall(text))]
    assert not offenders, "\n".join(offenders[:40])


def test_offline_zip_holds_the_whole_book(fast_book):
    archive = fast_book.html / ZIP
    assert archive.is_file(), f"no offline zip at {ZIP}"
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        assert zf.testzip() is None
    for page in ["index", "book/intro", *(f"chapters/{c}" for c in CHAPTERS)]:
        assert f"gan-course-html/{page}.html" in names, f"{page}.html missing from the zip"
        assert f"gan-course-html/ko/{page}.html" in names, f"ko/{page}.html missing from the zip"
    assert "gan-course-html/_static/vendor/mathjax/tex-mml-chtml.js" in names
    assert "gan-course-html/_static/vendor/html-manager/embed-amd.js" in names
    how_to_run = fast_book.page("book/how-to-run").read_text(encoding="utf-8")
    assert f'href="../{ZIP.as_posix()}"' in how_to_run, "how-to-run does not link the zip"
    assert (fast_book.html / "ko" / ZIP).is_file(), "the Korean book's link to the zip leads nowhere"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_exercise_is_downloadable(fast_book, assignment):
    notebook = fast_book.html / "exercises" / assignment / f"{assignment}.ipynb"
    assert notebook.is_file(), (f"the released {assignment} notebook is not in the HTML; run "
                                "`make release` (python -m ganlab_grader release) before the build")
    exercises = fast_book.page("book/exercises").read_text(encoding="utf-8")
    assert f'href="../exercises/{assignment}/{assignment}.ipynb"' in exercises
    text = notebook.read_text(encoding="utf-8")
    assert "### BEGIN SOLUTION" not in text, f"{assignment}: the release contains solutions"
    # the Korean page offers the Korean release (published once, beside the English one)
    korean = fast_book.html / "exercises" / assignment / f"{assignment}.ko.ipynb"
    assert korean.is_file(), f"the Korean release of {assignment} is not in the HTML"
    page = (fast_book.html / "ko" / "book" / "exercises.html").read_text(encoding="utf-8")
    assert f'href="../../exercises/{assignment}/{assignment}.ko.ipynb"' in page
    assert '"language": "ko"' in korean.read_text(encoding="utf-8")
    assert "### BEGIN SOLUTION" not in korean.read_text(encoding="utf-8")


def test_every_page_of_the_fast_build_says_its_numbers_are_from_short_runs(fast_book):
    pages = [p for p in fast_book.html.rglob("*.html")  # every page with content (not redirects)
             if "_static" not in p.parts and "_sources" not in p.parts
             and "<main" in p.read_text(encoding="utf-8")]
    assert len(pages) >= len(CHAPTERS)
    def says_so(page: Path) -> bool:
        korean = page.relative_to(fast_book.html).parts[0] == "ko"
        return ("빠른 빌드" if korean else "shortened training runs") in page.read_text(encoding="utf-8")

    assert any(p.relative_to(fast_book.html).parts[0] == "ko" for p in pages)
    unmarked = [str(p.relative_to(fast_book.html)) for p in pages if not says_so(p)]
    assert not unmarked, f"pages without the fast-build banner: {unmarked}"
    # the banner comes first in the body, before the page's own content
    chapter = fast_book.page(f"chapters/{CHAPTERS[0]}").read_text(encoding="utf-8")
    assert chapter.index("ganlab-fast-build") < chapter.index("<main")
