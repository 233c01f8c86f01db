"""A small image classifier: conv, BatchNorm, ReLU and pooling blocks, then a linear head."""

import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_CLASSES = 5


class ConvBlock(nn.Module):
    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel_size=3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)


class SmallCNN(nn.Module):
    def __init__(self, num_classes: int = NUM_CLASSES) -> None:
        super().__init__()
        self.block1 = ConvBlock(3, 8)
        self.block2 = ConvBlock(8, 16)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)
        self.dropout = nn.Dropout(p=0.25)
        self.fc = nn.Linear(16 * 4 * 4, num_classes)

    def forward(self, x):
        x = self.block2(self.block1(x))
        x = self.pool(x)
        x = torch.flatten(x, 1)
        return self.fc(self.dropout(x))


def build():
    return SmallCNN()


def example_inputs():
    return (torch.randn(2, 3, 32, 32),)
