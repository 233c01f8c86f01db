import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        for _ in range(10):
            if x.sum() > 100:
                break
            x = x * 2
        return x
