"""Known SHA-256 sums of dataset files: a ``SHA256SUMS`` file beside them.

A dataset folder may hold a ``SHA256SUMS`` file in ``sha256sum``'s format, one
``<64 hex digits>  <path relative to the folder>`` per line. The copy of MNIST shipped
inside minidl has one, downloads into the user cache get one, and each dataset of
``../shared/data`` has one. Files that are read whole (MNIST's IDX files, CIFAR's python
batches) are checked against it as they are read, so a damaged or replaced file is one
clear :class:`ChecksumError` naming it, never wrong data. A file that no list names (a
dataset you made yourself) is read unchecked.

The list is looked for in the file's own folder, then in the folder above (CIFAR's
``cifar-10-batches-py/`` sits inside the ``cifar10`` folder); the first list found that
names the file decides.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
from pathlib import Path

SUMS_FILE = "SHA256SUMS"
SEARCH_LEVELS = 2
SUM_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")


class ChecksumError(ValueError):
    """A dataset file's SHA-256 is not the one its ``SHA256SUMS`` lists."""


def verified_bytes(path) -> bytes:
    """The content of ``path``, after checking it against its known SHA-256, if any."""
    path = Path(path)
    data = path.read_bytes()
    known = known_sha256(path)
    if known is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != known[0]:
            raise ChecksumError(f"{path}: damaged or replaced: its SHA-256 is {actual}, but "
                                f"{known[1]} lists {known[0]}; restore the file (or remove "
                                "its line from that list if you changed it on purpose)")
    return data


def known_sha256(path: Path) -> tuple[str, Path] | None:
    """(the sum listed for ``path``, the list that lists it), or None if none does."""
    folder = path.parent
    for _ in range(SEARCH_LEVELS):
        sums_path = folder / SUMS_FILE
        try:
            stat = sums_path.stat()
        except OSError:
            stat = None
        if stat is not None:
            listed = _read_sums(sums_path, stat.st_mtime_ns, stat.st_size)
            relative = os.path.normpath(os.path.relpath(path, folder))
            if relative in listed:
                return listed[relative], sums_path
        folder = folder.parent
    return None


def write_sums(folder: Path, sums: dict) -> None:
    """Write ``{file name: sha256}`` as the ``SHA256SUMS`` of ``folder``."""
    lines = "".join(f"{digest}  ./{name}\n" for name, digest in sorted(sums.items()))
    temporary = folder / (SUMS_FILE + ".part")
    temporary.write_text(lines, encoding="utf-8")
    temporary.replace(folder / SUMS_FILE)


@functools.lru_cache(maxsize=16)
def _read_sums(sums_path: Path, mtime_ns: int, size: int) -> dict:
    """{normalized relative path: lower-case sum} of a list (cached while it is unchanged);
    lines that are not ``<sum>  <path>`` are ignored."""
    listed = {}
    with open(sums_path, encoding="utf-8", errors="surrogateescape") as file:
        for line in file:
            match = SUM_LINE.fullmatch(line.rstrip("\r\n"))
            if match:
                listed[os.path.normpath(match[2])] = match[1].lower()
    return listed
