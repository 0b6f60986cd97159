"""The experiments behind ``ganlab/results/*.json``; run them with ``python -m scripts.measure``."""
from __future__ import annotations


def score_seeds(result, metrics, score) -> dict:
    """``{metric: [value per seed]}`` of an ensemble ``result``: ``score(sampler)`` gives one
    seed's ``{metric: value}``; a seed that diverged (``result.diverged``) scores ``None``."""
    values = {metric: [] for metric in metrics}
    for seed, sampler in zip(result.seeds, result.samplers):
        scores = dict.fromkeys(metrics) if seed in result.diverged else score(sampler)
        for metric in metrics:
            values[metric].append(scores[metric])
    return values
