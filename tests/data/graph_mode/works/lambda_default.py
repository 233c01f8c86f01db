import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        f = lambda t, k=3: t * k  # noqa: E731
        return f(x)
