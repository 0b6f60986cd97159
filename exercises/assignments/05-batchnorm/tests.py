"""The test code of assignment 05-batchnorm: the body of each function (after its docstring) is
copied into the test cells that list it; the functions are never called from here.
"""
from __future__ import annotations

import torch

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from helpers import _check_evaluation, _check_normalize, _check_statistics, _check_training
    from solution import batch_statistics, normalize


def visible_batch_statistics():
    """The visible tests of test_batch_statistics (assignment 05-batchnorm)."""
    _x = torch.tensor([[1.0, 10.0], [3.0, 20.0], [5.0, 60.0]])  # (N=3, C=2)
    _mean, _var = batch_statistics(_x)
    checks.assert_close(_mean, torch.tensor([3.0, 30.0]), atol=1e-5, rtol=1e-5, what="the mean of [[1, 10], [3, 20], [5, 60]]")
    checks.assert_close(_var, torch.tensor([8 / 3, 1400 / 3]), atol=1e-4, rtol=1e-5,
                        what="the biased variance of [[1, 10], [3, 20], [5, 60]] (divide by m = 3)")
    _gen = checks.rng(0)
    _check_statistics(torch.randn(4, 3, 5, 5, generator=_gen) * 2 + 1, "an input of shape (4, 3, 5, 5)")


def hidden_batch_statistics():
    """The hidden tests of test_batch_statistics (assignment 05-batchnorm)."""
    _gen = checks.rng(5101)
    for _shape in [(7, 5), (2, 4), (3, 6, 4, 4), (5, 2, 7, 3), (1, 3, 6, 6)]:
        _check_statistics(torch.randn(_shape, generator=_gen) * (0.5 + 3 * torch.rand(1, generator=_gen))
                          + 5 * torch.rand(1, generator=_gen) - 2, f"an input of shape {_shape}")


def visible_normalize():
    """The visible tests of test_normalize (assignment 05-batchnorm)."""
    _y = normalize(torch.tensor([[1.0, 10.0], [3.0, 20.0]]), torch.tensor([2.0, 15.0]), torch.tensor([1.0, 25.0]),
                   torch.tensor([1.0, 2.0]), torch.tensor([0.0, -1.0]), 0.0)
    checks.assert_close(_y, torch.tensor([[-1.0, -3.0], [1.0, 1.0]]), atol=1e-5, rtol=1e-5,
                        what="normalize on [[1, 10], [3, 20]] with mean [2, 15], var [1, 25], gamma [1, 2], beta [0, -1], eps 0")
    _gen = checks.rng(1)
    _check_normalize(torch.randn(2, 3, 4, 4, generator=_gen), torch.randn(3, generator=_gen), torch.rand(3, generator=_gen) + 0.5,
                     torch.randn(3, generator=_gen), torch.randn(3, generator=_gen), 1e-5, "an input of shape (2, 3, 4, 4)")


def hidden_normalize():
    """The hidden tests of test_normalize (assignment 05-batchnorm)."""
    _gen = checks.rng(5201)
    for _shape, _eps in [((6, 4), 0.5), ((3, 5, 2, 3), 0.25), ((4, 2, 5, 5), 1e-5), ((2, 7), 1e-3)]:
        _c = _shape[1]
        _check_normalize(3 * torch.randn(_shape, generator=_gen), torch.randn(_c, generator=_gen),
                         0.01 + 0.2 * torch.rand(_c, generator=_gen), 1 + torch.randn(_c, generator=_gen),
                         torch.randn(_c, generator=_gen), _eps, f"an input of shape {_shape}, eps = {_eps}")


def visible_training_mode():
    """The visible tests of test_training_mode (assignment 05-batchnorm)."""
    _check_training((8, 3), eps=1e-5, momentum=0.1, steps=2, seed=2, what="input (8, 3) against BatchNorm1d")
    _check_training((4, 2, 5, 5), eps=1e-5, momentum=0.1, steps=2, seed=3, what="input (4, 2, 5, 5) against BatchNorm2d")


def hidden_training_mode():
    """The hidden tests of test_training_mode (assignment 05-batchnorm)."""
    _check_training((16, 5), eps=1e-3, momentum=0.3, steps=3, seed=5301, what="input (16, 5), eps 1e-3, momentum 0.3")
    _check_training((2, 4), eps=1e-5, momentum=0.1, steps=3, seed=5302, what="input (2, 4), the smallest batch")
    _check_training((3, 6, 4, 4), eps=1e-5, momentum=0.05, steps=4, seed=5303, what="input (3, 6, 4, 4), momentum 0.05")
    _check_training((5, 3, 2, 6), eps=1e-2, momentum=0.5, steps=3, seed=5304, what="input (5, 3, 2, 6), eps 1e-2, momentum 0.5")


def visible_evaluation_mode():
    """The visible tests of test_evaluation_mode (assignment 05-batchnorm)."""
    _check_evaluation((6, 3), eps=1e-5, seed=4, what="input (6, 3) against BatchNorm1d")
    _check_evaluation((4, 2, 3, 3), eps=1e-5, seed=5, what="input (4, 2, 3, 3) against BatchNorm2d")


def hidden_evaluation_mode():
    """The hidden tests of test_evaluation_mode (assignment 05-batchnorm)."""
    _check_evaluation((9, 4), eps=1e-3, seed=5401, what="input (9, 4), eps 1e-3")
    _check_evaluation((3, 5, 4, 2), eps=1e-5, seed=5402, what="input (3, 5, 4, 2)")
    _check_evaluation((2, 3, 6, 6), eps=0.1, seed=5403, what="input (2, 3, 6, 6), eps 0.1")
