import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        i = 0
        while True:
            i += 1
            if i > 3:
                break
            x = x * 2
        return x
