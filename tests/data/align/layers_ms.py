"""The MindSpore port of layers_torch.py."""

from mindspore import nn


class Tagger(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(20, 8)
        self.rnn = nn.LSTM(8, 8, batch_first=True, bidirectional=True)
        self.gru = nn.GRU(16, 8, batch_first=True)
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.norm = nn.LayerNorm((8,), epsilon=1e-5)
        self.act = nn.PReLU()
        self.conv = nn.Conv1d(8, 6, 3, pad_mode="pad", padding=1, has_bias=True)
        self.group = nn.GroupNorm(2, 6)
        self.bn = nn.BatchNorm1d(6, momentum=0.9)

    def construct(self, tokens):
        x = self.embed(tokens)
        x, _ = self.rnn(x)
        x, _ = self.gru(x)
        x, _ = self.attn(x, x, x)
        x = self.act(self.norm(x))
        x = self.conv(x.transpose(0, 2, 1))
        return self.bn(self.group(x))


def make() -> Tagger:
    return Tagger()
