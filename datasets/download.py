"""Downloading a dataset's files, each checked against its published SHA-256 sum.

Files are fetched into a temporary name next to their destination, checked, and only then
renamed into place, so an interrupted or corrupted download never leaves a file that
looks complete. The sums are then written beside the files as ``SHA256SUMS``, so later
damage is caught when they are read (see :mod:`.checksums`). Tests replace :func:`fetch`
to stay off the network.
"""
from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from pathlib import Path

from minidl.datasets.checksums import write_sums
from minidl.datasets.locate import DatasetNotFoundError

TIMEOUT_SECONDS = 30


def fetch(url: str) -> bytes:
    """The bytes at ``url``."""
    with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
        return response.read()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_files(name: str, files: dict, mirrors: list, destination: Path) -> None:
    """Download ``files`` (``{file name: sha256}``) from the first mirror that has each,
    into ``destination``.

    Raises :class:`DatasetNotFoundError` naming the files that could not be fetched (no
    network, every mirror failed) or whose checksum did not match.
    """
    destination.mkdir(parents=True, exist_ok=True)
    failures = []
    for file_name, expected in files.items():
        target = destination / file_name
        if target.exists() and sha256_of(target) == expected:
            continue
        errors = []
        for mirror in mirrors:
            try:
                data = fetch(mirror + file_name)
            except (urllib.error.URLError, OSError, ValueError) as error:
                errors.append(f"{mirror + file_name}: {error}")
                continue
            actual = hashlib.sha256(data).hexdigest()
            if actual != expected:
                errors.append(f"{mirror + file_name}: SHA-256 {actual} != expected {expected}")
                continue
            partial = target.with_name(target.name + ".part")
            partial.write_bytes(data)
            partial.replace(target)
            break
        else:
            failures.append(f"  {file_name}: " + "; ".join(errors))
    if failures:
        raise DatasetNotFoundError(f"dataset {name!r}: could not download into {destination}:\n"
                                   + "\n".join(failures))
    write_sums(destination, files)
