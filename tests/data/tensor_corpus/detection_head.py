"""Anchor-based detection head with a small box container and numpy AP evaluation."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class BoxList:
    """Boxes of one image plus per-box fields, in the style of older detection codebases."""

    def __init__(self, boxes: Tensor, image_size: tuple[int, int], mode: str = "xyxy"):
        self.bbox = boxes
        self.size = image_size
        self.mode = mode
        self.extra_fields: dict[str, Tensor] = {}

    def add_field(self, name: str, value: Tensor) -> None:
        self.extra_fields[name] = value

    def get_field(self, name: str) -> Tensor:
        return self.extra_fields[name]

    def fields(self) -> list[str]:
        return list(self.extra_fields.keys())  # other: keys

    def to(self, device) -> "BoxList":
        out = BoxList(self.bbox.to(device), self.size, self.mode)  # tensor: to
        for k, v in self.extra_fields.items():  # other: items
            out.add_field(k, v.to(device))  # tensor: to | other: add_field
        return out

    def convert(self, mode: str) -> "BoxList":
        if mode == self.mode:
            return self
        x0, y0, a, b = self.bbox.unbind(-1)  # tensor: unbind
        if mode == "xywh":
            boxes = torch.stack([x0, y0, a - x0, b - y0], dim=-1)
        else:
            boxes = torch.stack([x0, y0, x0 + a, y0 + b], dim=-1)
        out = BoxList(boxes, self.size, mode)
        out.extra_fields = self.extra_fields.copy()  # other: copy
        return out

    def area(self) -> Tensor:
        box = self.convert("xyxy").bbox  # other: convert
        widths = (box[:, 2] - box[:, 0]).clamp(min=0)  # tensor: clamp
        return widths * (box[:, 3] - box[:, 1]).clamp(min=0)  # tensor: clamp

    def clip_to_image(self, remove_empty: bool = True) -> "BoxList":
        w, h = self.size
        self.bbox[:, 0::2].clamp_(min=0, max=w - 1)  # tensor: clamp_
        self.bbox[:, 1::2].clamp_(min=0, max=h - 1)  # tensor: clamp_
        if remove_empty:
            keep = (self.bbox[:, 3] > self.bbox[:, 1]) & (self.bbox[:, 2] > self.bbox[:, 0])
            return self[keep.nonzero().squeeze(1)]  # tensor: nonzero squeeze
        return self

    def resize(self, size: tuple[int, int]) -> "BoxList":
        ratios = [float(s) / float(o) for s, o in zip(size, self.size, strict=True)]
        rw, rh = ratios
        scale = self.bbox.new_tensor([rw, rh, rw, rh])  # tensor: new_tensor
        out = BoxList(self.bbox * scale, size, self.mode)
        out.extra_fields = dict(self.extra_fields)
        return out

    def __getitem__(self, item) -> "BoxList":
        out = BoxList(self.bbox[item], self.size, self.mode)
        for k, v in self.extra_fields.items():  # other: items
            out.add_field(k, v[item])  # other: add_field
        return out

    def __len__(self) -> int:
        return self.bbox.shape[0]


def box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    lt = torch.max(boxes1[:, None, :2], boxes2[:, :2])
    rb = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = (rb - lt).clamp(min=0)  # tensor: clamp
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area1[:, None] + area2 - inter).clamp_min(1e-6)  # tensor: clamp_min


def encode(gt: Tensor, anchors: Tensor, weights=(10.0, 10.0, 5.0, 5.0)) -> Tensor:
    wx, wy, ww, wh = weights
    aw = anchors[:, 2] - anchors[:, 0]
    ah = anchors[:, 3] - anchors[:, 1]
    ax = anchors[:, 0] + 0.5 * aw
    ay = anchors[:, 1] + 0.5 * ah
    gw = gt[:, 2] - gt[:, 0]
    gh = gt[:, 3] - gt[:, 1]
    dx = wx * (gt[:, 0] + 0.5 * gw - ax) / aw
    dy = wy * (gt[:, 1] + 0.5 * gh - ay) / ah
    dw = ww * (gw / aw).log()  # tensor: log
    dh = wh * torch.log(gh / ah)
    return torch.stack((dx, dy, dw, dh), dim=1)


class AnchorGenerator(nn.Module):
    def __init__(self, sizes=(32, 64, 128), ratios=(0.5, 1.0, 2.0), stride=16):
        super().__init__()
        self.stride = stride
        base = self.make_cell(sizes, ratios)  # other: make_cell
        self.register_buffer("cell_anchors", base)  # other: register_buffer

    @staticmethod
    def make_cell(sizes, ratios) -> Tensor:
        scales = torch.as_tensor(sizes, dtype=torch.float32)
        aspect = torch.as_tensor(ratios, dtype=torch.float32)
        h_ratios = aspect.sqrt()  # tensor: sqrt
        w_ratios = 1 / h_ratios
        ws = (w_ratios[:, None] * scales[None, :]).view(-1)  # tensor: view
        hs = (h_ratios[:, None] * scales[None, :]).view(-1)  # tensor: view
        return torch.stack([-ws, -hs, ws, hs], dim=1).div(2).round()  # tensor: div round

    def forward(self, feature: Tensor) -> Tensor:
        h, w = feature.shape[-2:]
        device = feature.device
        shifts_x = torch.arange(0, w * self.stride, self.stride, device=device)
        shifts_y = torch.arange(0, h * self.stride, self.stride, device=device)
        sy, sx = torch.meshgrid(shifts_y, shifts_x, indexing="ij")
        sx, sy = sx.reshape(-1), sy.reshape(-1)  # tensor: reshape reshape
        shifts = torch.stack((sx, sy, sx, sy), dim=1).to(self.cell_anchors)  # tensor: to
        anchors = shifts.view(-1, 1, 4) + self.cell_anchors.view(1, -1, 4)  # tensor: view view
        return anchors.reshape(-1, 4)  # tensor: reshape


class RetinaHead(nn.Module):
    def __init__(self, in_channels: int, num_anchors: int, num_classes: int, prior=0.01):
        super().__init__()
        self.num_classes = num_classes
        cls_layers, reg_layers = [], []
        for _ in range(4):
            cls_layers.append(nn.Conv2d(in_channels, in_channels, 3, padding=1))  # other: append
            cls_layers.append(nn.ReLU())  # other: append
            conv = nn.Conv2d(in_channels, in_channels, 3, padding=1)
            reg_layers.extend([conv, nn.ReLU()])  # other: extend
        self.cls_tower = nn.Sequential(*cls_layers)
        self.reg_tower = nn.Sequential(*reg_layers)
        self.cls_logits = nn.Conv2d(in_channels, num_anchors * num_classes, 3, padding=1)
        self.bbox_pred = nn.Conv2d(in_channels, num_anchors * 4, 3, padding=1)
        bias_value = -torch.log(torch.tensor((1 - prior) / prior))
        self.cls_logits.bias.data.fill_(bias_value.item())  # tensor: fill_ item
        for layer in self.cls_tower.modules():  # other: modules
            if isinstance(layer, nn.Conv2d):
                layer.weight.data.normal_(std=0.01)  # tensor: normal_

    def forward(self, features: list[Tensor]) -> tuple[Tensor, Tensor]:
        all_logits, all_deltas = [], []
        for feat in features:
            n, _, h, w = feat.shape
            logits = self.cls_logits(self.cls_tower(feat))  # other: cls_logits cls_tower
            logits = logits.view(n, -1, self.num_classes, h, w)  # tensor: view
            logits = logits.permute(0, 3, 4, 1, 2)  # tensor: permute
            all_logits.append(logits.flatten(1, 3))  # tensor: flatten | other: append
            deltas = self.bbox_pred(self.reg_tower(feat))  # other: bbox_pred reg_tower
            deltas = deltas.view(n, -1, 4, h, w).permute(0, 3, 4, 1, 2)  # tensor: view permute
            deltas = deltas.reshape(n, -1, 4)  # tensor: reshape
            all_deltas.append(deltas)  # other: append
        return torch.cat(all_logits, dim=1), torch.cat(all_deltas, dim=1)


def sigmoid_focal_loss(logits: Tensor, targets: Tensor, alpha=0.25, gamma=2.0) -> Tensor:
    p = logits.sigmoid()  # tensor: sigmoid
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * (1 - p_t).pow(gamma)  # tensor: pow
    alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
    return (alpha_t * loss).sum()  # tensor: sum


def match_anchors(anchors: Tensor, targets: list[dict[str, Tensor]], fg_iou=0.5, bg_iou=0.4):
    matched = []
    for target in targets:
        boxes = target["boxes"]
        if boxes.numel() == 0:  # tensor: numel
            empty = anchors.new_full((anchors.size(0),), -1).long()  # tensor: new_full size long
            matched.append(empty)  # other: append
            continue
        iou = box_iou(boxes, anchors)
        best_iou, best_idx = iou.max(dim=0)  # tensor: max
        best_idx[best_iou < bg_iou] = -1
        best_idx[(best_iou >= bg_iou) & (best_iou < fg_iou)] = -2
        matched.append(best_idx)  # other: append
    return matched


def average_precision(scores: np.ndarray, is_tp: np.ndarray, num_gt: int) -> float:
    order = scores.argsort()[::-1]  # other: argsort
    tp = is_tp[order].astype(np.float64).cumsum()  # other: astype cumsum
    fp = (1 - is_tp[order]).cumsum()  # other: cumsum
    recall = tp / max(num_gt, 1)
    precision = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    for i in range(precision.size - 1, 0, -1):
        precision[i - 1] = max(precision[i - 1], precision[i])
    idx = np.where(recall[1:] != recall[:-1])[0]
    return float(((recall[idx + 1] - recall[idx]) * precision[idx + 1]).sum())  # other: sum


def move_target(target: dict[str, Tensor], device) -> dict[str, Tensor]:
    return {k: v.to(device) for k, v in target.items()}  # tensor: to | other: items


@torch.no_grad()
def evaluate(model: nn.Module, loader, device, iou_thr: float = 0.5) -> float:
    model.eval()  # other: eval
    all_scores, all_tp, num_gt = [], [], 0
    for images, targets in loader:
        images = [img.to(device) for img in images]  # tensor: to
        targets = [move_target(t, device) for t in targets]
        outputs = model(images)
        for out, tgt in zip(outputs, targets, strict=True):
            num_gt += len(tgt["boxes"])
            if out["boxes"].shape[0] == 0:
                continue
            iou = box_iou(out["boxes"], tgt["boxes"])
            hit = iou.max(dim=1).values.ge(iou_thr)  # tensor: max ge
            all_scores.append(out["scores"].cpu().numpy())  # tensor: cpu numpy | other: append
            all_tp.append(hit.cpu().numpy())  # tensor: cpu numpy | other: append
    if not all_scores:
        return 0.0
    return average_precision(np.concatenate(all_scores), np.concatenate(all_tp), num_gt)


def postprocess(boxes: Tensor, scores: Tensor, image_size, out_size, device) -> BoxList:
    result = BoxList(boxes, image_size)
    result.add_field("scores", scores)  # other: add_field
    result = result.to(device).clip_to_image()  # other: to clip_to_image
    small = result.area() < 16  # other: area
    result = result[small.logical_not()]  # tensor: logical_not
    result = result.resize(out_size).convert("xywh")  # other: resize convert
    top = result.get_field("scores").argsort()[-100:]  # tensor: argsort | other: get_field
    return result[top]
