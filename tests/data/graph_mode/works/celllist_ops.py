import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.layers = nn.CellList([nn.Dense(3, 3), nn.Dense(3, 3), nn.Dense(3, 3)])

    def construct(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x) + i
        x = self.layers[-1](x)
        for layer in self.layers[:2]:
            x = layer(x)
        return x * len(self.layers)
