"""One writer per run directory: the lock ``minidl train`` holds while it writes a run.

Two processes training one run directory (two ``minidl train --resume`` at once) would
write the same epochs twice into metrics.jsonl and overwrite each other's checkpoints.
So ``minidl train`` takes an exclusive ``flock`` on the file ``train.lock`` in the run
directory before it writes anything there, and keeps it until it ends. The file holds
who has the lock (``pid 4242 on host lab-3 since 2025-01-01 12:00:00``), so a second
process refuses with one line naming the holder.

The operating system drops the lock when its process ends, however it ends (``kill -9``
included), so a crashed run never stays locked; the file itself may stay, and means
nothing once no process holds it. (``flock`` is local to a machine: two machines sharing
a run directory over NFS are not kept apart.)
"""
from __future__ import annotations

import fcntl
import os
import socket
import time
from pathlib import Path

LOCK_FILE = "train.lock"


class RunLockedError(OSError):
    """Another process is training this run directory (an OSError: like a file in use)."""


class RunLock:
    def __init__(self, folder):
        self.path = Path(folder) / LOCK_FILE
        self._descriptor: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`RunLockedError` naming the process holding it."""
        if self._descriptor is not None:
            return
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(descriptor, 200).decode("utf-8", "replace").strip()
                raise RunLockedError(f"run {self.path.parent} is being trained by another "
                                     f"process ({holder or 'holder unknown'}); wait until "
                                     "it ends or stop it first") from None
            holder = (f"pid {os.getpid()} on host {socket.gethostname()} since "
                      f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, holder.encode("utf-8"), 0)
        except BaseException:
            os.close(descriptor)
            raise
        self._descriptor = descriptor

    def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing the file drops its flock
            self._descriptor = None
