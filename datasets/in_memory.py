"""Images held in memory as one array, with labels: the base of MNIST and CIFAR-10."""
from __future__ import annotations

import numpy as np

from minidl.data import Dataset
from minidl.data.transforms import ToTensor


class ImageArrayDataset(Dataset):
    """Samples ``(transform(images[i]), labels[i])``.

    ``images``: (N, H, W) or (N, H, W, C) uint8; ``labels``: (N,) ints. The default
    ``transform`` is ``ToTensor()``: (C, H, W) float32 in [0, 1]. Labels come out as
    Python ints (the loader batches them as int64).
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray, transform=None):
        if len(images) != len(labels):
            raise ValueError(f"{type(self).__name__}: {len(images)} images but "
                             f"{len(labels)} labels")
        self.images = images
        self.targets = np.asarray(labels, dtype=np.int64)
        self.transform = transform if transform is not None else ToTensor()

    def __getitem__(self, index):
        return self.transform(self.images[index]), int(self.targets[index])

    def __len__(self) -> int:
        return len(self.images)
