"""A text classifier: embeddings, a two-layer LSTM, the last hidden state to classes."""

import torch
import torch.nn as nn


class LSTMClassifier(nn.Module):
    def __init__(self, vocab: int = 40, dim: int = 12, classes: int = 3) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, dim, num_layers=2, batch_first=True)
        self.head = nn.Linear(dim, classes)

    def forward(self, tokens):
        out, (h, c) = self.lstm(self.embedding(tokens))
        return self.head(out[:, -1, :])


def build():
    return LSTMClassifier()


def example_inputs():
    return (torch.randint(0, 40, (2, 6)),)
