"""Where a dataset's files are: the search order shared by every dataset.

For a dataset kept in the folder ``<folder>`` (``mnist``, ``cifar10``, ``ncd`` ...), the
places tried, in order, are:

1. ``data_dir`` (the ``--data-dir`` option): ``data_dir/<folder>``, then ``data_dir``
   itself (so both the root of all datasets and the dataset's own folder work);
2. ``$MINIDL_DATA/<folder>`` (``MINIDL_DATA`` names the root that holds the folders);
3. the copy shipped inside the package, for datasets that ship one (MNIST);
4. the user cache, ``$XDG_CACHE_HOME/minidl/<folder>`` (``~/.cache/minidl/<folder>``);
5. a download from the official source into the cache, checked against SHA-256 sums,
   for datasets that can be downloaded (see :mod:`.download`).

The first place where ``check(path)`` finds the files complete wins. When none does, a
:class:`DatasetNotFoundError` lists every place tried and what was missing there.

A folder given explicitly (``data_dir``) is the only place looked in: when it does not
hold the dataset (or does not exist), the error says so, rather than the data of
``$MINIDL_DATA``, the package or the cache silently standing in for what was asked
(and being recorded as ``--data-dir`` in a run's config.json). Nothing is downloaded
into it either.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DATA_ENV = "MINIDL_DATA"


class DatasetNotFoundError(FileNotFoundError):
    """A dataset's files are in none of the searched places; ``reasons`` lists each place
    tried and what was missing there."""

    def __init__(self, message: str, reasons=()):
        super().__init__(message)
        self.reasons = list(reasons)

    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class Location:
    """A found dataset: its folder and how it was found (``"--data-dir"``,
    ``"$MINIDL_DATA"``, ``"package"``, ``"user cache"``, ``"download"``)."""
    path: Path
    source: str


def cache_dir() -> Path:
    """The user cache of minidl: ``$XDG_CACHE_HOME/minidl`` or ``~/.cache/minidl``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "minidl"


def candidate_dirs(folder: str, data_dir=None, packaged: Path | None = None) -> list:
    """``(source, path)`` for every place to look, in the search order (only the two in
    ``data_dir`` when it is given)."""
    if data_dir is not None:
        return [("--data-dir", Path(data_dir) / folder), ("--data-dir", Path(data_dir))]
    candidates = []
    if os.environ.get(DATA_ENV):
        candidates.append(("$MINIDL_DATA", Path(os.environ[DATA_ENV]) / folder))
    if packaged is not None:
        candidates.append(("package", packaged))
    candidates.append(("user cache", cache_dir() / folder))
    return candidates


def find_dataset(name: str, folder: str, check, data_dir=None, packaged: Path | None = None,
                 hint: str = "") -> Location:
    """The first candidate folder where ``check(path)`` returns ``None`` (complete).

    ``check`` returns ``None`` when the folder holds the dataset, else a short reason
    (e.g. ``"missing train-images-idx3-ubyte.gz"``). ``hint`` is appended to the error
    (where to get the files).
    """
    reasons = []
    for source, path in candidate_dirs(folder, data_dir, packaged):
        problem = check(path) if path.is_dir() else "no such folder"
        if problem is None:
            return Location(path, source)
        reasons.append(f"{source}: {path}: {problem}")
    if data_dir is not None:
        hint = (f"Only --data-dir is searched when it is given (not ${DATA_ENV}, the "
                f"package or the cache). {hint}").strip()
    raise DatasetNotFoundError(not_found_message(name, folder, reasons, hint), reasons)


def not_found_message(name: str, folder: str, reasons: list, hint: str = "") -> str:
    """The text of a :class:`DatasetNotFoundError`: what was tried and where to put files."""
    lines = [f"dataset {name!r} not found. Looked in:", *(f"  {r}" for r in reasons),
             f"Put the files in a folder named {folder!r} under the directory given by "
             f"--data-dir or ${DATA_ENV}, or in {cache_dir() / folder}."]
    if hint:
        lines.append(hint)
    return "\n".join(lines)


def missing_files(path: Path, names) -> str | None:
    """A ``check`` for :func:`find_dataset`: ``None`` when every name exists in ``path``
    (a name may be a tuple of alternatives), else which are missing."""
    missing = []
    for name in names:
        alternatives = name if isinstance(name, tuple) else (name,)
        if not any((path / alternative).exists() for alternative in alternatives):
            missing.append(" or ".join(alternatives))
    return f"missing {', '.join(missing)}" if missing else None


def has_subfolders(subfolder: str, what: str):
    """A ``check`` for :func:`find_dataset`: ``path/subfolder`` exists and holds folders
    (``what``: "class folders", "breed folders" ...)."""
    def check(path: Path) -> str | None:
        folder = path / subfolder
        if not folder.is_dir():
            return f"no {subfolder}/ folder"
        if not any(p.is_dir() for p in folder.iterdir()):
            return f"{subfolder}/ has no {what}"
        return None
    return check
