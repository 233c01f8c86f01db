import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        key = id(x)
        if key > 0:
            return x * 2
        return x
