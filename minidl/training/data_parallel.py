"""What the training loop does differently on several ranks (``minidl train --distributed``).

The trainer asks its ``parallel`` helper at four points of an epoch; :class:`SingleProcess`
answers for one process, :class:`DataParallel` for a rank of a process group:

    training loader     this rank's shard (DistributedSampler), batch_size / K per rank;
                        the same shared order for any K, so K ranks see the samples one
                        process sees in each step (:func:`training_loader`)
    replicated(epoch)   during the epoch's steps the task's models are
                        DistributedDataParallel wrappers (gradients averaged over the
                        ranks) and dropout draws from a generator of (seed, epoch, rank)
    any_rank(flag)      whether a rank found a non-finite loss or gradient in this step:
                        every rank then stops or skips the step alike (:mod:`.nonfinite`)
    combine(means)      the epoch's training means over every rank's batches
    evaluate(...)       rank 0 validates; every rank receives its metrics, so schedules
                        and early stopping decide alike everywhere
    writes              only rank 0 writes the run directory (config, checkpoint, metrics,
                        plots, TensorBoard events) and holds its lock; it makes the
                        directory (:func:`create_run_directory`), and on a resume every
                        rank takes the config it read (:func:`read_run_config`)

The checkpoint holds the bare models (no ``module.`` prefix), so it resumes at any number
of ranks, one process included.
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext

import numpy as np

from .. import distributed
from .. import random as _random
from ..data import DataLoader, DistributedSampler
from ..nn import SyncBatchNorm
from ..nn.parallel import DistributedDataParallel
from ..tensor import Tensor
from .metrics import MeanTracker
from .run_directory import RunDirectory
from .task import Evaluation


def ranks() -> tuple[int, int]:
    """``(rank, world size)`` of this process: (0, 1) without a process group."""
    if not distributed.is_initialized():
        return 0, 1
    return distributed.get_rank(), distributed.get_world_size()


def writes_run() -> bool:
    """Whether this process writes the run directory (rank 0, or the only process)."""
    return ranks()[0] == 0


def training_loader(config: dict, dataset) -> DataLoader:
    """This rank's training batches: the rank's shard of a shuffle seeded by the run's seed
    and the epoch, ``batch_size / K`` images per step; the short last batch is dropped
    unless the whole set is smaller than one step."""
    rank, world = ranks()
    batch_size = config["batch_size"]
    if batch_size % world:
        raise ValueError(f"batch_size {batch_size} does not split over {world} ranks: each "
                          f"rank takes batch_size / ranks images per step (try "
                          f"{max(world, batch_size - batch_size % world)})")
    sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True,
                                 seed=config["seed"], drop_last=True)
    return DataLoader(dataset, batch_size=batch_size // world, sampler=sampler,
                      drop_last=len(dataset) > batch_size, num_workers=config["workers"])


def create_run_directory(out, name: str) -> RunDirectory:
    """A new run directory: rank 0 makes it and tells the other ranks where it is (they
    never write in it)."""
    rank, world = ranks()
    if world == 1:
        return RunDirectory.create(out, name)
    shared = [str(RunDirectory.create(out, name).path) if rank == 0 else None]
    distributed.broadcast_object_list(shared, src=0)
    return RunDirectory(shared[0])


def read_run_config(run: RunDirectory) -> dict:
    """The run's config.json as rank 0 reads it, on every rank (rank 0 rewrites the file
    while resuming, so a slower rank could otherwise read the new one)."""
    rank, world = ranks()
    if world == 1:
        return run.read_config()
    shared: list = [run.read_config() if rank == 0 else None]
    distributed.broadcast_object_list(shared, src=0)
    return shared[0]


def set_epoch(loader, epoch: int) -> None:
    """Give the loader's sampler the epoch (its shuffle changes every epoch)."""
    set_sampler_epoch = getattr(getattr(loader, "sampler", None), "set_epoch", None)
    if set_sampler_epoch is not None:
        set_sampler_epoch(epoch)


class SingleProcess:
    """One process trains and writes everything."""

    writes = True

    def replicated(self, task, epoch: int):
        return nullcontext()

    def any_rank(self, flag: bool) -> bool:
        return bool(flag)

    def combine(self, means: MeanTracker) -> MeanTracker:
        return means

    def evaluate(self, task, loader) -> Evaluation:
        return task.evaluate(loader)


class DataParallel(SingleProcess):
    """A rank of a data-parallel run (see the module docstring). ``sync_batchnorm``
    converts the task's batch-norm layers to :class:`~minidl.nn.SyncBatchNorm`."""

    def __init__(self, task, seed: int, sync_batchnorm: bool = False):
        self.rank, self.world_size = ranks()
        self.writes = self.rank == 0
        self.seed = seed
        if sync_batchnorm:
            for name, model in task.models.items():
                task.models[name] = SyncBatchNorm.convert_sync_batchnorm(model)
        self.replicas: dict | None = None

    @contextmanager
    def replicated(self, task, epoch: int):
        if self.replicas is None:  # first epoch (after any resume): rank 0's weights win
            self.replicas = {name: DistributedDataParallel(model)
                             for name, model in task.models.items()}
        if self.world_size > 1:
            entropy = np.random.SeedSequence([self.seed, epoch, self.rank])
            _random.manual_seed(int(entropy.generate_state(1, np.uint64)[0]))
        models = dict(task.models)
        task.models.update(self.replicas)
        try:
            yield
        finally:
            task.models.update(models)

    def any_rank(self, flag: bool) -> bool:
        if self.world_size == 1:
            return bool(flag)
        flags = Tensor._from_array(np.array([bool(flag)], dtype=np.uint8))
        distributed.all_reduce(flags, op=distributed.ReduceOp.MAX)
        return bool(flags.array[0])

    def combine(self, means: MeanTracker) -> MeanTracker:
        names = list(means.sums)  # the task's order, the same on every rank
        totals = Tensor._from_array(np.array([means.sums[n] for n in names] + [means.count],
                                             dtype=np.float64))
        distributed.all_reduce(totals)
        combined = MeanTracker()
        combined.sums = dict(zip(names, totals.array[:-1].tolist()))
        combined.count = int(totals.array[-1])
        return combined

    def evaluate(self, task, loader) -> Evaluation:
        if self.writes:
            evaluation = task.evaluate(loader)
            distributed.broadcast_object_list([evaluation.metrics], src=0)
            return evaluation
        shared: list = [None]
        distributed.broadcast_object_list(shared, src=0)
        return Evaluation(shared[0])


def parallel_for(task, config: dict) -> SingleProcess:
    """The helper of this process: DataParallel inside a process group."""
    if not distributed.is_initialized():
        return SingleProcess()
    return DataParallel(task, config["seed"], config.get("sync_batchnorm", False))
