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

import math
import zlib
from pathlib import Path

import numpy as np

from minidl.datasets.checksums import verified_bytes

ELEMENT_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
GZIP_MAGIC = b"\x1f\x8b"
MAX_HEADER = 4 + 4 * 255
MAX_IDX_BYTES = 1 << 30   # 1 GiB of values: MNIST's largest file holds 47 MB


class IdxFormatError(ValueError):
    """A file is not a well-formed IDX file (the message names the file)."""


def read_idx(path, max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """The array stored in the IDX file ``path`` (gzip or plain), in native byte order.

    The file is checked against its ``SHA256SUMS`` where one lists it (see
    :mod:`.checksums`); an array of more than ``max_bytes`` is refused from its header,
    before anything is decompressed."""
    path = Path(path)
    raw = _read_bytes(path, max_bytes)
    shape, dtype, header_size = _header(path, raw, max_bytes)
    expected = math.prod(shape) * dtype.itemsize
    found = len(raw) - header_size
    if found != expected:
        state = "truncated" if found < expected else "has trailing bytes"
        raise IdxFormatError(f"{path}: {state}: shape {shape} needs {expected} bytes of "
                             f"data, found {found}")
    data = np.frombuffer(raw, dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def _header(path: Path, raw: bytes, max_bytes: int) -> tuple[tuple, np.dtype, int]:
    """(shape, dtype, header size) from the start of ``raw``."""
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
    if math.prod(shape) * dtype.itemsize > max_bytes:
        raise IdxFormatError(f"{path}: declares an array of shape {shape} {dtype.name} "
                             f"({math.prod(shape) * dtype.itemsize:,} bytes), over the limit "
                             f"of {max_bytes:,} bytes")
    return shape, dtype, header_size


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        raw = verified_bytes(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"IDX file not found: {path}") from None
    if raw[:2] != GZIP_MAGIC:
        return raw
    try:
        return _gunzip(path, raw, max_bytes)
    except zlib.error as error:
        raise IdxFormatError(f"{path}: corrupt or truncated gzip data ({error})") from None


def _gunzip(path: Path, compressed: bytes, max_bytes: int) -> bytes:
    """Decompress a gzip IDX file, never further than its header declares (plus one byte,
    to notice trailing data): a small file cannot expand into gigabytes."""
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    data = decompressor.decompress(compressed, MAX_HEADER)
    if len(data) >= 4 and len(data) >= 4 + 4 * data[3]:
        shape, dtype, header_size = _header(path, data, max_bytes)
        wanted = header_size + math.prod(shape) * dtype.itemsize + 1
        if len(data) < wanted:
            data += decompressor.decompress(decompressor.unconsumed_tail, wanted - len(data))
        if len(data) >= wanted:
            return data[:wanted]   # one byte too many: read_idx reports the trailing bytes
    if not decompressor.eof:
        raise IdxFormatError(f"{path}: corrupt or truncated gzip data (the compressed "
                             f"stream ends after {len(data):,} bytes)")
    return data   # complete, possibly too short for its header: read_idx says so
