import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def twice(self, x, n):
        if n == 0:
            return x
        return self.twice(x * 2, n - 1)

    def construct(self, x):
        return self.twice(x, 3)
