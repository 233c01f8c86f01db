"""A two-level U-Net: downsampling convs, bilinear upsampling, skip concatenation."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def double_conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1),
        nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1),
        nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    def __init__(self, channels: int = 3, classes: int = 2) -> None:
        super().__init__()
        self.down1 = double_conv(channels, 8)
        self.down2 = double_conv(8, 16)
        self.up = double_conv(16 + 8, 8)
        self.head = nn.Conv2d(8, classes, kernel_size=1)

    def forward(self, x):
        skip = self.down1(x)
        x = self.down2(F.max_pool2d(skip, 2))
        x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        x = torch.cat([x, skip], dim=1)
        return self.head(self.up(x))


def build():
    return UNet()


def example_inputs():
    return (torch.randn(1, 3, 16, 16),)
