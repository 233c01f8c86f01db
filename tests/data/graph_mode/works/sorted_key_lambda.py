import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        parts = sorted([x * 3, x, x * 2], key=lambda t: t.sum())
        return parts[0]
