"""``minidl bench``: minidl against PyTorch, side by side.

    minidl bench kernels [--device cpu] [--json report.json] [--repeat 7] [--cases conv]
    minidl bench train [--json report.json] [--repeat 5] [--cases gan]
    minidl bench epoch [--json report.json] [--repeat 1] [--limit 256]
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


def _restart_with(environment: dict, command: str, arguments: list) -> None:
    """Thread pools (and glibc's allocator) read their settings when they load: unless this
    process started with ``environment``, run the command afresh in one that does."""
    if all(os.environ.get(key) == value for key, value in environment.items()):
        return
    command_line = [sys.executable, "-m", "minidl.cli.main", "bench", command, *arguments]
    raise SystemExit(subprocess.call(command_line, env={**os.environ, **environment}))


def _require_torch() -> None:
    try:
        import torch  # noqa: F401
    except ImportError:
        raise click.ClickException("the benchmark compares with PyTorch: pip install "
                                   "'minidl[bench]'") from None


def _write_report(report: dict, json_path: Path | None) -> None:
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, indent=2))
        click.echo(f"report written to {json_path}")


def _common_arguments(json_path, repeat, threads) -> list:
    arguments = ["--repeat", str(repeat), "--threads", str(threads)]
    return arguments + (["--json", str(json_path)] if json_path is not None else [])


JSON_OPTION = click.option("--json", "json_path", default=None,
                           type=click.Path(dir_okay=False, path_type=Path),
                           help="Also write the report (machine details included) here.")
THREADS_OPTION = click.option("--threads", type=click.IntRange(min=1), default=2,
                              show_default=True,
                              help="Threads for each engine (Numba, BLAS and PyTorch alike).")


@bench.command()
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True,
              help="Where both engines run (cuda: every case at batch 64, against "
                   "PyTorch CUDA).")
@JSON_OPTION
@click.option("--repeat", type=click.IntRange(min=1), default=7, show_default=True,
              help="Timed repetitions per case (the median counts).")
@click.option("--cases", "case_filter", default="", metavar="SUBSTRING",
              help="Only the cases whose name contains SUBSTRING (e.g. 'conv', 'pool').")
@THREADS_OPTION
def kernels(device, json_path, repeat, case_filter, threads):
    """Time every kernel of the studies, forward and forward+backward, in minidl and
    PyTorch on the same inputs; print the ratios minidl/PyTorch (below 1: minidl is
    faster), their geometric mean and the convolutions' GFLOP/s next to the machine's
    float32 matrix-multiply rate."""
    from minidl.bench.kernels import check_device
    from minidl.bench.machine import thread_environment

    try:
        check_device(device)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    _restart_with(thread_environment(threads), "kernels",
                  ["--device", device, "--cases", case_filter,
                   *_common_arguments(json_path, repeat, threads)])
    _require_torch()
    from minidl.bench.kernels import TABLE_HEADER, format_row, format_summary, run_kernel_benchmark

    click.echo(TABLE_HEADER)
    try:
        report = run_kernel_benchmark(repeat, case_filter, threads, device,
                                      progress=lambda row: click.echo(format_row(row)))
    except (RuntimeError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(format_summary(report))
    _write_report(report, json_path)


@bench.command()
@JSON_OPTION
@click.option("--repeat", type=click.IntRange(min=1), default=5, show_default=True,
              help="Timed steps per case and engine (the median counts).")
@click.option("--cases", "case_filter", default="", metavar="SUBSTRING",
              help="Only the cases whose name contains SUBSTRING (e.g. 'gan', 'iizuka').")
@THREADS_OPTION
def train(json_path, repeat, case_filter, threads):
    """Time one training step (forward, loss, backward, optimizer) of each study's model
    in minidl and in PyTorch (the same model source, the same weights and batch), and
    measure each step's peak memory; print the ratios minidl/PyTorch."""
    from ..bench.machine import thread_environment

    _restart_with(thread_environment(threads), "train",
                  ["--cases", case_filter, *_common_arguments(json_path, repeat, threads)])
    _require_torch()
    from ..bench.train import (
        TABLE_HEADER,
        format_row,
        format_summary,
        run_train_benchmark,
        selected_cases,
    )

    try:
        selected_cases(case_filter)
        memory = _memory_in_own_process(case_filter, threads)
        click.echo(TABLE_HEADER)
        report = run_train_benchmark(repeat, case_filter, threads, memory=memory,
                                     progress=lambda row: click.echo(format_row(row)))
    except (RuntimeError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(format_summary(report))
    _write_report(report, json_path)


def _memory_in_own_process(case_filter: str, threads: int) -> dict:
    """``bench train-memory`` run in a process started with the allocator setting the
    memory measurement needs (it would slow the timed steps of both engines), in a folder
    of its own (a source checkout's minidl/ folder in the working directory would shadow
    the installed package)."""
    import tempfile

    from ..bench.machine import thread_environment
    from ..bench.train import MEMORY_ENVIRONMENT

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "memory.json"
        command = [sys.executable, "-m", "minidl.cli.main", "bench", "train-memory",
                   "--cases", case_filter, "--threads", str(threads), "--out", str(path)]
        done = subprocess.run(command, env={**os.environ, **thread_environment(threads),
                                            **MEMORY_ENVIRONMENT},
                              capture_output=True, text=True, cwd=folder)
        if done.returncode != 0:
            raise RuntimeError("the memory measurement failed: "
                               + (done.stderr.strip().splitlines() or ["(no message)"])[-1])
        return json.loads(path.read_text())


@bench.command("train-memory", hidden=True)
@click.option("--cases", "case_filter", default="")
@THREADS_OPTION
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def train_memory(case_filter, threads, out):
    """(Started by `bench train`.) Peak memory of a step of each case, as JSON in OUT."""
    from ..bench.train import run_memory_benchmark

    out.write_text(json.dumps(run_memory_benchmark(case_filter, threads)))


@bench.command()
@JSON_OPTION
@click.option("--repeat", type=click.IntRange(min=1), default=1, show_default=True,
              help="Epochs per engine, interleaved (the median counts).")
@click.option("--limit", type=click.IntRange(min=2), default=None,
              help="Train on N images of the training split, evenly spread (quick runs); "
                   "default: all of it.")
@THREADS_OPTION
def epoch(json_path, repeat, limit, threads):
    """Time one training epoch of the default study (what `minidl train` runs with no
    arguments) in minidl, through its own data loader and trainer, and in PyTorch (the
    same model, weights, data, batches and optimizer); print both epoch times, images/s,
    the ratio minidl/PyTorch and each engine's training loss."""
    from ..bench.machine import thread_environment

    _restart_with(thread_environment(threads), "epoch",
                  [*(["--limit", str(limit)] if limit is not None else []),
                   *_common_arguments(json_path, repeat, threads)])
    _require_torch()
    from ..bench.epoch import format_epoch, format_heading, format_summary, run_epoch_benchmark
    from .messages import USER_ERRORS, user_error

    try:
        report = run_epoch_benchmark(repeat, limit, threads, progress=lambda *result:
                                     click.echo(format_epoch(*result)))
    except USER_ERRORS as error:     # no dataset, an unreadable data folder
        raise user_error(error) from None
    click.echo(format_heading(report))
    click.echo(format_summary(report))
    _write_report(report, json_path)
