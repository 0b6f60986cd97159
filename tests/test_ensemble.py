"""ganlab.train.train_ensemble: S seeds trained as one batched model are S separate runs."""
from __future__ import annotations

import math

import pytest
import torch

from ganlab.data import digits, ring
from ganlab.train import recipes, train_ensemble, train_gan
from ganlab.train.ensemble import ModelStack


@pytest.fixture(autouse=True)
def one_thread_float64():
    """Float64 makes "equal to the standalone run" exact to about 1e-9: in float32, Adam's first step
    g / (|g| + eps) turns a rounding difference in a near-zero gradient into a visible one."""
    threads, dtype = torch.get_num_threads(), torch.get_default_dtype()
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_num_threads(threads)
    torch.set_default_dtype(dtype)


def max_difference(a: torch.nn.Module, b: torch.nn.Module) -> float:
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    return max(float((sa[k].double() - sb[k].double()).abs().max()) for k in sa)


def assert_ensemble_equals_standalone(recipe, data, seeds, **settings):
    generators, discriminators, config = recipes.many(recipe, seeds, progress=False, **settings)
    ensemble = train_ensemble(generators, discriminators, data, config, seeds=seeds)
    for i, seed in enumerate(seeds):
        G, D, single_config = recipe(seed=seed, progress=False, **settings)
        single = train_gan(G, D, data, single_config)
        # 1e-6 against weights of order 0.1 and updates of order lr = 1e-3: only a ReLU whose
        # input rounds to the other side of 0 in one of the two runs moves a weight by more
        assert max_difference(single.generator, ensemble.generators[i]) < 1e-6, seed
        assert max_difference(single.discriminator, ensemble.discriminators[i]) < 1e-6, seed
        for key in ("d_loss", "g_loss", "d_real", "d_fake", "grad_norm_d", "grad_norm_g"):
            assert ensemble.histories[i][key] == pytest.approx(single.history[key], abs=1e-6), key  # recorded as float32
        assert ensemble.histories[i]["step"] == single.history["step"]
        for (step_a, a), (step_b, b) in zip(single.snapshots, ensemble.snapshots[i]):
            assert step_a == step_b and torch.allclose(a, b, atol=1e-6)
        assert torch.equal(single.fixed_z, ensemble.fixed_z[i])
        if single.ema_generator is not None:
            assert max_difference(single.ema_generator, ensemble.ema_generators[i]) < 1e-6
    return ensemble


def test_mlp_ensemble_equals_each_standalone_run():
    ensemble = assert_ensemble_equals_standalone(
        recipes.toy_2d, ring, [0, 3, 7], steps=25, batch_size=32, n_fixed=50, snapshot_every=10,
        d_steps=2, lr_schedule="linear", ema=0.9)
    # the seeds really are different runs
    assert max_difference(ensemble.generators[0], ensemble.generators[1]) > 1e-3


def test_packed_mlp_ensemble_with_r1_equals_each_standalone_run():
    assert_ensemble_equals_standalone(recipes.toy_2d, ring, [1, 2], pack=2, steps=15,
                                      batch_size=32, n_fixed=20, snapshot_every=5, r1=0.5)


def test_dcgan_ensemble_equals_each_standalone_run_with_per_seed_batchnorm():
    data = digits(16).images.double()
    ensemble = assert_ensemble_equals_standalone(
        recipes.dcgan_digits, data, [0, 1, 2], steps=6, batch_size=8, n_fixed=4,
        snapshot_every=3, width=8, latent_dim=8, ema=0.5)
    # batch-norm running statistics are per seed, not shared
    means = [g.state_dict()["net.project.1.running_mean"] for g in ensemble.generators]
    assert not torch.allclose(means[0], means[1])


def test_model_stack_runs_each_model_on_its_own_batch():
    models = [torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh()) for _ in range(3)]
    stack = ModelStack(models)
    x = torch.randn(3, 5, 3)
    out = stack(x)
    for i, model in enumerate(models):
        assert torch.allclose(out[i], model(x[i]))
        assert torch.allclose(stack.unstack(i)(x[i]), model(x[i]))
    with pytest.raises(ValueError, match=r"expects inputs of shape \(3, batch"):
        stack(torch.randn(2, 5, 3))
    with pytest.raises(ValueError, match="same architecture"):
        ModelStack([torch.nn.Linear(3, 4), torch.nn.Linear(3, 5)])


def test_a_diverging_seed_is_frozen_and_the_others_train_on():
    generators, discriminators, config = recipes.many(recipes.toy_2d, [0, 1], progress=False,
                                                      steps=4, batch_size=16, snapshot_every=0)
    with torch.no_grad():  # seed 1's discriminator outputs NaN from the start
        discriminators[1].net[-1].bias.fill_(math.nan)
    before = {k: v.clone() for k, v in generators[1].state_dict().items()}
    with pytest.warns(UserWarning, match="seed 1 diverged at step 1"):
        result = train_ensemble(generators, discriminators, ring, config, seeds=[0, 1])
    assert result.diverged == {1: 1}
    assert all(torch.equal(before[k], v) for k, v in generators[1].state_dict().items())
    alone, _, _ = recipes.toy_2d(seed=0)
    assert max_difference(alone, generators[0]) > 0  # seed 0 moved
    assert all(math.isfinite(v) for v in result.histories[0]["d_loss"])


def test_a_seed_whose_gradient_alone_overflows_is_frozen():
    generators, discriminators, config = recipes.many(recipes.toy_2d, [0, 1], progress=False,
                                                      steps=3, batch_size=16, snapshot_every=0)
    with torch.no_grad():  # logits near 1e20: a finite loss, but |gradient|^2 overflows
        discriminators[1].net[-1].weight.mul_(1e20)
    with pytest.warns(UserWarning, match="seed 1 diverged"):
        result = train_ensemble(generators, discriminators, ring, config, seeds=[0, 1])
    assert 1 in result.diverged and 0 not in result.diverged


def test_ensemble_resume_equals_uninterrupted_with_a_frozen_seed(tmp_path):
    settings = dict(progress=False, steps=6, batch_size=16, snapshot_every=2, n_fixed=8,
                    lr_schedule="linear")

    def build():
        generators, discriminators, config = recipes.many(recipes.toy_2d, [0, 1], **settings)
        with torch.no_grad():  # seed 1 diverges at step 1 and stays frozen
            discriminators[1].net[-1].bias.fill_(math.nan)
        return generators, discriminators, config

    with pytest.warns(UserWarning, match="seed 1 diverged"):
        straight = train_ensemble(*build()[:2], ring, build()[2], seeds=[0, 1])
    path = tmp_path / "ensemble.pt"
    generators, discriminators, config = build()

    def stopping_ring(n, rng):  # stops during step 5 (two seeds draw one batch each per D step)
        stopping_ring.calls += 1
        if stopping_ring.calls > 2 * 4:
            raise KeyboardInterrupt
        return ring(n, rng=rng)
    stopping_ring.calls = 0
    with pytest.warns(UserWarning, match="seed 1 diverged"), pytest.raises(KeyboardInterrupt):
        train_ensemble(generators, discriminators, stopping_ring, config, seeds=[0, 1],
                       checkpoint=path, checkpoint_every=2)
    generators, discriminators, config = recipes.many(recipes.toy_2d, [0, 1], **settings)
    with torch.no_grad():  # other weights: everything must come from the checkpoint
        for model in generators + discriminators:
            for parameter in model.parameters():
                parameter.normal_()
    with pytest.raises(ValueError, match="different settings.*seeds"):
        train_ensemble(generators, discriminators, ring, config, seeds=[0, 2], checkpoint=path,
                       resume=True)
    resumed = train_ensemble(generators, discriminators, ring, config, seeds=[0, 1],
                             checkpoint=path, resume=True)
    assert resumed.diverged == straight.diverged == {1: 1}
    for i in range(2):
        assert max_difference(straight.generators[i], resumed.generators[i]) == 0
        assert max_difference(straight.discriminators[i], resumed.discriminators[i]) == 0
        assert repr(straight.histories[i]) == repr(resumed.histories[i])  # NaN != NaN
        assert [s for s, _ in resumed.snapshots[i]] == [0, 2, 4, 6]
        assert all(torch.equal(a, b) for (_, a), (_, b)
                   in zip(straight.snapshots[i], resumed.snapshots[i]))


def test_ensemble_bad_inputs_say_what_to_do():
    generators, discriminators, config = recipes.many(recipes.toy_2d, [0, 1], progress=False,
                                                      steps=2)
    with pytest.raises(ValueError, match="one discriminator per generator"):
        train_ensemble(generators, discriminators[:1], ring, config)
    with pytest.raises(ValueError, match="distinct seeds"):
        train_ensemble(generators, discriminators, ring, config, seeds=[0, 0])
    with pytest.raises(ValueError, match="does not support compile"):
        train_ensemble(generators, discriminators, ring, config, compile=True)
    with pytest.raises(ValueError, match="at least one seed"):
        recipes.many(recipes.toy_2d, [])


def test_run_view_is_a_train_result():
    generators, discriminators, config = recipes.many(recipes.toy_2d, [0, 1], progress=False,
                                                      steps=4, batch_size=16, n_fixed=8)
    result = train_ensemble(generators, discriminators, ring, config, seeds=[0, 1])
    run = result.run(1)
    assert run.generator is generators[1] and run.step == 4
    assert len(run.history["g_loss"]) == 4 and run.snapshots[-1][1].shape == (8, 2)
    assert len(result) == 2 and "seeds=[0, 1]" in repr(result)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_ensemble_on_cuda_matches_the_cpu_run():
    torch.set_default_dtype(torch.float32)
    results = {}
    for device in ("cpu", "cuda"):
        generators, discriminators, config = recipes.many(
            recipes.dcgan_digits, [0, 1], progress=False, steps=3, batch_size=8, n_fixed=4,
            width=8, latent_dim=8, device=device)
        generators = [g.to(device) for g in generators]
        discriminators = [d.to(device) for d in discriminators]
        results[device] = train_ensemble(generators, discriminators, digits(16), config,
                                         seeds=[0, 1])
    for a, b in zip(results["cpu"].generators, results["cuda"].generators):
        assert max_difference(a.cpu(), b.cpu()) < 1e-3


@pytest.mark.parametrize("vectorize", [True, False])
def test_model_stack_of_convolutional_networks_both_ways(vectorize):
    """vmap (used on a GPU) and the loop over seeds (a CPU's choice for convolutions) agree."""
    generators, _, _ = recipes.many(recipes.dcgan_digits, [0, 1], width=8, latent_dim=8)
    stack = ModelStack(generators, vectorize=vectorize)
    z = torch.randn(2, 5, 8)
    out = stack(z)
    for i, generator in enumerate(generators):
        assert torch.allclose(out[i], generator(z[i]), atol=1e-9)
    # training mode updated each model's own running statistics inside the stack
    means = stack.state_dict_of(0)["net.project.1.running_mean"], \
        stack.state_dict_of(1)["net.project.1.running_mean"]
    assert not torch.allclose(*means)
