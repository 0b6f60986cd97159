r"""Measurements too long for a book build: many seeds at full budget, stored (chapters 3-10).

A chapter that compares two settings (with or without batch norm, packing or not) shows a
short live run *and* the stored result of the full experiment: every seed, and the mean
:math:`\bar x` and sample standard deviation :math:`s = \sqrt{\sum_i (x_i - \bar x)^2/(n-1)}`
over the :math:`n` seeds. Each result ``<name>.json`` in this folder is written by

    python -m scripts.measure <name>            # run it (minutes to an hour on a CPU)
    python -m scripts.measure <name> --check    # run it again and compare with the stored file

and records the command, the seeds, the training budget, the library versions, the time it
took, and per setting the per-seed values of every metric::

    from ganlab import results
    measured = results.load("dcgan_digits")
    measured.values("no batch norm", "fid_ratio")      # one value per seed
    measured.table(["fid_ratio", "classes"])           # a table for the page
    measured.compare("guidelines", "no batch norm", "fid_ratio")
"""
from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass
from html import escape
from pathlib import Path

__all__ = ["Measurement", "Comparison", "load", "available", "spread", "RESULTS_DIR"]

RESULTS_DIR = Path(__file__).resolve().parent


def available() -> list[str]:
    """Names of the measurements kept in ``ganlab/results/*.json``. First used in chapter 4."""
    return sorted(path.stem for path in RESULTS_DIR.glob("*.json"))


def load(name: str, directory: str | Path | None = None) -> "Measurement":
    """The stored measurement ``name`` (see :func:`available`). First used in chapter 3."""
    path = Path(directory or RESULTS_DIR) / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"no stored measurement {name!r} in {path.parent}; available: {available()}. "
            f"Produce it with: python -m scripts.measure {name}")
    try:
        record = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error}); restore it from git or "
                         f"re-run: python -m scripts.measure {name}") from None
    return Measurement(record)


def spread(values, digits: int = 2) -> str:
    """``"mean ± sd"`` of the finite values (sample standard deviation), ``"n/a"`` if none.

    First used in chapter 3.
    """
    finite = [float(v) for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return "n/a"
    sd = statistics.stdev(finite) if len(finite) > 1 else 0.0
    return f"{statistics.fmean(finite):.{digits}f} ± {sd:.{digits}f}"


@dataclass(frozen=True)
class Comparison:
    """Setting ``a`` against ``b`` on one metric, seed by seed (same seeds for both).

    First used in chapter 3, through :meth:`Measurement.compare`, i.e. :func:`load`.
    """
    a: str
    b: str
    metric: str
    a_better: int          #: seeds on which ``a`` is better than ``b``
    n: int                 #: seeds compared
    mean_difference: float  #: mean over seeds of value(b) - value(a)

    def __str__(self) -> str:
        return (f"{self.a!r} is better than {self.b!r} on {self.a_better} of {self.n} seeds "
                f"(mean difference {self.mean_difference:+.3g})")


class Measurement:
    """One stored experiment: settings x metrics x seeds (see the module's docstring).

    First used in chapter 3, through :func:`load`.
    """

    def __init__(self, record: dict):
        missing = {"name", "seeds", "settings", "metrics"} - set(record)
        if missing:
            raise ValueError(f"a measurement record needs the keys {sorted(missing)}")
        self.record = record
        self.name, self.seeds = record["name"], list(record["seeds"])
        self.settings: dict = record["settings"]
        self.metrics: dict = record["metrics"]

    def __repr__(self) -> str:
        return (f"Measurement({self.name!r}: {len(self.settings)} settings x "
                f"{len(self.seeds)} seeds; {self.record.get('budget', '')})")

    @property
    def budget(self) -> str:
        return self.record.get("budget", "")

    @property
    def command(self) -> str:
        return self.record.get("command", "")

    def values(self, setting: str, metric: str) -> list:
        """The per-seed values of ``metric`` for ``setting``, in the order of ``seeds``."""
        if setting not in self.settings:
            raise KeyError(f"{self.name} has no setting {setting!r}; it has {list(self.settings)}")
        per_metric = self.settings[setting]["values"]
        if metric not in per_metric:
            raise KeyError(f"{self.name} has no metric {metric!r}; it has {list(per_metric)}")
        return per_metric[metric]

    def mean(self, setting: str, metric: str) -> float:
        finite = [v for v in self.values(setting, metric) if v is not None and math.isfinite(v)]
        return statistics.fmean(finite) if finite else math.nan

    def sd(self, setting: str, metric: str) -> float:
        finite = [v for v in self.values(setting, metric) if v is not None and math.isfinite(v)]
        return statistics.stdev(finite) if len(finite) > 1 else 0.0

    def compare(self, a: str, b: str, metric: str) -> Comparison:
        """Seed by seed: on how many seeds is ``a`` better than ``b`` (the metric's direction)."""
        lower = self.metrics[metric].get("better", "lower") == "lower"
        pairs = [(x, y) for x, y in zip(self.values(a, metric), self.values(b, metric))
                 if x is not None and y is not None and math.isfinite(x) and math.isfinite(y)]
        wins = sum((x < y) if lower else (x > y) for x, y in pairs)
        difference = statistics.fmean(y - x for x, y in pairs) if pairs else math.nan
        return Comparison(a, b, metric, wins, len(pairs), difference)

    def plot(self, metric: str, settings=None, ax=None, reference: float | None = None,
             reference_label: str = ""):
        """Every seed as a dot and mean ± sd as a bar, one row per setting (a matplotlib figure).

        ``reference`` draws a vertical line (e.g. a published value or the real floor).
        """
        import matplotlib.pyplot as plt

        settings = list(settings or self.settings)
        if ax is None:
            fig, ax = plt.subplots(figsize=(7, 0.45 * len(settings) + 1.2))
        else:
            fig = ax.figure
        for row, setting in enumerate(settings):
            values = [v for v in self.values(setting, metric)
                      if v is not None and math.isfinite(v)]
            offsets = [0.25 * (i / max(1, len(values) - 1) - 0.5) for i in range(len(values))]
            ax.scatter(values, [row + o for o in offsets], s=18, alpha=0.75, color="tab:blue",
                       zorder=3)
            if values:
                ax.errorbar(self.mean(setting, metric), row, xerr=self.sd(setting, metric),
                            fmt="s", color="black", capsize=4, zorder=4)
        if reference is not None:
            ax.axvline(reference, color="gray", ls="--", lw=1, label=reference_label or None)
            if reference_label:
                ax.legend(fontsize=8, loc="best")
        ax.set_yticks(range(len(settings)), settings, fontsize=8)
        ax.invert_yaxis()
        label = self.metrics[metric].get("label", metric)
        better = self.metrics[metric].get("better", "lower")
        ax.set_xlabel(f"{label} ({better} is better); dots: seeds, square: mean ± sd", fontsize=8)
        fig.tight_layout()
        return fig

    def table(self, metrics=None, settings=None, digits: int = 2) -> "Table":
        """Every seed and mean ± sd, one row per setting and metric (shown as HTML in a page)."""
        metrics = list(metrics or self.metrics)
        settings = list(settings or self.settings)
        header = ["setting", "metric", *[f"seed {s}" for s in self.seeds], "mean ± sd"]
        rows = []
        for setting in settings:
            for metric in metrics:
                values = self.values(setting, metric)
                cells = ["—" if v is None else f"{v:.{digits}f}" if isinstance(v, float)
                         else str(v) for v in values]
                rows.append([setting, self.metrics[metric].get("label", metric), *cells,
                             spread(values, digits)])
        caption = (f"{self.record.get('title', self.name)}: {len(self.seeds)} seeds, "
                   f"{self.budget}. Stored in ganlab/results/{self.name}.json "
                   f"(python -m scripts.measure {self.name}).")
        return Table(header, rows, caption)


@dataclass
class Table:
    """A small table that shows as HTML in a notebook and as text in a terminal."""
    header: list
    rows: list
    caption: str = ""

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{escape(str(h))}</th>" for h in self.header)
        body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>"
                       for row in self.rows)
        caption = f"<caption>{escape(self.caption)}</caption>" if self.caption else ""
        return (f'<table class="ganlab-results">{caption}<thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")

    def __str__(self) -> str:
        widths = [max(len(str(r[i])) for r in [self.header, *self.rows])
                  for i in range(len(self.header))]
        lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths))
                 for row in [self.header, *self.rows]]
        return "\n".join(([self.caption] if self.caption else []) + lines)

    __repr__ = __str__
