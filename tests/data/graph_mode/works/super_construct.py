import mindspore
from mindspore import nn, ops


class Base(nn.Cell):
    def construct(self, x):
        return x + 1


class Net(Base):
    def construct(self, x):
        return super().construct(x) * 2
