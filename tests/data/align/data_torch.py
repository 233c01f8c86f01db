"""A dataset and its loader for the dataset stage (`mindport align --data`)."""

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset


class Ramp(Dataset):
    def __len__(self) -> int:
        return 10

    def __getitem__(self, index: int):
        x = np.arange(6, dtype=np.float32).reshape(2, 3) * (index + 1)
        x = (x - 3.0) / 4.0  # normalisation
        return torch.from_numpy(x), index % 3


def make_dataset():
    return DataLoader(Ramp(), batch_size=4, shuffle=True)
