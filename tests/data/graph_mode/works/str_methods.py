import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.act = "gelu_new"

    def construct(self, x):
        if self.act.startswith("gelu"):
            return ops.gelu(x)
        return x
