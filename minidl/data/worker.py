"""``get_worker_info`` (``torch.utils.data.get_worker_info``): which DataLoader worker the
calling code runs in.

minidl's DataLoader workers are threads, not processes: with ``num_workers > 0`` a
map-style dataset's ``__getitem__`` / ``__getitems__`` (and ``worker_init_fn``) run in
worker threads, where :func:`get_worker_info` returns a :class:`WorkerInfo` with the
thread's ``id`` (0 ... num_workers - 1), ``num_workers``, ``seed`` (the epoch's base seed
plus the id, as PyTorch's) and ``dataset`` -- the loader's own dataset, not a copy
(threads share it).  Everywhere else, including while an :class:`IterableDataset` is
iterated (minidl reads a stream once, in the calling thread, whatever ``num_workers``
is), it returns None, so the usual sharding pattern::

    info = get_worker_info()
    if info is None:                     # single process: the whole stream
        start, stop = 0, n
    else:                                # split the stream between the workers
        ...

yields each item exactly once.
"""
from __future__ import annotations

import threading

_local = threading.local()


class WorkerInfo:
    """``id``, ``num_workers``, ``seed`` and ``dataset`` of a DataLoader worker; read-only
    once built, as PyTorch's."""

    __initialized = False

    def __init__(self, **kwargs):
        for key, value in kwargs.items():
            setattr(self, key, value)
        self.__keys = tuple(kwargs)
        self.__initialized = True

    def __setattr__(self, key, value):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {type(self).__name__} objects")
        return super().__setattr__(key, value)

    def __repr__(self) -> str:
        items = ", ".join(f"{key}={getattr(self, key)}" for key in self.__keys)
        return f"{type(self).__name__}({items})"


def get_worker_info() -> WorkerInfo | None:
    """The :class:`WorkerInfo` of the DataLoader worker thread calling it; None in the
    main thread (see the module docstring)."""
    return getattr(_local, "info", None)


def _enter_worker(info: WorkerInfo) -> None:
    """Mark the calling (worker) thread as DataLoader worker ``info.id``."""
    _local.info = info
