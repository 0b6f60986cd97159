"""Shared fixtures.

``fast_book`` builds the whole book ONCE per test session, in fast mode (``GANLAB_FAST=1``),
with warnings as errors, into a temporary build folder: the English book, then the Korean one
(``<builddir>/html/ko``, from ``<builddir>/ko-src``); tests/test_chapters.py, tests/test_book.py
and tests/test_translations.py all read that one build.

Environment variables (for developing the tests, not needed in CI):
- ``GANLAB_BOOK_ROOT``: build and check the book in another checkout (for example a
  temporary copy holding draft chapters) instead of this repository.
- ``GANLAB_BOOK_BUILDDIR``: build into this folder instead of a temporary one; its
  execution cache then survives between test sessions (so use it only while iterating on
  the tests: CI always builds from scratch).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `import scripts.build_book` from the tests, however pytest is started
    sys.path.insert(0, str(REPO))
BOOK_ROOT = Path(os.environ.get("GANLAB_BOOK_ROOT", REPO)).resolve()

#: The chapters (common.md's fixed names), in reading order: chapter 10 (conditional GANs)
#: comes before chapter 9, which is the appendix (its own part of _toc.yml).
CHAPTERS = [
    "01-generative-models",
    "02-minimax",
    "03-discriminator-generator",
    "04-nonsaturating",
    "05-dcgan",
    "06-batchnorm",
    "07-cyclegan",
    "08-evaluation",
    "10-conditional-gans",
    "09-autoencoders-vae",
]

#: Generous bound on the whole fast build (10 chapters at ~20 s each, plus Sphinx twice: the
#: English and the Korean book).
BUILD_TIMEOUT_S = 2400


@dataclass(frozen=True)
class BuiltBook:
    """One fast build of the book: where it is and what the build script said."""

    root: Path
    builddir: Path
    returncode: int
    output: str

    @property
    def html(self) -> Path:
        return self.builddir / "html"

    @property
    def log(self) -> str:
        """Sphinx's own output (warnings included), as written to <builddir>/build.log."""
        path = self.builddir / "build.log"
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    def executed(self, chapter: str) -> Path:
        """The executed copy of a chapter that myst-nb wrote during the build."""
        return self.builddir / "jupyter_execute" / "chapters" / f"{chapter}.ipynb"

    @property
    def paths(self):
        """The build script's view of this build (``scripts.build_book.Paths``)."""
        from scripts.build_book import Paths

        return Paths(root=self.root, builddir=self.builddir)

    def page(self, name: str) -> Path:
        return self.html / f"{name}.html"

    def translated_page(self, name: str, lang: str = "ko") -> Path:
        """A page of the translated book (``<builddir>/html/<lang>/<name>.html``)."""
        return self.html / lang / f"{name}.html"

    def translated_source(self, chapter: str, lang: str = "ko") -> Path:
        """The generated, executed translated notebook the translated book was built from."""
        return self.builddir / f"{lang}-src" / "chapters" / f"{chapter}.ipynb"


@pytest.fixture(scope="session")
def fast_book(tmp_path_factory) -> BuiltBook:
    """Build the book once (fast mode, ``-W --keep-going``) and hand the result to tests."""
    configured = os.environ.get("GANLAB_BOOK_BUILDDIR")
    builddir = Path(configured).resolve() if configured else tmp_path_factory.mktemp("book") / "_build"
    env = dict(os.environ, GANLAB_FAST="1", PYTHONUNBUFFERED="1")
    proc = subprocess.run(
        [sys.executable, "-m", "scripts.build_book", "--fast", "--builddir", str(builddir)],
        cwd=BOOK_ROOT, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S,
    )
    return BuiltBook(BOOK_ROOT, builddir, proc.returncode, proc.stdout + proc.stderr)
