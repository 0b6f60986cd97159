"""ganlab.notebook.glue: MyST-NB's glue in the book, a plain display where myst_nb is missing."""
from __future__ import annotations

import builtins
import sys

import pytest

from ganlab.notebook import glue


def test_falls_back_to_printing_without_myst_nb(monkeypatch, capsys):
    real_import = builtins.__import__

    def no_myst_nb(name, *args, **kwargs):
        if name == "myst_nb" or name.startswith("myst_nb."):
            raise ImportError("No module named 'myst_nb'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "myst_nb", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_myst_nb)
    glue("ch0-fid", 12.34567)
    glue("ch0-classes", 10)
    assert capsys.readouterr().out.splitlines() == ["ch0-fid = 12.35", "ch0-classes = 10"]


def test_uses_myst_nb_when_present(monkeypatch):
    import myst_nb
    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: calls.append((name, value, display)))
    glue("ch0-value", 3.0)
    assert calls == [("ch0-value", 3.0, True)]


def test_refuses_an_empty_name():
    with pytest.raises(ValueError, match="non-empty name"):
        glue("", 1.0)
