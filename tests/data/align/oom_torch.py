"""A model whose forward asks for more memory than any machine has."""

import torch
import torch.nn as nn


class Greedy(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        buffer = torch.empty(2**62, dtype=torch.uint8)  # 4 EiB
        return self.fc(x) + buffer[:1]


def make_net():
    return Greedy()


def example_inputs():
    return torch.randn(2, 4)
