"""Deprecated alias of :mod:`ganlab.exercise_checks`, for notebooks released before the rename.

Not a copy: importing this name gives the very same module object, so ``checks.restore()``
and the captured pristine functions are shared whichever name a notebook used.
"""
import sys

from ganlab import exercise_checks

sys.modules[__name__] = exercise_checks
