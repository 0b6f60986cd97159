"""ganlab.plot: the figures draw what their docstrings promise, and bad input is refused clearly."""
from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from ganlab import latent, plot  # noqa: E402
from ganlab.metrics import density_1d  # noqa: E402
from ganlab.models import DCGANGenerator, MLPGenerator  # noqa: E402


def _artists(fig, gid):
    found = []
    for ax in fig.axes:
        for artist in ax.get_children():
            if artist.get_gid() == gid:
                found.append(artist)
    return found


def fake_1d_run(steps=(0, 50, 100, 150), n=200):
    """A TrainResult-shaped record of a 1-D run: G shifts towards the data as training goes."""
    z = torch.rand(n, 1, generator=torch.Generator().manual_seed(0)) * 2 - 1
    probe = torch.linspace(-2, 8, 101)
    snapshots = [(s, z * 0.5 + 4.0 * s / steps[-1]) for s in steps]
    d_snapshots = [(s, torch.sigmoid(-(probe - 4.0 * s / steps[-1]))) for s in steps]
    return SimpleNamespace(snapshots=snapshots, d_snapshots=d_snapshots, fixed_z=z,
                           config=SimpleNamespace(probe=probe))


def test_density_1d_integrates_to_one():
    samples = torch.randn(2000, generator=torch.Generator().manual_seed(1))
    grid = np.linspace(-6, 6, 1201)
    density = density_1d(samples, grid)
    assert density.shape == grid.shape
    assert np.all(density >= 0)
    assert np.trapezoid(density, grid) == pytest.approx(1.0, abs=0.02)


def test_paper_panels_from_run_pairs_snapshots_with_d():
    run = fake_1d_run()
    panels = plot.paper_panels_from_run(run)
    assert [p["step"] for p in panels] == [0, 50, 100, 150]
    for panel, (_, samples) in zip(panels, run.snapshots):
        np.testing.assert_allclose(panel["x"], samples[:, 0].numpy())
        assert panel["d"].shape == panel["d_x"].shape == (101,)


def test_paper_figure_has_the_papers_four_panels_and_styles():
    run = fake_1d_run()
    data = torch.randn(500, generator=torch.Generator().manual_seed(2)) * 0.5 + 4.0
    fig = plot.paper_figure(plot.paper_panels_from_run(run), data, n_arrows=7)
    assert len(fig.axes) == 4
    d_lines = _artists(fig, "D")
    assert len(d_lines) == 4 and d_lines[0].get_linestyle() == "--"
    assert matplotlib.colors.to_hex(d_lines[0].get_color()) == matplotlib.colors.to_hex("blue")
    p_data = _artists(fig, "p_data")
    assert p_data and p_data[0].get_linestyle() == ":"
    p_g = _artists(fig, "p_g")
    assert p_g and p_g[0].get_linestyle() == "-"
    assert matplotlib.colors.to_hex(p_g[0].get_color()) == matplotlib.colors.to_hex("green")
    assert len(_artists(fig, "g-arrow")) == 4 * 7


def test_paper_figure_refuses_a_2d_latent():
    run = fake_1d_run()
    run.fixed_z = torch.zeros(200, 2)
    with pytest.raises(ValueError, match="latent_dim=1"):
        plot.paper_panels_from_run(run)


def test_scatter_over_training_one_panel_per_snapshot():
    centers = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    snapshots = [(s, torch.randn(64, 2) * 0.1) for s in range(0, 60, 10)]
    fig = plot.scatter_over_training(snapshots, centers=centers, ncols=3)
    assert len([ax for ax in fig.axes if ax.has_data()]) == 6
    limits = {ax.get_xlim() for ax in fig.axes if ax.has_data()}
    assert len(limits) == 1, "panels must share their limits so they compare"


def test_scatter_refuses_3d_points():
    with pytest.raises(ValueError, match="2"):
        plot.scatter_2d(torch.zeros(10, 3))


def test_make_grid_layout_and_padding():
    images = torch.arange(6, dtype=torch.float32).reshape(6, 1, 1, 1).expand(6, 1, 4, 4)
    grid = plot.make_grid(images, nrow=3, padding=1, pad_value=-5.0)
    assert grid.shape == (1, 2 * 5 + 1, 3 * 5 + 1)
    assert grid[0, 1, 1] == 0 and grid[0, 1, 6] == 1 and grid[0, 6, 1] == 3
    assert grid[0, 0, 0] == -5.0


def test_image_grid_and_side_by_side_draw():
    images = torch.rand(10, 1, 8, 8) * 2 - 1
    fig = plot.image_grid(images, nrow=5, title="digits")
    assert fig.axes[0].get_title() == "digits"
    fig = plot.side_by_side({"GAN": images, "VAE": images.flip(0)}, n=4)
    assert len(fig.axes) >= 2


def test_image_grid_refuses_flat_input():
    with pytest.raises(ValueError, match="N, C, H, W|shape"):
        plot.image_grid(torch.rand(10, 64))


def test_loss_curves_and_equilibrium_panel():
    steps = list(range(100))
    history = {"step": steps, "d_loss": [1.0] * 100, "g_loss": [0.7] * 100,
               "d_real": [0.6] * 100, "d_fake": [0.4] * 100}
    fig = plot.loss_curves(history)
    assert len(fig.axes) == 2
    with pytest.raises(ValueError, match="no \\['w_loss'\\]"):
        plot.loss_curves(history, keys=("w_loss",))


def test_gradient_comparison_shows_the_saturation():
    fig = plot.gradient_comparison()
    saturating, nonsaturating = _artists(fig, "grad-0")[0], _artists(fig, "grad-1")[0]
    d_fake, grad_s = saturating.get_data()
    _, grad_ns = nonsaturating.get_data()
    early = np.asarray(d_fake) < 0.1
    assert np.all(np.asarray(grad_ns)[early] > np.asarray(grad_s)[early])
    np.testing.assert_allclose(np.asarray(grad_s), np.asarray(d_fake), atol=1e-5)
    np.testing.assert_allclose(np.asarray(grad_ns), 1 - np.asarray(d_fake), atol=1e-5)


def test_lerp_and_slerp_end_points():
    a, b = torch.randn(16), torch.randn(16)
    line = latent.lerp(a, b, 5)
    torch.testing.assert_close(line[0], a)
    torch.testing.assert_close(line[-1], b)
    arc = latent.slerp(a, b, 5)
    torch.testing.assert_close(arc[0], a, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(arc[-1], b, atol=1e-5, rtol=1e-5)


def test_interpolation_and_arithmetic_on_an_image_generator():
    torch.manual_seed(0)
    generator = DCGANGenerator(latent_dim=8, image_size=16, width=8).eval()
    fig = plot.interpolation(generator, steps=6)
    assert fig.axes
    z = torch.randn(3, 8)
    fig = plot.latent_arithmetic(generator, z[:1], z[1:2], z[2:])
    assert fig.axes
    vector = latent.latent_arithmetic_vector(z[:1], z[1:2], z[2:])
    torch.testing.assert_close(vector, z[0] - z[1] + z[2])


def test_slerp_keeps_the_norm_of_two_equally_long_latents_and_lerp_does_not():
    a, b = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    middle_arc, middle_line = latent.slerp(a, b, 3)[1], latent.lerp(a, b, 3)[1]
    assert float(middle_arc.norm()) == pytest.approx(1.0)
    assert float(middle_line.norm()) == pytest.approx(0.5 ** 0.5)


def test_snapshot_figures_share_their_limits():
    run = SimpleNamespace(snapshots=[(s, torch.randn(50, 2) + s) for s in (0, 10, 20)])
    steps, draw = plot.snapshot_figures(run, "scatter", real=torch.randn(200, 2))
    assert steps == [0, 10, 20]
    first, last = draw(0).axes[0], draw(2).axes[0]
    assert first.get_xlim() == last.get_xlim() and first.get_ylim() == last.get_ylim()
    with pytest.raises(ValueError, match="kind must be one of"):
        plot.snapshot_figures(run, "video")


def test_widgets_use_only_public_plot_functions():
    import inspect
    from ganlab import widgets
    assert "plot._" not in inspect.getsource(widgets)


def test_arithmetic_refuses_a_2d_generator():
    generator = MLPGenerator(latent_dim=2, out_dim=2)
    z = torch.randn(3, 2)
    with pytest.raises(ValueError, match="image generator"):
        plot.latent_arithmetic(generator, z[:1], z[1:2], z[2:])
