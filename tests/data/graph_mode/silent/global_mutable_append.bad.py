import mindspore
from mindspore import nn, ops


SEEN = []


class Net(nn.Cell):
    def construct(self, x):
        SEEN.append(x.shape[0])
        return x * 2
