"""Deprecated: only :mod:`ganlab.grading.checks`, the old name of :mod:`ganlab.exercise_checks`.

Notebooks released before the grader left ``ganlab`` start with ``from ganlab.grading import
checks``; they keep working through this alias. New releases import ``ganlab.exercise_checks``.
The instructor's grader is its own package now: ``exercises/grader`` (``ganlab_grader``).
"""
