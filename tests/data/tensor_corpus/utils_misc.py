"""Grab-bag of training utilities: config, registry, EMA, checkpoint averaging, timing."""

import copy
import json
import logging
import sys
import time
from collections import OrderedDict, defaultdict
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from torch import Tensor


class Config(dict):
    """A dict with attribute access and dotted-key helpers."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def flatten(self, prefix: str = "") -> dict:
        flat = {}
        for key, value in self.items():  # other: items
            full = f"{prefix}{key}"
            if isinstance(value, dict):
                flat.update(Config(value).flatten(full + "."))  # other: update flatten
            else:
                flat[full] = value
        return flat

    def copy(self) -> "Config":
        return Config(copy.deepcopy(dict(self)))

    def to(self, path: str) -> None:
        Path(path).write_text(json.dumps(self, indent=2, sort_keys=True))  # other: write_text

    @classmethod
    def load(cls, path: str) -> "Config":
        with open(path) as fh:
            return cls(json.load(fh))


class Registry:
    def __init__(self, name: str):
        self.name = name
        self._items: dict[str, type] = {}

    def register(self, obj=None, *, name: str | None = None):
        def deco(o):
            key = name or o.__name__
            if key in self._items:
                raise KeyError(f"{key} already registered in {self.name}")
            self._items[key] = o
            return o

        return deco(obj) if obj is not None else deco

    def get(self, key: str):
        return self._items[key]

    def build(self, cfg: Config, **kwargs):
        args = cfg.copy()  # other: copy
        kind = args.pop("type")  # other: pop
        return self.get(kind)(**args, **kwargs)  # other: get


MODELS = Registry("models")


@MODELS.register
class TinyMLP(nn.Sequential):
    def __init__(self, in_dim: int = 16, hidden: int = 32, out_dim: int = 2):
        super().__init__(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, out_dim))


class ModelEma:
    def __init__(self, model: nn.Module, decay: float = 0.9998, device=None):
        self.module = copy.deepcopy(model)
        self.module.eval()  # other: eval
        self.decay = decay
        if device is not None:
            self.module.to(device=device)  # other: to
        for p in self.module.parameters():  # other: parameters
            p.requires_grad_(False)  # tensor: requires_grad_

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        msd = model.state_dict()  # other: state_dict
        for k, ema_v in self.module.state_dict().items():  # other: state_dict items
            model_v = msd[k].detach()  # tensor: detach
            if ema_v.dtype.is_floating_point:
                ema_v.mul_(self.decay).add_(model_v, alpha=1.0 - self.decay)  # tensor: mul_ add_
            else:
                ema_v.copy_(model_v)  # tensor: copy_


def average_checkpoints(paths: list[str]) -> OrderedDict:
    avg: OrderedDict = OrderedDict()
    for path in paths:
        state = torch.load(path, map_location="cpu")["model"]
        for k, v in state.items():  # other: items
            if k not in avg:
                avg[k] = v.clone().double()  # tensor: clone double
            else:
                avg[k].add_(v.double())  # tensor: add_ double
    for k, v in avg.items():  # other: items
        avg[k] = v.div_(len(paths)).float()  # tensor: div_ float
    return avg


def tensor_summary(name: str, x: Tensor) -> str:
    xf = x.detach().float()  # tensor: detach float
    numel = x.size().numel()  # tensor: size | other: numel
    nan = xf.isnan().sum().item()  # tensor: isnan sum item
    parts = [
        f"{name}: shape={tuple(x.shape)} numel={numel}",
        f"min={xf.min().item():.4g} max={xf.max().item():.4g}",  # tensor: min item max item
        f"mean={xf.mean().item():.4g} std={xf.std().item():.4g}",  # tensor: mean item std item
        f"nan={nan}",
    ]
    return " ".join(parts)  # other: join


def report_weights(model: nn.Module, log: logging.Logger) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for name, tensor in model.state_dict().items():  # other: state_dict items
        groups[name.split(".")[0]].append(name)  # other: split append
        log.debug(tensor_summary(name, tensor))  # other: debug
    for prefix, names in sorted(groups.items()):  # other: items
        log.info("%-20s %3d tensors", prefix, len(names))  # other: info
    return dict(groups)


def setup_logger(name: str, out_dir: Path | None = None, level=logging.INFO) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.setLevel(level)  # other: setLevel
    fmt = logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(fmt)  # other: setFormatter
    logger.addHandler(handler)  # other: addHandler
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)  # other: mkdir
        fh = logging.FileHandler(out_dir / "log.txt")
        fh.setFormatter(fmt)  # other: setFormatter
        logger.addHandler(fh)  # other: addHandler
    return logger


class CudaTimer:
    def __init__(self):
        self.start = torch.cuda.Event(enable_timing=True)
        self.end = torch.cuda.Event(enable_timing=True)
        self.history: list[float] = []

    def __enter__(self):
        self.start.record()  # other: record
        return self

    def __exit__(self, *exc):
        self.end.record()  # other: record
        self.end.synchronize()  # other: synchronize
        self.history.append(self.start.elapsed_time(self.end))  # other: append elapsed_time
        return False

    def summary(self) -> str:
        arr = np.asarray(self.history)
        return f"{arr.mean():.2f} ms +- {arr.std():.2f}"  # other: mean std


def benchmark(model: nn.Module, shape=(8, 16), steps: int = 20) -> float:
    device = next(model.parameters()).device  # other: parameters
    x = torch.randn(*shape, device=device)
    with torch.no_grad():
        for _ in range(3):
            model(x)
        start = time.perf_counter()
        for _ in range(steps):
            out = model(x)
        out.sum().item()  # tensor: sum item
    return (time.perf_counter() - start) / steps


def to_numpy(x: Tensor) -> np.ndarray:
    return x.detach().cpu().numpy()  # tensor: detach cpu numpy


def confusion_matrix(pred: Tensor, target: Tensor, n: int) -> np.ndarray:
    idx = target.flatten().long() * n + pred.flatten().long()  # tensor: flatten long flatten long
    cm = torch.bincount(idx, minlength=n * n).reshape(n, n)  # tensor: reshape
    arr = to_numpy(cm)
    per_class = arr.diagonal() / arr.sum(axis=1).clip(min=1)  # other: diagonal sum clip
    print("per-class acc", per_class.round(3).tolist())  # other: round tolist
    return arr


if __name__ == "__main__":
    cfg = Config({"model": {"type": "TinyMLP", "hidden": 64}, "lr": 0.01})
    net = MODELS.build(Config(cfg.model))  # other: build
    ema = ModelEma(net, decay=0.99)
    ema.update(net)  # other: update
    cfg.to("config.json")  # other: to
    print(cfg.flatten(), cfg.get("lr"), cfg.copy().keys())  # other: flatten get copy keys
    log = setup_logger("utils")
    print(report_weights(ema.module, log).keys(), benchmark(net))  # other: keys
    cm = confusion_matrix(torch.randint(0, 2, (50,)), torch.randint(0, 2, (50,)), 2)
    print(cm.trace() / cm.sum())  # other: trace sum
