"""Loss functions: label smoothing, contrastive, triplet mining, distillation, center loss."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class LabelSmoothingCrossEntropy(nn.Module):
    def __init__(self, smoothing: float = 0.1):
        super().__init__()
        self.smoothing = smoothing
        self.confidence = 1.0 - smoothing

    def forward(self, x: Tensor, target: Tensor) -> Tensor:
        logprobs = x.log_softmax(dim=-1)  # tensor: log_softmax
        index = target.unsqueeze(1)  # tensor: unsqueeze
        nll = -logprobs.gather(dim=-1, index=index).squeeze(1)  # tensor: gather squeeze
        smooth = -logprobs.mean(dim=-1)  # tensor: mean
        return (self.confidence * nll + self.smoothing * smooth).mean()  # tensor: mean


class SoftTargetCrossEntropy(nn.Module):
    def forward(self, x: Tensor, target: Tensor) -> Tensor:
        loss = torch.sum(-target * F.log_softmax(x, dim=-1), dim=-1)
        return loss.mean()  # tensor: mean


def info_nce(query: Tensor, keys: Tensor, temperature: float = 0.07) -> Tensor:
    q = F.normalize(query, dim=1)
    k = F.normalize(keys, dim=1)
    logits = q.mm(k.t()).div(temperature)  # tensor: mm t div
    labels = torch.arange(q.size(0), device=q.device)  # tensor: size
    return F.cross_entropy(logits, labels)


def supcon_loss(features: Tensor, labels: Tensor, temperature: float = 0.1) -> Tensor:
    features = F.normalize(features.flatten(1), dim=-1)  # tensor: flatten
    n = features.shape[0]
    sim = features @ features.T
    self_mask = torch.eye(n, dtype=torch.bool, device=features.device)
    pos_mask = labels.view(-1, 1).eq(labels.view(1, -1)) & ~self_mask  # tensor: view eq view
    sim = sim.masked_fill(self_mask, -1e9).div(temperature)  # tensor: masked_fill div
    log_prob = sim - sim.logsumexp(dim=1, keepdim=True)  # tensor: logsumexp
    pos_count = pos_mask.sum(1).clamp(min=1)  # tensor: sum clamp
    mean_log_pos = (log_prob * pos_mask).sum(1) / pos_count  # tensor: sum
    return -mean_log_pos[pos_mask.any(1)].mean()  # tensor: any mean


def pairwise_distance(x: Tensor, squared: bool = False) -> Tensor:
    dot = x.matmul(x.t())  # tensor: matmul t
    sq = dot.diagonal()  # tensor: diagonal
    dist = sq.unsqueeze(0) - 2.0 * dot + sq.unsqueeze(1)  # tensor: unsqueeze unsqueeze
    dist = dist.clamp_min_(0.0)  # tensor: clamp_min_
    if squared:
        return dist
    zero = dist.eq(0).float()  # tensor: eq float
    return (dist + zero * 1e-16).sqrt_() * (1.0 - zero)  # tensor: sqrt_


def batch_hard_triplet(embeddings: Tensor, labels: Tensor, margin: float = 0.3) -> Tensor:
    dist = pairwise_distance(embeddings)
    same = labels.unsqueeze(0) == labels.unsqueeze(1)  # tensor: unsqueeze unsqueeze
    hardest_pos = (dist * same.float()).max(dim=1, keepdim=True).values  # tensor: float max
    max_dist = dist.max(dim=1, keepdim=True)[0]  # tensor: max
    hardest_neg = (dist + max_dist * same.float()).min(dim=1, keepdim=True)[0]  # tensor: float min
    return F.relu(hardest_pos - hardest_neg + margin).mean()  # tensor: mean


def distillation_loss(student: Tensor, teacher: Tensor, target: Tensor, t=4.0, alpha=0.9):
    soft_student = F.log_softmax(student / t, dim=1)
    soft_teacher = teacher.detach().div(t).softmax(dim=1)  # tensor: detach div softmax
    kd = F.kl_div(soft_student, soft_teacher, reduction="batchmean").mul(t * t)  # tensor: mul
    ce = F.cross_entropy(student, target)
    return kd.mul(alpha).add(ce, alpha=1 - alpha)  # tensor: mul add


class CenterLoss(nn.Module):
    def __init__(self, num_classes: int, feat_dim: int):
        super().__init__()
        self.centers = nn.Parameter(torch.randn(num_classes, feat_dim))
        self.register_buffer("counts", torch.zeros(num_classes))  # other: register_buffer

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        centers = self.centers.index_select(0, labels)  # tensor: index_select
        with torch.no_grad():
            ones = torch.ones_like(labels, dtype=self.counts.dtype)
            self.counts.index_add_(0, labels, ones)  # tensor: index_add_
        return (x - centers).pow(2).sum(dim=1).mean() / 2  # tensor: pow sum mean

    def extra_repr(self) -> str:
        return "num_classes={}, feat_dim={}".format(*self.centers.shape)  # other: format


class OhemCrossEntropy(nn.Module):
    def __init__(self, thresh: float = 0.7, min_kept: int = 100_000, ignore_index: int = 255):
        super().__init__()
        self.thresh = -torch.log(torch.tensor(thresh)).item()  # tensor: item
        self.min_kept = min_kept
        self.criterion = nn.CrossEntropyLoss(ignore_index=ignore_index, reduction="none")

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        pixel_losses = self.criterion(logits, target)  # other: criterion
        pixel_losses = pixel_losses.contiguous().view(-1)  # tensor: contiguous view
        valid = target.view(-1).ne(self.criterion.ignore_index)  # tensor: view ne
        pixel_losses = pixel_losses[valid]
        sorted_losses, _ = pixel_losses.sort(descending=True)  # tensor: sort
        k = min(self.min_kept, sorted_losses.numel() - 1)  # tensor: numel
        threshold = self.thresh
        if k >= 0:
            threshold = max(sorted_losses[k].item(), threshold)  # tensor: item
        return pixel_losses[pixel_losses.ge(threshold)].mean()  # tensor: ge mean


def giou_loss(pred: Tensor, target: Tensor, eps: float = 1e-7) -> Tensor:
    px1, py1, px2, py2 = pred.unbind(dim=-1)  # tensor: unbind
    tx1, ty1, tx2, ty2 = target.unbind(dim=-1)  # tensor: unbind
    inter_w = (torch.min(px2, tx2) - torch.max(px1, tx1)).clamp(min=0)  # tensor: clamp
    inter_h = (torch.min(py2, ty2) - torch.max(py1, ty1)).clamp(min=0)  # tensor: clamp
    inter = inter_w * inter_h
    union = (px2 - px1) * (py2 - py1) + (tx2 - tx1) * (ty2 - ty1) - inter
    iou = inter / union.add(eps)  # tensor: add
    cw = torch.max(px2, tx2) - torch.min(px1, tx1)
    ch = torch.max(py2, ty2) - torch.min(py1, ty1)
    hull = cw * ch + eps
    return (1 - iou + (hull - union) / hull).mean()  # tensor: mean


class WeightedLossSum(nn.Module):
    """Combine named losses; weights may be changed between epochs."""

    def __init__(self, weights: dict[str, float]):
        super().__init__()
        self.weights = dict(weights)

    def forward(self, losses: dict[str, Tensor]) -> tuple[Tensor, dict[str, float]]:
        missing = set(self.weights).difference(losses)  # other: difference
        if missing:
            raise KeyError(", ".join(sorted(missing)))  # other: join
        total = sum(self.weights[k] * v for k, v in losses.items())  # other: items
        named = losses.items()  # other: items
        logs = {n: t.detach().item() for n, t in named}  # tensor: detach item
        logs["total"] = total.item()  # tensor: item
        return total, logs

    def update(self, **new_weights: float) -> None:
        self.weights.update(new_weights)  # other: update


if __name__ == "__main__":
    feats = torch.randn(16, 32, requires_grad=True)
    labels = torch.randint(0, 4, (16,))
    combo = WeightedLossSum({"triplet": 1.0, "center": 0.01, "supcon": 0.5})
    center = CenterLoss(4, 32)
    parts = {
        "triplet": batch_hard_triplet(feats, labels),
        "center": center(feats, labels),
        "supcon": supcon_loss(feats, labels),
    }
    loss, logs = combo(parts)
    loss.backward()  # tensor: backward
    combo.update(center=0.0)  # other: update
    print(feats.grad.norm().item(), logs.get("total"))  # tensor: norm item | other: get
    peak = center.centers.grad.abs().max()  # tensor: abs max
    print(center.extra_repr(), peak)  # other: extra_repr
