"""Optimizers and learning-rate schedules built from a run's settings.

    make_optimizer("adam", model.parameters(), lr=1e-3, beta1=0.9)
    make_scheduler("plateau", optimizer, epochs=20, step=10, gamma=0.5, patience=2)

``sgd`` is SGD with ``momentum``; ``adam`` and ``adamw`` use betas ``(beta1, 0.999)``;
``adadelta`` (Zeiler, 2012) usually runs with ``lr=1``. Schedules (stepped once per
epoch): ``step`` multiplies the rate by ``gamma`` every ``step`` epochs, ``plateau`` by
``gamma`` after ``patience`` epochs without progress of the monitored validation metric,
``cosine`` anneals it to 0 over ``epochs``; ``none`` keeps it.

A cosine schedule ends at the run's last epoch with a rate of 0. A run resumed with a
new total (``minidl train --resume RUN --epochs 15`` after 10) would go on at that
rate, learning nothing: :func:`stretch_cosine` makes the schedule anneal over the new
total instead, continuing from the epoch reached (the rate jumps back up from 0 to the
value the longer schedule has there).
"""
from __future__ import annotations

import math

from .. import optim
from ..optim import lr_scheduler


def make_optimizer(name: str, params, lr: float, momentum: float = 0.9, beta1: float = 0.9,
                   weight_decay: float = 0.0, library=optim):
    """The optimizer ``name`` of ``params`` with these settings; ``library``: the module
    holding the optimizer classes (``torch.optim`` builds PyTorch's with the same
    settings, for the benchmarks)."""
    params = list(params)
    if name == "sgd":
        return library.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adam":
        return library.Adam(params, lr=lr, betas=(beta1, 0.999), weight_decay=weight_decay)
    if name == "adamw":
        return library.AdamW(params, lr=lr, betas=(beta1, 0.999), weight_decay=weight_decay)
    if name == "adadelta":
        return library.Adadelta(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"make_optimizer: unknown optimizer {name!r} (sgd, adam, adamw, "
                     "adadelta)")


def make_scheduler(name: str, optimizer, epochs: int, step: int = 10, gamma: float = 0.5,
                   patience: int = 2, mode: str = "min"):
    """The schedule ``name`` for ``optimizer``, or None for ``"none"``."""
    if name == "none":
        return None
    if name == "step":
        return lr_scheduler.StepLR(optimizer, step_size=step, gamma=gamma)
    if name == "plateau":
        return lr_scheduler.ReduceLROnPlateau(optimizer, mode=mode, factor=gamma,
                                              patience=patience)
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    raise ValueError(f"make_scheduler: unknown schedule {name!r} (none, step, plateau, "
                     "cosine)")


def stretch_cosine(scheduler, epochs: int) -> bool:
    """Make a cosine schedule that anneals over another number of epochs anneal over
    ``epochs``, with each group's rate set to the new schedule's value at the epoch it
    has reached: ``eta_min + (base_lr - eta_min) (1 + cos(pi t / epochs)) / 2``.
    Returns whether anything changed (False for other schedules)."""
    if not isinstance(scheduler, lr_scheduler.CosineAnnealingLR) or scheduler.T_max == epochs:
        return False
    scheduler.T_max = epochs
    cosine = (1 + math.cos(math.pi * scheduler.last_epoch / epochs)) / 2
    for group, base_lr in zip(scheduler.optimizer.param_groups, scheduler.base_lrs):
        group["lr"] = scheduler.eta_min + (base_lr - scheduler.eta_min) * cosine
    scheduler._last_lr = [group["lr"] for group in scheduler.optimizer.param_groups]
    return True
