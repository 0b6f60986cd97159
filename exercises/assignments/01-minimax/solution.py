"""The reference solutions of assignment 01-minimax: one region per editable cell.

Each region (from a ``# %% cell: <grade_id>`` line to the next) is the cell as the source
notebook holds it; the release replaces each ``### BEGIN SOLUTION`` ... ``### END SOLUTION``
block by ``raise NotImplementedError()``. The names the notebook's setup cell defines are
imported here so that the file lints and imports on its own.
"""
from __future__ import annotations

import torch


# %% cell: value_function
def value_function(d_real, d_fake):
    """V(D, G) = mean(log D(x)) + mean(log(1 - D(G(z)))) from D's probabilities.

    d_real: tensor (m,) of D(x) on real samples; d_fake: tensor (n,) of D(G(z)) on fakes.
    Returns a 0-dimensional tensor.
    """
    ### BEGIN SOLUTION
    real_term = torch.log(d_real).mean()  # what D earns on real data
    fake_term = torch.log(1 - d_fake).mean()  # what D earns on fakes
    return real_term + fake_term
    ### END SOLUTION


# %% cell: optimal_discriminator
def optimal_discriminator(p_data, p_g, x):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) for density functions p_data and p_g."""
    ### BEGIN SOLUTION
    density_data = p_data(x)
    density_g = p_g(x)
    return density_data / (density_data + density_g)
    ### END SOLUTION


# %% cell: value_at_optimal_d
def value_at_optimal_d(p_data, p_g, x):
    """V(D*, G) = integral of p_data log D* + p_g log(1 - D*) over the grid x (trapezoidal rule)."""
    ### BEGIN SOLUTION
    d_star = optimal_discriminator(p_data, p_g, x)
    integrand = p_data(x) * torch.log(d_star) + p_g(x) * torch.log(1 - d_star)
    return torch.trapezoid(integrand, x)
    ### END SOLUTION
