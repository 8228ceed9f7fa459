"""One training epoch of the default study, minidl against PyTorch: the same as
``minidl bench epoch``.

    python benchmarks/epoch.py --json epoch.json --repeat 2
    python benchmarks/epoch.py --limit 2048          # a quick run on part of the data

Importable too: ``run_epoch_benchmark`` returns the report as a dict (see
``minidl/bench/epoch.py``, where both engines' epochs and their timing live).
"""
from minidl.bench.epoch import format_epoch, format_summary, run_epoch_benchmark
from minidl.cli.bench import epoch

__all__ = ["run_epoch_benchmark", "format_epoch", "format_summary"]

if __name__ == "__main__":
    epoch(prog_name="benchmarks/epoch.py")
