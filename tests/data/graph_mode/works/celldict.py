import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.heads = nn.CellDict({"a": nn.Dense(3, 3), "b": nn.Dense(3, 3)})

    def construct(self, x):
        return self.heads["a"](x) + self.heads["b"](x)
