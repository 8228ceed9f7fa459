"""Small data files in the real formats, written by the tests themselves."""
import gzip
import pickle
import zlib

import numpy as np
from PIL import Image

IDX_TYPES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B,
             np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of ``array`` (big-endian)."""
    array = np.asarray(array)
    big_endian = array.astype(array.dtype.newbyteorder(">")) if array.itemsize > 1 else array
    header = bytes([0, 0, IDX_TYPES[big_endian.dtype], array.ndim])
    header += np.array(array.shape, dtype=">u4").tobytes()
    return header + big_endian.tobytes()


def write_idx(path, array, compress: bool) -> None:
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data) if compress else data)


def fake_digits(rng, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(count, 28, 28) uint8 "digits" (a solid block of ink 255 on 0 paper) and labels."""
    images = np.zeros((count, 28, 28), dtype=np.uint8)
    for image in images:
        top, left = rng.integers(2, 12, size=2)
        image[top:top + 12, left:left + 8] = 255
    return images, rng.integers(0, 10, size=count).astype(np.uint8)


def write_mnist(folder, rng, train_count: int = 40, test_count: int = 12,
                compress=(True, False, True, False)):
    """The four MNIST files in ``folder`` (some gzip, some plain); returns the arrays."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte"]
    train, test = fake_digits(rng, train_count), fake_digits(rng, test_count)
    for name, array, gz in zip(names, [*train, *test], compress):
        write_idx(folder / (name + (".gz" if gz else "")), array, gz)
        arrays[name] = array
    return arrays


def cifar_batch(rng, labels, protocol: int = 2, str_keys: bool = False):
    """(pickled CIFAR python batch, its (N, 3072) uint8 data) for random images."""
    data = rng.integers(0, 256, size=(len(labels), 3072), dtype=np.uint8)
    keys = ("data", "labels") if str_keys else (b"data", b"labels")
    return pickle.dumps({keys[0]: data, keys[1]: list(labels), b"batch_label": b"test"},
                        protocol=protocol), data


def write_image(path, array) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(path)


def png_bytes(width, height, rows):
    """A grayscale 8-bit PNG whose IDAT holds the zlib-compressed ``rows``."""
    def chunk(name, data):
        return (len(data).to_bytes(4, "big") + name + data
                + zlib.crc32(name + data).to_bytes(4, "big"))
    header = (width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0]))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows)
            + chunk(b"IEND", b""))


def huge_cifar_pickle() -> bytes:
    """A CIFAR batch whose array is reconstructed with 2**31 elements (2 GiB) up front."""
    batch = pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [1, 2]},
                         protocol=2)
    assert batch.count(b"K\x00\x85") == 1  # _reconstruct(ndarray, (0,), ...)
    return batch.replace(b"K\x00\x85", b"J\xff\xff\xff\x7f\x85")
