"""What machine a benchmark ran on, how its threads were set, and its matrix-multiply speed.

Thread pools only read some settings when their library loads, so ``thread_environment``
gives the variables a benchmark process must start with: every pool gets the same number
of threads, and idle workers sleep instead of spinning (two pools spinning on the same
cores slow each other down by up to 2x).
"""
from __future__ import annotations

import os
import platform
import time

import numpy as np

IDLE_WORKERS_SLEEP = {"OPENBLAS_THREAD_TIMEOUT": "4"}
"""NumPy's OpenBLAS threads sleep when idle, as ``import minidl`` sets; PyTorch's OpenMP
threads keep their default (they spin for a while after each call): each engine runs as a
user's program would run it."""


def thread_environment(threads: int) -> dict[str, str]:
    """Environment variables for a process whose thread pools all use ``threads`` threads."""
    count = str(threads)
    return {**IDLE_WORKERS_SLEEP, "OPENBLAS_NUM_THREADS": count, "OMP_NUM_THREADS": count,
            "MKL_NUM_THREADS": count, "NUMBA_NUM_THREADS": count}


def set_runtime_threads(threads: int, torch=None) -> None:
    """Set the pools that can still change after loading: Numba's, PyTorch's and, when
    threadpoolctl is installed, the BLAS libraries'."""
    import numba

    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
    if torch is not None:
        torch.set_num_threads(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(threads)


def load_average() -> list | None:
    """Runnable processes averaged over 1, 5 and 15 minutes (above the core count: busy)."""
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else None


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_name() -> str:
    """The BLAS library NumPy was built with, e.g. 'scipy-openblas 0.3.27'."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except Exception:  # NumPy < 1.26 has no dict form
        return "unknown"
    return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()


def blas_kernel() -> str:
    """Which kernel the loaded BLAS runs (threadpoolctl), e.g. 'openblas 0.3.31 SkylakeX':
    OPENBLAS_CORETYPE in the environment can force an older one."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    kernels = [" ".join(str(info.get(key)) for key in ("internal_api", "version",
                                                       "architecture") if info.get(key))
               for info in threadpool_info() if info.get("user_api") == "blas"]
    return ", ".join(kernels) or "unknown"


def _numba_threading_layer() -> str:
    import numba

    try:
        return numba.threading_layer()
    except ValueError:  # no parallel loop has run yet
        return "not started"


def machine_details(threads: int, torch=None) -> dict:
    """CPU, core count, load, library versions and thread settings, for the JSON report."""
    import numba

    details = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "load_average_1_5_15_min": load_average(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas_name(),
        "blas_kernel": blas_kernel(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "numba": numba.__version__,
        "numba_threading_layer": _numba_threading_layer(),
        "threads": threads,
        "thread_environment": {key: os.environ.get(key)
                               for key in thread_environment(threads)},
    }
    if torch is not None:
        details["torch"] = torch.__version__
        details["torch_threads"] = torch.get_num_threads()
    return details


def machine_lines(details: dict) -> list[str]:
    """The machine, its load before and after, and the library versions (with the BLAS
    kernel that ran), as the closing lines of a report."""
    load = [round(v, 1) for v in details["load_average_1_5_15_min"] or []]
    load_after = [round(v, 1) for v in details.get("load_average_after") or []]
    return [f"machine: {details['cpu']}, {details['cores']} cores, {details['threads']} "
            f"threads per engine, load average (1, 5, 15 min) {load} before, {load_after} "
            "after",
            f"versions: numpy {details['numpy']} ({details['blas']}, kernel "
            f"{details.get('blas_kernel', '?')}), numba {details['numba']}, torch "
            f"{details.get('torch')}"]


def sgemm_gflops(size: int = 2048, repeat: int = 5) -> float:
    """The best rate of NumPy's float32 matrix product C = A B on size x size matrices,
    in GFLOP/s (2·size³ floating-point operations per product)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    out = np.empty_like(a)
    np.matmul(a, b, out=out)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return 2 * size ** 3 / best / 1e9


def gpu_details(torch) -> dict:
    """The GPU both engines run on, the CUDA libraries, and the float32 math they use."""
    import cupy

    properties = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
    name = properties["name"]
    return {
        "gpu": name.decode() if isinstance(name, bytes) else name,
        "gpu_memory_gib": round(properties["totalGlobalMem"] / 2 ** 30, 1),
        "cuda_runtime": cupy.cuda.runtime.runtimeGetVersion(),
        "cupy": cupy.__version__,
        "torch_cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "torch_tf32": {"matmul": torch.backends.cuda.matmul.allow_tf32,
                       "cudnn": torch.backends.cudnn.allow_tf32},
        "cupy_tf32": os.environ.get("CUPY_TF32", "0"),
    }


def gpu_sgemm_gflops(size: int = 8192, repeat: int = 5) -> float:
    """The best rate of cuBLAS's float32 matrix product (through CuPy) on size x size
    matrices, in GFLOP/s, each product timed between two CUDA events."""
    import cupy

    a = cupy.asarray(np.random.default_rng(0).standard_normal((size, size), dtype=np.float32))
    b = a.T.copy()
    out = cupy.empty_like(a)
    cupy.matmul(a, b, out=out)
    start, stop = cupy.cuda.Event(), cupy.cuda.Event()
    best = float("inf")
    for _ in range(repeat):
        start.record()
        cupy.matmul(a, b, out=out)
        stop.record()
        stop.synchronize()
        best = min(best, cupy.cuda.get_elapsed_time(start, stop) / 1e3)
    return 2 * size ** 3 / best / 1e9
