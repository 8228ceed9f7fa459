"""Writing the small files of a run so that a crash or a full disk never leaves half of one.

``write_text_atomically(path, text)``
    writes a hidden temporary file beside ``path`` (``.<name>.<8 hex digits>.tmp``, the
    names :func:`minidl.save` uses too), flushes it to disk (``fsync``) and renames it
    over ``path`` (``os.replace``, atomic on POSIX file systems): ``path`` holds the old
    text or the new, never a mix.
``append_line(path, line)``
    adds one line with a single ``write`` and ``fsync``; if the write fails part way (a
    full disk) the file is cut back to its old length, so it never ends in a torn line.
``remove_stale_temporaries(folder, names)``
    deletes the temporary files that interrupted writes of the files ``names`` left
    behind (``kill -9`` between writing and renaming). Only the process that owns those
    files may call it (the run lock, :mod:`.run_lock`): another writer's temporary file
    is not stale.
``is_disk_full(error)``
    whether an ``OSError`` means no space is left (``ENOSPC``) or the quota is spent
    (``EDQUOT``).
"""
from __future__ import annotations

import errno
import glob
import os
import re
import uuid
from pathlib import Path

TEMPORARY_SUFFIX = re.compile(r"^\.[0-9a-f]{8}\.tmp$")
DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


def temporary_path(path: Path) -> Path:
    """A fresh hidden name beside ``path`` for writing it atomically."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")


def fsync_path(path, directory: bool = False) -> None:
    """Flush a file's (or a folder's: its entries') data to the disk."""
    descriptor = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_text_atomically(path, text: str) -> None:
    path = Path(path)
    temporary = temporary_path(path)
    try:
        with open(temporary, "x", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_path(path.parent, directory=True)


def append_line(path, line: str) -> None:
    """Append ``line`` and a newline to ``path`` (created if missing), whole or not at all."""
    data = (line + "\n").encode("utf-8")
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        length = os.fstat(descriptor).st_size
        try:
            written = os.write(descriptor, data)
            if written != len(data):
                raise OSError(errno.ENOSPC, f"only {written} of {len(data)} bytes written",
                              str(path))
            os.fsync(descriptor)
        except OSError:
            os.ftruncate(descriptor, length)
            raise
    finally:
        os.close(descriptor)


def remove_stale_temporaries(folder, names) -> list[str]:
    """Delete the leftover temporary files of the files ``names`` in ``folder``
    (``.<name>.<8 hex digits>.tmp``); returns their names."""
    removed = []
    for name in names:
        for path in sorted(Path(folder).glob(f".{glob.escape(name)}.*.tmp")):
            if TEMPORARY_SUFFIX.match(path.name[len(name) + 1:]) and path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path.name)
    return removed


def is_disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in DISK_FULL
