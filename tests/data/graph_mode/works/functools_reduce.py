import mindspore
from mindspore import nn, ops


import functools


class Net(nn.Cell):
    def construct(self, x):
        return functools.reduce(lambda a, b: a + b, [x, x, x])
