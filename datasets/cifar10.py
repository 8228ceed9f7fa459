"""CIFAR-10: 32x32 colour images in 10 classes; the colorize-cifar study uses the horses.

One call::

    from minidl.datasets.cifar10 import CIFAR10
    train = CIFAR10("train", classes=["horse"])   # sample: (3, 32, 32) float32 in [0, 1], 7
    test = CIFAR10("test", classes=["horse"])
    # for the study wrap them: GrayscaleColorization(train) -> (1, 32, 32), (3, 32, 32)

Labels keep CIFAR's class indices (``LABEL_NAMES``; horse = 7). Two layouts of the
``cifar10`` data folder (see :mod:`.locate`) are understood:

* the official python batches, in ``cifar-10-batches-py/`` or the folder itself:
  train = ``data_batch_1`` ... ``data_batch_5`` (50,000), test = ``test_batch`` (10,000);
* the copy in ``../shared/data/cifar10`` (read its SOURCE.md), which has no official
  batches but:

  - ``data_batch_1_first4000``: the first 4,000 images of ``data_batch_1``, lossless, in
    the official pickle layout -> the **test** split (385 horses): colour ground truth;
  - ``jpeg_yoongikim/{train,test}/<class>/NNNN.jpg``: every image of the class, but JPEG
    (quality ~75, 4:2:0 chroma: blurred colour) -> the **train** split. The first
    ``k`` train JPEGs of a class are the same pictures as the ``k`` lossless images of that
    class (the numbering follows the official order), so they are left out: the train
    split never holds a test picture. For horses: 4,615 + 1,000 = 5,615 images.

A batch file is a pickled dict with ``b'data'`` ((N, 3072) uint8: 1024 red, 1024 green,
1024 blue values, each 32x32 row-major) and ``b'labels'`` (N ints). It is read by a
restricted unpickler that builds only plain containers and NumPy arrays: a pickle that
names any other callable is refused instead of executed, and the arrays it builds are
plain numbers no larger than the file (a pickle can declare a shape of billions of
elements in a few bytes).
"""
from __future__ import annotations

import codecs
import io
import math
import pickle
from pathlib import Path

import numpy as np

from minidl.datasets.checksums import verified_bytes
from minidl.datasets.image_folder import ImageFiles, list_images
from minidl.datasets.in_memory import ImageArrayDataset
from minidl.datasets.locate import Location, find_dataset

NAME = FOLDER = "cifar10"
LABEL_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
               "ship", "truck")
OFFICIAL_FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
LOSSLESS_BATCH = "data_batch_1_first4000"
JPEG_FOLDER = "jpeg_yoongikim"
SPLITS = ("train", "test")
HINT = ("CIFAR-10: download cifar-10-python.tar.gz from www.cs.toronto.edu/~kriz/cifar.html "
        f"and unpack it so that {FOLDER}/{OFFICIAL_FOLDER}/data_batch_1 ... exist.")


class CifarFormatError(ValueError):
    """A file is not a CIFAR-10 python batch (the message names the file)."""


class _PlainDataUnpickler(pickle.Unpickler):
    """Builds dicts, lists, numbers, bytes and NumPy arrays of numbers no larger than
    ``max_bytes`` (the pickle's own size: an array's values come from the pickle), and
    refuses everything else.

    Read from memory (``io.BytesIO``): an opcode that declares a 16 GiB string then only
    gets the bytes that are there, instead of a 16 GiB read buffer."""

    ALLOWED = {("numpy", "ndarray"), ("numpy", "dtype"),
               ("numpy.core.multiarray", "_reconstruct"),
               ("numpy._core.multiarray", "_reconstruct"),
               ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
               ("_codecs", "encode")}

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data), encoding="bytes")
        self.max_bytes = len(data)

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}: a CIFAR batch "
                                         "holds only plain data and NumPy arrays")
        if module == "_codecs":
            return codecs.encode
        if name == "dtype":
            return _numeric_dtype
        if name == "_reconstruct":
            return self._reconstruct
        multiarray = np._core.multiarray if hasattr(np, "_core") else np.core.multiarray
        return getattr(np, name) if module == "numpy" else getattr(multiarray, name)

    def _reconstruct(self, subtype, shape, dtype):
        """NumPy's ``_reconstruct`` (an empty array that ``__setstate__`` then fills), for
        plain ndarrays of a numeric dtype no larger than the pickle."""
        dtype = _numeric_dtype(dtype)
        if subtype is not np.ndarray or not all(isinstance(s, int) and s >= 0 for s in shape):
            raise pickle.UnpicklingError(f"refusing an array of type {subtype} and shape "
                                         f"{shape}")
        if math.prod(shape) * dtype.itemsize > self.max_bytes:
            raise pickle.UnpicklingError(f"an array of shape {tuple(shape)} {dtype} is larger "
                                         f"than the whole file ({self.max_bytes:,} bytes)")
        return np.ndarray(tuple(shape), dtype)


def _numeric_dtype(*args) -> np.dtype:
    """``numpy.dtype(*args)``, refusing anything but bool and plain numbers."""
    dtype = np.dtype(*args)
    if dtype.kind not in "biuf":
        raise pickle.UnpicklingError(f"refusing dtype {dtype}: a CIFAR batch holds numbers")
    return dtype


def read_batch(path) -> tuple[np.ndarray, np.ndarray]:
    """``(images, labels)`` of a CIFAR python batch: (N, 32, 32, 3) uint8 (HWC) and (N,)
    int64."""
    path = Path(path)
    try:
        data = verified_bytes(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"CIFAR batch not found: {path}") from None
    try:
        batch = _PlainDataUnpickler(data).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            IndexError, KeyError, MemoryError, RecursionError) as error:
        raise CifarFormatError(f"{path}: not a readable CIFAR python batch "
                               f"({str(error) or type(error).__name__})") from None
    if not isinstance(batch, dict):
        raise CifarFormatError(f"{path}: expected a pickled dict, got {type(batch).__name__}")
    data, labels = _field(batch, "data", path), _field(batch, "labels", path)
    data = np.asarray(data)
    labels = np.asarray(labels)
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise CifarFormatError(f"{path}: b'data' must be (N, 3072) uint8, got {data.shape} "
                               f"{data.dtype}")
    if labels.shape != (len(data),) or labels.dtype.kind not in "iu":
        raise CifarFormatError(f"{path}: b'labels' must hold {len(data)} ints, got shape "
                               f"{labels.shape} of {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= len(LABEL_NAMES)):
        raise CifarFormatError(f"{path}: labels must lie in 0-9, found {labels.min()} to "
                               f"{labels.max()}")
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.int64)


def locate(data_dir=None) -> Location:
    return find_dataset(NAME, FOLDER, _check, data_dir, hint=HINT)


def class_indices(classes) -> list[int]:
    """CIFAR indices of class names (all ten for None)."""
    if classes is None:
        return list(range(len(LABEL_NAMES)))
    unknown = [c for c in classes if c not in LABEL_NAMES]
    if unknown:
        raise ValueError(f"CIFAR10: unknown classes {unknown}; the classes are {LABEL_NAMES}")
    return [LABEL_NAMES.index(c) for c in classes]


def CIFAR10(split: str = "train", classes=None, data_dir=None, transform=None):
    """The images of ``split`` ("train" or "test") of the given classes (names; None for
    all) as a dataset of ``(transform(image (32, 32, 3) uint8), CIFAR label)``; the default
    transform gives (3, 32, 32) float32 in [0, 1]. See the module docstring for where
    each split comes from."""
    if split not in SPLITS:
        raise ValueError(f"CIFAR10: split must be one of {SPLITS}, got {split!r}")
    wanted = class_indices(classes)
    folder = locate(data_dir).path
    official = official_folder(folder)
    if official is not None:
        files = TRAIN_BATCHES if split == "train" else (TEST_BATCH,)
        return _selected(*_concatenate([read_batch(official / f) for f in files]), wanted,
                         transform)
    lossless_images, lossless_labels = read_batch(folder / LOSSLESS_BATCH)
    if split == "test":
        return _selected(lossless_images, lossless_labels, wanted, transform)
    paths, labels = [], []
    jpeg = folder / JPEG_FOLDER
    for index in wanted:
        name = LABEL_NAMES[index]
        if not (jpeg / "train" / name).is_dir():
            have = sorted(p.name for p in (jpeg / "train").iterdir() if p.is_dir())
            raise FileNotFoundError(f"CIFAR10: no training images of class {name!r}: "
                                    f"{jpeg / 'train' / name} is missing (this copy has "
                                    f"{have}); get the official batches for other classes")
        in_test = int((lossless_labels == index).sum())
        files = (list_images(jpeg / "train" / name)[in_test:]
                 + list_images(jpeg / "test" / name))
        paths += files
        labels += [index] * len(files)
    dataset = ImageFiles(paths, labels, transform=transform)
    dataset.classes = LABEL_NAMES
    return dataset


def _selected(images, labels, wanted, transform) -> ImageArrayDataset:
    keep = np.isin(labels, wanted)
    dataset = ImageArrayDataset(images[keep], labels[keep], transform)
    dataset.classes = LABEL_NAMES
    return dataset


def _concatenate(batches):
    return (np.concatenate([images for images, _ in batches]),
            np.concatenate([labels for _, labels in batches]))


def _field(batch: dict, key: str, path: Path):
    for candidate in (key.encode(), key):
        if candidate in batch:
            return batch[candidate]
    raise CifarFormatError(f"{path}: no {key.encode()!r} entry (keys: {list(batch)})")


def official_folder(folder: Path) -> Path | None:
    for candidate in (folder / OFFICIAL_FOLDER, folder):
        if all((candidate / f).exists() for f in (*TRAIN_BATCHES, TEST_BATCH)):
            return candidate
    return None


def _check(folder: Path) -> str | None:
    if official_folder(folder) is not None:
        return None
    if (folder / LOSSLESS_BATCH).exists() and (folder / JPEG_FOLDER).is_dir():
        return None
    return (f"neither {OFFICIAL_FOLDER}/ with data_batch_1-5 and test_batch, nor "
            f"{LOSSLESS_BATCH} with {JPEG_FOLDER}/")
