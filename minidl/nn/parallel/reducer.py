"""Gradient averaging for data-parallel training: buckets of gradients, each all-reduced
as soon as the backward pass has finished every gradient in it.

The parameters are laid, in the reverse of their registration order (roughly the order in
which backward produces their gradients), into buckets of at most ``bucket_cap`` bytes
(the first one smaller, ``first_bucket_cap``, so that communication starts early), one
dtype per bucket. In a backward pass that follows a forward of the wrapped model:

    a parameter's gradient is complete        (its post-accumulate hook)
        -> the parameter is ready in its bucket
    every parameter of a bucket is ready
        -> its gradients are copied into one flat array and its all_reduce starts
           (buckets start strictly in order, so every rank issues the same sequence)
    the backward pass ends                    (a callback queued by the first hook)
        -> wait for each bucket; grad <- (sum over ranks) / world size

While later buckets are still being computed, the earlier ones are on the wire: each hook
also gives the MPI progress engine a turn. ``find_unused_parameters``: parameters that got
no gradient on some rank count as zeros there; one that got none on any rank keeps
``grad`` as it was (None). Since the ranks may then finish different buckets during
backward, all buckets start at the end of the pass, after the ranks have agreed on which
parameters were used (no overlap). Without it an unused parameter is an error, as in
PyTorch.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd.hooks import queue_callback
from ...backend import array_module
from ...tensor import Tensor


class Bucket:
    """Parameters whose gradients travel in one all_reduce, as slices of ``flat``."""

    def __init__(self, params: list):
        self.params = params
        self.offsets = np.cumsum([0] + [p.numel() for p in params]).tolist()
        self.flat: Any = None  # a NumPy or CuPy array, made by fill()
        self.waiting: set = set()
        self.work = None

    @property
    def nbytes(self) -> int:
        return self.offsets[-1] * self.params[0].dtype.itemsize

    def fill(self) -> None:
        """Copy the gradients into ``flat`` (zeros for a parameter without one)."""
        first = self.params[0]
        xp = array_module(first.array)
        if self.flat is None or self.flat.dtype != first.dtype or \
                array_module(self.flat) is not xp:
            self.flat = xp.empty(self.offsets[-1], dtype=first.dtype)
        for p, start, stop in zip(self.params, self.offsets, self.offsets[1:]):
            if p.grad is None:
                self.flat[start:stop] = 0
            else:
                self.flat[start:stop] = p.grad.array.reshape(-1)

    def slice_of(self, i: int):
        p = self.params[i]
        return self.flat[self.offsets[i]:self.offsets[i + 1]].reshape(p.shape)


def make_buckets(params: list, bucket_cap: int, first_bucket_cap: int) -> list:
    """Cut ``params`` (in the order given) into buckets: a new bucket when the dtype or
    device changes or the cap would be exceeded (a parameter larger than the cap gets a
    bucket of its own)."""
    buckets: list = []
    current: list = []
    size = 0
    for p in params:
        cap = first_bucket_cap if not buckets else bucket_cap
        nbytes = p.numel() * p.dtype.itemsize
        fits = current and current[0].dtype == p.dtype and current[0].device == p.device \
            and size + nbytes <= cap
        if current and not fits:
            buckets.append(Bucket(current))
            current, size = [], 0
        current.append(p)
        size += nbytes
    if current:
        buckets.append(Bucket(current))
    return buckets


class Reducer:
    """Averages the gradients of ``params`` (named by ``names``) over the ranks of
    ``group`` (see the module docstring)."""

    def __init__(self, params: list, names: dict, group, bucket_cap: int,
                 first_bucket_cap: int, find_unused_parameters: bool):
        from ... import distributed
        self.dist = distributed
        self.group, self.names = group, names
        self.find_unused_parameters = find_unused_parameters
        self.buckets = make_buckets(list(reversed(params)), bucket_cap, first_bucket_cap)
        self.place = {id(p): (bucket, i) for bucket in self.buckets
                      for i, p in enumerate(bucket.params)}
        self.expecting_backward = False   # a forward of the model ran since the last pass
        self.in_pass = False
        self.next_bucket = 0
        self.handles = [p.register_post_accumulate_grad_hook(self._gradient_ready)
                        for p in params]

    def remove_hooks(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles = []

    # -- during backward ------------------------------------------------------------------------
    def _gradient_ready(self, param) -> None:
        if not self.expecting_backward:
            return
        if not self.in_pass:
            self._begin_pass()
        bucket, _ = self.place[id(param)]
        bucket.waiting.discard(id(param))
        if not self.find_unused_parameters:
            self._start_ready_buckets()
            self._progress()

    def _begin_pass(self) -> None:
        self.in_pass = True
        self.next_bucket = 0
        for bucket in self.buckets:
            bucket.waiting = {id(p) for p in bucket.params}
            bucket.work = None
        queue_callback(self._end_pass)

    def _start_ready_buckets(self) -> None:
        while self.next_bucket < len(self.buckets) and \
                not self.buckets[self.next_bucket].waiting:
            self._start(self.buckets[self.next_bucket])
            self.next_bucket += 1

    def _start(self, bucket: Bucket) -> None:
        bucket.fill()
        bucket.work = self.dist.all_reduce(Tensor._from_array(bucket.flat), async_op=True)

    def _progress(self) -> None:
        for bucket in self.buckets[:self.next_bucket]:
            if not bucket.work.is_completed():
                return

    # -- when backward ends ----------------------------------------------------------------------
    def _end_pass(self) -> None:
        try:
            missing = [self.names[id(p)] for bucket in self.buckets for p in bucket.params
                       if id(p) in bucket.waiting]
            if missing and not self.find_unused_parameters:
                raise RuntimeError(
                    f"DistributedDataParallel: {len(missing)} parameter(s) received no "
                    f"gradient in this backward pass ({', '.join(missing[:5])}"
                    f"{' ...' if len(missing) > 5 else ''}); every rank must use every "
                    "parameter, or pass find_unused_parameters=True")
            used = self._globally_used() if self.find_unused_parameters else None
            for bucket in self.buckets:
                bucket.waiting = set()
            self._start_ready_buckets()
            for bucket in self.buckets:
                bucket.work.wait()
                self._write_back(bucket, used)
        finally:
            self.in_pass = False
            self.expecting_backward = False

    def _globally_used(self) -> set:
        """The ids of the parameters that got a gradient (now or before) on some rank."""
        params = [p for bucket in self.buckets for p in bucket.params]
        flags = Tensor._from_array(np.array([p.grad is not None for p in params],
                                            dtype=np.uint8))
        self.dist.all_reduce(flags, op=self.dist.ReduceOp.MAX)
        return {id(p) for p, flag in zip(params, flags.array) if flag}

    def _write_back(self, bucket: Bucket, used: set | None) -> None:
        bucket.flat /= self.group.size
        for i, p in enumerate(bucket.params):
            average = bucket.slice_of(i)
            if p.grad is not None:
                p.grad.array[...] = average
            elif used is not None and id(p) in used:
                p.grad = Tensor._from_array(average.copy())
