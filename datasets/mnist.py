"""MNIST: 70,000 handwritten digits, 28x28 grayscale, labels 0-9.

One call::

    from minidl.datasets.mnist import MNIST, load_mnist
    images, labels = load_mnist(train=True)   # (60000, 28, 28) uint8 in [0, 255], (60000,) int64
    dataset = MNIST(train=False)              # sample: (1, 28, 28) float32 in [0, 1], int label
    DataLoader(dataset, batch_size=64)        # batches: (64, 1, 28, 28) float32, (64,) int64

The four IDX files (``train-images-idx3-ubyte`` ... , gzip-compressed or not) are found
in the order of :mod:`.locate`: ``--data-dir``, ``$MINIDL_DATA/mnist``, the copy shipped
inside the package (so MNIST works on a fresh machine with no network), the user cache,
and last a download into the cache, checked against the SHA-256 sums below. A
``data_dir`` given is the only place looked in (see :mod:`.locate`).
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from minidl.datasets.download import download_files
from minidl.datasets.idx import IdxFormatError, read_idx
from minidl.datasets.in_memory import ImageArrayDataset
from minidl.datasets.locate import (
    DatasetNotFoundError,
    Location,
    cache_dir,
    find_dataset,
    missing_files,
)

NAME = FOLDER = "mnist"
PACKAGED = Path(__file__).resolve().parent / "mnist_files"
FILES = {(True, "images"): "train-images-idx3-ubyte", (True, "labels"): "train-labels-idx1-ubyte",
         (False, "images"): "t10k-images-idx3-ubyte", (False, "labels"): "t10k-labels-idx1-ubyte"}
SHA256 = {  # of the official .gz files (the MD5s match the official ones too)
    "train-images-idx3-ubyte.gz":
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz":
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz":
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz":
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
# yann.lecun.com/exdb/mnist, the original home, no longer serves the files; these
# mirrors serve the same bytes (the SHA-256 check above makes sure of it).
MIRRORS = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
           "https://storage.googleapis.com/cvdf-datasets/mnist/"]
SIZES = {True: 60000, False: 10000}
HINT = ("MNIST's four files: " + ", ".join(SHA256) + " (from " + MIRRORS[0] + ").")


def locate(data_dir=None, download: bool = True) -> Location:
    """Where the four MNIST files are; downloads them into the cache as the last resort."""
    try:
        return find_dataset(NAME, FOLDER, check_files, data_dir, PACKAGED, HINT)
    except DatasetNotFoundError as not_found:
        if not download or data_dir is not None:
            raise
        destination = cache_dir() / FOLDER
        try:
            download_files(NAME, SHA256, MIRRORS, destination)
        except DatasetNotFoundError as failed:
            raise DatasetNotFoundError(f"{not_found}\n{failed}", not_found.reasons) from None
        return Location(destination, "download")


def load_mnist(train: bool = True, data_dir=None, download: bool = True):
    """``(images, labels)``: (N, 28, 28) uint8 and (N,) int64, read-only (shared by every
    caller; copy before changing them). N is 60,000 for train, 10,000 for test."""
    return read_split(locate(data_dir, download).path, bool(train))


class MNIST(ImageArrayDataset):
    """MNIST as a dataset of ``(transform(image), label)``.

    ``image`` is the (28, 28) uint8 array; the default ``transform`` is ``ToTensor()``,
    giving (1, 28, 28) float32 in [0, 1]. ``label`` is an int in 0-9.
    """

    def __init__(self, train: bool = True, data_dir=None, transform=None,
                 download: bool = True):
        self.train = train
        super().__init__(*load_mnist(train, data_dir, download), transform=transform)


def _file(folder: Path, name: str) -> Path:
    """The compressed file if present, else the plain one."""
    compressed = folder / (name + ".gz")
    return compressed if compressed.exists() else folder / name


def check_files(folder: Path):
    """None when ``folder`` holds the four IDX files (each gzipped or not), else what is
    missing (a ``check`` for :func:`~.locate.find_dataset`)."""
    return missing_files(folder, [(name + ".gz", name) for name in FILES.values()])


@functools.lru_cache(maxsize=4)
def read_split(folder: Path, train: bool):
    """``(images, labels)`` of the train or test split in an MNIST-layout folder (MNIST,
    Fashion-MNIST): (N, 28, 28) uint8 and (N,) int64 in 0-9, read-only."""
    images_path = _file(folder, FILES[train, "images"])
    labels_path = _file(folder, FILES[train, "labels"])
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise IdxFormatError(f"{images_path}: expected (N, 28, 28) uint8 images, got "
                             f"{images.shape} {images.dtype}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise IdxFormatError(f"{labels_path}: expected {len(images)} labels (one per image "
                             f"of {images_path.name}), got shape {labels.shape}")
    if labels.size and labels.max() > 9:
        raise IdxFormatError(f"{labels_path}: labels must lie in 0-9, found {labels.max()}")
    labels = labels.astype(np.int64)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels
