import mindspore
from mindspore import nn, ops


def twice(f):
    def wrapper(t):
        return f(f(t))

    return wrapper


@twice
def inc(t):
    return t + 1


class Net(nn.Cell):
    def construct(self, x):
        return inc(x)
