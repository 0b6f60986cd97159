"""Assignment 08-vae: the reparameterisation trick, the KL term and the negative ELBO of a VAE
(Kingma & Welling, 2014; chapter 9, Autoencoders and VAEs).

The conventions are those of ``ganlab.models.VAE``: ``reparameterize(mu, logvar, generator)``
draws ``eps = torch.randn(mu.shape, generator=generator)``; the loss is the reconstruction
``||x - x_hat(z)||^2 / (2 s^2)`` summed over pixels plus the closed-form KL summed over the
latent dimensions, each averaged over the batch. The hidden tests compare with
``ganlab.models.VAE`` itself (same generator seed, same weights), after checking it against
their own arithmetic.
"""
from __future__ import annotations

from .cells import chapter_link, code, markdown, notebook, setup, solution, tests

NAME = "08-vae"

HELPERS = '''
def _check_tensor(got, expected, what, mistakes=(), atol=1e-5, rtol=1e-5):
    """got: a tensor of expected's shape close to it (compared in float64); a known slip is named."""
    checks.restore()  # the learner's function just ran: trust nothing it may have replaced
    checks.assert_tensor(got, what)
    checks.assert_shape(got, tuple(expected.shape), what)
    value, expected = got.detach().double(), expected.detach().double()
    checks.assert_true(not bool(torch.isnan(value).any()), f"{what} contains nan.")
    for hint, wrong in mistakes:
        wrong = wrong.detach().double()
        far_from_answer = bool(((wrong - expected).abs() > 1e-3 * (1 + expected.abs())).any())
        if far_from_answer and bool(((value - wrong).abs() <= 1e-5 + 1e-4 * wrong.abs()).all()):
            checks.assert_true(False, f"{what}: {hint}")
    checks.assert_close(value, expected, what, atol=atol, rtol=rtol)

def _eps(shape, seed):
    """The noise a generator seeded with `seed` gives first: torch.randn(shape, generator=...)."""
    return torch.randn(shape, generator=checks.rng(seed))

def _kl(mu, logvar):
    """The tests' own KL(N(mu, diag exp(logvar)) || N(0, I)) per example, shape (N,)."""
    return 0.5 * (mu ** 2 + logvar.exp() - logvar - 1).sum(dim=1)

def _stub_vae(seed, image_size=8, latent_dim=3, recon_std=0.3):
    """A small ganlab VAE with fixed random weights drawn from checks.rng(seed)."""
    from ganlab.models import VAE as model  # the course's VAE, whatever a cell bound to the name VAE
    vae = model(image_size=image_size, channels=1, latent_dim=latent_dim, hidden=4, recon_std=recon_std)
    gen = checks.rng(seed)
    with torch.no_grad():
        for p in vae.parameters():
            p.copy_(0.3 * torch.randn(p.shape, generator=gen))
    return vae

def _images(n, image_size, seed):
    """n images (n, 1, S, S) in [-1, 1]."""
    return 2 * torch.rand(n, 1, image_size, image_size, generator=checks.rng(seed)) - 1
'''

INTRO = r"""
# Assignment 8 — The variational autoencoder's objective (10 points)

A VAE (변이형 오토인코더; Kingma & Welling, 2014) encodes an image $x$ to a Gaussian
$q(z \mid x) = \mathcal N(\mu, \operatorname{diag}\sigma^2)$ over codes, decodes a code $z$ to an
image $\hat x(z)$, and is trained to maximise the evidence lower bound

$$
\mathrm{ELBO}(x) = \mathbb{E}_{q(z \mid x)}\big[\log p(x \mid z)\big] - \mathrm{KL}\big(q(z \mid x)\,\Vert\,\mathcal N(0, I)\big) .
$$

You write the three pieces that turn this into a loss PyTorch can minimise: a differentiable
way to draw $z$, the closed-form KL term, and the negative ELBO as `ganlab.models.VAE.loss`
computes it.

| part | you write | points |
| --- | --- | --- |
| 1 | `reparameterize(mu, logvar, generator)`: $z = \mu + \sigma \odot \varepsilon$ | 3 |
| 2 | `kl_divergence(mu, logvar)`: the KL term of each example | 3 |
| 3 | `negative_elbo(vae, x, generator)`: the loss, its reconstruction and KL parts | 4 |

*Read first:* """ + chapter_link("09-autoencoders-vae", "Chapter 9, Autoencoders and VAEs") + r"""
(the ELBO, the KL in closed form and the reparameterisation trick).

As in `ganlab`, the encoder outputs $\log\sigma^2$ (`logvar`), not $\sigma$: any real number is
a valid log-variance, so the network needs no constraint. The hidden tests compare your
functions with `ganlab.models.VAE`, on the same weights and the same random numbers. Please
do not call `VAE.reparameterize` or `VAE.loss` yourself: they would answer the exercise for
you. Each part is graded on its own: part 3 is tested with correct versions of parts 1 and 2.
"""

PART1 = r"""
## Part 1 — the reparameterisation trick (3 points)

Drawing $z \sim \mathcal N(\mu, \sigma^2)$ directly (`torch.normal(mu, sigma)`) is not
differentiable: no gradient reaches $\mu$ or $\sigma$, so the encoder would never learn. The
trick draws the noise *outside* the network and moves it into place:

$$
z = \mu + \sigma \odot \varepsilon, \qquad \sigma = \exp\!\left(\tfrac12 \log\sigma^2\right),
\qquad \varepsilon \sim \mathcal N(0, I) .
$$

Now $\partial z / \partial \mu = 1$ and $\partial z / \partial \log\sigma^2 = \tfrac12 \sigma \varepsilon$.

Draw $\varepsilon$ from `generator` so that a run can be repeated: exactly
`torch.randn(mu.shape, generator=generator)` (then `.to(mu.device, mu.dtype)`), as
`ganlab.models.VAE.reparameterize` does; with `generator=None`, use `torch.randn_like(mu)`.
`mu` and `logvar` have shape `(N, d)`; return $z$ of the same shape.

*The tests check:* $z$ against the tests' own $\varepsilon$ (a generator seeded alike) and
against `ganlab.models.VAE.reparameterize`; that the same seed gives the same $z$; the gradients
$\partial z / \partial \mu = 1$ and $\partial z / \partial \log\sigma^2 = \tfrac12\sigma\varepsilon$;
`generator=None`. They name $\exp(\log\sigma^2)$ (the variance) in place of $\sigma$, noise that
ignores `generator`, and a $z$ that no gradient flows through.
"""

SCAFFOLD1 = '''
def reparameterize(mu, logvar, generator=None):
    """z = mu + exp(0.5 * logvar) * eps, eps = torch.randn(mu.shape, generator=generator)."""
    {solution}
'''

SOLUTION1 = '''
if generator is None:
    eps = torch.randn_like(mu)
else:
    eps = torch.randn(mu.shape, generator=generator).to(mu.device, mu.dtype)
std = torch.exp(0.5 * logvar)  # sigma = exp(log(sigma^2) / 2)
return mu + std * eps
'''

REPARAM_CHECK = '''
def _check_reparameterize(mu, logvar, seed, what, course=None):
    mu, logvar = mu.clone().requires_grad_(), logvar.clone().requires_grad_()
    z = reparameterize(mu, logvar, checks.rng(seed))
    checks.restore()
    checks.assert_tensor(z, f"z ({what})")
    checks.assert_shape(z, tuple(mu.shape), f"z ({what}): the shape of mu")
    eps = _eps(tuple(mu.shape), seed)
    m, lv = mu.detach(), logvar.detach()
    want = m + torch.exp(0.5 * lv) * eps
    if course is not None:
        checks.assert_true(bool(torch.allclose(course(m, lv, checks.rng(seed)), want, rtol=1e-6, atol=1e-6)),
                           "ganlab.models.VAE.reparameterize disagrees with the tests' own: was ganlab modified?")
    checks.assert_true(z.requires_grad, f"z ({what}) carries no gradient: the reparameterisation trick exists so that "
                       "gradients reach mu and logvar. No torch.normal(mu, std), no .detach(), no torch.no_grad().")
    z.sum().backward()
    checks.assert_true(mu.grad is not None and bool((mu.grad.abs() > 0).all()),
                       f"no gradient reached mu ({what}): z = mu + sigma * eps must be computed from mu itself "
                       "(torch.normal(mu, std) and mu.detach() cut the graph)")
    again = reparameterize(m.clone(), lv.clone(), checks.rng(seed))
    checks.restore()
    checks.assert_tensor(again, f"z ({what}, drawn again)")
    checks.assert_true(bool(torch.equal(again.detach(), z.detach())),
                       f"two calls with generators seeded alike gave different z ({what}): draw eps from `generator`, "
                       "eps = torch.randn(mu.shape, generator=generator), so that a run can be repeated")
    _check_tensor(z, want, f"z ({what})", [
        ("That is mu + exp(logvar) * eps, the *variance* times eps; the standard deviation is "
         "sigma = exp(0.5 * logvar).", m + torch.exp(lv) * eps),
        ("That is mu + logvar * eps: logvar is log(sigma^2); sigma = exp(0.5 * logvar).", m + lv * eps),
        ("That is mu + 0.5 * exp(logvar) * eps; sigma = exp(0.5 * logvar) (exponent 0.5, not factor 0.5).",
         m + 0.5 * torch.exp(lv) * eps),
    ])
    _check_tensor(mu.grad, torch.ones_like(m), f"dz/dmu ({what}), which should be 1")
    _check_tensor(logvar.grad, 0.5 * torch.exp(0.5 * lv) * eps, f"dz/dlogvar ({what}), which should be 0.5 * sigma * eps", [
        ("That is the gradient of mu + exp(logvar) * eps; sigma = exp(0.5 * logvar).", torch.exp(lv) * eps)])
'''

CHECK_UNSEEDED = '''
def _check_unseeded(mu, logvar, what):
    z1, z2 = reparameterize(mu.clone(), logvar.clone()), reparameterize(mu.clone(), logvar.clone())
    checks.restore()
    checks.assert_tensor(z1, f"reparameterize(mu, logvar) without a generator ({what})")
    checks.assert_shape(z1, tuple(mu.shape), f"reparameterize(mu, logvar) without a generator ({what})")
    checks.assert_tensor(z2, f"reparameterize(mu, logvar) without a generator ({what})")
    checks.assert_true(not bool(torch.equal(z1, z2)), f"two calls without a generator gave the same z ({what}): "
                       "eps must be random, torch.randn_like(mu)")
'''

VISIBLE1 = REPARAM_CHECK + CHECK_UNSEEDED + '''
_mu, _logvar = torch.tensor([[0.5, -1.0]]), torch.tensor([[0.0, 0.7]])
_check_reparameterize(_mu, _logvar, 0, "mu [[0.5, -1]], logvar [[0, 0.7]]")
_gen = checks.rng(1)
_check_reparameterize(torch.randn(4, 3, generator=_gen), torch.randn(4, 3, generator=_gen), 2, "a batch of 4 codes of size 3")
_check_unseeded(torch.zeros(2, 3), torch.zeros(2, 3), "mu = 0, logvar = 0")
'''

HIDDEN1 = HELPERS + REPARAM_CHECK + CHECK_UNSEEDED + '''
from ganlab.models import VAE as _VAE
_gen = checks.rng(8101)
for _n, _d, _seed in [(5, 2, 8102), (16, 8, 8103), (1, 6, 8104)]:
    _mu = 2 * torch.randn(_n, _d, generator=_gen)
    _logvar = 3 * torch.rand(_n, _d, generator=_gen) - 2  # sigma from 0.37 to 1.65
    _check_reparameterize(_mu, _logvar, _seed, f"a batch of {_n} codes of size {_d}", _VAE.reparameterize)
_check_unseeded(torch.randn(6, 4, generator=_gen), torch.randn(6, 4, generator=_gen), "6 random codes")
'''

PART2 = r"""
## Part 2 — the KL term (3 points)

For $q = \mathcal N(\mu, \operatorname{diag}\sigma^2)$ and the prior $\mathcal N(0, I)$ the KL
divergence has a closed form, a sum over the $d$ latent dimensions:

$$
\mathrm{KL}\big(q \,\Vert\, \mathcal N(0, I)\big) = \tfrac12 \sum_{j=1}^{d} \left(\mu_j^2 + \sigma_j^2 - \log\sigma_j^2 - 1\right),
\qquad \sigma_j^2 = \exp(\log\sigma_j^2) .
$$

It is never negative, and 0 exactly when $\mu = 0$ and $\sigma = 1$ (that is what the $-1$ is
for). Return **one value per example**: a tensor of shape `(N,)` for `mu` and `logvar` of
shape `(N, d)` (part 3 averages it over the batch).

*The tests check:* the values on fresh batches, shape `(N,)`, 0 at the prior, and the
gradients $\partial/\partial\mu_j = \mu_j$ and $\partial/\partial\log\sigma_j^2 = \tfrac12(\sigma_j^2 - 1)$.
They name the wrong sign, a missing $-1$, $\sigma$ where $\sigma^2$ belongs, $\log\sigma$ where
$\log\sigma^2$ belongs, and a mean over the latent dimensions.
"""

SCAFFOLD2 = '''
def kl_divergence(mu, logvar):
    """KL(N(mu, diag exp(logvar)) || N(0, I)) of each example: a tensor of shape (N,)."""
    {solution}
'''

SOLUTION2 = '''
return 0.5 * (mu ** 2 + logvar.exp() - logvar - 1).sum(dim=1)
'''

KL_CHECK = '''
def _check_kl(mu, logvar, what):
    mu, logvar = mu.clone().requires_grad_(), logvar.clone().requires_grad_()
    kl = kl_divergence(mu, logvar)
    checks.restore()
    checks.assert_tensor(kl, f"kl_divergence ({what})")
    n, d = mu.shape
    if tuple(kl.shape) == ():
        checks.assert_true(False, f"kl_divergence ({what}) returned one number; return one KL per example, "
                           f"shape ({n},): sum over the latent dimensions only (.sum(dim=1)).")
    m, lv = mu.detach().double(), logvar.detach().double()
    want = _kl(m, lv)
    _check_tensor(kl, want, f"kl_divergence ({what})", [
        ("That is -KL: the KL divergence is never negative, 0.5 * sum(mu^2 + sigma^2 - log sigma^2 - 1).", -want),
        ("That misses the -1 in each term: without it the KL of the prior itself would be 0.5 d, not 0.", want + 0.5 * d),
        ("That uses sigma = exp(0.5 * logvar) where the variance sigma^2 = exp(logvar) belongs.",
         0.5 * (m ** 2 + (0.5 * lv).exp() - lv - 1).sum(dim=1)),
        ("That uses log sigma = 0.5 * logvar where log sigma^2 = logvar belongs.",
         0.5 * (m ** 2 + lv.exp() - 0.5 * lv - 1).sum(dim=1)),
        ("That is a mean over the latent dimensions; the KL of independent dimensions is their sum.", want / d),
        ("That misses the factor 1/2.", 2 * want),
    ])
    kl.sum().backward()
    _check_tensor(mu.grad, m, f"d kl_divergence / d mu ({what}), which should be mu", atol=1e-5, rtol=1e-5)
    _check_tensor(logvar.grad, 0.5 * (lv.exp() - 1), f"d kl_divergence / d logvar ({what}), which should be "
                  "0.5 * (sigma^2 - 1)", [
        ("That is the gradient of a KL that uses sigma = exp(0.5 * logvar) where the variance sigma^2 = exp(logvar) "
         "belongs.", 0.5 * (0.5 * (0.5 * lv).exp() - 1)),
        ("That is the gradient of a KL that uses log sigma = 0.5 * logvar where log sigma^2 = logvar belongs.",
         0.5 * (lv.exp() - 0.5))], atol=1e-5, rtol=1e-5)
'''

VISIBLE2 = KL_CHECK + '''
_check_kl(torch.zeros(3, 4), torch.zeros(3, 4), "at the prior, mu = 0 and logvar = 0: expected [0, 0, 0]")
_check_kl(torch.tensor([[1.0, 0.0], [0.0, 2.0]]), torch.tensor([[0.0, math.log(4.0)], [0.0, 0.0]]),
          "mu [[1, 0], [0, 2]], sigma^2 [[1, 4], [1, 1]]: 0.5 * [1 + (4 - log 4 - 1), 4]")
'''

HIDDEN2 = HELPERS + KL_CHECK + '''
from ganlab.models import VAE as _VAE
_gen = checks.rng(8201)
for _n, _d, _dtype in [(5, 2, torch.float32), (12, 8, torch.float32), (3, 5, torch.float64)]:
    _mu = 1.5 * torch.randn(_n, _d, generator=_gen, dtype=_dtype)
    _logvar = 4 * torch.rand(_n, _d, generator=_gen, dtype=_dtype) - 2.5
    _check_kl(_mu, _logvar, f"{_n} random {_dtype} codes of size {_d}")
# The KL part of ganlab's VAE.loss is the batch mean of the same per-example KL.
_vae = _stub_vae(8202)
_x = _images(6, 8, 8203)
with torch.no_grad():
    _mu, _logvar = _vae.encode(_x)
    _course = _VAE.loss(_vae, _x, checks.rng(8204)).kl
    checks.assert_true(abs(float(_course) - float(_kl(_mu.double(), _logvar.double()).mean())) < 1e-5,
                       "ganlab.models.VAE.loss disagrees with the tests' own KL: was ganlab modified?")
_check_kl(_mu, _logvar, "the encoder's mu and logvar for 6 images (compared with the KL of ganlab.models.VAE.loss)")
'''

PART3 = r"""
## Part 3 — the negative ELBO (4 points)

`ganlab.models.VAE` uses a Gaussian decoder $p(x \mid z) = \mathcal N(\hat x(z), s^2 I)$ with
$s$ = `vae.recon_std`. Its $-\log p(x \mid z)$ is, up to a constant, the squared error summed
over the $D$ pixels of the image, divided by $2s^2$. The loss of a batch of $N$ images is

$$
-\mathrm{ELBO} = \frac1N \sum_{n=1}^{N} \left[
\underbrace{\frac{\lVert x_n - \hat x(z_n) \rVert^2}{2 s^2}}_{\text{reconstruction}}
+ \underbrace{\mathrm{KL}\big(q(z \mid x_n) \,\Vert\, \mathcal N(0, I)\big)}_{\text{part 2}} \right],
\qquad z_n = \mu_n + \sigma_n \odot \varepsilon_n ,
$$

with **one** sample $z_n$ per image, drawn with your `reparameterize` and `generator`. Use the
model's two halves: `mu, logvar = vae.encode(x)` and `vae.decode(z)` (images `(N, C, S, S)`).
Return the tuple `(loss, reconstruction, kl)`: the loss and its two parts, each a 0-dim tensor
**averaged over the batch** (`loss = reconstruction + kl`), exactly what `VAE.loss` returns.

Mind two sums that are not means: the squared error is **summed** over the pixels (a mean over
pixels, as `F.mse_loss` gives by default, weighs the KL $D$ times more), and the KL is summed
over the latent dimensions (part 2). Only the batch is averaged.

*The tests check:* your three numbers against `ganlab.models.VAE.loss` on small VAEs with
fixed random weights and the same generator seed, and the gradients of every weight of the
model. They name a sum over the batch, a mean over the pixels, a missing $1/(2s^2)$, $s$ where
$s^2$ belongs, decoding $\mu$ instead of the sampled $z$, and the KL subtracted.
"""

SCAFFOLD3 = '''
def negative_elbo(vae, x, generator=None):
    """(loss, reconstruction, kl) of ganlab's VAE on images x, each averaged over the batch; loss = reconstruction + kl."""
    {solution}
'''

SOLUTION3 = '''
mu, logvar = vae.encode(x)
z = reparameterize(mu, logvar, generator)
recon = vae.decode(z)
reconstruction = ((x - recon) ** 2).flatten(1).sum(dim=1) / (2 * vae.recon_std ** 2)  # per image
kl = kl_divergence(mu, logvar)  # per image
reconstruction, kl = reconstruction.mean(), kl.mean()  # averaged over the batch
return reconstruction + kl, reconstruction, kl
'''

# Part 3 is tested with the tests' own reparameterize and kl_divergence (the learner's are put
# back afterwards), so that a slip in part 1 or 2 costs only that part's points.
WITH_REFERENCE_PARTS = '''
global reparameterize, kl_divergence  # (the swap must reach the notebook, where your function looks them up)
_learners_functions = reparameterize, kl_divergence
def reparameterize(mu, logvar, generator=None):
    eps = torch.randn(mu.shape, generator=generator).to(mu.device, mu.dtype)
    return mu + torch.exp(0.5 * logvar) * eps
def kl_divergence(mu, logvar):
    return _kl(mu, logvar)
'''

ELBO_CHECK = '''
def _scalar(got, expected, what, mistakes=()):
    """A 0-dim tensor close to the float expected; a known slip (a float) is named."""
    checks.restore()
    checks.assert_tensor(got, what)
    checks.assert_shape(got, (), what + " (averaged over the batch: a 0-dim tensor)")
    value = float(got.detach().double())
    for hint, wrong in mistakes:
        if abs(wrong - expected) > 1e-3 * (1 + abs(expected)) and abs(value - wrong) <= 1e-4 * (1 + abs(wrong)):
            checks.assert_true(False, f"{what}: expected {expected:.6g}, got {value:.6g}. {hint}")
    checks.assert_scalar_close(value, expected, what, atol=1e-5, rtol=1e-5)

def _check_elbo(vae, x, seed, what, course=None):
    reference = copy.deepcopy(vae)
    result = negative_elbo(vae, x.clone(), checks.rng(seed))
    checks.restore()
    checks.assert_true(type(result) is tuple and len(result) == 3,
                       f"negative_elbo must return a tuple (loss, reconstruction, kl), got {type(result).__name__}")
    loss, reconstruction, kl = result
    # the tests' own loss, on a copy of the model, with the same noise
    mu, logvar = reference.encode(x)
    eps = _eps(tuple(mu.shape), seed)
    recon = reference.decode(mu + torch.exp(0.5 * logvar) * eps)
    s = reference.recon_std
    squared = ((x - recon) ** 2).flatten(1).sum(dim=1)
    want_rec, want_kl = (squared / (2 * s ** 2)).mean(), _kl(mu, logvar).mean()
    want = want_rec + want_kl
    n, pixels = len(x), x[0].numel()
    if course is not None:
        checks.assert_true(abs(float(course.loss) - float(want)) <= 1e-5 * (1 + abs(float(want)))
                           and abs(float(course.reconstruction) - float(want_rec)) <= 1e-5 * (1 + abs(float(want_rec))),
                           "ganlab.models.VAE.loss disagrees with the tests' own: was ganlab modified?")
    with torch.no_grad():
        from_mu = ((x - reference.decode(mu)) ** 2).flatten(1).sum(dim=1).mean() / (2 * s ** 2)
    r, k = float(want_rec), float(want_kl)
    _scalar(kl, k, f"the KL part ({what})", [
        ("That is the KL summed over the batch; average it over the batch (.mean()).", k * n)])
    _scalar(reconstruction, r, f"the reconstruction part ({what}, s = {s})", [
        ("That is summed over the batch; average it over the batch (.mean()).", r * n),
        ("That is a mean over the pixels (as F.mse_loss gives); sum the squared error over each image's pixels, "
         "then average over the batch.", r / pixels),
        ("That is the squared error without its weight 1/(2 s^2), s = vae.recon_std.", r * 2 * s ** 2),
        ("That is the squared error over 2 s^2 without the 2, over s^2.", 2 * r),
        ("That divides by 2 s, the standard deviation, where the variance s^2 belongs: 1/(2 s^2).", r * s),
        ("That decodes mu; the ELBO's reconstruction term decodes the sampled z = mu + sigma * eps "
         "(reparameterize(mu, logvar, generator)).", float(from_mu)),
    ])
    _scalar(loss, float(want), f"the loss ({what})", [
        ("That is reconstruction - KL: the negative ELBO *adds* the KL term.", r - k),
        ("That is the ELBO itself; minimise its negative, reconstruction + KL.", -(r + k))])
    checks.assert_true(loss.requires_grad, f"the loss ({what}) carries no gradient: keep the autograd graph (no .item(), "
                       "no .detach(), no torch.no_grad())")
    loss.backward()
    grads = torch.autograd.grad(want, list(reference.parameters()))
    for (name, p), g in zip(vae.named_parameters(), grads):
        checks.assert_true(p.grad is not None, f"the VAE's {name} received no gradient from the loss ({what})")
        checks.assert_close(p.grad, g, f"the gradient of the VAE's {name} ({what})", atol=1e-5, rtol=1e-4)
'''

VISIBLE3 = WITH_REFERENCE_PARTS + ELBO_CHECK + '''
try:
    _check_elbo(_stub_vae(3), _images(4, 8, 4), 5, "a VAE on 8x8 images, a batch of 4")
finally:
    reparameterize, kl_divergence = _learners_functions
'''

HIDDEN3 = HELPERS + WITH_REFERENCE_PARTS + ELBO_CHECK + '''
from ganlab.models import VAE as _VAE
try:
    for _seed, _size, _latent, _s, _n in [(8301, 8, 3, 0.4, 5), (8302, 12, 4, 0.3, 3), (8303, 8, 2, 0.6, 7)]:
        _vae = _stub_vae(_seed, image_size=_size, latent_dim=_latent, recon_std=_s)
        _x = _images(_n, _size, _seed + 10)
        with torch.no_grad():
            _course = _VAE.loss(copy.deepcopy(_vae), _x, checks.rng(_seed + 20))
        _check_elbo(_vae, _x, _seed + 20, f"a VAE on {_size}x{_size} images, latent size {_latent}, s = {_s}, "
                    f"a batch of {_n}", _course)
finally:
    reparameterize, kl_divergence = _learners_functions
'''

OUTRO = r"""
## What you have written

`ganlab.models.VAE.loss` is your `negative_elbo`, and `ganlab.train.train_vae` minimises it
with Adam; chapter 9 trains it on the digits and compares its samples with a GAN's.

*Try it:* train `VAE(image_size=16)` on `ganlab.data.digits(image_size=16, split="train")`
with your loss for a few hundred steps, once with `recon_std=0.3` and once with `recon_std=1.0`.
The larger $s$ weighs the KL term more: which run reconstructs better, and which one's samples
from the prior, `vae.generate(16)`, look more like digits?
"""

# Classic mistakes, for tests/test_assignments.py: label -> (solution cell, text in the
# reference solution, replacement, {test cell that must fail: words its message must contain}).
# Every other test cell must still pass (partial credit).
MISTAKES = {
    "exp(logvar) instead of exp(0.5 * logvar)": (
        "reparameterize", "std = torch.exp(0.5 * logvar)", "std = torch.exp(logvar)",
        {"test_reparameterize": "variance"}),
    "noise not drawn from the generator": (
        "reparameterize", "eps = torch.randn(mu.shape, generator=generator).to(mu.device, mu.dtype)",
        "eps = torch.randn_like(mu)",
        {"test_reparameterize": "generator"}),
    "sampling z directly (torch.normal): no gradient": (
        "reparameterize", "return mu + std * eps", "return torch.normal(mu, std, generator=generator)",
        {"test_reparameterize": "no gradient reached mu"}),
    "mu detached": (
        "reparameterize", "return mu + std * eps", "return mu.detach() + std * eps",
        {"test_reparameterize": "no gradient reached mu"}),
    "attack: rebinds the visible tests' helper, uses the variance (the hidden tests are out of its reach)": (
        "reparameterize", "    return mu + std * eps",
        "    return mu + torch.exp(logvar) * eps\n_check_tensor = lambda *args, **kwargs: None",
        {"test_reparameterize": "*variance*"}),
    "KL with the wrong sign": (
        "kl_divergence", "return 0.5 * (mu ** 2", "return -0.5 * (mu ** 2",
        {"test_kl_divergence": "never negative"}),
    "KL without the -1": (
        "kl_divergence", "- logvar - 1).sum(dim=1)", "- logvar).sum(dim=1)",
        {"test_kl_divergence": "misses the -1"}),
    "KL with sigma where sigma^2 belongs": (
        "kl_divergence", "logvar.exp()", "(0.5 * logvar).exp()",
        {"test_kl_divergence": "variance sigma^2"}),
    "KL with log sigma where log sigma^2 belongs": (
        "kl_divergence", "- logvar - 1", "- 0.5 * logvar - 1",
        {"test_kl_divergence": "log sigma = 0.5 * logvar"}),
    "KL averaged over the latent dimensions": (
        "kl_divergence", ".sum(dim=1)", ".mean(dim=1)",
        {"test_kl_divergence": "mean over the latent dimensions"}),
    "KL averaged over the batch too (one number)": (
        "kl_divergence", ".sum(dim=1)", ".sum(dim=1).mean()",
        {"test_kl_divergence": "one KL per example"}),
    "loss summed over the batch": (
        "negative_elbo", "reconstruction, kl = reconstruction.mean(), kl.mean()",
        "reconstruction, kl = reconstruction.sum(), kl.sum()",
        {"test_negative_elbo": "summed over the batch"}),
    "KL summed over the batch, reconstruction averaged": (
        "negative_elbo", "reconstruction, kl = reconstruction.mean(), kl.mean()",
        "reconstruction, kl = reconstruction.mean(), kl.sum()",
        {"test_negative_elbo": "KL summed over the batch"}),
    "reconstruction averaged over the pixels (F.mse_loss)": (
        "negative_elbo", "((x - recon) ** 2).flatten(1).sum(dim=1)", "((x - recon) ** 2).flatten(1).mean(dim=1)",
        {"test_negative_elbo": "mean over the pixels"}),
    "reconstruction without 1/(2 s^2)": (
        "negative_elbo", " / (2 * vae.recon_std ** 2)  # per image", "  # per image",
        {"test_negative_elbo": "without its weight"}),
    "reconstruction over 2 s instead of 2 s^2": (
        "negative_elbo", " / (2 * vae.recon_std ** 2)  # per image", " / (2 * vae.recon_std)  # per image",
        {"test_negative_elbo": "the standard deviation"}),
    "decoding mu instead of the sampled z": (
        "negative_elbo", "recon = vae.decode(z)", "recon = vae.decode(mu)",
        {"test_negative_elbo": "decodes mu"}),
    "KL subtracted": (
        "negative_elbo", "return reconstruction + kl, reconstruction, kl",
        "return reconstruction - kl, reconstruction, kl",
        {"test_negative_elbo": "*adds* the KL"}),
}


TEST_HELPERS = "# Test helpers (read-only): used by the visible tests below. Run this cell once.\n" + HELPERS


def build():
    """The notebook of assignment 08-vae."""
    return notebook([
        setup(extra="from ganlab.models import VAE"),
        markdown("intro", INTRO),
        code("test_helpers", TEST_HELPERS),
        markdown("part1", PART1),
        solution("reparameterize", SCAFFOLD1, SOLUTION1),
        tests("test_reparameterize", 3, VISIBLE1, HIDDEN1, scoped=True),
        markdown("part2", PART2),
        solution("kl_divergence", SCAFFOLD2, SOLUTION2),
        tests("test_kl_divergence", 3, VISIBLE2, HIDDEN2, scoped=True),
        markdown("part3", PART3),
        solution("negative_elbo", SCAFFOLD3, SOLUTION3),
        tests("test_negative_elbo", 4, VISIBLE3, HIDDEN3, scoped=True),
        markdown("outro", OUTRO),
    ])
