"""A model whose forward raises from the user's own line."""

import torch
import torch.nn as nn


class Broken(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        y = self.fc(x)
        return y.view(3, 7)  # cannot work: 8 elements


def make_net():
    return Broken()


def example_inputs():
    return torch.randn(2, 4)
