"""Classification training script: argument parsing, train/validate loops, checkpoints."""

import argparse
import logging
import math
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torch.utils.tensorboard import SummaryWriter

log = logging.getLogger("train")


class AverageMeter:
    def __init__(self, name: str, fmt: str = ":f"):
        self.name = name
        self.fmt = fmt
        self.reset()  # other: reset

    def reset(self) -> None:
        self.val = self.avg = self.sum = 0.0
        self.count = 0

    def update(self, val: float, n: int = 1) -> None:
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count

    def __str__(self) -> str:
        fmtstr = "{name} {val" + self.fmt + "} ({avg" + self.fmt + "})"
        return fmtstr.format(**self.__dict__)  # other: format


class EarlyStopping:
    def __init__(self, patience: int = 5):
        self.patience = patience
        self.best = math.inf
        self.bad_epochs = 0

    def step(self, metric: float) -> bool:
        if metric < self.best:
            self.best, self.bad_epochs = metric, 0
        else:
            self.bad_epochs += 1
        return self.bad_epochs > self.patience


def accuracy(output: Tensor, target: Tensor, topk=(1,)) -> list[Tensor]:
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)  # tensor: size
        _, pred = output.topk(maxk, 1, True, True)  # tensor: topk
        pred = pred.t()  # tensor: t
        correct = pred.eq(target.view(1, -1).expand_as(pred))  # tensor: eq view expand_as
        res = []
        for k in topk:
            correct_k = correct[:k].reshape(-1).float()  # tensor: reshape float
            correct_k = correct_k.sum(0, keepdim=True)  # tensor: sum
            res.append(correct_k.mul_(100.0 / batch_size))  # tensor: mul_ | other: append
        return res


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="train a classifier")
    parser.add_argument("--epochs", type=int, default=90)  # other: add_argument
    parser.add_argument("--lr", type=float, default=0.1)  # other: add_argument
    parser.add_argument("--out", type=Path, default=Path("runs/exp"))  # other: add_argument
    parser.add_argument("--resume", type=str, default="")  # other: add_argument
    parser.add_argument("--clip", type=float, default=0.0)  # other: add_argument
    return parser


def train_one_epoch(model, loader, criterion, optimizer, device, epoch, args, writer=None):
    model.train()  # other: train
    losses, top1 = AverageMeter("loss", ":.4e"), AverageMeter("acc@1", ":6.2f")
    end = time.time()
    for i, (images, target) in enumerate(loader):
        images = images.to(device, non_blocking=True)  # tensor: to
        target = target.to(device, non_blocking=True)  # tensor: to
        output = model(images)
        loss = criterion(output, target)
        (acc1,) = accuracy(output, target, topk=(1,))
        losses.update(loss.item(), images.size(0))  # tensor: item size | other: update
        top1.update(acc1[0].item(), images.size(0))  # tensor: item size | other: update
        optimizer.zero_grad()  # other: zero_grad
        loss.backward()  # tensor: backward
        if args.clip > 0:
            grad_norm = nn.utils.clip_grad_norm_(model.parameters(), args.clip)  # other: parameters
            if not torch.isfinite(grad_norm):
                log.warning(  # other: warning
                    "non-finite grad norm %.3f at step %d",
                    grad_norm.item(),  # tensor: item
                    i,
                )
                continue
        optimizer.step()  # other: step
        if writer is not None and i % 50 == 0:
            step = epoch * len(loader) + i
            value = loss.detach().item()  # tensor: detach item
            writer.add_scalar("train/loss", value, step)  # other: add_scalar
            lr = optimizer.param_groups[0]["lr"]
            writer.add_scalar("train/lr", lr, step)  # other: add_scalar
        if i % 100 == 0:
            log.info("epoch %d [%d/%d] %s %s", epoch, i, len(loader), losses, top1)  # other: info
    log.info("epoch time %.1fs", time.time() - end)  # other: info
    return losses.avg, top1.avg


@torch.no_grad()
def validate(model: nn.Module, loader, criterion, device) -> tuple[float, float]:
    model.eval()  # other: eval
    total_loss, correct, seen = 0.0, 0, 0
    all_probs = []
    for images, target in loader:
        images, target = images.to(device), target.to(device)  # tensor: to to
        logits = model(images)
        total_loss += criterion(logits, target).item() * target.numel()  # tensor: item numel
        probs = F.softmax(logits, dim=1)
        correct += probs.argmax(dim=1).eq(target).sum().item()  # tensor: argmax eq sum item
        seen += target.shape[0]
        all_probs.append(probs.max(dim=1).values.cpu())  # tensor: max cpu | other: append
    confidence = torch.cat(all_probs).numpy()  # tensor: numpy
    log.info("mean confidence %.3f", confidence.mean())  # other: info mean
    return total_loss / seen, 100.0 * correct / seen


def save_checkpoint(state: dict, out_dir: Path, is_best: bool) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)  # other: mkdir
    path = out_dir / f"epoch{state['epoch']:03d}.pt"
    torch.save(state, path)
    if is_best:
        best = path.with_name("best.pt")  # other: with_name
        best.write_bytes(path.read_bytes())  # other: write_bytes read_bytes
    for old in sorted(out_dir.glob("epoch*.pt"))[:-3]:  # other: glob
        old.unlink()  # other: unlink
    return path


def load_checkpoint(path: str, model: nn.Module, optimizer, scheduler) -> int:
    ckpt = torch.load(path, map_location="cpu")
    state = ckpt["model"]
    if any(k.startswith("module.") for k in state.keys()):  # other: startswith keys
        state = {k[7:]: t for k, t in state.items()}  # other: items
    missing, unexpected = model.load_state_dict(state, strict=False)  # other: load_state_dict
    if missing or unexpected:
        log.warning("missing=%s unexpected=%s", missing, unexpected)  # other: warning
    optimizer.load_state_dict(ckpt["optimizer"])  # other: load_state_dict
    scheduler.load_state_dict(ckpt.get("scheduler", {}))  # other: load_state_dict get
    return ckpt.get("epoch", 0) + 1  # other: get


def main(model: nn.Module, train_loader, val_loader) -> None:
    args = build_parser().parse_args()  # other: parse_args
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = model.to(device)  # other: to
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1).to(device)  # other: to
    decay, no_decay = [], []
    for name, p in model.named_parameters():  # other: named_parameters
        bucket = no_decay if p.ndim <= 1 or name.endswith(".bias") else decay  # other: endswith
        bucket.append(p)  # other: append
    groups = [{"params": decay, "weight_decay": 1e-4}, {"params": no_decay, "weight_decay": 0.0}]
    optimizer = torch.optim.SGD(groups, lr=args.lr, momentum=0.9, nesterov=True)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    start = load_checkpoint(args.resume, model, optimizer, scheduler) if args.resume else 0
    writer = SummaryWriter(log_dir=str(args.out))
    stopper = EarlyStopping(patience=10)
    best_acc = 0.0
    for epoch in range(start, args.epochs):
        train_one_epoch(model, train_loader, criterion, optimizer, device, epoch, args, writer)
        val_loss, val_acc = validate(model, val_loader, criterion, device)
        scheduler.step()  # other: step
        writer.add_scalar("val/acc", val_acc, epoch)  # other: add_scalar
        log.info("lr now %.5f", scheduler.get_last_lr()[0])  # other: info get_last_lr
        state = {
            "epoch": epoch,
            "model": model.state_dict(),  # other: state_dict
            "optimizer": optimizer.state_dict(),  # other: state_dict
            "scheduler": scheduler.state_dict(),  # other: state_dict
        }
        save_checkpoint(state, args.out, val_acc > best_acc)
        best_acc = max(best_acc, val_acc)
        if stopper.step(val_loss):  # other: step
            log.info("early stop at epoch %d (best %.2f)", epoch, best_acc)  # other: info
            break
    writer.close()  # other: close
