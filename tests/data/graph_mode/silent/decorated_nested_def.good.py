import mindspore
from mindspore import nn, ops


def twice(f):
    def wrapper(t):
        return f(f(t))

    return wrapper


class Net(nn.Cell):
    def construct(self, x):
        def inc(t):
            return t + 1

        inc2 = twice(inc)
        return inc2(x)
