"""Build the HTML book: ``python -m scripts.build_book [--fast] [--builddir _build]``.

What a build does, in order:

1. **Vendor the JavaScript the book needs offline.**  MathJax 3 (npm ``mathjax@3``), the
   Jupyter widgets' HTML manager (``@jupyter-widgets/html-manager``, ``dist/embed-amd.js``)
   and ``requirejs`` are installed once with ``npm install --prefix .cache/npm`` and copied
   into ``.cache/book-static/vendor/``, which ``_config.yml`` serves as ``_static/vendor/``.
   No page of the built book loads anything from a CDN.
2. **Publish the released exercises.**  ``exercises/release/<assignment>/`` (made by
   ``make release``; generated here when missing and ``ganlab_grader`` is available) is
   copied to ``.cache/book-extra/exercises/``, which lands at the root of the HTML, so
   ``book/exercises.md`` can link each learner notebook for download.
3. **Run Jupyter Book** (Sphinx) with warnings as errors (``-W --keep-going``).  Execution is
   cached (jupyter-cache, ``<builddir>/.jupyter_cache``): a chapter re-executes only when its
   code changes.  ``--fast`` sets ``GANLAB_FAST=1`` (every chapter shortens its training) and
   builds into ``_build/fast`` so fast results never enter the full build's cache.  While the
   chapters execute, ``GANLAB_FIGURE_TRANSLATIONS`` makes ``ganlab`` draw every figure a
   second time in each translation's language (``ganlab/i18n.py``); a cached chapter whose
   figures lack that rendition, or were drawn from an older ``figures.json``, is dropped
   from the cache first and executes again.  The noise of the log (the kernels' "running
   over TCP without encryption" warnings, setuptools' editable-install notice, MyST's
   configuration dump) is filtered out of the terminal and of ``build.log``.
4. **Build each translation** (``translations/<lang>/book.yml``; today Korean) without
   executing anything: ``scripts/translated_book.py`` writes ``<builddir>/<lang>-src/`` from
   the English chapters, the cache's outputs, the translated Markdown and the translated
   figures, and Jupyter Book builds it (same checks) into ``<builddir>/html/<lang>/``, whose
   pages then load MathJax and the widgets from the English book's ``_static/vendor/`` (one
   copy).  Every page of both books gets a link to the same page in the other language.
   ``--english-only`` skips this step (the chapters still draw their translated figures).
5. **Mark a fast build.**  With ``--fast`` every page gets a banner at its top saying that its
   numbers come from shortened runs (they can disagree with the text, which follows the full
   runs).
6. **Point the Colab buttons at ``colab/``** (``scripts/colab.py``): Colab copies of the
   chapters in plain Markdown.  A full build (not ``--fast``) rewrites them with its own
   measured values and figure numbers; commit what it changed.
7. **Check the result.**  The build fails (exit status 1) when Sphinx reported a warning,
   when any executed cell produced an error output, or when a page shows a traceback.
8. **Zip the HTML** (both languages) into ``<builddir>/html/_downloads/gan-course-html.zip``
   (linked from "How to run"; the translated books link the same file) and print the wall
   time of the English book and of the translations, and each chapter's execution time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python scripts/build_book.py` as well as `-m scripts.build_book`
    sys.path.insert(0, str(ROOT))

from scripts import colab, translated_book  # noqa: E402

#: npm packages the offline book needs, with the version ranges we accept.
NPM_PACKAGES = {
    "mathjax": "mathjax@3",
    "@jupyter-widgets/html-manager": "@jupyter-widgets/html-manager@^1.0.6",
    "requirejs": "requirejs@^2.3.6",
}
#: The parts of MathJax's ``es5/`` folder the book serves: the combined TeX/MathML -> CHTML
#: bundle, its fonts, and the components it may load on demand (TeX extensions, the menu,
#: accessibility).  The other combined bundles (SVG output etc.) are left out.
MATHJAX_PARTS = ("tex-mml-chtml.js", "input", "output", "ui", "a11y", "adaptors", "sre")

#: Loaded between require.js and embed-amd.js (see ``nb_ipywidgets_js`` in _config.yml).
#: 1. embed-amd.js's modules find their fonts relative to their require.js addresses
#:    ("@jupyter-widgets/controls" etc.), which require.js would otherwise put next to the
#:    page (chapters/@jupyter-widgets/...): map them to the vendored copy.
#: 2. The widgets typeset their labels with MathJax 2's ``MathJax.Hub.Queue``; the book
#:    serves MathJax 3, so give it that one entry point (else: a TypeError on every page
#:    with a widget).
WIDGETS_CONFIG_JS = """\
// Written by scripts/build_book.py: offline Jupyter widgets next to MathJax 3.
(function () {
  var here = document.currentScript.src;  // .../_static/vendor/widgets-config.js
  var vendor = here.slice(0, here.lastIndexOf("/") + 1);
  // Each bundled module finds its fonts next to its own require.js address: put them all
  // in the vendored folder (the modules are defined inside embed-amd.js; nothing else loads).
  var dist = vendor + "html-manager/";
  require.config({paths: {
    "@jupyter-widgets/html-manager/dist": vendor + "html-manager",
    "@jupyter-widgets/html-manager": dist + "html-manager",
    "@jupyter-widgets/base": dist + "base",
    "@jupyter-widgets/base7": dist + "base7",
    "@jupyter-widgets/controls": dist + "controls",
    "@jupyter-widgets/controls7": dist + "controls7"
  }});

  // MathJax 3 is loaded with `defer`: it exists by DOMContentLoaded, before widgets render.
  document.addEventListener("DOMContentLoaded", function () {
    var mj = window.MathJax;
    if (!mj || !mj.startup || mj.Hub) return;
    mj.Hub = {
      Queue: function () {  // MathJax 2 style: Queue(["Typeset", MathJax.Hub, element])
        Array.prototype.forEach.call(arguments, function (job) {
          if (Array.isArray(job) && job[0] === "Typeset" && job[2]) {
            mj.startup.promise.then(function () { return mj.typesetPromise([job[2]]); });
          }
        });
      }
    };
  });
})();
"""

ZIP_NAME = "gan-course-html.zip"
ZIP_RELPATH = Path("_downloads") / ZIP_NAME

# Sphinx prints problems as "path:line: WARNING: message" (or ERROR / CRITICAL).
_PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL|SEVERE):")
_TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'class="output traceback')


class BuildError(RuntimeError):
    """The book could not be built; the message says what to do."""


@dataclass
class Paths:
    """Where one build reads and writes."""

    root: Path
    builddir: Path

    @property
    def html(self) -> Path:
        return self.builddir / "html"

    @property
    def jupyter_cache(self) -> Path:
        return self.builddir / ".jupyter_cache"

    @property
    def executed(self) -> Path:
        """myst-nb writes every executed notebook here (``nb_output_folder``)."""
        return self.builddir / "jupyter_execute"

    @property
    def log(self) -> Path:
        return self.builddir / "build.log"

    @property
    def npm(self) -> Path:
        return self.root / ".cache" / "npm"

    @property
    def static(self) -> Path:
        """Served as ``_static/`` (``html_static_path`` in ``_config.yml``)."""
        return self.root / ".cache" / "book-static"

    @property
    def extra(self) -> Path:
        """Copied to the HTML root (``html_extra_path`` in ``_config.yml``)."""
        return self.root / ".cache" / "book-extra"

    def translated_source(self, lang: str) -> Path:
        """The generated Jupyter Book project of the ``lang`` book."""
        return self.builddir / f"{lang}-src"

    def translated_build(self, lang: str) -> Path:
        """Sphinx's build folder for ``lang`` (myst-nb writes next to its ``html``)."""
        return self.builddir / f"{lang}-build"

    def translated_html(self, lang: str) -> Path:
        """Where the ``lang`` book is published: ``<builddir>/html/<lang>/``."""
        return self.html / lang


@dataclass
class BuildReport:
    """What one build produced; ``ok`` is False when anything must be fixed."""

    status: int = 0
    warnings: list[str] = field(default_factory=list)
    error_outputs: list[str] = field(default_factory=list)
    tracebacks_in_html: list[str] = field(default_factory=list)
    chapter_seconds: dict[str, float | None] = field(default_factory=dict)
    wall_seconds: float = 0.0
    english_seconds: float = 0.0
    translated_seconds: dict[str, float] = field(default_factory=dict)
    translations: dict[str, "translated_book.ProjectReport"] = field(default_factory=dict)
    translation_problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    zip_path: Path | None = None

    @property
    def ok(self) -> bool:
        return (
            self.status == 0
            and not self.warnings
            and not self.error_outputs
            and not self.tracebacks_in_html
            and not self.translation_problems
        )


# --------------------------------------------------------------------------------------
# 1. Vendored JavaScript
# --------------------------------------------------------------------------------------
def _npm_package_dir(paths: Paths, name: str) -> Path:
    return paths.npm / "node_modules" / name


def npm_install(paths: Paths) -> None:
    """Install the npm packages into ``.cache/npm`` unless they are already there."""
    missing = [n for n in NPM_PACKAGES if not (_npm_package_dir(paths, n) / "package.json").is_file()]
    if not missing:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError(
            "npm was not found. The offline book serves MathJax and the Jupyter widgets' HTML "
            "manager from its own files, installed once from npm. Install Node.js and npm "
            "(Debian/Ubuntu: `apt-get install nodejs npm`) and run the build again, or copy a "
            f"previously filled {paths.npm} from another checkout."
        )
    paths.npm.mkdir(parents=True, exist_ok=True)
    cmd = [npm, "install", "--prefix", str(paths.npm), "--no-audit", "--no-fund",
           "--ignore-scripts", "--loglevel=error", *NPM_PACKAGES.values()]
    print(f"[book] vendoring {', '.join(missing)} with: {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(
            f"`npm install` failed (exit {proc.returncode}); the book needs these packages to "
            f"read offline: {', '.join(NPM_PACKAGES.values())}. Check the network or the npm "
            f"registry setting (`npm config get registry`), then run again.\n{proc.stderr[-2000:]}"
        )


def sync_tree(src: Path, dst: Path) -> int:
    """Copy every file of ``src`` into ``dst`` whose size or time differs; return how many.

    Sphinx copies ``html_static_path`` and ``html_extra_path`` only when some page is out of
    date, so after a rebuild with nothing changed a new MathJax or a new exercise release
    would not reach the HTML without this.
    """
    copied = 0
    for path in src.rglob("*"):
        if not path.is_file():
            continue
        target = dst / path.relative_to(src)
        stat = path.stat()
        if target.is_file():
            other = target.stat()
            if other.st_size == stat.st_size and other.st_mtime_ns == stat.st_mtime_ns:
                continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        copied += 1
    return copied


def _copy_tree(src: Path, dst: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)
    else:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)


def vendor_assets(paths: Paths) -> dict[str, str]:
    """Fill ``.cache/book-static/vendor/`` and return the vendored versions."""
    npm_install(paths)
    versions = {
        name: json.loads((_npm_package_dir(paths, name) / "package.json").read_text())["version"]
        for name in NPM_PACKAGES
    }
    vendor = paths.static / "vendor"
    stamp = vendor / "versions.json"
    config_js = vendor / "widgets-config.js"
    if (stamp.is_file() and json.loads(stamp.read_text()) == versions
            and config_js.is_file() and config_js.read_text() == WIDGETS_CONFIG_JS):
        return versions  # already copied, same versions
    if vendor.exists():
        shutil.rmtree(vendor)
    vendor.mkdir(parents=True)
    config_js.write_text(WIDGETS_CONFIG_JS)
    es5 = _npm_package_dir(paths, "mathjax") / "es5"
    for part in MATHJAX_PARTS:
        _copy_tree(es5 / part, vendor / "mathjax" / part)
    dist = _npm_package_dir(paths, "@jupyter-widgets/html-manager") / "dist"
    for item in dist.iterdir():
        # embed-amd.js and the font files its CSS refers to; not the source maps nor the
        # non-AMD bundle.
        if item.suffix == ".map" or item.name.startswith(("embed.js", "libembed")):
            continue
        _copy_tree(item, vendor / "html-manager" / item.name)
    _copy_tree(_npm_package_dir(paths, "requirejs") / "require.js", vendor / "requirejs" / "require.js")
    stamp.write_text(json.dumps(versions, indent=2))
    return versions


# --------------------------------------------------------------------------------------
# 2. Released exercises
# --------------------------------------------------------------------------------------
def _release_notebooks(root: Path) -> list[Path]:
    return sorted((root / "exercises" / "release").glob("*/*.ipynb"))


def release_is_stale(root: Path) -> bool:
    """True when an assignment has no release (English, or Korean where its source-ko
    notebook exists), or a source changed after the release."""
    released = _release_notebooks(root)
    sources = sorted((root / "exercises" / "source").glob("*/*.ipynb"))
    korean = sorted((root / "exercises" / "source-ko").glob("*/*.ipynb"))
    if not released:
        return True
    wanted = {f"{p.parent.name}/{p.parent.name}.ipynb" for p in sources} \
        | {f"{p.parent.name}/{p.parent.name}.ko.ipynb" for p in korean}
    if wanted - {f"{p.parent.name}/{p.name}" for p in released}:
        return True
    sources += korean
    return bool(sources) and max(p.stat().st_mtime for p in sources) > min(p.stat().st_mtime for p in released)


def regenerate_release(root: Path) -> None:
    """``python -m ganlab_grader release`` (what ``make release`` runs), when available."""
    try:
        import ganlab_grader  # noqa: F401  (only to know whether the CLI exists)
    except ImportError as exc:
        print(f"[book] NOTE: exercises/release/ is missing or older than exercises/source/, and "
              f"ganlab_grader is unavailable ({exc}); exercise downloads may be missing or stale.",
              flush=True)
        return
    print("[book] generating the exercise release: python -m ganlab_grader release", flush=True)
    proc = subprocess.run([sys.executable, "-m", "ganlab_grader", "release", "--course", "exercises"],
                          cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"[book] NOTE: the exercise release failed (exit {proc.returncode}); exercise "
              f"downloads may be missing or stale.\n{proc.stderr[-1500:]}", flush=True)


def publish_exercises(paths: Paths) -> list[str]:
    """Copy the released exercise notebooks into the HTML; return the assignments copied."""
    target = paths.extra / "exercises"
    if target.exists():
        shutil.rmtree(target)
    paths.extra.mkdir(parents=True, exist_ok=True)
    if release_is_stale(paths.root):
        regenerate_release(paths.root)
    assignments = []
    for notebook in _release_notebooks(paths.root):
        assignment = notebook.parent.name
        shutil.copytree(notebook.parent, target / assignment, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        assignments.append(assignment)
    return sorted(set(assignments))


# --------------------------------------------------------------------------------------
# 3. Jupyter Book
# --------------------------------------------------------------------------------------
#: Lines of the build's output that say nothing a reader can act on (issue 11): every kernel's
#: warning about its local TCP transport, and MyST's dump of its whole configuration.
LOG_NOISE = re.compile(
    r"Kernel is running over TCP without encryption"
    r"|^myst(-nb)? v[\d.]+: (Md|Nb)ParserConfig\("
)


def is_noise(line: str) -> bool:
    """Whether a line of the build's output is :data:`LOG_NOISE`. First used in the book build."""
    return bool(LOG_NOISE.search(line))


class _Tee:
    """Write to a terminal stream and a log file at once, line by line, without the noise."""

    def __init__(self, stream, log):
        self.stream, self.log, self.pending = stream, log, ""

    def write(self, text):
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            if not is_noise(line):
                self.stream.write(line + "\n")
                self.log.write(line + "\n")
        return len(text)

    def flush(self):
        if self.pending and not is_noise(self.pending):
            self.stream.write(self.pending)
            self.log.write(self.pending)
        self.pending = ""
        self.stream.flush()
        self.log.flush()

    def isatty(self):  # Sphinx colours its output only on a terminal
        return False

    def __getattr__(self, name):
        return getattr(self.stream, name)


@contextmanager
def _quiet_kernels():
    """Filter :data:`LOG_NOISE` out of file descriptor 2 (the kernels inherit it, so their
    warnings bypass ``sys.stderr``)."""
    sys.stderr.flush()
    terminal = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)

    def pump():
        with os.fdopen(read_end, "rb") as pipe:
            for line in pipe:
                if not is_noise(line.decode("utf-8", "replace")):
                    os.write(terminal, line)

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(terminal, 2)  # closes the pipe's last write end held here: the pump ends
        thread.join(timeout=5)
        os.close(terminal)


def run_jupyter_book(paths: Paths) -> int:
    """``jupyter-book build . -W --keep-going``, with the HTML in ``<builddir>/html``."""
    return run_sphinx(paths.root, paths.html, paths.builddir / ".doctrees", paths.log)


def run_sphinx(source: Path, html: Path, doctrees: Path, log_path: Path) -> int:
    """Build the Jupyter Book project in ``source`` (its ``_config.yml``, ``_toc.yml``) into ``html``.

    Called through ``jupyter_book.sphinx.build_sphinx`` (what the CLI calls) so that the
    build folder can be anywhere; output goes to the terminal and to ``log_path``, without
    :data:`LOG_NOISE`.
    """
    from jupyter_book.sphinx import build_sphinx
    from sphinx.util.console import nocolor

    nocolor()  # plain text in the terminal and in build.log

    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as log, _quiet_kernels():
        old = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Tee(old[0], log), _Tee(old[1], log)
        try:
            result = build_sphinx(
                source,
                html,
                use_external_toc=True,
                noconfig=True,
                path_config=str(source / "_config.yml"),
                confoverrides={
                    "external_toc_path": (source / "_toc.yml").as_posix(),
                    "latex_individualpages": False,
                },
                doctreedir=doctrees,
                builder="html",
                warningiserror=True,
                keep_going=True,
                # Re-read every page each time (the notebooks' outputs still come from the
                # execution cache; this costs seconds): otherwise a rebuild with nothing
                # changed skips the pages and forgets their warnings, and would pass.
                freshenv=True,
            )
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            sys.stdout, sys.stderr = old
    if isinstance(result, BaseException):
        return 1
    return int(result or 0)


# --------------------------------------------------------------------------------------
# 4. Checks
# --------------------------------------------------------------------------------------
def log_problems(log_text: str) -> list[str]:
    """Sphinx warnings and errors found in a build log."""
    return [line.strip() for line in log_text.splitlines() if _PROBLEM.search(line)]


def notebook_errors(notebook: Path) -> list[str]:
    """``ename: evalue`` of every error output in an executed notebook."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    found = []
    for index, cell in enumerate(nb.get("cells", [])):
        for output in cell.get("outputs", []) or []:
            if output.get("output_type") == "error":
                found.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
    return found


def executed_notebook(paths: Paths, chapter: str) -> Path:
    """The executed copy of ``chapters/<chapter>.ipynb`` written by myst-nb."""
    return paths.executed / "chapters" / f"{chapter}.ipynb"


def chapter_names(root: Path) -> list[str]:
    """Chapter notebooks listed in ``_toc.yml``, in order (e.g. ``01-generative-models``)."""
    names = []
    for line in (root / "_toc.yml").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\s*-\s*file:\s*chapters/(\S+)", line)
        if match:
            names.append(match.group(1).removesuffix(".ipynb"))
    return names


def html_tracebacks(html_dir: Path) -> list[str]:
    """Built pages that show a Python traceback (an error output reached the HTML)."""
    pages = []
    for page in sorted(html_dir.rglob("*.html")):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        if any(marker in text for marker in _TRACEBACK_MARKERS):
            pages.append(str(page.relative_to(html_dir)))
    return pages


def _cache_record(paths: Paths, chapter: str):
    """The jupyter-cache record of the chapter's current code, or None (not executed, or
    its execution failed: jupyter-cache keeps only successful runs)."""
    if not paths.jupyter_cache.is_dir():
        return None
    from jupyter_cache import get_cache

    cache = get_cache(paths.jupyter_cache)
    try:  # the cache is keyed by the notebook's code, so look the chapter up by content
        return cache.match_cache_file(paths.root / "chapters" / f"{chapter}.ipynb")
    except (KeyError, FileNotFoundError):
        return None


def cached_notebook(paths: Paths, chapter: str) -> dict | None:
    """The executed chapter as stored in the jupyter-cache (outputs included), or None.

    (The copy in ``jupyter_execute/`` is written from the unexecuted notebook when myst-nb
    takes the outputs from the cache, so only the cache has them for every chapter.)
    """
    record = _cache_record(paths, chapter)
    if record is None:
        return None
    from jupyter_cache import get_cache

    return get_cache(paths.jupyter_cache).get_cache_bundle(record.pk).nb


def chapter_seconds(paths: Paths, chapters: list[str]) -> dict[str, float | None]:
    """Each chapter's execution time from the jupyter-cache (None: never executed)."""
    seconds: dict[str, float | None] = {}
    for name in chapters:
        record = _cache_record(paths, name)
        seconds[name] = None if record is None else record.data.get("execution_seconds")
    return seconds


def chapter_problems(paths: Paths, chapter: str) -> list[str]:
    """Why a chapter did not execute cleanly (empty list: it did)."""
    problems = []
    executed = executed_notebook(paths, chapter)
    if executed.is_file():  # holds the error output when the execution failed
        problems += notebook_errors(executed)
    cached = cached_notebook(paths, chapter)
    if cached is None:
        problems.append("no successful execution in the jupyter-cache")
    else:
        for index, cell in enumerate(cached.cells):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    problems.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
    return sorted(set(problems))


# --------------------------------------------------------------------------------------
# 4b. The translations
# --------------------------------------------------------------------------------------
def figure_translations_env(root: Path) -> str:
    """``GANLAB_FIGURE_TRANSLATIONS`` for the kernels: ``lang=<figures.json>`` per translation."""
    tables = [(lang, translated_book.figure_table_path(root, lang))
              for lang in translated_book.languages(root)]
    return os.pathsep.join(f"{lang}={path}" for lang, path in tables if path.is_file())


def drop_stale_figures(paths: Paths, chapters: list[str]) -> dict[str, list[str]]:
    """Remove from the jupyter-cache every chapter whose translated figures must be redrawn.

    A cache made before the translations (or with an older ``figures.json``, or without a CJK
    font) would otherwise give the translated book English or outdated figures; dropped, the
    chapter executes again in this build.  Returns the reasons, by chapter.
    """
    from jupyter_cache import get_cache

    load_table, find_cjk_font = translated_book.i18n().load_table, translated_book.i18n().find_cjk_font
    tables = {lang: load_table(translated_book.figure_table_path(paths.root, lang))
              for lang in translated_book.languages(paths.root)
              if translated_book.figure_table_path(paths.root, lang).is_file()}
    if not tables or not paths.jupyter_cache.is_dir():
        return {}
    font = find_cjk_font()
    cache = get_cache(paths.jupyter_cache)
    dropped = {}
    for name in chapters:
        record = _cache_record(paths, name)
        if record is None:
            continue
        notebook = cache.get_cache_bundle(record.pk).nb
        reasons = [f"{lang}: {reason}" for lang, table in tables.items()
                   for reason in translated_book.stale_figures(notebook, lang, table, font)]
        if reasons:
            cache.remove_cache(record.pk)
            dropped[name] = reasons
    return dropped


def executed_chapters(paths: Paths, chapters: list[str]) -> dict:
    """Each chapter as it stands, with the outputs of its cached execution merged in."""
    import nbformat
    from jupyter_cache import get_cache

    cache = get_cache(paths.jupyter_cache)
    executed = {}
    for name in chapters:
        notebook = nbformat.read(paths.root / "chapters" / f"{name}.ipynb", as_version=4)
        try:
            executed[name] = cache.merge_match_into_notebook(notebook)[1]
        except KeyError:
            continue  # not executed: chapter_problems() reports it
    return executed


def execution_records(paths: Paths, chapters: list[str]) -> dict[str, dict | None]:
    """What the status page's execution table shows, from the jupyter-cache."""
    records = {}
    for name in chapters:
        record = _cache_record(paths, name)
        records[name] = None if record is None else {
            "modified": record.created.strftime("%Y-%m-%d %H:%M"),
            "seconds": record.data.get("execution_seconds") or 0.0,
            "ok": True,  # jupyter-cache keeps successful executions only
        }
    return records


def build_translation(paths: Paths, lang: str, executed: dict, records: dict) -> tuple:
    """Write and build the ``lang`` book; returns ``(project report, Sphinx status, warnings)``."""
    project = translated_book.write_project(paths.root, paths.translated_source(lang), lang,
                                            executed, records)
    build = paths.translated_build(lang)
    log = paths.builddir / f"build-{lang}.log"
    status = run_sphinx(project.source, build / "html", build / ".doctrees", log)
    warnings = [f"{lang}: {w}" for w in log_problems(log.read_text(encoding="utf-8"))]
    if (build / "html").is_dir():
        sync_tree(paths.static, build / "html" / "_static")
        sync_tree(paths.extra, build / "html")
        target = paths.translated_html(lang)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(build / "html", target)
        share_vendor(target, sorted(p.name for p in (paths.static / "vendor").iterdir()))
    return project, status, warnings


def share_vendor(translated_html: Path, vendored: list[str]) -> int:
    """Point a translated book's pages at the English book's copy of what :func:`vendor_assets`
    put in ``_static/vendor/`` (``vendored``: MathJax, the widgets' manager, require.js; 17 MB)
    and drop its own copy, so the HTML and the zip hold it once.

    Both books are published together (``<lang>/`` inside the English HTML), so the English
    copy is always there.  (The theme's own ``_static/vendor/fontawesome`` stays.)  Returns the
    pages rewritten.
    """
    rewritten = 0
    for page in translated_html.rglob("*.html"):
        up = "../" * (len(page.relative_to(translated_html).parts) - 1)
        text = shared = page.read_text(encoding="utf-8")
        for name in vendored:
            shared = shared.replace(f'"{up}_static/vendor/{name}', f'"{up}../_static/vendor/{name}')
        if shared != text:
            page.write_text(shared, encoding="utf-8")
            rewritten += 1
    for name in vendored:
        path = translated_html / "_static" / "vendor" / name
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    return rewritten


# --------------------------------------------------------------------------------------
# 4. The fast build's banner
# --------------------------------------------------------------------------------------
FAST_BANNER_ID = "ganlab-fast-build"
FAST_BANNER = (
    f'<div id="{FAST_BANNER_ID}" role="note" style="background:#fff3cd;color:#5c4400;'
    'border-bottom:1px solid #e0c060;padding:0.5em 1em;text-align:center;font-size:0.95em">'
    "<strong>Fast build:</strong> every number on this page comes from shortened training "
    "runs (GANLAB_FAST=1) and can contradict the text, which describes the full runs. "
    "Build the book with <code>make book</code> for the real figures.</div>")


def fast_banner(text: str) -> str:
    """:data:`FAST_BANNER` with another text (a translated book's banner)."""
    return FAST_BANNER[:FAST_BANNER.index(">") + 1] + text + "</div>"


def mark_fast_pages(html_dir: Path, banner: str = FAST_BANNER, skip: tuple[str, ...] = ()) -> int:
    """Put ``banner`` right after ``<body ...>`` on every page but those under the folders
    ``skip`` (the translations, which get their own); returns pages marked."""
    marked = 0
    for page in sorted(html_dir.rglob("*.html")):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        if page.relative_to(html_dir).parts[0] in skip:
            continue
        text = page.read_text(encoding="utf-8")
        body = re.search(r"<body[^>]*>", text)
        if body is None or FAST_BANNER_ID in text:
            continue
        page.write_text(text[:body.end()] + banner + text[body.end():], encoding="utf-8")
        marked += 1
    return marked


# --------------------------------------------------------------------------------------
# 5. Zip
# --------------------------------------------------------------------------------------
def _fingerprint(files: list[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def zip_html(paths: Paths, languages: list[str] = ()) -> Path:
    """Zip the whole HTML book, every language (re-zips only when a file changed).

    Each translated book links the same zip (``<lang>/_downloads/``: a hard link).
    """
    target = paths.html / ZIP_RELPATH
    links = [paths.translated_html(lang) / ZIP_RELPATH for lang in languages]
    files = sorted(p for p in paths.html.rglob("*") if p.is_file()
                   and not (p.name == ZIP_NAME and p.parent.name == "_downloads"))  # no zip in the zip
    stamp = paths.builddir / ".zip-fingerprint"
    fingerprint = _fingerprint(files, paths.html)
    if target.is_file() and stamp.is_file() and stamp.read_text() == fingerprint:
        _link_zip(target, links)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in files:
            zf.write(path, Path("gan-course-html") / path.relative_to(paths.html))
    tmp.replace(target)
    stamp.write_text(fingerprint)
    _link_zip(target, links)
    return target


def _link_zip(target: Path, links: list[Path]) -> None:
    for link in links:
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.exists():
            link.unlink()
        try:
            os.link(target, link)
        except OSError:  # a file system without hard links
            shutil.copy2(target, link)


# --------------------------------------------------------------------------------------
def build(root: Path = ROOT, builddir: Path | None = None, fast: bool = False,
          translations: bool = True) -> BuildReport:
    """Build the book, then each translation; see the module docstring for the steps."""
    start = time.perf_counter()
    if builddir is None:
        builddir = root / ("_build/fast" if fast else "_build")
    paths = Paths(root=root.resolve(), builddir=Path(builddir).resolve())
    if fast:
        os.environ["GANLAB_FAST"] = "1"
    else:
        os.environ.pop("GANLAB_FAST", None)
    languages = translated_book.languages(paths.root) if translations else []
    # Drawn even with --english-only: the cache then stays right for the next full build.
    _set_figure_translations(paths, translated_book.languages(paths.root))

    versions = vendor_assets(paths)
    print(f"[book] offline assets: {versions}", flush=True)
    assignments = publish_exercises(paths)
    print(f"[book] exercises published: {assignments or 'none'}", flush=True)

    report = BuildReport()
    chapters = chapter_names(paths.root)
    build_english(paths, chapters, report)
    report.english_seconds = time.perf_counter() - start
    if languages:
        build_translations(paths, chapters, languages, report)
    else:  # no translated book from an earlier build left behind, unlinked
        for lang in translated_book.languages(paths.root):
            shutil.rmtree(paths.translated_html(lang), ignore_errors=True)
    if paths.html.is_dir():
        finish_html(paths, languages, fast, report)
    report.chapter_seconds = chapter_seconds(paths, chapters)
    report.wall_seconds = time.perf_counter() - start
    return report


def _set_figure_translations(paths: Paths, languages: list[str]) -> None:
    ENV = translated_book.i18n().ENV
    value = figure_translations_env(paths.root) if languages else ""
    if value:
        os.environ[ENV] = value  # the kernels inherit it: ganlab draws each figure per language
    else:
        os.environ.pop(ENV, None)


def build_english(paths: Paths, chapters: list[str], report: BuildReport) -> None:
    """Steps 3 and 6 for the English book: execute (cached), build, check."""
    if os.environ.get("GANLAB_FIGURE_TRANSLATIONS"):
        for name, reasons in drop_stale_figures(paths, chapters).items():
            print(f"[book] {name} executes again: {'; '.join(reasons)}", flush=True)
    report.status = run_jupyter_book(paths)
    report.warnings = log_problems(paths.log.read_text(encoding="utf-8"))
    for name in chapters:
        report.error_outputs += [f"{name}: {p}" for p in chapter_problems(paths, name)]
    if paths.html.is_dir():
        sync_tree(paths.static, paths.html / "_static")
        sync_tree(paths.extra, paths.html)


def build_translations(paths: Paths, chapters: list[str], languages: list[str],
                       report: BuildReport) -> None:
    """Step 4: each translated book, from the English build's executed chapters."""
    executed = executed_chapters(paths, chapters)
    missing = [name for name in chapters if name not in executed]
    if missing:
        report.translation_problems.append(
            f"translations not built: no successful execution in the cache matches the current "
            f"code of {missing} (did it fail, or change during the build? build again)")
        for lang in languages:  # no stale translated book left behind for the tests to read
            shutil.rmtree(paths.translated_html(lang), ignore_errors=True)
        return
    records = execution_records(paths, chapters)
    for lang in languages:
        start = time.perf_counter()
        print(f"\n[book] ---- the {lang} book (executes nothing) ----", flush=True)
        project, status, warnings = build_translation(paths, lang, executed, records)
        report.translations[lang] = project
        report.status = report.status or status
        report.warnings += warnings
        report.translation_problems += [f"{lang}: {p}" for p in project.problems()]
        report.notes += [f"{lang}: {n}" for n in project.notes()]
        report.translated_seconds[lang] = time.perf_counter() - start


def finish_html(paths: Paths, languages: list[str], fast: bool, report: BuildReport) -> None:
    """Steps 4 to 7 on the HTML: language switches, fast banners, checks, zip."""
    for lang in languages:
        if paths.translated_html(lang).is_dir():
            name = translated_book.settings(paths.root, lang)["name"]
            links = translated_book.add_language_switch(paths.html, lang, name)
            print(f"[book] language switch en <-> {lang}: {links} links", flush=True)
    if fast:
        marked = mark_fast_pages(paths.html, skip=tuple(languages))
        for lang in languages:
            text = translated_book.settings(paths.root, lang)["fast_banner"]
            marked += mark_fast_pages(paths.translated_html(lang), fast_banner(text))
        print(f"[book] fast-build banner on {marked} pages", flush=True)
    point_colab_buttons(paths, languages, fast)
    report.tracebacks_in_html = html_tracebacks(paths.html)
    report.zip_path = zip_html(paths, [lang for lang in languages if paths.translated_html(lang).is_dir()])


def point_colab_buttons(paths: Paths, languages: list[str], fast: bool) -> None:
    """Step 6: Colab buttons open ``colab/`` (plain Markdown, the book's numbers), which a full
    build rewrites from its own values and figure numbers (commit the changed files)."""
    links = sum(colab.point_colab_buttons(paths.translated_html(lang), lang, paths.root)
                for lang in languages if paths.translated_html(lang).is_dir())
    links += colab.point_colab_buttons(paths.html, "en", paths.root)  # after: skips the ones done
    print(f"[book] Colab buttons opening colab/: {links}", flush=True)
    if fast:
        return
    values, numbers = colab.values_from_build(paths.builddir, paths.root)
    if len(values) < len(chapter_names(paths.root)):
        print("[book] colab/ not rewritten: not every chapter executed", flush=True)
        return
    changed = colab.write(values, numbers, paths.root)
    print(f"[book] colab/: {len(changed)} notebooks rewritten" + (" (commit them)" if changed else ""),
          flush=True)


def print_report(report: BuildReport, fast: bool) -> None:
    print("\n[book] ---- summary " + ("(fast mode, GANLAB_FAST=1) " if fast else "") + "----")
    for name, secs in report.chapter_seconds.items():
        shown = "not executed" if secs is None else f"{secs:7.1f} s"
        print(f"[book]   {name:32s} {shown}")
    total = sum(s for s in report.chapter_seconds.values() if s)
    print(f"[book]   chapters' execution time (from the cache): {total:.1f} s")
    print(f"[book]   wall time of the English book (with its executions): {report.english_seconds:.1f} s")
    for lang, secs in report.translated_seconds.items():
        print(f"[book]   wall time of the {lang} book (executes nothing): {secs:.1f} s")
    print(f"[book]   total wall time of this build: {report.wall_seconds:.1f} s")
    if report.zip_path:
        print(f"[book]   offline zip: {report.zip_path} ({report.zip_path.stat().st_size / 1e6:.1f} MB)")
    for item in report.notes:
        print(f"[book]   NOTE {item}")
    for title, items in (("Sphinx warnings/errors", report.warnings),
                         ("error outputs in executed chapters", report.error_outputs),
                         ("pages showing a traceback", report.tracebacks_in_html),
                         ("problems of the translated books", report.translation_problems)):
        if items:
            print(f"[book]   {title} ({len(items)}):")
            for item in items[:50]:
                print(f"[book]     {item}")
    if report.status and not report.warnings:
        print(f"[book]   Sphinx exited with status {report.status}")
    print("[book] OK" if report.ok else "[book] FAILED", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.build_book", description=__doc__.split("\n")[0])
    parser.add_argument("--fast", action="store_true",
                        help="set GANLAB_FAST=1 (short training) and build into _build/fast")
    parser.add_argument("--builddir", type=Path, default=None,
                        help="build folder: HTML in <builddir>/html, execution cache in "
                             "<builddir>/.jupyter_cache (default _build, or _build/fast with --fast)")
    parser.add_argument("--english-only", action="store_true",
                        help="build the English book only (the chapters still draw their translated "
                             "figures, so that the cache serves the next build of every language)")
    args = parser.parse_args(argv)
    try:
        report = build(ROOT, args.builddir, fast=args.fast, translations=not args.english_only)
    except BuildError as exc:
        print(f"[book] ERROR: {exc}", file=sys.stderr)
        return 2
    print_report(report, args.fast)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
