"""The "nccl" backend: collectives between GPUs through NCCL (``cupy.cuda.nccl``).

One process drives one GPU. MPI starts the processes and carries the bootstrap: rank 0
makes NCCL's unique id and broadcasts it over MPI; each rank picks the GPU of its index
among the ranks of its machine (``local rank mod GPU count``) and joins the NCCL
communicator. Collectives run on a CUDA stream of their own, after the work already
queued on the current stream (an event orders them), and complete when an event recorded
after them has passed; polling that event bounds the wait like MPI's requests.
``barrier`` and the bootstrap use the MPI backend underneath.

CuPy arrays travel through NCCL; NumPy arrays (the few numbers that training exchanges on
the host: metrics, flags, the run directory's name) through MPI.
"""
from __future__ import annotations

from .mpi_backend import MPIBackend
from .work import Work


def load_nccl():
    """``(cupy, cupy.cuda.nccl)``, or an ImportError saying what is missing."""
    try:
        import cupy
        from cupy.cuda import nccl
    except ImportError as error:
        raise ImportError(f"the nccl backend needs CuPy with NCCL ({error}); install "
                          'minidl[cuda] and NCCL (pip install "nvidia-nccl-cu12")') from None
    if not getattr(nccl, "available", True):
        raise ImportError("the nccl backend needs NCCL, and CuPy did not find it; install "
                          'it with: pip install "nvidia-nccl-cu12"')
    return cupy, nccl


class NCCLBackend:
    name = "nccl"

    def __init__(self, timeout: float):
        cupy, nccl = load_nccl()
        self.cupy, self.nccl = cupy, nccl
        self.mpi = MPIBackend(timeout)
        self.rank, self.size, self.timeout = self.mpi.rank, self.mpi.size, timeout
        local = self.mpi.comm.Split_type(self.mpi.MPI.COMM_TYPE_SHARED)
        local_rank = local.Get_rank()
        local.Free()
        self.device = cupy.cuda.Device(local_rank % cupy.cuda.runtime.getDeviceCount())
        self.device.use()
        unique_id = nccl.get_unique_id() if self.rank == 0 else None
        unique_id = self.mpi.comm.bcast(unique_id, root=0)
        self.comm = nccl.NcclCommunicator(self.size, unique_id, self.rank)
        self.stream = cupy.cuda.Stream(non_blocking=True)
        self.ops = {"sum": nccl.NCCL_SUM, "avg": nccl.NCCL_SUM, "product": nccl.NCCL_PROD,
                    "min": nccl.NCCL_MIN, "max": nccl.NCCL_MAX}
        self.dtypes = {"float16": nccl.NCCL_FLOAT16, "float32": nccl.NCCL_FLOAT32,
                       "float64": nccl.NCCL_FLOAT64, "int8": nccl.NCCL_INT8,
                       "uint8": nccl.NCCL_UINT8, "int32": nccl.NCCL_INT32,
                       "int64": nccl.NCCL_INT64}

    # -- the collectives --------------------------------------------------------------------
    def all_reduce(self, array, op: str) -> Work:
        if not isinstance(array, self.cupy.ndarray):
            return self.mpi.all_reduce(array, op)
        kind = self._check(array, "all_reduce")
        self._after_current_work()
        self.comm.allReduce(array.data.ptr, array.data.ptr, array.size, kind, self.ops[op],
                            self.stream.ptr)
        if op != "avg":
            return self._work("all_reduce")
        return self._work("all_reduce", lambda: self.cupy.divide(array, self.size, out=array))

    def broadcast(self, array, src: int) -> Work:
        if not isinstance(array, self.cupy.ndarray):
            return self.mpi.broadcast(array, src)
        kind = self._check(array, "broadcast")
        self._after_current_work()
        self.comm.bcast(array.data.ptr, array.size, kind, src, self.stream.ptr)
        return self._work("broadcast")

    def all_gather(self, array) -> Work:
        """Result: an array (world size, *array.shape) on the array's device."""
        if not isinstance(array, self.cupy.ndarray):
            return self.mpi.all_gather(array)
        kind = self._check(array, "all_gather")
        gathered = self.cupy.empty((self.size, *array.shape), dtype=array.dtype)
        self._after_current_work()
        self.comm.allGather(array.data.ptr, gathered.data.ptr, array.size, kind,
                            self.stream.ptr)
        work = self._work("all_gather")
        work.result = gathered
        return work

    def barrier(self) -> Work:
        self.stream.synchronize()
        return self.mpi.barrier()

    # -- the end -----------------------------------------------------------------------------
    def abort(self, code: int) -> None:
        self.comm.abort()
        self.mpi.abort(code)

    def close(self) -> None:
        self.stream.synchronize()
        self.comm.destroy()
        self.mpi.close()

    # -- helpers -----------------------------------------------------------------------------
    def _check(self, array, what: str) -> int:
        if not array.flags.c_contiguous:
            raise ValueError(f"{what}: the nccl backend needs a contiguous tensor "
                             f"(shape {array.shape}, strides {array.strides})")
        kind = self.dtypes.get(str(array.dtype))
        if kind is None:
            raise TypeError(f"{what}: the nccl backend does not reduce {array.dtype} "
                            f"tensors (supported: {', '.join(self.dtypes)})")
        return kind

    def _after_current_work(self) -> None:
        """Let NCCL's stream start only after what the current stream has queued."""
        self.stream.wait_event(self.cupy.cuda.get_current_stream().record())

    def _work(self, what: str, then=None) -> Work:
        """A Work done when the NCCL stream has passed this point; ``then()`` runs on the
        current stream, after the collective."""
        done = self.stream.record()

        def finish():
            self.cupy.cuda.get_current_stream().wait_event(done)
            if then is not None:
                then()
        return Work(lambda: done.done, what, self, finish)
