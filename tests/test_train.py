"""ganlab.train: the GAN loop, checkpoints, the divergence guard, CycleGAN, VAE (chapters 2-9)."""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import ganlab
from ganlab.data import digits, ring, ring_centers, unpaired_digits
from ganlab.metrics import mode_coverage
from ganlab.models import (VAE, DCGANDiscriminator, DCGANGenerator, MLPDiscriminator,
                           MLPGenerator, PatchDiscriminator, ResnetGenerator)
from ganlab.train import (HISTORY_KEYS, TrainConfig, TrainingDiverged, TrainResult,
                          load_checkpoint, load_or_train, train_cyclegan, train_gan, train_vae)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models run fastest on one thread (and a busy machine does not slow them down)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class SpyD(nn.Module):
    """A discriminator that calls ``record(x)`` on every input before judging it."""
    pack = 1

    def __init__(self, inner: nn.Module, record):
        super().__init__()
        self.inner, self.record = inner, record

    def forward(self, x):
        self.record(x)
        return self.inner(x)


def mlp_pair(seed=0, hidden=32, depth=2, pack=1, latent_dim=2, out_dim=2, **g_kwargs):
    ganlab.seed_everything(seed)
    return (MLPGenerator(latent_dim, out_dim, hidden, depth, **g_kwargs),
            MLPDiscriminator(out_dim, hidden, depth, pack=pack))


def quick(**overrides):
    settings = dict(steps=6, batch_size=16, progress=False)
    settings.update(overrides)
    return settings


def params_equal(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


# --------------------------------------------------------------------------- it learns

def test_short_ring_run_covers_several_modes():
    G, D = mlp_pair(seed=0, hidden=64, depth=3)
    train_gan(G, D, ring, steps=600, batch_size=256, lr_g=5e-4, lr_d=5e-4, progress=False,
              snapshot_every=0)
    samples = G.generate(2000, rng=torch.Generator().manual_seed(1))
    # a short run is not sharp yet: count a mode when samples come within 3 x 0.05 of it
    coverage = mode_coverage(samples, ring_centers(), std=0.05)
    assert coverage.modes >= 4, coverage
    assert coverage.high_quality > 0.2, coverage


def test_same_seed_same_run_and_other_seed_other_run():
    runs = []
    for seed in (0, 0, 1):
        G, D = mlp_pair()
        runs.append(train_gan(G, D, ring, **quick(seed=seed)))
    assert runs[0].history == runs[1].history
    assert params_equal(runs[0].generator, runs[1].generator)
    assert runs[0].history["d_loss"] != runs[2].history["d_loss"]


# --------------------------------------------------------------------------- the record

def test_history_snapshots_and_result_fields():
    G, D = mlp_pair()
    result = train_gan(G, D, ring, **quick(steps=7, snapshot_every=3, n_fixed=10))
    assert isinstance(result, TrainResult)
    assert set(result.history) == set(HISTORY_KEYS)
    assert all(len(values) == 7 for values in result.history.values())
    assert result.history["step"] == list(range(1, 8))
    assert all(0 < v < 1 for v in result.history["d_real"] + result.history["d_fake"])
    assert all(v > 0 and math.isfinite(v) for v in result.history["grad_norm_g"])
    assert [s for s, _ in result.snapshots] == [0, 3, 6, 7]
    assert all(x.shape == (10, 2) and x.device.type == "cpu" for _, x in result.snapshots)
    assert result.fixed_z.shape == (10, 2)
    # the snapshots are G of the fixed batch: the last equals G(fixed_z) now
    G.eval()
    assert torch.allclose(result.snapshots[-1][1], G(result.fixed_z))
    assert result.d_snapshots == [] and result.step == 7 and result.seconds > 0


def test_default_snapshot_interval_is_a_twentieth():
    G, D = mlp_pair()
    result = train_gan(G, D, ring, **quick(steps=40))
    assert [s for s, _ in result.snapshots] == list(range(0, 41, 2))


def test_probe_records_d_for_the_paper_figure():
    G, D = mlp_pair(latent_dim=1, out_dim=1, latent_distribution="uniform")
    probe = torch.linspace(-2, 8, 50)
    data = lambda n, rng: ganlab.data.gaussian_1d(n, rng=rng)  # noqa: E731
    result = train_gan(G, D, data, **quick(steps=10, snapshot_every=5, probe=probe))
    assert [s for s, _ in result.d_snapshots] == [0, 5, 10]
    assert all(d.shape == (50,) and ((d > 0) & (d < 1)).all() for _, d in result.d_snapshots)
    panels = ganlab.plot.paper_panels_from_run(result)
    assert panels and "d" in panels[-1]
    G, D = mlp_pair(latent_dim=1, out_dim=1, pack=2)
    packed = train_gan(G, D, data, **quick(steps=2, snapshot_every=2, probe=probe))
    assert all(d.shape == (50,) for _, d in packed.d_snapshots)


def test_k_discriminator_steps_each_on_fresh_batches_and_d_step_leaves_g_alone():
    G, D = mlp_pair()
    calls = []  # requires_grad of every input D sees


    batches = []

    def data(n, rng):
        batches.append(ring(n, rng=rng))
        return batches[-1]

    g_gradients = []
    for p in G.parameters():
        p.register_hook(lambda grad: g_gradients.append(1))
    train_gan(G, SpyD(D, lambda x: calls.append(x.requires_grad)), data, **quick(steps=4, d_steps=3, snapshot_every=0))
    # per G step: 3 D steps x (real, fake), both without a graph to G, then the G step
    assert calls == ([False, False] * 3 + [True]) * 4
    assert len(batches) == 12 and not torch.equal(batches[0], batches[1])
    # G's parameters received gradients only in the 4 G steps
    assert len(g_gradients) == 4 * len(list(G.parameters()))


# --------------------------------------------------------------------------- checkpoints

def test_resume_equals_uninterrupted(tmp_path):
    settings = quick(steps=30, snapshot_every=5, d_steps=2, lr_schedule="linear")
    G, D = mlp_pair()
    straight = train_gan(G, D, ring, **settings)

    calls = 0

    def interrupted_ring(n, rng):  # the run is stopped during step 14 (2 D steps each)
        nonlocal calls
        calls += 1
        if calls == 2 * 13 + 1:
            raise KeyboardInterrupt
        return ring(n, rng=rng)

    path = tmp_path / "run.pt"
    G, D = mlp_pair()
    with pytest.raises(KeyboardInterrupt):
        train_gan(G, D, interrupted_ring, **settings, checkpoint=path, checkpoint_every=4)
    assert load_checkpoint(path)["step"] == 12
    G, D = mlp_pair(seed=123)  # fresh models: everything must come from the checkpoint
    resumed = train_gan(G, D, ring, **settings, checkpoint=path, resume=True)

    assert params_equal(straight.generator, resumed.generator)
    assert params_equal(straight.discriminator, resumed.discriminator)
    assert straight.history == resumed.history
    assert [s for s, _ in straight.snapshots] == [s for s, _ in resumed.snapshots]
    assert all(torch.equal(a, b) for (_, a), (_, b) in zip(straight.snapshots, resumed.snapshots))
    assert torch.equal(straight.fixed_z, resumed.fixed_z)


def test_resume_with_r1_and_ema_equals_uninterrupted(tmp_path):
    settings = quick(steps=12, snapshot_every=3, r1=0.5, ema=0.9)
    G, D = mlp_pair()
    straight = train_gan(G, D, ring, **settings)
    path = tmp_path / "run.pt"
    G, D = mlp_pair()
    train_gan(G, D, ring, **{**settings, "steps": 6}, checkpoint=path, checkpoint_every=3)
    G, D = mlp_pair(seed=7)
    resumed = train_gan(G, D, ring, **settings, checkpoint=path, resume=True)
    assert params_equal(straight.ema_generator, resumed.ema_generator)
    assert params_equal(straight.generator, resumed.generator)
    assert straight.history == resumed.history
    # the snapshots show the average, which differs from the last iterate
    assert not params_equal(straight.ema_generator, straight.generator)
    with torch.no_grad():
        assert torch.equal(straight.snapshots[-1][1], straight.ema_generator(straight.fixed_z))
    assert straight.sampler is straight.ema_generator


def test_r1_penalty_is_half_gamma_times_the_squared_input_gradient():
    from ganlab.losses import r1_penalty
    x = torch.tensor([[1.0, 2.0], [0.0, -1.0]], requires_grad=True)
    logits = (3 * x[:, 0] + 4 * x[:, 1])  # gradient (3, 4) everywhere: |grad|^2 = 25
    assert float(r1_penalty(x, logits, gamma=2.0)) == pytest.approx(25.0)
    with pytest.raises(ValueError, match="requires_grad=True"):
        r1_penalty(x.detach(), logits, 1.0)
    with pytest.raises(ValueError, match="r1 must be"):
        TrainConfig(r1=-1).validate()
    with pytest.raises(ValueError, match="ema must be"):
        TrainConfig(ema=1.0).validate()


def test_a_finished_run_can_be_extended(tmp_path):
    settings = quick(steps=20, snapshot_every=4)
    G, D = mlp_pair()
    straight = train_gan(G, D, ring, **settings)
    path = tmp_path / "run.pt"
    G, D = mlp_pair()
    train_gan(G, D, ring, **{**settings, "steps": 8}, checkpoint=path)
    G, D = mlp_pair(seed=5)
    extended = train_gan(G, D, ring, **settings, checkpoint=path, resume=True)
    assert params_equal(straight.generator, extended.generator)
    assert straight.history == extended.history


def test_resume_without_a_file_starts_afresh_and_other_settings_are_refused(tmp_path):
    path = tmp_path / "run.pt"
    G, D = mlp_pair()
    result = train_gan(G, D, ring, **quick(), checkpoint=path, resume=True)
    assert result.history["step"][0] == 1 and path.exists()
    G, D = mlp_pair()
    with pytest.raises(ValueError, match="different settings.*lr_g"):
        train_gan(G, D, ring, **quick(steps=10), checkpoint=path, resume=True, lr_g=1e-3)


def test_nan_guard_stops_and_keeps_the_last_good_checkpoint(tmp_path):
    G, D = mlp_pair()

    class BreaksAtStep12(nn.Module):
        pack = 1

        def __init__(self):
            super().__init__()
            self.inner, self.calls = D, 0

        def forward(self, x):
            self.calls += 1
            out = self.inner(x)
            return out * math.nan if self.calls > 3 * 11 else out  # 3 D calls per step

    path = tmp_path / "run.pt"
    spy = BreaksAtStep12()
    with pytest.raises(TrainingDiverged) as caught:
        train_gan(G, spy, ring, **quick(steps=20), checkpoint=path, checkpoint_every=5)
    error = caught.value
    assert error.step == 12 and "d_loss" in error.quantity
    message = str(error)
    assert "step 12" in message and "learning rate" in message and str(path) in message
    assert isinstance(error, RuntimeError) and error.checkpoint == path
    state = load_checkpoint(path)
    assert state["step"] == 10 and len(state["history"]["step"]) == 10
    assert all(torch.isfinite(p).all() for p in G.parameters())


def test_huge_learning_rate_is_caught_with_advice():
    G, D = mlp_pair()
    with pytest.raises(TrainingDiverged, match="lower the learning rates"):
        train_gan(G, D, lambda n, rng: 1e30 * ring(n, rng=rng),
                  **quick(steps=50), lr_g=1e6, lr_d=1e6)


# --------------------------------------------------------------------------- packing

def test_pacgan_packing():
    G, D = mlp_pair(pack=4)
    result = train_gan(G, D, ring, **quick(batch_size=32))
    assert len(result.history["d_loss"]) == 6
    for batch_size in (30, 2):
        G, D = mlp_pair(pack=4)
        with pytest.raises(ValueError, match="multiple of 4"):
            train_gan(G, D, ring, **quick(batch_size=batch_size))


# --------------------------------------------------------------------------- images

def tiny_dcgan(seed=0):
    ganlab.seed_everything(seed)
    return (DCGANGenerator(latent_dim=8, channels=1, image_size=16, width=8),
            DCGANDiscriminator(channels=1, image_size=16, width=8))


def test_dcgan_on_digits_a_few_steps():
    G, D = tiny_dcgan()
    data = digits(16)
    result = train_gan(G, D, data, **quick(steps=4, snapshot_every=2, n_fixed=9))
    assert result.snapshots[-1][1].shape == (9, 1, 16, 16)
    assert all(math.isfinite(v) for v in result.history["g_loss"])
    # a tensor of images works the same as ImageData
    G2, D2 = tiny_dcgan()
    again = train_gan(G2, D2, data.images, **quick(steps=4, snapshot_every=2, n_fixed=9))
    assert again.history == result.history


def test_channels_last_matches_contiguous():
    runs = []
    for channels_last in (False, True):
        G, D = tiny_dcgan()
        runs.append(train_gan(G, D, digits(16), **quick(steps=3), channels_last=channels_last))
    for key in HISTORY_KEYS:
        assert runs[0].history[key] == pytest.approx(runs[1].history[key], rel=1e-4, abs=1e-5)
    for a, b in zip(runs[0].generator.parameters(), runs[1].generator.parameters()):
        assert torch.allclose(a, b, atol=1e-5)


def test_bf16_autocast_on_cpu_is_close_to_float32():
    runs = []
    for amp in (False, "bf16"):
        G, D = tiny_dcgan()
        runs.append(train_gan(G, D, digits(16), **quick(steps=3), amp=amp))
    full, mixed = runs
    assert all(math.isfinite(v) for key in ("d_loss", "g_loss") for v in mixed.history[key])
    assert mixed.history["d_loss"][0] == pytest.approx(full.history["d_loss"][0], rel=0.05)
    assert mixed.history["g_loss"][0] == pytest.approx(full.history["g_loss"][0], rel=0.05)
    assert mixed.snapshots[-1][1].dtype == torch.float32


def test_least_squares_loss_records_raw_scores():
    G, D = mlp_pair()
    result = train_gan(G, D, ring, **quick(loss="least_squares"))
    assert all(math.isfinite(v) for v in result.history["d_loss"])


# --------------------------------------------------------------------------- clear errors

def test_bad_inputs_give_clear_errors():
    G, D = mlp_pair(out_dim=3)
    with pytest.raises(ValueError, match=r"data samples have shape \(2,\).*\(3,\)"):
        train_gan(G, MLPDiscriminator(2, 8, 1), ring, **quick())
    G, D = mlp_pair()
    with pytest.raises(ValueError, match="unknown loss 'wasserstein'"):
        train_gan(G, D, ring, **quick(loss="wasserstein"))
    with pytest.raises(TypeError, match="unknown TrainConfig setting.*'step'"):
        train_gan(G, D, ring, step=10)
    with pytest.raises(ValueError, match="resume=True needs checkpoint"):
        train_gan(G, D, ring, **quick(resume=True))
    with pytest.raises(ValueError, match="batch_size must be an int >= 1"):
        train_gan(G, D, ring, **quick(batch_size=0))
    with pytest.raises(TypeError, match="data must be a tensor"):
        train_gan(G, D, [1.0, 2.0], **quick())
    with pytest.raises(TypeError, match="sample_latent"):
        train_gan(nn.Linear(2, 2), D, ring, **quick())
    with pytest.raises(TypeError, match="config must be a TrainConfig"):
        train_gan(G, D, ring, config={"steps": 3})


def test_config_object_and_overrides_combine():
    config = TrainConfig(steps=5, batch_size=8, progress=False)
    G, D = mlp_pair()
    result = train_gan(G, D, ring, config, steps=3)
    assert result.config.steps == 3 and config.steps == 5 and len(result.history["step"]) == 3
    assert TrainConfig(steps=100, lr_schedule="linear").lr_factor(100) == pytest.approx(0.01)


def test_progress_bar_runs(capsys):
    G, D = mlp_pair()
    train_gan(G, D, ring, steps=3, batch_size=8, progress=True)
    assert "train_gan" in capsys.readouterr().err


# --------------------------------------------------------------------------- CycleGAN, VAE

def test_train_cyclegan_a_few_steps_with_tiny_models():
    pair = unpaired_digits("invert", image_size=16)
    result = train_cyclegan(pair, steps=3, batch_size=4, width=4, d_width=4, n_blocks=1,
                            snapshot_every=3, n_fixed=2, progress=False)
    assert all(len(v) == 3 for v in result.history.values())
    assert all(math.isfinite(v) for v in result.history["g_loss"])
    assert [s for s, *_ in result.snapshots] == [0, 3]
    assert result.snapshots[-1][1].shape == (2, 1, 16, 16)
    assert result.translate(pair.a.images[:3]).shape == (3, 1, 16, 16)
    # prebuilt models are used as given
    torch.manual_seed(0)
    g_ab = ResnetGenerator(1, 4, 0)
    d_b = PatchDiscriminator(1, 4, 2)
    again = train_cyclegan(pair, steps=1, batch_size=2, width=4, d_width=4, n_blocks=0,
                           g_ab=g_ab, d_b=d_b, progress=False)
    assert again.g_ab is g_ab and again.d_b is d_b


def test_train_vae_lowers_the_loss():
    torch.manual_seed(0)
    vae = VAE(image_size=16, latent_dim=4, hidden=8)
    result = train_vae(vae, digits(16), steps=40, batch_size=32, lr=3e-3, progress=False)
    loss = result.history["loss"]
    assert len(loss) == 40 and set(result.history) == {"step", "loss", "reconstruction", "kl"}
    assert sum(loss[-5:]) < sum(loss[:5])
    assert result.snapshots[-1][1].shape == (64, 1, 16, 16)


@pytest.mark.parametrize("freeze_at", [None, 2])
def test_cyclegan_resume_equals_uninterrupted(tmp_path, freeze_at):
    """The pools' images and coin flips, the frozen discriminators: all come back on resume."""
    pair = unpaired_digits("invert", image_size=16)
    settings = dict(steps=6, batch_size=2, width=4, d_width=4, n_blocks=1, n_layers=1,
                    pool_size=3, snapshot_every=3, n_fixed=2, progress=False,
                    freeze_discriminators_at=freeze_at)
    straight = train_cyclegan(pair, **settings)
    path = tmp_path / "cyclegan.pt"
    train_cyclegan(pair, **{**settings, "steps": 3}, checkpoint=path)
    resumed = train_cyclegan(pair, **settings, checkpoint=path, resume=True, seed=0)
    for name in ("g_ab", "g_ba", "d_a", "d_b"):
        assert params_equal(getattr(straight, name), getattr(resumed, name)), name
    assert repr(straight.history) == repr(resumed.history)  # as text: NaN != NaN
    assert [s for s, *_ in resumed.snapshots] == [0, 3, 6]
    assert all(torch.equal(a, b) for (_, a, _), (_, b, _) in zip(straight.snapshots,
                                                                 resumed.snapshots))
    assert all(p.requires_grad for p in resumed.d_a.parameters())


def test_cyclegan_nan_guard_stops_before_the_update():
    pair = unpaired_digits("invert", image_size=16)
    torch.manual_seed(0)
    d_b = PatchDiscriminator(1, 4, 1)
    with torch.no_grad():  # D_B judges every image NaN
        list(d_b.parameters())[-1].fill_(math.nan)
    g_ab = ResnetGenerator(1, 4, 1)
    before = {k: v.clone() for k, v in g_ab.state_dict().items()}
    with pytest.raises(TrainingDiverged) as caught:
        train_cyclegan(pair, steps=3, batch_size=2, width=4, d_width=4, n_blocks=1,
                       n_layers=1, g_ab=g_ab, d_b=d_b, progress=False)
    error = caught.value
    assert error.step == 1 and "generators' loss" in error.quantity
    assert "learning rate" in str(error) and "step 1" in str(error)
    assert all(torch.equal(before[k], v) for k, v in g_ab.state_dict().items())


def test_vae_resume_equals_uninterrupted(tmp_path):
    data = digits(16)
    settings = dict(steps=8, batch_size=8, progress=False, snapshot_every=4, n_fixed=4)
    torch.manual_seed(0)
    straight = train_vae(VAE(image_size=16, latent_dim=4, hidden=8), data, **settings)
    path = tmp_path / "vae.pt"
    torch.manual_seed(0)
    train_vae(VAE(image_size=16, latent_dim=4, hidden=8), data, **{**settings, "steps": 4},
              checkpoint=path)
    torch.manual_seed(1)  # other initial weights: everything must come from the checkpoint
    resumed = train_vae(VAE(image_size=16, latent_dim=4, hidden=8), data, **settings,
                        checkpoint=path, resume=True)
    assert params_equal(straight.vae, resumed.vae)
    assert straight.history == resumed.history
    assert all(torch.equal(a, b) for (_, a), (_, b) in zip(straight.snapshots, resumed.snapshots))


def test_vae_nan_guard_stops_before_the_update():
    torch.manual_seed(0)
    vae = VAE(image_size=16, latent_dim=4, hidden=8)
    before = {k: v.clone() for k, v in vae.state_dict().items()}
    images = digits(16).images[:32].clone()
    images[5:] = math.nan  # most batches hold a NaN image
    with pytest.raises(TrainingDiverged) as caught:
        train_vae(vae, images, steps=5, batch_size=16, progress=False)
    assert caught.value.step == 1 and "loss" in caught.value.quantity
    assert "recon_std" in str(caught.value)
    assert all(torch.equal(before[k], v) for k, v in vae.state_dict().items())


def test_cyclegan_and_vae_get_the_loops_amp_and_schedule():
    pair = unpaired_digits("invert", image_size=16)
    result = train_cyclegan(pair, steps=2, batch_size=2, width=4, d_width=4, n_blocks=1,
                            n_layers=1, progress=False, amp="bf16", lr_schedule="linear")
    assert all(math.isfinite(v) for v in result.history["g_loss"])
    torch.manual_seed(0)
    vae = VAE(image_size=16, latent_dim=4, hidden=8)
    result = train_vae(vae, digits(16), steps=2, batch_size=8, progress=False, amp="bf16",
                       lr_schedule="linear")
    assert all(math.isfinite(v) for v in result.history["loss"])
    with pytest.raises(ValueError, match="lr_schedule must be one of"):
        train_vae(vae, digits(16), steps=2, lr_schedule="cosine")
    with pytest.raises(TypeError, match="unknown VAEConfig setting"):
        train_vae(vae, digits(16), steps=2, checkpoint_evey=1)


def test_every_model_trains_through_the_one_loop():
    """GAN, CycleGAN, VAE and the ensemble share ganlab.train.loop.run: no loop of their own."""
    import inspect
    from ganlab.train import cyclegan, ensemble, gan, vae
    for module in (gan, cyclegan, vae, ensemble):
        source = inspect.getsource(module)
        assert "run(step" in source, module.__name__
        assert "for step in range" not in source and "_Progress" not in source, module.__name__
    lines = inspect.getsource(gan.GANStep.__call__).splitlines()
    lines += inspect.getsource(gan.GANStep.discriminator_step).splitlines()
    lines += inspect.getsource(gan.GANStep.generator_step).splitlines()
    assert len(lines) <= 60  # Algorithm 1, read in one place


# --------------------------------------------------------------------------- pretrained

def test_load_or_train_both_branches(capsys):
    def must_not_train():
        raise AssertionError("train_fn must not run when weights ship")

    model = load_or_train("digit_classifier", must_not_train)
    assert isinstance(model, nn.Module) and not model.training
    trained = nn.Linear(1, 1)
    assert load_or_train("digit_classifier", lambda: trained, retrain=True) is trained
    assert load_or_train("no_such_weights", lambda: trained) is trained
    out = capsys.readouterr().out
    assert "no_such_weights" in out and "training from scratch" in out
    with pytest.raises(TypeError, match="train_fn"):
        load_or_train("digit_classifier", None)


# --------------------------------------------------------------------------- speed options

class CountingG(nn.Module):
    """A generator that counts its forward calls and keeps its last output."""

    def __init__(self, inner):
        super().__init__()
        self.inner, self.calls, self.last = inner, 0, None

    def sample_latent(self, n, **kwargs):
        return self.inner.sample_latent(n, **kwargs)

    def forward(self, z):
        self.calls += 1
        self.last = self.inner(z)
        return self.last


@pytest.mark.parametrize("reuse", [False, True])
def test_reuse_fakes_runs_g_once_per_step_on_the_last_d_steps_fakes(reuse):
    G, D = mlp_pair()
    spy_g, d_inputs = CountingG(G), []


    train_gan(spy_g, SpyD(D, lambda x: d_inputs.append(x.detach().clone())), ring, **quick(steps=4, d_steps=2, snapshot_every=0),
              reuse_fakes=reuse)
    assert spy_g.calls == 4 * (2 if reuse else 3)
    # D's inputs per step: (real, fake) x 2, then G's step; reused means the same fakes
    fake_of_last_d_step, g_step_input = d_inputs[3::5], d_inputs[4::5]
    same = [torch.equal(a, b) for a, b in zip(fake_of_last_d_step, g_step_input)]
    assert same == [reuse] * 4


def test_d_gets_no_gradient_in_g_step_and_keeps_requires_grad():
    G, D = mlp_pair()
    d_gradients = []
    for p in D.parameters():
        p.register_hook(lambda grad: d_gradients.append(1))
    train_gan(G, D, ring, **quick(steps=3, d_steps=2, snapshot_every=0))
    assert len(d_gradients) == 3 * 2 * len(list(D.parameters()))  # D steps only
    assert all(p.requires_grad for p in D.parameters())


def test_history_is_the_same_with_and_without_the_progress_bar():
    runs = []
    for progress in (False, True):
        G, D = mlp_pair()
        runs.append(train_gan(G, D, ring, **quick(steps=7, progress=progress)).history)
    assert runs[0] == runs[1] and runs[0]["step"] == list(range(1, 8))


def test_fused_adam_is_close_to_the_default():
    runs = []
    for fused in (False, True):
        G, D = mlp_pair()
        runs.append(train_gan(G, D, ring, **quick(steps=3), fused_adam=fused))
    for a, b in zip(runs[0].generator.parameters(), runs[1].generator.parameters()):
        assert torch.allclose(a, b, atol=1e-5)


# --------------------------------------------------------------------------- CUDA only

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
CUDA_OPTIONS = {"fp32": {}, "amp": dict(amp=True), "bf16": dict(amp="bf16"),
                "fp16": dict(amp="fp16"), "channels_last": dict(channels_last=True),
                "reuse_fused": dict(reuse_fakes=True, fused_adam=True),
                "compile": dict(compile=True)}


@pytest.mark.cuda
@cuda
@pytest.mark.parametrize("name", CUDA_OPTIONS)
def test_train_gan_on_cuda_gives_a_finite_history(name):
    G, D = tiny_dcgan()
    result = train_gan(G, D, digits(16), **quick(steps=4, snapshot_every=2, n_fixed=4),
                       device="cuda", **CUDA_OPTIONS[name])
    assert all(math.isfinite(v) for key in HISTORY_KEYS for v in result.history[key])
    assert result.history["step"] == [1, 2, 3, 4]
    assert next(G.parameters()).device.type == "cuda"
    assert all(s.device.type == "cpu" and s.dtype == torch.float32 for _, s in result.snapshots)


@pytest.mark.cuda
@cuda
def test_models_built_on_the_cpu_move_to_cuda_and_back():
    G, D = tiny_dcgan()
    train_gan(G, D, digits(16), **quick(steps=2), device="cuda")
    assert {p.device.type for p in [*G.parameters(), *D.parameters()]} == {"cuda"}
    train_gan(G, D, digits(16), **quick(steps=2), device="cpu")
    assert {p.device.type for p in [*G.parameters(), *D.parameters()]} == {"cpu"}


@pytest.mark.cuda
@cuda
def test_a_checkpoint_saved_on_cuda_resumes_on_the_cpu(tmp_path):
    path = tmp_path / "run.pt"
    G, D = tiny_dcgan()
    train_gan(G, D, digits(16), **quick(steps=4), device="cuda", checkpoint=path)
    G, D = tiny_dcgan(seed=1)
    resumed = train_gan(G, D, digits(16), **quick(steps=6), device="cpu", checkpoint=path,
                        resume=True)
    assert resumed.history["step"] == list(range(1, 7))
    assert next(resumed.generator.parameters()).device.type == "cpu"
    assert all(math.isfinite(v) for v in resumed.history["g_loss"])
