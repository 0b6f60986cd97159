"""ganlab.device: device choice, its overrides and errors, seeding, the Colab GPU hint."""
import random
import sys

import numpy as np
import pytest
import torch

import ganlab.device as device_module
from ganlab import get_device, gpu_hint, on_colab, seed_everything


@pytest.fixture
def no_accelerator(monkeypatch):
    """A machine without CUDA or MPS, whatever this one has; not on Colab."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(device_module, "_mps_available", lambda: False)
    monkeypatch.delenv("GANLAB_DEVICE", raising=False)
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)


def test_environment_variable_forces_the_cpu(monkeypatch, no_accelerator):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)   # even with a GPU
    monkeypatch.setenv("GANLAB_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")


def test_prefer_wins_over_the_environment(monkeypatch, no_accelerator):
    monkeypatch.setenv("GANLAB_DEVICE", "cuda")
    assert get_device("cpu") == torch.device("cpu")


def test_automatic_choice(monkeypatch, no_accelerator):
    assert get_device() == torch.device("cpu")
    monkeypatch.setattr(device_module, "_mps_available", lambda: True)
    assert get_device().type == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device().type == "cuda"


@pytest.mark.parametrize("request_", ["cuda", "cuda:0"])
def test_cuda_request_without_gpu_is_a_clear_error(monkeypatch, no_accelerator, request_):
    monkeypatch.setenv("GANLAB_DEVICE", request_)
    with pytest.raises(RuntimeError, match=r"no CUDA GPU.*'cpu'"):
        get_device()
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        get_device(request_)


def test_mps_request_without_mps_is_a_clear_error(no_accelerator):
    with pytest.raises(RuntimeError, match="MPS is not available"):
        get_device("mps")


def test_verbose_names_the_device(no_accelerator, capsys):
    get_device(verbose=True)
    assert "ganlab runs on: cpu" in capsys.readouterr().out
    get_device()
    assert capsys.readouterr().out == ""


def test_seed_everything_makes_draws_repeatable():
    def draws():
        generator = seed_everything(123)
        return (torch.randn(5), torch.randn(5, generator=generator), random.random(),
                np.random.rand())

    first, second = draws(), draws()
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])
    assert first[2] == second[2] and first[3] == second[3]
    seed_everything(124)
    assert not torch.equal(torch.randn(5), first[0])


def test_seed_everything_returns_a_cpu_generator():
    generator = seed_everything(7)
    assert isinstance(generator, torch.Generator) and generator.initial_seed() == 7


@pytest.mark.parametrize("bad", ["1", 1.5, True, None])
def test_seed_must_be_an_int(bad):
    with pytest.raises(TypeError, match="seed must be an int"):
        seed_everything(bad)


def test_gpu_hint_only_on_colab_without_gpu(monkeypatch, no_accelerator, capsys):
    assert not on_colab() and gpu_hint() is None
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab_20250101")
    assert on_colab()
    hint = gpu_hint()
    assert hint is not None and "Runtime" in hint and "GPU" in hint
    get_device()
    assert hint in capsys.readouterr().out
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert gpu_hint() is None
