"""Assignment 05-batchnorm: batch normalisation from the formula, running statistics, train and
eval modes, checked against torch.nn.BatchNorm1d/2d (Ioffe & Szegedy, 2015; chapter 6)."""
from __future__ import annotations

import textwrap

from .cells import markdown, notebook, setup, solution, tests

NAME = "05-batchnorm"

# Parts 3 and 4 are checked with reference versions of the functions of parts 1 and 2 (bound
# for the duration of the test cell, then the learner's are put back), so that a slip in
# part 1 or 2 costs only that part's points.
WITH_REFERENCE_PARTS = '''
_learners_batch_statistics, _learners_normalize = batch_statistics, normalize
def batch_statistics(x):
    """The tests' reference for part 1."""
    axes = [0] + list(range(2, x.dim()))
    return x.mean(dim=axes), x.var(dim=axes, unbiased=False)
def normalize(x, mean, var, gamma, beta, eps):
    """The tests' reference for part 2."""
    shape = [1, x.shape[1]] + [1] * (x.dim() - 2)
    return gamma.view(shape) * (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps) + beta.view(shape)
'''


def with_reference_parts(body: str) -> str:
    """``body`` inside try/finally, with the learner's functions of parts 1 and 2 put back."""
    lines = textwrap.dedent(body).strip("\n")
    return (WITH_REFERENCE_PARTS + "try:\n" + textwrap.indent(lines, "    ")
            + "\nfinally:\n    batch_statistics, normalize = _learners_batch_statistics, _learners_normalize\n")


# The tests' own reference, written into every test cell that needs it.
REFERENCE = '''
def _torch_batchnorm(num_features, dim, eps, momentum, gamma, beta):
    """torch.nn.BatchNorm1d (dim 2) or BatchNorm2d (dim 4) with the given gamma and beta."""
    layer = (nn.BatchNorm1d if dim == 2 else nn.BatchNorm2d)(num_features, eps=eps, momentum=momentum)
    with torch.no_grad():
        layer.weight.copy_(gamma)
        layer.bias.copy_(beta)
    return layer

def _make_pair(num_features, dim, eps, momentum, gen):
    """Your BatchNorm and torch's, with the same random gamma and beta."""
    gamma = 1 + 0.5 * torch.randn(num_features, generator=gen)
    beta = 0.5 * torch.randn(num_features, generator=gen)
    ours = BatchNorm(num_features, eps=eps, momentum=momentum)
    checks.assert_true(isinstance(ours, nn.Module), "BatchNorm must be an nn.Module")
    with torch.no_grad():
        ours.weight.copy_(gamma)
        ours.bias.copy_(beta)
    return ours, _torch_batchnorm(num_features, dim, eps, momentum, gamma, beta)

def _batch(shape, gen):
    """Inputs whose channels have means and spreads far from 0 and 1."""
    c = shape[1]
    view = [1, c] + [1] * (len(shape) - 2)
    return (torch.randn(shape, generator=gen) * (0.5 + 2 * torch.rand(c, generator=gen)).view(view)
            + (4 * torch.rand(c, generator=gen) - 2).view(view))
'''

INTRO = r"""
# Assignment 5 — Batch normalisation (10 points)

Batch normalisation (배치 정규화; Ioffe & Szegedy, 2015) is guideline 2 of DCGAN. For one
channel, the mini-batch $\mathcal{B} = \{x_1, \dots, x_m\}$ is **every value of that channel in
the batch**: over the $N$ samples, and for images over all $H \times W$ pixels too, so
$m = N$ for an input `(N, C)` and $m = N H W$ for `(N, C, H, W)`. The algorithm of the
handout (`002`):

$$
\begin{aligned}
\mu_\mathcal{B} &= \frac{1}{m}\sum_{i=1}^{m} x_i
  && \text{mini-batch mean (미니배치 평균)} \\
\sigma_\mathcal{B}^2 &= \frac{1}{m}\sum_{i=1}^{m} (x_i - \mu_\mathcal{B})^2
  && \text{mini-batch variance (분산), divided by } m \\
\hat x_i &= \frac{x_i - \mu_\mathcal{B}}{\sqrt{\sigma_\mathcal{B}^2 + \epsilon}}
  && \text{normalise} \\
y_i &= \gamma\,\hat x_i + \beta
  && \text{scale and shift (learned)}
\end{aligned}
$$

$\gamma$ and $\beta$ are learned, one per channel, so the network can undo the normalisation
where that helps. At test time there may be no batch (one image at a time), and an image's
output should not depend on its neighbours, so the layer also keeps **running estimates** of
the mean and variance during training and uses them in evaluation mode.

| part | you write | points |
| --- | --- | --- |
| 1 | `batch_statistics(x)`: $\mu_\mathcal{B}$ and $\sigma^2_\mathcal{B}$ per channel | 2 |
| 2 | `normalize(x, mean, var, gamma, beta, eps)`: $\hat x$, then $\gamma \hat x + \beta$ | 2 |
| 3 | `BatchNorm.forward` in training mode: batch statistics, running estimates | 3 |
| 4 | `BatchNorm.forward` in evaluation mode: running estimates only | 3 |

The tests compare your layer with `torch.nn.BatchNorm1d` and `torch.nn.BatchNorm2d` on fresh
random batches: outputs, running statistics and gradients. Chapter 6 of the book walks
through the same algorithm.
"""

PART1 = r"""
## Part 1 — the statistics of a mini-batch (2 points)

Return `(mean, var)`, two tensors of shape `(C,)`: the mean and the **biased** variance (divide
by $m$, not $m - 1$) of each channel, taken over every axis except axis 1 (the channel axis).
For `(N, C)` that is axis 0; for `(N, C, H, W)` axes 0, 2 and 3.

*Hints:* `x.mean(dim=axes)` accepts a list of axes; `x.var(dim=axes, unbiased=False)` (or
compute it from the formula). `list(range(2, x.dim()))` lists the axes after the channel axis.

*The tests* use inputs of shape `(N, C)` and `(N, C, H, W)` with channels far from mean 0 and
variance 1, and compare with their own computation. A common slip: `x.var()` divides by
$m - 1$ (the *unbiased* estimate), which is not what the layer normalises with.
"""

SCAFFOLD1 = '''
def batch_statistics(x):
    """Per-channel mean and biased variance of x, shape (N, C) or (N, C, H, W): (mean, var), each (C,)."""
    {solution}
'''

SOLUTION1 = '''
axes = [0] + list(range(2, x.dim()))  # every axis except the channel axis 1
mean = x.mean(dim=axes)
var = x.var(dim=axes, unbiased=False)  # biased: divide by m, not m - 1
return mean, var
'''

STATS_HELPER = '''
def _expected_statistics(x):
    """The tests' own mean and biased variance per channel, in float64."""
    per_channel = x.double().transpose(0, 1).reshape(x.shape[1], -1)
    mean = per_channel.mean(dim=1)
    return mean, ((per_channel - mean[:, None]) ** 2).mean(dim=1)

def _check_statistics(x, what):
    result = batch_statistics(x.clone())
    checks.assert_true(type(result) is tuple and len(result) == 2,
                       f"batch_statistics must return a tuple (mean, var), got {type(result).__name__}")
    mean, var = result
    c = x.shape[1]
    checks.assert_shape(mean, (c,), f"the mean for {what}: one value per channel (reduce every axis except axis 1)")
    checks.assert_shape(var, (c,), f"the variance for {what}: one value per channel")
    want_mean, want_var = _expected_statistics(x)
    checks.assert_close(mean.double(), want_mean, atol=1e-5, rtol=1e-5, what=f"the per-channel mean for {what}")
    checks.assert_close(var.double(), want_var, atol=1e-5, rtol=1e-4,
                        what=f"the per-channel variance for {what} (biased: divide by m, not m - 1)")
'''

VISIBLE1 = STATS_HELPER + '''
_x = torch.tensor([[1.0, 10.0], [3.0, 20.0], [5.0, 60.0]])  # (N=3, C=2)
_mean, _var = batch_statistics(_x)
checks.assert_close(_mean, torch.tensor([3.0, 30.0]), atol=1e-5, rtol=1e-5, what="the mean of [[1, 10], [3, 20], [5, 60]]")
checks.assert_close(_var, torch.tensor([8 / 3, 1400 / 3]), atol=1e-4, rtol=1e-5,
                    what="the biased variance of [[1, 10], [3, 20], [5, 60]] (divide by m = 3)")
_gen = checks.rng(0)
_check_statistics(torch.randn(4, 3, 5, 5, generator=_gen) * 2 + 1, "an input of shape (4, 3, 5, 5)")
'''

HIDDEN1 = STATS_HELPER + '''
_gen = checks.rng(5101)
for _shape in [(7, 5), (2, 4), (3, 6, 4, 4), (5, 2, 7, 3), (1, 3, 6, 6)]:
    _check_statistics(torch.randn(_shape, generator=_gen) * (0.5 + 3 * torch.rand(1, generator=_gen))
                      + 5 * torch.rand(1, generator=_gen) - 2, f"an input of shape {_shape}")
'''

PART2 = r"""
## Part 2 — normalise, scale and shift (2 points)

Given the per-channel `mean`, `var`, `gamma` and `beta` (each of shape `(C,)`), return

$$
y = \gamma \, \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta
$$

with the shape of `x`. The per-channel vectors must line up with axis 1 of `x`: view them
as `(1, C)` for an `(N, C)` input and as `(1, C, 1, 1)` for `(N, C, H, W)` so that
broadcasting repeats them over the other axes. $\epsilon$ goes **inside** the square root: it
keeps the division safe when a channel is constant ($\sigma^2 = 0$).

*The tests* use both input shapes, variances close to 0 and a large $\epsilon$ (so that
$\sqrt{\sigma^2} + \epsilon$ is told apart from $\sqrt{\sigma^2 + \epsilon}$), and compare with their
own formula.
"""

SCAFFOLD2 = '''
def normalize(x, mean, var, gamma, beta, eps):
    """gamma * (x - mean) / sqrt(var + eps) + beta, with the (C,) vectors broadcast along axis 1 of x."""
    {solution}
'''

SOLUTION2 = '''
shape = [1, x.shape[1]] + [1] * (x.dim() - 2)  # (1, C) or (1, C, 1, 1)
x_hat = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps)
return gamma.view(shape) * x_hat + beta.view(shape)
'''

NORMALIZE_HELPER = '''
def _check_normalize(x, mean, var, gamma, beta, eps, what):
    view = [1, x.shape[1]] + [1] * (x.dim() - 2)
    want = (gamma.double().view(view) * (x.double() - mean.double().view(view))
            / torch.sqrt(var.double().view(view) + eps) + beta.double().view(view))
    y = normalize(x.clone(), mean.clone(), var.clone(), gamma.clone(), beta.clone(), eps)
    checks.assert_tensor(y, f"normalize(...) for {what}")
    checks.assert_shape(y, tuple(x.shape), f"normalize(...) for {what}: the output has the shape of x")
    checks.assert_close(y.double(), want, atol=1e-5, rtol=1e-4,
                        what=f"gamma * (x - mean) / sqrt(var + eps) + beta for {what} (eps inside the square root)")
'''

VISIBLE2 = NORMALIZE_HELPER + '''
_y = normalize(torch.tensor([[1.0, 10.0], [3.0, 20.0]]), torch.tensor([2.0, 15.0]), torch.tensor([1.0, 25.0]),
               torch.tensor([1.0, 2.0]), torch.tensor([0.0, -1.0]), 0.0)
checks.assert_close(_y, torch.tensor([[-1.0, -3.0], [1.0, 1.0]]), atol=1e-5, rtol=1e-5,
                    what="normalize on [[1, 10], [3, 20]] with mean [2, 15], var [1, 25], gamma [1, 2], beta [0, -1], eps 0")
_gen = checks.rng(1)
_check_normalize(torch.randn(2, 3, 4, 4, generator=_gen), torch.randn(3, generator=_gen), torch.rand(3, generator=_gen) + 0.5,
                 torch.randn(3, generator=_gen), torch.randn(3, generator=_gen), 1e-5, "an input of shape (2, 3, 4, 4)")
'''

HIDDEN2 = NORMALIZE_HELPER + '''
_gen = checks.rng(5201)
for _shape, _eps in [((6, 4), 0.5), ((3, 5, 2, 3), 0.25), ((4, 2, 5, 5), 1e-5), ((2, 7), 1e-3)]:
    _c = _shape[1]
    _check_normalize(3 * torch.randn(_shape, generator=_gen), torch.randn(_c, generator=_gen),
                     0.01 + 0.2 * torch.rand(_c, generator=_gen), 1 + torch.randn(_c, generator=_gen),
                     torch.randn(_c, generator=_gen), _eps, f"an input of shape {_shape}, eps = {_eps}")
'''

PART34 = r"""
## Parts 3 and 4 — the layer, in training and evaluation mode (6 points)

`BatchNorm` below already has its state, named as in PyTorch so that it can be compared with
`torch.nn.BatchNorm2d`:

* `weight` ($\gamma$, initialised to 1) and `bias` ($\beta$, initialised to 0) are
  `nn.Parameter`s: the optimiser learns them, so gradients must reach them;
* `running_mean` (initialised to 0) and `running_var` (initialised to 1) are **buffers**: saved
  with the model, moved by `.to(device)`, but not learned, so they must stay out of the
  autograd graph.

`self.training` is `True` after `layer.train()` (the default) and `False` after `layer.eval()`.
Each branch sets `mean` and `var`; the last line, already written, normalises with them.

**Part 3, training mode (3 points).** Use the statistics of the batch (your
`batch_statistics`), then update the running estimates with the momentum $\alpha$
(`self.momentum`, 0.1 by default) as PyTorch does:

$$
\hat\mu \leftarrow (1 - \alpha)\,\hat\mu + \alpha\,\mu_\mathcal{B}, \qquad
\hat\sigma^2 \leftarrow (1 - \alpha)\,\hat\sigma^2 + \alpha\,\frac{m}{m - 1}\,\sigma^2_\mathcal{B}.
$$

Two details decide whether you match PyTorch. The running variance stores the **unbiased**
estimate $\frac{m}{m-1}\sigma^2_\mathcal{B}$ (it estimates the variance of the whole data set),
while the batch is normalised with the biased $\sigma^2_\mathcal{B}$; and $\alpha$ weighs the **new**
batch (Keras's `momentum=0.99` weighs the old estimate instead: the same idea, the other
way round). Update the buffers with detached values (`mean.detach()`, or inside
`with torch.no_grad():`), so that no gradient flows into them.

**Part 4, evaluation mode (3 points).** Use `running_mean` and `running_var`, not the
statistics of the batch, and do not change them. Then one image gets the same output
whatever else is in its batch, and a batch of one image works.

While the tests of Parts 3 and 4 run, they swap in their own correct `batch_statistics` and
`normalize` (your functions are put back afterwards), so a slip in Part 1 or 2 costs only the
points of that part. Use the two functions; do not copy their code into `forward`.

*The tests* run several training steps with `(N, C)` inputs against `torch.nn.BatchNorm1d` and
`(N, C, H, W)` inputs against `torch.nn.BatchNorm2d`, with other momenta and $\epsilon$; they
compare the outputs, the running statistics after every step and the gradients with respect to
the input, $\gamma$ and $\beta$. In evaluation mode they set the running statistics themselves
(so Part 4 does not depend on Part 3), compare with PyTorch, check that the output of one image
does not depend on its batch, and that the buffers did not move.
"""

SCAFFOLD34 = '''
class BatchNorm(nn.Module):
    """Batch normalisation of (N, C) or (N, C, H, W) inputs, like torch.nn.BatchNorm1d/2d."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))  # gamma, learned
        self.bias = nn.Parameter(torch.zeros(num_features))   # beta, learned
        self.register_buffer("running_mean", torch.zeros(num_features))  # not learned
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x):
        if self.training:
            # Part 3: set mean and var from this batch, and update the running estimates.
            {solution}
        else:
            # Part 4: set mean and var from the running estimates.
            {solution}
        return normalize(x, mean, var, self.weight, self.bias, self.eps)
'''

SOLUTION3 = '''
mean, var = batch_statistics(x)
m = x.numel() // x.shape[1]  # values per channel: N, or N * H * W
unbiased_var = var * m / (m - 1)
self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean.detach()
self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased_var.detach()
'''

SOLUTION4 = '''
mean, var = self.running_mean, self.running_var
'''

TRAIN_HELPER = REFERENCE + '''
def _check_training(shape, eps, momentum, steps, seed, what):
    gen = checks.rng(seed)
    ours, reference = _make_pair(shape[1], len(shape), eps, momentum, gen)
    ours.train()
    for step in range(1, steps + 1):
        x = _batch(shape, gen)
        x_ours, x_ref = x.clone().requires_grad_(), x.clone().requires_grad_()
        y_ours, y_ref = ours(x_ours), reference(x_ref)
        where = f"{what}, training step {step}"
        checks.assert_tensor(y_ours, f"BatchNorm output ({where})")
        checks.assert_close(y_ours, y_ref.detach(), atol=1e-4, rtol=1e-4,
                            what=f"the output in training mode ({where}): normalise with the batch mean and the biased variance")
        for name in ("running_mean", "running_var"):
            value = getattr(ours, name)
            checks.assert_tensor(value, f"{name} ({where})")
            checks.assert_true(value.grad_fn is None and not value.requires_grad,
                               f"{name} is part of the autograd graph ({where}): update it with detached values")
        checks.assert_close(ours.running_mean, reference.running_mean, atol=1e-5, rtol=1e-4,
                            what=f"running_mean ({where}): (1 - momentum) * running_mean + momentum * batch mean")
        checks.assert_close(ours.running_var, reference.running_var, atol=1e-5, rtol=1e-4,
                            what=f"running_var ({where}): (1 - momentum) * running_var + momentum * m / (m - 1) * batch variance")
        weights = torch.randn(shape, generator=gen)  # a loss that weighs every output differently
        (y_ours * weights).sum().backward()
        (y_ref * weights).sum().backward()
        checks.assert_true(ours.weight.grad is not None and ours.bias.grad is not None,
                           f"no gradient reached gamma (weight) and beta (bias) ({where})")
        checks.assert_close(ours.weight.grad, reference.weight.grad, atol=1e-3, rtol=1e-4, what=f"the gradient of gamma ({where})")
        checks.assert_close(ours.bias.grad, reference.bias.grad, atol=1e-3, rtol=1e-4, what=f"the gradient of beta ({where})")
        checks.assert_close(x_ours.grad, x_ref.grad, atol=1e-4, rtol=1e-3,
                            what=f"the gradient with respect to the input ({where}): do not detach the batch statistics themselves")
        ours.zero_grad()
        reference.zero_grad()
'''

VISIBLE3 = TRAIN_HELPER + with_reference_parts('''
_check_training((8, 3), eps=1e-5, momentum=0.1, steps=2, seed=2, what="input (8, 3) against BatchNorm1d")
_check_training((4, 2, 5, 5), eps=1e-5, momentum=0.1, steps=2, seed=3, what="input (4, 2, 5, 5) against BatchNorm2d")
''')

HIDDEN3 = TRAIN_HELPER + with_reference_parts('''
_check_training((16, 5), eps=1e-3, momentum=0.3, steps=3, seed=5301, what="input (16, 5), eps 1e-3, momentum 0.3")
_check_training((2, 4), eps=1e-5, momentum=0.1, steps=3, seed=5302, what="input (2, 4), the smallest batch")
_check_training((3, 6, 4, 4), eps=1e-5, momentum=0.05, steps=4, seed=5303, what="input (3, 6, 4, 4), momentum 0.05")
_check_training((5, 3, 2, 6), eps=1e-2, momentum=0.5, steps=3, seed=5304, what="input (5, 3, 2, 6), eps 1e-2, momentum 0.5")
''')

EVAL_HELPER = REFERENCE + '''
def _check_evaluation(shape, eps, seed, what):
    gen = checks.rng(seed)
    ours, reference = _make_pair(shape[1], len(shape), eps, 0.1, gen)
    running_mean = 3 * torch.randn(shape[1], generator=gen)
    running_var = 0.2 + 3 * torch.rand(shape[1], generator=gen)
    with torch.no_grad():
        for layer in (ours, reference):
            layer.running_mean.copy_(running_mean)
            layer.running_var.copy_(running_var)
    ours.eval()
    reference.eval()
    x = _batch(shape, gen)  # its statistics differ from the running ones
    y = ours(x.clone())
    checks.assert_tensor(y, f"BatchNorm output in evaluation mode ({what})")
    checks.assert_close(y, reference(x).detach(), atol=1e-4, rtol=1e-4,
                        what=f"the output in evaluation mode ({what}): normalise with running_mean and running_var, "
                             "not with the statistics of the batch")
    checks.assert_close(ours.running_mean, running_mean, atol=0.0, rtol=0.0,
                        what=f"running_mean after a forward pass in evaluation mode ({what}): it must not change")
    checks.assert_close(ours.running_var, running_var, atol=0.0, rtol=0.0,
                        what=f"running_var after a forward pass in evaluation mode ({what}): it must not change")
    one = ours(x[:1].clone())
    checks.assert_close(one, y[:1].detach(), atol=1e-5, rtol=1e-5,
                        what=f"the first image alone against the same image inside its batch ({what}): in evaluation "
                             "mode an output must not depend on the rest of the batch")
'''

VISIBLE4 = EVAL_HELPER + with_reference_parts('''
_check_evaluation((6, 3), eps=1e-5, seed=4, what="input (6, 3) against BatchNorm1d")
_check_evaluation((4, 2, 3, 3), eps=1e-5, seed=5, what="input (4, 2, 3, 3) against BatchNorm2d")
''')

HIDDEN4 = EVAL_HELPER + with_reference_parts('''
_check_evaluation((9, 4), eps=1e-3, seed=5401, what="input (9, 4), eps 1e-3")
_check_evaluation((3, 5, 4, 2), eps=1e-5, seed=5402, what="input (3, 5, 4, 2)")
_check_evaluation((2, 3, 6, 6), eps=0.1, seed=5403, what="input (2, 3, 6, 6), eps 0.1")
''')

OUTRO = r"""
## What you have built

* In training mode the layer normalises each channel with the statistics of the batch, so
  its output for one image depends on the others; it keeps running estimates on the side.
* In evaluation mode it is a fixed per-channel affine map, $y = \gamma (x - \hat\mu) /
  \sqrt{\hat\sigma^2 + \epsilon} + \beta$.

Chapter 6 uses `ganlab.models.BatchNorm` (the same algorithm) inside a DCGAN and shows where
batch norm hurts a GAN: batches that mix real and fake images, and D's input layer.
"""

# Classic mistakes, injected by tests/test_assignments.py: (solution cell, exact text in the
# solution, replacement, test cells that must fail); every other test cell must still pass.
MISTAKES = {
    "statistics: unbiased variance (divide by m - 1)": (
        "batch_statistics", "x.var(dim=axes, unbiased=False)", "x.var(dim=axes, unbiased=True)",
        {"test_batch_statistics": "biased"}),
    "statistics: mean over the batch axis only": (
        "batch_statistics", "axes = [0] + list(range(2, x.dim()))", "axes = [0]",
        {"test_batch_statistics": "one value per channel"}),
    "normalize: eps outside the square root": (
        "normalize", "torch.sqrt(var.view(shape) + eps)", "(torch.sqrt(var.view(shape)) + eps)",
        {"test_normalize": "eps inside the square root"}),
    "normalize: no scale and shift": (
        "normalize", "return gamma.view(shape) * x_hat + beta.view(shape)", "return x_hat",
        {"test_normalize": "gamma"}),
    "training: running variance without the m / (m - 1) correction": (
        "batch_norm", "unbiased_var = var * m / (m - 1)", "unbiased_var = var",
        {"test_training_mode": "m / (m - 1)"}),
    "training: m taken as the batch size for images": (
        "batch_norm", "m = x.numel() // x.shape[1]", "m = x.shape[0]", {"test_training_mode": "running_var"}),
    "training: momentum weighs the old estimate (Keras convention)": (
        "batch_norm", "(1 - self.momentum) * self.running_mean + self.momentum * mean.detach()",
        "self.momentum * self.running_mean + (1 - self.momentum) * mean.detach()",
        {"test_training_mode": "(1 - momentum) * running_mean"}),
    "training: running mean kept in the autograd graph": (
        "batch_norm", "self.momentum * mean.detach()", "self.momentum * mean",
        {"test_training_mode": "autograd graph"}),
    "training: batch statistics detached (no gradient through mean and variance)": (
        "batch_norm", "mean, var = batch_statistics(x)", "mean, var = [s.detach() for s in batch_statistics(x)]",
        {"test_training_mode": "gradient with respect to the input"}),
    "evaluation: batch statistics used in eval mode": (
        "batch_norm", "mean, var = self.running_mean, self.running_var", "mean, var = batch_statistics(x)",
        {"test_evaluation_mode": "not with the statistics of the batch"}),
}


def build():
    """The notebook of assignment 05-batchnorm."""
    return notebook([
        setup(),
        markdown("intro", INTRO),
        markdown("part1", PART1),
        solution("batch_statistics", SCAFFOLD1, SOLUTION1),
        tests("test_batch_statistics", 2, VISIBLE1, HIDDEN1),
        markdown("part2", PART2),
        solution("normalize", SCAFFOLD2, SOLUTION2),
        tests("test_normalize", 2, VISIBLE2, HIDDEN2),
        markdown("part34", PART34),
        solution("batch_norm", SCAFFOLD34, SOLUTION3, SOLUTION4),
        tests("test_training_mode", 3, VISIBLE3, HIDDEN3),
        tests("test_evaluation_mode", 3, VISIBLE4, HIDDEN4),
        markdown("outro", OUTRO),
    ])
