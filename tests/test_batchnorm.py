"""ganlab.models.BatchNorm against torch.nn.BatchNorm1d / BatchNorm2d (chapter 6)."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from ganlab.models import BatchNorm

SHAPES = {nn.BatchNorm1d: (16, 5), nn.BatchNorm2d: (8, 5, 4, 3)}


def _pair(reference_cls, **kwargs):
    torch.manual_seed(0)
    ours, theirs = BatchNorm(5, **kwargs), reference_cls(5, **kwargs)
    if ours.affine:  # non-trivial gamma/beta so that a swapped scale/shift would show
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
            theirs.bias.uniform_(-0.5, 0.5)
        ours.load_state_dict(theirs.state_dict())
    return ours, theirs


def _batch(reference_cls, step):
    g = torch.Generator().manual_seed(100 + step)
    return 3.0 * torch.randn(*SHAPES[reference_cls], generator=g) + step  # shifting statistics


def _assert_same_step(ours, theirs, x, upstream):
    x_ours = x.clone().requires_grad_(True)
    x_theirs = x.clone().requires_grad_(True)
    y_ours, y_theirs = ours(x_ours), theirs(x_theirs)
    torch.testing.assert_close(y_ours, y_theirs, atol=1e-5, rtol=1e-5)
    (y_ours * upstream).sum().backward()
    (y_theirs * upstream).sum().backward()
    torch.testing.assert_close(x_ours.grad, x_theirs.grad, atol=1e-5, rtol=1e-4)
    if ours.affine:
        torch.testing.assert_close(ours.weight.grad, theirs.weight.grad, atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(ours.bias.grad, theirs.bias.grad, atol=1e-4, rtol=1e-4)
        ours.zero_grad()
        theirs.zero_grad()


def _assert_same_buffers(ours, theirs):
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        a, b = getattr(ours, name), getattr(theirs, name)
        if b is None:
            assert a is None, f"{name} should be None"
        else:
            torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-6, msg=f"{name} differs")


@pytest.mark.parametrize("reference_cls", [nn.BatchNorm1d, nn.BatchNorm2d])
@pytest.mark.parametrize("kwargs", [
    {},
    {"momentum": None},
    {"momentum": 0.3, "eps": 1e-3},
    {"affine": False},
    {"track_running_stats": False},
], ids=["default", "momentum-None", "momentum-eps", "no-affine", "no-running-stats"])
def test_matches_torch_over_several_steps(reference_cls, kwargs):
    ours, theirs = _pair(reference_cls, **kwargs)
    upstream_gen = torch.Generator().manual_seed(7)
    for step in range(4):
        ours.train(), theirs.train()
        x = _batch(reference_cls, step)
        upstream = torch.randn(x.shape, generator=upstream_gen)
        _assert_same_step(ours, theirs, x, upstream)
        _assert_same_buffers(ours, theirs)
        ours.eval(), theirs.eval()
        _assert_same_step(ours, theirs, _batch(reference_cls, 50 + step), upstream)
        _assert_same_buffers(ours, theirs)  # eval must not move the running statistics


def test_running_stats_use_unbiased_variance_and_momentum():
    bn = BatchNorm(1, momentum=0.5)
    x = torch.tensor([[1.0], [3.0]])  # mean 2, biased var 1, unbiased var 2
    y = bn(x)
    torch.testing.assert_close(y, torch.tensor([[-1.0], [1.0]]), atol=1e-4, rtol=0)
    torch.testing.assert_close(bn.running_mean, torch.tensor([1.0]))   # 0.5*0 + 0.5*2
    torch.testing.assert_close(bn.running_var, torch.tensor([1.5]))    # 0.5*1 + 0.5*2
    assert int(bn.num_batches_tracked) == 1


def test_momentum_none_is_cumulative_average():
    bn = BatchNorm(2, momentum=None)
    batches = [torch.randn(10, 2, generator=torch.Generator().manual_seed(i)) + i for i in range(5)]
    for x in batches:
        bn(x)
    expected = torch.stack([x.mean(0) for x in batches]).mean(0)
    torch.testing.assert_close(bn.running_mean, expected)


def test_eval_output_does_not_depend_on_batch_mates():
    bn = BatchNorm(3)
    for step in range(3):
        bn(torch.randn(8, 3, 4, 4) * 2 + step)
    bn.eval()
    x = torch.randn(6, 3, 4, 4)
    torch.testing.assert_close(bn(x)[:1], bn(x[:1]))


@pytest.mark.parametrize("reference_cls", [nn.BatchNorm1d, nn.BatchNorm2d])
def test_state_dict_interchanges_with_torch(reference_cls):
    theirs = reference_cls(5)
    theirs.train()
    for step in range(3):
        theirs(_batch(reference_cls, step))
    ours = BatchNorm(5)
    assert set(ours.state_dict()) == set(theirs.state_dict())
    ours.load_state_dict(theirs.state_dict())
    _assert_same_buffers(ours, theirs)
    back = reference_cls(5)
    ours(_batch(reference_cls, 9))
    back.load_state_dict(ours.state_dict())
    _assert_same_buffers(ours, back)
    assert set(BatchNorm(5, affine=False, track_running_stats=False).state_dict()) == \
        set(reference_cls(5, affine=False, track_running_stats=False).state_dict())


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="num_features"):
        BatchNorm(0)
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm(3, momentum=1.5)
    bn = BatchNorm(3)
    with pytest.raises(ValueError, match=r"expects \(N, 3\)"):
        bn(torch.randn(4, 2))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(torch.randn(1, 3))
