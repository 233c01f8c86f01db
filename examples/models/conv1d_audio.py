"""A 1-d convolutional classifier over audio-like sequences: Conv1d, BatchNorm1d, pooling."""

import torch
import torch.nn as nn


class AudioNet(nn.Module):
    def __init__(self, channels: int = 2, classes: int = 4) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(channels, 8, kernel_size=5, padding=2),
            nn.BatchNorm1d(8),
            nn.ReLU(),
            nn.MaxPool1d(2),
            nn.Conv1d(8, 16, kernel_size=3, padding=1),
            nn.ReLU(),
        )
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.head = nn.Linear(16, classes)

    def forward(self, x):
        x = self.pool(self.features(x)).squeeze(-1)
        return self.head(x)


def build():
    return AudioNet()


def example_inputs():
    return (torch.randn(3, 2, 32),)
