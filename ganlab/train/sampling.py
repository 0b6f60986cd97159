r"""Where the real batches come from: one seeded sampler for every kind of data (chapter 2).

Algorithm 1 of Goodfellow et al. (2014) draws a fresh minibatch
:math:`\{x^{(1)}, \dots, x^{(m)}\} \sim p_{data}` for every discriminator step. The data may be

* a tensor ``(N, ...)`` of examples: the batch is ``m`` indices drawn uniformly *with
  replacement*, so :math:`p_{data}` is the empirical distribution of the examples;
* an :class:`ganlab.data.ImageData`: its ``images`` are used the same way;
* a callable ``sample(n, rng)`` (such as :func:`ganlab.data.ring`) returning ``n`` fresh
  draws: the toy distributions of chapters 2-4, where :math:`p_{data}` is known exactly.

All randomness comes from the run's ``torch.Generator``, so a seed fixes every batch.
"""
from __future__ import annotations

import inspect
from typing import Callable

import torch

__all__ = ["make_sampler"]


def _takes_rng_keyword(function: Callable) -> bool:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return False
    return "rng" in parameters


def make_sampler(data, rng: torch.Generator, device: torch.device
                 ) -> Callable[[int], torch.Tensor]:
    """A function ``n -> (n, ...)`` real batch on ``device``, drawn with ``rng`` (chapter 2).

    A data function is called as ``data(n, rng=rng)`` when it has a parameter named ``rng``
    (so ``ring(n, n_modes=8, ..., rng=None)`` gets it in the right place), else ``data(n, rng)``.
    """
    from ..data import ImageData  # the data module is light; imported here to avoid cycles

    if isinstance(data, ImageData):
        data = data.images
    if isinstance(data, torch.Tensor):
        if data.dim() < 1 or len(data) == 0:
            raise ValueError(f"data must be a non-empty tensor (N, ...), got shape "
                             f"{tuple(data.shape)}")
        if not data.is_floating_point():
            raise TypeError(f"data must hold floating-point values, got dtype {data.dtype}; "
                            "convert with data.float()")
        if data.dim() == 1:
            data = data.unsqueeze(1)  # a flat vector of 1-D samples
        examples = data.to(device)

        def sample(n: int) -> torch.Tensor:
            index = torch.randint(len(examples), (n,), generator=rng)
            return examples[index.to(device)]
        return sample
    if callable(data):
        by_keyword = _takes_rng_keyword(data)

        def sample(n: int) -> torch.Tensor:
            batch = data(n, rng=rng) if by_keyword else data(n, rng)
            if not isinstance(batch, torch.Tensor) or len(batch) != n:
                raise ValueError(f"the data function must return a tensor of {n} samples, got "
                                 f"{type(batch).__name__} "
                                 f"{tuple(batch.shape) if isinstance(batch, torch.Tensor) else ''}")
            if batch.dim() == 1:
                batch = batch.unsqueeze(1)
            return batch.to(device)
        return sample
    raise TypeError("data must be a tensor (N, ...), an ImageData or a function "
                    f"sample(n, rng) -> tensor; got {type(data).__name__}")
