"""DataLoader: batches of a dataset, shuffled with a seed, built ahead in worker threads.

    loader = DataLoader(dataset, batch_size=64, shuffle=True, num_workers=2)
    for images, labels in loader:        # Tensors (64, C, H, W) float32, (64,) int64
        ...

One epoch (one ``for`` over the loader):

1. An epoch seed is drawn from ``generator`` (an int seed or a NumPy Generator given to
   the loader) or, without one, from minidl's global generator — so
   ``minidl.manual_seed(s)`` before building the loader fixes every epoch.
2. The order of the samples is the ``sampler``'s (e.g. a
   :class:`~minidl.data.DistributedSampler`: this rank's shard) when one is given, else a
   permutation drawn from the epoch seed (``shuffle``) or 0, 1, 2, ...; it is cut into
   batches of ``batch_size`` (the last one shorter, or dropped with ``drop_last``).
3. Dataset item ``index`` is built (``dataset[index]``, which decodes and augments)
   while :func:`~minidl.data.seeding.sample_generator` is a generator seeded with
   ``(epoch seed, index)``: random transforms draw from it, so an item's augmentation in
   an epoch is fixed by the seed, whatever ``num_workers`` is, whichever batch or rank
   (of data-parallel training) the item falls in.
   A dataset that builds a whole batch at once (``dataset.__getitems__(indices)`` -> the
   list of samples, PyTorch's protocol; a :class:`~minidl.data.Subset` of one has it too)
   is called once per batch instead, its random draws seeded with ``(epoch seed, the
   batch's indices)``.
4. ``collate_fn`` (default: :func:`~minidl.data.collate.default_collate`) stacks the
   samples of a batch into Tensors.

With ``num_workers > 0``, a pool of that many threads builds batches ahead of the
training loop, at most ``num_workers * prefetch_factor`` at a time, and the loader
yields them in order. Threads suit this work: Pillow's decoding and resizing and
NumPy's array maths release the GIL, so decoding the next batch overlaps the compute on
the current one, with no copies between processes.
"""
from __future__ import annotations

import itertools
import math
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import numpy as np

from .collate import default_collate
from .seeding import as_generator, using_generator


class DataLoader:
    """Iterate over ``dataset`` in batches (see the module docstring).

    Args:
        dataset: anything with ``len`` and ``[index]``.
        batch_size: samples per batch.
        shuffle: draw a new order every epoch.
        sampler: an iterable of dataset indices with a length, giving each epoch's order
            (then ``shuffle`` must be False).
        drop_last: leave out the last batch when it is shorter than ``batch_size``.
        collate_fn: list of samples -> batch; default :func:`default_collate`.
        num_workers: threads that build batches in the background; 0 builds each batch in
            the calling thread when it is asked for.
        prefetch_factor: batches each worker may have ready ahead of time.
        generator: an int seed or a NumPy Generator for the epoch seeds; None uses
            minidl's global generator.
        worker_init_fn: called once in each worker thread, with the worker's id
            (0 ... num_workers - 1), before it builds its first batch.
        timeout: seconds to wait for a batch from the workers (0: no limit).
        pin_memory, persistent_workers: accepted for PyTorch programs; no effect here
            (batches are NumPy arrays that ``.to("cuda")`` copies, and the worker threads
            cost nothing to start each epoch).
    """

    def __init__(self, dataset, batch_size: int = 1, shuffle: bool | None = False,
                 sampler=None, drop_last: bool = False, collate_fn=None, num_workers: int = 0,
                 prefetch_factor: int | None = 2, generator=None, *,
                 pin_memory: bool = False, persistent_workers: bool = False,
                 worker_init_fn=None, timeout: float = 0, pin_memory_device: str = ""):
        _check_count("batch_size", batch_size, minimum=1)
        _check_count("num_workers", num_workers, minimum=0)
        prefetch_factor = 2 if prefetch_factor is None else prefetch_factor
        _check_count("prefetch_factor", prefetch_factor, minimum=1)
        if persistent_workers and num_workers == 0:
            raise ValueError("DataLoader: persistent_workers=True needs num_workers > 0")
        if worker_init_fn is not None and not callable(worker_init_fn):
            raise TypeError(f"DataLoader: worker_init_fn must be callable, got "
                            f"{type(worker_init_fn).__name__}")
        if not isinstance(timeout, int | float) or timeout < 0:
            raise ValueError(f"DataLoader: timeout must be a number >= 0, got {timeout!r}")
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must support len() and indexing, got "
                            f"{type(dataset).__name__}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if sampler is not None and not (hasattr(sampler, "__iter__")
                                        and hasattr(sampler, "__len__")):
            raise TypeError(f"DataLoader: sampler must be an iterable of indices with a "
                            f"length, got {type(sampler).__name__}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.sampler = sampler
        self.drop_last = drop_last
        self.collate_fn = collate_fn or default_collate
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.generator = None if generator is None else as_generator(generator, "DataLoader")
        self.pin_memory, self.persistent_workers = pin_memory, persistent_workers
        self.worker_init_fn, self.timeout = worker_init_fn, timeout

    def __len__(self) -> int:
        """Batches per epoch."""
        count = self._samples() / self.batch_size
        return math.floor(count) if self.drop_last else math.ceil(count)

    def __iter__(self):
        epoch_seed = int(as_generator(self.generator, "DataLoader").integers(2 ** 63))
        jobs = self._batches(epoch_seed)
        if self.num_workers == 0:
            for job in jobs:
                yield self._load_batch(*job)
            return
        ahead = self.num_workers * self.prefetch_factor
        pending = deque()
        worker_ids = itertools.count()
        initializer = None if self.worker_init_fn is None else (
            lambda: self.worker_init_fn(next(worker_ids)))
        with ThreadPoolExecutor(self.num_workers, thread_name_prefix="minidl-data",
                                initializer=initializer) as pool:
            try:
                for job in jobs:
                    pending.append(pool.submit(self._load_batch, *job))
                    if len(pending) >= ahead:
                        yield self._result(pending.popleft())
                while pending:
                    yield self._result(pending.popleft())
            finally:  # the loop stopped early (break, error): drop the batches not started
                for future in pending:
                    future.cancel()

    def _result(self, future):
        try:
            return future.result(timeout=self.timeout or None)
        except FutureTimeout:
            raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds waiting "
                               "for a batch") from None

    def _samples(self) -> int:
        return len(self.sampler) if self.sampler is not None else len(self.dataset)

    def _order(self, epoch_seed: int) -> np.ndarray:
        if self.sampler is not None:
            return np.fromiter(iter(self.sampler), dtype=np.int64)
        n = len(self.dataset)
        return (np.random.default_rng(epoch_seed).permutation(n) if self.shuffle
                else np.arange(n))

    def _batches(self, epoch_seed: int) -> list:
        """``(epoch seed, dataset indices)`` per batch."""
        order = self._order(epoch_seed)
        n = len(order)
        stop = (n // self.batch_size) * self.batch_size if self.drop_last else n
        return [(epoch_seed, order[start:min(start + self.batch_size, stop)])
                for start in range(0, stop, self.batch_size)]

    def _load_batch(self, epoch_seed: int, indices: np.ndarray):
        indices = indices.tolist()
        load_batch = getattr(self.dataset, "__getitems__", None)
        if load_batch is not None:
            with using_generator([epoch_seed, *indices]):
                return self.collate_fn(load_batch(indices))
        samples = []
        for index in indices:
            with using_generator([epoch_seed, index]):
                samples.append(self.dataset[index])
        return self.collate_fn(samples)


def _check_count(name: str, value, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"DataLoader: {name} must be an int >= {minimum}, got {value!r}")
