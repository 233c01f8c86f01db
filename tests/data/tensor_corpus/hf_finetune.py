"""Fine-tune a pretrained encoder for text classification (transformers-style API)."""

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn as nn
from torch import Tensor
from torch.utils.data import DataLoader, Dataset
from transformers import (
    AutoModel,
    AutoModelForSequenceClassification,
    AutoTokenizer,
    get_linear_schedule_with_warmup,
)

logger = logging.getLogger(__name__)


@dataclass
class FinetuneArgs:
    model_name: str = "bert-base-uncased"
    max_length: int = 128
    lr: float = 2e-5
    epochs: int = 3
    warmup_ratio: float = 0.06
    labels: list[str] = field(default_factory=lambda: ["negative", "positive"])


class JsonlTextDataset(Dataset):
    def __init__(self, path: str, label_names: list[str]):
        self.rows = []
        text = Path(path).read_text(encoding="utf-8")  # other: read_text
        for line in text.splitlines():  # other: splitlines
            if not line.strip():  # other: strip
                continue
            row = json.loads(line)
            row["label"] = label_names.index(row.get("label", label_names[0]))  # other: index get
            self.rows.append(row)  # other: append

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict:
        return self.rows[i]


def make_collate(tokenizer, max_length: int):
    def collate(rows: list[dict]) -> dict[str, Tensor]:
        texts = [r["text"].replace("\n", " ").strip() for r in rows]  # other: replace strip
        enc = tokenizer(
            texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt"
        )
        enc["labels"] = torch.tensor([r["label"] for r in rows])
        return enc

    return collate


def mean_pool(last_hidden: Tensor, attention_mask: Tensor) -> Tensor:
    mask = attention_mask.unsqueeze(-1)  # tensor: unsqueeze
    mask = mask.expand(last_hidden.size()).float()  # tensor: expand size float
    summed = (last_hidden * mask).sum(dim=1)  # tensor: sum
    return summed / mask.sum(dim=1).clamp(min=1e-9)  # tensor: sum clamp


class SentenceEncoder(nn.Module):
    def __init__(self, name: str):
        super().__init__()
        self.backbone = AutoModel.from_pretrained(name)  # other: from_pretrained
        self.proj = nn.Linear(self.backbone.config.hidden_size, 256)

    def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tensor:
        out = self.backbone(input_ids=input_ids, attention_mask=attention_mask)  # other: backbone
        pooled = mean_pool(out.last_hidden_state, attention_mask)
        return nn.functional.normalize(self.proj(pooled), dim=-1)  # other: proj


def finetune(args: FinetuneArgs, train_path: str, out_dir: str) -> None:
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = AutoTokenizer.from_pretrained(args.model_name)  # other: from_pretrained
    special = {"additional_special_tokens": ["[URL]"]}
    tokenizer.add_special_tokens(special)  # other: add_special_tokens
    model = AutoModelForSequenceClassification.from_pretrained(  # other: from_pretrained
        args.model_name, num_labels=len(args.labels)
    )
    model.resize_token_embeddings(len(tokenizer))  # other: resize_token_embeddings
    emb = model.get_input_embeddings()  # other: get_input_embeddings
    emb.weight.data[-1].normal_(mean=0.0, std=0.02)  # tensor: normal_
    model.to(device)  # other: to
    ds = JsonlTextDataset(train_path, args.labels)
    loader = DataLoader(ds, batch_size=16, shuffle=True, collate_fn=make_collate(tokenizer, 128))
    no_decay = ("bias", "LayerNorm.weight")
    decay, skip = [], []
    for n, p in model.named_parameters():  # other: named_parameters
        (skip if n.endswith(no_decay) else decay).append(p)  # other: endswith append
    params = [{"params": decay}, {"params": skip, "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    total = len(loader) * args.epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total * args.warmup_ratio), total)
    model.train()  # other: train
    for epoch in range(args.epochs):
        running = 0.0
        for step, batch in enumerate(loader):
            batch = batch.to(device)  # other: to
            outputs = model(**batch)
            loss = outputs.loss
            loss.backward()  # tensor: backward
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # other: parameters
            optimizer.step()  # other: step
            scheduler.step()  # other: step
            optimizer.zero_grad()  # other: zero_grad
            running += loss.item()  # tensor: item
            if step % 100 == 0:
                preds = outputs.logits.argmax(dim=-1)  # tensor: argmax
                acc = preds.eq(batch["labels"]).float().mean().item()  # tensor: eq float mean item
                logger.info(  # other: info
                    "epoch %d step %d loss %.4f acc %.3f", epoch, step, running, acc
                )
                running = 0.0
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)  # other: mkdir
    model.save_pretrained(out)  # other: save_pretrained
    tokenizer.save_pretrained(out)  # other: save_pretrained
    (out / "labels.json").write_text(json.dumps(args.labels))  # other: write_text


@torch.no_grad()
def predict(model, tokenizer, texts: list[str], labels: list[str]) -> list[tuple[str, float]]:
    model.eval()  # other: eval
    enc = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    enc = {k: v.to(model.device) for k, v in enc.items()}  # tensor: to | other: items
    logits = model(**enc).logits
    probs = logits.softmax(dim=-1)  # tensor: softmax
    conf, idx = probs.max(dim=-1)  # tensor: max
    first = enc["input_ids"][0].tolist()  # tensor: tolist
    tokens = tokenizer.convert_ids_to_tokens(first)  # other: convert_ids_to_tokens
    logger.debug("first input: %s", " ".join(tokens))  # other: debug join
    decoded = tokenizer.batch_decode(  # other: batch_decode
        enc["input_ids"], skip_special_tokens=True
    )
    for text, d in zip(texts, decoded, strict=True):
        if text.lower() != d.lower():  # other: lower lower
            logger.warning("round trip differs: %r", text[:40])  # other: warning
    pairs = zip(idx.tolist(), conf.tolist(), strict=True)  # tensor: tolist tolist
    return [(labels[i], c) for i, c in pairs]
