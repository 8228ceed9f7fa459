"""torchvision's datasets, with torchvision's constructor arguments and samples
(``torchvision.datasets``).

    train = datasets.MNIST("data", train=True, download=True, transform=transforms.ToTensor())
    image, label = datasets.MNIST("data")[0]     # a PIL image ("L", 28x28) and an int

A sample is ``(transform(PIL image), target_transform(int label))``; with no transform
the image stays a Pillow image, as in torchvision.  The files are read by minidl's own
loaders (:mod:`minidl.datasets`), which look first where torchvision keeps them under
``root`` (``root/MNIST/raw``, ``root/FashionMNIST/raw``, ``root/cifar-10-batches-py``)
and then in minidl's places ($MINIDL_DATA, the package for MNIST, the user cache).
``download=True`` fetches what is in none of them, checked against the published
checksums; offline, the error says which files are missing and where to put them.
"""
from __future__ import annotations

import os
import pickle
import tarfile
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from ..data import Dataset
from ..datasets import cifar10, fashion_mnist, mnist
from ..datasets import image_folder as folders
from ..datasets.checksums import verified_bytes
from ..datasets.download import download_files
from ..datasets.locate import DatasetNotFoundError
from ..tensor import Tensor

__all__ = ["VisionDataset", "MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "DatasetFolder",
           "ImageFolder", "FakeData", "IMG_EXTENSIONS", "default_loader",
           "has_file_allowed_extension", "find_classes", "make_dataset"]


def _under_root_or_minidl(load, folder: Path, download: bool):
    """``load(data_dir, download)`` from torchvision's place under ``root`` (``folder``),
    else from minidl's places ($MINIDL_DATA, the package, the cache, and a download into
    the cache when ``download``).  A folder given to minidl's loaders is searched alone,
    so the two are tried in turn; the error lists both."""
    try:
        return load(folder, False)
    except DatasetNotFoundError as under_root:
        try:
            return load(None, download)
        except DatasetNotFoundError as elsewhere:
            tried = [reason.removeprefix("--data-dir: ") for reason in under_root.reasons]
            raise DatasetNotFoundError(f"{elsewhere}\nUnder root, looked in: "
                                       + "; ".join(tried),
                                       elsewhere.reasons + tried) from None


def _fetch_and_unpack(name: str, md5: dict, mirrors, root: Path, archive_name: str,
                      folder: str) -> None:
    """Download ``archive_name`` (MD5-checked, ``md5`` by file name) into ``root`` and
    unpack its ``folder``:
    only that folder's regular files, no path with "..", through a staging folder inside
    ``root`` (nothing outside ``root`` is written, a half-unpacked folder never left)."""
    root.mkdir(parents=True, exist_ok=True)
    download_files(name, md5, mirrors, root, algorithm="md5")
    with tarfile.open(root / archive_name, "r:gz") as archive:
        members = [m for m in archive.getmembers()
                   if m.isfile() and Path(m.name).parts[:1] == (folder,)
                   and ".." not in Path(m.name).parts]
        with tempfile.TemporaryDirectory(dir=root) as staging:
            archive.extractall(staging, members=members, filter="data")
            Path(staging, folder).replace(root / folder)


def _root(root) -> Path:
    if root is None:
        raise ValueError("root must be a folder (the dataset's home, as in torchvision)")
    return Path(root).expanduser()


class VisionDataset(Dataset):
    """What every dataset here shares: ``root``, ``transform``, ``target_transform`` and
    the sample ``(transform(image), target_transform(target))``."""

    def __init__(self, root, transform=None, target_transform=None):
        self.root = root
        self.transform, self.target_transform = transform, target_transform

    def _sample(self, image, target):
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self) -> str:
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}"]
        if self.root is not None:
            lines.append(f"    Root location: {self.root}")
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}".replace("\n", "\n    "))
        if self.target_transform is not None:
            lines.append(f"    Target transform: {self.target_transform!r}")
        return "\n".join(lines)


class _NamedClasses(VisionDataset):
    """A dataset with a fixed list of ``classes``: ``class_to_idx`` follows from it."""

    classes: list

    @property
    def class_to_idx(self) -> dict:
        return {name: index for index, name in enumerate(self.classes)}


class _CifarArchive(_NamedClasses):
    """CIFAR-10's and CIFAR-100's download: the official archive ``ARCHIVE`` (MD5-checked,
    from ``MIRRORS``), of which only ``ARCHIVE_FOLDER`` is unpacked into ``root``."""

    ARCHIVE: str
    ARCHIVE_MD5: dict
    ARCHIVE_FOLDER: str
    DOWNLOAD_NAME: str
    MIRRORS = ["https://www.cs.toronto.edu/~kriz/"]

    @classmethod
    def download(cls, root: Path) -> None:
        """Fetch the official archive into ``root`` and unpack its ``ARCHIVE_FOLDER`` (only
        that folder's regular files; nothing outside ``root`` is written)."""
        _fetch_and_unpack(cls.DOWNLOAD_NAME, cls.ARCHIVE_MD5, cls.MIRRORS, root, cls.ARCHIVE,
                          cls.ARCHIVE_FOLDER)


class MNIST(_NamedClasses):
    """Handwritten digits 0-9, 28x28 grayscale: 60,000 for training, 10,000 for testing.

    ``data`` is the (N, 28, 28) uint8 Tensor, ``targets`` the (N,) int64 Tensor; samples
    are ``(PIL image "L", int)`` before the transforms.  MNIST ships with minidl, so it
    loads offline whatever ``download`` says.
    """

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    folder = "MNIST"

    def __init__(self, root, train: bool = True, transform=None, target_transform=None,
                 download: bool = False):
        super().__init__(root, transform, target_transform)
        self.train = train
        images, labels = self._load(_root(root) / self.folder / "raw", bool(train), download)
        self.data = Tensor._from_array(images)
        self.targets = Tensor._from_array(labels)

    @staticmethod
    def _load(folder: Path, train: bool, download: bool):
        return _under_root_or_minidl(
            lambda data_dir, fetch: mnist.load_mnist(train, data_dir, fetch), folder, download)

    def __getitem__(self, index):
        image = Image.fromarray(self.data.array[index])
        return self._sample(image, int(self.targets.array[index]))

    def __len__(self) -> int:
        return len(self.targets.array)


class FashionMNIST(MNIST):
    """Zalando's clothes photos in MNIST's format and sizes (10 classes, 28x28 gray).

    Not shipped: found under ``root/FashionMNIST/raw``, ``$MINIDL_DATA/fashion_mnist`` or
    the cache, or downloaded (``download=True``) and checked against Zalando's MD5 sums.
    """

    classes = list(fashion_mnist.CLASSES)
    folder = "FashionMNIST"

    @staticmethod
    def _load(folder: Path, train: bool, download: bool):
        return _under_root_or_minidl(
            lambda data_dir, fetch: fashion_mnist.load_fashion_mnist(train, data_dir, fetch),
            folder, download)


class CIFAR10(_CifarArchive):
    """32x32 colour photos in 10 classes: 50,000 for training, 10,000 for testing.

    Read from the official python batches (``root/cifar-10-batches-py/data_batch_1`` ...,
    through minidl's restricted unpickler: no code in a batch can run), or where
    :mod:`minidl.datasets.cifar10` finds them.  ``download=True`` fetches
    cifar-10-python.tar.gz (MD5-checked) into ``root`` and unpacks it.  ``data`` is the
    (N, 32, 32, 3) uint8 array and ``targets`` a list of ints, as in torchvision.
    """

    classes = list(cifar10.LABEL_NAMES)
    ARCHIVE = "cifar-10-python.tar.gz"
    ARCHIVE_MD5 = {ARCHIVE: "c58f30108f718f92721af3b95e74349a"}
    ARCHIVE_FOLDER, DOWNLOAD_NAME = cifar10.OFFICIAL_FOLDER, "cifar10"

    def __init__(self, root, train: bool = True, transform=None, target_transform=None,
                 download: bool = False):
        super().__init__(root, transform, target_transform)
        self.train = train
        split = "train" if train else "test"
        def load(data_dir, fetch):
            return cifar10.CIFAR10(split, data_dir=data_dir, transform=_unchanged)

        try:
            source = _under_root_or_minidl(load, _root(root), False)
        except DatasetNotFoundError as not_found:
            if not download:
                raise DatasetNotFoundError(f"{not_found}\nOr pass download=True to fetch "
                                           f"{self.ARCHIVE} into {root}.",
                                           not_found.reasons) from None
            self.download(_root(root))
            source = cifar10.CIFAR10(split, data_dir=_root(root), transform=_unchanged)
        self._source = source
        self.targets = [int(label) for label in _labels_of(source)]
        if hasattr(source, "images"):
            self.data = source.images

    def __getitem__(self, index):
        image, _ = self._source[index]
        return self._sample(Image.fromarray(np.asarray(image)), self.targets[index])

    def __len__(self) -> int:
        return len(self._source)


class CIFAR100(_CifarArchive):
    """32x32 colour photos in 100 classes (``fine_labels``): 50,000 for training, 10,000
    for testing, as torchvision's ``CIFAR100``.

    Read from the official python files ``root/cifar-100-python/train`` (or ``test``) and
    ``meta`` (the class names) through the same restricted unpickler as CIFAR-10's (only
    dicts, lists, numbers, bytes and numeric NumPy arrays: no code in a file can run).
    ``download=True`` fetches cifar-100-python.tar.gz (MD5-checked) into ``root`` and
    unpacks it.  ``data`` is the (N, 32, 32, 3) uint8 array, ``targets`` a list of ints.
    """

    base_folder = "cifar-100-python"
    ARCHIVE = "cifar-100-python.tar.gz"
    ARCHIVE_MD5 = {ARCHIVE: "eb9058c3a382ffc7106e4002c42a8d85"}
    ARCHIVE_FOLDER, DOWNLOAD_NAME = base_folder, "cifar100"
    label_key, meta_key = "fine_labels", "fine_label_names"

    def __init__(self, root, train: bool = True, transform=None, target_transform=None,
                 download: bool = False):
        super().__init__(root, transform, target_transform)
        self.train = train
        folder = _root(root) / self.base_folder
        if download and not (folder / "meta").is_file():
            self.download(_root(root))
        name = "train" if train else "test"
        for needed in (name, "meta"):
            if not (folder / needed).is_file():
                raise DatasetNotFoundError(
                    f"CIFAR100: {folder / needed} not found; pass download=True to fetch "
                    f"{self.ARCHIVE} into {root}, or unpack it there", [str(folder / needed)])
        self.data, labels = _read_cifar_file(folder / name, self.label_key)
        self.targets = [int(label) for label in labels]
        meta = _unpickle_plain(folder / "meta")
        names = _entry(meta, self.meta_key, folder / "meta")
        if not isinstance(names, list | tuple):
            raise cifar10.CifarFormatError(f"{folder / 'meta'}: {self.meta_key!r} must be a "
                                           "list of names")
        self.classes = [n.decode("latin1") if isinstance(n, bytes) else str(n) for n in names]
        if self.targets and max(self.targets) >= len(self.classes):
            raise cifar10.CifarFormatError(f"{folder / name}: label {max(self.targets)} but "
                                           f"only {len(self.classes)} class names")

    def __getitem__(self, index):
        return self._sample(Image.fromarray(self.data[index]), self.targets[index])

    def __len__(self) -> int:
        return len(self.data)


def _unpickle_plain(path: Path):
    """A CIFAR python file through CIFAR-10's restricted unpickler (plain data only)."""
    data = verified_bytes(path)
    try:
        return cifar10._PlainDataUnpickler(data).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            IndexError, KeyError, MemoryError, RecursionError) as error:
        raise cifar10.CifarFormatError(f"{path}: not a readable CIFAR python file "
                                       f"({str(error) or type(error).__name__})") from None


def _entry(batch, key: str, path: Path):
    if not isinstance(batch, dict):
        raise cifar10.CifarFormatError(f"{path}: expected a pickled dict, got "
                                       f"{type(batch).__name__}")
    for candidate in (key.encode(), key):
        if candidate in batch:
            return batch[candidate]
    raise cifar10.CifarFormatError(f"{path}: no {key.encode()!r} entry (keys: {list(batch)})")


def _read_cifar_file(path: Path, label_key: str) -> tuple[np.ndarray, np.ndarray]:
    """(N, 32, 32, 3) uint8 images and (N,) int64 labels of a CIFAR python file."""
    batch = _unpickle_plain(path)
    data = np.asarray(_entry(batch, "data", path))
    labels = np.asarray(_entry(batch, label_key, path))
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise cifar10.CifarFormatError(f"{path}: b'data' must be (N, 3072) uint8, got "
                                       f"{data.shape} {data.dtype}")
    if labels.shape != (len(data),) or (labels.size and labels.dtype.kind not in "iu"):
        raise cifar10.CifarFormatError(f"{path}: {label_key!r} must hold {len(data)} ints, "
                                       f"got shape {labels.shape} of {labels.dtype}")
    if labels.size and labels.min() < 0:
        raise cifar10.CifarFormatError(f"{path}: negative label {labels.min()}")
    images = np.ascontiguousarray(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    return images, labels.astype(np.int64)


def _unchanged(image):
    return image


def _labels_of(source) -> list:
    if hasattr(source, "targets"):
        return list(source.targets)
    return list(source.labels)


def default_loader(path) -> Image.Image:
    """A file as an RGB Pillow image (decoded by minidl's checked image reader)."""
    return Image.fromarray(folders.load_image(path, "RGB"))


IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename: str, extensions) -> bool:
    """Whether ``filename`` ends (case-insensitively) with one of ``extensions``."""
    extensions = extensions if isinstance(extensions, str) else tuple(extensions)
    return str(filename).lower().endswith(extensions)


def find_classes(directory) -> tuple[list[str], dict[str, int]]:
    """The sorted names of the folders in ``directory`` and their indices."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    folders.check_class_names(Path(directory), classes)  # names must be text (logs, plots)
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: index for index, name in enumerate(classes)}


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None,
                 allow_empty: bool = False) -> list[tuple[str, int]]:
    """(path, class index) of every valid file under each class folder (searched
    recursively, in sorted order), as torchvision's ``make_dataset``: a file is valid when
    it ends with one of ``extensions``, or when ``is_valid_file(path)`` says so (give
    exactly one of the two)."""
    directory = os.path.expanduser(str(directory))
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any "
                         "samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at "
                         "the same time")
    if extensions is not None:
        def is_valid_file(path: str) -> bool:
            return has_file_allowed_extension(path, extensions)
    instances, found = [], set()
    for target_class in sorted(class_to_idx):
        class_index = class_to_idx[target_class]
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        for folder, _, names in sorted(os.walk(target_dir, followlinks=True)):
            for name in sorted(names):
                path = os.path.join(folder, name)
                if is_valid_file(path):
                    instances.append((path, class_index))
                    found.add(target_class)
    empty = set(class_to_idx) - found
    if empty and not allow_empty:
        message = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            listed = extensions if isinstance(extensions, str) else ", ".join(extensions)
            message += f"Supported extensions are: {listed}"
        raise FileNotFoundError(message)
    return instances


class DatasetFolder(VisionDataset):
    """``root/<class>/.../<file>``: the label is the index of the class folder among the
    sorted folder names; a sample is ``(transform(loader(path)), target_transform(label))``.
    ``extensions`` (or ``is_valid_file(path)``; exactly one) chooses the files, searched
    recursively.  ``classes``, ``class_to_idx``, ``samples`` (pairs of path and label)
    and ``targets`` as torchvision; ``find_classes`` and ``make_dataset`` can be
    overridden."""

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None,
                 is_valid_file=None, allow_empty: bool = False):
        super().__init__(root, transform, target_transform)
        directory = str(_root(root))
        classes, class_to_idx = self.find_classes(directory)
        self.samples = self.make_dataset(directory, class_to_idx, extensions, is_valid_file,
                                         allow_empty=allow_empty)
        self.loader, self.extensions = loader, extensions
        self.classes, self.class_to_idx = classes, class_to_idx
        self.targets = [label for _, label in self.samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None,
                     allow_empty: bool = False) -> list[tuple[str, int]]:
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory) -> tuple[list[str], dict[str, int]]:
        return find_classes(directory)

    def __getitem__(self, index):
        path, target = self.samples[index]
        return self._sample(self.loader(path), target)

    def __len__(self) -> int:
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """:class:`DatasetFolder` of images: the files ending with one of ``IMG_EXTENSIONS``
    (or chosen by ``is_valid_file(path)``), loaded by ``loader`` (default: RGB Pillow
    images); ``imgs`` is ``samples``."""

    def __init__(self, root, transform=None, target_transform=None, loader=None,
                 is_valid_file=None, allow_empty: bool = False):
        super().__init__(root, loader or default_loader,
                         IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples


class FakeData(VisionDataset):
    """``size`` random images of ``image_size`` (C, H, W) with random labels below
    ``num_classes``: Pillow images of uniformly random pixels, the same for an index
    every time (drawn from a generator seeded with ``index + random_offset``)."""

    def __init__(self, size: int = 1000, image_size=(3, 224, 224), num_classes: int = 10,
                 transform=None, target_transform=None, random_offset: int = 0):
        super().__init__(None, transform, target_transform)
        channels = image_size[0]
        if len(image_size) != 3 or channels not in (1, 3, 4):
            raise ValueError(f"FakeData: image_size must be (C, H, W) with 1, 3 or 4 "
                             f"channels, got {image_size!r}")
        self.size, self.image_size = size, tuple(image_size)
        self.num_classes, self.random_offset = num_classes, random_offset

    def __getitem__(self, index):
        if not 0 <= index < self.size:
            raise IndexError(f"FakeData: index {index} is out of range for {self.size} "
                             "images")
        rng = np.random.default_rng(index + self.random_offset)
        channels, height, width = self.image_size
        pixels = rng.integers(0, 256, (height, width, channels), dtype=np.uint8)
        image = Image.fromarray(pixels[..., 0] if channels == 1 else pixels)
        return self._sample(image, int(rng.integers(self.num_classes)))

    def __len__(self) -> int:
        return self.size
