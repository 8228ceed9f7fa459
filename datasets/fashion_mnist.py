"""Fashion-MNIST (Zalando): 70,000 28x28 grayscale photos of clothes in 10 classes, a
drop-in replacement for MNIST with the same IDX files (same names, same layout).

    from minidl.datasets.fashion_mnist import load_fashion_mnist, CLASSES
    images, labels = load_fashion_mnist(train=True)   # (60000, 28, 28) uint8, (60000,) int64

The files are found in the order of :mod:`.locate` (``--data-dir``, then
``$MINIDL_DATA/fashion_mnist``, the user cache) and last downloaded into the cache from
Zalando's repository, checked against the MD5 sums Zalando publishes (the only checksums
there are for these files).  Unlike MNIST, they do not ship with minidl.
"""
from __future__ import annotations

from minidl.datasets.download import download_files
from minidl.datasets.locate import DatasetNotFoundError, Location, cache_dir, find_dataset
from minidl.datasets.mnist import check_files, read_split

NAME, FOLDER = "fashion-mnist", "fashion_mnist"
CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
           "Sneaker", "Bag", "Ankle boot")
MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
MIRRORS = ["https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
           "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
HINT = ("Fashion-MNIST's four files: " + ", ".join(MD5) + " (from " + MIRRORS[0] + ").")


def locate(data_dir=None, download: bool = True) -> Location:
    """Where the four Fashion-MNIST files are; downloads them into the cache as the last
    resort (when ``download``)."""
    try:
        return find_dataset(NAME, FOLDER, check_files, data_dir, hint=HINT)
    except DatasetNotFoundError as not_found:
        if not download or data_dir is not None:  # nothing is fetched into a given folder
            raise
        destination = cache_dir() / FOLDER
        try:
            download_files(NAME, MD5, MIRRORS, destination, algorithm="md5")
        except DatasetNotFoundError as failed:
            raise DatasetNotFoundError(f"{not_found}\n{failed}", not_found.reasons) from None
        return Location(destination, "download")


def load_fashion_mnist(train: bool = True, data_dir=None, download: bool = True):
    """``(images, labels)``: (N, 28, 28) uint8 and (N,) int64 (read-only); N is 60,000 for
    train and 10,000 for test; label k is ``CLASSES[k]``."""
    return read_split(locate(data_dir, download).path, bool(train))
