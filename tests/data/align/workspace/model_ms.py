from mindspore import nn

import server
from server.blocks_ms import Block

assert server.WHOSE == "user"


class Model(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.block = Block()
        self.out = nn.Dense(6, 2)

    def construct(self, x):
        return self.out(self.block(x))
