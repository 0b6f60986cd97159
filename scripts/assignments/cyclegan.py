"""Assignment 06-cyclegan: the cycle-consistency, identity and least-squares adversarial losses,
the discriminators' loss with detached fakes, and the generators' full objective
(Zhu et al., 2017; Mao et al., 2017; chapter 7)."""
from __future__ import annotations

import textwrap

from .cells import markdown, notebook, setup, solution, tests

NAME = "06-cyclegan"

IMAGES = '''
def _images(shape, gen):
    """Images in [-1, 1], as the generators produce them."""
    return 2 * torch.rand(shape, generator=gen) - 1

def _check_scalar(got, expected, what, mistakes=(), atol=1e-6, rtol=1e-5):
    """got: a 0-dim tensor close to the float expected; if it equals a known slip, say which."""
    checks.restore()  # the learner's function just ran: trust nothing it may have replaced
    checks.assert_tensor(got, what)
    checks.assert_shape(got, (), what + ": a mean, a 0-dim tensor")
    for hint, wrong in mistakes:
        far_from_answer = abs(wrong - expected) > 1e-3 * (1 + abs(expected))
        if far_from_answer and abs(float(got) - wrong) <= 1e-5 + 1e-4 * abs(wrong):
            checks.assert_true(False, f"{what}: expected {expected:.6f}, got {float(got):.6f}. {hint}")
    checks.assert_close(got.detach().double(), torch.tensor(expected, dtype=torch.float64), what, atol=atol, rtol=rtol)
'''

INTRO = r"""
# Assignment 6 — CycleGAN's losses (10 points)

CycleGAN (Zhu et al., 2017) learns to translate between two image domains $A$ and $B$
(horses and zebras; in chapter 7, digits and their negatives) from **unpaired** examples.
Two generators, $G: A \to B$ (`g_ab`) and $F: B \to A$ (`g_ba`), and two discriminators,
$D_B$ (is this a real image of $B$?) and $D_A$, play two GAN games at once. Three losses
make it work:

* **adversarial** (적대적) losses, in the least-squares form of LSGAN (Mao et al., 2017): each
  generator's images should look like the other domain;
* **cycle consistency**: translating there and back should return the original,
  $F(G(a)) \approx a$ and $G(F(b)) \approx b$; without it, $G$ could map every horse to the
  same zebra;
* **identity**: a generator given an image that is already in its output domain should leave
  it alone, $G(b) \approx b$ (it preserves colours and tones).

| part | you write | points |
| --- | --- | --- |
| 1 | `cycle_loss(real, reconstructed)`: $\lVert F(G(a)) - a \rVert_1$ | 2 |
| 2 | `identity_loss(real, mapped)`: $\lVert G(b) - b \rVert_1$ | 1 |
| 3 | `d_loss_least_squares`, `g_loss_least_squares`: LSGAN | 2 + 1 |
| 4 | `discriminator_loss(discriminator, real, fake)`: D's loss, fakes detached | 2 |
| 5 | `generator_objective(...)`: both generators' full loss with $\lambda$ | 2 |

The tests use small stub networks (single convolutions with fixed random weights) so that
only your loss code is graded. The conventions are those of `ganlab.losses` and
`ganlab.train.train_cyclegan`, which chapter 7 trains with.
"""

PART1 = r"""
## Part 1 — cycle consistency (2 points)

$$
L_{cyc}(a) = \lVert F(G(a)) - a \rVert_1
  = \frac{1}{n}\sum_{k=1}^{n} \bigl|\,F(G(a))_k - a_k\,\bigr| ,
$$

the **mean absolute error** over every value of the batch (every image, channel and pixel).
CycleGAN uses the L1 distance, not the squared (L2) one: L2 forgives many small errors and
gives blurrier images. `real` and `reconstructed` have the same shape, e.g. `(N, C, H, W)`;
return a 0-dimensional tensor (keep it a tensor: training calls `.backward()` on it).

*The tests* use fresh image batches whose differences are both smaller and larger than 1
(where L1 and L2 disagree), compare with their own value, and check the gradient.
"""

SCAFFOLD1 = '''
def cycle_loss(real, reconstructed):
    """Mean absolute error between real images and their reconstructions F(G(real)): a 0-dim tensor."""
    {solution}
'''

SOLUTION1 = '''
return (reconstructed - real).abs().mean()
'''

L1_HELPER = IMAGES + '''
def _check_l1(function, label, a, b, what):
    """function(a, b) must be the mean absolute difference, a 0-dim tensor with gradients."""
    b = b.clone().requires_grad_()
    value = function(a.clone(), b)
    diff = b.detach().double() - a.double()
    slips = [("That is the mean squared error (L2); CycleGAN uses the mean absolute error (L1).", float((diff ** 2).mean())),
             ("That is a sum; take the mean over every value (.mean()).", float(diff.abs().sum())),
             ("That is the mean difference without the absolute value: errors of opposite signs cancel.", float(diff.mean())),
             ("That is the mean difference without the absolute value: errors of opposite signs cancel.", float(-diff.mean()))]
    _check_scalar(value, float(diff.abs().mean()), f"{label} on {what}", slips)
    checks.assert_true(value.requires_grad, f"{label} must keep the autograd graph (no .item(), no .detach())")
    value.backward()
    checks.assert_close(b.grad.double(), torch.sign(diff) / b.numel(), atol=1e-9, rtol=1e-6,
                        what=f"the gradient of {label} with respect to its second argument ({what}): sign(difference) / n")
'''

VISIBLE1 = L1_HELPER + '''
_check_l1(cycle_loss, "cycle_loss", torch.tensor([[0.0, 1.0], [2.0, -1.0]]), torch.tensor([[0.5, 1.0], [0.0, 2.0]]),
          "real [[0, 1], [2, -1]] and reconstructed [[0.5, 1], [0, 2]]: (0.5 + 0 + 2 + 3) / 4 = 1.375")
_gen = checks.rng(0)
_check_l1(cycle_loss, "cycle_loss", _images((2, 1, 4, 4), _gen), _images((2, 1, 4, 4), _gen), "two batches (2, 1, 4, 4)")
'''

HIDDEN1 = L1_HELPER + '''
_gen = checks.rng(6101)
for _shape in [(3, 1, 8, 8), (1, 3, 5, 7), (6, 2, 4, 4)]:
    _a = _images(_shape, _gen)
    _b = _a + 1.6 * torch.randn(_shape, generator=_gen)  # differences both below and above 1
    _check_l1(cycle_loss, "cycle_loss", _a, _b, f"batches of shape {_shape}")
'''

PART2 = r"""
## Part 2 — identity (1 point)

$$
L_{id}(b) = \lVert G(b) - b \rVert_1 ,
$$

again a mean absolute error: `mapped` is $G(b)$, the generator $A \to B$ applied to a real
image `real` $= b$ that is **already** in $B$. (The function is the same as Part 1; what differs
is what you feed it, which Part 5 gets right.)

*The tests* are those of Part 1, on other batches.
"""

SCAFFOLD2 = '''
def identity_loss(real, mapped):
    """Mean absolute error between real target-domain images and the generator's output on them."""
    {solution}
'''

SOLUTION2 = '''
return (mapped - real).abs().mean()
'''

VISIBLE2 = L1_HELPER + '''
_gen = checks.rng(1)
_check_l1(identity_loss, "identity_loss", _images((3, 1, 4, 4), _gen), 2 * _images((3, 1, 4, 4), _gen), "two batches (3, 1, 4, 4)")
'''

HIDDEN2 = L1_HELPER + '''
_gen = checks.rng(6201)
for _shape in [(4, 1, 6, 6), (2, 3, 3, 5)]:
    _a = _images(_shape, _gen)
    _check_l1(identity_loss, "identity_loss", _a, _a + 1.5 * torch.randn(_shape, generator=_gen), f"batches of shape {_shape}")
'''

PART3 = r"""
## Part 3 — the least-squares adversarial losses (3 points)

CycleGAN replaces the log-loss of the original GAN with the least-squares loss of LSGAN (Mao
et al., 2017). The discriminator outputs a raw **score** (no sigmoid), of any shape: CycleGAN's
PatchGAN discriminator gives one score per image patch, `(N, 1, h, w)`. With targets 1 for
real and 0 for fake:

$$
L_D = \tfrac12\,\overline{(D(y) - 1)^2} + \tfrac12\,\overline{D(\tilde y)^2},
\qquad
L_G = \tfrac12\,\overline{(D(\tilde y) - 1)^2},
$$

where the bar is the mean over every score, $y$ a real image and $\tilde y$ a generated one. The
discriminator pushes real scores to 1 and fake ones to 0; the generator wants its fakes scored
as real, 1. Unlike the log-loss, the squared error keeps pushing fakes that already fool $D$
but lie far from the real data, which makes training steadier. The factors ½ are those of the
LSGAN paper and of `ganlab.losses`.

*Hint:* compare a score map with a target tensor of the same shape,
`torch.ones_like(scores)` / `torch.zeros_like(scores)` (or with the number itself).

*The tests* use patch-shaped score maps of fresh random values, real and fake maps of
different sizes, and compare with their own values; swapped targets (real → 0) or a missing ½
are caught.
"""

SCAFFOLD3 = '''
def d_loss_least_squares(real_scores, fake_scores):
    """LSGAN discriminator loss: 0.5 * mean((D(real) - 1)^2) + 0.5 * mean(D(fake)^2)."""
    {solution}


def g_loss_least_squares(fake_scores):
    """LSGAN generator loss: 0.5 * mean((D(fake) - 1)^2)."""
    {solution}
'''

SOLUTION3_D = '''
real_term = ((real_scores - torch.ones_like(real_scores)) ** 2).mean()
fake_term = ((fake_scores - torch.zeros_like(fake_scores)) ** 2).mean()
return 0.5 * real_term + 0.5 * fake_term
'''

SOLUTION3_G = '''
return 0.5 * ((fake_scores - torch.ones_like(fake_scores)) ** 2).mean()
'''

D_LOSS_HELPER = IMAGES + '''
def _check_d_loss(real, fake, what):
    value = d_loss_least_squares(real.clone(), fake.clone())
    r, f = real.double(), fake.double()
    slips = [("That is without LSGAN's factors 1/2.", float(((r - 1) ** 2).mean() + (f ** 2).mean())),
             ("That pushes the real scores towards 0: their target is 1.", float(0.5 * (r ** 2).mean() + 0.5 * (f ** 2).mean())),
             ("That pushes the fake scores towards 1: their target is 0.", float(0.5 * ((r - 1) ** 2).mean() + 0.5 * ((f - 1) ** 2).mean())),
             ("That has the targets swapped: real scores go to 1, fake ones to 0.", float(0.5 * (r ** 2).mean() + 0.5 * ((f - 1) ** 2).mean())),
             ("That applies a sigmoid: least-squares losses use the raw scores.",
              float(0.5 * ((torch.sigmoid(r) - 1) ** 2).mean() + 0.5 * (torch.sigmoid(f) ** 2).mean()))]
    _check_scalar(value, float(0.5 * ((r - 1) ** 2).mean() + 0.5 * (f ** 2).mean()),
                  f"d_loss_least_squares for {what} (real -> 1, fake -> 0, each term a mean times 1/2)", slips)
'''

G_LOSS_HELPER = IMAGES + '''
def _check_g_loss(fake, what):
    value = g_loss_least_squares(fake.clone())
    f = fake.double()
    slips = [("That is without LSGAN's factor 1/2.", float(((f - 1) ** 2).mean())),
             ("That pushes the fakes' scores towards 0: the generator wants them judged real, target 1.", float(0.5 * (f ** 2).mean())),
             ("That applies a sigmoid: least-squares losses use the raw scores.", float(0.5 * ((torch.sigmoid(f) - 1) ** 2).mean()))]
    _check_scalar(value, float(0.5 * ((f - 1) ** 2).mean()), f"g_loss_least_squares for {what} (0.5 * mean((D(fake) - 1)^2))", slips)
'''

VISIBLE3_D = D_LOSS_HELPER + '''
_check_d_loss(torch.tensor([1.0, 0.0, 3.0]), torch.tensor([0.0, 2.0]),
              "real scores [1, 0, 3] and fake scores [0, 2]: 0.5 * (0 + 1 + 4) / 3 + 0.5 * (0 + 4) / 2")
_gen = checks.rng(2)
_check_d_loss(torch.randn(2, 1, 3, 3, generator=_gen), torch.randn(2, 1, 3, 3, generator=_gen), "patch maps (2, 1, 3, 3)")
'''

HIDDEN3_D = D_LOSS_HELPER + '''
_gen = checks.rng(6301)
for _real_shape, _fake_shape in [((4, 1, 5, 5), (4, 1, 5, 5)), ((3, 1, 2, 2), (6, 1, 2, 2)), ((7,), (2,))]:
    _check_d_loss(1.5 * torch.randn(_real_shape, generator=_gen) + 0.5, 1.5 * torch.randn(_fake_shape, generator=_gen),
                  f"real scores {_real_shape} and fake scores {_fake_shape}")
# The gradient pushes real scores up towards 1 and fake scores down towards 0.
_real = torch.tensor([0.25, 0.5]).requires_grad_()
_fake = torch.tensor([0.5, 0.75, 1.0]).requires_grad_()
d_loss_least_squares(_real, _fake).backward()
checks.assert_close(_real.grad, (_real.detach() - 1) / 2, atol=1e-6, rtol=1e-6, what="dL_D / d(real scores) = (D(y) - 1) / m")
checks.assert_close(_fake.grad, _fake.detach() / 3, atol=1e-6, rtol=1e-6, what="dL_D / d(fake scores) = D(fake) / n")
'''

VISIBLE3_G = G_LOSS_HELPER + '''
_check_g_loss(torch.tensor([1.0, 0.0, 3.0, -1.0]), "fake scores [1, 0, 3, -1]: 0.5 * (0 + 1 + 4 + 4) / 4")
'''

HIDDEN3_G = G_LOSS_HELPER + '''
_gen = checks.rng(6302)
for _shape in [(5, 1, 4, 4), (3,), (2, 1, 7, 3)]:
    _check_g_loss(1.5 * torch.randn(_shape, generator=_gen), f"fake scores {_shape}")
'''

PART4 = r"""
## Part 4 — the discriminator's loss (2 points)

During the discriminator's update, the fake images come from a generator, and a loss built
on them would send gradients into that generator too. The discriminator's step must train
**only** the discriminator, so it judges `fake.detach()`: the same values, cut from the
generator's graph (exactly as in assignment 3).

`discriminator_loss(discriminator, real, fake)` scores both batches with `discriminator` and
returns your `d_loss_least_squares` of the two score maps. For $D_B$, `real` is a batch of $B$
and `fake` is $G(a)$.

While the tests of Parts 4 and 5 run, they swap in their own correct losses of Parts 1 to 3
(yours are put back afterwards), so a slip there costs only the points of that part. So call
the functions of Parts 1 to 3; do not copy their code.

*The tests* make `fake` with a stub generator, call `.backward()` on your loss and check that
the generator received **no** gradient, that the discriminator's gradients are right, and the
value.
"""

SCAFFOLD4 = '''
def discriminator_loss(discriminator, real, fake):
    """LSGAN loss of `discriminator` on real images and generated ones, with the fakes detached."""
    {solution}
'''

SOLUTION4 = '''
return d_loss_least_squares(discriminator(real), discriminator(fake.detach()))
'''

# Parts 4 and 5 are checked with reference versions of the losses of parts 1 to 3 (bound for
# the duration of the test cell, then the learner's are put back), so that a slip in an
# earlier part costs only that part's points.
WITH_REFERENCE_LOSSES = '''
_learners_losses = (cycle_loss, identity_loss, d_loss_least_squares, g_loss_least_squares)
def cycle_loss(real, reconstructed):
    return (reconstructed - real).abs().mean()
def identity_loss(real, mapped):
    return (mapped - real).abs().mean()
def d_loss_least_squares(real_scores, fake_scores):
    return 0.5 * ((real_scores - 1) ** 2).mean() + 0.5 * (fake_scores ** 2).mean()
def g_loss_least_squares(fake_scores):
    return 0.5 * ((fake_scores - 1) ** 2).mean()
'''


def with_reference_losses(body: str) -> str:
    """``body`` inside try/finally, with the learner's losses of parts 1 to 3 put back."""
    lines = textwrap.dedent(body).strip("\n")
    return (WITH_REFERENCE_LOSSES + "try:\n" + textwrap.indent(lines, "    ") + "\nfinally:\n"
            "    cycle_loss, identity_loss, d_loss_least_squares, g_loss_least_squares = _learners_losses\n")


STUBS = IMAGES + '''
def _stub_generator(channels, gen):
    """A 3x3 convolution and a tanh with fixed random weights: images -> images."""
    net = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.Tanh())
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(0.5 * torch.randn(p.shape, generator=gen))
    return net

def _stub_discriminator(channels, gen):
    """A PatchGAN in miniature: one strided 4x4 convolution, a score per patch (N, 1, H/2, W/2)."""
    net = nn.Conv2d(channels, 1, 4, 2, 1)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(0.5 * torch.randn(p.shape, generator=gen))
    return net

def _ls(scores, target):
    return ((scores.double() - target) ** 2).mean()
'''

D_STEP_HELPER = STUBS + '''
def _check_discriminator_loss(shape, seed, what):
    gen = checks.rng(seed)
    generator, discriminator = _stub_generator(shape[1], gen), _stub_discriminator(shape[1], gen)
    reference = copy.deepcopy(discriminator)
    real, source = _images(shape, gen), _images(shape, gen)
    fake = generator(source)  # attached to the generator's graph, as in training
    value = discriminator_loss(discriminator, real.clone(), fake)
    checks.assert_tensor(value, f"discriminator_loss ({what})")
    checks.assert_shape(value, (), f"discriminator_loss ({what})")
    want = 0.5 * _ls(reference(real), 1.0) + 0.5 * _ls(reference(fake.detach()), 0.0)
    checks.assert_close(value.double().detach(), want.detach(), atol=1e-6, rtol=1e-5,
                        what=f"discriminator_loss ({what}): d_loss_least_squares(D(real), D(fake))")
    value.backward()
    for name, p in generator.named_parameters():
        checks.assert_true(p.grad is None or not bool(p.grad.abs().sum() > 0),
                           f"the generator's {name} received a gradient from the discriminator's loss ({what}): "
                           "score fake.detach(), not fake")
    grads = torch.autograd.grad(want, list(reference.parameters()))
    for (name, p), g in zip(discriminator.named_parameters(), grads):
        checks.assert_true(p.grad is not None, f"the discriminator's {name} received no gradient ({what})")
        checks.assert_close(p.grad.double(), g, atol=1e-6, rtol=1e-4, what=f"the gradient of the discriminator's {name} ({what})")
'''

VISIBLE4 = D_STEP_HELPER + with_reference_losses('''
_check_discriminator_loss((4, 1, 8, 8), seed=3, what="batches (4, 1, 8, 8)")
''')

HIDDEN4 = D_STEP_HELPER + with_reference_losses('''
_check_discriminator_loss((2, 1, 6, 6), seed=6401, what="batches (2, 1, 6, 6)")
_check_discriminator_loss((5, 3, 8, 4), seed=6402, what="batches (5, 3, 8, 4)")
''')

PART5 = r"""
## Part 5 — the generators' objective (2 points)

Both generators are trained together on one loss. With a batch $a$ of $A$ and $b$ of $B$:

$$
\begin{aligned}
L_{adv} &= \overline{(D_B(G(a)) - 1)^2} + \overline{(D_A(F(b)) - 1)^2}, \\
L_{cyc} &= \lVert F(G(a)) - a \rVert_1 + \lVert G(F(b)) - b \rVert_1, \\
L_{id}  &= \lVert G(b) - b \rVert_1 + \lVert F(a) - a \rVert_1, \\
L_G     &= L_{adv} + \lambda\, L_{cyc} + \lambda\,\lambda_{id}\, L_{id}, \qquad \lambda = 10,\ \lambda_{id} = 0.5 .
\end{aligned}
$$

Read the pairs carefully: $G$ makes images of $B$, so $D_B$ judges $G(a)$; the identity term
feeds $G$ an image of $B$. The adversarial terms are the plain mean squared errors, as in the
authors' code and `ganlab.train.train_cyclegan`: each is **twice** your `g_loss_least_squares`.
The identity weight is a fraction of $\lambda$: $\lambda\,\lambda_{id} = 5$ with the defaults.

Return the tuple `(total, adversarial, cycle, identity)`: $L_G$ and its three **unweighted**
parts $L_{adv}, L_{cyc}, L_{id}$ (training logs them), each a 0-dim tensor. Compute the identity
part even when $\lambda_{id} = 0$. Do not detach anything here: the gradient must reach both
generators through the discriminators' scores.

*The tests* use stub generators and PatchGAN-like stub discriminators with fixed weights, call
your function with the default weights and with other $\lambda$, $\lambda_{id}$, and compare
each part, the total, and the gradients of both generators with their own computation.
"""

SCAFFOLD5 = '''
def generator_objective(g_ab, g_ba, d_a, d_b, real_a, real_b, lambda_cycle=10.0, lambda_identity=0.5):
    """CycleGAN's loss for both generators: (total, adversarial, cycle, identity), each a 0-dim tensor.

    L_G = L_adv + lambda_cycle * L_cyc + lambda_cycle * lambda_identity * L_id
    """
    {solution}
'''

SOLUTION5 = '''
fake_b, fake_a = g_ab(real_a), g_ba(real_b)
adversarial = 2 * (g_loss_least_squares(d_b(fake_b)) + g_loss_least_squares(d_a(fake_a)))
cycle = cycle_loss(real_a, g_ba(fake_b)) + cycle_loss(real_b, g_ab(fake_a))
identity = identity_loss(real_b, g_ab(real_b)) + identity_loss(real_a, g_ba(real_a))
total = adversarial + lambda_cycle * cycle + lambda_cycle * lambda_identity * identity
return total, adversarial, cycle, identity
'''

OBJECTIVE_HELPER = STUBS + '''
def _l1(x, y):
    return (x.double() - y.double()).abs().mean()

def _check_objective(shape, seed, weights, what):
    gen = checks.rng(seed)
    c = shape[1]
    g_ab, g_ba = _stub_generator(c, gen), _stub_generator(c, gen)
    d_a, d_b = _stub_discriminator(c, gen), _stub_discriminator(c, gen)
    real_a, real_b = _images(shape, gen), _images(shape, gen) * 0.5 + 0.3
    lam, lam_id = weights if weights is not None else (10.0, 0.5)
    # the tests' own objective, on copies
    r_ab, r_ba, r_da, r_db = (copy.deepcopy(m) for m in (g_ab, g_ba, d_a, d_b))
    fb, fa = r_ab(real_a), r_ba(real_b)
    adv = _ls(r_db(fb), 1.0) + _ls(r_da(fa), 1.0)
    cyc = _l1(r_ba(fb), real_a) + _l1(r_ab(fa), real_b)
    idt = _l1(r_ab(real_b), real_b) + _l1(r_ba(real_a), real_a)
    total = adv + lam * cyc + lam * lam_id * idt
    with torch.no_grad():  # two classic slips, for the messages
        swapped_judges = float(_ls(r_da(fb), 1.0) + _ls(r_db(fa), 1.0))
        wrong_domain = float(_l1(r_ab(real_a), real_a) + _l1(r_ba(real_b), real_b))
    if weights is None:
        result = generator_objective(g_ab, g_ba, d_a, d_b, real_a.clone(), real_b.clone())
    else:
        result = generator_objective(g_ab, g_ba, d_a, d_b, real_a.clone(), real_b.clone(),
                                     lambda_cycle=lam, lambda_identity=lam_id)
    checks.assert_true(type(result) is tuple and len(result) == 4,
                       f"generator_objective must return a tuple (total, adversarial, cycle, identity), got {type(result).__name__}")
    for name, value in zip(("total", "adversarial", "cycle", "identity"), result):
        checks.assert_tensor(value, f"the {name} part of generator_objective ({what})")
        checks.assert_shape(value, (), f"the {name} part of generator_objective ({what})")
    mine_total, mine_adv, mine_cyc, mine_idt = result
    adv_value, cyc_value, idt_value = float(adv), float(cyc), float(idt)
    _check_scalar(mine_adv, adv_value, f"the adversarial part ({what}): mean((D_B(G(a)) - 1)^2) + mean((D_A(F(b)) - 1)^2)",
                  [("Each adversarial term is the plain mean squared error, twice g_loss_least_squares.", adv_value / 2),
                   ("G makes images of B, so D_B judges G(a) (and D_A judges F(b)).", swapped_judges)])
    _check_scalar(mine_cyc, cyc_value, f"the cycle part ({what}): |F(G(a)) - a| + |G(F(b)) - b|, unweighted")
    _check_scalar(mine_idt, idt_value, f"the identity part ({what}): |G(b) - b| + |F(a) - a|, unweighted",
                  [("The identity term feeds each generator an image of its OUTPUT domain: G(b) and F(a).", wrong_domain)])
    slips = [("The cycle term is missing its weight lambda.", adv_value + cyc_value + lam * lam_id * idt_value),
             ("The identity term's weight is lambda * lambda_identity, not lambda_identity alone.",
              adv_value + lam * cyc_value + lam_id * idt_value),
             ("The identity term is missing.", adv_value + lam * cyc_value)]
    _check_scalar(mine_total, float(total), f"the total ({what}, lambda = {lam}, lambda_identity = {lam_id}): "
                  "adversarial + lambda * cycle + lambda * lambda_identity * identity", slips, atol=1e-5)
    checks.assert_true(mine_total.requires_grad, f"the total must keep the autograd graph ({what})")
    mine_total.backward()
    want = torch.autograd.grad(total, list(r_ab.parameters()) + list(r_ba.parameters()))
    mine = list(g_ab.parameters()) + list(g_ba.parameters())
    names = [f"g_ab.{n}" for n, _ in g_ab.named_parameters()] + [f"g_ba.{n}" for n, _ in g_ba.named_parameters()]
    for name, p, g in zip(names, mine, want):
        checks.assert_true(p.grad is not None, f"{name} received no gradient from the total ({what}): nothing may be detached here")
        checks.assert_close(p.grad.double(), g, atol=1e-5, rtol=1e-4, what=f"the gradient of {name} ({what}): the adversarial terms must reach the generators "
                                 "through the discriminators' scores, so detach nothing here")
'''

VISIBLE5 = OBJECTIVE_HELPER + with_reference_losses('''
_check_objective((3, 1, 8, 8), seed=4, weights=None, what="batches (3, 1, 8, 8), default weights")
''')

HIDDEN5 = OBJECTIVE_HELPER + with_reference_losses('''
_check_objective((2, 1, 6, 6), seed=6501, weights=None, what="batches (2, 1, 6, 6), default weights")
_check_objective((4, 3, 4, 8), seed=6502, weights=(3.0, 0.25), what="batches (4, 3, 4, 8), lambda 3, lambda_identity 0.25")
_check_objective((3, 1, 8, 8), seed=6503, weights=(7.0, 0.0), what="batches (3, 1, 8, 8), lambda 7, no identity weight")
''')

OUTRO = r"""
## What you have written

One CycleGAN training step (chapter 7, `ganlab.train.train_cyclegan`) is now

```python
total, adversarial, cycle, identity = generator_objective(g_ab, g_ba, d_a, d_b, real_a, real_b)
opt_g.zero_grad(); total.backward(); opt_g.step()              # both generators
loss_d = discriminator_loss(d_a, real_a, fake_a) + discriminator_loss(d_b, real_b, fake_b)
opt_d.zero_grad(); loss_d.backward(); opt_d.step()             # both discriminators
```

(with the fakes of this step, or older ones from an image pool). Chapter 7 trains it on
digits and their negatives, compares a short run without and with the identity term
($\lambda_{id} = 0$ and $0.5$), and leaves $\lambda = 0$ (no cycle consistency) to a Try-it:
without it nothing ties a translation to its input.
"""

# Classic mistakes, injected by tests/test_assignments.py: (solution cell, exact text in the
# solution, replacement, test cells that must fail); every other test cell must still pass.
MISTAKES = {
    "cycle: squared error (L2) instead of L1": (
        "cycle_loss", "return (reconstructed - real).abs().mean()", "return ((reconstructed - real) ** 2).mean()",
        {"test_cycle_loss": "mean squared error (L2)"}),
    "cycle: sum instead of mean": (
        "cycle_loss", "return (reconstructed - real).abs().mean()", "return (reconstructed - real).abs().sum()",
        {"test_cycle_loss": "That is a sum"}),
    "identity: no absolute value": (
        "identity_loss", "return (mapped - real).abs().mean()", "return (mapped - real).mean()",
        {"test_identity_loss": "without the absolute value"}),
    "D loss: real target 0 instead of 1": (
        "least_squares", "real_term = ((real_scores - torch.ones_like(real_scores)) ** 2).mean()",
        "real_term = ((real_scores - torch.zeros_like(real_scores)) ** 2).mean()",
        {"test_d_loss": "real scores towards 0"}),
    "D loss: fake target 1 instead of 0": (
        "least_squares", "fake_term = ((fake_scores - torch.zeros_like(fake_scores)) ** 2).mean()",
        "fake_term = ((fake_scores - torch.ones_like(fake_scores)) ** 2).mean()",
        {"test_d_loss": "fake scores towards 1"}),
    "D loss: no factor 1/2": (
        "least_squares", "return 0.5 * real_term + 0.5 * fake_term", "return real_term + fake_term",
        {"test_d_loss": "factors 1/2"}),
    "D loss: a sigmoid on the fake scores": (
        "least_squares", "fake_term = ((fake_scores - torch.zeros_like(fake_scores)) ** 2).mean()",
        "fake_term = (torch.sigmoid(fake_scores) ** 2).mean()", {"test_d_loss": "fake -> 0"}),
    "G loss: target 0 instead of 1": (
        "least_squares", "return 0.5 * ((fake_scores - torch.ones_like(fake_scores)) ** 2).mean()",
        "return 0.5 * (fake_scores ** 2).mean()", {"test_g_loss": "target 1"}),
    "D step: fakes not detached": (
        "discriminator_loss", "discriminator(fake.detach())", "discriminator(fake)",
        {"test_discriminator_loss": "fake.detach()"}),
    "objective: lambda missing on the cycle term": (
        "generator_objective", "total = adversarial + lambda_cycle * cycle + lambda_cycle * lambda_identity * identity",
        "total = adversarial + cycle + lambda_cycle * lambda_identity * identity",
        {"test_generator_objective": "missing its weight lambda"}),
    "objective: identity weighted by lambda_identity alone (0.5, not 0.5 * lambda)": (
        "generator_objective", "total = adversarial + lambda_cycle * cycle + lambda_cycle * lambda_identity * identity",
        "total = adversarial + lambda_cycle * cycle + lambda_identity * identity",
        {"test_generator_objective": "not lambda_identity alone"}),
    "objective: identity on the wrong domain (G(a) instead of G(b))": (
        "generator_objective", "identity = identity_loss(real_b, g_ab(real_b)) + identity_loss(real_a, g_ba(real_a))",
        "identity = identity_loss(real_a, g_ab(real_a)) + identity_loss(real_b, g_ba(real_b))",
        {"test_generator_objective": "OUTPUT domain"}),
    "objective: G's fakes judged by the wrong discriminator": (
        "generator_objective", "g_loss_least_squares(d_b(fake_b)) + g_loss_least_squares(d_a(fake_a))",
        "g_loss_least_squares(d_a(fake_b)) + g_loss_least_squares(d_b(fake_a))",
        {"test_generator_objective": "D_B judges G(a)"}),
    "objective: adversarial terms with LSGAN's 1/2 (not the authors' mean squared error)": (
        "generator_objective", "adversarial = 2 * (g_loss_least_squares", "adversarial = (g_loss_least_squares",
        {"test_generator_objective": "twice g_loss_least_squares"}),
    "objective: fakes detached before the discriminators": (
        "generator_objective", "g_loss_least_squares(d_b(fake_b)) + g_loss_least_squares(d_a(fake_a))",
        "g_loss_least_squares(d_b(fake_b.detach())) + g_loss_least_squares(d_a(fake_a.detach()))",
        {"test_generator_objective": "detach nothing"}),
}


def build():
    """The notebook of assignment 06-cyclegan."""
    return notebook([
        setup(),
        markdown("intro", INTRO),
        markdown("part1", PART1),
        solution("cycle_loss", SCAFFOLD1, SOLUTION1),
        tests("test_cycle_loss", 2, VISIBLE1, HIDDEN1),
        markdown("part2", PART2),
        solution("identity_loss", SCAFFOLD2, SOLUTION2),
        tests("test_identity_loss", 1, VISIBLE2, HIDDEN2),
        markdown("part3", PART3),
        solution("least_squares", SCAFFOLD3, SOLUTION3_D, SOLUTION3_G),
        tests("test_d_loss", 2, VISIBLE3_D, HIDDEN3_D),
        tests("test_g_loss", 1, VISIBLE3_G, HIDDEN3_G),
        markdown("part4", PART4),
        solution("discriminator_loss", SCAFFOLD4, SOLUTION4),
        tests("test_discriminator_loss", 2, VISIBLE4, HIDDEN4),
        markdown("part5", PART5),
        solution("generator_objective", SCAFFOLD5, SOLUTION5),
        tests("test_generator_objective", 2, VISIBLE5, HIDDEN5),
        markdown("outro", OUTRO),
    ])
