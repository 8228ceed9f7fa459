"""Training across processes and machines: ``torch.distributed``'s names, on MPI.

    mpirun -n 4 python train.py            # or: mpirun -n 4 minidl train STUDY --distributed

    import minidl.distributed as dist
    dist.init_process_group("mpi")         # "nccl" when each rank drives a GPU
    model = nn.parallel.DistributedDataParallel(model)
    sampler = minidl.data.DistributedSampler(dataset)   # this rank's shard
    ...
    dist.destroy_process_group()

See :mod:`.process_group` for the collectives and :mod:`.failure` for how a failing rank
stops the others.
"""
from .failure import abort_at_exit
from .process_group import (
                            DEFAULT_TIMEOUT,
                            ProcessGroup,
                            ReduceOp,
                            all_gather,
                            all_reduce,
                            barrier,
                            broadcast,
                            broadcast_object_list,
                            default_group,
                            destroy_process_group,
                            get_backend,
                            get_rank,
                            get_world_size,
                            init_process_group,
                            is_available,
                            is_initialized,
                            is_mpi_available,
                            is_nccl_available,
)
from .work import DistributedError, Work

__all__ = ["init_process_group", "destroy_process_group", "is_available", "is_initialized",
           "is_mpi_available", "is_nccl_available", "get_rank", "get_world_size",
           "get_backend", "all_reduce", "all_gather", "broadcast", "broadcast_object_list",
           "barrier", "ReduceOp", "Work", "DistributedError", "ProcessGroup",
           "DEFAULT_TIMEOUT", "default_group", "abort_at_exit"]
