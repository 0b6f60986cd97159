"""Figures and numbers that a chapter shows, in the built book and on Colab alike (every chapter).

The book quotes measured numbers and places figures with MyST-NB's ``glue``: a cell stores a
value under a name, and the text shows it with ``{glue:text}`` or ``{glue:figure}``. Colab
has no ``myst_nb``, so :func:`glue` falls back to showing the value right where it was made.
"""
from __future__ import annotations

__all__ = ["glue"]


def glue(name: str, value, display: bool = True):
    """Store ``value`` under ``name`` for the book's text (MyST-NB), or show it in place.

    With MyST-NB installed (the book build) this is :func:`myst_nb.glue`. Without it (Colab, a
    plain Jupyter) a figure is displayed and a number or string is printed as
    ``name = value``, so a learner sees every result the book quotes.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"glue needs a non-empty name for the value, got {name!r}")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return _show(name, value)
    return myst_glue(name, value, display=display)


def _show(name: str, value):
    from IPython.display import display as ipython_display

    if hasattr(value, "savefig") or hasattr(value, "_repr_html_") or hasattr(value, "_repr_png_"):
        ipython_display(value)
    elif isinstance(value, float):
        print(f"{name} = {value:.4g}")
    else:
        print(f"{name} = {value}")
