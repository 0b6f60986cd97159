r"""The course's figures: the paper's 1-D figure, 2-D scatters, image grids, loss curves, latents.

Every function builds its own :class:`matplotlib.figure.Figure` with the object-oriented API
and returns it; none calls ``plt.show()``. In a notebook the figure appears once, whether the
call ends the cell or its result is assigned (``fig = ...``): the figures are ordinary pyplot
figures, shown when the cell ends, and displaying one explicitly (``display(fig)``, or a bare
``fig`` as the last line, or ``glue``) takes it out of pyplot's list so it is not shown twice.

Colours follow Goodfellow et al. (2014), Figure 1, everywhere: data in black (dotted), the
generator in green (solid), the discriminator in blue (dashed).

Only drawing lives here; the maths the figures show is where a learner looks for it: the
kernel density of the 1-D figure in :mod:`ganlab.metrics.density`, the latent paths and
vector arithmetic in :mod:`ganlab.latent`.
"""
from __future__ import annotations

import math
from typing import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from .latent import generate_from, latent_arithmetic_vector, latent_batch, lerp, slerp
from .metrics.density import _points_1d, density_1d  # one checker of 1-D points for both

__all__ = [
    "paper_figure", "paper_panels_from_run",
    "scatter_2d", "scatter_over_training",
    "make_grid", "image_grid", "snapshots_grid",
    "loss_curves", "gradient_comparison",
    "interpolation", "latent_arithmetic", "snapshot_figures",
    "side_by_side", "figure_to_png",
]

DATA_STYLE = dict(color="black", linestyle=":", linewidth=2.0)
GENERATOR_STYLE = dict(color="green", linestyle="-", linewidth=1.8)
DISCRIMINATOR_STYLE = dict(color="blue", linestyle="--", linewidth=1.6)
REAL_COLOR, FAKE_COLOR, CENTER_COLOR = "0.55", "green", "red"


# --------------------------------------------------------------------------- figure plumbing

class NotebookFigure(Figure):
    """A Figure that leaves pyplot's list of open figures once it is displayed explicitly.

    Without this, a function that returns a pyplot figure shows it twice when its call ends a
    notebook cell: once as the cell's value, once when the inline backend flushes open figures.
    """

    def _repr_mimebundle_(self, include=None, exclude=None):
        if plt.fignum_exists(self.number) and plt.figure(self.number) is self:
            plt.close(self)
        return {}  # let IPython's registered formatters render the image


def _new_figure(nrows: int = 1, ncols: int = 1, figsize=None, **kwargs):
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False,
                             FigureClass=NotebookFigure, **kwargs)
    return fig, axes


def figure_to_png(fig: Figure, dpi: int = 80, close: bool = True) -> bytes:
    """Render a figure to PNG bytes (used by :mod:`ganlab.widgets` to pre-render frames).

    First used in chapter 1, through :func:`ganlab.widgets.latent_explorer`.
    """
    import io
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    if close:
        plt.close(fig)
    return buffer.getvalue()


def _figure_of(ax) -> Figure:
    return ax.figure


# --------------------------------------------------------------------------- input checking

def _to_numpy(value, name: str) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", torch.float64).numpy()
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a tensor or an array of numbers, "
                        f"got {type(value).__name__}") from None


def _points_2d(value, name: str) -> np.ndarray:
    array = _to_numpy(value, name)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{name} must hold 2-D points, shape (N, 2); got shape "
                         f"{tuple(array.shape)}")
    return array


def _images_tensor(images, name: str = "images") -> torch.Tensor:
    if hasattr(images, "images") and not isinstance(images, torch.Tensor):
        images = images.images  # an ImageData
    if not isinstance(images, torch.Tensor):
        images = torch.as_tensor(np.asarray(images))
    if images.dim() != 4:
        hint = " (for one grey image batch (N, H, W) use images.unsqueeze(1))" \
            if images.dim() == 3 else ""
        raise ValueError(f"{name} must have shape (N, C, H, W); got {tuple(images.shape)}{hint}")
    if images.shape[1] not in (1, 3):
        raise ValueError(f"{name} must have 1 (grey) or 3 (RGB) channels in dim 1; got shape "
                         f"{tuple(images.shape)}")
    if images.shape[0] == 0:
        raise ValueError(f"{name} is empty; pass at least one image")
    return images.detach().to("cpu", torch.float32)


def _history_of(history) -> Mapping:
    if hasattr(history, "history") and not isinstance(history, Mapping):
        history = history.history  # a TrainResult
    if not isinstance(history, Mapping):
        raise TypeError(f"history must be a dict of lists (TrainResult.history), got "
                        f"{type(history).__name__}")
    return history


def _snapshots_of(result_or_snapshots) -> list:
    snapshots = getattr(result_or_snapshots, "snapshots", result_or_snapshots)
    snapshots = list(snapshots or [])
    if not snapshots:
        raise ValueError("this run has no snapshots; train with snapshot_every > 0 "
                         "(TrainConfig.snapshot_every) so G(fixed_z) is recorded")
    for item in snapshots:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise ValueError("snapshots must be a list of (step, samples) pairs, as in "
                             "TrainResult.snapshots")
    return snapshots


def _select(steps_available: Sequence[int], steps, default_count: int) -> list[int]:
    """Indices into ``steps_available``: None = up to ``default_count`` evenly spaced, "all",
    or the listed step numbers (each must have been recorded)."""
    n = len(steps_available)
    if steps is None:
        if n <= default_count:
            return list(range(n))
        return sorted(set(np.linspace(0, n - 1, default_count).round().astype(int).tolist()))
    if isinstance(steps, str):
        if steps != "all":
            raise ValueError(f"steps must be None, 'all' or a list of step numbers; got {steps!r}")
        return list(range(n))
    if isinstance(steps, int):
        steps = [steps]
    position = {int(step): i for i, step in enumerate(steps_available)}
    missing = [s for s in steps if int(s) not in position]
    if missing:
        shown = list(steps_available[:12]) + (["..."] if n > 12 else [])
        raise ValueError(f"no snapshot at step(s) {missing}; recorded steps are {shown}")
    return [position[int(s)] for s in steps]


def _letter(i: int) -> str:
    return f"({chr(ord('a') + i)})" if i < 26 else f"({i + 1})"


# --------------------------------------------------------------------------- 1-D (chapter 2)

def _data_density(data, grid: np.ndarray, bandwidth) -> np.ndarray | None:
    if data is None:
        return None
    if callable(data):
        values = data(torch.as_tensor(grid, dtype=torch.float32))
        values = _to_numpy(values, "data(grid)").reshape(-1)
        if values.shape != grid.shape:
            raise ValueError(f"the density callable returned {values.shape[0]} values for a grid "
                             f"of {grid.shape[0]} points; it must return one density per point")
        return values
    return density_1d(data, grid, bandwidth)


def _check_panel(i: int, panel: Mapping) -> dict:
    if not isinstance(panel, Mapping):
        raise TypeError(f"panel {i} must be a dict with keys x (and z, d_x, d, step, title); "
                        f"got {type(panel).__name__}")
    if "x" not in panel:
        raise ValueError(f"panel {i} has no 'x' (the generator's samples G(z))")
    checked = dict(panel)
    checked["x"] = _points_1d(panel["x"], f"panel {i} x")
    if panel.get("z") is not None:
        checked["z"] = _points_1d(panel["z"], f"panel {i} z")
        if checked["z"].shape != checked["x"].shape:
            raise ValueError(f"panel {i}: z has {checked['z'].size} points but x = G(z) has "
                             f"{checked['x'].size}; they must pair up one to one")
    if (panel.get("d") is None) != (panel.get("d_x") is None):
        raise ValueError(f"panel {i}: give both 'd_x' (the probe grid) and 'd' (D on it), or "
                         "neither")
    if panel.get("d") is not None:
        checked["d_x"] = _points_1d(panel["d_x"], f"panel {i} d_x")
        checked["d"] = _points_1d(panel["d"], f"panel {i} d")
        if checked["d"].shape != checked["d_x"].shape:
            raise ValueError(f"panel {i}: d has {checked['d'].size} values for "
                             f"{checked['d_x'].size} probe points")
        if checked["d"].min() < -1e-6 or checked["d"].max() > 1 + 1e-6:
            raise ValueError(f"panel {i}: d must be probabilities D(x) in [0, 1]; got values in "
                             f"[{checked['d'].min():.3g}, {checked['d'].max():.3g}] — apply "
                             "torch.sigmoid to logits first")
    return checked


def _paper_x_range(panels: list[dict], data) -> tuple[float, float]:
    probes = [p["d_x"] for p in panels if p.get("d_x") is not None]
    if probes:
        return float(min(p.min() for p in probes)), float(max(p.max() for p in probes))
    pools = [p["x"] for p in panels]
    if data is not None and not callable(data):
        pools.append(_points_1d(data, "data"))
    values = np.concatenate(pools)
    low, high = np.percentile(values, [0.5, 99.5])
    margin = 0.15 * max(high - low, 1e-3)
    return float(low - margin), float(high + margin)


def paper_figure(panels, data=None, *, titles: Sequence[str] | None = None, n_arrows: int = 12,
                 x_range: tuple[float, float] | None = None,
                 z_range: tuple[float, float] | None = None, bandwidth: float | None = None,
                 density_height: float = 0.8, grid_points: int = 400, legend: bool = True,
                 panel_size: tuple[float, float] = (3.4, 2.6)) -> Figure:
    r"""Goodfellow et al. (2014), Figure 1, drawn from real samples (chapter 2).

    One axes per snapshot, side by side as panels (a), (b), ... Each panel draws

    * :math:`p_{data}` — black dotted: ``data`` is an exact density (a callable taking a
      float tensor grid and returning one density per point) or data samples (then a KDE,
      :func:`density_1d`);
    * :math:`p_g` — green solid: the KDE of the generator's samples ``panel["x"]``;
    * :math:`D(x)` — blue dashed: ``panel["d"]`` on the probe grid ``panel["d_x"]``,
      probabilities in [0, 1] (a D that can only guess is the flat line at 1/2);
    * the upper horizontal line, the x domain, and the lower one, the z domain (z uniform
      in ``z_range``, default [-1, 1]) drawn across the same width, with ``n_arrows`` arrows
      from evenly ranked z to :math:`x = G(z)`: where arrows converge G compresses p_z into
      high density, where they fan out it expands it.

    ``panels`` is a dict or a list of dicts with keys ``x`` (required, G(z) of shape (n,) or
    (n, 1)), ``z`` (same length; needed for arrows), ``d_x`` and ``d`` (together), ``step`` and
    ``title`` (optional). :func:`paper_panels_from_run` builds them from a
    :class:`ganlab.train.TrainResult`. Densities share one scale: :math:`p_{data}`'s peak is
    drawn at height ``density_height`` (D is drawn on its own 0..1 scale); a collapsed
    :math:`p_g` may run off the top.

    Returns the Figure; the axes have ``gid`` tags on their artists ("p_data", "p_g", "D",
    "x-domain", "z-domain", "g-arrow") so tests and readers can find them.
    """
    if isinstance(panels, Mapping):
        panels = [panels]
    panels = [_check_panel(i, p) for i, p in enumerate(list(panels))]
    if not panels:
        raise ValueError("paper_figure needs at least one panel")
    if titles is not None and len(titles) != len(panels):
        raise ValueError(f"got {len(titles)} titles for {len(panels)} panels")
    if not (isinstance(n_arrows, int) and n_arrows >= 0):
        raise ValueError(f"n_arrows must be a non-negative int, got {n_arrows!r}")
    x_low, x_high = x_range if x_range is not None else _paper_x_range(panels, data)
    if not x_high > x_low:
        raise ValueError(f"x_range must be (low, high) with low < high, got {(x_low, x_high)}")
    if z_range is None:
        zs = [p["z"] for p in panels if p.get("z") is not None]
        z_all = np.concatenate(zs) if zs else np.zeros(1)
        inside = z_all.min() >= -1 and z_all.max() <= 1
        z_range = (-1.0, 1.0) if inside else (float(z_all.min()), float(z_all.max()))
    z_low, z_high = z_range

    grid = np.linspace(x_low, x_high, grid_points)
    p_data = _data_density(data, grid, bandwidth)
    p_gs = [density_1d(p["x"], grid, bandwidth) for p in panels]
    peak = p_data.max() if p_data is not None and p_data.max() > 0 else max(g.max() for g in p_gs)
    scale = density_height / peak if peak > 0 else 1.0
    z_level, top = -0.55, 1.12

    fig, axes = _new_figure(1, len(panels), figsize=(panel_size[0] * len(panels), panel_size[1]))
    for i, (ax, panel, p_g) in enumerate(zip(axes[0], panels, p_gs)):
        ax.plot([x_low, x_high], [0, 0], color="black", linewidth=1.0, gid="x-domain")
        ax.plot([x_low, x_high], [z_level, z_level], color="black", linewidth=1.0, gid="z-domain")
        ax.text(x_high, 0.02, " x", va="bottom", ha="left", fontsize=10)
        ax.text(x_high, z_level, " z", va="center", ha="left", fontsize=10)
        if p_data is not None:
            ax.plot(grid, p_data * scale, gid="p_data", label=r"$p_{data}$", **DATA_STYLE)
        ax.plot(grid, np.minimum(p_g * scale, top), gid="p_g", label=r"$p_g$", **GENERATOR_STYLE)
        if panel.get("d") is not None:
            order = np.argsort(panel["d_x"])
            ax.plot(panel["d_x"][order], panel["d"][order], gid="D", label=r"$D(x)$",
                    **DISCRIMINATOR_STYLE)
        if panel.get("z") is not None and n_arrows > 0:
            _draw_mapping_arrows(ax, panel["z"], panel["x"], n_arrows, (z_low, z_high),
                                 (x_low, x_high), z_level)
        title = titles[i] if titles is not None else panel.get("title")
        if title is None:
            title = _letter(i) + (f" step {panel['step']}" if panel.get("step") is not None else "")
        ax.set_title(title, fontsize=10)
        ax.set_xlim(x_low - 0.02 * (x_high - x_low), x_high + 0.08 * (x_high - x_low))
        ax.set_ylim(z_level - 0.12, top)
        ax.set_axis_off()
    if legend:
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=len(handles), frameon=False,
                   fontsize=9)
        fig.subplots_adjust(bottom=0.14, top=0.88, left=0.02, right=0.97, wspace=0.08)
    return fig


def _draw_mapping_arrows(ax, z, x, n_arrows, z_range, x_range, z_level) -> None:
    """Arrows from evenly ranked z on the lower line to x = G(z) on the upper line."""
    order = np.argsort(z)
    count = min(n_arrows, len(z))
    chosen = order[np.linspace(0, len(z) - 1, count).round().astype(int)]
    (z_low, z_high), (x_low, x_high) = z_range, x_range
    z_width = (z_high - z_low) or 1.0
    for index in chosen:
        start = x_low + (z[index] - z_low) / z_width * (x_high - x_low)
        end = float(np.clip(x[index], x_low, x_high))  # off-range outputs point at the edge
        ax.annotate("", xy=(end, 0.0), xytext=(start, z_level), gid="g-arrow",
                    arrowprops=dict(arrowstyle="->", color="0.35", linewidth=0.8,
                                    shrinkA=0, shrinkB=0))


def paper_panels_from_run(result, probe=None, steps=None, max_panels: int = 4) -> list[dict]:
    r"""Turn a 1-D :class:`ganlab.train.TrainResult` into panels for :func:`paper_figure` (chapter 2).

    The run must use a 1-D latent space (``fixed_z`` of shape (n, 1), uniform on [-1, 1]
    as in the paper) and a 1-D data space. Each panel pairs ``result.fixed_z`` with the
    snapshot :math:`G(z_{fixed})` at one step and, when ``result.d_snapshots`` has the same
    step, with :math:`D(\text{probe}) = \sigma(\ell(\text{probe}))`. ``probe`` defaults to
    ``result.config.probe``. ``steps``: None (up to ``max_panels`` evenly spaced snapshots,
    first and last included), ``"all"``, or a list of recorded step numbers.
    """
    snapshots = _snapshots_of(result)
    fixed_z = getattr(result, "fixed_z", None)
    if fixed_z is None:
        raise ValueError("the run has no fixed_z; paper_panels_from_run needs a TrainResult")
    fixed_z = _to_numpy(fixed_z, "result.fixed_z")
    if fixed_z.ndim != 2 or fixed_z.shape[1] != 1:
        raise ValueError(f"the paper's figure needs a 1-D latent space: fixed_z must have shape "
                         f"(n, 1), got {tuple(fixed_z.shape)}; train with latent_dim=1")
    d_snapshots = {int(step): d for step, d in (getattr(result, "d_snapshots", None) or [])}
    if probe is None:
        probe = getattr(getattr(result, "config", None), "probe", None)
    if d_snapshots and probe is None:
        raise ValueError("the run recorded D on a probe grid; pass that grid as probe=")
    if probe is not None:
        probe = _points_1d(probe, "probe")
    panels = []
    for index in _select([int(s) for s, _ in snapshots], steps, max_panels):
        step, samples = snapshots[index]
        panel = dict(step=int(step), z=fixed_z[:, 0], x=_points_1d(samples, f"snapshot {step}"))
        if int(step) in d_snapshots and probe is not None:
            panel.update(d_x=probe, d=_points_1d(d_snapshots[int(step)], f"d_snapshot {step}"))
        panels.append(panel)
    return panels


# --------------------------------------------------------------------------- 2-D (chapter 3)

def _limits_2d(arrays: list[np.ndarray], margin: float = 0.2):
    points = np.concatenate(arrays)
    if len(arrays) == 1 and len(points) > 20:  # only G's samples: ignore stray outliers
        low, high = np.percentile(points, [1, 99], axis=0)
    else:
        low, high = points.min(axis=0), points.max(axis=0)
    center = (low + high) / 2
    half = max(float((high - low).max()) / 2, 1e-3) * (1 + margin)
    return (center[0] - half, center[0] + half), (center[1] - half, center[1] + half)


def scatter_2d(samples, real=None, centers=None, ax=None, title: str | None = None,
               limits=None, s: float = 4.0, alpha: float = 0.5, legend: bool = True) -> Figure:
    r"""Scatter G's 2-D samples (green) over real samples (grey) and mode centres (red x) (chapter 3).

    ``samples``, ``real``: (N, 2) tensors or arrays; ``centers``: (K, 2), e.g.
    :func:`ganlab.data.ring_centers`. Mode collapse shows as green clouds sitting on only some
    red crosses. ``limits`` = ((x0, x1), (y0, y1)); by default it frames the centres and the
    real data (else the samples) with equal aspect. Draws into ``ax`` when given.
    """
    samples = _points_2d(samples, "samples")
    real = None if real is None else _points_2d(real, "real")
    centers = None if centers is None else _points_2d(centers, "centers")
    if ax is None:
        fig, axes = _new_figure(1, 1, figsize=(4, 4))
        ax = axes[0][0]
    if limits is None:
        targets = [a for a in (real, centers) if a is not None]
        limits = _limits_2d(targets or [samples])
    if real is not None:
        ax.scatter(real[:, 0], real[:, 1], s=s, color=REAL_COLOR, alpha=alpha, label="real",
                   gid="real", rasterized=True)
    ax.scatter(samples[:, 0], samples[:, 1], s=s, color=FAKE_COLOR, alpha=alpha,
               label="G(z)", gid="fake", rasterized=True)
    if centers is not None:
        ax.scatter(centers[:, 0], centers[:, 1], s=40, color=CENTER_COLOR, marker="x",
                   linewidths=1.5, label="modes", gid="centers")
    ax.set_xlim(*limits[0])
    ax.set_ylim(*limits[1])
    ax.set_aspect("equal")
    if title:
        ax.set_title(title, fontsize=10)
    if legend and (real is not None or centers is not None):
        ax.legend(loc="upper right", fontsize=7, markerscale=2, framealpha=0.7)
    return _figure_of(ax)


def scatter_over_training(result_or_snapshots, real=None, centers=None, steps=None,
                          ncols: int = 4, max_panels: int = 8, limits=None,
                          panel_size: float = 2.6) -> Figure:
    """2-D snapshots G(fixed_z) over training, one panel per step, same limits (chapter 3).

    ``result_or_snapshots`` is a TrainResult or its ``snapshots`` list of (step, (n, 2)
    samples). ``steps`` as in :func:`paper_panels_from_run`; by default up to ``max_panels``
    evenly spaced snapshots. The limits are computed once (from ``real``/``centers``, else
    from all snapshots) so the panels compare.
    """
    snapshots = _snapshots_of(result_or_snapshots)
    chosen = _select([int(s) for s, _ in snapshots], steps, max_panels)
    if not (isinstance(ncols, int) and ncols >= 1):
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    real = None if real is None else _points_2d(real, "real")
    centers = None if centers is None else _points_2d(centers, "centers")
    samples = [_points_2d(snapshots[i][1], f"snapshot at step {snapshots[i][0]}") for i in chosen]
    if limits is None:
        targets = [a for a in (real, centers) if a is not None]
        limits = _limits_2d(targets) if targets else _limits_2d([np.concatenate(samples)])
    ncols = min(ncols, len(chosen))
    nrows = math.ceil(len(chosen) / ncols)
    fig, axes = _new_figure(nrows, ncols, figsize=(panel_size * ncols, panel_size * nrows))
    flat = axes.ravel()
    for k, (index, points) in enumerate(zip(chosen, samples)):
        scatter_2d(points, real=real, centers=centers, ax=flat[k], limits=limits,
                   title=f"step {snapshots[index][0]}", legend=(k == 0))
        flat[k].tick_params(labelsize=7)
    for ax in flat[len(chosen):]:
        fig.delaxes(ax)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- images (chapter 5)

def make_grid(images, nrow: int = 8, padding: int = 2, pad_value: float = 1.0) -> torch.Tensor:
    r"""Tile (N, C, H, W) images into one (C, H', W') image, ``nrow`` images per row (chapter 1).

    First used in chapter 1, through :func:`image_grid`.

    Image :math:`k` goes to row :math:`\lfloor k / \text{nrow} \rfloor`, column
    :math:`k \bmod \text{nrow}`, with its top-left pixel at
    :math:`(\text{padding} + r (H + \text{padding}),\ \text{padding} + c (W + \text{padding}))`;
    the gaps are filled with ``pad_value`` (1.0 = white for images in [-1, 1]). The same
    layout as torchvision's ``make_grid``, without torchvision.
    """
    images = _images_tensor(images)
    if not (isinstance(nrow, int) and nrow >= 1):
        raise ValueError(f"nrow must be a positive int, got {nrow!r}")
    if not (isinstance(padding, int) and padding >= 0):
        raise ValueError(f"padding must be a non-negative int, got {padding!r}")
    n, channels, height, width = images.shape
    columns = min(nrow, n)
    rows = math.ceil(n / columns)
    grid = torch.full((channels, rows * (height + padding) + padding,
                       columns * (width + padding) + padding), float(pad_value))
    for k in range(n):
        top = padding + (k // columns) * (height + padding)
        left = padding + (k % columns) * (width + padding)
        grid[:, top:top + height, left:left + width] = images[k]
    return grid


def _show_image(ax, grid: torch.Tensor, value_range) -> None:
    low, high = value_range
    unit = ((grid - low) / (high - low)).clamp(0, 1)
    if unit.shape[0] == 1:
        ax.imshow(unit[0].numpy(), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    else:
        ax.imshow(unit.permute(1, 2, 0).numpy(), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def image_grid(images, nrow: int = 8, ax=None, title: str | None = None, padding: int = 2,
               pad_value: float = 1.0, value_range: tuple[float, float] = (-1.0, 1.0),
               scale: float = 0.5) -> Figure:
    """Show (N, C, H, W) images in [-1, 1] as one grid: grey for C = 1, colour for C = 3 (chapter 1).

    Accepts a tensor, an array or an :class:`ganlab.data.ImageData`. Values are mapped from
    ``value_range`` to [0, 1] and clipped. Layout as :func:`make_grid`. ``scale`` is the
    figure size in inches per image when no ``ax`` is given.
    """
    grid = make_grid(images, nrow=nrow, padding=padding, pad_value=pad_value)
    if ax is None:
        n = _images_tensor(images).shape[0]
        columns, rows = min(nrow, n), math.ceil(n / min(nrow, n))
        fig, axes = _new_figure(1, 1, figsize=(max(1.5, scale * columns),
                                               max(1.5, scale * rows + (0.3 if title else 0))))
        ax = axes[0][0]
    _show_image(ax, grid, value_range)
    if title:
        ax.set_title(title, fontsize=10)
    return _figure_of(ax)


def snapshots_grid(result, steps=None, n: int = 16, nrow: int = 4, max_panels: int = 4,
                   panel_size: float = 2.4) -> Figure:
    """G(fixed_z) over training for an image GAN: one grid per step, side by side (chapter 5).

    The same latent vectors at every step, so each cell shows one z's sample maturing.
    ``steps`` as in :func:`paper_panels_from_run`; ``n`` images per step.
    """
    snapshots = _snapshots_of(result)
    chosen = _select([int(s) for s, _ in snapshots], steps, max_panels)
    fig, axes = _new_figure(1, len(chosen), figsize=(panel_size * len(chosen), panel_size + 0.3))
    for ax, index in zip(axes[0], chosen):
        step, images = snapshots[index]
        image_grid(_images_tensor(images, f"snapshot at step {step}")[:n], nrow=nrow, ax=ax,
                   title=f"step {step}")
    fig.tight_layout()
    return fig


def side_by_side(rows: Mapping[str, object], n: int = 8, title: str | None = None,
                 value_range: tuple[float, float] = (-1.0, 1.0), row_height: float = 1.1,
                 padding: int = 2) -> Figure:
    """Rows of images with labels, first ``n`` of each, aligned by column (chapter 1).

    ``rows`` maps a label to (N, C, H, W) images, e.g. ``{"x": x, "G(x)": fake_y,
    "F(G(x))": cycled}`` for CycleGAN or ``{"VAE": vae_samples, "GAN": gan_samples}``.
    Column :math:`j` of every row comes from the same index :math:`j`.
    """
    if not isinstance(rows, Mapping) or not rows:
        raise ValueError("rows must be a non-empty dict {label: images (N, C, H, W)}")
    batches = {label: _images_tensor(images, f"rows[{label!r}]") for label, images in rows.items()}
    count = min(n, min(b.shape[0] for b in batches.values()))
    width = max(b.shape[3] * count / b.shape[2] for b in batches.values())
    fig, axes = _new_figure(len(batches), 1, figsize=(max(3.0, row_height * width + 1.0),
                                                      row_height * len(batches) + (0.4 if title else 0.1)))
    for ax, (label, images) in zip(axes[:, 0], batches.items()):
        _show_image(ax, make_grid(images[:count], nrow=count, padding=padding), value_range)
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=10)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- training curves

def _moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over the last ``window`` values (shorter at the start)."""
    cumulative = np.concatenate([[0.0], np.cumsum(values)])
    index = np.arange(1, len(values) + 1)
    start = np.maximum(index - window, 0)
    return (cumulative[index] - cumulative[start]) / (index - start)


def loss_curves(history, keys: Sequence[str] = ("d_loss", "g_loss"), smooth: int | None = None,
                ax=None, probabilities: bool = True, title: str | None = None) -> Figure:
    r"""Loss curves of a run, and D's verdicts with the 1/2 equilibrium line (chapter 5).

    ``history`` is ``TrainResult.history`` (or the result itself): a dict of lists with
    ``"step"`` and the ``keys`` to plot. ``smooth`` is a trailing moving-average window (None
    = about 1/50 of the run, 1 = raw); when smoothing, the raw curve stays faint behind.

    If the history has ``"d_real"`` (mean :math:`D(x)`) and ``"d_fake"`` (mean
    :math:`D(G(z))`), a second panel shows them with the equilibrium
    :math:`D^* = p_{data}/(p_{data}+p_g) = 1/2` at :math:`p_g = p_{data}` — a
    discriminator that can only guess, right 50% of the time. With ``ax`` given, only the loss panel is
    drawn there.
    """
    history = _history_of(history)
    missing = [k for k in keys if k not in history]
    if missing:
        raise ValueError(f"history has no {missing}; its keys are {sorted(history)}")
    lengths = {k: len(history[k]) for k in keys}
    if not keys or min(lengths.values()) == 0:
        raise ValueError("the history is empty; train for at least one step first")
    length = lengths[keys[0]]
    if any(v != length for v in lengths.values()):
        raise ValueError(f"history lists differ in length: {lengths}")
    steps = _to_numpy(history["step"], "history['step']") if "step" in history \
        and len(history["step"]) == length else np.arange(length, dtype=float)
    window = max(1, length // 50) if smooth is None else int(smooth)
    if window < 1:
        raise ValueError(f"smooth must be a window of at least 1 step, got {smooth}")
    show_probabilities = probabilities and ax is None and all(
        k in history and len(history[k]) == length for k in ("d_real", "d_fake"))
    if ax is None:
        fig, axes = _new_figure(1, 2 if show_probabilities else 1,
                                figsize=(9.5 if show_probabilities else 5, 3.2))
        ax = axes[0][0]
    else:
        fig = _figure_of(ax)
    colors = {"d_loss": "blue", "g_loss": "green"}
    for key in keys:
        values = _to_numpy(history[key], f"history[{key!r}]").reshape(-1)
        color = colors.get(key)
        if window > 1:
            ax.plot(steps, values, color=color, alpha=0.25, linewidth=0.8, gid=f"{key}-raw")
        ax.plot(steps, _moving_average(values, window), color=color, linewidth=1.5,
                        label=key, gid=key)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title or "losses" + (f" (moving average of {window})" if window > 1 else ""),
                 fontsize=10)
    ax.legend(fontsize=8)
    if show_probabilities:
        prob_ax = fig.axes[1]
        for key, label, style in (("d_real", r"$D(x)$, real", DATA_STYLE),
                                  ("d_fake", r"$D(G(z))$, fake", GENERATOR_STYLE)):
            values = _to_numpy(history[key], f"history[{key!r}]").reshape(-1)
            prob_ax.plot(steps, _moving_average(values, window), label=label, gid=key,
                         color=style["color"], linewidth=1.5)
        prob_ax.axhline(0.5, color="red", linestyle="--", linewidth=1.0, gid="equilibrium",
                        label="equilibrium 1/2")
        prob_ax.set_ylim(-0.02, 1.02)
        prob_ax.set_xlabel("step")
        prob_ax.set_ylabel("mean D output")
        prob_ax.set_title("the discriminator's verdicts", fontsize=10)
        prob_ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- chapter 4

def gradient_comparison(logits=None, losses: Mapping[str, Callable] | None = None,
                        show_losses: bool = True, early_region: float = 0.1) -> Figure:
    r"""The two generator losses and their gradients against :math:`D(G(z))` (chapter 4).

    For each fake logit :math:`\ell` (default: 501 values in [-10, 10]) with
    :math:`D(G(z)) = \sigma(\ell)`, the per-sample loss and :math:`|\partial L/\partial\ell|` are
    computed by autograd from :func:`ganlab.losses.g_loss_saturating`
    (:math:`\log(1-D)`, gradient magnitude :math:`D`) and
    :func:`ganlab.losses.g_loss_nonsaturating` (:math:`-\log D`, gradient magnitude
    :math:`1-D`). The shaded band :math:`D(G(z)) <` ``early_region`` is early training, when D
    rejects the fakes: there the saturating loss gives G almost no gradient. ``losses`` maps
    labels to other loss functions of fake logits (batch means, as in :mod:`ganlab.losses`).
    """
    from ganlab import losses as gan_losses
    if losses is None:
        losses = {r"saturating: $\log(1 - D(G(z)))$": gan_losses.g_loss_saturating,
                  r"non-saturating: $-\log D(G(z))$": gan_losses.g_loss_nonsaturating}
    if logits is None:
        logits = torch.linspace(-10, 10, 501)
    logits = torch.as_tensor(logits, dtype=torch.float32).detach().reshape(-1)
    if logits.numel() < 2:
        raise ValueError("logits must hold at least two values to draw a curve")
    d_fake = torch.sigmoid(logits).numpy()
    fig, axes = _new_figure(1, 2 if show_losses else 1, figsize=(9.5 if show_losses else 5, 3.4))
    grad_ax = axes[0][-1]
    colors = ["red", "blue", "purple", "orange"]
    for k, (label, loss_fn) in enumerate(losses.items()):
        variable = logits.clone().requires_grad_(True)
        # losses are batch means; times n, the gradient is each sample's own dL/dlogit
        total = loss_fn(variable) * variable.numel()
        gradient, = torch.autograd.grad(total, variable)
        color = colors[k % len(colors)]
        grad_ax.plot(d_fake, gradient.abs().numpy(), color=color, label=label, gid=f"grad-{k}")
        if show_losses:
            with torch.no_grad():
                per_sample = torch.stack([loss_fn(v.reshape(1)) for v in logits])
            axes[0][0].plot(d_fake, per_sample.numpy(), color=color, label=label, gid=f"loss-{k}")
    for ax in axes[0]:
        ax.axvspan(0, early_region, color="0.85", gid="early")
        ax.set_xlabel(r"$D(G(z))$")
        ax.set_xlim(0, 1)
    grad_ax.set_ylabel(r"$|\partial L_G / \partial \ell|$")
    grad_ax.set_title("gradient for G (per sample, w.r.t. the logit)", fontsize=10)
    grad_ax.text(early_region / 2, 0.5, "D rejects\nthe fakes", rotation=90, ha="center",
                 va="center", fontsize=8, transform=grad_ax.get_xaxis_transform())
    grad_ax.legend(fontsize=8)
    if show_losses:
        axes[0][0].set_ylabel("loss G minimises")
        axes[0][0].set_title("generator losses", fontsize=10)
        axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- latent space (chapter 5)

def interpolation(generator, z_start=None, z_end=None, steps: int = 8, spherical: bool = False,
                  seed: int = 0, ax=None, title: str | None = None) -> Figure:
    r"""G along a path in latent space from ``z_start`` to ``z_end`` (chapter 5).

    DCGAN's fourth point: the latent space is continuous, so walking from :math:`z_0` to
    :math:`z_1` (:func:`lerp`, or :func:`slerp` with ``spherical=True``) morphs one sample into
    another without jumps. Missing ends are drawn from ``generator.sample_latent`` with
    ``seed``. Image generators give a row of ``steps`` images; 2-D generators a path of points
    coloured from the start (dark) to the end (light).
    """
    if (z_start is None or z_end is None) and hasattr(generator, "sample_latent"):
        drawn = generator.sample_latent(2, torch.Generator().manual_seed(seed), device="cpu")
        z_start = drawn[0] if z_start is None else z_start
        z_end = drawn[1] if z_end is None else z_end
    if z_start is None or z_end is None:
        raise ValueError("pass z_start and z_end (this generator has no sample_latent)")
    path = (slerp if spherical else lerp)(z_start, z_end, steps)
    outputs = generate_from(generator, path)
    kind = "slerp" if spherical else "lerp"
    title = title or f"G along the latent path ({kind}, {path.shape[0]} steps)"
    if outputs.dim() == 4:
        return image_grid(outputs, nrow=outputs.shape[0], ax=ax, title=title, scale=0.9)
    if outputs.dim() == 2 and outputs.shape[1] == 2:
        if ax is None:
            fig, axes = _new_figure(1, 1, figsize=(4, 4))
            ax = axes[0][0]
        points = outputs.numpy()
        ax.plot(points[:, 0], points[:, 1], color="0.6", linewidth=1, gid="path")
        ax.scatter(points[:, 0], points[:, 1], c=np.linspace(0, 1, len(points)), cmap="viridis",
                   s=30, gid="points", zorder=3)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_title(title, fontsize=10)
        return _figure_of(ax)
    raise ValueError(f"interpolation draws images (N, C, H, W) or 2-D points (N, 2); the "
                     f"generator returned shape {tuple(outputs.shape)}")


def latent_arithmetic(generator, a, b, c, labels: Sequence[str] = ("A", "B", "C"),
                      title: str | None = None) -> Figure:
    r"""Figure of DCGAN's vector arithmetic in latent space (chapter 5).

    Top row: :math:`G(z)` for the vectors of each group A, B, C. Bottom row:
    :math:`G(\bar z_A)`, :math:`G(\bar z_B)`, :math:`G(\bar z_C)` and the result
    :math:`G(\bar z_A - \bar z_B + \bar z_C)` (:func:`latent_arithmetic_vector`). Needs an
    image generator.
    """
    if len(labels) != 3:
        raise ValueError(f"labels must name the three groups, got {labels!r}")
    groups = [latent_batch(v, n) for v, n in ((a, "a"), (b, "b"), (c, "c"))]
    result = latent_arithmetic_vector(*groups)
    means = torch.stack([g.mean(0) for g in groups] + [result])
    mean_images = generate_from(generator, means)
    if mean_images.dim() != 4:
        raise ValueError(f"latent_arithmetic needs an image generator (N, C, H, W); it returned "
                         f"shape {tuple(mean_images.shape)}")
    fig = plt.figure(figsize=(9, 4.4), FigureClass=NotebookFigure)
    spec = fig.add_gridspec(2, 4)
    for k, (group, label) in enumerate(zip(groups, labels)):
        image_grid(generate_from(generator, group), nrow=group.shape[0], ax=fig.add_subplot(spec[0, k]),
                   title=f"{label}: G(z)")
    a_, b_, c_ = labels
    names = [f"mean {a_}", f"− mean {b_}", f"+ mean {c_}", f"= {a_} − {b_} + {c_}"]
    for k, name in enumerate(names):
        image_grid(mean_images[k:k + 1], nrow=1, ax=fig.add_subplot(spec[1, k]), title=name)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- a run's snapshots

SNAPSHOT_KINDS = ("paper", "scatter", "images")


def snapshot_figures(result, kind: str = "paper", *, steps=None, max_frames: int = 24,
                     data=None, probe=None, real=None, centers=None, n_images: int = 32,
                     nrow: int = 8) -> tuple[list[int], Callable[[int], Figure]]:
    r"""The figures of a run's snapshots with shared axes: ``(steps, draw)`` (chapter 2).

    ``kind`` chooses the picture of each snapshot:

    * ``"paper"``: :func:`paper_figure` of a 1-D run: :math:`p_{data}` from ``data``
      (samples or a density callable), :math:`p_g`, :math:`D` on ``probe`` (default
      ``result.config.probe``) and the arrows :math:`z \to G(z)`;
    * ``"scatter"``: :func:`scatter_2d` of a 2-D run over ``real``/``centers``;
    * ``"images"``: :func:`image_grid` of the first ``n_images`` of G(fixed_z).

    Up to ``max_frames`` evenly spaced snapshots are chosen (or exactly ``steps``, a list of
    recorded step numbers, or ``"all"``); ``steps`` in the result are their training steps and
    ``draw(k)`` makes a fresh Figure of the ``k``-th. The axes limits are those of all the
    chosen snapshots, so only the model moves from one figure to the next. First used in
    chapter 2, through :func:`ganlab.widgets.snapshot_stepper`.
    """
    if kind not in SNAPSHOT_KINDS:
        raise ValueError(f"kind must be one of {SNAPSHOT_KINDS}, got {kind!r}")
    snapshots = _snapshots_of(result)
    recorded = [int(s) for s, _ in snapshots]
    chosen = _select(recorded, steps, max_frames)
    steps_shown = [recorded[i] for i in chosen]
    if kind == "paper":
        panels = paper_panels_from_run(result, probe, steps=steps_shown)
        x_range = _paper_x_range(panels, data)

        def draw(k: int) -> Figure:
            return paper_figure(panels[k], data, x_range=x_range, legend=True,
                                panel_size=(5.0, 3.0))
    elif kind == "scatter":
        samples = [_points_2d(snapshots[i][1], f"snapshot {snapshots[i][0]}") for i in chosen]
        real_ = None if real is None else _points_2d(real, "real")
        centers_ = None if centers is None else _points_2d(centers, "centers")
        limits = _limits_2d([a for a in (real_, centers_) if a is not None]
                            or [np.concatenate(samples)])

        def draw(k: int) -> Figure:
            return scatter_2d(samples[k], real=real_, centers=centers_, limits=limits,
                              title=f"step {steps_shown[k]}")
    else:
        def draw(k: int) -> Figure:
            step, images = snapshots[chosen[k]]
            return image_grid(_images_tensor(images, f"snapshot {step}")[:n_images],
                              nrow=nrow, title=f"step {step}")
    return steps_shown, draw
