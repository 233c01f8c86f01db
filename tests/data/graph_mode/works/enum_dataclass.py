import mindspore
from mindspore import nn, ops


import dataclasses
import enum


class Mode(enum.Enum):
    TRAIN = 1


@dataclasses.dataclass
class Cfg:
    scale: float = 2.0
    mode: Mode = Mode.TRAIN


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.cfg = Cfg()

    def construct(self, x):
        if self.cfg.mode == Mode.TRAIN:
            return x * self.cfg.scale
        return x
