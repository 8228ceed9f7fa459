"""Benchmarks of minidl against PyTorch, run side by side in one process on the same inputs.

``minidl bench kernels`` (or ``python benchmarks/kernels.py``) times the kernels of the
studies; see :mod:`minidl.bench.kernels`.  PyTorch is needed here only, never by the engine.
"""
