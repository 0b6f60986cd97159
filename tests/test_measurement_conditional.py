"""scripts/measurements/conditional_digits.py: the interface of scripts.measure, on a few steps."""
import math

import torch

from scripts.measurements import conditional_digits as experiment


def test_interface_for_scripts_measure():
    assert list(experiment.SEEDS) == [0, 1, 2, 3, 4]
    assert list(experiment.SETTINGS) == ["conditional DCGAN"]
    assert all(spec["better"] in ("lower", "higher") for spec in experiment.METRICS.values())
    assert "1,500 steps of batch 64" in experiment.BUDGET


def test_measure_returns_one_value_per_seed_on_a_few_steps():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        values = experiment.measure("conditional DCGAN", [0, 1], steps=2, width=8)
    finally:
        torch.set_num_threads(threads)
    assert set(values) == set(experiment.METRICS)
    assert all(len(per_seed) == 2 for per_seed in values.values())
    for accuracy, worst in zip(values["accuracy"], values["worst_class"]):
        assert 0 <= worst <= accuracy <= 1
    assert all(math.isfinite(v) and v > 0 for v in values["fid_ratio"])
    assert all(isinstance(c, int) and 0 <= c <= 10 for c in values["classes"])
