"""ganlab.notebook.glue: MyST-NB's glue in the book, a plain display where myst_nb is missing."""
from __future__ import annotations

import builtins
import sys

import matplotlib.figure
import pytest

from ganlab.notebook import glue


@pytest.fixture
def without_myst_nb(monkeypatch):
    real_import = builtins.__import__

    def no_myst_nb(name, *args, **kwargs):
        if name == "myst_nb" or name.startswith("myst_nb."):
            raise ImportError("No module named 'myst_nb'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "myst_nb", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_myst_nb)


def test_without_myst_nb_values_show_as_the_book_shows_them(without_myst_nb, monkeypatch):
    import IPython.display
    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    glue("ch0-fid", 12.34567)                      # the book displays it: so does Colab
    glue("ch0-hidden", 10, display=False)          # quoted by the text only: no bare "name = value"
    figure = matplotlib.figure.Figure()
    glue("ch0-fig", figure, display=False)         # the Colab text has only the caption: show it
    assert shown == [12.34567, figure]


def test_uses_myst_nb_when_present(monkeypatch):
    import myst_nb
    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: calls.append((name, value, display)))
    glue("ch0-value", 3.0)
    assert calls == [("ch0-value", 3.0, True)]


def test_refuses_an_empty_name():
    with pytest.raises(ValueError, match="non-empty name"):
        glue("", 1.0)
