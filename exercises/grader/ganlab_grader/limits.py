"""The grading limits and their defaults, written once: the CLI, :func:`~ganlab_grader.grade.grade`,
each :class:`~ganlab_grader.worker.GradeJob` and ``exercises/nbgrader_config.py`` read them here.

* ``timeout``: seconds for a whole notebook (the grader stops it after that, whatever runs);
* ``cell_timeout``: seconds for one cell (nbgrader interrupts the cell, the next cell runs);
* ``memory_mb``: the kernel's address-space limit (a memory bomb raises ``MemoryError``).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one submission may use while it is graded. First used in assignment 01-minimax."""

    timeout: float = 300.0
    cell_timeout: int = 60
    memory_mb: int = 4096


DEFAULTS = Limits()
