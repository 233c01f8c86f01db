import mindspore
from mindspore import nn, ops


class Net(nn.Cell):
    def construct(self, x):
        name = f"rows_{x.shape[0]}"
        if name == "rows_2":
            return x * 2
        return x
