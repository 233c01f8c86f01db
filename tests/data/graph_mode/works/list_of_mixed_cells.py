import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.layers = [nn.Dense(3, 3), nn.ReLU()]

    def construct(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
