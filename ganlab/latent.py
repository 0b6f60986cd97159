r"""Walking and adding in a generator's latent space: lerp, slerp and vector arithmetic (chapter 5).

A generator maps each latent point :math:`z` to a sample :math:`G(z)`. DCGAN's fourth claim
is that this map is smooth: walking from :math:`z_0` to :math:`z_1` morphs one sample into
another (:func:`lerp`, :func:`slerp`), and averages of latent vectors can be added and
subtracted like concepts (:func:`latent_arithmetic_vector`). The figures that show it are
:func:`ganlab.plot.interpolation` and :func:`ganlab.plot.latent_arithmetic`.
"""
from __future__ import annotations

import torch

__all__ = ["lerp", "slerp", "latent_arithmetic_vector", "latent_batch", "generate_from"]


def _latent_vector(z, name: str) -> torch.Tensor:
    z = torch.as_tensor(z).detach()
    if z.dim() > 1 and z.shape[0] == 1:
        z = z[0]
    if z.dim() == 0 or not z.is_floating_point():
        raise ValueError(f"{name} must be one floating-point latent vector, shape (latent_dim,) "
                         f"or (1, latent_dim); got shape {tuple(z.shape)}, dtype {z.dtype}")
    return z


def _fractions(t) -> torch.Tensor:
    if isinstance(t, int):
        if t < 2:
            raise ValueError(f"steps must be at least 2 (both ends), got {t}")
        return torch.linspace(0, 1, t)
    return torch.as_tensor(t, dtype=torch.float32).reshape(-1)


def lerp(z_start, z_end, t=8) -> torch.Tensor:
    r"""Points on the straight line :math:`(1-t)\,z_0 + t\,z_1` (chapter 5).

    ``t`` is a number of evenly spaced points (both ends included) or a 1-D tensor of
    fractions. Returns shape (len(t), \*z.shape).
    """
    z0, z1 = _latent_vector(z_start, "z_start"), _latent_vector(z_end, "z_end")
    if z0.shape != z1.shape:
        raise ValueError(f"z_start {tuple(z0.shape)} and z_end {tuple(z1.shape)} differ in shape")
    t = _fractions(t).to(z0.dtype).reshape(-1, *([1] * z0.dim()))
    return (1 - t) * z0 + t * z1


def slerp(z_start, z_end, t=8) -> torch.Tensor:
    r"""Spherical interpolation (Shoemake, 1985; White, 2016) between two latents (chapter 5).

    First used in chapter 5, through :func:`ganlab.plot.interpolation` (``spherical=True``):

    .. math::
        \operatorname{slerp}(z_0, z_1; t) = \frac{\sin((1-t)\Omega)}{\sin\Omega} z_0
            + \frac{\sin(t\Omega)}{\sin\Omega} z_1, \qquad
        \cos\Omega = \frac{z_0 \cdot z_1}{\lVert z_0\rVert \lVert z_1\rVert}

    For a Gaussian latent in many dimensions, samples live near a sphere of radius
    :math:`\sqrt{d}`; the straight line's middle dips inside it, slerp stays at the typical
    norm. Falls back to :func:`lerp` for (nearly) parallel vectors. Same arguments and shape
    as :func:`lerp`.
    """
    z0, z1 = _latent_vector(z_start, "z_start"), _latent_vector(z_end, "z_end")
    if z0.shape != z1.shape:
        raise ValueError(f"z_start {tuple(z0.shape)} and z_end {tuple(z1.shape)} differ in shape")
    a, b = z0.reshape(-1).double(), z1.reshape(-1).double()
    cosine = (a @ b / (a.norm() * b.norm()).clamp_min(1e-12)).clamp(-1, 1)
    omega = torch.arccos(cosine)
    if torch.sin(omega).abs() < 1e-6:
        return lerp(z0, z1, t)
    t = _fractions(t).double().reshape(-1, 1)
    path = (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)
    return path.to(z0.dtype).reshape(-1, *z0.shape)


def latent_batch(vectors, name: str = "latents") -> torch.Tensor:
    """A list of latent vectors or a tensor (k, latent_dim) as one float tensor (chapter 5).

    First used in chapter 5, through :func:`ganlab.plot.latent_arithmetic` (each group of it).
    """
    if isinstance(vectors, (list, tuple)):
        if not vectors:
            raise ValueError(f"{name} is empty; give at least one latent vector")
        vectors = torch.stack([_latent_vector(v, f"{name}[{i}]") for i, v in enumerate(vectors)])
    vectors = torch.as_tensor(vectors).detach()
    if vectors.dim() < 2 or vectors.shape[0] == 0:
        raise ValueError(f"{name} must be a list of latent vectors or a tensor (k, latent_dim); "
                         f"got shape {tuple(vectors.shape)}")
    return vectors.float()


def latent_arithmetic_vector(a, b, c) -> torch.Tensor:
    r"""The DCGAN vector arithmetic :math:`\bar z_A - \bar z_B + \bar z_C` (chapter 5).

    ``a``, ``b``, ``c`` are lists of latent vectors or tensors (k, latent_dim); averaging a few
    vectors per concept (Radford et al. used three) makes the arithmetic stable. Returns one
    vector of shape (latent_dim,) (or the latents' shape without the batch dimension).
    """
    a, b, c = (latent_batch(v, name) for v, name in ((a, "a"), (b, "b"), (c, "c")))
    if not (a.shape[1:] == b.shape[1:] == c.shape[1:]):
        raise ValueError(f"a, b, c must hold latents of one shape; got {tuple(a.shape[1:])}, "
                         f"{tuple(b.shape[1:])}, {tuple(c.shape[1:])}")
    return a.mean(0) - b.mean(0) + c.mean(0)


def generate_from(generator, z: torch.Tensor) -> torch.Tensor:
    """:math:`G(z)` in eval mode without gradients, on G's device, returned on the CPU (chapter 1).

    The model's train/eval mode is restored afterwards. The latent-space figures of
    :mod:`ganlab.plot` draw with it, and so do the sliders of chapter 1, through
    :func:`ganlab.widgets.latent_explorer`.
    """
    parameter = next(generator.parameters(), None) if hasattr(generator, "parameters") else None
    device = parameter.device if parameter is not None else torch.device("cpu")
    was_training = getattr(generator, "training", False)
    if hasattr(generator, "eval"):
        generator.eval()
    try:
        with torch.no_grad():
            return generator(z.to(device)).detach().to("cpu", torch.float32)
    finally:
        if hasattr(generator, "train"):
            generator.train(was_training)
