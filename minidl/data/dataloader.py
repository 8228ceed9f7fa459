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

from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from .seeding import as_generator, using_generator
from .worker import WorkerInfo, _enter_worker


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
        pin_memory, persistent_workers, multiprocessing_context, in_order: accepted for
            PyTorch programs; no effect here (batches are NumPy arrays that ``.to("cuda")``
            copies, the workers are threads that cost nothing to start each epoch, and
            batches always come in order).
        batch_sampler: an iterable of lists of indices, one list a batch (then
            batch_size, shuffle, sampler and drop_last keep their defaults).
        batch_size=None: no batching; each sample comes as the dataset returns it, its
            arrays made Tensors (``default_convert``).
    An :class:`~minidl.data.IterableDataset` is read in order in the calling thread and
    cut into batches.
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = False,
                 sampler=None, batch_sampler=None, num_workers: int = 0, collate_fn=None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int | None = 2, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True):
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive "
                                 "with batch_size, shuffle, sampler, and drop_last")
            if not hasattr(batch_sampler, "__iter__"):
                raise TypeError(f"DataLoader: batch_sampler must be an iterable of lists of "
                                f"indices, got {type(batch_sampler).__name__}")
            batch_size = None
        elif batch_size is None:
            if drop_last:
                raise ValueError("DataLoader: batch_size=None option disables auto-batching "
                                 "and is mutually exclusive with drop_last")
        else:
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
        self.iterable = isinstance(dataset, IterableDataset)
        if self.iterable and (shuffle or sampler is not None or batch_sampler is not None):
            raise ValueError("DataLoader: an IterableDataset gives its own order: shuffle, "
                             "sampler and batch_sampler do not apply")
        if not self.iterable and (not hasattr(dataset, "__len__")
                                  or not hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader: dataset must support len() and indexing (or be an "
                            f"IterableDataset), got {type(dataset).__name__}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if sampler is not None and not (hasattr(sampler, "__iter__")
                                        and hasattr(sampler, "__len__")):
            raise TypeError(f"DataLoader: sampler must be an iterable of indices with a "
                            f"length, got {type(sampler).__name__}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        # what the epochs follow: the user's sampler / batch sampler, else the loader's
        # own seeded order (see the module docstring)
        self._given_sampler = sampler
        self._given_batch_sampler = batch_sampler
        self.drop_last = drop_last
        batching = batch_size is not None or batch_sampler is not None
        self.collate_fn = collate_fn or (default_collate if batching else default_convert)
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.generator = None if generator is None else as_generator(generator, "DataLoader")
        self.pin_memory, self.persistent_workers = pin_memory, persistent_workers
        self.worker_init_fn, self.timeout = worker_init_fn, timeout
        # PyTorch's public attributes: the sampler and batch sampler in use, defaults
        # built as PyTorch builds them (the loader itself draws the default orders from
        # its epoch seeds, equivalently; iterating these objects directly is independent)
        if sampler is None:
            if self.iterable:
                sampler = _InfiniteConstantSampler()
            elif self.shuffle:
                sampler = RandomSampler(dataset, generator=self.generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, bool(drop_last))
        self.sampler = sampler
        self.batch_sampler = batch_sampler

    def __len__(self) -> int:
        """Batches per epoch (samples, with ``batch_size=None``)."""
        if self._given_batch_sampler is not None:
            return len(self._given_batch_sampler)
        if self.iterable:
            try:
                if self.batch_size is None:
                    return len(self.dataset)
                rounding = math.floor if self.drop_last else math.ceil
                return rounding(len(self.dataset) / self.batch_size)
            except NotImplementedError:
                raise TypeError("DataLoader: this IterableDataset has no len()") from None
        if self.batch_size is None:
            return self._samples()
        count = self._samples() / self.batch_size
        return math.floor(count) if self.drop_last else math.ceil(count)

    def __iter__(self):
        if self.iterable:
            yield from self._iterable_batches()
            return
        epoch_seed = int(as_generator(self.generator, "DataLoader").integers(2 ** 63))
        jobs = self._batches(epoch_seed)
        if self.num_workers == 0:
            for job in jobs:
                yield self._load_batch(*job)
            return
        ahead = self.num_workers * self.prefetch_factor
        pending = deque()
        worker_ids = itertools.count()

        def initializer():
            worker_id = next(worker_ids)
            _enter_worker(WorkerInfo(id=worker_id, num_workers=self.num_workers,
                                     seed=(epoch_seed + worker_id) % 2 ** 64,
                                     dataset=self.dataset))
            if self.worker_init_fn is not None:
                self.worker_init_fn(worker_id)

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
        sampler = self._given_sampler
        return len(sampler) if sampler is not None else len(self.dataset)

    def _order(self, epoch_seed: int) -> np.ndarray:
        if self._given_sampler is not None:
            return np.fromiter(iter(self._given_sampler), dtype=np.int64)
        n = len(self.dataset)
        return (np.random.default_rng(epoch_seed).permutation(n) if self.shuffle
                else np.arange(n))

    def _iterable_batches(self):
        """An IterableDataset's samples in batches, read in this thread (a second reader
        would see the same stream: PyTorch's workers each hold a copy and the dataset
        splits itself between them; minidl reads it once)."""
        if self.batch_size is None:
            yield from (self.collate_fn(sample) for sample in self.dataset)
            return
        batch = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def _batches(self, epoch_seed: int) -> list:
        """``(epoch seed, dataset indices)`` per batch (one index and no batch with
        ``batch_size=None``)."""
        if self._given_batch_sampler is not None:
            return [(epoch_seed, np.asarray(list(batch), dtype=np.int64))
                    for batch in self._given_batch_sampler]
        order = self._order(epoch_seed)
        if self.batch_size is None:
            return [(epoch_seed, int(index)) for index in order]
        n = len(order)
        stop = (n // self.batch_size) * self.batch_size if self.drop_last else n
        return [(epoch_seed, order[start:min(start + self.batch_size, stop)])
                for start in range(0, stop, self.batch_size)]

    def _load_batch(self, epoch_seed: int, indices):
        if isinstance(indices, int):                  # batch_size=None: one sample
            with using_generator([epoch_seed, indices]):
                return self.collate_fn(self.dataset[indices])
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


class _InfiniteConstantSampler(Sampler):
    """The sampler of a loader over an IterableDataset, as PyTorch's: None forever (the
    stream gives the order); it has no length."""

    def __iter__(self):
        while True:
            yield None


def _check_count(name: str, value, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"DataLoader: {name} must be an int >= {minimum}, got {value!r}")
