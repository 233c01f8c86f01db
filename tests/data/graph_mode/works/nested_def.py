import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        k = 3

        def inner(t):
            return t * k

        return inner(x)
