import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        parts = tuple(x * i for i in range(3))
        return ops.stack(parts)
