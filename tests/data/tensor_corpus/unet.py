"""2-D U-Net for segmentation, with Dice loss and sliding-window inference."""

import logging

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torch.utils.checkpoint import checkpoint

logger = logging.getLogger(__name__)


class DoubleConv(nn.Sequential):
    def __init__(self, in_ch: int, out_ch: int, mid_ch: int | None = None):
        mid_ch = mid_ch or out_ch
        super().__init__(
            nn.Conv2d(in_ch, mid_ch, 3, padding=1, bias=False),
            nn.BatchNorm2d(mid_ch),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_ch, out_ch, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_ch),
            nn.ReLU(inplace=True),
        )


class Up(nn.Module):
    def __init__(self, in_ch: int, out_ch: int, bilinear: bool = True):
        super().__init__()
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
            self.conv = DoubleConv(in_ch, out_ch, in_ch // 2)
        else:
            self.up = nn.ConvTranspose2d(in_ch, in_ch // 2, 2, stride=2)
            self.conv = DoubleConv(in_ch, out_ch)

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        x1 = self.up(x1)  # other: up
        dy = x2.size(2) - x1.size(2)  # tensor: size size
        dx = x2.size()[3] - x1.size()[3]  # tensor: size size
        x1 = F.pad(x1, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
        return self.conv(torch.cat([x2, x1], dim=1))  # other: conv


class UNet(nn.Module):
    def __init__(self, n_channels=3, n_classes=2, base=64, depth=4, bilinear=True):
        super().__init__()
        self.n_classes = n_classes
        self.inc = DoubleConv(n_channels, base)
        self.downs = nn.ModuleList()
        ch = base
        for _ in range(depth):
            factor = 2 if bilinear and _ == depth - 1 else 1
            block = nn.Sequential(nn.MaxPool2d(2), DoubleConv(ch, ch * 2 // factor))
            self.downs.append(block)  # other: append
            ch *= 2
        self.ups = nn.ModuleList()
        for i in range(depth):
            factor = 2 if bilinear and i < depth - 1 else 1
            self.ups.append(Up(ch, ch // 2 // factor, bilinear))  # other: append
            ch //= 2
        self.outc = nn.Conv2d(base, n_classes, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        skips = [self.inc(x)]  # other: inc
        for down in self.downs:
            skips.append(down(skips[-1]))  # other: append
        x = skips.pop()  # other: pop
        for up in self.ups:
            x = up(x, skips.pop())  # other: pop
        return self.outc(x)  # other: outc

    def forward_checkpointed(self, x: Tensor) -> Tensor:
        skips = [checkpoint(self.inc, x, use_reentrant=False)]
        for down in self.downs:
            skips.append(checkpoint(down, skips[-1], use_reentrant=False))  # other: append
        x = skips.pop()  # other: pop
        for up in self.ups:
            x = up(x, skips.pop())  # other: pop
        return self.outc(x)  # other: outc


def dice_coeff(pred: Tensor, target: Tensor, eps: float = 1e-6) -> Tensor:
    dims = (-1, -2) if pred.dim() == 3 else (-1, -2, -3)  # tensor: dim
    inter = 2 * (pred * target).sum(dim=dims)  # tensor: sum
    sets_sum = pred.sum(dim=dims) + target.sum(dim=dims)  # tensor: sum sum
    sets_sum = torch.where(sets_sum == 0, inter, sets_sum)
    return ((inter + eps) / (sets_sum + eps)).mean()  # tensor: mean


def multiclass_dice(logits: Tensor, mask: Tensor, num_classes: int) -> Tensor:
    probs = logits.softmax(dim=1).float()  # tensor: softmax float
    onehot = F.one_hot(mask.long(), num_classes)  # tensor: long
    onehot = onehot.permute(0, 3, 1, 2).float()  # tensor: permute float
    return dice_coeff(probs.flatten(0, 1), onehot.flatten(0, 1))  # tensor: flatten flatten


class DiceCELoss(nn.Module):
    def __init__(self, num_classes: int, ce_weight: Tensor | None = None, dice_weight=1.0):
        super().__init__()
        self.num_classes = num_classes
        self.dice_weight = dice_weight
        self.ce = nn.CrossEntropyLoss(weight=ce_weight, ignore_index=255)

    def forward(self, logits: Tensor, mask: Tensor) -> Tensor:
        valid = mask.ne(255)  # tensor: ne
        ce = self.ce(logits, mask)  # other: ce
        clean = mask.masked_fill(~valid, 0)  # tensor: masked_fill
        logits = logits * valid.unsqueeze(1)  # tensor: unsqueeze
        dice = multiclass_dice(logits, clean, self.num_classes)
        return ce + self.dice_weight * (1 - dice)


@torch.inference_mode()
def sliding_window(model: nn.Module, image: Tensor, window: int = 256, overlap=0.25) -> Tensor:
    model.eval()  # other: eval
    c, h, w = image.shape[-3:]
    stride = int(window * (1 - overlap))
    out = image.new_zeros((1, model.n_classes, h, w))  # tensor: new_zeros
    count = image.new_zeros((1, 1, h, w))  # tensor: new_zeros
    batch = image.unsqueeze(0) if image.dim() == 3 else image  # tensor: unsqueeze dim
    for top in range(0, max(h - window, 0) + 1, stride):
        for left in range(0, max(w - window, 0) + 1, stride):
            crop = batch[..., top : top + window, left : left + window]
            logits = model(crop.contiguous())  # tensor: contiguous
            out[..., top : top + window, left : left + window].add_(logits)  # tensor: add_
            count[..., top : top + window, left : left + window] += 1
    probs = out.div(count.clamp(min=1)).softmax(1)  # tensor: div clamp softmax
    return probs.argmax(1).squeeze(0).byte()  # tensor: argmax squeeze byte


def log_prediction_stats(pred: Tensor, class_names: list[str]) -> dict[str, float]:
    counts = torch.bincount(pred.flatten(), minlength=len(class_names))  # tensor: flatten
    frac = counts.float() / counts.sum().clamp_min(1)  # tensor: float sum clamp_min
    stats = dict(zip(class_names, frac.tolist(), strict=True))  # tensor: tolist
    for name, value in sorted(stats.items(), key=lambda kv: -kv[1]):  # other: items
        logger.info("%s: %.3f", name.upper(), value)  # other: info upper
    spatial = pred.shape[-2:]
    logger.debug("pixels per image: %d", spatial.numel())  # other: debug numel
    return stats


def mixed_precision_step(model, images, masks, criterion, optimizer, scaler) -> float:
    optimizer.zero_grad(set_to_none=True)  # other: zero_grad
    with torch.autocast(device_type="cuda", dtype=torch.float16):
        logits = model(images)
        loss = criterion(logits, masks)
    scaler.scale(loss).backward()  # tensor: backward | other: scale
    scaler.unscale_(optimizer)  # other: unscale_
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # other: parameters
    scaler.step(optimizer)  # other: step
    scaler.update()  # other: update
    return loss.detach().float().item()  # tensor: detach float item


if __name__ == "__main__":
    net = UNet(n_channels=1, n_classes=3, base=8, depth=3)
    img = torch.randn(1, 96, 96)
    seg = sliding_window(net, img, window=64)
    print(log_prediction_stats(seg.long(), ["bg", "cell", "edge"]))  # tensor: long
    target = torch.randint(0, 3, (2, 64, 64))
    crit = DiceCELoss(3)
    out = net(torch.randn(2, 1, 64, 64))
    print(crit(out, target).item(), multiclass_dice(out, target, 3).item())  # tensor: item item
