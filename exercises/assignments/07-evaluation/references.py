"""The tests' own versions of the functions of assignment 07-evaluation that a later part calls.

While that later part is tested, these stand in for yours in the notebook (``references=`` in
assignment.py), so that a slip in an earlier part costs only that part's points.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from helpers import _distances, _sqrtm, _statistics


def gaussian_statistics(features):
    return _statistics(features)


def sqrtm_psd(matrix):
    return _sqrtm(matrix)


def assign_to_modes(samples, centers, std):
    distances = _distances(samples, centers, std)
    return distances.argmin(dim=1), distances.min(dim=1).values
