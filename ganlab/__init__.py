"""ganlab: the companion package of the GAN course.

``import ganlab`` loads only torch and the small core (device, data, losses, models, train);
``ganlab.metrics``, ``ganlab.plot``, ``ganlab.widgets`` and ``ganlab.pretrained`` are imported
on first use, so matplotlib, scikit-learn and ipywidgets stay out of the import time.
"""
from __future__ import annotations

import importlib
import os as _os

from .device import get_device, seed_everything, on_colab, gpu_hint

__version__ = "0.1.0"
__all__ = ["get_device", "seed_everything", "on_colab", "gpu_hint", "__version__"]

_LAZY_SUBMODULES = {"data", "losses", "models", "train", "metrics", "plot", "widgets",
                    "pretrained", "notebook", "i18n", "latent", "results"}


# The book build draws every displayed figure a second time in each translation's language
# (ganlab.i18n); a learner's notebook never sets this variable.
if _os.environ.get("GANLAB_FIGURE_TRANSLATIONS"):
    from . import i18n as _i18n

    _i18n.install()


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'ganlab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY_SUBMODULES)
