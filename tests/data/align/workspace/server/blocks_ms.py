from mindspore import nn


class Block(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Dense(6, 6)
        self.act = nn.Tanh()

    def construct(self, x):
        return self.act(self.fc(x))
