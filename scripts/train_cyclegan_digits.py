r"""Train the shipped CycleGAN digit translators (chapter 7) and record them in the manifest.

    .venv/bin/python scripts/train_cyclegan_digits.py                 # both pairs, a few minutes each
    .venv/bin/python scripts/train_cyclegan_digits.py --kind invert   # one pair
    .venv/bin/python scripts/train_cyclegan_digits.py --check         # retrain, compare checksums

Two unpaired domain pairs of :func:`ganlab.data.unpaired_digits` are learned, each with two
generators :math:`G_{AB}, G_{BA}` (:class:`ganlab.models.ResnetGenerator`) and two PatchGAN
discriminators :math:`D_A, D_B` by :func:`ganlab.train.train_cyclegan`, the loop chapter 7
runs when ``TRAIN_FROM_SCRATCH = True`` (Zhu et al. 2017):

.. math::

    \mathcal{L}_G = \mathcal{L}^{LS}_{G}(D_B(G_{AB}(a))) + \mathcal{L}^{LS}_{G}(D_A(G_{BA}(b)))
        + \lambda \left(\lVert G_{BA}(G_{AB}(a)) - a\rVert_1 + \lVert G_{AB}(G_{BA}(b)) - b\rVert_1\right)
        + \lambda_{id}\,\lambda \left(\lVert G_{AB}(b) - b\rVert_1 + \lVert G_{BA}(a) - a\rVert_1\right)

with least-squares adversarial losses (Mao et al. 2017), :math:`\lambda = 10`, and the
discriminators trained on generated images drawn from an image pool of 50; Adam with a
constant learning rate of 2e-4.

* ``invert`` (white on black <-> black on white) is trained *without* the identity loss
  (:math:`\lambda_{id} = 0`): :math:`G_{AB}` must negate white-on-black images yet leave
  black-on-white ones alone, and with the identity loss short runs learned translations that
  survive the round trip but change the digit; chapter 7 measures this.
* ``bold`` (thin <-> bold strokes) uses the paper's :math:`\lambda_{id} = 0.5`.

Only the generators ship (``cyclegan_<kind>_g_ab.pt``, ``cyclegan_<kind>_g_ba.pt``, about
0.8 MB each). The manifest also records how often the shipped digit classifier still reads
the right digit on the held-out split: after one translation (``one_way_accuracy``, read
through ``ganlab.data.invert`` for the inverted domain) and after the round trip A -> B -> A
(``round_trip_accuracy``). Deterministic on one CPU thread with fixed seeds; ``--check``
retrains and compares with the shipped checksums (another torch version or CPU may differ
in the last bits).
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import torch

from ganlab.data import invert, unpaired_digits
from ganlab.metrics import classify_digits
from ganlab.pretrained import WEIGHTS_DIR, matches_shipped, write_manifest_entry
from ganlab.train import train_cyclegan

GENERATOR_KWARGS = {"channels": 1, "width": 16, "n_blocks": 2}
#: network sizes for train_cyclegan: the generators above, PatchGAN discriminators of width 16
SIZES = {"width": 16, "n_blocks": 2, "d_width": 16, "n_layers": 2}
SEED = 0


@dataclass(frozen=True)
class Recipe:
    """Hyper-parameters of one shipped pair."""
    kind: str
    lambda_identity: float
    steps: int = 600
    batch_size: int = 16
    lr: float = 2e-4
    lambda_cycle: float = 10.0
    pool_size: int = 50


RECIPES = {"invert": Recipe("invert", lambda_identity=0.0),
           "bold": Recipe("bold", lambda_identity=0.5)}

#: how to bring a domain-B image back to the classifier's domain (white digits on black)
TO_CLASSIFIER = {"invert": invert, "bold": lambda images: images}


def train(recipe: Recipe, seed: int = SEED, progress: bool = False):
    """Train both generators and discriminators with ganlab.train.train_cyclegan; return ``(g_ab, g_ba)``."""
    torch.set_num_threads(1)  # bitwise reproducible on the CPU
    pair = unpaired_digits(recipe.kind, image_size=16, split="train")
    result = train_cyclegan(pair, steps=recipe.steps, batch_size=recipe.batch_size, lr=recipe.lr,
                            lambda_cycle=recipe.lambda_cycle,
                            lambda_identity=recipe.lambda_identity, pool_size=recipe.pool_size,
                            seed=seed, progress=progress, snapshot_every=0, **SIZES)
    print(f"  {recipe.kind}: {recipe.steps} steps in {result.seconds:.0f} s; last losses: "
          f"cycle {result.history['cycle'][-1]:.3f}, D_A {result.history['d_a_loss'][-1]:.3f}, "
          f"D_B {result.history['d_b_loss'][-1]:.3f}", flush=True)
    return result.g_ab.eval(), result.g_ba.eval()


@torch.no_grad()
def digit_survival(kind: str, g_ab, g_ba, split: str = "test") -> dict[str, float]:
    """Share of held-out A digits the classifier still reads correctly after G_AB and G_BA∘G_AB."""
    a = unpaired_digits(kind, image_size=16, split=split).a
    fake_b = g_ab(a.images)
    one_way = classify_digits(TO_CLASSIFIER[kind](fake_b)) == a.labels
    round_trip = classify_digits(g_ba(fake_b)) == a.labels
    return {"one_way_accuracy": round(float(one_way.double().mean()), 4),
            "round_trip_accuracy": round(float(round_trip.double().mean()), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=sorted(RECIPES), action="append",
                        help="which pair to train (repeatable; default: all)")
    parser.add_argument("--check", action="store_true",
                        help="retrain into a temporary folder and compare with the shipped files")
    parser.add_argument("--progress", action="store_true", help="show a progress bar")
    arguments = parser.parse_args()
    status = 0
    for kind in arguments.kind or sorted(RECIPES):
        recipe = RECIPES[kind]
        start = time.perf_counter()
        g_ab, g_ba = train(recipe, progress=arguments.progress)
        seconds = time.perf_counter() - start
        scores = digit_survival(kind, g_ab, g_ba)
        print(f"{kind}: trained in {seconds:.0f} s; held-out one-way accuracy "
              f"{scores['one_way_accuracy']:.3f}, round trip {scores['round_trip_accuracy']:.3f}")
        for direction, model in (("g_ab", g_ab), ("g_ba", g_ba)):
            name = f"cyclegan_{kind}_{direction}"
            if arguments.check:
                same = matches_shipped(name, model)
                print(f"  {name}: " + ("identical to the shipped weights" if same else
                                       "DIFFERS from the shipped weights"))
                status |= not same
                continue
            path = WEIGHTS_DIR / f"{name}.pt"
            torch.save(model.state_dict(), path)
            record = write_manifest_entry(
                name, path, "ganlab.models:ResnetGenerator", GENERATOR_KWARGS, chapter=7,
                script="scripts/train_cyclegan_digits.py",
                command=f"python scripts/train_cyclegan_digits.py --kind {kind}",
                data=f"ganlab.data.unpaired_digits(kind={kind!r}, split='train'); "
                     "accuracies on split='test'",
                direction="A -> B" if direction == "g_ab" else "B -> A",
                seed=SEED, steps=recipe.steps, batch_size=recipe.batch_size, lr=recipe.lr,
                lambda_cycle=recipe.lambda_cycle, lambda_identity=recipe.lambda_identity,
                **scores)
            print(f"  saved {path} ({record['bytes']} bytes)")
    raise SystemExit(status)


if __name__ == "__main__":
    main()
