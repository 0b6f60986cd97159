"""The test code of assignment 01-minimax: the body of each function (after its docstring) is
copied into the test cells that list it; the functions are never called from here.
"""
from __future__ import annotations

import math

import torch

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from helpers import _check_value, _normal, _reference_jsd, _value_mistakes
    from solution import optimal_discriminator, value_at_optimal_d, value_function


def visible_value_function():
    """The visible tests of test_value_function (assignment 01-minimax)."""
    _real, _fake = [0.9, 0.8, 0.7], [0.2, 0.1]
    _expected = sum(math.log(p) for p in _real) / 3 + sum(math.log(1 - q) for q in _fake) / 2
    _v = value_function(torch.tensor(_real), torch.tensor(_fake))
    _check_value(_v, _expected, "value_function(d_real=[0.9, 0.8, 0.7], d_fake=[0.2, 0.1])", _value_mistakes(_real, _fake))
    _half = value_function(torch.full((5,), 0.5), torch.full((3,), 0.5))
    _check_value(_half, -math.log(4.0), "V when D = 1/2 everywhere (the 50% police: -log 4)")


def hidden_value_function():
    """The hidden tests of test_value_function (assignment 01-minimax)."""
    _gen = checks.rng(1101)
    for _m, _n in [(4, 4), (7, 3), (1, 6), (32, 9)]:
        _real = 0.02 + 0.96 * torch.rand(_m, generator=_gen, dtype=torch.float64)
        _fake = 0.02 + 0.96 * torch.rand(_n, generator=_gen, dtype=torch.float64)
        _expected = sum(math.log(p) for p in _real.tolist()) / _m + sum(math.log1p(-q) for q in _fake.tolist()) / _n
        _v = value_function(_real.clone(), _fake.clone())
        _check_value(_v, _expected, f"V on batches of {_m} real and {_n} fake probabilities",
                     _value_mistakes(_real.tolist(), _fake.tolist()), atol=1e-8, rtol=1e-8)
    # The gradient must reach D's outputs: dV/dD(x_i) = 1 / (m D(x_i)), dV/dD(G(z_j)) = -1 / (n (1 - D(G(z_j)))).
    _real = (0.1 + 0.8 * torch.rand(5, generator=_gen)).requires_grad_()
    _fake = (0.1 + 0.8 * torch.rand(3, generator=_gen)).requires_grad_()
    _v = value_function(_real, _fake)
    checks.assert_tensor(_v, "value_function(...) with inputs that require grad")
    checks.assert_true(_v.requires_grad, "value_function must keep the autograd graph (no .item(), no .detach(), no float())")
    _v.backward()
    checks.assert_close(_real.grad, 1 / (5 * _real.detach()), "dV/dD(x_i), which should be 1 / (m D(x_i))", atol=1e-5, rtol=1e-4)
    checks.assert_close(_fake.grad, -1 / (3 * (1 - _fake.detach())), "dV/dD(G(z_j)), which should be -1 / (n (1 - D(G(z_j))))", atol=1e-5, rtol=1e-4)


def visible_optimal_discriminator():
    """The visible tests of test_optimal_discriminator (assignment 01-minimax)."""
    _x = torch.linspace(-3.0, 3.0, 7)
    _d = optimal_discriminator(_normal(0.0, 1.0), _normal(0.0, 1.0), _x)
    checks.assert_tensor(_d, "optimal_discriminator(...)")
    checks.assert_shape(_d, (7,), "D*(x) for x of shape (7,)")
    checks.assert_close(_d, torch.full((7,), 0.5), "D* when p_g = p_data (the 50% equilibrium)", atol=1e-6, rtol=1e-5)
    _d = optimal_discriminator(_normal(0.0, 1.0), _normal(2.0, 1.0), torch.tensor([0.0, 1.0, 2.0]))
    _e = 1 / (1 + math.exp(-2.0))  # p_data(0) / (p_data(0) + p_g(0)) for N(0, 1) against N(2, 1)
    checks.assert_true(not bool(((_d - torch.tensor([1 - _e, 0.5, _e])).abs() < 1e-4).all()),
                       "D*(x) at x = 0, 1, 2 came out as p_g / (p_data + p_g): that is the probability of *fake*. "
                       "D* is the probability that x is real: p_data / (p_data + p_g).")
    checks.assert_close(_d, torch.tensor([_e, 0.5, 1 - _e]), "D* for p_data = N(0, 1), p_g = N(2, 1) at x = 0, 1, 2", atol=1e-6, rtol=1e-5)


def hidden_optimal_discriminator():
    """The hidden tests of test_optimal_discriminator (assignment 01-minimax)."""
    _gen = checks.rng(1202)
    for _mu_d, _s_d, _mu_g, _s_g in [(0.0, 1.0, 1.5, 0.7), (-1.0, 2.0, 0.5, 0.5), (3.0, 0.4, 2.0, 1.2)]:
        _x = 4 * torch.rand(3, 4, generator=_gen, dtype=torch.float64) - 2 + _mu_d
        _d = optimal_discriminator(_normal(_mu_d, _s_d), _normal(_mu_g, _s_g), _x)
        checks.assert_tensor(_d, "optimal_discriminator(...)")
        checks.assert_shape(_d, (3, 4), "D*(x) for x of shape (3, 4)")
        _expected = []
        for _v in _x.flatten().tolist():
            _pd = math.exp(-0.5 * ((_v - _mu_d) / _s_d) ** 2) / _s_d
            _pg = math.exp(-0.5 * ((_v - _mu_g) / _s_g) ** 2) / _s_g
            _expected.append(_pd / (_pd + _pg))
        checks.assert_close(_d, torch.tensor(_expected, dtype=torch.float64).view(3, 4),
                            f"D* for p_data = N({_mu_d}, {_s_d}^2), p_g = N({_mu_g}, {_s_g}^2)", atol=1e-8, rtol=1e-6)


def visible_value_at_optimal_d():
    """The visible tests of test_value_at_optimal_d (assignment 01-minimax)."""
    _x = torch.linspace(-10.0, 10.0, 2001, dtype=torch.float64)
    _v = value_at_optimal_d(_normal(0.0, 1.0), _normal(0.0, 1.0), _x)
    _check_value(_v, -math.log(4.0), "V(D*, G) when p_g = p_data on x = linspace(-10, 10, 2001) (should be -log 4)",
                 [("That is the plain sum of the integrand; an integral needs the spacing dx (torch.trapezoid(y, x)).",
                   -math.log(4.0) * (2001 - 1) / 20)], atol=1e-6, rtol=1e-6)
    _v = value_at_optimal_d(_normal(0.0, 1.0), _normal(1.0, 1.0), _x)
    checks.restore()
    checks.assert_tensor(_v, "value_at_optimal_d(...)")
    checks.assert_true(float(_v) > -math.log(4.0) + 1e-3,
                       f"V(D*, G) must exceed -log 4 = {-math.log(4.0):.4f} when p_g differs from p_data, got {float(_v):.4f}")


def hidden_value_at_optimal_d():
    """The hidden tests of test_value_at_optimal_d (assignment 01-minimax)."""
    for _mu_d, _s_d, _mu_g, _s_g, _lo, _hi, _n in [(0.0, 1.0, 2.0, 1.0, -9.0, 11.0, 1501),
                                                (-1.0, 1.5, -0.5, 1.0, -8.0, 7.0, 2601),
                                                (0.0, 1.0, 0.5, 0.7, -5.0, 5.0, 1201),
                                                (1.0, 0.5, 1.0, 0.5, -4.0, 6.0, 801)]:
        _x = torch.linspace(_lo, _hi, _n, dtype=torch.float64)
        _v = value_at_optimal_d(_normal(_mu_d, _s_d), _normal(_mu_g, _s_g), _x)
        _expected = -math.log(4.0) + 2 * _reference_jsd(_mu_d, _s_d, _mu_g, _s_g, _x.tolist())
        _check_value(_v, _expected, f"V(D*, G) = -log 4 + 2 JSD for p_data = N({_mu_d}, {_s_d}^2), "
                     f"p_g = N({_mu_g}, {_s_g}^2) on [{_lo}, {_hi}]", atol=1e-6, rtol=1e-5)
    # An uneven grid: the spacing dx must come from x itself.
    _x = torch.cat([torch.linspace(-10.0, 0.0, 401, dtype=torch.float64)[:-1],
                    torch.linspace(0.0, 10.0, 1601, dtype=torch.float64)])
    _v = value_at_optimal_d(_normal(0.0, 1.0), _normal(0.0, 1.0), _x)
    _check_value(_v, -math.log(4.0), "V(D*, G) for p_g = p_data on an unevenly spaced grid (dx from x itself)",
                 atol=1e-5, rtol=1e-5)
