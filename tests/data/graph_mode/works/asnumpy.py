import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        a = x.asnumpy()
        return mindspore.Tensor(a * 2)
