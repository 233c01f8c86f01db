import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        print(f"x is {x} with shape {x.shape}")
        return x * 2
