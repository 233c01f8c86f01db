import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        m = max(x.shape)
        if all([x.shape[0] > 0, x.shape[1] > 0]) and any([m > 1]):
            return x * m
        return x
