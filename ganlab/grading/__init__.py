"""Grading for the course's nbgrader exercises.

Two halves with different readers:

* :mod:`ganlab.grading.checks` runs inside every exercise notebook (also on Colab, without
  nbgrader). Its asserts compare a learner's answer with the expected one using functions it
  captured before any learner code ran, so monkeypatching ``torch.allclose`` & co. cannot turn
  a wrong answer into points.
* ``python -m ganlab.grading release|grade`` is the instructor's workflow
  (:mod:`ganlab.grading.cli`): it releases the assignments and grades a folder of submissions,
  each in its own sandboxed throwaway course, then merges the scores into the gradebook.

Importing this package stays light: nbgrader is imported only by the instructor commands.
"""
from __future__ import annotations

__all__ = ["checks"]  # ``from ganlab.grading import checks`` imports the submodule on demand
