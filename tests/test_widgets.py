"""ganlab.widgets: the stepper and the latent explorer show what their controls select."""
from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402

from ganlab import widgets  # noqa: E402
from ganlab.models import DCGANGenerator, MLPGenerator  # noqa: E402


def scatter_run(steps=(0, 10, 20, 30, 40)):
    snapshots = [(s, torch.randn(32, 2, generator=torch.Generator().manual_seed(s)) * (1 + s))
                 for s in steps]
    return SimpleNamespace(snapshots=snapshots, fixed_z=torch.randn(32, 2), config=None)


def test_snapshot_stepper_one_frame_per_snapshot_and_moves():
    stepper = widgets.snapshot_stepper(scatter_run(), kind="scatter", dpi=30)
    assert stepper.steps == [0, 10, 20, 30, 40]
    assert len(stepper.frames) == 5
    assert all(frame.startswith(b"\x89PNG") for frame in stepper.frames)
    assert len(set(stepper.frames)) == 5, "different snapshots must give different pictures"
    stepper.show_step(30)
    assert stepper.slider.index == 3
    with pytest.raises(ValueError, match="no frame for step 35"):
        stepper.show_step(35)


def test_snapshot_stepper_caps_frames():
    run = scatter_run(steps=tuple(range(0, 100, 2)))
    stepper = widgets.snapshot_stepper(run, kind="scatter", max_frames=6, dpi=30)
    assert len(stepper.frames) == 6
    assert stepper.steps[0] == 0 and stepper.steps[-1] == 98


def test_snapshot_stepper_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind must be one of"):
        widgets.snapshot_stepper(scatter_run(), kind="movie")


def test_latent_explorer_slider_moves_the_latent_and_the_picture():
    torch.manual_seed(0)
    generator = DCGANGenerator(latent_dim=8, image_size=16, width=8).eval()
    explorer = widgets.latent_explorer(generator, n_sliders=3, seed=1, dpi=30)
    first_picture = explorer.image.value
    explorer.set(2.5, -2.0)
    z = explorer.latent()
    assert z[0, 0].item() == pytest.approx(2.5) and z[0, 1].item() == pytest.approx(-2.0)
    assert explorer.image.value != first_picture
    explorer.reset()
    assert explorer.image.value == first_picture


def test_latent_explorer_directions_start_at_the_base_latent():
    generator = MLPGenerator(latent_dim=4, out_dim=2)
    explorer = widgets.latent_explorer(generator, n_sliders=2, directions="random", dpi=30)
    torch.testing.assert_close(explorer.latent(), explorer.base_z)
    gram = explorer.directions @ explorer.directions.T
    torch.testing.assert_close(gram, torch.eye(2), atol=1e-5, rtol=1e-5)


def test_latent_explorer_refuses_too_many_sliders_and_non_generators():
    with pytest.raises(ValueError, match="only 2"):
        widgets.latent_explorer(MLPGenerator(latent_dim=2, out_dim=2), n_sliders=3)
    with pytest.raises(TypeError, match="ganlab Generator"):
        widgets.latent_explorer(torch.nn.Linear(2, 2))
