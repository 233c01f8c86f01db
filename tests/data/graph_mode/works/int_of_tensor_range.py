import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        n = int(x.sum())
        for _ in range(n):
            x = x + 1
        return x
