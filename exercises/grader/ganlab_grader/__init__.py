"""The instructor's grader for the course's nbgrader exercises (not part of ``ganlab``).

``python -m ganlab_grader release|grade`` (:mod:`ganlab_grader.cli`) releases the assignments
and grades a folder of submissions, each in its own sandboxed throwaway course, then merges
the scores into the gradebook. A learner never installs this package: what a learner's
notebook imports is :mod:`ganlab.exercise_checks`, in ``ganlab``.

Importing this package stays light: nbgrader is imported by the commands that need it.
"""
from __future__ import annotations

__all__: list[str] = []
