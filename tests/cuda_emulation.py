"""The CUDA kernels on a CPU: CI has no GPU, so this runs minidl's CUDA C there.

``install()`` puts a stand-in for CuPy in ``sys.modules`` (NumPy arrays for CuPy's;
cuBLAS's strided-batched GEMM as a column-major NumPy product that reads and writes memory
through the raw pointers it is given, as cuBLAS does) and makes ``launch.compiled`` build
each kernel's CUDA C with the host's C++ compiler: ``__global__`` and ``__device__`` are
erased and ``FOR_EACH_ITEM`` becomes a plain loop over every item, one thread doing the
whole grid's work (exact for the kernels whose threads do not cooperate: one writer per
output element).  Kernels whose blocks cooperate (batch norm's block sums in shared
memory, ``launch_grid``) run block after block with one thread a block
(``THREADS_PER_BLOCK`` = 1, ``__syncthreads`` a no-op): a block's loops then take every
value one thread at a time, and its tree sum has nothing to add.  CuPy's
``ElementwiseKernel`` (the running statistics' update) is not emulated.

What it checks: the kernels' index arithmetic and the way the Python side hands them
arrays, sizes and cuBLAS's arguments (leading dimensions, strides, transposes).  What it
cannot: CuPy's own API, launch limits, timing.  Run it in a process of its own
(``test_cuda_emulated.py`` does): the stand-in must not meet the real CuPy.
"""
from __future__ import annotations

import ctypes
import hashlib
import importlib
import subprocess
import sys
import types
from pathlib import Path

import numpy as np

HEADER = r"""
#include <math.h>
#include <algorithm>
using std::min; using std::max;
#define __global__
#define __device__
#define __forceinline__ inline
#define FOR_EACH_ITEM(item, count) for (long long item = 0; item < (count); ++item)
#define THREADS_PER_BLOCK 1
#define __shared__ static
#define __syncthreads()
struct Dim3 { long long x, y, z; };
static Dim3 blockIdx = {0, 0, 0}, threadIdx = {0, 0, 0}, gridDim = {1, 1, 1};
extern "C" void set_block(long long x, long long y, long long blocks_x, long long blocks_y) {
    blockIdx.x = x; blockIdx.y = y; gridDim.x = blocks_x; gridDim.y = blocks_y;
}
"""


class DeviceArray(np.ndarray):
    """A NumPy array with CuPy's ``.data.ptr``, the address cuBLAS is handed."""

    @property
    def data(self):
        return types.SimpleNamespace(ptr=self.ctypes.data)


def _on_device(function):
    return lambda *args, **kwargs: function(*args, **kwargs).view(DeviceArray)


def _column_major(ctype, address, rows, columns, leading):
    """The (rows, columns) column-major matrix at ``address``, leading dimension
    ``leading``, as a writable NumPy view."""
    if leading < max(1, rows):
        raise ValueError(f"cuBLAS: leading dimension {leading} < rows {rows}")
    size = leading * (columns - 1) + rows
    flat = np.ctypeslib.as_array((ctype * size).from_address(address))
    return np.lib.stride_tricks.as_strided(flat, (rows, columns),
                                           (flat.itemsize, leading * flat.itemsize))


def _gemm_strided_batched(dtype):
    """cuBLAS's ?gemmStridedBatched: C_i = α·op(A_i)·op(B_i) + β·C_i, column-major."""
    ctype = np.ctypeslib.as_ctypes_type(dtype)
    size = np.dtype(dtype).itemsize

    def gemm(handle, transa, transb, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b,
             beta, c, ldc, stride_c, batch):
        scale, keep = ctype.from_address(alpha).value, ctype.from_address(beta).value
        for i in range(batch):
            left = _column_major(ctype, a + i * stride_a * size,
                                 *((m, k) if transa == 0 else (k, m)), lda)
            right = _column_major(ctype, b + i * stride_b * size,
                                  *((k, n) if transb == 0 else (n, k)), ldb)
            out = _column_major(ctype, c + i * stride_c * size, m, n, ldc)
            product = (left if transa == 0 else left.T) @ (right if transb == 0 else right.T)
            out[...] = scale * product + (keep * out if keep else 0)
    return gemm


def _argument(value):
    """A kernel argument as its C type: pointers for arrays, long long, double."""
    if isinstance(value, np.ndarray):
        if not value.flags.c_contiguous:
            raise ValueError("a kernel was handed a non-contiguous array")
        return ctypes.c_void_p(value.ctypes.data)
    if isinstance(value, bool | int | np.integer):
        return ctypes.c_longlong(int(value))
    return ctypes.c_double(float(value))


def install(build_dir: Path):
    """Replace CuPy by the stand-in and the kernels' compiler by the host's, which builds
    into ``build_dir``; returns the package ``minidl.kernels.cuda``, imported under them."""
    build_dir = Path(build_dir).resolve()            # ctypes loads by absolute path
    cupy = types.ModuleType("cupy")
    cupy.float32, cupy.float64, cupy.int64, cupy.ndarray = (np.float32, np.float64, np.int64,
                                                            np.ndarray)
    for name in ("empty", "zeros", "full", "empty_like", "asarray", "ascontiguousarray"):
        setattr(cupy, name, _on_device(getattr(np, name)))
    cupy.ElementwiseKernel = lambda *args, **kwargs: None      # batch norm: not emulated
    cublas = types.ModuleType("cupy.cuda.cublas")
    cublas.CUBLAS_OP_N, cublas.CUBLAS_OP_T, cublas.CUBLAS_POINTER_MODE_HOST = 0, 1, 0
    cublas.setStream = cublas.setPointerMode = lambda *args: None
    cublas.sgemmStridedBatched = _gemm_strided_batched(np.float32)
    cublas.dgemmStridedBatched = _gemm_strided_batched(np.float64)
    cuda = types.ModuleType("cupy.cuda")
    cuda.cublas = cublas
    cuda.device = types.SimpleNamespace(get_cublas_handle=lambda: 0)
    cuda.get_current_stream = lambda: types.SimpleNamespace(ptr=0)
    cupy.cuda = cuda
    special = types.ModuleType("cupyx.scipy.special")
    scipy = types.ModuleType("cupyx.scipy")
    scipy.special = special
    cupyx = types.ModuleType("cupyx")
    cupyx.scipy = scipy
    sys.modules.update({"cupy": cupy, "cupy.cuda": cuda, "cupy.cuda.cublas": cublas,
                        "cupyx": cupyx, "cupyx.scipy": scipy, "cupyx.scipy.special": special})

    launch = importlib.import_module("minidl.kernels.cuda.launch")
    libraries: dict = {}

    def compiled(source, name, dtype):
        c_type = launch.scalar_type(dtype)
        key = hashlib.sha1(f"{c_type}\n{source}".encode()).hexdigest()[:16]
        if key not in libraries:
            cpp, library = build_dir / f"{key}.cpp", build_dir / f"{key}.so"
            cpp.write_text(f"typedef {c_type} scalar_t;\n{HEADER}\n{source}")
            subprocess.run(["g++", "-O1", "-shared", "-fPIC", "-o", str(library), str(cpp)],
                           check=True, capture_output=True, text=True)
            libraries[key] = ctypes.CDLL(str(library))
        kernel = getattr(libraries[key], name)
        kernel.restype = None
        return libraries[key], kernel

    def run(compiled_kernel, items, *args):
        if items:
            compiled_kernel[1](*[_argument(a) for a in args])

    def run_grid(compiled_kernel, grid, *args):
        library, kernel = compiled_kernel
        arguments = [_argument(a) for a in args]
        for x in range(grid[0]):
            for y in range(grid[1]):
                library.set_block(ctypes.c_longlong(x), ctypes.c_longlong(y),
                                  ctypes.c_longlong(grid[0]), ctypes.c_longlong(grid[1]))
                kernel(*arguments)

    launch.compiled, launch.launch, launch.launch_grid = compiled, run, run_grid
    package = importlib.import_module("minidl.kernels.cuda")
    for module in ("batchnorm", "conv", "pooling", "upsample"):   # their own imported names
        loaded = importlib.import_module(f"minidl.kernels.cuda.{module}")
        loaded.compiled, loaded.launch = compiled, run
        if hasattr(loaded, "launch_grid"):
            loaded.launch_grid = run_grid
    return package
