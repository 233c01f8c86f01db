"""An MLP built from nn.Sequential and nn.ModuleList, with its own initialisation."""

import torch
import torch.nn as nn


class ResidualMLP(nn.Module):
    def __init__(self, dim: int = 12, depth: int = 3) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Linear(6, dim), nn.Tanh())
        self.layers = nn.ModuleList([nn.Linear(dim, dim) for _ in range(depth)])
        self.norm = nn.BatchNorm1d(dim)
        self.out = nn.Linear(dim, 1)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm1d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.stem(x)
        for layer in self.layers:
            x = x + torch.relu(layer(x))
        return self.out(self.norm(x))


def build():
    return ResidualMLP()


def example_inputs():
    return (torch.randn(4, 6),)
