"""ganlab.results (stored multi-seed measurements) and scripts/measure.py, its producer."""
from __future__ import annotations

import importlib
import json
import math
import types

import pytest

from ganlab import results
from scripts import measure

RECORD = {
    "name": "toy", "title": "A toy", "budget": "3 steps", "seeds": [0, 1, 2, 3, 4],
    "metrics": {"fid": {"label": "distance", "better": "lower"},
                "classes": {"label": "classes", "better": "higher"}},
    "settings": {
        "base": {"description": "b", "values": {"fid": [1.0, 2.0, 3.0, 4.0, 5.0],
                                                 "classes": [10, 10, 9, 10, 10]}},
        "worse": {"description": "w", "values": {"fid": [2.0, 1.5, 4.0, None, 6.0],
                                                  "classes": [8, 10, 9, 7, 10]}},
    },
}


@pytest.fixture
def stored(tmp_path):
    (tmp_path / "toy.json").write_text(json.dumps(RECORD))
    return results.load("toy", tmp_path)


def test_values_mean_sd_and_spread(stored):
    assert stored.values("base", "fid") == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert stored.mean("base", "fid") == 3.0
    assert math.isclose(stored.sd("base", "fid"), math.sqrt(2.5))  # the n - 1 estimator
    assert stored.mean("worse", "fid") == pytest.approx(13.5 / 4)  # a diverged seed is left out
    assert results.spread([1.0, 2.0, 3.0]) == "2.00 ± 1.00"
    assert results.spread([None, float("nan")]) == "n/a"


def test_compare_counts_seeds_in_the_metrics_direction(stored):
    lower = stored.compare("base", "worse", "fid")
    assert (lower.a_better, lower.n) == (3, 4)  # seed 1 is worse for base, seed 3 has no value
    assert lower.mean_difference == pytest.approx(((2 - 1) + (1.5 - 2) + (4 - 3) + (6 - 5)) / 4)
    higher = stored.compare("base", "worse", "classes")
    assert (higher.a_better, higher.n) == (2, 5)  # ties count for neither
    assert "3 of 4 seeds" in str(lower)


def test_table_lists_every_seed_and_the_spread(stored):
    table = stored.table(["fid"])
    assert table.header == ["setting", "metric", "seed 0", "seed 1", "seed 2", "seed 3",
                            "seed 4", "mean ± sd"]
    assert table.rows[1][2:] == ["2.00", "1.50", "4.00", "—", "6.00", "3.38 ± 2.06"]
    html = table._repr_html_()
    assert html.count("<tr>") == 3 and "python -m scripts.measure toy" in html


def test_plot_has_a_row_per_setting(stored):
    import matplotlib.pyplot as plt
    figure = stored.plot("fid", reference=1.0, reference_label="floor")
    assert [t.get_text() for t in figure.axes[0].get_yticklabels()] == ["base", "worse"]
    plt.close(figure)


def test_unknown_names_and_broken_files_say_what_to_do(stored, tmp_path):
    with pytest.raises(KeyError, match="has no setting 'nope'"):
        stored.values("nope", "fid")
    with pytest.raises(KeyError, match="has no metric"):
        stored.values("base", "nope")
    with pytest.raises(FileNotFoundError, match="python -m scripts.measure missing"):
        results.load("missing", tmp_path)
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        results.load("broken", tmp_path)


@pytest.mark.parametrize("name", results.available())
def test_every_stored_result_matches_its_experiment(name):
    stored = results.load(name)
    module = importlib.import_module(f"scripts.measurements.{name}")
    assert name in measure.EXPERIMENTS
    assert len(stored.seeds) >= 5, "a comparison needs at least five seeds"
    assert set(stored.metrics) == set(module.METRICS)
    for setting, entry in stored.settings.items():
        assert setting in module.SETTINGS, f"{setting!r} is not a setting of {name}"
        assert entry["command"].startswith("python -m scripts.measure")
        for metric in module.METRICS:
            assert len(entry["values"][metric]) == len(stored.seeds), (setting, metric)


def fake_experiment(offset):
    def run(setting, seeds):
        return {"score": [round(seed + offset + (setting == "b"), 3) for seed in seeds]}
    return types.SimpleNamespace(TITLE="fake", BUDGET="none", SEEDS=range(5),
                                 METRICS={"score": {"label": "s", "better": "lower"}},
                                 SETTINGS={"a": "first", "b": "second"}, measure=run)


def test_measure_writes_each_setting_and_check_detects_a_change(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(measure, "EXPERIMENTS", ("fake",))
    monkeypatch.setattr(measure, "experiment", lambda name: fake_experiment(0.0))
    assert measure.main(["fake", "--settings", "b", "--out", str(tmp_path)]) == 0
    assert measure.main(["fake", "--settings", "a", "--out", str(tmp_path)]) == 0
    stored = results.load("fake", tmp_path)
    assert list(stored.settings) == ["a", "b"]  # merged, in the experiment's order
    assert stored.values("b", "score") == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert measure.main(["fake", "--check", "--seeds", "1", "3", "--out", str(tmp_path)]) == 0
    monkeypatch.setattr(measure, "experiment", lambda name: fake_experiment(0.5))
    assert measure.main(["fake", "--check", "--out", str(tmp_path)]) == 1
    assert "DIFFERENT" in capsys.readouterr().out
