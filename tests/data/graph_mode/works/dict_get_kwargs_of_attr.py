import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.opts = {"scale": 2.0}

    def construct(self, x):
        return x * self.opts.get("scale", 1.0)
