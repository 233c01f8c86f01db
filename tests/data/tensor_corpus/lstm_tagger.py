"""BiLSTM sequence tagger with a vocabulary, padding/packing and Viterbi decoding."""

from collections import Counter

import numpy as np
import torch
import torch.nn as nn
from torch import Tensor
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

PAD, UNK = "<pad>", "<unk>"


class Vocab:
    def __init__(self, tokens: list[str] | None = None, min_freq: int = 1):
        self.itos: list[str] = [PAD, UNK]
        self.stoi: dict[str, int] = {PAD: 0, UNK: 1}
        counts = Counter(tokens or [])
        for tok, freq in counts.most_common():  # other: most_common
            if freq >= min_freq:
                self.add(tok)  # other: add

    def add(self, token: str) -> int:
        if token not in self.stoi:
            self.stoi[token] = len(self.itos)
            self.itos.append(token)  # other: append
        return self.stoi[token]

    def index(self, token: str) -> int:
        return self.stoi.get(token.lower(), self.stoi[UNK])  # other: get lower

    def encode(self, sentence: str) -> Tensor:
        ids = [self.index(t) for t in sentence.strip().split()]  # other: index strip split
        return torch.tensor(ids, dtype=torch.long)

    def decode(self, ids: Tensor) -> str:
        return " ".join(self.itos[i] for i in ids.tolist())  # tensor: tolist | other: join

    def __len__(self) -> int:
        return len(self.itos)


def load_vectors(vocab: Vocab, table: dict[str, np.ndarray], dim: int) -> np.ndarray:
    matrix = np.random.normal(scale=0.1, size=(len(vocab), dim)).astype(np.float32)  # other: astype
    hits = 0
    for word, idx in vocab.stoi.items():  # other: items
        vec = table.get(word)  # other: get
        if vec is not None:
            matrix[idx] = vec.reshape(-1)[:dim]  # other: reshape
            hits += 1
    matrix[0] = 0.0
    scale = matrix[1:].std()  # other: std
    return matrix.copy() / max(scale, 1e-3)  # other: copy


class BiLSTMTagger(nn.Module):
    def __init__(self, vocab_size: int, num_tags: int, emb_dim=100, hidden=128, layers=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_dim, padding_idx=0)
        self.lstm = nn.LSTM(emb_dim, hidden, layers, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(0.3)
        self.proj = nn.Linear(2 * hidden, num_tags)
        self.transitions = nn.Parameter(torch.randn(num_tags, num_tags) * 0.01)
        self.register_buffer("start", torch.zeros(num_tags))  # other: register_buffer

    def load_pretrained(self, matrix: np.ndarray, freeze: bool = False) -> None:
        weights = torch.from_numpy(matrix)
        with torch.no_grad():
            self.embedding.weight.copy_(weights)  # tensor: copy_
        self.embedding.weight.requires_grad_(not freeze)  # tensor: requires_grad_

    def emissions(self, tokens: Tensor, lengths: Tensor) -> Tensor:
        emb = self.dropout(self.embedding(tokens))  # other: dropout embedding
        packed = pack_padded_sequence(
            emb,
            lengths.cpu(),  # tensor: cpu
            batch_first=True,
            enforce_sorted=False,
        )
        out, (h_n, c_n) = self.lstm(packed)  # other: lstm
        total = tokens.size(1)  # tensor: size
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=total)
        return self.proj(self.dropout(out))  # other: proj dropout

    def forward(self, tokens: Tensor, lengths: Tensor) -> Tensor:
        return self.emissions(tokens, lengths)  # other: emissions

    def score(self, emissions: Tensor, tags: Tensor, mask: Tensor) -> Tensor:
        batch, seq_len, _ = emissions.shape
        first = emissions[:, 0].gather(1, tags[:, :1]).squeeze(1)  # tensor: gather squeeze
        score = self.start[tags[:, 0]] + first
        for t in range(1, seq_len):
            trans = self.transitions[tags[:, t - 1], tags[:, t]]
            emit = emissions[:, t].gather(1, tags[:, t, None]).squeeze(1)  # tensor: gather squeeze
            score = score + (trans + emit) * mask[:, t].float()  # tensor: float
        return score

    def partition(self, emissions: Tensor, mask: Tensor) -> Tensor:
        alpha = self.start.unsqueeze(0) + emissions[:, 0]  # tensor: unsqueeze
        for t in range(1, emissions.size(1)):  # tensor: size
            nxt = alpha.unsqueeze(2) + self.transitions.unsqueeze(0)  # tensor: unsqueeze unsqueeze
            nxt = torch.logsumexp(nxt, dim=1) + emissions[:, t]
            keep = mask[:, t].unsqueeze(1).bool()  # tensor: unsqueeze bool
            alpha = torch.where(keep, nxt, alpha)
        return alpha.logsumexp(dim=1)  # tensor: logsumexp

    def neg_log_likelihood(self, tokens, lengths, tags) -> Tensor:
        mask = tokens.ne(0)  # tensor: ne
        em = self.emissions(tokens, lengths)  # other: emissions
        nll = self.partition(em, mask) - self.score(em, tags, mask)  # other: partition score
        return nll.mean()  # tensor: mean

    @torch.no_grad()
    def viterbi(self, tokens: Tensor, lengths: Tensor) -> list[list[int]]:
        em = self.emissions(tokens, lengths)  # other: emissions
        score = self.start + em[:, 0]
        history = []
        for t in range(1, em.size(1)):  # tensor: size
            total = score.unsqueeze(2) + self.transitions  # tensor: unsqueeze
            best, idx = total.max(dim=1)  # tensor: max
            history.append(idx)  # other: append
            step = (t < lengths).unsqueeze(1)  # tensor: unsqueeze
            score = torch.where(step.to(em.device), best + em[:, t], score)  # tensor: to
        paths = []
        for b in range(em.size(0)):  # tensor: size
            last = score[b].argmax().item()  # tensor: argmax item
            path = [last]
            for idx in reversed(history[: lengths[b].item() - 1]):  # tensor: item
                last = idx[b, last].item()  # tensor: item
                path.append(last)  # other: append
            path.reverse()  # other: reverse
            paths.append(path)  # other: append
        return paths


def collate(batch: list[tuple[Tensor, Tensor]]) -> tuple[Tensor, Tensor, Tensor]:
    batch.sort(key=lambda item: item[0].numel(), reverse=True)  # tensor: numel | other: sort
    tokens, tags = zip(*batch, strict=True)
    lengths = torch.tensor([t.size(0) for t in tokens])  # tensor: size
    return pad_sequence(tokens, batch_first=True), pad_sequence(tags, batch_first=True), lengths


def tag_accuracy(pred: list[list[int]], gold: Tensor, lengths: Tensor) -> float:
    correct = total = 0
    for p, g, n in zip(pred, gold.tolist(), lengths.tolist(), strict=True):  # tensor: tolist tolist
        correct += sum(int(a == b) for a, b in zip(p, g[:n], strict=True))
        total += n
    return correct / max(total, 1)


def span_labels(tags: list[str]) -> set[tuple[str, int, int]]:
    spans, start, kind = set(), None, None
    for i, tag in enumerate(tags + ["O"]):
        if tag.startswith("B-") or tag == "O":  # other: startswith
            if kind is not None:
                spans.add((kind, start, i))  # other: add
            start, kind = (i, tag.split("-", 1)[1]) if tag != "O" else (None, None)  # other: split
    return spans


if __name__ == "__main__":
    sentences = ["The cat sat", "A dog ran home"]
    vocab = Vocab(" ".join(sentences).lower().split())  # other: join lower split
    tag_names = ["O", "B-NP", "I-NP"]
    data = [
        (vocab.encode(s), torch.randint(0, 3, (len(s.split()),)))  # other: encode split
        for s in sentences
    ]
    tokens, tags, lengths = collate(data)
    model = BiLSTMTagger(len(vocab), len(tag_names))
    model.load_pretrained(load_vectors(vocab, {}, 100))  # other: load_pretrained
    loss = model.neg_log_likelihood(tokens, lengths, tags)  # other: neg_log_likelihood
    loss.backward()  # tensor: backward
    pred = model.viterbi(tokens, lengths)  # other: viterbi
    print(tag_accuracy(pred, tags, lengths), vocab.decode(tokens[0]))  # other: decode
    print(tag_names.index("B-NP"), span_labels(["B-NP", "I-NP", "O"]))  # other: index
