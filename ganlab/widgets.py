"""Interactive explorers for notebooks: step through a run, move through latent space.

Both work in Jupyter and on Colab (ipywidgets 8) and leave something to see in the static
HTML book:

* :func:`snapshot_stepper` pre-renders one PNG per snapshot and switches between them with a
  slider. The slider, the Play button and the picture are linked in the browser
  (``jslink``), so the saved widget state keeps working in the book without a kernel.
* :func:`latent_explorer` needs a kernel to run the generator; in the book it shows the
  picture for the starting sliders.

Both return widget objects that tests (and curious readers) can drive from Python:
set ``slider.value`` or call :meth:`SnapshotStepper.show_step` / :meth:`LatentExplorer.set`,
then read what is shown.
"""
from __future__ import annotations

import torch

from . import plot
from .latent import generate_from

try:
    import ipywidgets as widgets
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError("ganlab.widgets needs ipywidgets (Colab and Jupyter have it); install it "
                      "with: pip install 'ipywidgets>=8'") from None

__all__ = ["snapshot_stepper", "latent_explorer", "SnapshotStepper", "LatentExplorer"]

class SnapshotStepper(widgets.VBox):
    """A Play button and a slider over a run's snapshots, above the figure of the chosen one.

    Attributes: ``steps`` (the training steps shown), ``frames`` (their PNG bytes),
    ``slider`` (a SelectionSlider whose ``index`` is the frame), ``play``, ``picture`` (a
    Stack of one Image widget per frame, ``images``),
    ``draw`` (frame index -> a fresh Figure). First used in chapter 2.
    """

    def __init__(self, steps: list[int], frames: list[bytes], draw, interval_ms: int,
                 description: str):
        self.steps, self.frames, self.draw = steps, frames, draw
        self.slider = widgets.SelectionSlider(
            options=[(str(step), i) for i, step in enumerate(steps)], value=0,
            description=description, continuous_update=True,
            layout=widgets.Layout(width="420px"))
        self.play = widgets.Play(value=0, min=0, max=len(steps) - 1, step=1,
                                 interval=interval_ms, description="play")
        widgets.jslink((self.play, "value"), (self.slider, "index"))
        self.images = [widgets.Image(value=frame, format="png") for frame in frames]
        self.picture = widgets.Stack(children=self.images, selected_index=0)
        # jslink works in the browser even without a kernel (the static book); the
        # observers below keep the kernel side in step for Python callers and tests.
        widgets.jslink((self.slider, "index"), (self.picture, "selected_index"))
        self._index = 0
        self.slider.observe(self._on_index, names="index")
        self.play.observe(self._on_play, names="value")
        super().__init__([widgets.HBox([self.play, self.slider]), self.picture])

    def _on_index(self, change) -> None:
        self._index = int(change["new"])
        self.picture.selected_index = self._index
        if self.play.value != change["new"]:
            self.play.value = change["new"]

    def _on_play(self, change) -> None:
        if self.slider.index != change["new"]:
            self.slider.index = change["new"]

    @property
    def index(self) -> int:
        """Position of the frame on show."""
        return self._index

    @property
    def step(self) -> int:
        """The training step whose snapshot is on show."""
        return self.steps[self.index]

    def show_step(self, step: int) -> None:
        """Move the slider to the snapshot of training step ``step``."""
        if step not in self.steps:
            raise ValueError(f"no frame for step {step}; frames are at steps {self.steps}")
        self.slider.index = self.steps.index(step)


def snapshot_stepper(result, kind: str = "paper", *, steps=None, max_frames: int = 24,
                     data=None, probe=None, real=None, centers=None, n_images: int = 32,
                     nrow: int = 8, dpi: int = 72, interval_ms: int = 500,
                     description: str = "step") -> SnapshotStepper:
    r"""Step through a run's snapshots with a slider and a Play button (chapters 2, 3, 5).

    The frames are the figures of :func:`ganlab.plot.snapshot_figures` (``kind``: ``"paper"``
    for a 1-D run, ``"scatter"`` for a 2-D run, ``"images"``; the other keywords as there),
    pre-rendered as PNGs at ``dpi``. Returns a :class:`SnapshotStepper` widget: display it
    (last line of a cell).
    """
    steps_shown, draw = plot.snapshot_figures(
        result, kind, steps=steps, max_frames=max_frames, data=data, probe=probe, real=real,
        centers=centers, n_images=n_images, nrow=nrow)
    frames = [plot.figure_to_png(draw(k), dpi=dpi) for k in range(len(steps_shown))]
    return SnapshotStepper(steps_shown, frames, draw, interval_ms, description)


class LatentExplorer(widgets.VBox):
    r"""Sliders over latent coordinates (or directions) and the picture of :math:`G(z)`.

    Attributes: ``sliders``, ``image`` (an Image widget with the current PNG), ``base_z``,
    ``directions`` (None in coordinate mode), ``last_z`` (the latent of the current picture).
    :meth:`latent` gives the latent the sliders describe, :meth:`redraw` re-renders it and
    returns the Figure, :meth:`set` moves several sliders and redraws once.
    First used in chapter 1.
    """

    def __init__(self, generator, base_z: torch.Tensor, directions: torch.Tensor | None,
                 sliders: list, dpi: int, nrow: int):
        self.generator, self.base_z, self.directions = generator, base_z, directions
        self.sliders, self.dpi, self.nrow = sliders, dpi, nrow
        self.initial_values = [float(s.value) for s in sliders]
        self.last_z: torch.Tensor | None = None
        self._holding = False
        self.image = widgets.Image(format="png")
        self.reset_button = widgets.Button(description="reset", layout=widgets.Layout(width="80px"))
        self.reset_button.on_click(lambda _: self.reset())
        for slider in sliders:
            slider.observe(self._on_change, names="value")
        super().__init__([widgets.HBox([widgets.VBox(sliders + [self.reset_button]), self.image])])
        self.image.value = plot.figure_to_png(self.redraw(), dpi=dpi)

    def latent(self) -> torch.Tensor:
        r"""The latent batch the sliders describe, shape (n, latent_dim).

        Coordinate mode: :math:`z_{i,k} = s_k` for the first sliders' coordinates :math:`k`;
        direction mode: :math:`z_i = z_{0,i} + \sum_k s_k u_k`.
        """
        values = torch.tensor([float(s.value) for s in self.sliders])
        z = self.base_z.clone()
        if self.directions is None:
            z[:, :len(values)] = values
        else:
            z = z + (values[:, None] * self.directions).sum(0)
        return z

    def redraw(self):
        """Render G at the sliders' latent; returns the Figure (not closed)."""
        z = self.latent()
        outputs = generate_from(self.generator, z)
        self.last_z = z
        if outputs.dim() == 4:
            return plot.image_grid(outputs, nrow=min(self.nrow, outputs.shape[0]), scale=1.2,
                                   title="G(z)")
        fig = plot.scatter_2d(outputs, limits=((-3, 3), (-3, 3)), title="G(z)")
        return fig

    def _on_change(self, change) -> None:
        if not self._holding:
            self.image.value = plot.figure_to_png(self.redraw(), dpi=self.dpi)

    def set(self, *values: float) -> None:
        """Set the first ``len(values)`` sliders, then redraw once."""
        if len(values) > len(self.sliders):
            raise ValueError(f"{len(values)} values for {len(self.sliders)} sliders")
        self._holding = True
        try:
            for slider, value in zip(self.sliders, values):
                slider.value = value
        finally:
            self._holding = False
        self.image.value = plot.figure_to_png(self.redraw(), dpi=self.dpi)

    def reset(self) -> None:
        """Back to the starting latent."""
        self.set(*self.initial_values)


def latent_explorer(generator, n_sliders: int = 4, seed: int = 0, *, n_samples: int = 1,
                    directions=None, value_range: tuple[float, float] | None = None,
                    step: float = 0.05, nrow: int = 4, dpi: int = 72) -> LatentExplorer:
    r"""Sliders that move :math:`z` and show :math:`G(z)` live (chapters 1 and 5).

    The starting latent :math:`z_0` (``n_samples`` of them) is drawn with ``seed`` from
    ``generator.sample_latent``. Two modes:

    * ``directions=None``: one slider per latent coordinate :math:`z_k`,
      :math:`k < ` ``n_sliders``, starting at :math:`z_{0,k}` of the first sample;
      with several samples every sample gets the slider value in that coordinate;
    * ``directions="random"`` (``n_sliders`` random orthonormal directions, drawn with
      ``seed``) or a tensor (k, latent_dim): slider :math:`s_k` moves every sample along
      :math:`u_k`: :math:`z = z_0 + \sum_k s_k u_k`, starting at 0.

    The slider range defaults to [-1, 1] for a uniform latent and [-3, 3] for a normal one
    (coordinates) or :math:`\pm\sqrt{d}` along directions (the typical norm of z). Returns a
    :class:`LatentExplorer` widget (display it as a cell's last line).
    """
    if not hasattr(generator, "sample_latent") or not hasattr(generator, "latent_dim"):
        raise TypeError("latent_explorer needs a ganlab Generator (with latent_dim and "
                        "sample_latent), got " + type(generator).__name__)
    latent_dim = generator.latent_dim
    if not (isinstance(n_sliders, int) and n_sliders >= 1):
        raise ValueError(f"n_sliders must be a positive int, got {n_sliders!r}")
    rng = torch.Generator().manual_seed(seed)
    base_z = generator.sample_latent(n_samples, rng, device="cpu").float()
    if base_z.dim() != 2:
        raise ValueError(f"latent_explorer needs flat latents (n, latent_dim); sample_latent "
                         f"gave {tuple(base_z.shape)}")
    uniform = getattr(generator, "latent_distribution", "normal") == "uniform"
    if directions is None:
        if n_sliders > latent_dim:
            raise ValueError(f"n_sliders={n_sliders} but the latent space has only {latent_dim} "
                             "coordinates")
        low, high = value_range or ((-1.0, 1.0) if uniform else (-3.0, 3.0))
        starts = base_z[0, :n_sliders].tolist()
        names = [f"z[{k}]" for k in range(n_sliders)]
        direction_tensor = None
    else:
        direction_tensor = _directions(directions, n_sliders, latent_dim, rng)
        spread = float(latent_dim) ** 0.5
        low, high = value_range or (-spread, spread)
        starts = [0.0] * direction_tensor.shape[0]
        names = [f"u{k}" for k in range(direction_tensor.shape[0])]
    sliders = []
    for name, start in zip(names, starts):
        start = float(min(max(start, low), high))
        slider = widgets.FloatSlider(value=start, min=low, max=high, step=step, description=name,
                                     continuous_update=False, readout_format=".2f")
        sliders.append(slider)
    return LatentExplorer(generator, base_z, direction_tensor, sliders, dpi, nrow)


def _directions(directions, n_sliders: int, latent_dim: int, rng: torch.Generator) -> torch.Tensor:
    if isinstance(directions, str):
        if directions != "random":
            raise ValueError(f"directions must be None, 'random' or a tensor (k, latent_dim); "
                             f"got {directions!r}")
        if n_sliders > latent_dim:
            raise ValueError(f"{n_sliders} orthonormal directions do not fit in {latent_dim} "
                             "dimensions")
        q, _ = torch.linalg.qr(torch.randn(latent_dim, n_sliders, generator=rng))
        return q.T.contiguous()
    tensor = torch.as_tensor(directions, dtype=torch.float32)
    if tensor.dim() != 2 or tensor.shape[1] != latent_dim:
        raise ValueError(f"directions must have shape (k, {latent_dim}); got "
                         f"{tuple(tensor.shape)}")
    return tensor
