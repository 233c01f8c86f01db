import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    @staticmethod
    def double(t):
        return t * 2

    def construct(self, x):
        return self.double(x)
