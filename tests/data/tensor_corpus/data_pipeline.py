"""Image-folder and CSV datasets, numpy-based augmentation, samplers and collation."""

import csv
import json
import random
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import Tensor
from torch.utils.data import DataLoader, Dataset, WeightedRandomSampler

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp")


class Compose:
    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def add(self, transform) -> "Compose":
        self.transforms.append(transform)  # other: append
        return self


class RandomResizedCrop:
    def __init__(self, size: int, scale=(0.08, 1.0)):
        self.size = size
        self.scale = scale

    def __call__(self, img: Image.Image) -> Image.Image:
        w, h = img.size
        area = w * h * random.uniform(*self.scale)
        side = int(min(w, h, area**0.5))
        left = random.randint(0, w - side)
        top = random.randint(0, h - side)
        img = img.crop((left, top, left + side, top + side))  # other: crop
        return img.resize((self.size, self.size), Image.BILINEAR)  # other: resize


class RandomFlip:
    def __call__(self, arr: np.ndarray) -> np.ndarray:
        if random.random() < 0.5:
            arr = arr[:, ::-1].copy()  # other: copy
        return arr


def to_tensor(arr: np.ndarray) -> Tensor:
    if arr.ndim == 2:
        arr = arr.reshape(arr.shape[0], arr.shape[1], 1)  # other: reshape
    chw = np.ascontiguousarray(arr.transpose(2, 0, 1))  # other: transpose
    return torch.from_numpy(chw).float().div(255.0)  # tensor: float div


class Normalize:
    def __init__(self, mean, std):
        self.mean = torch.tensor(mean).view(-1, 1, 1)  # tensor: view
        self.std = torch.as_tensor(std).reshape(-1, 1, 1)  # tensor: reshape

    def __call__(self, x: Tensor) -> Tensor:
        return x.sub(self.mean).div_(self.std)  # tensor: sub div_


class ImageFolderDataset(Dataset):
    def __init__(self, root: str, transform=None, class_map: dict | None = None):
        self.root = Path(root).expanduser()  # other: expanduser
        classes = sorted(p.name for p in self.root.iterdir() if p.is_dir())  # other: iterdir is_dir
        self.class_to_idx = class_map or {c: i for i, c in enumerate(classes)}
        self.samples: list[tuple[Path, int]] = []
        for cls_name, idx in self.class_to_idx.items():  # other: items
            for path in sorted((self.root / cls_name).rglob("*")):  # other: rglob
                if path.suffix.lower() in IMG_EXTENSIONS:  # other: lower
                    self.samples.append((path, idx))  # other: append
        self.transform = transform
        self.targets = [s[1] for s in self.samples]

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        path, target = self.samples[index]
        with Image.open(path) as im:
            img = im.convert("RGB")  # other: convert
        if self.transform is not None:
            img = self.transform(img)  # other: transform
        return img, target

    def class_weights(self) -> Tensor:
        counts = np.bincount(self.targets, minlength=len(self.class_to_idx))
        weights = 1.0 / np.maximum(counts, 1)
        w = torch.as_tensor(weights[self.targets], dtype=torch.double)
        return w / w.sum()  # tensor: sum


class CsvRegressionDataset(Dataset):
    """Tabular features from a CSV file, standardised with statistics from a JSON file."""

    def __init__(self, csv_path: str, stats_path: str | None = None, target_col: str = "y"):
        with open(csv_path, newline="") as fh:
            rows = list(csv.DictReader(fh))
        header = [c for c in rows[0].keys() if c != target_col]  # other: keys
        data = np.array([[float(r[c]) for c in header] for r in rows], dtype=np.float32)
        self.y = np.array([float(r[target_col]) for r in rows], dtype=np.float32)
        if stats_path:
            stats = json.loads(Path(stats_path).read_text())  # other: read_text
            mean, std = np.asarray(stats["mean"]), np.asarray(stats["std"])
        else:
            mean, std = data.mean(axis=0), data.std(axis=0)  # other: mean std
        self.x = (data - mean) / np.where(std > 0, std, 1.0)
        self.columns = header
        self.stats = {"mean": mean.tolist(), "std": std.tolist()}  # other: tolist tolist

    def save_stats(self, path: str) -> None:
        Path(path).write_text(json.dumps(self.stats, indent=2))  # other: write_text

    def __len__(self) -> int:
        return self.x.shape[0]

    def __getitem__(self, i):
        feats = torch.from_numpy(self.x[i].copy())  # other: copy
        target = torch.tensor(self.y[i]).unsqueeze(0)  # tensor: unsqueeze
        return feats, target


def pad_collate(batch: list[tuple[Tensor, int]]) -> tuple[Tensor, Tensor, Tensor]:
    images, labels = zip(*batch, strict=True)
    max_h = max(img.shape[1] for img in images)
    max_w = max(img.shape[2] for img in images)
    channels = images[0].size(0)  # tensor: size
    out = images[0].new_zeros((len(images), channels, max_h, max_w))  # tensor: new_zeros
    mask = torch.ones(len(images), max_h, max_w, dtype=torch.bool)
    for i, img in enumerate(images):
        c, h, w = img.shape
        out[i, :, :h, :w].copy_(img)  # tensor: copy_
        mask[i, :h, :w].fill_(False)  # tensor: fill_
    return out, torch.tensor(labels), mask


def make_loader(ds: ImageFolderDataset, batch_size: int, balanced: bool = False) -> DataLoader:
    sampler = None
    if balanced:
        weights = ds.class_weights()  # other: class_weights
        sampler = WeightedRandomSampler(weights.tolist(), num_samples=len(ds))  # tensor: tolist
    return DataLoader(
        ds,
        batch_size=batch_size,
        shuffle=sampler is None,
        sampler=sampler,
        num_workers=4,
        collate_fn=pad_collate,
        generator=torch.Generator().manual_seed(0),  # other: manual_seed
    )


def split_indices(n: int, val_frac: float, seed: int = 0) -> tuple[list[int], list[int]]:
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)  # other: permutation
    cut = int(n * val_frac)
    return perm[cut:].tolist(), perm[:cut].tolist()  # other: tolist tolist


def channel_stats(loader: DataLoader) -> tuple[list[float], list[float]]:
    total = torch.zeros(3, dtype=torch.float64)
    total_sq = torch.zeros(3, dtype=torch.float64)
    pixels = 0
    for images, _, mask in loader:
        valid = (~mask).unsqueeze(1).to(images.dtype)  # tensor: unsqueeze to
        total += (images * valid).sum(dim=(0, 2, 3)).double()  # tensor: sum double
        total_sq += (images.pow(2) * valid).sum(dim=(0, 2, 3)).double()  # tensor: pow sum double
        pixels += int(valid.sum().item())  # tensor: sum item
    mean = total / pixels
    std = (total_sq / pixels - mean.pow(2)).sqrt()  # tensor: pow sqrt
    return mean.tolist(), std.tolist()  # tensor: tolist tolist


def write_manifest(ds: ImageFolderDataset, out: Path) -> None:
    lines = []
    for path, target in ds.samples:
        rel = path.relative_to(ds.root).as_posix()  # other: relative_to as_posix
        lines.append(f"{rel}\t{target}")  # other: append
    out.write_text("\n".join(lines) + "\n")  # other: write_text join


if __name__ == "__main__":
    tf = Compose([RandomResizedCrop(224), np.asarray, RandomFlip(), to_tensor])
    tf.add(Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]))  # other: add
    dataset = ImageFolderDataset("~/data/train", transform=tf)
    loader = make_loader(dataset, batch_size=32, balanced=True)
    mean, std = channel_stats(loader)
    print(" / ".join(f"{m:.3f}" for m in mean), std.index(max(std)))  # other: join index
