"""Assignment 01-minimax: V(D, G) from samples, the optimal discriminator, the value at D*.

Chapter 2 of the book (the minimax game of Goodfellow et al., 2014) introduces all three.
"""
from __future__ import annotations

from .cells import chapter_link, code, markdown, notebook, setup, solution, tests

NAME = "01-minimax"

# Test helpers: the visible tests use them from the read-only helpers cell; every hidden part
# defines them again, so that no learner cell can replace what the grade depends on.
NORMAL = '''
def _normal(mean, std):
    """Density of N(mean, std^2) as a function of a tensor x (the tests' own)."""
    return lambda x: torch.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))
'''

CHECK_VALUE = '''
def _check_value(got, expected, what, mistakes=(), atol=1e-5, rtol=1e-5):
    """got must be a 0-dim tensor close to expected; if it equals a known mistake, say which."""
    checks.restore()  # the learner's function just ran: trust nothing it may have replaced
    checks.assert_true(type(got) is torch.Tensor, f"{what}: expected a torch.Tensor, got {type(got).__name__} "
                       "(return the tensor itself: no .item(), no float())")
    checks.assert_tensor(got, what)
    checks.assert_shape(got, (), what + " (a scalar: average with .mean(), integrate with torch.trapezoid)")
    for hint, wrong in mistakes:
        far_from_answer = abs(wrong - expected) > 1e-3 * (1 + abs(expected))
        if far_from_answer and abs(float(got) - wrong) <= 1e-5 + 1e-4 * abs(wrong):
            checks.assert_true(False, f"{what}: expected {expected:.6f}, got {float(got):.6f}. {hint}")
    checks.assert_close(got, torch.tensor(expected, dtype=got.dtype), what, atol=atol, rtol=rtol)
'''


INTRO = r"""
# Assignment 1 — The minimax game (10 points)

Goodfellow et al. (2014) train a discriminator $D$ (판별자, the police) and a generator $G$
(생성자, the counterfeiter) on one value function (Chapter 2, *The minimax game*):

$$
\min_G \max_D V(D, G) = \mathbb{E}_{x \sim p_{data}}[\log D(x)]
                      + \mathbb{E}_{z \sim p_z}[\log(1 - D(G(z)))] .
$$

The first term is what $D$ earns on real data (it wants $D(x) \to 1$), the second what it earns
on fakes (it wants $D(G(z)) \to 0$); $D$ **maximises** $V$ and $G$ **minimises** it. The game
ends when the police can do no better than a coin toss: $D = 1/2$ everywhere (the "50%
equilibrium" of the lecture).

| part | you write | points |
| --- | --- | --- |
| 1 | `value_function(d_real, d_fake)`: $V$ estimated from a batch | 4 |
| 2 | `optimal_discriminator(p_data, p_g, x)`: $D^*(x)$ for known densities | 3 |
| 3 | `value_at_optimal_d(p_data, p_g, x)`: $V(D^*, G)$ by numerical integration | 3 |

*Read first:* Chapter 2 of the book, """ + chapter_link("02-minimax", "The minimax game") + r""".

Write your code in place of `raise NotImplementedError()` in each function, then run the test
cell under it. The visible tests show what is checked and tell you what is off; hidden tests
with other inputs decide the grade. Each part is graded on its own: part 3 is graded with a
correct $D^*$, so a slip in part 2 costs only part 2's points.
"""

PART1 = r"""
## Part 1 — $V(D, G)$ from samples (4 points)

With $m$ real samples and $n$ fakes, the expectations become batch means:

$$
\hat V = \frac{1}{m}\sum_{i=1}^{m} \log D(x_i) + \frac{1}{n}\sum_{j=1}^{n} \log\bigl(1 - D(G(z_j))\bigr).
$$

`d_real` holds $D(x_i)$ and `d_fake` holds $D(G(z_j))$: **probabilities** in $(0, 1)$
(assignment 2 works from logits). The two batches may have different sizes, so average each
term on its own.

*Hint:* `torch.log`, `.mean()`. Return a 0-dimensional tensor, not a Python float
(`.item()` would cut the gradient that training needs).

*The tests check:* the value on fresh batches of unequal sizes, that the result is a scalar
tensor, that its gradient with respect to `d_real` is $1/(m\,D(x_i))$, and that $D = 1/2$
gives $-\log 4$. Classic slips they name: $\log D(G(z))$ instead of $\log(1 - D(G(z)))$, sums
instead of means, one mean over both batches together.
"""

SCAFFOLD1 = '''
def value_function(d_real, d_fake):
    """V(D, G) = mean(log D(x)) + mean(log(1 - D(G(z)))) from D's probabilities.

    d_real: tensor (m,) of D(x) on real samples; d_fake: tensor (n,) of D(G(z)) on fakes.
    Returns a 0-dimensional tensor.
    """
    {solution}
'''

SOLUTION1 = '''
real_term = torch.log(d_real).mean()  # what D earns on real data
fake_term = torch.log(1 - d_fake).mean()  # what D earns on fakes
return real_term + fake_term
'''

MISTAKES1 = '''
def _value_mistakes(real, fake):
    """(hint, value) of the classic slips, for the tests' messages."""
    lr, lf, l1f = [math.log(p) for p in real], [math.log(q) for q in fake], [math.log1p(-q) for q in fake]
    return [
        ("That is the value with log D(G(z)) in place of log(1 - D(G(z))).", sum(lr) / len(lr) + sum(lf) / len(lf)),
        ("That is a sum over the batch; V averages each term (.mean()).", sum(lr) + sum(l1f)),
        ("That is one mean over both batches together; average each term on its own.", (sum(lr) + sum(l1f)) / (len(lr) + len(l1f))),
        ("That is -V: D maximises V, so V itself is log D(x) + log(1 - D(G(z))).", -(sum(lr) / len(lr) + sum(l1f) / len(l1f))),
    ]
'''

VISIBLE1 = '''
_real, _fake = [0.9, 0.8, 0.7], [0.2, 0.1]
_expected = sum(math.log(p) for p in _real) / 3 + sum(math.log(1 - q) for q in _fake) / 2
_v = value_function(torch.tensor(_real), torch.tensor(_fake))
_check_value(_v, _expected, "value_function(d_real=[0.9, 0.8, 0.7], d_fake=[0.2, 0.1])", _value_mistakes(_real, _fake))
_half = value_function(torch.full((5,), 0.5), torch.full((3,), 0.5))
_check_value(_half, -math.log(4.0), "V when D = 1/2 everywhere (the 50% police: -log 4)")
'''

HIDDEN1 = CHECK_VALUE + MISTAKES1 + '''
_gen = checks.rng(1101)
for _m, _n in [(4, 4), (7, 3), (1, 6), (32, 9)]:
    _real = 0.02 + 0.96 * torch.rand(_m, generator=_gen, dtype=torch.float64)
    _fake = 0.02 + 0.96 * torch.rand(_n, generator=_gen, dtype=torch.float64)
    _expected = sum(math.log(p) for p in _real.tolist()) / _m + sum(math.log1p(-q) for q in _fake.tolist()) / _n
    _v = value_function(_real.clone(), _fake.clone())
    _check_value(_v, _expected, f"V on batches of {_m} real and {_n} fake probabilities",
                 _value_mistakes(_real.tolist(), _fake.tolist()), atol=1e-8, rtol=1e-8)
# The gradient must reach D's outputs: dV/dD(x_i) = 1 / (m D(x_i)), dV/dD(G(z_j)) = -1 / (n (1 - D(G(z_j)))).
_real = (0.1 + 0.8 * torch.rand(5, generator=_gen)).requires_grad_()
_fake = (0.1 + 0.8 * torch.rand(3, generator=_gen)).requires_grad_()
_v = value_function(_real, _fake)
checks.assert_tensor(_v, "value_function(...) with inputs that require grad")
checks.assert_true(_v.requires_grad, "value_function must keep the autograd graph (no .item(), no .detach(), no float())")
_v.backward()
checks.assert_close(_real.grad, 1 / (5 * _real.detach()), "dV/dD(x_i), which should be 1 / (m D(x_i))", atol=1e-5, rtol=1e-4)
checks.assert_close(_fake.grad, -1 / (3 * (1 - _fake.detach())), "dV/dD(G(z_j)), which should be -1 / (n (1 - D(G(z_j))))", atol=1e-5, rtol=1e-4)
'''

PART2 = r"""
## Part 2 — the optimal discriminator (3 points)

For a fixed $G$, $V = \int p_{data}(x) \log D(x) + p_g(x) \log(1 - D(x))\,dx$. Maximising
the integrand point by point ($a \log y + b \log(1-y)$ peaks at $y = a/(a+b)$) gives
the best possible police officer (Proposition 1 of the paper):

$$
D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)} .
$$

`p_data` and `p_g` are **functions** that return the density at every entry of a tensor, for
example the normal density
`lambda x: torch.exp(-0.5 * ((x - mu) / s) ** 2) / (s * math.sqrt(2 * math.pi))`.
Return $D^*$ at every entry of `x`, with the shape and dtype of `x`.

*The tests check:* $D^* = 1/2$ where the two densities agree, the values for pairs of normal
densities with other means and widths at fresh points (also 2-D `x`), and the shape of the
output. A common slip: $p_g/(p_{data} + p_g)$, the probability of *fake*.
"""

SCAFFOLD2 = '''
def optimal_discriminator(p_data, p_g, x):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) for density functions p_data and p_g."""
    {solution}
'''

SOLUTION2 = '''
density_data = p_data(x)
density_g = p_g(x)
return density_data / (density_data + density_g)
'''

VISIBLE2 = '''
_x = torch.linspace(-3.0, 3.0, 7)
_d = optimal_discriminator(_normal(0.0, 1.0), _normal(0.0, 1.0), _x)
checks.assert_tensor(_d, "optimal_discriminator(...)")
checks.assert_shape(_d, (7,), "D*(x) for x of shape (7,)")
checks.assert_close(_d, torch.full((7,), 0.5), "D* when p_g = p_data (the 50% equilibrium)", atol=1e-6, rtol=1e-5)
_d = optimal_discriminator(_normal(0.0, 1.0), _normal(2.0, 1.0), torch.tensor([0.0, 1.0, 2.0]))
_e = 1 / (1 + math.exp(-2.0))  # p_data(0) / (p_data(0) + p_g(0)) for N(0, 1) against N(2, 1)
checks.assert_true(not bool(((_d - torch.tensor([1 - _e, 0.5, _e])).abs() < 1e-4).all()),
                   "D*(x) at x = 0, 1, 2 came out as p_g / (p_data + p_g): that is the probability of *fake*. "
                   "D* is the probability that x is real: p_data / (p_data + p_g).")
checks.assert_close(_d, torch.tensor([_e, 0.5, 1 - _e]), "D* for p_data = N(0, 1), p_g = N(2, 1) at x = 0, 1, 2", atol=1e-6, rtol=1e-5)
'''

HIDDEN2 = NORMAL + '''
_gen = checks.rng(1202)
for _mu_d, _s_d, _mu_g, _s_g in [(0.0, 1.0, 1.5, 0.7), (-1.0, 2.0, 0.5, 0.5), (3.0, 0.4, 2.0, 1.2)]:
    _x = 4 * torch.rand(3, 4, generator=_gen, dtype=torch.float64) - 2 + _mu_d
    _d = optimal_discriminator(_normal(_mu_d, _s_d), _normal(_mu_g, _s_g), _x)
    checks.assert_tensor(_d, "optimal_discriminator(...)")
    checks.assert_shape(_d, (3, 4), "D*(x) for x of shape (3, 4)")
    _expected = []
    for _v in _x.flatten().tolist():
        _pd = math.exp(-0.5 * ((_v - _mu_d) / _s_d) ** 2) / _s_d
        _pg = math.exp(-0.5 * ((_v - _mu_g) / _s_g) ** 2) / _s_g
        _expected.append(_pd / (_pd + _pg))
    checks.assert_close(_d, torch.tensor(_expected, dtype=torch.float64).view(3, 4),
                        f"D* for p_data = N({_mu_d}, {_s_d}^2), p_g = N({_mu_g}, {_s_g}^2)", atol=1e-8, rtol=1e-6)
'''

PART3 = r"""
## Part 3 — the value at the optimal discriminator (3 points)

Put $D^*$ back into $V$ (Theorem 1 of the paper):

$$
V(D^*, G) = \int p_{data}(x) \log D^*(x) + p_g(x) \log\bigl(1 - D^*(x)\bigr)\,dx
          = -\log 4 + 2\,\mathrm{JSD}(p_{data} \,\|\, p_g) .
$$

The Jensen–Shannon divergence is zero only when $p_g = p_{data}$, so the global minimum over
$G$ is $-\log 4$, reached when the generator (생성자) has learned the data distribution.

Compute the integral numerically on the 1-D grid `x` (sorted, evenly or unevenly spaced) with
the trapezoidal rule, `torch.trapezoid(y, x)`. Use your `optimal_discriminator`.

*Numerics:* far in the tails one density can be $10^{-20}$ times the other; then $D^*$ rounds
to exactly $1$ and $\log(1 - D^*) = -\infty$. The tests use grids where float64 does not round
(a sturdier form is $\log(1 - D^*) = \log p_g - \log(p_{data} + p_g)$, if you are curious).

*The tests check:* $-\log 4$ when the two densities agree; $-\log 4 + 2\,\mathrm{JSD}$ (computed by
the tests' own code) for other pairs; that $V(D^*, G) > -\log 4$ when they differ; an uneven
grid. A sum without the grid spacing $dx$ is not an integral.
"""

SCAFFOLD3 = '''
def value_at_optimal_d(p_data, p_g, x):
    """V(D*, G) = integral of p_data log D* + p_g log(1 - D*) over the grid x (trapezoidal rule)."""
    {solution}
'''

SOLUTION3 = '''
d_star = optimal_discriminator(p_data, p_g, x)
integrand = p_data(x) * torch.log(d_star) + p_g(x) * torch.log(1 - d_star)
return torch.trapezoid(integrand, x)
'''

WITH_REFERENCE_D_STAR = '''
# Part 3 is checked with the tests' own D*, so that it does not depend on part 2. (It is the
# same function written another way: D* = sigmoid(log p_data - log p_g), a logit, see assignment 2.)
global optimal_discriminator  # (the swap must reach the notebook, where your function looks it up)
_learners_optimal_discriminator = optimal_discriminator
def optimal_discriminator(p_data, p_g, x):
    return torch.sigmoid(torch.log(p_data(x)) - torch.log(p_g(x)))
'''

VISIBLE3 = WITH_REFERENCE_D_STAR + '''
try:
    _x = torch.linspace(-10.0, 10.0, 2001, dtype=torch.float64)
    _v = value_at_optimal_d(_normal(0.0, 1.0), _normal(0.0, 1.0), _x)
    _check_value(_v, -math.log(4.0), "V(D*, G) when p_g = p_data on x = linspace(-10, 10, 2001) (should be -log 4)",
                 [("That is the plain sum of the integrand; an integral needs the spacing dx (torch.trapezoid(y, x)).",
                   -math.log(4.0) * (2001 - 1) / 20)], atol=1e-6, rtol=1e-6)
    _v = value_at_optimal_d(_normal(0.0, 1.0), _normal(1.0, 1.0), _x)
    checks.restore()
    checks.assert_tensor(_v, "value_at_optimal_d(...)")
    checks.assert_true(float(_v) > -math.log(4.0) + 1e-3,
                       f"V(D*, G) must exceed -log 4 = {-math.log(4.0):.4f} when p_g differs from p_data, got {float(_v):.4f}")
finally:
    optimal_discriminator = _learners_optimal_discriminator
'''

HIDDEN3 = NORMAL + CHECK_VALUE + '''
def _reference_jsd(mu_d, s_d, mu_g, s_g, grid):
    """JSD by the tests' own trapezoidal sums of the two KL terms against the mixture m."""
    def pdf(v, mu, s):
        return math.exp(-0.5 * ((v - mu) / s) ** 2) / (s * math.sqrt(2 * math.pi))
    values = []
    for v in grid:
        a, b = pdf(v, mu_d, s_d), pdf(v, mu_g, s_g)
        m = (a + b) / 2
        values.append((a * math.log(a / m) if a > 0 else 0.0) + (b * math.log(b / m) if b > 0 else 0.0))
    return sum((grid[i + 1] - grid[i]) * (values[i] + values[i + 1]) / 2 for i in range(len(grid) - 1)) / 2

''' + WITH_REFERENCE_D_STAR + '''
try:
    for _mu_d, _s_d, _mu_g, _s_g, _lo, _hi, _n in [(0.0, 1.0, 2.0, 1.0, -9.0, 11.0, 1501),
                                                (-1.0, 1.5, -0.5, 1.0, -8.0, 7.0, 2601),
                                                (0.0, 1.0, 0.5, 0.7, -5.0, 5.0, 1201),
                                                (1.0, 0.5, 1.0, 0.5, -4.0, 6.0, 801)]:
        _x = torch.linspace(_lo, _hi, _n, dtype=torch.float64)
        _v = value_at_optimal_d(_normal(_mu_d, _s_d), _normal(_mu_g, _s_g), _x)
        _expected = -math.log(4.0) + 2 * _reference_jsd(_mu_d, _s_d, _mu_g, _s_g, _x.tolist())
        _check_value(_v, _expected, f"V(D*, G) = -log 4 + 2 JSD for p_data = N({_mu_d}, {_s_d}^2), "
                     f"p_g = N({_mu_g}, {_s_g}^2) on [{_lo}, {_hi}]", atol=1e-6, rtol=1e-5)
    # An uneven grid: the spacing dx must come from x itself.
    _x = torch.cat([torch.linspace(-10.0, 0.0, 401, dtype=torch.float64)[:-1],
                    torch.linspace(0.0, 10.0, 1601, dtype=torch.float64)])
    _v = value_at_optimal_d(_normal(0.0, 1.0), _normal(0.0, 1.0), _x)
    _check_value(_v, -math.log(4.0), "V(D*, G) for p_g = p_data on an unevenly spaced grid (dx from x itself)",
                 atol=1e-5, rtol=1e-5)
finally:
    optimal_discriminator = _learners_optimal_discriminator
'''

OUTRO = r"""
## What you have shown

* $\hat V$ is an average over samples, one term for real data and one for fakes; $D$ pushes
  it up, $G$ pushes it down.
* For a fixed generator the best police officer is $D^* = p_{data}/(p_{data} + p_g)$.
* Against $D^*$ the generator's objective is $-\log 4 + 2\,\mathrm{JSD}$: it is minimised
  exactly when $p_g = p_{data}$, where $D^* = 1/2$.

Chapter 2 reproduces the paper's 1-D figure from a real training run; chapter 4 shows why
training $G$ on $\log(1 - D(G(z)))$ stalls early (assignment 2).
"""

# Classic mistakes, for tests/test_assignments.py: label -> (solution cell, text in the
# reference solution, replacement, {test cell that must fail: words its message must contain}).
# Every other test cell must still pass (partial credit).
MISTAKES = {
    "log D(G(z)) instead of log(1 - D(G(z)))": (
        "value_function", "torch.log(1 - d_fake)", "torch.log(d_fake)",
        {"test_value_function": "log D(G(z)) in place of"}),
    "sums instead of means": (
        "value_function", "return real_term + fake_term",
        "return torch.log(d_real).sum() + torch.log(1 - d_fake).sum()",
        {"test_value_function": "a sum over the batch"}),
    "one mean over both batches": (
        "value_function", "return real_term + fake_term",
        "return torch.cat([torch.log(d_real), torch.log(1 - d_fake)]).mean()",
        {"test_value_function": "one mean over both batches"}),
    "returns a Python float": (
        "value_function", "return real_term + fake_term", "return (real_term + fake_term).item()",
        {"test_value_function": "Tensor"}),
    "D* is the probability of fake": (
        "optimal_discriminator", "return density_data / (density_data + density_g)",
        "return density_g / (density_data + density_g)",
        {"test_optimal_discriminator": "probability of *fake*"}),
    "attack: rebinds the tests' helper and returns 0": (
        "value_function", "return real_term + fake_term",
        "globals()['_check_value'] = lambda *args, **kwargs: None\n    return torch.zeros(())",
        {"test_value_function": "expected"}),
    "attack: an object that equals everything": (
        "value_function", "return real_term + fake_term", "return type(\"Anything\", (), {\"__eq__\": lambda s, o: True, \"__float__\": lambda s: -math.log(4.0), \"__sub__\": lambda s, o: s, \"__abs__\": lambda s: 0.0, \"__le__\": lambda s, o: True, \"__lt__\": lambda s, o: True})()",
        {"test_value_function": "expected a torch.Tensor"}),
    "sum without dx": (
        "value_at_optimal_d", "return torch.trapezoid(integrand, x)", "return integrand.sum()",
        {"test_value_at_optimal_d": "spacing dx"}),
}


TEST_HELPERS = "# Test helpers (read-only): used by the visible tests below. Run this cell once.\n" + NORMAL + CHECK_VALUE + MISTAKES1


def build():
    """The notebook of assignment 01-minimax."""
    return notebook([
        setup(),
        markdown("intro", INTRO),
        code("test_helpers", TEST_HELPERS),
        markdown("part1", PART1),
        solution("value_function", SCAFFOLD1, SOLUTION1),
        tests("test_value_function", 4, VISIBLE1, HIDDEN1, scoped=True),
        markdown("part2", PART2),
        solution("optimal_discriminator", SCAFFOLD2, SOLUTION2),
        tests("test_optimal_discriminator", 3, VISIBLE2, HIDDEN2, scoped=True),
        markdown("part3", PART3),
        solution("value_at_optimal_d", SCAFFOLD3, SOLUTION3),
        tests("test_value_at_optimal_d", 3, VISIBLE3, HIDDEN3, scoped=True),
        markdown("outro", OUTRO),
    ])
