"""The class-conditional DCGAN (chapter 10): labelled data, G(z, y), D(x, y), trained by the one loop."""
from __future__ import annotations

import pytest
import torch

from ganlab.data import (digits, label_planes, labelled_digits, split_label_planes,
                         with_label_planes)
from ganlab.models import ConditionalDCGANDiscriminator, ConditionalDCGANGenerator
from ganlab.train import recipes, train_ensemble, train_gan

from test_ensemble import assert_ensemble_equals_standalone


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def small_pair(**options):
    G = ConditionalDCGANGenerator(noise_dim=8, n_classes=10, image_size=16, width=8, **options)
    D = ConditionalDCGANDiscriminator(n_classes=10, image_size=16, width=8)
    return G, D


# ------------------------------------------------------------------ the labelled data

def test_labelled_digits_are_the_digits_and_their_one_hot_planes():
    data, plain = labelled_digits(16, "test"), digits(16, "test")
    assert data.shape == (len(plain), 11, 16, 16)
    assert torch.equal(data[:, :1], plain.images)
    images, labels = split_label_planes(data)
    assert torch.equal(images, plain.images) and torch.equal(labels, plain.labels)
    planes = data[:, 1:]
    assert torch.equal(planes.sum(1), torch.ones(len(plain), 16, 16))  # one plane on, nine off
    assert torch.equal(planes[torch.arange(len(plain)), plain.labels],
                       torch.ones(len(plain), 16, 16))


def test_label_plane_helpers_reject_bad_input():
    with pytest.raises(ValueError, match=r"0\.\.9"):
        label_planes(torch.tensor([3, 10]), 10, 16)
    with pytest.raises(ValueError, match="0..9"):
        label_planes(torch.tensor([-1]), 10, 16)
    with pytest.raises(TypeError, match="integer class indices"):
        label_planes(torch.tensor([0.0, 1.0]), 10, 16)
    with pytest.raises(ValueError, match="one label per image"):
        with_label_planes(torch.zeros(3, 1, 16, 16), torch.tensor([1, 2]))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        with_label_planes(torch.zeros(3, 16, 16), torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match="label planes"):
        split_label_planes(torch.zeros(2, 10, 16, 16))
    assert label_planes(torch.tensor([2]), 4, (3, 5)).shape == (1, 4, 3, 5)


# ------------------------------------------------------------------ the networks

def test_generator_shapes_and_latent_layout():
    G, D = small_pair()
    assert G.latent_dim == 18 and G.noise_dim == 8 and G.n_classes == 10
    latent = G.sample_latent(6, torch.Generator().manual_seed(0))
    assert latent.shape == (6, 18)
    one_hot = latent[:, 8:]
    assert torch.equal(one_hot.sum(1), torch.ones(6)) and set(one_hot.unique().tolist()) == {0, 1}
    labelled = G(latent)
    assert labelled.shape == (6, 11, 16, 16)
    images, labels = split_label_planes(labelled)
    assert torch.equal(labels, one_hot.argmax(1))
    assert images.min() >= -1 and images.max() <= 1
    assert D(labelled).shape == (6,)
    # the same seed gives the same latents: z first, then the labels
    again = G.sample_latent(6, torch.Generator().manual_seed(0))
    assert torch.equal(latent, again)


def test_generate_respects_the_requested_labels_and_z():
    G, _ = small_pair()
    rng = torch.Generator().manual_seed(0)
    assert G.generate(5, rng).shape == (5, 1, 16, 16)
    assert G.generate(labels=[0, 1, 2]).shape == (3, 1, 16, 16)
    assert G.generate(4, labels=7).shape == (4, 1, 16, 16)
    # generate(labels=y) is forward on (z, e_y) with the label planes dropped
    z = torch.randn(10, 8, generator=rng)
    labels = torch.arange(10)
    G.eval()
    with torch.no_grad():
        expected = G(G.latent(z, labels))
    assert torch.equal(G.generate(labels=labels, z=z), expected[:, :1])
    assert torch.equal(split_label_planes(expected)[1], labels)
    # one z, different labels: different images (the label is used); the mode is restored
    G.train()
    same_z = G.generate(z=z[:1].repeat(3, 1), labels=[1, 4, 7])
    assert not torch.allclose(same_z[0], same_z[1])
    assert G.training


def test_bad_inputs_say_what_to_do():
    G, D = small_pair()
    with pytest.raises(ValueError, match="0..9"):
        G.generate(labels=[3, 12])
    with pytest.raises(ValueError, match="disagree"):
        G.generate(3, labels=[1, 2])
    with pytest.raises(ValueError, match="how many"):
        G.generate()
    with pytest.raises(ValueError, match=r"\(N, 8\)"):
        G.latent(torch.zeros(2, 5), [0, 1])
    with pytest.raises(ValueError, match=r"latents \(z, one-hot y\)"):
        G(torch.zeros(2, 8))
    with pytest.raises(TypeError, match="noise_dim"):
        ConditionalDCGANGenerator(latent_dim=8)
    with pytest.raises(ValueError, match="at least 2"):
        ConditionalDCGANGenerator(n_classes=1)
    with pytest.raises(ValueError, match="with_label_planes"):
        D(torch.zeros(2, 1, 16, 16))
    with pytest.raises(ValueError, match="expects"):
        D(torch.zeros(2, 11, 32, 32))


def test_discriminator_sees_the_label():
    _, D = small_pair()
    D.eval()
    images = torch.zeros(2, 1, 16, 16)
    scores = D(with_label_planes(images, torch.tensor([3, 5])))
    assert scores[0] != scores[1]  # the same image, two labels, two verdicts


# ------------------------------------------------------------------ training with the one loop

def test_train_gan_trains_it_unchanged():
    G, D = small_pair()
    result = train_gan(G, D, labelled_digits(), steps=3, batch_size=8, n_fixed=4,
                       snapshot_every=1, ema=0.5, progress=False)
    assert result.step == 3 and len(result.history["g_loss"]) == 3
    step, snapshot = result.snapshots[-1]
    assert step == 3 and snapshot.shape == (4, 11, 16, 16)
    assert result.sampler.generate(labels=[0, 9]).shape == (2, 1, 16, 16)


def test_train_gan_refuses_unlabelled_data_for_a_conditional_pair():
    G, D = small_pair()
    with pytest.raises(ValueError, match="shape"):
        train_gan(G, D, digits(16), steps=1, batch_size=4, progress=False)


def test_recipe_is_the_digits_recipe_with_labels():
    G, D, config = recipes.conditional_digits(seed=3, steps=7)
    G0, D0, config0 = recipes.dcgan_digits(seed=3, steps=7)
    assert (config.steps, config.batch_size, config.ema, config.seed) == (7, 64, 0.999, 3)
    assert (config.lr_g, config.betas) == (config0.lr_g, config0.betas)
    assert G.noise_dim == G0.latent_dim == 32 and G.width == G0.width == 64
    assert G.output == "hardtanh" and D.channels == 11
    # the label adds 10 inputs to G's first layer and 10 input channels to D's first layer
    n_g = sum(p.numel() for p in G.parameters()) - sum(p.numel() for p in G0.parameters())
    n_d = sum(p.numel() for p in D.parameters()) - sum(p.numel() for p in D0.parameters())
    assert n_g == 10 * G.net.project[0].weight[0].numel()
    assert n_d == 10 * D.net.input[0].weight[:, 0].numel()
    assert "one-hot label of 10" in recipes.describe(recipes.conditional_digits)


def test_ensemble_seed_equals_the_standalone_run():
    threads, dtype = torch.get_num_threads(), torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        assert_ensemble_equals_standalone(
            recipes.conditional_digits, labelled_digits().double(), [0, 2], steps=4,
            batch_size=8, n_fixed=4, snapshot_every=2, width=8, latent_dim=8, ema=0.5)
    finally:
        torch.set_default_dtype(dtype)
        torch.set_num_threads(threads)


def test_short_training_learns_the_condition():
    """The mechanism, cheaply (about 10 s): after 700 steps of a narrow pair the classifier reads
    the requested digit in most samples; an unconditional generator scores about 10 %. (G
    ignores the label for the first few hundred steps, then picks it up within ~200 steps.)"""
    from ganlab.metrics import classify_digits

    G, D, config = recipes.conditional_digits(seed=0, width=16, steps=700, batch_size=32, ema=0.0,
                                              progress=False, snapshot_every=0)
    result = train_gan(G, D, labelled_digits(), config)
    labels = torch.arange(10).repeat_interleave(20)
    images = result.generator.generate(labels=labels, rng=torch.Generator().manual_seed(1))
    accuracy = (classify_digits(images) == labels).float().mean().item()
    assert accuracy > 0.5, accuracy
