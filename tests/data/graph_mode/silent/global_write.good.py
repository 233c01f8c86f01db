import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.calls = mindspore.Parameter(mindspore.Tensor(0, mindspore.int32), name="calls")

    def construct(self, x):
        self.calls += 1
        return x * 2
