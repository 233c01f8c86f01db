import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        if 0 < x.sum() < 100:
            return x * 2
        return x
