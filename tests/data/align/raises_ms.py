"""A MindSpore counterpart of raises_torch.py (the torch side fails first)."""

from mindspore import nn


class Broken(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Dense(4, 4)

    def construct(self, x):
        return self.fc(x)


def make_net():
    return Broken()
