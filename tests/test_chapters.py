"""The chapters: present, clean in the repository, agreeing with _config.yml, and executing.

The execution tests read ONE fast build of the whole book (``fast_book`` in conftest.py):
``python -m scripts.build_book --fast`` with ``GANLAB_FAST=1``, warnings as errors.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from conftest import BOOK_ROOT, CHAPTERS

# A chapter's fast run should take ~20 s (common.md); this bound only catches a chapter that
# ignores GANLAB_FAST, with room for a busy CI machine.
FAST_SECONDS_PER_CHAPTER = 120


def _config() -> dict:
    return yaml.safe_load((BOOK_ROOT / "_config.yml").read_text(encoding="utf-8"))


def _toc_files() -> list[str]:
    toc = yaml.safe_load((BOOK_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [entry["file"] for entry in part.get("chapters", [])]
    return files


def _notebook(chapter: str) -> dict:
    path = BOOK_ROOT / "chapters" / f"{chapter}.ipynb"
    assert path.is_file(), f"chapters/{chapter}.ipynb is missing (listed in _toc.yml and common.md)"
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


# ---------------------------------------------------------------------------------------
# The table of contents and the configuration
# ---------------------------------------------------------------------------------------
def test_toc_lists_the_chapters_in_order():
    chapters = [f.removeprefix("chapters/") for f in _toc_files() if f.startswith("chapters/")]
    assert chapters == CHAPTERS


def test_every_toc_entry_exists():
    missing = [f for f in _toc_files()
               if not any((BOOK_ROOT / f"{f}{ext}").is_file() for ext in (".md", ".ipynb"))]
    assert not missing, f"_toc.yml lists pages that do not exist: {missing}"


def test_config_has_one_repository_url_and_a_colab_button():
    config = _config()
    url = config["repository"]["url"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), url
    assert config["repository"]["branch"] == "main"
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["execute"]["allow_errors"] is False
    assert config["execute"]["timeout"] > 0
    # Written once: no other line of _config.yml repeats the repository URL.
    text = (BOOK_ROOT / "_config.yml").read_text(encoding="utf-8")
    assert text.count(url.split("://", 1)[1]) == 1, "the repository URL must be written once"


# ---------------------------------------------------------------------------------------
# Each chapter as committed
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_is_committed_without_outputs(chapter):
    nb = _notebook(chapter)
    dirty = [i for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, f"{chapter}: clear the outputs and execution counts of cells {dirty}"
    assert "widgets" not in nb.get("metadata", {}), f"{chapter}: saved widget state in metadata"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_first_cell_installs_from_the_configured_repository_and_is_hidden(chapter):
    first = _notebook(chapter)["cells"][0]
    assert first["cell_type"] == "code", f"{chapter}: the first cell must be the Colab setup code cell"
    assert "remove-cell" in first.get("metadata", {}).get("tags", []), \
        f"{chapter}: tag the first cell `remove-cell` so the HTML hides it"
    source = _source(first)
    url = _config()["repository"]["url"]
    assert f'%pip install -q "git+{url}"' in source, \
        f"{chapter}: the install line must install git+{url} (the repository in _config.yml)"
    installs = re.findall(r"git\+(https?://[^\"'\s]+)", source)
    assert installs == [url], f"{chapter}: installs {installs}, expected only {url}"
    assert '"google.colab" in sys.modules' in source, f"{chapter}: install only on Colab"
    assert "import ganlab" in source


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_a_numbered_title(chapter):
    cells = _notebook(chapter)["cells"]
    title = next((_source(c) for c in cells if c["cell_type"] == "markdown"), "")
    number = int(chapter[:2])
    assert re.match(rf"#\s+{number}\.\s+\S", title), f"{chapter}: start with '# {number}. Title'"


# ---------------------------------------------------------------------------------------
# Executing: one fast build of the whole book
# ---------------------------------------------------------------------------------------
@pytest.mark.slow
def test_book_builds_without_warnings(fast_book):
    problems = [line for line in fast_book.log.splitlines()
                if re.search(r"\b(WARNING|ERROR|CRITICAL|SEVERE):", line)]
    assert not problems, "Sphinx warnings (the book builds with -W):\n" + "\n".join(problems[:40])
    summary = [line for line in fast_book.output.splitlines() if line.startswith("[book]")]
    assert fast_book.returncode == 0, "python -m scripts.build_book --fast failed:\n" + "\n".join(summary)


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_executes_top_to_bottom_without_error(fast_book, chapter):
    from scripts.build_book import cached_notebook, chapter_problems

    # Sphinx reports a failed execution as a warning naming the notebook.
    failures = [line for line in fast_book.log.splitlines()
                if chapter in line and re.search(r"\b(WARNING|ERROR|CRITICAL):", line)]
    assert not failures, "\n".join(failures)
    assert fast_book.page(f"chapters/{chapter}").is_file(), f"{chapter} was not built"
    problems = chapter_problems(fast_book.paths, chapter)
    assert not problems, f"{chapter} did not execute cleanly: {problems}"
    code = [c for c in cached_notebook(fast_book.paths, chapter).cells if c.cell_type == "code"]
    not_run = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert code and not not_run, f"{chapter}: code cells {not_run} did not run"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_fast_run_is_short(fast_book, chapter):
    from scripts.build_book import chapter_seconds

    seconds = chapter_seconds(fast_book.paths, [chapter])[chapter]
    assert seconds is not None, f"{chapter}: no execution time in the jupyter-cache"
    assert seconds < FAST_SECONDS_PER_CHAPTER, \
        f"{chapter} took {seconds:.0f} s with GANLAB_FAST=1; shorten its fast setting"


# ---------------------------------------------------------------------------------------
# The build script's checks themselves (fast, no build)
# ---------------------------------------------------------------------------------------
def test_build_script_reads_the_chapters_from_the_toc():
    from scripts.build_book import chapter_names

    assert chapter_names(BOOK_ROOT) == CHAPTERS


def test_build_script_finds_warnings_in_a_sphinx_log():
    from scripts.build_book import log_problems

    log = ("reading sources... [ 50%] chapters/02-minimax\n"
           "/x/chapters/02-minimax.ipynb: WARNING: Executing notebook failed: CellExecutionError\n"
           "/x/book/intro.md:3: ERROR: Unknown directive type \"figre\".\n"
           "FutureWarning: torch.distributed.reduce_op is deprecated\n"
           "build succeeded.\n")
    problems = log_problems(log)
    assert len(problems) == 2
    assert "CellExecutionError" in problems[0] and "figre" in problems[1]


def test_build_script_finds_error_outputs(tmp_path):
    from scripts.build_book import notebook_errors

    nb = {"cells": [
        {"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stdout", "text": "ok"}]},
        {"cell_type": "markdown", "source": "text"},
        {"cell_type": "code", "outputs": [{"output_type": "error", "ename": "ValueError",
                                           "evalue": "boom", "traceback": []}]},
    ]}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    assert notebook_errors(path) == ["cell 2: ValueError: boom"]


def test_build_script_syncs_changed_files_only(tmp_path):
    from scripts.build_book import sync_tree

    src, dst = tmp_path / "src", tmp_path / "dst"
    (src / "a").mkdir(parents=True)
    (src / "a" / "x.js").write_text("one")
    assert sync_tree(src, dst) == 1
    assert sync_tree(src, dst) == 0
    (src / "a" / "x.js").write_text("three")
    assert sync_tree(src, dst) == 1
    assert (dst / "a" / "x.js").read_text() == "three"
