"""Multi-digit MNIST (study 2, seed 001): 84x84 grayscale images of three handwritten digits.

The generator composes each image from three random MNIST digits of the same split,
left to right: each digit is scaled by a factor drawn from ``scale`` (default 0.7-1.0,
so 20-28 pixels), the free width ``84 - sum(widths)`` is cut at random (a flat
Dirichlet draw) into a left margin, two gaps and a right margin, and each digit gets its
own random height position. Strokes are combined by maximum (ink over paper). The labels
are the three digits from left to right. Everything follows from ``seed``.

The study reads such images from disk with labels in the folder names, so both
directions are here::

    from minidl.datasets.multidigit_mnist import MultiDigitMNIST, MultiDigitFolder, save_to_folder
    train = MultiDigitMNIST(train=True)      # composed on the fly from MNIST, 60,000 images
    save_to_folder(train, "multidigit/train", count=1000)   # multidigit/train/123/000001.png
    train = MultiDigitFolder("multidigit/train")
    # sample (both): (1, 84, 84) float32 in [0, 1], (3,) int64 digits left to right;
    # target="multi_hot" gives a (30,) float32 vector instead: entry 10 * position + digit
    # is 1 (the 30 sigmoid outputs of the study's model). Batches: (B, 1, 84, 84), (B, 3).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from minidl.data import Dataset
from minidl.data.functional import resize
from minidl.data.transforms import ToTensor
from minidl.datasets.image_folder import ImageFiles, list_images
from minidl.datasets.mnist import load_mnist

IMAGE_SIZE = 84
DIGITS = 3
TARGETS = ("digits", "multi_hot")


def multi_hot(digits: np.ndarray) -> np.ndarray:
    """(3,) digits -> (30,) float32 with a 1 at ``10 * position + digit``."""
    vector = np.zeros(10 * len(digits), dtype=np.float32)
    vector[10 * np.arange(len(digits)) + digits] = 1.0
    return vector


class MultiDigitMNIST(Dataset):
    """Images of three MNIST digits composed on the fly (see the module docstring).

    Args:
        train: compose from MNIST's training or test digits.
        count: number of images (default: as many as MNIST digits in the split).
        seed: decides the digits and the layout.
        scale: (low, high) scale factors of the 28-pixel digits.
        target: "digits" ((3,) int64) or "multi_hot" ((30,) float32).
        transform: applied to the (84, 84) uint8 image; default ``ToTensor()``.
    """

    def __init__(self, train: bool = True, count: int | None = None, seed: int = 0,
                 scale=(0.7, 1.0), target: str = "digits", transform=None, data_dir=None):
        if target not in TARGETS:
            raise ValueError(f"MultiDigitMNIST: target must be one of {TARGETS}, got {target!r}")
        if not 0 < scale[0] <= scale[1] <= IMAGE_SIZE / (28 * DIGITS):
            raise ValueError(f"MultiDigitMNIST: scale must be (low, high) with 0 < low <= high "
                             f"<= {IMAGE_SIZE / (28 * DIGITS):g} (three digits must fit), "
                             f"got {scale}")
        self.mnist_images, mnist_labels = load_mnist(train, data_dir)
        count = len(self.mnist_images) if count is None else count
        rng = np.random.default_rng([seed, 0 if train else 1])
        self.sources = rng.integers(len(self.mnist_images), size=(count, DIGITS))
        self.labels = mnist_labels[self.sources]
        self.sizes = np.rint(28 * rng.uniform(*scale, size=(count, DIGITS))).astype(np.int64)
        free = IMAGE_SIZE - self.sizes.sum(axis=1)
        gaps = rng.dirichlet(np.ones(DIGITS + 1), size=count) * free[:, None]
        starts = gaps[:, :DIGITS].cumsum(axis=1) + np.concatenate(
            [np.zeros((count, 1)), self.sizes[:, :-1].cumsum(axis=1)], axis=1)
        self.lefts = np.floor(starts).astype(np.int64)
        self.tops = np.floor(rng.random((count, DIGITS)) * (IMAGE_SIZE - self.sizes + 1)
                             ).astype(np.int64)
        self.target = target
        self.transform = transform if transform is not None else ToTensor()

    def compose(self, index: int) -> np.ndarray:
        """The (84, 84) uint8 image ``index``."""
        canvas = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
        for position in range(DIGITS):
            size = int(self.sizes[index, position])
            digit = resize(self.mnist_images[self.sources[index, position]], (size, size))
            top, left = self.tops[index, position], self.lefts[index, position]
            window = canvas[top:top + size, left:left + size]
            np.maximum(window, digit, out=window)
        return canvas

    def __getitem__(self, index):
        digits = self.labels[index]
        return (self.transform(self.compose(index)),
                multi_hot(digits) if self.target == "multi_hot" else digits.copy())

    def __len__(self) -> int:
        return len(self.sources)


def save_to_folder(dataset: MultiDigitMNIST, root, count: int | None = None) -> Path:
    """Write the first ``count`` images of ``dataset`` (all by default) as PNG files
    ``root/<digits>/<number>.png`` (e.g. ``root/123/000001.png``; numbers count from 1
    over the whole folder). Returns ``root``."""
    root = Path(root)
    count = len(dataset) if count is None else min(count, len(dataset))
    for index in range(count):
        folder = root / "".join(str(d) for d in dataset.labels[index])
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(dataset.compose(index)).save(folder / f"{index + 1:06d}.png")
    return root


class MultiDigitFolder(ImageFiles):
    """``root/<digits>/<image>``: grayscale images labelled by their folder's name (three
    digits, e.g. ``123``), resized to 84x84; samples as for :class:`MultiDigitMNIST`."""

    def __init__(self, root, target: str = "digits", size=IMAGE_SIZE, **options):
        root = Path(root)
        if not root.is_dir():
            raise FileNotFoundError(f"MultiDigitFolder: no such folder: {root}")
        if target not in TARGETS:
            raise ValueError(f"MultiDigitFolder: target must be one of {TARGETS}, got {target!r}")
        paths, labels = [], []
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            if len(folder.name) != DIGITS or not folder.name.isdigit():
                raise ValueError(f"MultiDigitFolder: folder {folder} is not named by "
                                 f"{DIGITS} digits (like '123')")
            digits = np.array([int(c) for c in folder.name], dtype=np.int64)
            files = list_images(folder)
            paths += files
            labels += [multi_hot(digits) if target == "multi_hot" else digits] * len(files)
        if not paths:
            raise FileNotFoundError(f"MultiDigitFolder: no images in digit folders of {root}")
        self.root = root
        super().__init__(paths, labels, size=size, mode="L", **options)
