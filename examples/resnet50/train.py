"""Train ResNet-50 for a few steps on random images, then evaluate it.

Run from the repository root:  python examples/resnet50/train.py --steps 2
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, str(Path(__file__).resolve().parent))

from model import resnet50  # noqa: E402

NUM_CLASSES = 10
NUM_IMAGES = 8
IMAGE_SIZE = 64


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=4, help="training steps to run")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def synthetic_dataset() -> TensorDataset:
    images = torch.randn(NUM_IMAGES, 3, IMAGE_SIZE, IMAGE_SIZE)
    labels = torch.randint(0, NUM_CLASSES, (NUM_IMAGES,))
    return TensorDataset(images, labels)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    model = resnet50(num_classes=NUM_CLASSES).to(device)
    dataset = synthetic_dataset()
    train_loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True)
    eval_loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=False)

    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)

    model.train()
    step = 0
    while step < args.steps:
        for images, labels in train_loader:
            if step >= args.steps:
                break
            images, labels = images.to(device), labels.to(device)

            optimizer.zero_grad()
            loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
            scheduler.step()

            step += 1
            print(f"step {step} loss {loss.item():.4f} lr {scheduler.get_last_lr()[0]:.4g}")

    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for images, labels in eval_loader:
            images, labels = images.to(device), labels.to(device)
            preds = model(images).argmax(dim=1)
            correct += (preds == labels).sum().item()
            total += labels.size(0)
    print(f"eval accuracy {correct / total:.3f} ({correct}/{total}) on {device}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
