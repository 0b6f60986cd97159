"""The Colab notebooks (``colab/``): plain Markdown, the chapters' code, and they run without MyST-NB."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import pytest

from scripts import colab

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb"))
#: MyST that plain Jupyter and Colab would show raw.
RAW_MYST = re.compile(r"\{(?:glue|numref|eq|cite|ref|doc)[:a-z]*\}`|^(?:```|:::)\{|^\([^)\s]+\)=[ \t]*$|^:name:",
                      re.M)
#: A reference whose number the build did not give (scripts.colab writes "?").
UNNUMBERED = re.compile(r"(?:Fig\.|Figure|Table|그림|표|식) \?|\(\?\)|\\tag\{\?\}")


def _colab(chapter: str, lang: str) -> dict:
    path = colab.colab_path(chapter, lang)
    assert path.is_file(), f"{path} is missing: run `make book` (or python -m scripts.colab --from-build _build)"
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_colab_notebook_is_in_step_with_its_chapter():
    assert not colab.stale(), "\n".join(colab.stale()) + "\nrun `make book` and commit colab/"


@pytest.mark.parametrize("lang", colab.LANGUAGES)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_colab_markdown_has_no_raw_myst_and_quotes_every_number(chapter, lang):
    notebook = _colab(chapter, lang)
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        raw = [m.group(0) for m in RAW_MYST.finditer(source)]
        assert not raw, f"{chapter} ({lang}) cell {cell.get('id')} shows raw MyST: {raw}"
        assert "…" not in source.replace("...", ""), \
            f"{chapter} ({lang}) cell {cell.get('id')} quotes a number the build did not measure"
        assert not UNNUMBERED.search(source), f"{chapter} ({lang}) cell {cell.get('id')}: an unnumbered reference"


@pytest.mark.parametrize("lang", colab.LANGUAGES)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_colab_code_cells_are_the_chapters_byte_for_byte(chapter, lang):
    book = nbformat.read(ROOT / "chapters" / f"{chapter}.ipynb", as_version=4)
    expected = [c.source for c in book.cells if c.cell_type == "code"]
    got = ["".join(c["source"]) for c in _colab(chapter, lang)["cells"] if c["cell_type"] == "code"]
    assert got == expected


def test_plain_markdown_rewrites_each_kind_of_markup():
    source = (
        "(sec-x)=\n## Title\n\nAs {cite}`goodfellow2014` and {cite:t}`radford2016` show, $V$ is "
        "{glue:text}`v:.2f` in {numref}`fig-a` and {numref}`Figure %s <fig-a>`, see {eq}`eq-v`.\n\n"
        "$$\nV = 1\n$$ (eq-v)\n\n"
        "```{admonition} Try it\n:class: tip\nChange $x$.\n```\n\n"
        "```{glue:figure} fig-a\n:name: fig-a\nA caption.\n```\n"
    )
    numbers = {"fig-a": "2.3", "eq-v": "2.1"}
    text = colab.plain_markdown(source, {"v": "-1.38629"}, numbers, colab.citations(), "en")
    assert not RAW_MYST.search(text), text
    assert '<a id="sec-x"></a>' in text
    assert "[Goodfellow et al., 2014]" in text and "Radford et al. [2016]" in text
    assert "is -1.39 in Fig. 2.3 and Figure 2.3, see (2.1)." in text
    assert "V = 1 \\tag{2.1}" in text
    assert "> **Try it**" in text and "> Change $x$." in text
    assert "**Fig. 2.3** A caption." in text
    korean = colab.plain_markdown("{numref}`fig-a`", {}, numbers, {}, "ko")
    assert korean == "그림 2.3"


def test_colab_buttons_open_the_colab_copy(tmp_path):
    branch, url = colab.repository_url()
    github = url.removeprefix("https://github.com/")
    page = tmp_path / "chapters" / "02-minimax.html"
    page.parent.mkdir()
    page.write_text(f'<a href="https://colab.research.google.com/github/{github}/blob/{branch}/'
                    f'chapters/02-minimax.ipynb">Colab</a>', encoding="utf-8")
    assert colab.point_colab_buttons(tmp_path, "ko") == 1
    assert f"/blob/{branch}/colab/ko/02-minimax.ipynb" in page.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_colab_notebook_runs_like_on_colab_without_myst_nb(tmp_path, monkeypatch):
    """Chapter 1 as Colab runs it: no MyST-NB in the kernel, short training; no error, and no
    bare ``name = value`` lines among the outputs (the text quotes the book's numbers)."""
    from nbclient import NotebookClient

    blocker = tmp_path / "site"
    blocker.mkdir()
    (blocker / "myst_nb.py").write_text("raise ImportError('No module named myst_nb (as on Colab)')\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(blocker), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("GANLAB_FAST", "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    notebook = nbformat.read(colab.colab_path(CHAPTERS[0], "en"), as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(
        "try:\n    import myst_nb\n    print('myst_nb importable')\nexcept ImportError:\n    print('no myst_nb')"))
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()

    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert "".join(outputs[-1].get("text", "")).strip() == "no myst_nb"
    texts = ["".join(o.get("text", "")) for o in outputs]
    bare = [line for t in texts for line in t.splitlines() if re.fullmatch(r"ch\d+-[\w-]+ = .*", line)]
    assert not bare, f"bare glue lines on Colab: {bare[:5]}"
    assert any("image/png" in o.get("data", {}) for o in outputs), \
        "the chapter's figures must show in place without MyST-NB"
