"""Training-step benchmark, minidl against PyTorch: the same as ``minidl bench train``.

    python benchmarks/train.py --json train.json --repeat 5 --cases gan

Importable too: ``run_train_benchmark`` returns the report as a dict (see
``minidl/bench/train.py``, where the timing and memory measurements live, and
``minidl/bench/train_cases.py``, the cases).
"""
from minidl.bench.train import format_row, format_summary, run_train_benchmark
from minidl.cli.bench import train

__all__ = ["run_train_benchmark", "format_row", "format_summary"]

if __name__ == "__main__":
    train(prog_name="benchmarks/train.py")
