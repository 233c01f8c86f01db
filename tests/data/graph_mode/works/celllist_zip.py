import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.a = nn.CellList([nn.Dense(3, 3), nn.Dense(3, 3)])
        self.b = nn.CellList([nn.Dense(3, 3), nn.Dense(3, 3)])

    def construct(self, x):
        for la, lb in zip(self.a, self.b):
            x = la(x) + lb(x)
        return x
