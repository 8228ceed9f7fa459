"""``minidl bench``: minidl against PyTorch, side by side.

    minidl bench kernels [--device cpu] [--json report.json] [--repeat 7] [--cases conv]
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click


@click.group()
def bench():
    """Benchmarks against PyTorch (needs `pip install 'minidl[bench]'`)."""


@bench.command()
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True,
              help="Where both engines run (cuda: every case at batch 64, against "
                   "PyTorch CUDA).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the report (machine details included) here.")
@click.option("--repeat", type=click.IntRange(min=1), default=7, show_default=True,
              help="Timed repetitions per case (the median counts).")
@click.option("--cases", "case_filter", default="", metavar="SUBSTRING",
              help="Only the cases whose name contains SUBSTRING (e.g. 'conv', 'pool').")
@click.option("--threads", type=click.IntRange(min=1), default=2, show_default=True,
              help="Threads for each engine (Numba, BLAS and PyTorch alike).")
def kernels(device, json_path, repeat, case_filter, threads):
    """Time every kernel of the studies, forward and forward+backward, in minidl and
    PyTorch on the same inputs; print the ratios minidl/PyTorch (below 1: minidl is
    faster), their geometric mean and the convolutions' GFLOP/s next to the machine's
    float32 matrix-multiply rate."""
    from minidl.bench.kernels import check_device
    from minidl.bench.machine import environment_is_set, thread_environment

    try:
        check_device(device)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    if not environment_is_set(threads):
        # Thread pools read their settings when they load: start afresh with them set.
        arguments = ["--device", device, "--repeat", str(repeat), "--threads", str(threads),
                     "--cases", case_filter]
        if json_path is not None:
            arguments += ["--json", str(json_path)]
        command = [sys.executable, "-m", "minidl.cli.main", "bench", "kernels", *arguments]
        code = subprocess.call(command, env={**os.environ, **thread_environment(threads)})
        raise SystemExit(code)
    try:
        import torch  # noqa: F401
    except ImportError:
        raise click.ClickException("the benchmark compares with PyTorch: pip install "
                                   "'minidl[bench]'") from None
    from minidl.bench.kernels import TABLE_HEADER, format_row, format_summary, run_kernel_benchmark

    click.echo(TABLE_HEADER)
    try:
        report = run_kernel_benchmark(repeat, case_filter, threads, device,
                                      progress=lambda row: click.echo(format_row(row)))
    except (RuntimeError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(format_summary(report))
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, indent=2))
        click.echo(f"report written to {json_path}")
