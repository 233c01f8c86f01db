import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        return x * 2, x.shape[0]
