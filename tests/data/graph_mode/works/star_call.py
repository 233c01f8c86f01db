import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def add(self, a, b):
        return a + b

    def construct(self, x):
        args = (x, x)
        return self.add(*args)
