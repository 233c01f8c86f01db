import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        first, *rest = (x, x * 2, x * 3)
        return first + rest[0] + rest[1]
