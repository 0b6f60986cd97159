"""Assignment 02-losses: the D loss and both G losses from logits, exactly and stably.

Chapters 3 (the discriminator's binary cross-entropy) and 4 (the non-saturating trick) of the
book introduce them; ``ganlab.losses`` holds the course's own versions.
"""
from __future__ import annotations

from .cells import chapter_link, code, markdown, notebook, setup, solution, tests

NAME = "02-losses"

# The tests' own reference in double precision with Python's math module, and a check that
# names the classic mistake a wrong value comes from. The visible tests use them from the
# read-only helpers cell; every hidden part defines them again (no learner cell can replace them).
REFERENCE = '''
def _softplus(v):
    """log(1 + e^v) without overflow: max(v, 0) + log1p(e^-|v|)."""
    return max(v, 0.0) + math.log1p(math.exp(-abs(v)))

def _sigmoid(v):
    return 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))

def _mean(values):
    return sum(values) / len(values)

def _check_loss(got, expected, what, mistakes=(), atol=1e-5, rtol=1e-5):
    """got: a 0-dim tensor close to expected. Names the mistake if got matches a known one."""
    checks.restore()  # the learner's function just ran: trust nothing it may have replaced
    checks.assert_true(type(got) is torch.Tensor, f"{what}: expected a torch.Tensor, got {type(got).__name__} "
                       "(return the tensor itself: no .item(), no float())")
    checks.assert_tensor(got, what)
    checks.assert_shape(got, (), what + " (a scalar: average over the batch with .mean())")
    value = float(got)
    checks.assert_true(not math.isinf(value), f"{what} is {value}: the logarithm overflowed. torch.log(torch.sigmoid(l)) "
                       "is log(0) = -inf once |l| is large; use F.softplus, F.logsigmoid or "
                       "F.binary_cross_entropy_with_logits (see the identities above).")
    checks.assert_true(not math.isnan(value), f"{what} is nan. The inputs are logits (any real number), not probabilities: "
                       "torch.log of a negative logit is nan. Use D(x) = sigmoid(logit) through softplus.")
    for hint, wrong in mistakes:
        if abs(wrong - expected) > 1e-3 * (1 + abs(expected)) and abs(value - wrong) <= 1e-5 + 1e-4 * abs(wrong):
            checks.assert_true(False, f"{what}: expected {expected:.6f}, got {value:.6f}. {hint}")
    checks.assert_close(got, torch.tensor(expected, dtype=got.dtype), what, atol=atol, rtol=rtol)
'''

D_MISTAKES = '''
def _d_mistakes(real, fake):
    sig = [_sigmoid(v) for v in real], [_sigmoid(v) for v in fake]
    right = sum(_softplus(-v) for v in real) / len(real) + sum(_softplus(v) for v in fake) / len(fake)
    return [
        ("That is the loss with the sigmoid applied twice: the logits went through torch.sigmoid and then "
         "into a loss that applies it again (softplus / BCE-with-logits take logits).",
         _mean([_softplus(-p) for p in sig[0]]) + _mean([_softplus(p) for p in sig[1]])),
        ("That is the loss with the labels swapped: real samples have target 1, fakes target 0.",
         _mean([_softplus(v) for v in real]) + _mean([_softplus(-v) for v in fake])),
        ("That is V, D's *gain*; the loss to minimise is -V (mind the sign).", -right),
        ("That is one mean over both batches together; average each term on its own.",
         (sum(_softplus(-v) for v in real) + sum(_softplus(v) for v in fake)) / (len(real) + len(fake))),
        ("That is a sum over the batch; the loss averages each term (.mean()).",
         sum(_softplus(-v) for v in real) + sum(_softplus(v) for v in fake)),
    ] + _as_probabilities(real, fake)

def _as_probabilities(real, fake):
    """The loss of a learner who took the logits for probabilities (where it is defined)."""
    if min(real) <= 0 or max(fake) >= 1:
        return []
    return [("That treats the logits as probabilities (log of a logit). The inputs are logits, not probabilities: "
             "D(x) = sigmoid(logit).", -_mean([math.log(v) for v in real]) - _mean([math.log(1 - v) for v in fake]))]
'''

SAT_MISTAKES = '''
def _sat_mistakes(fake):
    right = -_mean([_softplus(v) for v in fake])
    return [
        ("That is -L_G: the saturating loss is mean(log(1 - D(G(z)))) = -mean(softplus(logit)), a negative number.", -right),
        ("That is the non-saturating loss, -mean(log D(G(z))); this part asks for mean(log(1 - D(G(z)))).",
         _mean([_softplus(-v) for v in fake])),
        ("That is the loss with the sigmoid applied twice: softplus takes the logits themselves.",
         -_mean([_softplus(_sigmoid(v)) for v in fake])),
    ]
'''

NS_MISTAKES = '''
def _ns_mistakes(fake):
    right = _mean([_softplus(-v) for v in fake])
    return [
        ("That is the saturating loss mean(log(1 - D(G(z)))); the non-saturating one is -mean(log D(G(z))).",
         -_mean([_softplus(v) for v in fake])),
        ("That is -L_G: G *minimises* -mean(log D(G(z))) = mean(softplus(-logit)), a positive number.", -right),
        ("That is D's loss on fakes (target 0); G wants its fakes called real (target 1): softplus(-logit).",
         _mean([_softplus(v) for v in fake])),
        ("That is the loss with the sigmoid applied twice: softplus takes the logits themselves.",
         _mean([_softplus(-_sigmoid(v)) for v in fake])),
    ]
'''

INTRO = r"""
# Assignment 2 — GAN losses from logits (12 points)

A discriminator (판별자) ends in one number per sample, the **logit** $\ell(x)$; its
probability is $D(x) = \sigma(\ell(x)) = 1/(1 + e^{-\ell(x)})$. Every network in this course
returns logits and every loss takes logits, because the logarithms of the minimax game have
exact, stable forms in terms of $\operatorname{softplus}(u) = \log(1 + e^u)$:

$$
\log D(x) = \log \sigma(\ell) = -\operatorname{softplus}(-\ell), \qquad
\log\bigl(1 - D(x)\bigr) = \log \sigma(-\ell) = -\operatorname{softplus}(\ell).
$$

Computing `torch.log(torch.sigmoid(logits))` instead fails as soon as $D$ is sure of itself:
in float32, `torch.sigmoid(torch.tensor(-100.))` is `0.`, its log is `-inf`, and one `inf`
in a loss ruins the whole training run (`ganlab.losses`, used by every chapter, is written this way).

All three losses are **means over the batch, to be minimised**. Each function has two test
cells: its values (and gradients) at ordinary logits, then the same at extreme logits.

| part | you write | values | stable at $\pm 1000$ |
| --- | --- | --- | --- |
| 1 | `d_loss(real_logits, fake_logits)` | 2 | 2 |
| 2 | `g_loss_saturating(fake_logits)` | 2 | 2 |
| 3 | `g_loss_nonsaturating(fake_logits)` | 2 | 2 |

*Read first:* """ + chapter_link("03-discriminator-generator", "Chapter 3, The discriminator and the generator") + r"""
and """ + chapter_link("04-nonsaturating", "Chapter 4, The non-saturating trick") + r""".

Allowed: `F.softplus`, `F.logsigmoid`, `F.binary_cross_entropy_with_logits`, or your own
stable formula. Please do not call `ganlab.losses`: it holds the course's own versions, so it
would answer the exercise for you.
"""

PART1 = r"""
## Part 1 — the discriminator's loss (4 points)

$D$ maximises $V$, so it minimises $-V$: binary cross-entropy with target 1 for real samples
and 0 for fakes (the lecture's "two steps" of D training):

$$
L_D = -\frac{1}{m}\sum_i \log \sigma(\ell_{real,i}) - \frac{1}{n}\sum_j \log\bigl(1 - \sigma(\ell_{fake,j})\bigr)
    = \frac{1}{m}\sum_i \operatorname{softplus}(-\ell_{real,i}) + \frac{1}{n}\sum_j \operatorname{softplus}(\ell_{fake,j}) .
$$

*The tests check:* values on fresh batches (real and fake batches of different sizes, float32
and float64), a scalar tensor, the gradients $\partial L_D / \partial \ell_{real,i} = -\sigma(-\ell_{real,i})/m$
and $\partial L_D / \partial \ell_{fake,j} = \sigma(\ell_{fake,j})/n$; then finite, correct values
**and gradients** at logits of $\pm 100$ and $\pm 1000$. They name the classic slips: sigmoid
applied twice, probabilities instead of logits, labels swapped, the wrong sign.
"""

SCAFFOLD1 = '''
def d_loss(real_logits, fake_logits):
    """L_D = mean(softplus(-real_logits)) + mean(softplus(fake_logits)); a 0-dim tensor."""
    {solution}
'''

SOLUTION1 = '''
real_term = F.softplus(-real_logits).mean()  # -log D(x)
fake_term = F.softplus(fake_logits).mean()  # -log(1 - D(G(z)))
return real_term + fake_term
'''

VISIBLE_D_VALUES = '''
_real, _fake = [2.0, 0.5, -1.0], [-2.0, 0.0]
_expected = _mean([_softplus(-v) for v in _real]) + _mean([_softplus(v) for v in _fake])
_check_loss(d_loss(torch.tensor(_real), torch.tensor(_fake)), _expected,
            "d_loss(real_logits=[2, 0.5, -1], fake_logits=[-2, 0])", _d_mistakes(_real, _fake))
'''

HIDDEN_D_VALUES = REFERENCE + D_MISTAKES + '''
_gen = checks.rng(2101)
for _m, _n, _dtype in [(5, 5, torch.float32), (8, 3, torch.float32), (2, 7, torch.float64)]:
    _real = (8 * torch.rand(_m, generator=_gen, dtype=_dtype) - 4).requires_grad_()
    _fake = (8 * torch.rand(_n, generator=_gen, dtype=_dtype) - 4).requires_grad_()
    _r, _f = _real.tolist(), _fake.tolist()
    _loss = d_loss(_real, _fake)
    _check_loss(_loss, _mean([_softplus(-v) for v in _r]) + _mean([_softplus(v) for v in _f]),
                f"d_loss on {_m} real and {_n} fake {_dtype} logits", _d_mistakes(_r, _f))
    checks.assert_true(_loss.requires_grad, "d_loss must keep the autograd graph to the logits (no .item(), no .detach())")
    _loss.backward()
    checks.assert_close(_real.grad, torch.tensor([-_sigmoid(-v) / _m for v in _r], dtype=_dtype),
                        "d(d_loss)/d(real logit), which should be -sigmoid(-logit) / m", atol=1e-6, rtol=1e-4)
    checks.assert_close(_fake.grad, torch.tensor([_sigmoid(v) / _n for v in _f], dtype=_dtype),
                        "d(d_loss)/d(fake logit), which should be sigmoid(logit) / n", atol=1e-6, rtol=1e-4)
'''

VISIBLE_D_STABLE = '''
for _r, _f in [(100.0, -100.0), (-100.0, 100.0), (100.0, 100.0)]:
    _check_loss(d_loss(torch.tensor([_r]), torch.tensor([_f])), _softplus(-_r) + _softplus(_f),
                f"d_loss at real logit {_r}, fake logit {_f}", _d_mistakes([_r], [_f]), atol=1e-4)
'''

HIDDEN_D_STABLE = REFERENCE + D_MISTAKES + '''
_real = torch.tensor([1000.0, -1000.0, 250.0, -80.0, 0.0], requires_grad=True)
_fake = torch.tensor([-1000.0, 1000.0, -300.0, 90.0], requires_grad=True)
_r, _f = _real.tolist(), _fake.tolist()
_loss = d_loss(_real, _fake)
_check_loss(_loss, _mean([_softplus(-v) for v in _r]) + _mean([_softplus(v) for v in _f]),
            "d_loss at logits of +-1000, +-250, +-80", _d_mistakes(_r, _f), atol=1e-3)
_loss.backward()
checks.assert_close(_real.grad, torch.tensor([-_sigmoid(-v) / 5 for v in _r]),
                    "d(d_loss)/d(real logit) at extreme logits: -sigmoid(-logit) / m, finite", atol=1e-6, rtol=1e-4)
checks.assert_close(_fake.grad, torch.tensor([_sigmoid(v) / 4 for v in _f]),
                    "d(d_loss)/d(fake logit) at extreme logits: sigmoid(logit) / n, finite", atol=1e-6, rtol=1e-4)
'''

PART2 = r"""
## Part 2 — the saturating generator loss (4 points)

Read literally, the minimax game has the generator (생성자) minimise the second term of $V$:

$$
L_G^{sat} = \frac{1}{n}\sum_j \log\bigl(1 - \sigma(\ell_{fake,j})\bigr) = -\frac{1}{n}\sum_j \operatorname{softplus}(\ell_{fake,j}) .
$$

Its gradient with respect to a logit is $-\sigma(\ell)/n$: when $D$ confidently rejects the
fakes ($\ell \ll 0$, early in training) the gradient **vanishes** and $G$ stops learning
(Chapter 4, *Where the gradient vanishes*). The tests look at exactly that.

*The tests check:* values (they are negative!) and the gradient $-\sigma(\ell)/n$ on fresh
batches; then values and gradients at $\pm 100$ and $\pm 1000$, where the gradient is about $0$
for $\ell \ll 0$.
"""

SCAFFOLD2 = '''
def g_loss_saturating(fake_logits):
    """L_G = mean(log(1 - D(G(z)))) = -mean(softplus(fake_logits)); G minimises it."""
    {solution}
'''

SOLUTION2 = '''
return -F.softplus(fake_logits).mean()
'''

VISIBLE_SAT_VALUES = '''
_fake = [-2.0, 0.0, 3.0]
_check_loss(g_loss_saturating(torch.tensor(_fake)), -_mean([_softplus(v) for v in _fake]),
            "g_loss_saturating(fake_logits=[-2, 0, 3]) (mean of log(1 - D), a negative number)", _sat_mistakes(_fake))
'''

HIDDEN_SAT_VALUES = REFERENCE + SAT_MISTAKES + '''
_gen = checks.rng(2202)
for _n, _dtype in [(6, torch.float32), (3, torch.float64), (11, torch.float32)]:
    _logits = (8 * torch.rand(_n, generator=_gen, dtype=_dtype) - 4).requires_grad_()
    _f = _logits.tolist()
    _loss = g_loss_saturating(_logits)
    _check_loss(_loss, -_mean([_softplus(v) for v in _f]), f"g_loss_saturating on {_n} {_dtype} logits", _sat_mistakes(_f))
    checks.assert_true(_loss.requires_grad, "g_loss_saturating must keep the autograd graph (no .item(), no .detach())")
    _loss.backward()
    checks.assert_close(_logits.grad, torch.tensor([-_sigmoid(v) / _n for v in _f], dtype=_dtype),
                        "d(g_loss_saturating)/d(logit), which should be -sigmoid(logit) / n", atol=1e-6, rtol=1e-4)
'''

VISIBLE_SAT_STABLE = '''
_logits = torch.tensor([-100.0, 100.0], requires_grad=True)
_loss = g_loss_saturating(_logits)
_check_loss(_loss, -_mean([_softplus(-100.0), _softplus(100.0)]), "g_loss_saturating at logits -100 and 100",
            _sat_mistakes([-100.0, 100.0]), atol=1e-4)
_loss.backward()
print("gradient at logits -100 and 100:", _logits.grad.tolist(), "<- the first one has saturated")
'''

HIDDEN_SAT_STABLE = REFERENCE + SAT_MISTAKES + '''
_logits = torch.tensor([-1000.0, -100.0, 100.0, 1000.0], requires_grad=True)
_f = _logits.tolist()
_loss = g_loss_saturating(_logits)
_check_loss(_loss, -_mean([_softplus(v) for v in _f]), "g_loss_saturating at logits -1000, -100, 100, 1000",
            _sat_mistakes(_f), atol=1e-3)
_loss.backward()
checks.assert_close(_logits.grad, torch.tensor([0.0, 0.0, -0.25, -0.25]),
                    "the gradient at logits -1000, -100 (saturated: 0), 100 and 1000 (-1/n)", atol=1e-6, rtol=1e-4)
'''

PART3 = r"""
## Part 3 — the non-saturating generator loss (4 points)

The "little trick" of the lecture and of the paper: let $G$ **maximise** $\log D(G(z))$
instead, that is minimise

$$
L_G^{ns} = -\frac{1}{n}\sum_j \log \sigma(\ell_{fake,j}) = \frac{1}{n}\sum_j \operatorname{softplus}(-\ell_{fake,j}) .
$$

Same fixed point, but the gradient is $-\sigma(-\ell)/n = -(1 - D)/n$: close to $-1/n$
exactly when $D$ rejects the fakes, so a weak $G$ still learns.

*The tests check:* values and the gradient $-\sigma(-\ell)/n$ on fresh batches; then values and
gradients at $\pm 100$ and $\pm 1000$. They name the slips: the saturating loss, the sign, D's
target for fakes, sigmoid applied twice.
"""

SCAFFOLD3 = '''
def g_loss_nonsaturating(fake_logits):
    """L_G = -mean(log D(G(z))) = mean(softplus(-fake_logits)); G minimises it."""
    {solution}
'''

SOLUTION3 = '''
return F.softplus(-fake_logits).mean()
'''

VISIBLE_NS_VALUES = '''
_fake = [-2.0, 0.0, 3.0]
_check_loss(g_loss_nonsaturating(torch.tensor(_fake)), _mean([_softplus(-v) for v in _fake]),
            "g_loss_nonsaturating(fake_logits=[-2, 0, 3])", _ns_mistakes(_fake))
'''

HIDDEN_NS_VALUES = REFERENCE + NS_MISTAKES + '''
_gen = checks.rng(2303)
for _n, _dtype in [(6, torch.float32), (3, torch.float64), (13, torch.float32)]:
    _logits = (8 * torch.rand(_n, generator=_gen, dtype=_dtype) - 4).requires_grad_()
    _f = _logits.tolist()
    _loss = g_loss_nonsaturating(_logits)
    _check_loss(_loss, _mean([_softplus(-v) for v in _f]), f"g_loss_nonsaturating on {_n} {_dtype} logits", _ns_mistakes(_f))
    checks.assert_true(_loss.requires_grad, "g_loss_nonsaturating must keep the autograd graph (no .item(), no .detach())")
    _loss.backward()
    checks.assert_close(_logits.grad, torch.tensor([-_sigmoid(-v) / _n for v in _f], dtype=_dtype),
                        "d(g_loss_nonsaturating)/d(logit), which should be -sigmoid(-logit) / n", atol=1e-6, rtol=1e-4)
'''

VISIBLE_NS_STABLE = '''
_logits = torch.tensor([-100.0, 100.0], requires_grad=True)
_loss = g_loss_nonsaturating(_logits)
_check_loss(_loss, 50.0, "g_loss_nonsaturating at logits -100 and 100", _ns_mistakes([-100.0, 100.0]), atol=1e-4)
_loss.backward()
print("gradient at logits -100 and 100:", _logits.grad.tolist(), "<- the first one still pushes G")
'''

HIDDEN_NS_STABLE = REFERENCE + NS_MISTAKES + '''
_logits = torch.tensor([-1000.0, -100.0, 100.0, 1000.0], requires_grad=True)
_f = _logits.tolist()
_loss = g_loss_nonsaturating(_logits)
_check_loss(_loss, _mean([_softplus(-v) for v in _f]), "g_loss_nonsaturating at logits -1000, -100, 100, 1000",
            _ns_mistakes(_f), atol=1e-3)
_loss.backward()
checks.assert_close(_logits.grad, torch.tensor([-0.25, -0.25, 0.0, 0.0]),
                    "the gradient at logits -1000, -100 (-1/n: G still learns), 100 and 1000 (0)", atol=1e-6, rtol=1e-4)
'''

OUTRO = r"""
## What you have shown

| D(G(z)) | saturating gradient $-\sigma(\ell)$ | non-saturating gradient $-\sigma(-\ell)$ |
| --- | --- | --- |
| $\approx 0$ (D wins, early training) | $\approx 0$: G is stuck | $\approx -1$: G learns |
| $\approx 1$ (G wins) | $\approx -1$ | $\approx 0$ |

Chapter 4 trains the same GAN with both losses and measures the difference.
"""

UNSTABLE_D = ("return -torch.log(torch.sigmoid(real_logits)).mean() "
              "- torch.log(1 - torch.sigmoid(fake_logits)).mean()")

# Classic mistakes, for tests/test_assignments.py: label -> (solution cell, text in the
# reference solution, replacement, {test cell that must fail: words its message must contain}).
# Every other test cell must still pass (partial credit).
MISTAKES = {
    "unstable log(sigmoid) in d_loss": (
        "d_loss", "return real_term + fake_term", UNSTABLE_D,
        {"test_d_loss_stable": "overflowed"}),
    "sigmoid applied twice in d_loss": (
        "d_loss", "return real_term + fake_term",
        "return F.binary_cross_entropy_with_logits(torch.sigmoid(real_logits), torch.ones_like(real_logits)) "
        "+ F.binary_cross_entropy_with_logits(torch.sigmoid(fake_logits), torch.zeros_like(fake_logits))",
        {"test_d_loss_values": "sigmoid applied twice", "test_d_loss_stable": "sigmoid applied twice"}),
    "probabilities instead of logits in d_loss": (
        "d_loss", "return real_term + fake_term",
        "return -torch.log(real_logits).mean() - torch.log(1 - fake_logits).mean()",
        {"test_d_loss_values": "not probabilities", "test_d_loss_stable": "not probabilities"}),
    "labels swapped in d_loss": (
        "d_loss", "return real_term + fake_term",
        "return F.softplus(real_logits).mean() + F.softplus(-fake_logits).mean()",
        {"test_d_loss_values": "labels swapped", "test_d_loss_stable": "labels swapped"}),
    "attack: rebinds the tests' helpers and returns 0": (
        "d_loss", "return real_term + fake_term",
        "globals().update(_check_loss=lambda *args, **kwargs: None, _mean=lambda values: 0.0)\n    return torch.zeros(())",
        {"test_d_loss_values": "expected", "test_d_loss_stable": "expected"}),
    "wrong sign of the saturating loss": (
        "g_loss_saturating", "return -F.softplus(fake_logits).mean()", "return F.softplus(fake_logits).mean()",
        {"test_g_loss_saturating_values": "-L_G", "test_g_loss_saturating_stable": "-L_G"}),
    "unstable saturating loss": (
        "g_loss_saturating", "return -F.softplus(fake_logits).mean()",
        "return torch.log(1 - torch.sigmoid(fake_logits)).mean()",
        {"test_g_loss_saturating_stable": "overflowed"}),
    "saturating loss where the non-saturating one belongs": (
        "g_loss_nonsaturating", "return F.softplus(-fake_logits).mean()", "return -F.softplus(fake_logits).mean()",
        {"test_g_loss_nonsaturating_values": "That is the saturating loss",
         "test_g_loss_nonsaturating_stable": "That is the saturating loss"}),
    "unstable non-saturating loss": (
        "g_loss_nonsaturating", "return F.softplus(-fake_logits).mean()",
        "return -torch.log(torch.sigmoid(fake_logits)).mean()",
        {"test_g_loss_nonsaturating_stable": "overflowed"}),
}


TEST_HELPERS = ("# Test helpers (read-only): used by the visible tests below. Run this cell once.\n"
                + REFERENCE + D_MISTAKES + SAT_MISTAKES + NS_MISTAKES)


def build():
    """The notebook of assignment 02-losses."""
    return notebook([
        setup(),
        markdown("intro", INTRO),
        code("test_helpers", TEST_HELPERS),
        markdown("part1", PART1),
        solution("d_loss", SCAFFOLD1, SOLUTION1),
        tests("test_d_loss_values", 2, VISIBLE_D_VALUES, HIDDEN_D_VALUES, scoped=True),
        tests("test_d_loss_stable", 2, VISIBLE_D_STABLE, HIDDEN_D_STABLE, scoped=True),
        markdown("part2", PART2),
        solution("g_loss_saturating", SCAFFOLD2, SOLUTION2),
        tests("test_g_loss_saturating_values", 2, VISIBLE_SAT_VALUES, HIDDEN_SAT_VALUES, scoped=True),
        tests("test_g_loss_saturating_stable", 2, VISIBLE_SAT_STABLE, HIDDEN_SAT_STABLE, scoped=True),
        markdown("part3", PART3),
        solution("g_loss_nonsaturating", SCAFFOLD3, SOLUTION3),
        tests("test_g_loss_nonsaturating_values", 2, VISIBLE_NS_VALUES, HIDDEN_NS_VALUES, scoped=True),
        tests("test_g_loss_nonsaturating_stable", 2, VISIBLE_NS_STABLE, HIDDEN_NS_STABLE, scoped=True),
        markdown("outro", OUTRO),
    ])
