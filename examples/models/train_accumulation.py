"""A training script in nanoGPT's style: gradient accumulation over micro-batches, a
GradScaler, clipping after unscaling, AdamW, zero_grad(set_to_none=True) after the step."""

import torch
import torch.nn as nn
import torch.nn.functional as F

ACCUMULATION = 3
GRAD_CLIP = 1.0
MICRO_BATCH = 4


class TinyRegressor(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3))

    def forward(self, x, y):
        out = self.net(x)
        return out, F.mse_loss(out, y)


def build():
    return TinyRegressor()


def example_inputs():
    return (torch.randn(4, 6), torch.randn(4, 3))


def train(model, xs, ys, steps: int = 5) -> list[float]:
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.1)
    scaler = torch.amp.GradScaler("cpu", enabled=True)

    def get_batch(i):
        start = (i * MICRO_BATCH) % len(xs)
        return xs[start : start + MICRO_BATCH], ys[start : start + MICRO_BATCH]

    model.train()
    losses = []
    X, Y = get_batch(0)
    for step in range(steps):
        # forward backward update, with gradient accumulation
        for micro_step in range(ACCUMULATION):
            out, loss = model(X, Y)
            loss = loss / ACCUMULATION  # scale the loss to account for gradient accumulation
            X, Y = get_batch(step * ACCUMULATION + micro_step + 1)
            scaler.scale(loss).backward()
        if GRAD_CLIP != 0.0:
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item() * ACCUMULATION)
    return losses
