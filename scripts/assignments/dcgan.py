"""Assignment 04-dcgan: a DCGAN generator and discriminator that follow the five guidelines,
and the DCGAN weight initialisation (Radford et al., 2016; chapter 5)."""
from __future__ import annotations

from .cells import markdown, notebook, setup, solution, tests

NAME = "04-dcgan"

# The tests' own tools, written into every test cell so that no learner cell can replace them.
# _layer_calls records every layer (leaf module) a network calls, in order, with the shapes
# that went in and came out; the guideline checks read the architecture from that trace.
TRACE = '''
def _layer_calls(model, x):
    """Run model(x); return (output, [(layer, input shape, output shape), ...]) in call order."""
    calls = []
    def record(layer, inputs, output):
        calls.append((layer, tuple(inputs[0].shape), tuple(output.shape)))
    leaves = [m for m in model.modules() if next(m.children(), None) is None]
    handles = [m.register_forward_hook(record) for m in leaves]
    try:
        out = model(x)
    finally:
        for handle in handles:
            handle.remove()
    checks.assert_true(len(calls) > 0, f"{type(model).__name__} called no nn layers: build the network "
                       "as self.net = nn.Sequential(...) of modules in __init__ and call it in forward")
    for i in range(len(calls) - 1):
        checks.assert_true(calls[i + 1][1] == calls[i][2],
                           f"layer {i + 1} ({type(calls[i + 1][0]).__name__}) received shape {calls[i + 1][1]} "
                           f"but layer {i} ({type(calls[i][0]).__name__}) returned {calls[i][2]}: keep every layer "
                           "in one nn.Sequential, with no resizing or functional layers between them")
    return out, calls


def _names(calls):
    return [type(layer).__name__ for layer, _, _ in calls]
'''

G_RULES = TRACE + '''
def _check_generator_guidelines(G, z, image_size):
    """Read G's layers from a forward pass and check the DCGAN guidelines, with a reason for each."""
    out, calls = _layer_calls(G, z)
    names = _names(calls)
    while names and names[0] == "Unflatten":  # reshaping z to (N, latent_dim, 1, 1) is fine
        names, calls = names[1:], calls[1:]
    for layer, name in zip((c[0] for c in calls), names):
        checks.assert_true(not isinstance(layer, nn.Linear),
                           "guideline 3: G has an nn.Linear layer. Project z with nn.ConvTranspose2d(latent_dim, C, 4, 1, 0) "
                           "applied to z as a 1x1 map, not with a fully connected layer")
        checks.assert_true("Pool" not in name and "Upsampl" not in name and not isinstance(layer, nn.Upsample),
                           f"guideline 1: G uses {name}. Upsample with learned, fractionally strided convolutions: "
                           "nn.ConvTranspose2d(c_in, c_out, 4, 2, 1) doubles the size")
        checks.assert_true(name != "Conv2d", "G uses nn.Conv2d: in the DCGAN generator every layer is an nn.ConvTranspose2d "
                           "(a transposed convolution learns its upsampling)")
        checks.assert_true(name not in ("LeakyReLU", "PReLU", "ELU", "SELU", "GELU"),
                           f"guideline 4: G uses {name}; the generator's hidden layers use plain nn.ReLU()")
        checks.assert_true(name not in ("Sigmoid", "Hardtanh"), f"G's output layer uses {name}: DCGAN's generator ends with "
                           "nn.Tanh(), so that images lie in [-1, 1] like the training data")
    for name in names:
        checks.assert_true(name in ("ConvTranspose2d", "BatchNorm2d", "ReLU", "Tanh"),
                           f"G uses {name}; a DCGAN generator is built from ConvTranspose2d, BatchNorm2d, ReLU and Tanh only")
    checks.assert_true(names[-1] == "Tanh", f"G's last layer is {names[-1]}; it must be nn.Tanh() (guideline 4)")
    checks.assert_true(len(names) < 2 or names[-2] != "BatchNorm2d", "guideline 2: batch norm on G's output layer. The output layer is "
                       "ConvTranspose2d followed directly by Tanh; normalising it would force every image to the "
                       "same mean and spread")
    n_conv = names.count("ConvTranspose2d")
    checks.assert_true(n_conv >= 2, f"G has {n_conv} transposed convolution(s); it needs hidden layers too")
    expected = ["ConvTranspose2d", "BatchNorm2d", "ReLU"] * (n_conv - 1) + ["ConvTranspose2d", "Tanh"]
    checks.assert_true(names == expected,
                       f"G's layers are {names}; guidelines 2 and 4 give {expected}: every hidden transposed "
                       "convolution is followed by BatchNorm2d then ReLU, the output one by Tanh only")
    checks.assert_true(calls[0][1][2:] == (1, 1), f"G's first layer received {calls[0][1]}: feed z as a 1x1 map, "
                       "z.view(N, latent_dim, 1, 1), so that the transposed convolutions grow it to the image")
    checks.assert_true(calls[-1][2][2:] == (image_size, image_size),
                       f"G's transposed convolutions end at {calls[-1][2][2:]}, not at {image_size}x{image_size}")
    checks.assert_true(bool(out.min() >= -1) and bool(out.max() <= 1), "G's images must lie in [-1, 1] (Tanh)")
    checks.assert_true(bool(out.min() < 0) and bool(out.max() > 0),
                       "G's images should use the whole range [-1, 1], negative values included")
'''

D_RULES = TRACE + '''
def _check_discriminator_guidelines(D, x):
    """Read D's layers from a forward pass and check the DCGAN guidelines, with a reason for each."""
    _, calls = _layer_calls(D, x)
    names = _names(calls)
    while names and names[-1] == "Flatten":  # flattening the 1x1 logit map is fine
        names, calls = names[:-1], calls[:-1]
    for layer, name in zip((c[0] for c in calls), names):
        checks.assert_true(not isinstance(layer, nn.Linear),
                           "guideline 3: D has an nn.Linear layer. The last layer is a convolution, "
                           "nn.Conv2d(C, 1, 4, 1, 0), that turns the 4x4 map into one logit")
        checks.assert_true("Pool" not in name, f"guideline 1: D uses {name}. Downsample with strided convolutions, "
                           "nn.Conv2d(c_in, c_out, 4, 2, 1), so that D learns its own downsampling")
        checks.assert_true(name != "Sigmoid", "D ends with a sigmoid: return the raw logit; the loss "
                           "(binary cross-entropy with logits) applies the sigmoid itself")
        checks.assert_true(name != "ReLU", "guideline 5: D uses nn.ReLU; use nn.LeakyReLU(0.2), which keeps a "
                           "gradient for negative inputs")
        if name == "LeakyReLU":
            checks.assert_true(abs(layer.negative_slope - 0.2) < 1e-9,
                               f"guideline 5: LeakyReLU with slope {layer.negative_slope}; DCGAN uses "
                               "nn.LeakyReLU(0.2) (the default slope of nn.LeakyReLU() is 0.01)")
    for name in names:
        checks.assert_true(name in ("Conv2d", "BatchNorm2d", "LeakyReLU"),
                           f"D uses {name}; a DCGAN discriminator is built from Conv2d, BatchNorm2d and LeakyReLU only")
    checks.assert_true(len(names) < 2 or names[1] != "BatchNorm2d",
                       "guideline 2: batch norm on D's input layer. The first convolution is followed by LeakyReLU "
                       "only; batch norm there makes D judge an image by the statistics of its batch")
    n_conv = names.count("Conv2d")
    checks.assert_true(n_conv >= 3, f"D has {n_conv} convolution(s); it needs an input layer, at least one hidden "
                       "layer with batch norm, and an output layer")
    expected = (["Conv2d", "LeakyReLU"] + ["Conv2d", "BatchNorm2d", "LeakyReLU"] * (n_conv - 2) + ["Conv2d"])
    checks.assert_true(names == expected,
                       f"D's layers are {names}; the guidelines give {expected}: no batch norm on the input "
                       "layer, BatchNorm2d + LeakyReLU(0.2) after every hidden convolution, and a last "
                       "convolution that returns the logit")
    checks.assert_true(calls[-1][2][2:] == (1, 1), f"D's last convolution returns a {calls[-1][2][2:]} map; "
                       "it should return one 1x1 logit per image")
'''

INTRO = r"""
# Assignment 4 — DCGAN (10 points)

Radford, Metz and Chintala (2016) found an architecture that made convolutional GANs train
reliably. Their **five guidelines** (lecture handouts `000` and `002`, chapter 5 of the book),
in the paper's order (handout `000` lists its points in another order; chapter 5 maps them):

1. **No pooling.** The discriminator (판별자) downsamples with *strided* convolutions, the
   generator (생성자) upsamples with *fractionally strided* (transposed) convolutions: both
   networks learn their own resampling.
2. **Batch normalisation** (배치 정규화) in both networks, **except** on the generator's output
   layer and the discriminator's input layer.
3. **No fully connected hidden layers.**
4. **ReLU** in the generator, with **Tanh** at the output.
5. **LeakyReLU** (slope 0.2) in the discriminator.

and one rule for the start of training: every convolution weight is drawn from
$\mathcal{N}(0, 0.02^2)$.

| part | you write | points |
| --- | --- | --- |
| 1 | `dcgan_init_(module)`: the DCGAN weight initialisation | 2 |
| 2 | `Generator`: $z \mapsto$ a 16x16 or 32x32 image | 2 (shapes) + 2 (guidelines) |
| 3 | `Discriminator`: an image $\mapsto$ one **logit** | 2 (shapes, logits) + 2 (guidelines) |

The tests read your architecture from a forward pass: they record every layer your network
calls. So build each network from `torch.nn` **modules** in one `nn.Sequential` (not with
`F.relu` and friends inside `forward`). Write your code where it says
`raise NotImplementedError()`, then run the test cell under it; hidden tests with other sizes
and seeds decide the grade.
"""

PART1 = r"""
## Part 1 — weight initialisation (2 points)

DCGAN initialises

* every `nn.Conv2d`, `nn.ConvTranspose2d` (and `nn.Linear`) weight $w \sim \mathcal{N}(0, 0.02^2)$:
  mean 0, **standard deviation** 0.02;
* every batch-norm scale $\gamma$ (`weight` of `nn.BatchNorm1d` / `nn.BatchNorm2d`) from
  $\mathcal{N}(1, 0.02^2)$: around 1, so that a fresh batch-norm layer starts close to the identity;
* every bias, and every batch-norm shift $\beta$ (`bias`), to 0.

`module.modules()` walks a network and all the layers inside it, however deeply nested.
Change the tensors **in place** with `nn.init.normal_(tensor, mean, std)` and
`nn.init.zeros_(tensor)` (a layer built with `bias=False` has `layer.bias is None`). Return
`module`, so that `G = dcgan_init_(Generator())` works.

*The tests* fill a nested network with a constant, call your function and measure each layer:
mean, standard deviation, the share of weights within one standard deviation (about 68 %
for a normal distribution), and biases. Common slips: 0.2 instead of 0.02, batch-norm scales
around 0, uniform instead of normal noise.
"""

SCAFFOLD_INIT = '''
def dcgan_init_(module):
    """DCGAN initialisation, in place: conv weights N(0, 0.02^2), batch-norm scales N(1, 0.02^2),
    biases and batch-norm shifts 0. Returns module."""
    {solution}
'''

SOLUTION_INIT = '''
for layer in module.modules():
    if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(layer.weight, mean=0.0, std=0.02)
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)
    elif isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(layer.weight, mean=1.0, std=0.02)  # the scale gamma
        nn.init.zeros_(layer.bias)  # the shift beta
return module
'''

INIT_HELPERS = '''
def _check_normal(tensor, mean, what):
    """Mean, standard deviation 0.02 and the normal's 68 % within one standard deviation."""
    values = tensor.detach().double().flatten()
    n = values.numel()
    checks.assert_scalar_close(values.std().item(), 0.02, atol=max(0.0005, 10 * 0.02 / math.sqrt(2 * n)), rtol=0.0,
                               what=f"standard deviation of {what}: 0.02, not 0.2 and not the layer's default")
    checks.assert_scalar_close(values.mean().item(), mean, atol=max(0.001, 10 * 0.02 / math.sqrt(n)), rtol=0.0,
                               what=f"mean of {what} ({n} values)")
    inside = ((values - mean).abs() < 0.02).double().mean().item()
    checks.assert_scalar_close(inside, 0.6827, atol=max(0.02, 10 / math.sqrt(n)), rtol=0.0,
                               what=f"share of {what} within one standard deviation of the mean (normal: 68 %; "
                                    "uniform noise gives 58 %): draw with nn.init.normal_")

def _filled(net, value):
    with torch.no_grad():
        for p in net.parameters():
            p.fill_(value)
    return net
'''

VISIBLE_INIT = INIT_HELPERS + '''
torch.manual_seed(4)
_net = _filled(nn.Sequential(nn.Conv2d(16, 64, 4, bias=True), nn.BatchNorm2d(512),
                             nn.Sequential(nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False))), 3.0)
_out = dcgan_init_(_net)
checks.assert_true(_out is _net, "dcgan_init_ should return the module it was given (changed in place)")
_check_normal(_net[0].weight, 0.0, "the Conv2d weights")
checks.assert_true(bool((_net[0].bias == 0).all()), "the Conv2d bias must be set to 0")
_check_normal(_net[1].weight, 1.0, "the BatchNorm2d scales gamma (drawn around 1, not 0)")
checks.assert_true(bool((_net[1].bias == 0).all()), "the BatchNorm2d shifts beta (its .bias) must be set to 0")
_check_normal(_net[2][0].weight, 0.0, "the ConvTranspose2d weights inside a nested nn.Sequential")
'''

HIDDEN_INIT = INIT_HELPERS + '''
torch.manual_seed(404)
class _Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(256, 128, 4, 2, 1, bias=True)
        self.norm = nn.BatchNorm2d(4096)
        self.inner = nn.Sequential(nn.Conv2d(128, 256, 4, 2, 1, bias=True), nn.LeakyReLU(0.2), nn.BatchNorm1d(2048))
_big = _filled(_Block(), -2.5)
dcgan_init_(_big)
_check_normal(_big.up.weight, 0.0, "a ConvTranspose2d(256, 128, 4) weight")
_check_normal(_big.inner[0].weight, 0.0, "a Conv2d(128, 256, 4) weight inside a nested block")
_check_normal(_big.norm.weight, 1.0, "the scales of a BatchNorm2d(4096)")
_check_normal(_big.inner[2].weight, 1.0, "the scales of a BatchNorm1d(2048)")
for _name, _bias in [("ConvTranspose2d", _big.up.bias), ("Conv2d", _big.inner[0].bias),
                     ("BatchNorm2d", _big.norm.bias), ("BatchNorm1d", _big.inner[2].bias)]:
    checks.assert_true(bool((_bias == 0).all()), f"the {_name} bias must be set to 0")
# Two calls draw different weights: the draw is random, not a fixed pattern.
_a = dcgan_init_(_filled(nn.Conv2d(8, 8, 3), 1.0)).weight.detach().clone()
_b = dcgan_init_(_filled(nn.Conv2d(8, 8, 3), 1.0)).weight.detach().clone()
checks.assert_true(not torch.equal(_a, _b), "two calls gave identical weights: draw them at random (nn.init.normal_)")
'''

PART2 = r"""
## Part 2 — the generator (4 points)

The generator turns a latent vector $z \in \mathbb{R}^{d}$ (the "seed" of an image, a point of
the 잠재 공간 latent space) into an image. View $z$ as a $d$-channel **1x1 image** and let
transposed convolutions grow it:

| layer | operation | output (16x16, width $w$) | output (32x32) |
| --- | --- | --- | --- |
| projection | `ConvTranspose2d(latent_dim, C0, 4, 1, 0)` + BN + ReLU | $2w \times 4 \times 4$ | $4w \times 4 \times 4$ |
| hidden | `ConvTranspose2d(c, c/2, 4, 2, 1)` + BN + ReLU, doubles the size | $w \times 8 \times 8$ | $2w \times 8 \times 8$, $w \times 16 \times 16$ |
| output | `ConvTranspose2d(w, channels, 4, 2, 1)` + **Tanh**, **no** BN | $1 \times 16 \times 16$ | $1 \times 32 \times 32$ |

A `ConvTranspose2d` with kernel 4, stride 2 and padding 1 exactly doubles the height and
width: $(H - 1) \cdot 2 - 2 \cdot 1 + 4 = 2H$. The first layer, kernel 4 and stride 1 on a
1x1 input, is a learned projection of $z$ onto a 4x4 map, the "project and reshape" of the
paper without a fully connected layer. So a 16x16 generator has $\log_2(16/4) = 2$ layers
before the output layer, a 32x32 one has 3. You may give the convolutions `bias=False`
(batch norm's $\beta$ does the job of a bias), as the PyTorch DCGAN example does.

`forward(z)` receives `z` of shape `(N, latent_dim)` and returns `(N, channels, S, S)` with
values in $[-1, 1]$, like the training images.

*The tests* build generators with other batch sizes, latent sizes, widths and both image
sizes, then read the layers of a forward pass: only `ConvTranspose2d`, `BatchNorm2d`, `ReLU`
and `Tanh`; BN + ReLU after every hidden transposed convolution; Tanh right after the last
one; no `Linear`, pooling or `Upsample`; outputs in $[-1, 1]$.
"""

SCAFFOLD_G = '''
class Generator(nn.Module):
    """DCGAN generator: z of shape (N, latent_dim) -> images (N, channels, image_size, image_size) in [-1, 1]."""

    def __init__(self, latent_dim=100, channels=1, image_size=16, width=32):
        super().__init__()
        if image_size not in (16, 32):
            raise ValueError(f"image_size must be 16 or 32, got {image_size!r}")
        self.latent_dim = latent_dim
        # Build self.net = nn.Sequential(...) here.
        {solution}

    def forward(self, z):
        {solution}
'''

SOLUTION_G_INIT = '''
stages = {16: 2, 32: 3}[image_size]  # layers before the output layer: log2(image_size / 4)
widths = [width * 2 ** i for i in reversed(range(stages))]  # 16: [2w, w]; 32: [4w, 2w, w]
layers = [nn.ConvTranspose2d(latent_dim, widths[0], 4, 1, 0, bias=False),  # 1x1 -> 4x4
          nn.BatchNorm2d(widths[0]), nn.ReLU()]
for c_in, c_out in zip(widths[:-1], widths[1:]):  # each doubles the size, halves the channels
    layers += [nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
layers += [nn.ConvTranspose2d(widths[-1], channels, 4, 2, 1, bias=False), nn.Tanh()]  # output: no batch norm
self.net = nn.Sequential(*layers)
'''

SOLUTION_G_FORWARD = '''
return self.net(z.view(z.shape[0], self.latent_dim, 1, 1))
'''

VISIBLE_G_SHAPES = '''
_G = Generator(latent_dim=100, image_size=16, width=32)
checks.assert_true(isinstance(_G, nn.Module), "Generator must be an nn.Module")
_img = _G(torch.randn(5, 100, generator=checks.rng(0)))
checks.assert_tensor(_img, "Generator(latent_dim=100, image_size=16)(z)")
checks.assert_shape(_img, (5, 1, 16, 16), "G(z) for z of shape (5, 100), image_size=16")
_img = Generator(latent_dim=100, image_size=32, width=32)(torch.randn(3, 100, generator=checks.rng(1)))
checks.assert_shape(_img, (3, 1, 32, 32), "G(z) for z of shape (3, 100), image_size=32")
'''

HIDDEN_G_SHAPES = '''
_gen = checks.rng(4201)
for _n, _latent, _size, _width, _channels in [(2, 16, 16, 8, 1), (7, 64, 32, 16, 1), (4, 100, 32, 8, 1),
                                              (6, 20, 16, 12, 3), (3, 5, 32, 4, 2)]:
    _G = Generator(latent_dim=_latent, channels=_channels, image_size=_size, width=_width)
    checks.assert_true(isinstance(_G, nn.Module), "Generator must be an nn.Module")
    _img = _G(torch.randn(_n, _latent, generator=_gen))
    _what = f"Generator(latent_dim={_latent}, channels={_channels}, image_size={_size}, width={_width}) on z of shape ({_n}, {_latent})"
    checks.assert_tensor(_img, _what)
    checks.assert_shape(_img, (_n, _channels, _size, _size), _what)
'''

VISIBLE_G_RULES = G_RULES + '''
_check_generator_guidelines(Generator(latent_dim=100, image_size=16, width=32),
                            3 * torch.randn(64, 100, generator=checks.rng(2)), image_size=16)
'''

HIDDEN_G_RULES = G_RULES + '''
_gen = checks.rng(4202)
for _latent, _size, _width in [(100, 32, 32), (12, 16, 8), (40, 32, 6)]:
    _check_generator_guidelines(Generator(latent_dim=_latent, image_size=_size, width=_width),
                                3 * torch.randn(32, _latent, generator=_gen), image_size=_size)
'''

PART3 = r"""
## Part 3 — the discriminator (4 points)

The discriminator mirrors the generator: strided convolutions halve the size until a 4x4 map
is left, and a last convolution turns that map into **one number per image**:

| layer | operation | output (16x16, width $w$) | output (32x32) |
| --- | --- | --- | --- |
| input | `Conv2d(channels, w, 4, 2, 1)` + LeakyReLU(0.2), **no** BN | $w \times 8 \times 8$ | $w \times 16 \times 16$ |
| hidden | `Conv2d(c, 2c, 4, 2, 1)` + BN + LeakyReLU(0.2), halves the size | $2w \times 4 \times 4$ | $2w \times 8 \times 8$, $4w \times 4 \times 4$ |
| output | `Conv2d(C, 1, 4, 1, 0)`, nothing after it | $1 \times 1 \times 1$ | $1 \times 1 \times 1$ |

`forward(x)` returns a tensor of shape `(N,)` (flatten the `(N, 1, 1, 1)` map with
`.reshape(-1)`). It returns the **logit** $\ell(x)$, not the probability
$D(x) = \sigma(\ell(x))$: the losses of assignment 2 (binary cross-entropy *with logits*) apply
the sigmoid themselves, in a numerically stable way, so a sigmoid here would be applied twice.

Why no batch norm on the input layer? Batch norm replaces each channel by its deviation from
the **batch** mean. On the raw images that throws away what D must judge (how bright, how
spread the pixels are), and it makes D's verdict on one image depend on the other images in
the batch. DCGAN leaves the first layer without it.

*The tests* check shapes for other batch sizes, widths and image sizes, that the outputs are
logits (with large random weights they leave $[0, 1]$), and the layers of a forward pass: only
`Conv2d`, `BatchNorm2d` and `LeakyReLU(0.2)`; no BN right after the first convolution; BN +
LeakyReLU after every hidden convolution; nothing after the last.
"""

SCAFFOLD_D = '''
class Discriminator(nn.Module):
    """DCGAN discriminator: images (N, channels, image_size, image_size) -> logits of shape (N,)."""

    def __init__(self, channels=1, image_size=16, width=32):
        super().__init__()
        if image_size not in (16, 32):
            raise ValueError(f"image_size must be 16 or 32, got {image_size!r}")
        # Build self.net = nn.Sequential(...) here.
        {solution}

    def forward(self, x):
        {solution}
'''

SOLUTION_D_INIT = '''
stages = {16: 2, 32: 3}[image_size]  # layers before the output layer
widths = [width * 2 ** i for i in range(stages)]  # 16: [w, 2w]; 32: [w, 2w, 4w]
layers = [nn.Conv2d(channels, widths[0], 4, 2, 1, bias=False), nn.LeakyReLU(0.2)]  # input layer: no batch norm
for c_in, c_out in zip(widths[:-1], widths[1:]):  # each halves the size, doubles the channels
    layers += [nn.Conv2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2)]
layers += [nn.Conv2d(widths[-1], 1, 4, 1, 0, bias=False)]  # 4x4 -> 1x1: one logit, no sigmoid
self.net = nn.Sequential(*layers)
'''

SOLUTION_D_FORWARD = '''
return self.net(x).reshape(-1)
'''

LOGITS = '''
def _check_logits(D, x, what):
    """With large random weights a logit leaves [0, 1]; a probability never does."""
    with torch.no_grad():
        _g = checks.rng(4300 + x.shape[0])
        for _m in D.modules():
            if isinstance(_m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                _m.weight.copy_(torch.randn(_m.weight.shape, generator=_g))
        _scores = D(x)
    checks.assert_tensor(_scores, what)
    checks.assert_true(bool((_scores < 0).any()) or bool((_scores > 1).any()),
                       f"{what}: every output lies in [0, 1], even with large random weights. D must return the raw "
                       "logit; remove the sigmoid (the loss applies it)")
'''

VISIBLE_D_SHAPES = LOGITS + '''
_D = Discriminator(image_size=16, width=32)
checks.assert_true(isinstance(_D, nn.Module), "Discriminator must be an nn.Module")
_x = 2 * torch.rand(5, 1, 16, 16, generator=checks.rng(3)) - 1
_scores = _D(_x)
checks.assert_tensor(_scores, "Discriminator(image_size=16)(x)")
checks.assert_shape(_scores, (5,), "D(x) for x of shape (5, 1, 16, 16): one logit per image, so flatten with .reshape(-1)")
_check_logits(Discriminator(image_size=16, width=16), 2 * torch.rand(32, 1, 16, 16, generator=checks.rng(4)) - 1,
              "D(x) for 32 images of 16x16")
'''

HIDDEN_D_SHAPES = LOGITS + '''
_gen = checks.rng(4301)
for _n, _size, _width, _channels in [(2, 16, 8, 1), (9, 32, 16, 1), (4, 32, 4, 3), (6, 16, 12, 2)]:
    _D = Discriminator(channels=_channels, image_size=_size, width=_width)
    checks.assert_true(isinstance(_D, nn.Module), "Discriminator must be an nn.Module")
    _what = f"Discriminator(channels={_channels}, image_size={_size}, width={_width}) on x of shape ({_n}, {_channels}, {_size}, {_size})"
    _scores = _D(2 * torch.rand(_n, _channels, _size, _size, generator=_gen) - 1)
    checks.assert_tensor(_scores, _what)
    checks.assert_shape(_scores, (_n,), _what)
_check_logits(Discriminator(image_size=32, width=8), 2 * torch.rand(24, 1, 32, 32, generator=_gen) - 1,
              "D(x) for 24 images of 32x32")
'''

VISIBLE_D_RULES = D_RULES + '''
_check_discriminator_guidelines(Discriminator(image_size=16, width=32),
                                2 * torch.rand(8, 1, 16, 16, generator=checks.rng(5)) - 1)
'''

HIDDEN_D_RULES = D_RULES + '''
_gen = checks.rng(4302)
for _size, _width in [(32, 32), (16, 8), (32, 6)]:
    _check_discriminator_guidelines(Discriminator(image_size=_size, width=_width),
                                    2 * torch.rand(6, 1, _size, _size, generator=_gen) - 1)
'''

OUTRO = r"""
## Putting it together

```python
G = dcgan_init_(Generator(latent_dim=100, image_size=16))
D = dcgan_init_(Discriminator(image_size=16))
# Adam(lr=2e-4, betas=(0.5, 0.999)) for both, the losses of assignment 2, the step of assignment 3
```

Chapter 5 trains exactly these networks on 16x16 digits with `ganlab.train.train_gan`, then
breaks one guideline at a time (pooling in D, upsampling + convolution in G, no batch norm, a
fully connected layer, ReLU in D) and measures what each one costs; chapter 6 measures batch
norm on D's input. Assignment 5 writes batch norm itself.
"""

# Classic mistakes, injected by tests/test_assignments.py: (solution cell, exact text in the
# solution, replacement, test cells that must fail); every other test cell must still pass.
MISTAKES = {
    "init: standard deviation 0.2 instead of 0.02": (
        "dcgan_init", "nn.init.normal_(layer.weight, mean=0.0, std=0.02)",
        "nn.init.normal_(layer.weight, mean=0.0, std=0.2)", {"test_init": "standard deviation"}),
    "init: batch-norm scales drawn around 0 instead of 1": (
        "dcgan_init", "nn.init.normal_(layer.weight, mean=1.0, std=0.02)",
        "nn.init.normal_(layer.weight, mean=0.0, std=0.02)", {"test_init": "drawn around 1"}),
    "init: batch-norm shifts not zeroed": (
        "dcgan_init", "nn.init.zeros_(layer.bias)  # the shift beta", "pass", {"test_init": "shifts beta"}),
    "init: uniform instead of normal noise": (
        "dcgan_init", "nn.init.normal_(layer.weight, mean=0.0, std=0.02)",
        "nn.init.uniform_(layer.weight, -0.02 * math.sqrt(3), 0.02 * math.sqrt(3))", {"test_init": "nn.init.normal_"}),
    "G: batch norm on the output layer": (
        "generator", "nn.ConvTranspose2d(widths[-1], channels, 4, 2, 1, bias=False), nn.Tanh()",
        "nn.ConvTranspose2d(widths[-1], channels, 4, 2, 1, bias=False), nn.BatchNorm2d(channels), nn.Tanh()",
        {"test_generator_guidelines": "batch norm on G's output layer"}),
    "G: nearest-neighbour upsampling and a convolution instead of a transposed convolution": (
        "generator", "nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False)",
        "nn.Upsample(scale_factor=2), nn.Conv2d(c_in, c_out, 3, 1, 1, bias=False)",
        {"test_generator_guidelines": "guideline 1"}),
    "G: sigmoid output instead of tanh": (
        "generator", "bias=False), nn.Tanh()]", "bias=False), nn.Sigmoid()]", {"test_generator_guidelines": "nn.Tanh()"}),
    "G: LeakyReLU instead of ReLU": (
        "generator", "nn.BatchNorm2d(c_out), nn.ReLU()]", "nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2)]",
        {"test_generator_guidelines": "guideline 4"}),
    "G: a fully connected projection of z": (
        "generator", "layers = [nn.ConvTranspose2d(latent_dim, widths[0], 4, 1, 0, bias=False),  # 1x1 -> 4x4",
        "layers = [nn.Flatten(), nn.Linear(latent_dim, widths[0] * 16, bias=False), nn.Unflatten(1, (widths[0], 4, 4)),",
        {"test_generator_guidelines": "guideline 3"}),
    "D: batch norm on the input layer": (
        "discriminator", "nn.Conv2d(channels, widths[0], 4, 2, 1, bias=False), nn.LeakyReLU(0.2)]",
        "nn.Conv2d(channels, widths[0], 4, 2, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.LeakyReLU(0.2)]",
        {"test_discriminator_guidelines": "batch norm on D's input layer"}),
    "D: sigmoid applied in forward (probabilities, not logits)": (
        "discriminator", "return self.net(x).reshape(-1)", "return torch.sigmoid(self.net(x)).reshape(-1)",
        {"test_discriminator_shapes": "raw logit"}),
    "D: an nn.Sigmoid layer at the end": (
        "discriminator", "bias=False)]  # 4x4 -> 1x1", "bias=False), nn.Sigmoid()]  # 4x4 -> 1x1",
        {"test_discriminator_shapes": "raw logit", "test_discriminator_guidelines": "sigmoid"}),
    "D: ReLU instead of LeakyReLU": (
        "discriminator", "nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2)]", "nn.BatchNorm2d(c_out), nn.ReLU()]",
        {"test_discriminator_guidelines": "guideline 5"}),
    "D: LeakyReLU with the default slope 0.01": (
        "discriminator", "nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2)]", "nn.BatchNorm2d(c_out), nn.LeakyReLU()]",
        {"test_discriminator_guidelines": "slope 0.01"}),
    "D: max pooling instead of strided convolutions": (
        "discriminator", "nn.Conv2d(c_in, c_out, 4, 2, 1, bias=False)",
        "nn.Conv2d(c_in, c_out, 3, 1, 1, bias=False), nn.MaxPool2d(2)",
        {"test_discriminator_guidelines": "guideline 1"}),
    "D: returns (N, 1, 1, 1) instead of (N,)": (
        "discriminator", "return self.net(x).reshape(-1)", "return self.net(x)", {"test_discriminator_shapes": ".reshape(-1)"}),
}


def build():
    """The notebook of assignment 04-dcgan."""
    return notebook([
        setup(),
        markdown("intro", INTRO),
        markdown("part1", PART1),
        solution("dcgan_init", SCAFFOLD_INIT, SOLUTION_INIT),
        tests("test_init", 2, VISIBLE_INIT, HIDDEN_INIT),
        markdown("part2", PART2),
        solution("generator", SCAFFOLD_G, SOLUTION_G_INIT, SOLUTION_G_FORWARD),
        tests("test_generator_shapes", 2, VISIBLE_G_SHAPES, HIDDEN_G_SHAPES),
        tests("test_generator_guidelines", 2, VISIBLE_G_RULES, HIDDEN_G_RULES),
        markdown("part3", PART3),
        solution("discriminator", SCAFFOLD_D, SOLUTION_D_INIT, SOLUTION_D_FORWARD),
        tests("test_discriminator_shapes", 2, VISIBLE_D_SHAPES, HIDDEN_D_SHAPES),
        tests("test_discriminator_guidelines", 2, VISIBLE_D_RULES, HIDDEN_D_RULES),
        markdown("outro", OUTRO),
    ])
