"""The test helpers of assignment 03-training-step: each function or class is copied whole into the cells
that list it (the read-only helpers cell, and again into every hidden part that needs it).
"""
from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from ganlab import exercise_checks as checks

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # defined by earlier cells of the notebook
    from solution import train_step


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


def _assert_stepped(module, before, log, label):
    """A step that does nothing cannot show that a mistake is absent: it must have moved module."""
    checks.assert_true(log == [label] and not _same(_parameters(module), before),
                       f"the {label} step did not update {label} (the optimisers stepped {log}, expected [{label!r}]): "
                       "this test checks what reached the generator during a working step, so the step must work first")


def _check_float(value, what):
    checks.restore()
    checks.assert_true(type(value) is float, f"{what} must be a Python float (use loss.item()), got {type(value).__name__}")


def _stale(module, value):
    for p in module.parameters():
        p.grad = torch.full_like(p, value)  # gradients left over from an earlier step


def _d_twice(seed, stale, lr=0.1):
    """D's parameters before and after each of two d_steps; with stale=True, .grad starts full of old values."""
    G, D, real, z = _make_problem(seed, batch=5, latent_dim=2, data_dim=2)
    if stale:
        _stale(G, 3.0), _stale(D, -4.0)
    g_opt, d_opt, log = _optimizers(G, D, lr=lr)
    before = _parameters(D)
    d_step(G, D, d_opt, real, z)
    first = _parameters(D)
    d_step(G, D, d_opt, real, z)
    return before, first, _parameters(D)


def _assert_same_run(twice, seed, what, **kwargs):
    """twice(seed) with stale .grad ends where it does with clean .grad; the clean run must have moved
    (a step that does nothing leaks no old gradient, and earns nothing here)."""
    clean, stale = twice(seed, stale=False, **kwargs), twice(seed, stale=True, **kwargs)
    checks.assert_true(not _same(clean[0], clean[1]), f"{what}'s parameters did not change in a step: this test checks "
                       "that old gradients do not leak into an update, so the step must update first")
    for step, (a, b) in enumerate(zip(clean[1:], stale[1:]), start=1):
        for x, y in zip(a, b):
            checks.assert_close(y, x, f"{what} after step {step}: with old values in .grad the result changed, so "
                                "old gradients leaked into the update. Call zero_grad() before backward()", atol=1e-6, rtol=1e-5)


def _g_twice(seed, stale, lr=0.1):
    """G's parameters before and after each of two g_steps; with stale=True, .grad starts full of old values."""
    G, D, real, z = _make_problem(seed, batch=5, latent_dim=2, data_dim=2)
    if stale:
        _stale(G, -2.0), _stale(D, 5.0)
    g_opt, d_opt, log = _optimizers(G, D, lr=lr)
    before = _parameters(G)
    g_step(G, D, g_opt, z)
    first = _parameters(G)
    g_step(G, D, g_opt, z)
    return before, first, _parameters(G)


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
    learners = {name: globals()[name] for name in ("d_step", "g_step") if name in globals()}
    d_step, g_step = spy_d_step, spy_g_step
    try:
        out = train_step(G, D, g_opt, d_opt, sample_real, sample_z, k=k)
    finally:
        del d_step, g_step  # the spies go; yours (if your cell defined them) come back
        globals().update(learners)
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
