"""Seconds of DCGAN training until the digits look real to the classifier (benchmark 3; ch. 5, 8).

Trains ganlab.train.recipes.dcgan_digits on ganlab.data.digits(16) in chunks (resuming a
checkpoint, so the run is exactly one uninterrupted run) and after each chunk measures, on
1,000 generated images, the Fréchet distance in the shipped classifier's feature space
against the test split (ganlab.metrics.digit_fid) and the classes generated
(ganlab.metrics.class_coverage). It stops when the distance is within 3 x the real-vs-real
floor (train split vs test split) with all ten digits generated, or at --max-seconds.

    python benchmarks/digits_fid.py [--chunk 200] [--max-seconds 600] [--seed 0]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import torch

from ganlab.data import digits
from ganlab.metrics import class_coverage, digit_fid
from ganlab.train import recipes, train_gan


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunk", type=int, default=200, help="steps between evaluations")
    parser.add_argument("--max-seconds", type=float, default=600.0,
                        help="stop after this much training time")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--factor", type=float, default=3.0, help="target: factor x floor")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    train, test = digits(16, split="train"), digits(16, split="test")
    floor = digit_fid(train.images, test.images)
    G, D, config = recipes.dcgan_digits(seed=args.seed, progress=False, snapshot_every=0)
    print(f"real-vs-real floor (train vs test): {floor:.3f}; target <= {args.factor * floor:.3f} "
          f"with 10/10 classes; DCGAN latent {G.latent_dim}, width {G.width}, batch "
          f"{config.batch_size}, lr {config.lr_g:g}; {torch.get_num_threads()} thread(s)")
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = Path(folder) / "dcgan.pt"
        steps, seconds = 0, 0.0
        while seconds < args.max_seconds:
            steps += args.chunk
            result = train_gan(G, D, train, config, steps=steps, checkpoint=checkpoint,
                               checkpoint_every=args.chunk, resume=True)
            seconds = result.seconds
            images = G.generate(args.samples, generator=torch.Generator().manual_seed(1))
            fid = digit_fid(images, test.images)
            covered, _ = class_coverage(images)
            print(f"step {steps:5d}  {seconds:7.1f} s  FID {fid:8.3f} ({fid / floor:5.2f} x floor)"
                  f"  classes {covered}/10", flush=True)
            if fid <= args.factor * floor and covered == 10:
                print(f"reached: {seconds:.1f} s of training ({steps} steps); floor {floor:.3f}, "
                      f"FID {fid:.3f}")
                return
        print(f"not reached within {args.max_seconds:.0f} s ({steps} steps); floor {floor:.3f}")


if __name__ == "__main__":
    main()
