import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc0 = nn.Dense(3, 3)
        self.fc1 = nn.Dense(3, 3)

    def construct(self, x):
        for i in range(2):
            x = getattr(self, "fc" + str(i))(x)
        return x
