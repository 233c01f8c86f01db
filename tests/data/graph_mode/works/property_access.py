import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    @property
    def scale(self):
        return 2.0

    def construct(self, x):
        return x * self.scale
