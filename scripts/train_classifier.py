"""Train the shipped digit classifier (chapter 8) and record it in ganlab/weights/manifest.json.

    .venv/bin/python scripts/train_classifier.py            # retrain, save, update the manifest
    .venv/bin/python scripts/train_classifier.py --check    # retrain, compare with the shipped file

Deterministic: one CPU thread, fixed seeds, a fixed order of mini-batches and of the random
one-pixel shifts used as augmentation. On the same torch version it reproduces the shipped
file bit for bit (``--check``); another torch or CPU may differ in the last bits, which the
checksum then reports. Trains on ``digits(split="train")`` only and prints the accuracy on the
held-out ``digits(split="test")``. Takes well under a minute on a laptop CPU.
"""
from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F

from ganlab.data import digits
from ganlab.metrics.classifier import DigitClassifier
from ganlab.pretrained import WEIGHTS_DIR, matches_shipped, write_manifest_entry

NAME = "digit_classifier"
SEED = 0
EPOCHS = 30
BATCH_SIZE = 64
LR = 2e-3


def shift_randomly(images: torch.Tensor, generator: torch.Generator, max_shift: int = 1):
    """Translate every image by up to ``max_shift`` pixels (zero = background -1 padding)."""
    padded = F.pad(images, [max_shift] * 4, value=-1.0)
    size = images.shape[-1]
    offsets = torch.randint(0, 2 * max_shift + 1, (len(images), 2), generator=generator)
    return torch.stack([padded[i, :, dy:dy + size, dx:dx + size]
                        for i, (dy, dx) in enumerate(offsets.tolist())])


@torch.no_grad()
def accuracy(model: DigitClassifier, images: torch.Tensor, labels: torch.Tensor) -> float:
    model.eval()
    return float((model(images).argmax(1) == labels).double().mean())


def train(epochs: int = EPOCHS, seed: int = SEED) -> DigitClassifier:
    torch.set_num_threads(1)  # bitwise reproducible: no thread-count dependent reductions
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    data = digits(image_size=16, split="train")
    model = DigitClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(data), generator=generator)
        for index in order.split(BATCH_SIZE):
            images = shift_randomly(data.images[index], generator)
            loss = F.cross_entropy(model(images), data.labels[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        schedule.step()
    return model.eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="retrain into a temporary file and compare with the shipped one")
    arguments = parser.parse_args()
    start = time.perf_counter()
    model = train()
    seconds = time.perf_counter() - start
    test = digits(image_size=16, split="test")
    train_data = digits(image_size=16, split="train")
    test_accuracy = accuracy(model, test.images, test.labels)
    train_accuracy = accuracy(model, train_data.images, train_data.labels)
    print(f"trained in {seconds:.1f} s; train accuracy {train_accuracy:.4f}, "
          f"held-out test accuracy {test_accuracy:.4f} ({len(test)} images)")
    if arguments.check:
        same = matches_shipped(NAME, model)
        print("identical to the shipped weights" if same else
              "DIFFERS from the shipped weights (another torch version or CPU?)")
        raise SystemExit(0 if same else 1)
    path = WEIGHTS_DIR / "digit_classifier.pt"
    torch.save(model.state_dict(), path)
    record = write_manifest_entry(
        NAME, path, "ganlab.metrics.classifier:DigitClassifier", {}, chapter=8,
        script="scripts/train_classifier.py", command="python scripts/train_classifier.py",
        test_accuracy=round(test_accuracy, 4), train_accuracy=round(train_accuracy, 4),
        data="ganlab.data.digits(image_size=16, split='train'); accuracy on split='test'",
        seed=SEED, epochs=EPOCHS)
    print(f"saved {path} ({record['bytes']} bytes), sha256 {record['sha256']}")


if __name__ == "__main__":
    main()
