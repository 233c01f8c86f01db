import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x, **kwargs):
        return x * kwargs.get("scale", 2)
