import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        tag = "rows={}".format(x.shape[0])
        if tag == "rows=2":
            return x * 2
        return x
