"""DCGAN training throughput in images per second (issue 2, benchmark 1; chapter 5).

Two architectures, trained with ganlab.train.train_gan on random or digit data:

* the 64 x 64 RGB DCGAN of pytorch/examples (nz 100, 64 feature maps, batch 64);
* the chapter's 16 x 16 grey digits (ganlab.data.digits, same nz, width and batch).

One "step" is one D update and one G update on a batch; throughput = batch x steps / seconds,
after a few warm-up steps. On CUDA it also times autocast mixed precision and channels_last.
The rate per CPU-second of the process (time.process_time) is printed too: on a shared,
busy machine it tells what the hardware does when the process gets the cores.

    python benchmarks/dcgan_throughput.py --steps 20 [--warmup 3] [--threads 2] [--compile]
"""
from __future__ import annotations

import argparse
import time

import torch

import ganlab
from ganlab.data import digits
from ganlab.models import DCGANDiscriminator, DCGANGenerator
from ganlab.train import train_gan


def measure(image_size: int, channels: int, args, device, **options) -> tuple[float, float]:
    """(images per wall-clock second, images per second of this process's CPU time)."""
    ganlab.seed_everything(0)
    G = DCGANGenerator(latent_dim=100, channels=channels, image_size=image_size, width=64)
    D = DCGANDiscriminator(channels=channels, image_size=image_size, width=64)
    G.to(device), D.to(device)
    if image_size == 16 and channels == 1:
        data = digits(16).images
    else:
        data = torch.rand(512, channels, image_size, image_size, generator=torch.Generator()
                          .manual_seed(0)) * 2 - 1
    common = dict(batch_size=args.batch, progress=False, snapshot_every=0, device=device,
                  compile=args.compile, **options)
    train_gan(G, D, data, steps=args.warmup, **common)  # warm-up: allocations, kernels
    if device.type == "cuda":
        torch.cuda.synchronize()
    began, cpu_began = time.perf_counter(), time.process_time()
    train_gan(G, D, data, steps=args.steps, **common)
    if device.type == "cuda":
        torch.cuda.synchronize()
    images = args.batch * args.steps
    return (images / (time.perf_counter() - began),
            images / max(time.process_time() - cpu_began, 1e-9))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed steps (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--compile", action="store_true", help="also use torch.compile")
    parser.add_argument("--device", default=None, help="default: ganlab.get_device()")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = ganlab.get_device(args.device)
    print(f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} CPU threads, "
          f"batch {args.batch}, {args.warmup} warm-up + {args.steps} timed steps"
          f"{', compiled' if args.compile else ''}")
    variants = [("float32", {})]
    if device.type == "cuda":
        variants += [("amp", dict(amp=True)), ("channels_last", dict(channels_last=True)),
                     ("amp + channels_last", dict(amp=True, channels_last=True))]
    for name, size, channels in (("pytorch/examples DCGAN 64x64x3", 64, 3),
                                 ("digits 16x16x1", 16, 1)):
        for variant, options in variants:
            rate, cpu_rate = measure(size, channels, args, device, **options)
            print(f"{name:32s} {variant:20s} {rate:9.1f} images/s  "
                  f"({cpu_rate:.1f} per CPU-second of this process)", flush=True)


if __name__ == "__main__":
    main()
