import mindspore
from mindspore import nn, ops


class Block(nn.Cell):
    def construct(self, x):
        return x * 2


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.block = Block()

    def construct(self, x):
        if isinstance(self.block, Block):
            return self.block(x)
        return x
