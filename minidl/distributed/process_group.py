"""The default process group and the collectives on Tensors, with ``torch.distributed``'s
names and arguments::

    import minidl.distributed as dist
    dist.init_process_group("mpi")           # in each process started by mpirun -n K
    dist.get_rank(), dist.get_world_size()   # 0..K-1, K
    dist.all_reduce(t, op=dist.ReduceOp.SUM) # t <- t of rank 0 + ... + t of rank K-1, in place
    dist.broadcast(t, src=0)                 # t <- t of rank 0
    dist.all_gather(tensors, t)              # tensors[i] <- t of rank i
    dist.barrier()
    dist.destroy_process_group()

Backends: "mpi" (NumPy tensors; CuPy tensors are staged through the host) and "nccl"
(CuPy tensors through NCCL, one GPU per rank; NumPy tensors through MPI). The launcher
(``mpirun``/``mpiexec``) starts the processes and tells each its rank: no address, port or
store is needed. Every wait is bounded by ``timeout``; an exception that no one catches on
any rank stops every rank (see :mod:`.failure`), so a job never hangs on a rank that is
gone.
"""
from __future__ import annotations

import enum
import json
from datetime import timedelta
from importlib.util import find_spec
from typing import TYPE_CHECKING

import numpy as np

from ..tensor import Tensor
from . import failure
from .work import Work, completed

if TYPE_CHECKING:  # imported when a group starts (they import mpi4py, NCCL)
    from .mpi_backend import MPIBackend
    from .nccl_backend import NCCLBackend

DEFAULT_TIMEOUT = timedelta(minutes=30)  # PyTorch's default


class ReduceOp(enum.Enum):
    """How ``all_reduce`` combines the ranks' values (elementwise)."""
    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


class ProcessGroup:
    """The ranks of the job and the backend that connects them."""

    def __init__(self, backend, timeout: float):
        self.backend, self.timeout = backend, timeout
        self.rank, self.size = backend.rank, backend.size

    @property
    def name(self) -> str:
        return self.backend.name


_default: ProcessGroup | None = None


# -- starting and stopping ------------------------------------------------------------------
def is_available() -> bool:
    """True: minidl.distributed is always there (the backends need their packages)."""
    return True


def is_mpi_available() -> bool:
    return find_spec("mpi4py") is not None


def is_nccl_available() -> bool:
    if find_spec("cupy") is None:
        return False
    from .nccl_backend import load_nccl
    try:
        load_nccl()
    except ImportError:
        return False
    return True


def init_process_group(backend: str | None = None, init_method: str | None = None,
                       timeout=None, world_size: int = -1, rank: int = -1, store=None,
                       group_name: str = "", pg_options=None, device_id=None) -> None:
    """Join the job's processes into the default group.

    ``backend``: "mpi" (default) or "nccl". ``timeout`` (a ``timedelta`` or seconds,
    default 30 minutes): the longest any collective waits for the other ranks before
    raising :class:`~.work.DistributedError`. ``world_size`` and ``rank``, when given, must
    be what the launcher says. ``init_method`` may be None or "env://"; ``store`` must be
    None: the MPI launcher does the rendezvous.
    """
    global _default
    if _default is not None:
        raise RuntimeError("init_process_group: the default process group is initialized "
                           "already (call destroy_process_group first)")
    name = "mpi" if backend is None else str(backend).lower()
    if name not in ("mpi", "nccl"):
        raise ValueError(f"init_process_group: backend must be 'mpi' or 'nccl', got "
                         f"{backend!r} (minidl's ranks talk through MPI, or NCCL on GPUs)")
    if init_method not in (None, "env://") or store is not None:
        raise ValueError("init_process_group: init_method and store are not used: start the "
                         "processes with mpirun/mpiexec, which tells each its rank")
    seconds = _seconds(DEFAULT_TIMEOUT if timeout is None else timeout)
    connection: MPIBackend | NCCLBackend
    if name == "mpi":
        from .mpi_backend import MPIBackend
        connection = MPIBackend(seconds)
    else:
        from .nccl_backend import NCCLBackend
        connection = NCCLBackend(seconds)
    for given, actual, what in ((world_size, connection.size, "world_size"),
                                (rank, connection.rank, "rank")):
        if given is not None and given >= 0 and given != actual:
            connection.close()
            raise ValueError(f"init_process_group: {what}={given}, but the MPI launcher "
                             f"started this process as {what} {actual}")
    _default = ProcessGroup(connection, seconds)
    failure.install(_default)


def destroy_process_group(group=None) -> None:
    """Leave the default group (call it on every rank at the end)."""
    global _default
    current = _group(group, "destroy_process_group")
    failure.uninstall()
    _default = None
    current.backend.close()


def is_initialized() -> bool:
    return _default is not None


def get_rank(group=None) -> int:
    return _group(group, "get_rank").rank


def get_world_size(group=None) -> int:
    return _group(group, "get_world_size").size


def get_backend(group=None) -> str:
    return _group(group, "get_backend").name


def default_group() -> ProcessGroup | None:
    """The default group, or None before ``init_process_group``."""
    return _default


# -- collectives ----------------------------------------------------------------------------
def all_reduce(tensor: Tensor, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """Combine ``tensor`` over the ranks with ``op``; every rank gets the result in place."""
    current = _group(group, "all_reduce")
    array = _array(tensor, "all_reduce")
    op = _reduce_op(op, array)
    work = (completed("all_reduce", current) if current.size == 1
            else current.backend.all_reduce(array, op.value))
    return _finish(work, async_op)


def broadcast(tensor: Tensor, src: int = 0, group=None, async_op: bool = False):
    """Every rank's ``tensor`` takes the values of rank ``src``'s."""
    current = _group(group, "broadcast")
    array = _array(tensor, "broadcast")
    _check_rank(src, current, "broadcast", "src")
    work = (completed("broadcast", current) if current.size == 1
            else current.backend.broadcast(array, src))
    return _finish(work, async_op)


def all_gather(tensor_list: list, tensor: Tensor, group=None, async_op: bool = False):
    """``tensor_list[i]`` takes the values of rank i's ``tensor`` (shapes must agree)."""
    current = _group(group, "all_gather")
    array = _array(tensor, "all_gather")
    if len(tensor_list) != current.size:
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} tensors, one per "
                         f"rank is {current.size}")
    for i, target in enumerate(tensor_list):
        if _array(target, "all_gather").shape != array.shape:
            raise ValueError(f"all_gather: tensor_list[{i}] has shape {target.shape}, the "
                             f"tensor sent has {tuple(array.shape)}")
    if current.size == 1:
        tensor_list[0].array[...] = array
        return _finish(completed("all_gather", current), async_op)
    gathering = current.backend.all_gather(array)

    def test():
        return gathering.is_completed()

    def finish():
        for target, values in zip(tensor_list, gathering.result):
            target.array[...] = values
    return _finish(Work(test, "all_gather", current, finish), async_op)


def barrier(group=None, async_op: bool = False, device_ids=None):
    """Wait until every rank has called ``barrier``."""
    current = _group(group, "barrier")
    work = completed("barrier", current) if current.size == 1 else current.backend.barrier()
    return _finish(work, async_op)


def broadcast_object_list(object_list: list, src: int = 0, group=None, device=None) -> None:
    """``object_list[i]`` of every rank takes the value of rank ``src``'s ``object_list[i]``.

    Unlike PyTorch, the objects travel as JSON (numbers, strings, lists, dicts with string
    keys), so no rank ever unpickles what another sent."""
    current = _group(group, "broadcast_object_list")
    _check_rank(src, current, "broadcast_object_list", "src")
    if current.size == 1:
        return
    payload = np.frombuffer(json.dumps(object_list).encode(), dtype=np.uint8) \
        if current.rank == src else np.zeros(0, dtype=np.uint8)
    length = Tensor._from_array(np.array([payload.size], dtype=np.int64))
    broadcast(length, src, group)
    received = Tensor._from_array(np.zeros(int(length.array[0]), dtype=np.uint8))
    if current.rank == src:
        received.array[...] = payload
    broadcast(received, src, group)
    object_list[:] = json.loads(received.array.tobytes().decode())


# -- helpers ---------------------------------------------------------------------------------
def _group(group, what: str) -> ProcessGroup:
    if group is not None and group is not _default:
        raise NotImplementedError(f"{what}: minidl has only the default process group; pass "
                                  "group=None")
    if _default is None:
        raise RuntimeError(f"{what}: the default process group is not initialized; call "
                           "minidl.distributed.init_process_group() first")
    return _default


def _array(tensor, what: str):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{what}: expected a Tensor, got {type(tensor).__name__}")
    return tensor.array


def _reduce_op(op, array) -> ReduceOp:
    try:
        op = op if isinstance(op, ReduceOp) else ReduceOp[str(op).upper()]
    except KeyError:
        names = ", ".join(o.name for o in ReduceOp)
        raise ValueError(f"all_reduce: op must be a ReduceOp ({names}), got {op!r}") from None
    if op is ReduceOp.AVG and array.dtype.kind != "f":
        raise TypeError(f"all_reduce: ReduceOp.AVG needs a floating point tensor, this one "
                        f"is {array.dtype}")
    return op


def _check_rank(value, group: ProcessGroup, what: str, name: str) -> None:
    if not isinstance(value, int) or not 0 <= value < group.size:
        raise ValueError(f"{what}: {name} must be a rank in [0, {group.size - 1}], got "
                         f"{value!r}")


def _finish(work: Work, async_op: bool):
    if async_op:
        return work
    work.wait()
    return None


def _seconds(timeout) -> float:
    seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else timeout
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
        raise ValueError(f"init_process_group: timeout must be a positive timedelta or number "
                         f"of seconds, got {timeout!r}")
    return float(seconds)
