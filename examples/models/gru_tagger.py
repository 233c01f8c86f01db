"""A sequence tagger: token embeddings, a bidirectional GRU, a per-token linear layer."""

import torch
import torch.nn as nn

VOCAB = 50
TAGS = 7


class Tagger(nn.Module):
    def __init__(self, vocab: int = VOCAB, tags: int = TAGS, dim: int = 16) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.rnn = nn.GRU(dim, dim, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * dim, tags)

    def forward(self, tokens):
        h, _ = self.rnn(self.embed(tokens))
        return torch.log_softmax(self.out(h), dim=-1)


def build():
    return Tagger()


def example_inputs():
    return (torch.randint(0, VOCAB, (3, 9)),)
