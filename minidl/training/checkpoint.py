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
"""
from __future__ import annotations

import json

from .. import random as _random
from ..serialization import load, save
from .run_directory import RunDirectoryError

FORMAT, VERSION = "minidl run", 1


def save_checkpoint(path, task, epoch: int, history: list, early_stopping,
                    finished: bool = False) -> None:
    save({"format": FORMAT, "version": VERSION, "epoch": epoch, "finished": finished,
          "models": {name: model.state_dict() for name, model in task.models.items()},
          "optimizers": {name: opt.state_dict() for name, opt in task.optimizers.items()},
          "schedulers": {name: s.state_dict() for name, s in task.schedulers.items()},
          "early_stopping": early_stopping.state_dict(),
          "task": task.state_dict(),
          "rng": _random.get_rng_state(),
          "history": json.dumps(history)}, path)


def load_models(path, task) -> dict:
    """Load the models (and the task's own state) of the checkpoint at ``path`` into
    ``task``; returns the whole checkpoint."""
    checkpoint = load(path)
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT or \
            checkpoint.get("version") != VERSION:
        raise RunDirectoryError(f"{path} is not a checkpoint of a minidl run of this "
                                f"version (format {FORMAT!r} {VERSION})")
    for name, model in task.models.items():
        model.load_state_dict(checkpoint["models"][name])
    task.load_state_dict(checkpoint["task"])
    return checkpoint


def restore_training(path, task, early_stopping) -> dict:
    """Load everything of :func:`save_checkpoint` back; returns the checkpoint dict
    (``epoch``, ``history`` as a list of records, ``finished`` ...)."""
    checkpoint = load_models(path, task)
    checkpoint["history"] = json.loads(checkpoint["history"])
    for name, optimizer in task.optimizers.items():
        optimizer.load_state_dict(checkpoint["optimizers"][name])
    for name, scheduler in task.schedulers.items():
        scheduler.load_state_dict(checkpoint["schedulers"][name])
    early_stopping.load_state_dict(checkpoint["early_stopping"])
    _random.set_rng_state(checkpoint["rng"])
    return checkpoint
