"""A training script: a regression MLP, Adam, a StepLR schedule and a DataLoader."""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

SAMPLES = 32


class Regressor(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))

    def forward(self, x):
        return self.net(x)


def build():
    return Regressor()


def example_inputs():
    return (torch.randn(8, 4),)


def make_data(xs, ys):
    return TensorDataset(xs, ys)


def train(model, xs, ys, steps: int = 5, batch_size: int = 8) -> list[float]:
    loader = DataLoader(make_data(xs, ys), batch_size=batch_size, shuffle=False)
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    model.train()
    losses = []
    while len(losses) < steps:
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
            if len(losses) == steps:
                break
    return losses
