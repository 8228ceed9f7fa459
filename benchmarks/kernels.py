"""Kernel benchmark, minidl against PyTorch: the same as ``minidl bench kernels``.

    python benchmarks/kernels.py --json kernels.json --repeat 7 --cases conv

Importable too: ``run_kernel_benchmark`` returns the report as a dict (see
``minidl/bench/kernels.py``, where the cases, the timing and the report live).
"""
from minidl.bench.kernels import format_row, format_summary, run_kernel_benchmark
from minidl.cli.bench import kernels

__all__ = ["run_kernel_benchmark", "format_row", "format_summary"]

if __name__ == "__main__":
    kernels(prog_name="benchmarks/kernels.py")
