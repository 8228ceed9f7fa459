"""Benchmarks of minidl against PyTorch, run side by side in one process on the same inputs.

``minidl bench kernels`` (or ``python benchmarks/kernels.py``) times the kernels of the
studies (:mod:`minidl.bench.kernels`); ``minidl bench train`` (``benchmarks/train.py``) one
training step of each study's model, with its peak memory (:mod:`minidl.bench.train`).
PyTorch is needed here only, never by the engine.
"""
