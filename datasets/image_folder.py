"""Folders of image files (JPEG, PNG ...), decoded lazily, one sample at a time.

Two layouts::

    ImageFolder("ncd/ColorfulOriginal", size=128)      root/<class>/<image>: labelled
        Apple/Apple1.jpg, Banana/banana1.jpg, ...     (class index = sorted folder name)
    FlatImageFolder("mirflickr", size=200)             root/<image>: unlabelled
        im1.jpg, im2.jpg, ...

Only the file paths are kept in memory. ``dataset[i]`` decodes the file with
:func:`minidl.data.image_file.load_image` (within its pixel cap; JPEGs are decoded straight
at a reduced scale when ``size`` is much smaller), converts it to ``mode`` ("RGB" or "L"),
resizes it to ``size``, and applies ``transform`` (default ``ToTensor()``). So a
DataLoader streams the folder in batches, never holding more than the batches in flight::

    train = ImageFolder(root, size=128, split="train", val_fraction=0.1, split_seed=0)
    DataLoader(train, batch_size=64, shuffle=True, num_workers=2)
    # batches: (64, 3, 128, 128) float32 in [0, 1], (64,) int64 class indices

Splits: with ``split="train"`` or ``"val"``, the sorted file list is split at random
(``random_split`` with ``split_seed``) into ``1 - val_fraction`` and ``val_fraction``
(floors, the remainder to train: 721 files give 649/72); the two splits never share a
file, and the same seed gives the same split, so each split can have its own transform
(augment the training split only).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from minidl.data import Dataset, random_split
from minidl.data.functional import size_pair
from minidl.data.image_file import ImageDecodeError, load_image
from minidl.data.transforms import ToTensor

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")
SPLITS = (None, "train", "val")
__all__ = ["ImageFiles", "ImageFolder", "FlatImageFolder", "list_images", "load_image",
           "ImageDecodeError"]


def list_images(folder: Path) -> list[Path]:
    """The image files directly inside ``folder``, sorted by name."""
    if not folder.is_dir():
        raise FileNotFoundError(f"image folder not found: {folder}")
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)


class ImageFiles(Dataset):
    """Samples decoded lazily from a list of files, with optional labels and a split.

    Args:
        paths: the image files.
        labels: one label per file (an int, or an array such as multi-digit labels), or
            None for unlabelled images (the sample is then the image alone).
        size: every image is resized to exactly this (int: square; or (height, width));
            None keeps each file's size (then batch_size 1, or a transform that resizes).
        mode: "RGB" (H, W, 3) or "L" (H, W) before ``transform``.
        transform: applied to the uint8 array; default ``ToTensor()`` -> (C, H, W) float32.
        split, val_fraction, split_seed: see the module docstring.
    """

    def __init__(self, paths, labels=None, size=None, mode: str = "RGB", transform=None,
                 split: str | None = None, val_fraction: float = 0.1, split_seed: int = 0):
        paths = [Path(p) for p in paths]
        if labels is not None and len(labels) != len(paths):
            raise ValueError(f"{type(self).__name__}: {len(paths)} files but "
                             f"{len(labels)} labels")
        if mode not in ("RGB", "L"):
            raise ValueError(f"{type(self).__name__}: mode must be 'RGB' or 'L', got {mode!r}")
        if size is not None:
            size = size_pair(size, type(self).__name__)
        chosen = _split_indices(len(paths), split, val_fraction, split_seed, type(self).__name__)
        self.paths = [paths[i] for i in chosen]
        self.labels = None if labels is None else [labels[i] for i in chosen]
        self.size, self.mode, self.split = size, mode, split
        self.transform = transform if transform is not None else ToTensor()

    def __getitem__(self, index):
        image = self.transform(load_image(self.paths[index], self.mode, self.size))
        if self.labels is None:
            return image
        return image, self.labels[index]

    def __len__(self) -> int:
        return len(self.paths)


class ImageFolder(ImageFiles):
    """``root/<class>/<image>``: label = index of the class folder among the sorted class
    names (``self.classes``; restrict to some with ``classes=[...]``)."""

    def __init__(self, root, size=None, classes=None, **options):
        root = Path(root)
        if not root.is_dir():
            raise FileNotFoundError(f"ImageFolder: no such folder: {root}")
        found = sorted(p.name for p in root.iterdir() if p.is_dir())
        check_class_names(root, found)
        if classes is None:
            classes = found
        missing = [c for c in classes if c not in found]
        if missing:
            raise FileNotFoundError(f"ImageFolder: class folders {missing} not in {root} "
                                    f"(it has {found})")
        self.root, self.classes = root, list(classes)
        paths, labels = [], []
        for index, name in enumerate(self.classes):
            files = list_images(root / name)
            paths += files
            labels += [index] * len(files)
        if not paths:
            raise FileNotFoundError(f"ImageFolder: no image files ({', '.join(IMAGE_EXTENSIONS)})"
                                    f" in the class folders of {root}")
        super().__init__(paths, labels, size=size, **options)


class FlatImageFolder(ImageFiles):
    """``root/<image>``: unlabelled images (MIRFlickr style); a sample is the image alone."""

    def __init__(self, root, size=None, **options):
        root = Path(root)
        if not root.is_dir():
            raise FileNotFoundError(f"FlatImageFolder: no such folder: {root}")
        paths = list_images(root)
        if not paths:
            raise FileNotFoundError(f"FlatImageFolder: no image files "
                                    f"({', '.join(IMAGE_EXTENSIONS)}) in {root}")
        self.root = root
        super().__init__(paths, None, size=size, **options)


def check_class_names(root: Path, names) -> None:
    """Class names end up in logs, plots and config.json: they must be text. A folder name
    that is not valid UTF-8 (from another system's encoding) is refused, named by its bytes."""
    for name in names:
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"ImageFolder: the class folder {os.fsencode(root / name)!r} has "
                             "a name that is not valid UTF-8; rename it (class names are "
                             "written to logs, plots and config.json)") from None


def _split_indices(count: int, split, val_fraction: float, seed: int, owner: str):
    if split not in SPLITS:
        raise ValueError(f"{owner}: split must be one of {SPLITS}, got {split!r}")
    if split is None:
        return range(count)
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"{owner}: val_fraction must lie in (0, 1), got {val_fraction}")
    train, val = random_split(range(count), [1.0 - val_fraction, val_fraction],
                              generator=np.random.default_rng(seed))
    return sorted((train if split == "train" else val).indices)
