import mindspore
from mindspore import nn, ops


SCALE = 2.0


class Net(nn.Cell):
    def construct(self, x):
        global SCALE
        return x * SCALE
