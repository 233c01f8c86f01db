import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        outs = ()
        for i in range(3):
            outs += (x * i,)
        return ops.stack(outs)
