import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        d = {k: x * i for i, k in enumerate(["a", "b"])}
        return d["a"] + d["b"]
