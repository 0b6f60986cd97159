"""scripts/measurements/cyclegan_digits.py: the interface of scripts.measure, on a few steps."""
import math

import torch

from scripts.measurements import cyclegan_digits as experiment


def test_interface_for_scripts_measure():
    assert list(experiment.SEEDS) == [0, 1, 2, 3, 4]
    assert set(experiment.SETTINGS) == set(experiment.VARIANTS)
    assert all(spec["better"] in ("lower", "higher") for spec in experiment.METRICS.values())
    assert "600 steps" in experiment.BUDGET and experiment.STEPS == 600


def test_each_setting_trains_and_is_judged_on_a_few_steps():
    torch.set_num_threads(1)
    for setting in experiment.SETTINGS:
        result = experiment.train(setting, seed=0, steps=5)
        assert len(result.history["step"]) == 5
        frozen = [math.isnan(v) for v in result.history["d_b_loss"]]
        assert frozen == ([False] * 1 + [True] * 4 if "frozen" in setting else [False] * 5)
        scores = experiment.judge(result)
        assert set(scores) == set(experiment.METRICS)
        assert all(math.isfinite(value) for value in scores.values())
        assert 0 <= scores["one_way"] <= 100 and 0 <= scores["round_trip"] <= 100
