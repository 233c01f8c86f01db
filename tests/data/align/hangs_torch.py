"""A model whose forward never returns."""

import time

import torch
import torch.nn as nn


class Stuck(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        while True:
            time.sleep(0.5)
        return self.fc(x)


def make_net():
    return Stuck()


def example_inputs():
    return torch.randn(2, 4)
