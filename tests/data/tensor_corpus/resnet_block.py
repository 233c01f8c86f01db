"""Residual blocks and a small ResNet-style backbone."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


def conv3x3(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, 3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        calls = torch.zeros((), dtype=torch.long)
        self.register_buffer("num_calls", calls, persistent=False)  # other: register_buffer

    def forward(self, x: Tensor) -> Tensor:
        identity = x
        out = self.conv1(x)  # other: conv1
        out = self.relu(self.bn1(out))  # other: relu bn1
        out = self.bn2(self.conv2(out))  # other: bn2 conv2
        if self.downsample is not None:
            identity = self.downsample(x)  # other: downsample
        self.num_calls.add_(1)  # tensor: add_
        out = out.add(identity)  # tensor: add
        return out.relu_()  # tensor: relu_


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, zero_init=False):
        super().__init__()
        width = planes
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.downsample = downsample
        if zero_init:
            self.bn3.weight.data.zero_()  # tensor: zero_
        self.bn3.bias.data.fill_(0.0)  # tensor: fill_

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))  # other: bn1 conv1
        out = F.relu(self.bn2(self.conv2(out)))  # other: bn2 conv2
        out = self.bn3(self.conv3(out))  # other: bn3 conv3
        shortcut = x if self.downsample is None else self.downsample(x)  # other: downsample
        return F.relu(out + shortcut)


class ResNet(nn.Module):
    def __init__(self, block, layers: list[int], num_classes: int = 1000):
        super().__init__()
        self.inplanes = 64
        self.stem = nn.Sequential(
            nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2, padding=1),
        )
        stages = []
        for i, n in enumerate(layers):
            stride = 1 if i == 0 else 2
            stage = self._make_layer(block, 64 * 2**i, n, stride)  # other: _make_layer
            stages.append(stage)  # other: append
        self.stages = nn.ModuleList(stages)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        self._init_weights()  # other: _init_weights

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes))  # other: append
        return nn.Sequential(*layers)

    def _init_weights(self):
        for m in self.modules():  # other: modules
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d | nn.GroupNorm):
                m.weight.data.fill_(1.0)  # tensor: fill_
                m.bias.data.zero_()  # tensor: zero_
            elif isinstance(m, nn.Linear):
                m.weight.data.normal_(0, 0.01)  # tensor: normal_
                if m.bias is not None:
                    m.bias.data.zero_()  # tensor: zero_

    def forward_features(self, x: Tensor) -> list[Tensor]:
        feats = []
        x = self.stem(x)  # other: stem
        for stage in self.stages:
            x = stage(x)
            feats.append(x)  # other: append
        return feats

    def forward(self, x):
        feats = self.forward_features(x)  # other: forward_features
        pooled = self.avgpool(feats[-1]).flatten(1)  # tensor: flatten | other: avgpool
        return self.fc(pooled)  # other: fc


def resnet18(num_classes=1000):
    return ResNet(BasicBlock, [2, 2, 2, 2], num_classes)


def freeze_bn(model: nn.Module) -> None:
    for module in model.modules():  # other: modules
        if isinstance(module, nn.BatchNorm2d):
            module.eval()  # other: eval
            module.weight.requires_grad_(False)  # tensor: requires_grad_
            module.bias.requires_grad_(False)  # tensor: requires_grad_


def count_parameters(model):
    params = list(model.parameters())  # other: parameters
    total = sum(p.numel() for p in params)  # tensor: numel
    trainable = sum(p.numel() for p in params if p.requires_grad)  # tensor: numel
    return total, trainable


def describe_weights(model: ResNet) -> dict[str, tuple[int, ...]]:
    shapes = {}
    for name, param in model.named_parameters():  # other: named_parameters
        if name.endswith("weight"):  # other: endswith
            shapes[name] = tuple(param.size())  # tensor: size
    first = model.stem[0].weight.size()  # tensor: size
    shapes["stem_numel"] = (first.numel(),)  # other: numel
    return shapes


@torch.no_grad()
def extract_embeddings(model: ResNet, images: Tensor, device: torch.device) -> Tensor:
    model.eval()  # other: eval
    model.to(device)  # other: to
    images = images.to(device, non_blocking=True)  # tensor: to
    feats = model.forward_features(images)  # other: forward_features
    pooled = [f.mean(dim=(2, 3)) for f in feats]  # tensor: mean
    emb = torch.cat(pooled, dim=1)
    return F.normalize(emb, dim=1).cpu()  # tensor: cpu


def zero_init_residual(model: ResNet) -> None:
    for stage in model.stages:
        for block in stage.children():  # other: children
            last_bn = block.bn3 if isinstance(block, Bottleneck) else block.bn2
            last_bn.weight.data.zero_()  # tensor: zero_


if __name__ == "__main__":
    net = resnet18(num_classes=10)
    freeze_bn(net)
    zero_init_residual(net)
    dummy = torch.randn(2, 3, 224, 224)
    logits = net(dummy)
    b, c = logits.shape
    print(logits.argmax(dim=1).tolist(), b, c)  # tensor: argmax tolist
    print(describe_weights(net).keys())  # other: keys
