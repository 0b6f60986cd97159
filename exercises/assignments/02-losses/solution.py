"""The reference solutions of assignment 02-losses: one region per editable cell.

Each region (from a ``# %% cell: <grade_id>`` line to the next) is the cell as the source
notebook holds it; the release replaces each ``### BEGIN SOLUTION`` ... ``### END SOLUTION``
block by ``raise NotImplementedError()``. The names the notebook's setup cell defines are
imported here so that the file lints and imports on its own.
"""
from __future__ import annotations

import torch.nn.functional as F


# %% cell: d_loss
def d_loss(real_logits, fake_logits):
    """L_D = mean(softplus(-real_logits)) + mean(softplus(fake_logits)); a 0-dim tensor."""
    ### BEGIN SOLUTION
    real_term = F.softplus(-real_logits).mean()  # -log D(x)
    fake_term = F.softplus(fake_logits).mean()  # -log(1 - D(G(z)))
    return real_term + fake_term
    ### END SOLUTION


# %% cell: g_loss_saturating
def g_loss_saturating(fake_logits):
    """L_G = mean(log(1 - D(G(z)))) = -mean(softplus(fake_logits)); G minimises it."""
    ### BEGIN SOLUTION
    return -F.softplus(fake_logits).mean()
    ### END SOLUTION


# %% cell: g_loss_nonsaturating
def g_loss_nonsaturating(fake_logits):
    """L_G = -mean(log D(G(z))) = mean(softplus(-fake_logits)); G minimises it."""
    ### BEGIN SOLUTION
    return F.softplus(-fake_logits).mean()
    ### END SOLUTION
