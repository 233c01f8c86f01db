import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        if x.shape[0] == 2:
            return x * 2
        return x
