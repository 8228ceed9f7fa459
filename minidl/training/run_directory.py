"""A run directory: everything one training run leaves behind, in one folder.

    runs/colorized-mnist-digits-20250101-120000/
        config.json      the resolved configuration: every value the run used
        metrics.jsonl    one JSON object per finished epoch (losses, metrics, time)
        checkpoint.h5    models, optimizers, schedulers, epoch and random states
                         (written atomically by ``minidl.save`` after every epoch)
        checkpoint.prev.h5   the checkpoint before it, the fallback if it is unreadable
        summary.txt      the layer summary of each model
        train.lock       held by the ``minidl train`` writing the run (:mod:`.run_lock`)
        *.png            plots (curves, confusion matrix, image grids)

``minidl train --resume DIR``, ``minidl eval DIR`` and ``minidl colorize DIR`` take such a
folder; :meth:`RunDirectory.open` refuses any folder without a ``config.json``.

No write leaves half a file (:mod:`.files`): config.json is replaced atomically,
metrics.jsonl grows by whole lines (a line torn all the same, by a crash of the machine,
is reported by :meth:`RunDirectory.torn_metrics_line` and dropped on resuming, which
rewrites the file from the checkpoint).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from .files import append_line, write_text_atomically
from .run_lock import RunLock


class RunDirectoryError(ValueError):
    """A run directory cannot be created, or a folder is not a run directory."""


class RunConfig(dict):
    """A run's configuration as read from its config.json: a missing entry is an error
    that names the file, not a bare ``KeyError``."""

    def __init__(self, values: dict, source: Path):
        super().__init__(values)
        self.source = source

    def __missing__(self, key):
        raise RunDirectoryError(f"{self.source} has no {key!r} entry (edited by hand, or "
                                "written by another version of minidl?)")


class RunDirectory:
    """The files of one run (see the module docstring)."""

    CONFIG = "config.json"
    METRICS = "metrics.jsonl"
    CHECKPOINT = "checkpoint.h5"
    PREVIOUS_CHECKPOINT = "checkpoint.prev.h5"
    SUMMARY = "summary.txt"
    # the files written atomically while training (through temporary files)
    WRITTEN_BY_TRAINING = (CONFIG, METRICS, CHECKPOINT, PREVIOUS_CHECKPOINT)

    def __init__(self, path):
        self.path = Path(path)
        self._lock = RunLock(self.path)

    @classmethod
    def create(cls, out, name: str) -> RunDirectory:
        """A new folder ``out/<name>-<YYYYmmdd-HHMMSS>`` (``-2``, ``-3`` ... appended when
        that exists already)."""
        stem = f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
        out = Path(out)
        for attempt in range(1, 1000):
            path = out / (stem if attempt == 1 else f"{stem}-{attempt}")
            try:
                path.mkdir(parents=True, exist_ok=False)
            except FileExistsError:
                if path.is_dir():
                    continue
                raise RunDirectoryError(f"cannot create run directory {path}: a file of "
                                        "that name exists") from None
            except OSError as error:
                reason = error.strerror or str(error)
                raise RunDirectoryError(f"cannot create run directory {path}: "
                                        f"{reason}") from None
            if not os.access(path, os.W_OK):
                raise RunDirectoryError(f"cannot write in run directory {path}")
            return cls(path)
        raise RunDirectoryError(f"cannot create run directory {out / stem}: too many runs "
                                "started in the same second")

    @classmethod
    def open(cls, path) -> RunDirectory:
        """An existing run directory; raises :class:`RunDirectoryError` for any other
        folder."""
        path = Path(path)
        if not path.is_dir():
            raise RunDirectoryError(f"{path} is not a run directory (no such folder)")
        if not (path / cls.CONFIG).is_file():
            raise RunDirectoryError(f"{path} is not a run directory (it has no "
                                    f"{cls.CONFIG}; run directories are made by "
                                    "`minidl train`)")
        return cls(path)

    def file(self, name: str) -> Path:
        return self.path / name

    @property
    def checkpoint(self) -> Path:
        return self.path / self.CHECKPOINT

    @property
    def previous_checkpoint(self) -> Path:
        return self.path / self.PREVIOUS_CHECKPOINT

    def has_checkpoint(self) -> bool:
        return self.checkpoint.exists() or self.previous_checkpoint.exists()

    def lock(self) -> None:
        """Make this process the run's only writer (see :mod:`.run_lock`)."""
        self._lock.acquire()

    def unlock(self) -> None:
        self._lock.release()

    def write_config(self, config: dict) -> None:
        write_text_atomically(self.file(self.CONFIG), json.dumps(config, indent=2) + "\n")

    def read_config(self) -> dict:
        try:
            config = json.loads(self.file(self.CONFIG).read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise RunDirectoryError(f"{self.file(self.CONFIG)} cannot be read: "
                                    f"{error}") from None
        if not isinstance(config, dict) or "study" not in config:
            raise RunDirectoryError(f"{self.file(self.CONFIG)} is not a minidl run "
                                    "configuration (no 'study' entry)")
        return RunConfig(config, self.file(self.CONFIG))

    def write_metrics(self, history: list[dict]) -> None:
        """Rewrite metrics.jsonl with one line per record of ``history``."""
        lines = "".join(json.dumps(record) + "\n" for record in history)
        write_text_atomically(self.file(self.METRICS), lines)

    def append_metrics(self, record: dict) -> None:
        """Add one line to metrics.jsonl."""
        append_line(self.file(self.METRICS), json.dumps(record))

    def torn_metrics_line(self) -> str | None:
        """The last line of metrics.jsonl if a crash cut it short (no newline at its
        end, or not JSON), else None."""
        path = self.file(self.METRICS)
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        if not text:
            return None
        last = text.splitlines()[-1]
        if not text.endswith("\n"):
            return last
        try:
            json.loads(last)
        except json.JSONDecodeError:
            return last
        return None

    def __str__(self) -> str:
        return str(self.path)
