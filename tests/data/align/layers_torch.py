"""Layers whose weights MindSpore names or lays out differently (the weight map's cases)."""

import torch
import torch.nn as nn


class Tagger(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(20, 8)
        self.rnn = nn.LSTM(8, 8, batch_first=True, bidirectional=True)
        self.gru = nn.GRU(16, 8, batch_first=True)
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.norm = nn.LayerNorm(8)
        self.act = nn.PReLU()
        self.conv = nn.Conv1d(8, 6, 3, padding=1)
        self.group = nn.GroupNorm(2, 6)
        self.bn = nn.BatchNorm1d(6)

    def forward(self, tokens):
        x = self.embed(tokens)
        x, _ = self.rnn(x)
        x, _ = self.gru(x)
        x, _ = self.attn(x, x, x)
        x = self.act(self.norm(x))
        x = self.conv(x.transpose(1, 2))
        return self.bn(self.group(x))


def make() -> Tagger:
    return Tagger()


def example_inputs():
    return torch.randint(0, 20, (2, 5), dtype=torch.int32)
