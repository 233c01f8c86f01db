import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        return nn.Dense(3, 3)(x)
