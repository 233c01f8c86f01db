import mindspore
import numpy as np
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        w = mindspore.Tensor(np.ones((2, 3), np.float32))
        return x * w
