import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        xs = [x, x * 2]
        xs.insert(0, x * 3)
        last = xs.pop()
        return last + xs[0]
