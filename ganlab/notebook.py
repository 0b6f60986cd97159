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
    plain Jupyter) a figure is always displayed in place, because the Colab notebook's text
    carries only its caption; a number or string is displayed as the book displays it (only
    with ``display=True``): the Colab notebook's text already quotes the book's value.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"glue needs a non-empty name for the value, got {name!r}")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return _show(value, display)
    return myst_glue(name, value, display=display)


def _show(value, display: bool):
    from IPython.display import display as ipython_display

    is_figure = hasattr(value, "savefig") or hasattr(value, "_repr_png_")
    if is_figure or display:
        ipython_display(value)
