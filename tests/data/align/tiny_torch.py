"""A small torch model for the alignment tests."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.conv(x)) + x


class TinyNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.blocks = nn.Sequential(Block(8), Block(8))
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        x = F.relu(self.bn(self.stem(x)))
        x = self.blocks(x)
        x = x.mean(dim=(2, 3))
        return self.head(x)


def make_net() -> TinyNet:
    return TinyNet()


def example_inputs():
    return torch.randn(4, 3, 8, 8)


def example_targets():
    return torch.tensor([0, 1, 2, 3])


def loss_fn(output, target):
    return F.cross_entropy(output, target)


def make_optimizer(params):
    return torch.optim.SGD(params, lr=0.05, momentum=0.9)


def make_scheduler(optimizer):
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
