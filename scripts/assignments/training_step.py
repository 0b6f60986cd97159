"""Assignment 03-training-step: Algorithm 1 of Goodfellow et al. (2014), one line at a time.

A D step, a G step and the alternating loop with k D steps per G step. Chapter 3 of the book
explains each line; ``ganlab.train.train_gan`` is the course's full training loop.
"""
from __future__ import annotations

from .cells import chapter_link, code, markdown, notebook, setup, solution, tests

NAME = "03-training-step"

# Stub networks and spying optimisers. The visible tests use them from the read-only helpers
# cell; every hidden part defines them again, so that no learner cell can replace what the
# grade depends on. They contain no part of the solution.
HELPERS = '''
class _StubD(nn.Module):
    """A linear discriminator that returns one logit per sample, shape (B,)."""
    def __init__(self, dim):
        super().__init__()
        self.linear = nn.Linear(dim, 1)
    def forward(self, x):
        return self.linear(x).squeeze(-1)

class _SpyG(nn.Module):
    """A linear generator that counts the gradients that flow back into its output."""
    def __init__(self, latent_dim, data_dim):
        super().__init__()
        self.linear = nn.Linear(latent_dim, data_dim)
        self.gradients_received = 0
    def forward(self, z):
        out = self.linear(z)
        if out.requires_grad:
            out.register_hook(self._received)
        return out
    def _received(self, grad):
        self.gradients_received += 1

class _SpySGD(torch.optim.SGD):
    """Plain SGD that writes its label into a shared log each time it steps."""
    def __init__(self, params, lr, log, label):
        super().__init__(params, lr=lr)
        self.log, self.label = log, label
    def step(self, closure=None):
        self.log.append(self.label)
        return super().step(closure)

def _make_problem(seed, batch=6, latent_dim=3, data_dim=2):
    """A spy generator, a stub discriminator, a real batch and a latent batch, all seeded."""
    gen = checks.rng(seed)
    generator, discriminator = _SpyG(latent_dim, data_dim), _StubD(data_dim)
    with torch.no_grad():
        for p in list(generator.parameters()) + list(discriminator.parameters()):
            p.copy_(torch.randn(p.shape, generator=gen))
    real = torch.randn(batch, data_dim, generator=gen) + 2.0
    z = torch.randn(batch, latent_dim, generator=gen)
    return generator, discriminator, real, z

def _optimizers(generator, discriminator, lr=0.1):
    log = []
    return _SpySGD(generator.parameters(), lr, log, "G"), _SpySGD(discriminator.parameters(), lr, log, "D"), log

def _parameters(module):
    checks.restore()  # helpers run after the learner's code: trust nothing it may have replaced
    return [p.detach().clone() for p in module.parameters()]

def _same(a, b):
    checks.restore()
    return all(bool((x == y).all()) for x, y in zip(a, b))

def _assert_parameters(module, expected, what):
    for (name, p), q in zip(module.named_parameters(), expected):
        checks.assert_close(p.detach(), q, f"{what}: parameter {name!r}", atol=1e-5, rtol=1e-4)

def _losses_now(generator, discriminator, real, z):
    """(L_D, L_G non-saturating, L_G saturating) at the current parameters, as floats."""
    checks.restore()
    with torch.no_grad():
        real_logits, fake_logits = discriminator(real), discriminator(generator(z))
        return (float(F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()),
                float(F.softplus(-fake_logits).mean()), float(-F.softplus(fake_logits).mean()))

def _check_float(value, what):
    checks.restore()
    checks.assert_true(type(value) is float, f"{what} must be a Python float (use loss.item()), got {type(value).__name__}")
'''

# The tests' own Algorithm 1 (hidden only: it is the answer).
REFERENCE = '''
def _reference_d_step(generator, discriminator, real, z, lr):
    """D's parameters after one SGD step on L_D, computed apart from the learner's modules."""
    discriminator = copy.deepcopy(discriminator)
    with torch.no_grad():
        fake = generator.linear(z)
    loss = F.softplus(-discriminator(real)).mean() + F.softplus(discriminator(fake)).mean()
    grads = torch.autograd.grad(loss, list(discriminator.parameters()))
    return [(p - lr * g).detach() for p, g in zip(discriminator.parameters(), grads)]

def _reference_g_step(generator, discriminator, z, lr):
    """G's parameters after one SGD step on the non-saturating L_G through D."""
    generator = copy.deepcopy(generator)
    loss = F.softplus(-discriminator(generator.linear(z))).mean()
    grads = torch.autograd.grad(loss, list(generator.linear.parameters()))
    return [(p - lr * g).detach() for p, g in zip(generator.linear.parameters(), grads)]
'''

INTRO = r"""
# Assignment 3 — The training step (12 points)

Algorithm 1 of Goodfellow et al. (2014) alternates two updates: $k$ steps that **ascend**
$V$ in the parameters of the discriminator (판별자), then one step that **descends** in the
parameters of the generator (생성자). With the non-saturating generator loss of assignment 2:

1. **D step** (repeated $k$ times, each with a fresh real batch and fresh noise). Generate
   fakes $G(z)$, compute
   $L_D = \overline{\operatorname{softplus}(-D(x))} + \overline{\operatorname{softplus}(D(G(z)))}$
   (real → 1, fake → 0), update **only D**.
2. **G step** (fresh noise). Compute $L_G = \overline{\operatorname{softplus}(-D(G(z)))}$
   through the **current** D, update **only G**.

The discriminator returns **logits** (no sigmoid at the end), shape `(B,)`. Five classic
mistakes hide in these lines, and each one has its own test, so each costs only its points:

| you write | test | points | the mistake it catches |
| --- | --- | --- | --- |
| `d_step` | `test_d_step_loss` | 2 | sigmoid applied before a logits loss; labels swapped |
| `d_step` | `test_d_step_update` | 1 | not a gradient step on $L_D$ |
| `d_step` | `test_d_step_detach` | 2 | no `fake.detach()`: the D loss sends gradients into G |
| `d_step` | `test_d_step_zero_grad` | 2 | no `zero_grad()`: `.backward()` **adds** to old `.grad` |
| `g_step` | `test_g_step` | 2 | the saturating loss; a detached G; D changed |
| `g_step` | `test_g_step_zero_grad` | 1 | no `zero_grad()` |
| `train_step` | `test_train_step` | 2 | not $k$ D steps then one G step; reused batches; optimisers swapped |

*Read first:* """ + chapter_link("03-discriminator-generator", "Chapter 3, The discriminator and the generator") + r""",
which explains each line; `ganlab.train.train_gan` is the course's full loop (do not call it here).
"""

PART1 = r"""
## Part 1 — the discriminator's step (7 points)

`d_step(generator, discriminator, d_optimizer, real, z)`: `generator` maps `z` (shape
`(B, latent_dim)`) to samples, `discriminator` maps samples to logits `(B,)`, and
`d_optimizer` holds D's parameters only. Return $L_D$ **before** the update, as a Python float.

*Hints:* `F.softplus` or `F.binary_cross_entropy_with_logits`; `optimizer.zero_grad()`,
`loss.backward()`, `optimizer.step()`; `tensor.detach()`.

*The tests* use a linear spy generator that counts the gradients reaching its output, a linear
stub discriminator and plain SGD. They check the returned loss (and name the slip if it is
$L_D$ with the sigmoid applied twice or the labels swapped), that D moved by one gradient step
on $L_D$, that **no gradient reached G**, and that stale values in `.grad` (from an earlier
step) do not change your update.
"""

SCAFFOLD1 = '''
def d_step(generator, discriminator, d_optimizer, real, z):
    """One update of D on real -> 1 and G(z) -> 0. Returns L_D before the update (a float)."""
    {solution}
'''

SOLUTION1 = '''
fake = generator(z).detach()  # the D loss must not send gradients into G
d_optimizer.zero_grad()  # .backward() adds to .grad: clear the old gradients first
real_logits, fake_logits = discriminator(real), discriminator(fake)
loss = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
loss.backward()
d_optimizer.step()
return loss.item()
'''

VISIBLE_D_LOSS = '''
_G, _D, _real, _z = _make_problem(seed=0)
_expected, _, _ = _losses_now(_G, _D, _real, _z)
with torch.no_grad():
    _pr, _pf = torch.sigmoid(_D(_real)), torch.sigmoid(_D(_G(_z)))
    _twice = float(F.softplus(-_pr).mean() + F.softplus(_pf).mean())
    _swapped = float(F.softplus(_D(_real)).mean() + F.softplus(-_D(_G(_z))).mean())
_g_opt, _d_opt, _log = _optimizers(_G, _D)
_loss = d_step(_G, _D, _d_opt, _real, _z)
_check_float(_loss, "d_step's return value")
checks.assert_true(abs(_loss - _twice) > 1e-4, f"d_step returned {_loss:.5f}, L_D with the sigmoid applied twice: the "
                   "discriminator returns logits, and softplus / BCE-with-logits apply the sigmoid themselves.")
checks.assert_true(abs(_loss - _swapped) > 1e-4, f"d_step returned {_loss:.5f}, L_D with the labels swapped: "
                   "real samples have target 1, fakes target 0.")
checks.assert_scalar_close(_loss, _expected, "d_step's loss: L_D = mean(softplus(-D(x))) + mean(softplus(D(G(z)))), "
                           "before the update", atol=1e-5, rtol=1e-4)
'''

HIDDEN_D_LOSS = HELPERS + '''
for _seed, _batch, _latent, _dim in [(31, 4, 2, 2), (32, 9, 5, 3), (33, 1, 3, 1)]:
    _G, _D, _real, _z = _make_problem(_seed, _batch, _latent, _dim)
    _expected, _, _ = _losses_now(_G, _D, _real, _z)
    _g_opt, _d_opt, _log = _optimizers(_G, _D, lr=0.05)
    _loss = d_step(_G, _D, _d_opt, _real, _z)
    _check_float(_loss, "d_step's return value")
    checks.assert_scalar_close(_loss, _expected, f"d_step's loss (batch {_batch}, data dim {_dim})", atol=1e-5, rtol=1e-4)
'''

VISIBLE_D_UPDATE = '''
_G, _D, _real, _z = _make_problem(seed=1)
_before_G, _before_D = _parameters(_G), _parameters(_D)
_loss_before, _, _ = _losses_now(_G, _D, _real, _z)
_g_opt, _d_opt, _log = _optimizers(_G, _D, lr=0.05)
d_step(_G, _D, _d_opt, _real, _z)
checks.assert_true(_log == ["D"], f"d_step stepped the optimisers {_log}; it should call d_optimizer.step() once")
checks.assert_true(not _same(_parameters(_D), _before_D), "D's parameters did not change: call d_optimizer.step()")
checks.assert_true(_same(_parameters(_G), _before_G), "G's parameters changed in the D step: only D may move")
_loss_after, _, _ = _losses_now(_G, _D, _real, _z)
checks.assert_true(_loss_after < _loss_before, f"L_D went up from {_loss_before:.4f} to {_loss_after:.4f}: D must "
                   "*descend* L_D (mind the sign of the loss, and the labels: real -> 1, fake -> 0)")
'''

HIDDEN_D_UPDATE = HELPERS + REFERENCE + '''
for _seed, _batch, _latent, _dim in [(41, 3, 4, 2), (42, 8, 2, 3)]:
    _G, _D, _real, _z = _make_problem(_seed, _batch, _latent, _dim)
    _expected = _reference_d_step(_G, _D, _real, _z, lr=0.2)
    _g_opt, _d_opt, _log = _optimizers(_G, _D, lr=0.2)
    d_step(_G, _D, _d_opt, _real, _z)
    checks.assert_true(_log == ["D"], f"d_step stepped the optimisers {_log}; expected d_optimizer once")
    _assert_parameters(_D, _expected, f"D after one d_step (batch {_batch}): one SGD step on L_D")
'''

VISIBLE_D_DETACH = '''
_G, _D, _real, _z = _make_problem(seed=2)
_g_opt, _d_opt, _log = _optimizers(_G, _D)
d_step(_G, _D, _d_opt, _real, _z)
_grads = [p.grad for p in _G.parameters() if p.grad is not None and bool((p.grad != 0).any())]
checks.assert_true(_G.gradients_received == 0 and not _grads,
                   f"During the D step a gradient reached the generator ({_G.gradients_received} backward pass(es) into "
                   f"G(z), {len(_grads)} G parameter(s) with a gradient). The D loss must not train G: pass "
                   "fake.detach() to the discriminator (or generate under torch.no_grad()).")
'''

HIDDEN_D_DETACH = HELPERS + '''
for _seed, _batch, _latent, _dim in [(51, 5, 4, 3), (52, 2, 1, 2)]:
    _G, _D, _real, _z = _make_problem(_seed, _batch, _latent, _dim)
    _g_opt, _d_opt, _log = _optimizers(_G, _D)
    d_step(_G, _D, _d_opt, _real, _z)
    _grads = [p.grad for p in _G.parameters() if p.grad is not None and bool((p.grad != 0).any())]
    checks.assert_true(_G.gradients_received == 0 and not _grads,
                       "G received gradients from the D loss: detach the fakes in the D step")
'''

ZERO_GRAD = '''
def _stale(module, value):
    for p in module.parameters():
        p.grad = torch.full_like(p, value)  # gradients left over from an earlier step

def _d_twice(seed, stale, lr=0.1):
    """D's parameters after two d_steps; with stale=True, .grad starts full of old values."""
    G, D, real, z = _make_problem(seed, batch=5, latent_dim=2, data_dim=2)
    if stale:
        _stale(G, 3.0), _stale(D, -4.0)
    g_opt, d_opt, log = _optimizers(G, D, lr=lr)
    d_step(G, D, d_opt, real, z)
    first = _parameters(D)
    d_step(G, D, d_opt, real, z)
    return first, _parameters(D)

def _assert_same_run(clean, stale, what):
    for step, (a, b) in enumerate(zip(clean, stale), start=1):
        for x, y in zip(a, b):
            checks.assert_close(y, x, f"{what} after step {step}: with old values in .grad the result changed, so "
                                "old gradients leaked into the update. Call zero_grad() before backward()", atol=1e-6, rtol=1e-5)
'''

VISIBLE_D_ZERO_GRAD = '''
_assert_same_run(_d_twice(3, stale=False), _d_twice(3, stale=True), "D")
'''

HIDDEN_D_ZERO_GRAD = HELPERS + ZERO_GRAD + '''
for _seed in (61, 62):
    _assert_same_run(_d_twice(_seed, stale=False, lr=0.03), _d_twice(_seed, stale=True, lr=0.03), "D")
'''

PART2 = r"""
## Part 2 — the generator's step (3 points)

`g_step(generator, discriminator, g_optimizer, z)`: compute the **non-saturating** loss
$L_G = \overline{\operatorname{softplus}(-D(G(z)))}$ (the lecture's "little trick": maximise
$\log D(G(z))$ rather than minimise $\log(1 - D(G(z)))$), update only G, and return $L_G$
before the update as a Python float.

The G loss backpropagates *through* D, so D's parameters get gradients too; that is fine,
as long as only `g_optimizer` steps (and the next D step starts with `zero_grad()`). Do not
detach anything here: G learns through D's judgement of its fakes.

*The tests check:* the returned loss (and name the saturating loss if that is what you
return), G moved by one gradient step on $L_G$, D did not move, and stale `.grad` values do not
change the result.
"""

SCAFFOLD2 = '''
def g_step(generator, discriminator, g_optimizer, z):
    """One update of G with the non-saturating loss through D. Returns L_G before the update."""
    {solution}
'''

SOLUTION2 = '''
g_optimizer.zero_grad()
logits = discriminator(generator(z))  # no detach: the gradient must reach G through D
loss = F.softplus(-logits).mean()  # -log D(G(z))
loss.backward()
g_optimizer.step()
return loss.item()
'''

VISIBLE_G_STEP = '''
_G, _D, _real, _z = _make_problem(seed=4)
_, _expected, _saturating = _losses_now(_G, _D, _real, _z)
_before_G, _before_D = _parameters(_G), _parameters(_D)
_g_opt, _d_opt, _log = _optimizers(_G, _D, lr=0.05)
_loss = g_step(_G, _D, _g_opt, _z)
_check_float(_loss, "g_step's return value")
checks.assert_true(abs(_loss - _saturating) > 1e-4, f"g_step returned {_loss:.5f}, the saturating loss "
                   "mean(log(1 - D(G(z)))). Use the non-saturating one: mean(softplus(-D(G(z)))) = -mean(log D(G(z))).")
checks.assert_scalar_close(_loss, _expected, "g_step's loss: L_G = mean(softplus(-D(G(z)))), before the update",
                           atol=1e-5, rtol=1e-4)
checks.assert_true(_log == ["G"], f"g_step stepped the optimisers {_log}; it should call g_optimizer.step() once")
checks.assert_true(not _same(_parameters(_G), _before_G), "G's parameters did not change: the G loss must reach G "
                   "(no detach in the G step) and g_optimizer.step() must run")
checks.assert_true(_same(_parameters(_D), _before_D), "D's parameters changed in the G step: only G may move")
_, _after, _ = _losses_now(_G, _D, _real, _z)
checks.assert_true(_after < _expected, f"L_G went up from {_expected:.4f} to {_after:.4f}: G must descend the loss")
'''

HIDDEN_G_STEP = HELPERS + REFERENCE + '''
for _seed, _batch, _latent, _dim in [(71, 3, 4, 2), (72, 8, 2, 3), (73, 1, 3, 1)]:
    _G, _D, _real, _z = _make_problem(_seed, _batch, _latent, _dim)
    _, _expected_loss, _ = _losses_now(_G, _D, _real, _z)
    _expected = _reference_g_step(_G, _D, _z, lr=0.2)
    _before_D = _parameters(_D)
    _g_opt, _d_opt, _log = _optimizers(_G, _D, lr=0.2)
    _loss = g_step(_G, _D, _g_opt, _z)
    _check_float(_loss, "g_step's return value")
    checks.assert_scalar_close(_loss, _expected_loss, f"g_step's loss (batch {_batch})", atol=1e-5, rtol=1e-4)
    checks.assert_true(_log == ["G"], f"g_step stepped the optimisers {_log}; expected g_optimizer once")
    _assert_parameters(_G.linear, _expected, f"G after one g_step (batch {_batch}): one SGD step on the non-saturating loss")
    checks.assert_true(_same(_parameters(_D), _before_D), "D's parameters changed in the G step")
'''

G_ZERO_GRAD = '''
def _g_twice(seed, stale, lr=0.1):
    """G's parameters after two g_steps; with stale=True, .grad starts full of old values."""
    G, D, real, z = _make_problem(seed, batch=5, latent_dim=2, data_dim=2)
    if stale:
        _stale(G, -2.0), _stale(D, 5.0)
    g_opt, d_opt, log = _optimizers(G, D, lr=lr)
    g_step(G, D, g_opt, z)
    first = _parameters(G)
    g_step(G, D, g_opt, z)
    return first, _parameters(G)
'''

VISIBLE_G_ZERO_GRAD = '''
_assert_same_run(_g_twice(5, stale=False), _g_twice(5, stale=True), "G")
'''

HIDDEN_G_ZERO_GRAD = HELPERS + ZERO_GRAD + G_ZERO_GRAD + '''
for _seed in (81, 82):
    _assert_same_run(_g_twice(_seed, stale=False, lr=0.03), _g_twice(_seed, stale=True, lr=0.03), "G")
'''

PART3 = r"""
## Part 3 — the alternating loop (2 points)

`train_step(generator, discriminator, g_optimizer, d_optimizer, sample_real, sample_z, k=1)`
is one iteration of Algorithm 1: **k** calls of your `d_step`, each with a fresh real batch
`sample_real()` and fresh noise `sample_z()`, then one call of your `g_step` with fresh noise.
Return `(d_losses, g_loss)`: the list of the $k$ D losses and the G loss.

Goodfellow et al. used $k = 1$; a larger $k$ keeps D closer to $D^*$ (assignment 1) at the
price of more computation per G step.

*The tests* replace `d_step` and `g_step` by spies while they run (so this part is graded
even if parts 1–2 are not finished), count the calls and their order, check which optimiser
each one received and that no batch is used twice.
"""

SCAFFOLD3 = '''
def train_step(generator, discriminator, g_optimizer, d_optimizer, sample_real, sample_z, k=1):
    """k D steps (fresh batches each), then one G step (fresh noise). Returns (d_losses, g_loss)."""
    {solution}
'''

SOLUTION3 = '''
d_losses = [d_step(generator, discriminator, d_optimizer, sample_real(), sample_z()) for _ in range(k)]
g_loss = g_step(generator, discriminator, g_optimizer, sample_z())
return d_losses, g_loss
'''

TRAIN_SPIES = '''
def _check_train_step(k, seed):
    """Run train_step with spies in place of d_step and g_step; check what they were given."""
    global d_step, g_step
    G, D, _, _ = _make_problem(seed)
    g_opt, d_opt, log = _optimizers(G, D)
    gen = checks.rng(seed)
    real_batches, z_batches, calls = [], [], []
    def sample_real():
        real_batches.append(torch.randn(4, 2, generator=gen))
        return real_batches[-1]
    def sample_z():
        z_batches.append(torch.randn(4, 3, generator=gen))
        return z_batches[-1]
    def spy_d_step(generator, discriminator, d_optimizer, real, z):
        calls.append(("d_step", generator, discriminator, d_optimizer, real, z))
        d_optimizer.step()
        return 0.5 + len(calls)
    def spy_g_step(generator, discriminator, g_optimizer, z):
        calls.append(("g_step", generator, discriminator, g_optimizer, None, z))
        g_optimizer.step()
        return -7.25
    learners = d_step, g_step
    d_step, g_step = spy_d_step, spy_g_step
    try:
        out = train_step(G, D, g_opt, d_opt, sample_real, sample_z, k=k)
    finally:
        d_step, g_step = learners
        checks.restore()
    order = [c[0] for c in calls]
    checks.assert_true(order == ["d_step"] * k + ["g_step"],
                       f"with k={k}, train_step called {order}; Algorithm 1 does k d_step calls, then one g_step")
    checks.assert_true(log == ["D"] * k + ["G"], f"with k={k} the optimisers stepped in the order {log}; expected "
                       f"{['D'] * k + ['G']}: give d_optimizer to d_step and g_optimizer to g_step")
    checks.assert_true(all(c[1] is G and c[2] is D for c in calls), "pass the generator and the discriminator, in that order")
    checks.assert_true(len(real_batches) == k and len(z_batches) == k + 1,
                       f"with k={k}, sample_real() ran {len(real_batches)} times and sample_z() {len(z_batches)} times; "
                       f"expected {k} and {k + 1}: every D step gets fresh real data and noise, the G step fresh noise")
    used_real = [id(c[4]) for c in calls[:k]]
    used_z = [id(c[5]) for c in calls]
    checks.assert_true(len(set(used_real)) == k and set(used_real) == {id(b) for b in real_batches},
                       "each D step must get its own fresh batch from sample_real()")
    checks.assert_true(len(set(used_z)) == k + 1 and set(used_z) == {id(b) for b in z_batches},
                       "each D step and the G step must get their own fresh noise from sample_z()")
    checks.assert_true(type(out) is tuple and len(out) == 2, f"train_step must return (d_losses, g_loss), got {out!r}")
    d_losses, g_loss = out
    checks.assert_true(type(d_losses) is list and all(type(v) is float for v in d_losses)
                       and d_losses == [1.5 + i for i in range(k)],
                       f"d_losses must be the list of the {k} values d_step returned, in order; got {d_losses!r}")
    checks.assert_true(type(g_loss) is float and g_loss == -7.25, f"g_loss must be what g_step returned; got {g_loss!r}")
'''

VISIBLE_TRAIN = '''
_check_train_step(k=1, seed=6)
_check_train_step(k=3, seed=7)
'''

HIDDEN_TRAIN = HELPERS + TRAIN_SPIES + '''
for _k, _seed in [(2, 91), (5, 92), (1, 93)]:
    _check_train_step(k=_k, seed=_seed)
'''

OUTRO = r"""
## Why each line matters

* `detach()` cuts the graph at the fakes: the D step must not compute (let alone apply)
  gradients for G. Generating under `torch.no_grad()` does the same.
* `zero_grad()` before each `backward()`: PyTorch **accumulates** gradients, and the G step
  leaves gradients in D's parameters (and a D step without detach leaves them in G's).
* The G loss backpropagates *through* D; only `g_optimizer.step()` may use those gradients.
* D returns logits; the loss applies the sigmoid inside `softplus`, exactly once.
* Fresh batches for every step: reusing one batch for the $k$ D steps over-fits D to it.

Chapter 3 of the book trains a GAN with exactly this loop (`ganlab.train.train_gan`, with
`d_steps=k`) on the ring and the grid of Gaussians.
"""

# Classic mistakes, for tests/test_assignments.py: label -> (solution cell, text in the
# reference solution, replacement, {test cell that must fail: words its message must contain}).
# Every other test cell must still pass (partial credit).
MISTAKES = {
    "missing detach in the D step": (
        "d_step", "fake = generator(z).detach()", "fake = generator(z)",
        {"test_d_step_detach": "pass fake.detach()"}),
    "missing zero_grad in the D step": (
        "d_step", "d_optimizer.zero_grad()", "pass",
        {"test_d_step_zero_grad": "zero_grad()"}),
    "sigmoid applied twice in the D step": (
        "d_step", "real_logits, fake_logits = discriminator(real), discriminator(fake)",
        "real_logits, fake_logits = torch.sigmoid(discriminator(real)), torch.sigmoid(discriminator(fake))",
        {"test_d_step_loss": "sigmoid applied twice", "test_d_step_update": "one SGD step on L_D"}),
    "attack: rebinds the tests' helpers and does nothing": (
        "d_step", "fake = generator(z).detach()  # the D loss must not send gradients into G",
        "globals().update(_check_float=lambda *a: None, _same=lambda *a: True, _assert_parameters=lambda *a: None,"
        " _assert_same_run=lambda *a: None, _losses_now=lambda *a: (0.0, 0.0, 0.0))\n    return 0.0",
        # (a D step that does nothing leaks no stale gradient: test_d_step_zero_grad passes; the
        # rebound helpers break the visible part of test_g_step, the learner's own doing)
        {"test_d_step_loss": "expected", "test_d_step_update": "step", "test_g_step": "expected"}),
    "attack: a loss that equals everything": (
        "d_step", "return loss.item()", "return type(\"Anything\", (), {\"__eq__\": lambda s, o: True, \"__float__\": lambda s: -math.log(4.0), \"__sub__\": lambda s, o: s, \"__abs__\": lambda s: 0.0, \"__le__\": lambda s, o: True, \"__lt__\": lambda s, o: True})()",
        {"test_d_step_loss": "must be a Python float"}),
    "saturating loss in the G step": (
        "g_step", "loss = F.softplus(-logits).mean()", "loss = -F.softplus(logits).mean()",
        {"test_g_step": "the saturating loss"}),
    "detached fakes in the G step": (
        "g_step", "logits = discriminator(generator(z))", "logits = discriminator(generator(z).detach())",
        {"test_g_step": "did not change"}),
    "missing zero_grad in the G step": (
        "g_step", "g_optimizer.zero_grad()", "pass",
        {"test_g_step_zero_grad": "zero_grad()"}),
    "one D step whatever k": (
        "train_step", "for _ in range(k)]", "for _ in range(1)]",
        {"test_train_step": "k d_step calls"}),
    "G's optimizer given to the D step": (
        "train_step", "d_step(generator, discriminator, d_optimizer,", "d_step(generator, discriminator, g_optimizer,",
        {"test_train_step": "give d_optimizer to d_step"}),
    "one noise batch for all D steps": (
        "train_step", "d_losses = [d_step(generator, discriminator, d_optimizer, sample_real(), sample_z()) for _ in range(k)]",
        "z = sample_z()\n    d_losses = [d_step(generator, discriminator, d_optimizer, sample_real(), z) for _ in range(k)]",
        {"test_train_step": "fresh real data and noise"}),
}


TEST_HELPERS = ("# Test helpers (read-only): stubs and spies for the visible tests below. Run this cell once.\n"
                + HELPERS + ZERO_GRAD + G_ZERO_GRAD + TRAIN_SPIES)


def build():
    """The notebook of assignment 03-training-step."""
    return notebook([
        setup(),
        markdown("intro", INTRO),
        code("test_helpers", TEST_HELPERS),
        markdown("part1", PART1),
        solution("d_step", SCAFFOLD1, SOLUTION1),
        tests("test_d_step_loss", 2, VISIBLE_D_LOSS, HIDDEN_D_LOSS, scoped=True),
        tests("test_d_step_update", 1, VISIBLE_D_UPDATE, HIDDEN_D_UPDATE, scoped=True),
        tests("test_d_step_detach", 2, VISIBLE_D_DETACH, HIDDEN_D_DETACH, scoped=True),
        tests("test_d_step_zero_grad", 2, VISIBLE_D_ZERO_GRAD, HIDDEN_D_ZERO_GRAD, scoped=True),
        markdown("part2", PART2),
        solution("g_step", SCAFFOLD2, SOLUTION2),
        tests("test_g_step", 2, VISIBLE_G_STEP, HIDDEN_G_STEP, scoped=True),
        tests("test_g_step_zero_grad", 1, VISIBLE_G_ZERO_GRAD, HIDDEN_G_ZERO_GRAD, scoped=True),
        markdown("part3", PART3),
        solution("train_step", SCAFFOLD3, SOLUTION3),
        tests("test_train_step", 2, VISIBLE_TRAIN, HIDDEN_TRAIN, scoped=True),
        markdown("outro", OUTRO),
    ])
