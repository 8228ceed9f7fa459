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

import tarfile
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from ..data import Dataset
from ..datasets import cifar10, fashion_mnist, mnist
from ..datasets import image_folder as folders
from ..datasets.download import download_files
from ..datasets.locate import DatasetNotFoundError
from ..tensor import Tensor

__all__ = ["VisionDataset", "MNIST", "FashionMNIST", "CIFAR10", "ImageFolder", "FakeData"]


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


class MNIST(VisionDataset):
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

    @property
    def class_to_idx(self) -> dict:
        return {name: index for index, name in enumerate(self.classes)}

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


class CIFAR10(VisionDataset):
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
    MIRRORS = ["https://www.cs.toronto.edu/~kriz/"]

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

    @property
    def class_to_idx(self) -> dict:
        return {name: index for index, name in enumerate(self.classes)}

    @classmethod
    def download(cls, root: Path) -> None:
        """Fetch the official archive into ``root`` and unpack ``cifar-10-batches-py``
        (only that folder's regular files; nothing outside ``root`` is written)."""
        root.mkdir(parents=True, exist_ok=True)
        download_files("cifar10", cls.ARCHIVE_MD5, cls.MIRRORS, root, algorithm="md5")
        with tarfile.open(root / cls.ARCHIVE, "r:gz") as archive:
            members = [m for m in archive.getmembers()
                       if m.isfile() and Path(m.name).parts[:1] == (cifar10.OFFICIAL_FOLDER,)
                       and ".." not in Path(m.name).parts]
            with tempfile.TemporaryDirectory(dir=root) as staging:
                archive.extractall(staging, members=members, filter="data")
                Path(staging, cifar10.OFFICIAL_FOLDER).replace(root / cifar10.OFFICIAL_FOLDER)

    def __getitem__(self, index):
        image, _ = self._source[index]
        return self._sample(Image.fromarray(np.asarray(image)), self.targets[index])

    def __len__(self) -> int:
        return len(self._source)


def _unchanged(image):
    return image


def _labels_of(source) -> list:
    if hasattr(source, "targets"):
        return list(source.targets)
    return list(source.labels)


def default_loader(path) -> Image.Image:
    """A file as an RGB Pillow image (decoded by minidl's checked image reader)."""
    return Image.fromarray(folders.load_image(path, "RGB"))


class ImageFolder(VisionDataset):
    """``root/<class>/<image>``: the label is the index of the class folder among the
    sorted folder names.  ``classes``, ``class_to_idx``, ``samples`` (= ``imgs``, pairs of
    path and label) and ``targets`` as torchvision; images are loaded by ``loader``
    (default: RGB Pillow images), and ``is_valid_file(path)`` can leave files out."""

    def __init__(self, root, transform=None, target_transform=None, loader=None,
                 is_valid_file=None, allow_empty: bool = False):
        super().__init__(root, transform, target_transform)
        found = folders.ImageFolder(_root(root), transform=_unchanged)
        self.classes = list(found.classes)
        self.class_to_idx = {name: index for index, name in enumerate(self.classes)}
        self.samples = [(str(path), label) for path, label in zip(found.paths, found.labels)
                        if is_valid_file is None or is_valid_file(str(path))]
        if not self.samples and not allow_empty:
            raise FileNotFoundError(f"ImageFolder: no valid image files in the class folders "
                                    f"of {root}")
        self.imgs = self.samples
        self.targets = [label for _, label in self.samples]
        self.loader = loader or default_loader

    def __getitem__(self, index):
        path, target = self.samples[index]
        return self._sample(self.loader(path), target)

    def __len__(self) -> int:
        return len(self.samples)


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
