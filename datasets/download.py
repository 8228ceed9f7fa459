"""Downloading a dataset's files, each checked against its published checksum (SHA-256,
or MD5 where that is all the source publishes, as for Fashion-MNIST and CIFAR-10).

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


LABELS = {"sha256": "SHA-256", "md5": "MD5"}


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """The hex digest of a file (``algorithm``: "sha256" or "md5")."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    return file_digest(path, "sha256")


def download_files(name: str, files: dict, mirrors: list, destination: Path,
                   algorithm: str = "sha256") -> None:
    """Download ``files`` (``{file name: checksum}``, hex digests of ``algorithm``) from the
    first mirror that has each, into ``destination``.

    Raises :class:`DatasetNotFoundError` naming the files that could not be fetched (no
    network, every mirror failed) or whose checksum did not match.
    """
    destination.mkdir(parents=True, exist_ok=True)
    failures = []
    for file_name, expected in files.items():
        target = destination / file_name
        if target.exists() and file_digest(target, algorithm) == expected:
            continue
        errors = []
        for mirror in mirrors:
            try:
                data = fetch(mirror + file_name)
            except (urllib.error.URLError, OSError, ValueError) as error:
                errors.append(f"{mirror + file_name}: {error}")
                continue
            actual = hashlib.new(algorithm, data).hexdigest()
            if actual != expected:
                errors.append(f"{mirror + file_name}: {LABELS[algorithm]} {actual} != expected "
                              f"{expected}")
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
    # SHA256SUMS lists SHA-256 sums whatever the source published (MD5 files are hashed again)
    write_sums(destination, files if algorithm == "sha256"
               else {file_name: sha256_of(destination / file_name) for file_name in files})
