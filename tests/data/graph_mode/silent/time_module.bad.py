import mindspore
from mindspore import nn, ops


import time


class Net(nn.Cell):
    def construct(self, x):
        start = time.time()
        y = x * 2
        print("took", time.time() - start)
        return y
