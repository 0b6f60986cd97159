"""DCGAN training throughput in images per second, as a ratio to a plain reference loop.

Issue 2 (benchmark 1) and issue 8 (part 3); chapter 5. One "step" is one D update and one
G update on a batch; throughput = batch x steps / seconds, after a few warm-up steps.

* The **reference** is a plain loop written the way ``pytorch/examples`` ``dcgan/main.py``
  trains (our own few lines, :func:`reference_models` and :func:`reference_rate`): the same
  64 x 64 networks built from ``nn.Sequential``, D ending in a sigmoid and ``nn.BCELoss``,
  real batches from a shuffling ``DataLoader`` over random images (like ``FakeData``, but
  already tensors, loaded in the process: ``num_workers=0``), one G forward per step whose
  fakes serve both updates, and the example's five ``.item()`` reads per step for its log.
* **ganlab** is :func:`ganlab.train.train_gan` on the same architecture
  (:class:`ganlab.models.DCGANGenerator` / ``DCGANDiscriminator``) and the same random data,
  with its default options and with the speed options of :class:`ganlab.train.TrainConfig`.

Machines are shared and noisy, so every ganlab measurement is paired with a reference
measurement just before it in the same process, and the median ratio over ``--repeats`` pairs
is printed, per wall-clock second and per CPU-second of the process (``time.process_time``:
on a busy machine it tells what the code does when it gets the cores; with one thread it is
the steadier figure). The chapter's 16 x 16 digits DCGAN is timed too (no reference).

    python benchmarks/dcgan_throughput.py [--steps 10] [--warmup 2] [--repeats 3] [--threads 2]
        [--variants default,best] [--compile] [--device cuda]

Variants: ``default``, ``reuse_fakes``, ``channels_last``, ``fused_adam``, ``bf16`` and
``best`` (all four speed options together), or ``all`` for each of them.
"""
from __future__ import annotations

import argparse
import io
import itertools
import statistics
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import ganlab
from ganlab.data import digits
from ganlab.models import DCGANDiscriminator, DCGANGenerator
from ganlab.train import train_gan

NZ, WIDTH, SIZE, CHANNELS = 100, 64, 64, 3
SPEED_OPTIONS = dict(reuse_fakes=True, channels_last=True, fused_adam=True, amp="bf16")
VARIANTS = {"default": {}, **{name: {name: value} for name, value in SPEED_OPTIONS.items()
                              if name != "amp"},
            "bf16": dict(amp="bf16"), "best": SPEED_OPTIONS}


# --------------------------------------------------------------------------- the reference

def reference_models(nz: int = NZ, ngf: int = WIDTH, ndf: int = WIDTH, nc: int = CHANNELS):
    """The 64 x 64 DCGAN of ``pytorch/examples`` as two ``nn.Sequential``, N(0, 0.02) init."""
    def up(c_in, c_out, stride=2, padding=1):
        return [nn.ConvTranspose2d(c_in, c_out, 4, stride, padding, bias=False),
                nn.BatchNorm2d(c_out), nn.ReLU(True)]

    def down(c_in, c_out, norm=True):
        return [nn.Conv2d(c_in, c_out, 4, 2, 1, bias=False),
                *([nn.BatchNorm2d(c_out)] if norm else []), nn.LeakyReLU(0.2, True)]

    netG = nn.Sequential(*up(nz, 8 * ngf, 1, 0), *up(8 * ngf, 4 * ngf), *up(4 * ngf, 2 * ngf),
                         *up(2 * ngf, ngf), nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
                         nn.Tanh())
    netD = nn.Sequential(*down(nc, ndf, norm=False), *down(ndf, 2 * ndf),
                         *down(2 * ndf, 4 * ndf), *down(4 * ndf, 8 * ndf),
                         nn.Conv2d(8 * ndf, 1, 4, 1, 0, bias=False), nn.Sigmoid(), nn.Flatten(0))
    for layer in itertools.chain(netG.modules(), netD.modules()):
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(layer.weight, 0.0, 0.02)
        elif isinstance(layer, nn.BatchNorm2d):
            nn.init.normal_(layer.weight, 1.0, 0.02)
            nn.init.zeros_(layer.bias)
    return netG, netD


def reference_rate(args, device: torch.device) -> tuple[float, float]:
    """Images per (wall, CPU) second of the reference loop (``args.warmup`` untimed steps first)."""
    torch.manual_seed(0)
    netG, netD = (net.to(device) for net in reference_models())
    images = random_images(CHANNELS, SIZE)
    loader = DataLoader(TensorDataset(images, torch.zeros(len(images))),
                        batch_size=args.batch, shuffle=True, drop_last=True)
    batches = itertools.chain.from_iterable(itertools.repeat(loader))  # epoch after epoch
    bce, log = nn.BCELoss(), io.StringIO()
    opt_d = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))

    def step(real: torch.Tensor) -> None:
        netD.zero_grad()
        label = torch.ones(len(real), device=device)
        output = netD(real)
        err_real = bce(output, label)
        err_real.backward()
        d_x = output.mean().item()
        fake = netG(torch.randn(len(real), NZ, 1, 1, device=device))
        output = netD(fake.detach())
        err_fake = bce(output, label.fill_(0))
        err_fake.backward()
        d_g_z1 = output.mean().item()
        opt_d.step()
        netG.zero_grad()
        output = netD(fake)
        err_g = bce(output, label.fill_(1))
        err_g.backward()
        d_g_z2 = output.mean().item()
        opt_g.step()
        print(f"Loss_D {(err_real + err_fake).item():.4f} Loss_G {err_g.item():.4f} "
              f"D(x) {d_x:.4f} D(G(z)) {d_g_z1:.4f} / {d_g_z2:.4f}", file=log)

    for _ in range(args.warmup):
        step(next(batches)[0].to(device))
    return timed(lambda: [step(next(batches)[0].to(device)) for _ in range(args.steps)],
                 args, device)


# --------------------------------------------------------------------------- ganlab

def random_images(channels: int, size: int, n: int = 512) -> torch.Tensor:
    """``n`` uniform random images in [-1, 1], the same for every measurement."""
    return torch.rand(n, channels, size, size, generator=torch.Generator().manual_seed(0)) * 2 - 1


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def timed(run, args, device) -> tuple[float, float]:
    """(images per wall-clock second, images per CPU-second of this process) of ``run()``."""
    synchronize(device)
    began, cpu_began = time.perf_counter(), time.process_time()
    run()
    synchronize(device)
    images = args.batch * args.steps
    return (images / (time.perf_counter() - began),
            images / max(time.process_time() - cpu_began, 1e-9))


def ganlab_rate(image_size: int, channels: int, args, device, **options
                ) -> tuple[float, float]:
    """Images per (wall, CPU) second of :func:`train_gan` (a separate warm-up call first)."""
    ganlab.seed_everything(0)
    G = DCGANGenerator(latent_dim=NZ, channels=channels, image_size=image_size, width=WIDTH)
    D = DCGANDiscriminator(channels=channels, image_size=image_size, width=WIDTH)
    data = digits(16).images if image_size == 16 else random_images(channels, image_size)
    common = dict(batch_size=args.batch, progress=False, snapshot_every=0, device=device,
                  compile=args.compile, **options)
    train_gan(G, D, data, steps=args.warmup, **common)  # allocations, kernels, compilation
    return timed(lambda: train_gan(G, D, data, steps=args.steps, **common), args, device)


def compare(variant: str, args, device) -> dict:
    """``args.repeats`` pairs (reference, ganlab): the medians of the rates and ratios."""
    pairs = []
    for _ in range(args.repeats):
        reference = reference_rate(args, device)
        pairs.append((reference, ganlab_rate(SIZE, CHANNELS, args, device, **VARIANTS[variant])))
    median = statistics.median
    return dict(reference=median(r[0] for r, _ in pairs), ganlab=median(g[0] for _, g in pairs),
                ratio=median(g[0] / r[0] for r, g in pairs),
                cpu_ratio=median(g[1] / r[1] for r, g in pairs),
                ratios=[g[0] / r[0] for r, g in pairs])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10, help="timed steps (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first (default 2)")
    parser.add_argument("--repeats", type=int, default=3, help="(reference, ganlab) pairs")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--variants", default="default,best",
                        help=f"comma-separated, of {', '.join(VARIANTS)}; or all")
    parser.add_argument("--compile", action="store_true", help="also use torch.compile")
    parser.add_argument("--device", default=None, help="default: ganlab.get_device()")
    args = parser.parse_args(argv)
    variants = list(VARIANTS) if args.variants == "all" else args.variants.split(",")
    unknown = sorted(set(variants) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variants {unknown}; choose from {', '.join(VARIANTS)}")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = ganlab.get_device(args.device)
    print(f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} CPU threads, "
          f"batch {args.batch}, {args.warmup} warm-up + {args.steps} timed steps, "
          f"{args.repeats} interleaved (reference, ganlab) pairs"
          f"{', compiled' if args.compile else ''}")
    print(f"DCGAN {SIZE}x{SIZE}x{CHANNELS}: medians over the pairs of images/s and of "
          "ganlab / reference (per wall-clock second; per CPU-second)")
    for variant in variants:
        m = compare(variant, args, device)
        options = ", ".join(f"{k}={v!r}" for k, v in VARIANTS[variant].items()) or "defaults"
        pairs = " ".join(f"{ratio:.2f}" for ratio in m["ratios"])
        print(f"  ganlab {variant:14s} {m['ganlab']:6.1f}  reference {m['reference']:6.1f}  "
              f"ratio {m['ratio']:.2f}x; {m['cpu_ratio']:.2f}x per CPU-s  (pairs {pairs}; "
              f"{options})", flush=True)
    rate, cpu_rate = ganlab_rate(16, 1, args, device)
    print(f"digits DCGAN 16x16x1, ganlab defaults: {rate:.1f} images/s "
          f"({cpu_rate:.1f} per CPU-second)", flush=True)


if __name__ == "__main__":
    main()
