"""The port with an injected fault: blocks.1.act is a Sigmoid, not a ReLU."""

import mindspore
from mindspore import nn, ops


class Block(nn.Cell):
    def __init__(self, channels: int, act=nn.ReLU) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, pad_mode="pad", padding=1, has_bias=True)
        self.act = act()

    def construct(self, x):
        return self.act(self.conv(x)) + x


class TinyNet(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, pad_mode="pad", padding=1, has_bias=False)
        self.bn = nn.BatchNorm2d(8, momentum=0.9)
        self.blocks = nn.SequentialCell([Block(8), Block(8, nn.Sigmoid)])
        self.head = nn.Dense(8, 4)

    def construct(self, x):
        x = ops.relu(self.bn(self.stem(x)))
        x = self.blocks(x)
        x = x.mean(axis=(2, 3))
        return self.head(x)


def make_net() -> TinyNet:
    return TinyNet()


def loss_fn(output, target):
    return ops.cross_entropy(output, target)


def make_optimizer(params):
    return mindspore.experimental.optim.SGD(params, lr=0.05, momentum=0.9)


def make_scheduler(optimizer):
    return mindspore.experimental.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
