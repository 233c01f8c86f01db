import mindspore
from mindspore import nn, ops


import functools


def twice(f):
    @functools.wraps(f)
    def wrapper(t):
        return f(f(t))

    return wrapper


class Net(nn.Cell):
    def construct(self, x):
        @twice
        def inc(t):
            return t + 1

        return inc(x)
