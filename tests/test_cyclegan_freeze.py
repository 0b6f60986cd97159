"""train_cyclegan(freeze_discriminators_at=k): chapter 7's frozen discriminators."""
import math

import pytest
import torch

from ganlab.data import unpaired_digits
from ganlab.train import train_cyclegan

TINY = dict(batch_size=4, width=4, d_width=4, n_blocks=1, snapshot_every=0, progress=False)


def test_discriminators_stop_learning_after_the_given_step():
    torch.set_num_threads(1)
    pair = unpaired_digits("invert", image_size=16)
    frozen = train_cyclegan(pair, steps=5, freeze_discriminators_at=2, **TINY)
    learning = train_cyclegan(pair, steps=5, **TINY)
    two_steps = train_cyclegan(pair, steps=2, **TINY)
    # the discriminators are exactly those of a run that stopped after step 2
    for name in ("d_a", "d_b"):
        for p, q in zip(getattr(frozen, name).parameters(), getattr(two_steps, name).parameters()):
            assert torch.equal(p, q)
        assert p.requires_grad  # handed back able to learn again
    # ... while the generators went on learning, and differ from the run whose D kept learning
    assert not all(torch.equal(p, q) for p, q in
                   zip(frozen.g_ab.parameters(), two_steps.g_ab.parameters()))
    assert not all(torch.equal(p, q) for p, q in
                   zip(frozen.g_ab.parameters(), learning.g_ab.parameters()))
    # the first two steps are those of the ordinary run; then D's losses are not measured
    assert frozen.history["d_a_loss"][:2] == learning.history["d_a_loss"][:2]
    assert all(math.isnan(v) for v in frozen.history["d_a_loss"][2:])
    assert all(math.isfinite(v) for v in frozen.history["g_loss"])
    assert len(frozen.history["step"]) == 5


def test_freezing_at_the_last_step_changes_nothing():
    pair = unpaired_digits("invert", image_size=16)
    a = train_cyclegan(pair, steps=3, freeze_discriminators_at=3, **TINY)
    b = train_cyclegan(pair, steps=3, **TINY)
    assert all(torch.equal(p, q) for p, q in zip(a.g_ba.parameters(), b.g_ba.parameters()))
    assert a.history["d_b_loss"] == b.history["d_b_loss"]


def test_freeze_step_must_be_a_non_negative_int():
    pair = unpaired_digits("invert", image_size=16)
    with pytest.raises(ValueError, match="freeze_discriminators_at"):
        train_cyclegan(pair, steps=2, freeze_discriminators_at=-1, **TINY)
