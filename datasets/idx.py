"""The IDX file format of MNIST (LeCun et al.), plain or gzip-compressed.

Layout, all integers big-endian::

    bytes 0-1   0x00 0x00
    byte  2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64
    byte  3     number of dimensions d
    then        d sizes, uint32 each
    then        the elements, row-major

MNIST: ``*-images-idx3-ubyte`` hold (N, 28, 28) uint8 pixels, ``*-labels-idx1-ubyte``
hold (N,) uint8 labels. A gzip file is recognised by its first two bytes (0x1f 0x8b),
not by its name.
"""
from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

ELEMENT_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
GZIP_MAGIC = b"\x1f\x8b"


class IdxFormatError(ValueError):
    """A file is not a well-formed IDX file (the message names the file)."""


def read_idx(path) -> np.ndarray:
    """The array stored in the IDX file ``path`` (gzip or plain), in native byte order."""
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise IdxFormatError(f"{path}: not an IDX file: only {len(raw)} bytes")
    zeros, element_type, ndim = raw[:2], raw[2], raw[3]
    if zeros != b"\x00\x00" or element_type not in ELEMENT_TYPES:
        raise IdxFormatError(f"{path}: not an IDX file: bad magic number {raw[:4].hex()} "
                             "(expected 0000 then a type byte 08/09/0b/0c/0d/0e and the rank)")
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise IdxFormatError(f"{path}: truncated IDX header: {ndim} dimensions need "
                             f"{header_size} bytes, the file has {len(raw)}")
    shape = tuple(int(s) for s in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    dtype = np.dtype(ELEMENT_TYPES[element_type])
    expected = int(np.prod(shape)) * dtype.itemsize
    found = len(raw) - header_size
    if found != expected:
        state = "truncated" if found < expected else "has trailing bytes"
        raise IdxFormatError(f"{path}: {state}: shape {shape} needs {expected} bytes of "
                             f"data, found {found}")
    data = np.frombuffer(raw, dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"IDX file not found: {path}") from None
    if raw[:2] != GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise IdxFormatError(f"{path}: corrupt or truncated gzip data ({error})") from None
