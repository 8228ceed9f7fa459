"""The "mpi" backend: collectives over MPI through mpi4py, on NumPy arrays.

The backend works on a duplicate of ``MPI.COMM_WORLD``, so a program's own mpi4py
messages never mix with minidl's. Every collective is non-blocking (``Iallreduce``,
``Ibcast``, ``Iallgather``, ``Ibarrier``) and returns a :class:`~.work.Work`; arrays of
another device (CuPy) are staged through host memory, and non-contiguous arrays through a
contiguous copy, both copied back when the operation completes. MPI errors stay fatal
(MPI's default): a broken connection ends every rank with MPI's own message.
"""
from __future__ import annotations

import numpy as np

from ..backend import array_module, device_of, to_device
from .work import Work

DTYPES = {np.dtype(t) for t in (np.float32, np.float64, np.int8, np.uint8, np.int32,
                                np.int64, np.bool_)}


def load_mpi():
    """``mpi4py.MPI`` (importing it initializes MPI), or an ImportError saying what to
    install."""
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise ImportError(f"the mpi backend needs mpi4py and an MPI library ({error}); "
                          'install them with: pip install "minidl[mpi]"') from None
    return MPI


class MPIBackend:
    name = "mpi"

    def __init__(self, timeout: float):
        MPI = load_mpi()
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD.Dup()
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self.timeout = timeout
        self.ops = {"sum": MPI.SUM, "avg": MPI.SUM, "product": MPI.PROD, "min": MPI.MIN,
                    "max": MPI.MAX}

    # -- the collectives --------------------------------------------------------------------
    def all_reduce(self, array, op: str) -> Work:
        buffer, copy_back = self._staged(array, "all_reduce")
        request = self.comm.Iallreduce(self.MPI.IN_PLACE, buffer, self.ops[op])

        def finish():
            if op == "avg":
                buffer[...] /= self.size
            copy_back()
        return Work(request.Test, "all_reduce", self, finish)

    def broadcast(self, array, src: int) -> Work:
        buffer, copy_back = self._staged(array, "broadcast")
        request = self.comm.Ibcast(buffer, root=src)
        return Work(request.Test, "broadcast", self, copy_back)

    def all_gather(self, array) -> Work:
        """Result: an array (world size, *array.shape) on the array's device."""
        buffer, _ = self._staged(array, "all_gather")
        gathered = np.empty((self.size, *buffer.shape), dtype=buffer.dtype)
        request = self.comm.Iallgather(buffer, gathered)

        def finish():
            work.result = to_device(gathered, device_of(array))
        work = Work(request.Test, "all_gather", self, finish)
        return work

    def barrier(self) -> Work:
        return Work(self.comm.Ibarrier().Test, "barrier", self)

    # -- the end -----------------------------------------------------------------------------
    def abort(self, code: int) -> None:
        self.MPI.COMM_WORLD.Abort(code)

    def close(self) -> None:
        self.comm.Free()

    def _staged(self, array, what: str):
        """A host buffer MPI can use in place of ``array``, and the function that copies it
        back into ``array`` (nothing to do when it is ``array`` itself)."""
        if np.dtype(array.dtype) not in DTYPES:
            raise TypeError(f"{what}: the mpi backend does not reduce {array.dtype} arrays "
                            f"(supported: {', '.join(sorted(str(d) for d in DTYPES))})")
        if isinstance(array, np.ndarray) and array.flags.c_contiguous:
            return array, lambda: None
        host = np.ascontiguousarray(to_device(array, "cpu"))

        def copy_back():
            array[...] = array_module(array).asarray(host)
        return host, copy_back

