"""Shape specs for export, a hand-written batch norm, and TorchScript / ONNX export checks."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn as nn
from torch import Tensor


@dataclass(frozen=True)
class TensorSpec:
    """Symbolic description of an input: shape (-1 = dynamic), dtype name, layout."""

    shape: tuple[int, ...]
    dtype: str = "float32"
    layout: str = "NCHW"

    @classmethod
    def from_tensor(cls, x: Tensor, dynamic_batch: bool = True) -> TensorSpec:
        dims = list(x.size())  # tensor: size
        if dynamic_batch:
            dims[0] = -1
        return cls(tuple(dims), str(x.dtype).removeprefix("torch."))  # other: removeprefix

    def size(self, dim: int | None = None):
        return self.shape if dim is None else self.shape[dim]

    def numel(self) -> int:
        return math.prod(d for d in self.shape if d > 0)

    def view(self, *shape: int) -> TensorSpec:
        return replace(self, shape=tuple(shape))

    def permute(self, *order: int) -> TensorSpec:
        layout = "".join(self.layout[i] for i in order)  # other: join
        return replace(self, shape=tuple(self.shape[i] for i in order), layout=layout)

    def expand(self, batch: int) -> TensorSpec:
        return replace(self, shape=(batch, *self.shape[1:]))

    def example(self, batch: int = 1) -> Tensor:
        concrete = self.expand(batch).shape  # other: expand
        return torch.randn(concrete, dtype=getattr(torch, self.dtype))


class ManualBatchNorm2d(nn.Module):
    def __init__(self, num_features: int, momentum: float = 0.1, eps: float = 1e-5):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))  # other: register_buffer
        self.register_buffer("running_var", torch.ones(num_features))  # other: register_buffer
        self.register_buffer("num_batches", torch.tensor(0))  # other: register_buffer

    def forward(self, x: Tensor) -> Tensor:
        if self.training:
            mean = x.mean(dim=(0, 2, 3))  # tensor: mean
            var = x.var(dim=(0, 2, 3), unbiased=False)  # tensor: var
            n = x.numel() / x.size(1)  # tensor: numel size
            m = self.momentum
            with torch.no_grad():
                self.running_mean.mul_(1 - m).add_(m * mean)  # tensor: mul_ add_
                self.running_var.lerp_(var * n / (n - 1), m)  # tensor: lerp_
                self.num_batches.add_(1)  # tensor: add_
        else:
            mean, var = self.running_mean, self.running_var
        scale = self.weight * (var + self.eps).rsqrt()  # tensor: rsqrt
        shift = self.bias - mean * scale
        return x * scale.view(1, -1, 1, 1) + shift.reshape(1, -1, 1, 1)  # tensor: view reshape

    def fuse_into(self, conv: nn.Conv2d) -> nn.Conv2d:
        std = self.running_var.add(self.eps).sqrt()  # tensor: add sqrt
        factor = self.weight.div(std)  # tensor: div
        fused = nn.Conv2d(
            conv.in_channels,
            conv.out_channels,
            conv.kernel_size,
            stride=conv.stride,
            padding=conv.padding,
            bias=True,
        )
        fused.weight.data.copy_(conv.weight * factor.reshape(-1, 1, 1, 1))  # tensor: copy_ reshape
        base = conv.bias if conv.bias is not None else torch.zeros_like(self.running_mean)
        fused.bias.data.copy_((base - self.running_mean) * factor + self.bias)  # tensor: copy_
        return fused


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn = ManualBatchNorm2d(16)
        self.fc = nn.Linear(16, 4)

    def forward(self, x: Tensor) -> Tensor:
        y = self.bn(self.conv(x)).relu()  # tensor: relu | other: bn conv
        return self.fc(y.mean(dim=(2, 3)))  # tensor: mean | other: fc


def export_all(model: nn.Module, spec: TensorSpec, path_stem: str) -> dict[str, str]:
    model = model.cpu().eval()  # other: cpu eval
    example = spec.example(batch=2)  # other: example
    traced = torch.jit.trace(model, example.clone())  # tensor: clone
    traced.save(f"{path_stem}.pt")  # other: save
    frozen = torch.jit.freeze(torch.jit.script(model).eval())  # other: eval
    print(frozen.code.splitlines()[0])  # other: splitlines
    torch.onnx.export(
        model,
        (example,),
        f"{path_stem}.onnx",
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    )
    reference = model(example).detach().numpy()  # tensor: detach numpy
    again = traced(example).detach().numpy()  # tensor: detach numpy
    np.testing.assert_allclose(reference, again, rtol=1e-4, atol=1e-5)
    diff = np.abs(reference - again).max()  # other: max
    layout = spec.permute(0, 2, 3, 1).layout  # other: permute
    return {"torchscript": f"{path_stem}.pt", "layout": layout, "max_diff": f"{diff:.2e}"}


def check_specs(model: nn.Module, x: Tensor) -> None:
    spec = TensorSpec.from_tensor(x)  # other: from_tensor
    flat = spec.view(-1, spec.numel())  # other: view numel
    assert flat.size(1) == x[0].numel(), (flat, x.shape)  # tensor: numel | other: size
    assert spec.size()[1:] == x.size()[1:]  # tensor: size | other: size
    out = model(spec.expand(x.size(0)).example())  # tensor: size | other: expand example
    print(out.size(), out.size().numel())  # tensor: size size | other: numel


if __name__ == "__main__":
    net = SmallNet()
    net.train()  # other: train
    for _ in range(3):
        net(torch.randn(8, 3, 16, 16)).sum().backward()  # tensor: sum backward
    net.eval()  # other: eval
    net.conv = net.bn.fuse_into(net.conv)  # other: fuse_into
    net.bn = nn.Identity()
    check_specs(net, torch.randn(2, 3, 16, 16))
    print(export_all(net, TensorSpec((1, 3, 16, 16)), "/tmp/smallnet"))
