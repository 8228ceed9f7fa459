"""The checkpoint of a run: everything needed to continue it as if it never stopped.

``checkpoint.h5`` (written with :func:`minidl.save`, atomically, after every epoch)::

    {"format": "minidl run", "version": 1,
     "epoch": 3,                          last finished epoch
     "finished": False,                   True once training ended (epochs or early stop)
     "models": {name: state_dict},        parameters and buffers (batch-norm statistics)
     "optimizers": {name: state_dict},    moments, step counts, learning rates
     "schedulers": {name: state_dict},
     "early_stopping": {...},             best value, its epoch, epochs without progress
     "task": {...},                       the task's own state (e.g. a colour palette)
     "rng": {...},                        minidl's global random state (dropout ...)
     "history": "[{...}, ...]"}           the records of metrics.jsonl, as JSON text
                                          (one string, not thousands of HDF5 nodes)

The order in which the data is shuffled needs no state: the trainer seeds each epoch's
shuffle from ``(seed, epoch)``. So restoring this dict and going on from ``epoch + 1``
repeats exactly what an uninterrupted run computes.

Two checkpoints are kept: before a new one replaces ``checkpoint.h5``, the one it
replaces becomes ``checkpoint.prev.h5`` (a hard link: no copy, no moment without a
``checkpoint.h5``). :func:`read_checkpoint` falls back to it, saying so, when the newest
cannot be read (damaged by a disk error, overwritten by hand ...).

Before writing, :func:`save_checkpoint` checks that the disk has room for the file (its
arrays plus HDF5's bookkeeping): a full disk is an ``OSError`` (``ENOSPC``) raised before
HDF5 starts the file. (An HDF5 file that runs out of space while being written cannot be
closed again: the library prints a stream of tracebacks, and crashes when the process
exits. Only another program filling the disk during the write can still bring that
about.)
"""
from __future__ import annotations

import errno
import json
import os
import shutil

import numpy as np

from .. import random as _random
from ..serialization import load, save
from ..tensor import Tensor
from .files import temporary_path
from .run_directory import RunDirectoryError

FORMAT, VERSION = "minidl run", 1
BYTES_PER_NODE = 4096     # HDF5's object header and chunk index of a value, at most
SPARE_BYTES = 1 << 20     # the file's superblock, root group, attributes, and slack


def save_checkpoint(run, task, epoch: int, history: list, early_stopping,
                    finished: bool = False, keep_previous: bool = True) -> None:
    """Write the checkpoint of ``epoch`` as ``run.checkpoint``; the one there before
    becomes ``run.previous_checkpoint`` when ``keep_previous`` (the trainer passes False
    when ``checkpoint.h5`` was unreadable: a damaged file must not push out a good one)."""
    checkpoint = {"format": FORMAT, "version": VERSION, "epoch": epoch, "finished": finished,
                  "models": {name: model.state_dict() for name, model in task.models.items()},
                  "optimizers": {name: opt.state_dict()
                                 for name, opt in task.optimizers.items()},
                  "schedulers": {name: s.state_dict() for name, s in task.schedulers.items()},
                  "early_stopping": early_stopping.state_dict(),
                  "task": task.state_dict(),
                  "rng": _random.get_rng_state(),
                  "history": json.dumps(history)}
    check_free_space(run.path, estimated_size(checkpoint), run.checkpoint)
    if keep_previous and run.checkpoint.exists():
        keep_as_previous(run.checkpoint, run.previous_checkpoint)
    save(checkpoint, run.checkpoint)


def estimated_size(value) -> int:
    """An upper estimate of the bytes :func:`minidl.save` writes for ``value``."""
    if isinstance(value, dict):
        return BYTES_PER_NODE + sum(estimated_size(v) for v in value.values())
    if isinstance(value, list | tuple):
        return BYTES_PER_NODE + sum(estimated_size(v) for v in value)
    if isinstance(value, Tensor):
        return BYTES_PER_NODE + value.array.nbytes
    if isinstance(value, np.ndarray):
        return BYTES_PER_NODE + value.nbytes
    if isinstance(value, str):
        return BYTES_PER_NODE + len(value.encode("utf-8"))
    return BYTES_PER_NODE


def check_free_space(folder, needed: int, path) -> None:
    """Raise ``OSError(ENOSPC)`` unless ``folder``'s file system has ``needed`` bytes
    (and some to spare) free."""
    free = shutil.disk_usage(folder).free
    if free < needed + SPARE_BYTES:
        raise OSError(errno.ENOSPC, f"No space left on device: {path} needs about "
                      f"{(needed + SPARE_BYTES) / 2**20:.1f} MiB, "
                      f"{free / 2**20:.1f} MiB are free", str(path))


def keep_as_previous(path, previous) -> None:
    """Make ``previous`` another name of the file ``path`` (a copy where the file system
    has no hard links), replacing what ``previous`` was."""
    if previous.exists() and os.path.samefile(path, previous):
        return  # already (renaming one link of a file over another would do nothing)
    temporary = temporary_path(previous)
    try:
        try:
            os.link(path, temporary)
        except OSError:
            shutil.copyfile(path, temporary)
        os.replace(temporary, previous)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_checkpoint(run, note=lambda text: None) -> tuple[dict, bool]:
    """``(checkpoint, newest)``: the newest readable checkpoint of ``run`` and whether it
    is ``checkpoint.h5`` (False: ``checkpoint.prev.h5``, after ``note`` was told why)."""
    try:
        return read_run_checkpoint(run.checkpoint), True
    except (ValueError, OSError) as newest_error:
        if not run.previous_checkpoint.exists():
            raise
        try:
            checkpoint = read_run_checkpoint(run.previous_checkpoint)
        except (ValueError, OSError) as previous_error:
            raise RunDirectoryError(f"run {run}: no checkpoint can be read: "
                                    f"{newest_error}; {previous_error}") from None
        note(f"{run.checkpoint} cannot be read ({newest_error}); using "
             f"{run.previous_checkpoint.name}, the checkpoint of epoch {checkpoint['epoch']}")
        return checkpoint, False


def read_run_checkpoint(path) -> dict:
    """The checkpoint dict at ``path``; a ``RunDirectoryError`` if the file is a minidl
    file but not a run's checkpoint of this version."""
    checkpoint = load(path)
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT or \
            checkpoint.get("version") != VERSION:
        raise RunDirectoryError(f"{path} is not a checkpoint of a minidl run of this "
                                f"version (format {FORMAT!r} {VERSION})")
    return checkpoint


def load_models(checkpoint: dict, task) -> None:
    """Put the models (and the task's own state) of ``checkpoint`` into ``task``."""
    for name, model in task.models.items():
        try:
            model.load_state_dict(checkpoint["models"][name])
        except RuntimeError as error:  # the run's configuration does not build this model
            raise RunDirectoryError(f"the checkpoint's model {name!r} does not fit the "
                                    f"model its run builds: {error}") from None
    task.load_state_dict(checkpoint["task"])


def restore_training(checkpoint: dict, task, early_stopping) -> dict:
    """Put everything of :func:`save_checkpoint` back into ``task`` and
    ``early_stopping``; returns the checkpoint with its ``history`` as a list of records."""
    load_models(checkpoint, task)
    checkpoint["history"] = json.loads(checkpoint["history"])
    for name, optimizer in task.optimizers.items():
        optimizer.load_state_dict(checkpoint["optimizers"][name])
    for name, scheduler in task.schedulers.items():
        scheduler.load_state_dict(checkpoint["schedulers"][name])
    early_stopping.load_state_dict(checkpoint["early_stopping"])
    _random.set_rng_state(checkpoint["rng"])
    return checkpoint
