import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def scale(self, t, factor=1):
        return t * factor

    def construct(self, x):
        kw = {"factor": 2}
        return self.scale(x, **kw)
