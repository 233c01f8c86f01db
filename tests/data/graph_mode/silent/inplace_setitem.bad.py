import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        x[0] = 5.0
        return x * 2
