import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        d = {"a": x}
        d.update({"b": x * 2})
        out = x
        for k, v in d.items():
            out = out + v
        return out
