"""Shapes, architecture guidelines and behaviour of ganlab.models (chapters 2-9)."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from ganlab.models import (VAE, BatchNorm, DCGANDiscriminator, DCGANGenerator, Generator,
                           ImagePool, MLPDiscriminator, MLPGenerator, PatchDiscriminator,
                           ResnetGenerator, dcgan_init_)

SIZES = (16, 32, 64)
STAGES = {16: 2, 32: 3, 64: 4}
BN = (nn.BatchNorm1d, nn.BatchNorm2d, BatchNorm)
POOLS = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)


def _count(module, types):
    return sum(isinstance(m, types) for m in module.modules())


def _blocks(model):
    """Block name -> tuple of layer type names: the architecture as data."""
    return {name: tuple(type(layer).__name__ for layer in block)
            for name, block in model.net.named_children()}


def _changed_blocks(model, reference):
    a, b = _blocks(model), _blocks(reference)
    assert a.keys() == b.keys()
    return {name for name in a if a[name] != b[name]}


# ---------------------------------------------------------------- MLP (chapters 2-4)

def test_mlp_generator_and_discriminator_shapes():
    g = MLPGenerator(latent_dim=3, out_dim=2, hidden=16, depth=2)
    assert isinstance(g, Generator)
    x = g.generate(12, torch.Generator().manual_seed(0))
    assert x.shape == (12, 2)
    assert MLPDiscriminator(in_dim=2, hidden=16)(x).shape == (12,)
    assert MLPDiscriminator(in_dim=2, hidden=16, pack=3)(x).shape == (4,)
    assert MLPDiscriminator(in_dim=1, hidden=8)(torch.randn(5)).shape == (5,)
    d = MLPDiscriminator(hidden=16)
    slopes = {m.negative_slope for m in d.modules() if isinstance(m, nn.LeakyReLU)}
    assert slopes == {0.2} and _count(d, nn.ReLU) == 0


def test_mlp_pack_groups_consecutive_samples():
    d = MLPDiscriminator(in_dim=2, hidden=8, depth=1, pack=2)
    x = torch.randn(6, 2)
    swapped = x[[1, 0, 2, 3, 4, 5]]  # changes the order inside pack 0 only
    y, y_swapped = d(x), d(swapped)
    assert not torch.allclose(y[0], y_swapped[0])
    torch.testing.assert_close(y[1:], y_swapped[1:])


def test_mlp_bad_inputs():
    with pytest.raises(ValueError, match="divisible by 4"):
        MLPDiscriminator(pack=4)(torch.randn(6, 2))
    with pytest.raises(ValueError, match=r"expects x of shape \(B, 2\)"):
        MLPDiscriminator()(torch.randn(6, 3))
    with pytest.raises(ValueError, match="latent_dim=2"):
        MLPGenerator()(torch.randn(4, 5))
    with pytest.raises(ValueError, match="latent_distribution"):
        MLPGenerator(latent_distribution="cauchy")
    with pytest.raises(ValueError, match="pack"):
        MLPDiscriminator(pack=0)


# ---------------------------------------------------------------- DCGAN (chapter 5)

@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("channels", (1, 3))
def test_dcgan_shapes(size, channels):
    g = DCGANGenerator(latent_dim=10, channels=channels, image_size=size, width=8)
    images = g.generate(4, torch.Generator().manual_seed(0))
    assert images.shape == (4, channels, size, size)
    assert images.abs().max() <= 1
    assert g(torch.randn(4, 10, 1, 1)).shape == (4, channels, size, size)  # 4-D z works too
    d = DCGANDiscriminator(channels=channels, image_size=size, width=8)
    assert d(images).shape == (4,)
    packed = DCGANDiscriminator(channels=channels, image_size=size, width=8, pack=2)
    assert packed(images).shape == (2,)
    assert packed.net.input[0].in_channels == 2 * channels


@pytest.mark.parametrize("size", SIZES)
def test_dcgan_default_follows_the_guidelines(size):
    g = DCGANGenerator(latent_dim=10, channels=1, image_size=size, width=8)
    d = DCGANDiscriminator(channels=1, image_size=size, width=8)
    for model in (g, d):
        assert _count(model, nn.Linear) == 0, "guideline: no fully connected layers"
        assert _count(model, POOLS) == 0, "guideline: no pooling"
        assert _count(model, nn.Sigmoid) == 0
    # G: transposed convolutions only, BN + ReLU in every block but the output, Tanh at the end
    g_blocks = list(g.net.children())
    assert len(g_blocks) == STAGES[size] + 1
    assert _count(g, nn.Conv2d) == 0
    assert _count(g, nn.ConvTranspose2d) == STAGES[size] + 1
    for block in g_blocks[:-1]:
        assert _count(block, BN) == 1 and _count(block, nn.ReLU) == 1
    assert _count(g_blocks[-1], BN) == 0, "no batch norm on G's output layer"
    assert isinstance(g_blocks[-1][-1], nn.Tanh)
    assert _count(g, nn.LeakyReLU) == 0
    # D: strided convolutions, no BN on the input block, BN elsewhere, LeakyReLU(0.2)
    d_blocks = list(d.net.children())
    assert _count(d_blocks[0], BN) == 0, "no batch norm on D's input layer"
    for block in d_blocks[1:-1]:
        assert _count(block, BN) == 1
    convs = [m for m in d.modules() if isinstance(m, nn.Conv2d)]
    assert all(c.stride == (2, 2) for c in convs[:-1])
    assert convs[-1].kernel_size == (4, 4) and convs[-1].out_channels == 1
    slopes = [m.negative_slope for m in d.modules() if isinstance(m, nn.LeakyReLU)]
    assert slopes == [0.2] * STAGES[size]
    assert _count(d, nn.ReLU) == 0


def _reference_pytorch_example(nz=100, ngf=64, ndf=64, nc=3):
    """pytorch/examples dcgan/main.py, transcribed (its D ends in a sigmoid)."""
    g = nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())
    d = nn.Sequential(
        nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())
    return g, d


def test_dcgan_64_is_the_pytorch_example():
    g = DCGANGenerator(latent_dim=100, channels=3, image_size=64, width=64)
    d = DCGANDiscriminator(channels=3, image_size=64, width=64)
    assert sum(p.numel() for p in g.parameters()) == 3_576_704
    assert sum(p.numel() for p in d.parameters()) == 2_765_568
    ref_g, ref_d = _reference_pytorch_example()
    for ours, ref in ((g, ref_g), (d, ref_d)):
        ours_state, ref_state = ours.state_dict(), ref.state_dict()
        assert [v.shape for v in ours_state.values()] == [v.shape for v in ref_state.values()]
        ref.load_state_dict(dict(zip(ref_state, ours_state.values())))
    g.eval(), d.eval(), ref_g.eval(), ref_d.eval()
    z = torch.randn(2, 100, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        images = g(z)
        torch.testing.assert_close(images, ref_g(z[:, :, None, None]))
        torch.testing.assert_close(torch.sigmoid(d(images)), ref_d(images).view(-1))


def test_generator_ablations_change_one_thing():
    kw = dict(latent_dim=10, channels=1, image_size=32, width=8)
    base = DCGANGenerator(**kw)
    up_blocks = {"up1", "up2", "output"}

    nearest = DCGANGenerator(upsample="nearest", **kw)
    assert _changed_blocks(nearest, base) == up_blocks
    assert _count(nearest, nn.ConvTranspose2d) == 1  # only the 1x1 -> 4x4 projection
    assert _count(nearest, nn.Upsample) == 3
    assert all(m.kernel_size == (3, 3) for m in nearest.modules() if isinstance(m, nn.Conv2d))
    assert _count(nearest, BN) == _count(base, BN)

    no_bn = DCGANGenerator(batchnorm=False, **kw)
    assert _count(no_bn, BN) == 0
    assert _count(no_bn, nn.ConvTranspose2d) == _count(base, nn.ConvTranspose2d)
    assert _count(no_bn, nn.ReLU) == _count(base, nn.ReLU)

    leaky = DCGANGenerator(activation="leaky_relu", **kw)
    assert _count(leaky, nn.ReLU) == 0
    assert _count(leaky, nn.LeakyReLU) == _count(base, nn.ReLU)
    assert _count(leaky, BN) == _count(base, BN)

    fc = DCGANGenerator(fully_connected=True, **kw)
    assert _changed_blocks(fc, base) == {"project"}
    assert _count(fc, nn.Linear) == 2 and _count(fc.net.project, nn.ConvTranspose2d) == 0

    for model in (nearest, no_bn, leaky, fc):
        assert model(torch.randn(3, 10)).shape == (3, 1, 32, 32)


def test_discriminator_ablations_change_one_thing():
    kw = dict(channels=1, image_size=32, width=8)
    base = DCGANDiscriminator(**kw)
    x = torch.randn(4, 1, 32, 32)

    pool = DCGANDiscriminator(downsample="pool", **kw)
    assert _changed_blocks(pool, base) == {"input", "down1", "down2"}
    assert _count(pool, nn.AvgPool2d) == 3
    convs = [m for m in pool.modules() if isinstance(m, nn.Conv2d)]
    assert all(c.stride == (1, 1) for c in convs)
    assert _count(pool, BN) == _count(base, BN)

    no_bn = DCGANDiscriminator(batchnorm=False, **kw)
    assert _count(no_bn, BN) == 0 and _count(base, BN) == 2

    input_bn = DCGANDiscriminator(input_batchnorm=True, **kw)
    assert _changed_blocks(input_bn, base) == {"input"}
    assert _count(input_bn.net.input, BN) == 1

    relu = DCGANDiscriminator(activation="relu", **kw)
    assert _count(relu, nn.LeakyReLU) == 0
    assert _count(relu, nn.ReLU) == _count(base, nn.LeakyReLU)

    fc = DCGANDiscriminator(fully_connected=True, **kw)
    assert _changed_blocks(fc, base) == {"output"}
    assert _count(fc, nn.Linear) == 2

    for model in (pool, no_bn, input_bn, relu, fc):
        assert model(x).shape == (4,)


def test_dcgan_init_statistics_and_seed():
    g = DCGANGenerator(latent_dim=100, channels=1, image_size=32, width=32, init=False)
    big = g.net.project[0].weight
    assert abs(big.std().item() - 0.02) > 0.005  # torch's default init is not DCGAN's
    assert dcgan_init_(g, torch.Generator().manual_seed(0)) is g
    assert big.std().item() == pytest.approx(0.02, rel=0.05)
    assert big.mean().item() == pytest.approx(0.0, abs=0.002)
    gammas = torch.cat([m.weight for m in g.modules() if isinstance(m, nn.BatchNorm2d)])
    assert gammas.mean().item() == pytest.approx(1.0, abs=0.01)
    assert gammas.std().item() == pytest.approx(0.02, rel=0.2)
    assert all(m.bias.abs().max() == 0 for m in g.modules() if isinstance(m, nn.BatchNorm2d))
    again = dcgan_init_(DCGANGenerator(latent_dim=100, channels=1, image_size=32, width=32),
                        torch.Generator().manual_seed(0))
    torch.testing.assert_close(again.net.project[0].weight, big)
    # ganlab's own BatchNorm and linear biases are covered too
    layers = dcgan_init_(nn.Sequential(nn.Linear(4, 400), BatchNorm(400)))
    assert layers[0].bias.abs().max() == 0 and layers[1].bias.abs().max() == 0
    assert layers[1].weight.std().item() == pytest.approx(0.02, rel=0.3)
    with pytest.raises(TypeError, match="nn.Module"):
        dcgan_init_(torch.zeros(3))


def test_dcgan_with_ganlab_batchnorm():
    g = DCGANGenerator(latent_dim=10, image_size=16, width=8, norm_layer=BatchNorm)
    d = DCGANDiscriminator(image_size=16, width=8, norm_layer=BatchNorm)
    assert _count(g, BatchNorm) == 2 and _count(d, BatchNorm) == 1
    assert _count(g, nn.BatchNorm2d) == 0
    assert d(g(torch.randn(4, 10))).shape == (4,)


def test_dcgan_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match=r"image_size must be one of \(16, 32, 64\)"):
        DCGANGenerator(image_size=28)
    with pytest.raises(ValueError, match="image_size"):
        DCGANDiscriminator(image_size=128)
    with pytest.raises(ValueError, match="upsample"):
        DCGANGenerator(upsample="bilinear")
    with pytest.raises(ValueError, match="downsample"):
        DCGANDiscriminator(downsample="max")
    with pytest.raises(ValueError, match="activation"):
        DCGANDiscriminator(activation="tanh")
    with pytest.raises(ValueError, match="channels"):
        DCGANGenerator(channels=0)
    d = DCGANDiscriminator(channels=1, image_size=32, width=8)
    with pytest.raises(ValueError, match=r"image_size=32, channels=1\) expects \(N, 1, 32, 32\), "
                                         r"got \(N, 3, 28, 28\)"):
        d(torch.randn(2, 3, 28, 28))
    with pytest.raises(ValueError, match="divisible by 2"):
        DCGANDiscriminator(channels=1, image_size=32, width=8, pack=2)(torch.randn(3, 1, 32, 32))
    with pytest.raises(ValueError, match=r"\(N, 100\)"):
        DCGANGenerator(width=8)(torch.randn(2, 64))


# ---------------------------------------------------------------- CycleGAN (chapter 7)

@pytest.mark.parametrize("size", (16, 32))
def test_cyclegan_shapes(size):
    g = ResnetGenerator(channels=1, width=8, n_blocks=2)
    x = torch.rand(2, 1, size, size) * 2 - 1
    y = g(x)
    assert y.shape == x.shape and y.abs().max() <= 1
    d = PatchDiscriminator(channels=1, width=8, n_layers=2)
    side = size // 4 - 2
    assert d(y).shape == (2, 1, side, side)
    assert ResnetGenerator(channels=3, width=4, n_blocks=1)(torch.randn(1, 3, 16, 16)).shape == \
        (1, 3, 16, 16)


def test_cyclegan_architecture():
    g = ResnetGenerator(channels=1, width=8, n_blocks=3)
    assert _count(g, nn.ReflectionPad2d) == 2 + 2 * 3
    assert _count(g, nn.InstanceNorm2d) == 1 + 2 + 2 * 3 + 2
    assert _count(g, nn.ConvTranspose2d) == 2
    assert [c.stride for c in g.modules() if isinstance(c, nn.Conv2d)].count((2, 2)) == 2
    assert isinstance(g.net[-1], nn.Tanh)
    d = PatchDiscriminator(channels=1, width=8, n_layers=2)
    assert isinstance(d.net[1], nn.LeakyReLU) and d.net[1].negative_slope == 0.2
    assert not isinstance(d.net[1], nn.InstanceNorm2d)  # no norm on the first layer
    assert _count(d, nn.InstanceNorm2d) == 2
    assert isinstance(d.net[-1], nn.Conv2d)  # raw scores, no sigmoid


def test_cyclegan_bad_inputs():
    with pytest.raises(ValueError, match=r"multiples of 4"):
        ResnetGenerator(width=4)(torch.randn(1, 1, 18, 18))
    with pytest.raises(ValueError, match=r"expects images \(N, 1, H, W\)"):
        PatchDiscriminator(width=4)(torch.randn(1, 3, 16, 16))
    with pytest.raises(ValueError, match="n_layers"):
        PatchDiscriminator(n_layers=0)


def test_image_pool_fills_then_mixes_old_and_new():
    pool = ImagePool(size=4, rng=torch.Generator().manual_seed(0))
    first = torch.arange(4.0).view(4, 1)
    torch.testing.assert_close(pool.query(first), first)  # filling: images pass through
    assert len(pool) == 4
    returned_old, total = 0, 0
    seen = set(range(4))
    for step in range(1, 51):
        new = torch.arange(4.0).view(4, 1) + 10 * step
        out = pool.query(new)
        assert out.shape == new.shape and len(pool) == 4
        for value_new, value_out in zip(new.flatten().tolist(), out.flatten().tolist()):
            assert value_out == value_new or value_out in seen  # new, or given to it before
            returned_old += value_out != value_new
            total += 1
            seen.add(value_new)
    assert 0.35 < returned_old / total < 0.65  # probability 1/2


def test_image_pool_size_zero_seed_and_detach():
    x = torch.randn(3, 1, 4, 4, requires_grad=True)
    assert ImagePool(size=0).query(x) is x
    runs = []
    for _ in range(2):
        pool = ImagePool(size=2, rng=torch.Generator().manual_seed(3))
        runs.append(torch.cat([pool.query(torch.randn(4, 1, generator=torch.Generator()
                                                      .manual_seed(i))) for i in range(5)]))
    torch.testing.assert_close(runs[0], runs[1])
    assert not ImagePool(size=2).query(x).requires_grad
    with pytest.raises(ValueError, match="size"):
        ImagePool(size=-1)


# ---------------------------------------------------------------- VAE (chapter 9)

def test_vae_shapes_and_sampling():
    vae = VAE(image_size=16, channels=1, latent_dim=4, hidden=8)
    x = torch.rand(5, 1, 16, 16) * 2 - 1
    recon, mu, logvar = vae(x)
    assert recon.shape == x.shape and mu.shape == (5, 4) and logvar.shape == (5, 4)
    samples = vae.generate(6, torch.Generator().manual_seed(0))
    assert samples.shape == (6, 1, 16, 16) and samples.abs().max() <= 1
    torch.testing.assert_close(samples, vae.generate(6, torch.Generator().manual_seed(0)))
    assert vae.reconstruct(x).shape == x.shape
    assert VAE(image_size=32, channels=3)(torch.randn(2, 3, 32, 32))[0].shape == (2, 3, 32, 32)


def test_vae_loss_is_the_negative_elbo():
    vae = VAE(latent_dim=4, hidden=8, recon_std=0.5)
    x = torch.rand(3, 1, 16, 16) * 2 - 1
    out = vae.loss(x, torch.Generator().manual_seed(5))
    mu, logvar = vae.encode(x)
    eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(5))
    recon = vae.decode(mu + torch.exp(0.5 * logvar) * eps)
    expected_rec = ((x - recon) ** 2).sum(dim=(1, 2, 3)).mean() / (2 * 0.25)
    var = logvar.exp()
    expected_kl = 0.5 * (mu ** 2 + var - torch.log(var) - 1).sum(1).mean()
    torch.testing.assert_close(out.reconstruction, expected_rec)
    torch.testing.assert_close(out.kl, expected_kl)
    torch.testing.assert_close(out.loss, expected_rec + expected_kl)
    assert out.kl >= 0


def test_vae_loss_decreases():
    from ganlab.data import digits
    torch.manual_seed(0)
    vae = VAE(latent_dim=4, hidden=8)
    x = digits(image_size=16).images[:32]
    opt = torch.optim.Adam(vae.parameters(), lr=3e-3)
    losses = []
    for step in range(20):
        loss = vae.loss(x, torch.Generator().manual_seed(step)).loss
        assert torch.isfinite(loss)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]


def test_vae_bad_inputs():
    with pytest.raises(ValueError, match="multiple of 4"):
        VAE(image_size=18)
    with pytest.raises(ValueError, match=r"expects \(N, 1, 16, 16\)"):
        VAE()(torch.randn(2, 1, 28, 28))
    with pytest.raises(ValueError, match=r"\(N, 8\)"):
        VAE().decode(torch.randn(2, 3))


def test_dcgan_hardtanh_output_reaches_the_background_exactly():
    torch.manual_seed(0)
    G = DCGANGenerator(latent_dim=8, image_size=16, width=8, output="hardtanh")
    with torch.no_grad():
        G.net.output[0].weight.mul_(1e3)  # push the pre-activations far out
        images = G.generate(4, torch.Generator().manual_seed(0))
    assert images.min() == -1.0 and images.max() == 1.0
    with pytest.raises(ValueError, match="output must be one of"):
        DCGANGenerator(output="sigmoid")
