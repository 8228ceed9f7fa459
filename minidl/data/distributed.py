"""``DistributedSampler``: the indices of one rank's shard of a dataset, PyTorch's exactly.

With K ranks (``num_replicas``), rank r takes every K-th index of one order shared by all
ranks, starting at r::

    order       = torch_randperm(n, seed + epoch)  if shuffle  else  0, 1, ..., n-1
    drop_last:    order = order[:total],  total = K * floor(n / K)   (the tail dropped)
    otherwise:    order = order + order[:total - n], total = K * ceil(n / K)  (the head
                  repeated, so every rank has as many samples)
    rank r:       order[r], order[r + K], order[r + 2K], ...         (total / K indices)

``set_epoch(epoch)`` before each epoch gives a new order. Because rank r's i-th sample is
sample r + K·i of the shared order, step s of K ranks with b samples each sees exactly the
samples of step s of one process with K·b samples (shuffled the same way): the lists are
those of ``torch.utils.data.DistributedSampler`` for the same arguments.
"""
from __future__ import annotations

import math

import numpy as np

from .randperm import torch_randperm


class DistributedSampler:
    """Iterate over this rank's share of ``dataset``'s indices (see the module docstring).

    ``num_replicas`` and ``rank`` default to the default process group's world size and
    rank (:mod:`minidl.distributed`); ``seed`` must be the same on every rank.
    """

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False):
        if num_replicas is None or rank is None:
            from .. import distributed
            if not distributed.is_initialized():
                raise RuntimeError("DistributedSampler: give num_replicas and rank, or call "
                                   "minidl.distributed.init_process_group() first")
            num_replicas = distributed.get_world_size() if num_replicas is None \
                else num_replicas
            rank = distributed.get_rank() if rank is None else rank
        if not isinstance(num_replicas, int) or num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be an int >= 1, got "
                             f"{num_replicas!r}")
        if not isinstance(rank, int) or not 0 <= rank < num_replicas:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        if not hasattr(dataset, "__len__"):
            raise TypeError(f"DistributedSampler: dataset must have a length, got "
                            f"{type(dataset).__name__}")
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.shuffle, self.seed, self.drop_last = shuffle, int(seed), drop_last
        self.epoch = 0
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self):
        return iter(self.indices().tolist())

    def indices(self) -> np.ndarray:
        """This rank's indices of the current epoch, as an int64 array."""
        n = len(self.dataset)
        order = torch_randperm(n, self.seed + self.epoch) if self.shuffle \
            else np.arange(n, dtype=np.int64)
        if self.drop_last:
            order = order[:self.total_size]
        elif self.total_size > n:
            order = np.resize(order, self.total_size)  # repeats the order from its start
        return order[self.rank:self.total_size:self.num_replicas]

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the order of ``epoch`` from the next iteration on (call it every epoch)."""
        self.epoch = epoch
