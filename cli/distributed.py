"""``minidl train --distributed``: one rank of a data-parallel run started by mpirun.

    mpirun -n 4 minidl train STUDY --distributed ...

Each process joins the process group ("nccl" when the run trains on cuda, else "mpi"), then
runs the same ``minidl train`` as alone: the runner and trainer shard the data, average the
gradients and let rank 0 alone write (:mod:`minidl.training.data_parallel`). Rank 0 prints;
the other ranks print nothing to stdout and prefix what they write to stderr (errors) with
their rank. Any exit of a rank before the run's end (an error, Ctrl-C, a lost rank's
timeout) stops every rank (:func:`minidl.distributed.abort_at_exit`).
"""
from __future__ import annotations

import io
import os
import sys

import click


class RankPrefixed(io.TextIOBase):
    """A text stream that starts every line with ``[rank r] `` (text only: click probes
    whether a stream takes bytes)."""

    def __init__(self, stream, rank: int):
        super().__init__()
        self.stream, self.prefix = stream, f"[rank {rank}] "
        self.line_start = True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        for piece in text.splitlines(keepends=True):
            if self.line_start:
                self.stream.write(self.prefix)
            self.stream.write(piece)
            self.line_start = piece.endswith("\n")
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    @property
    def encoding(self) -> str:
        return self.stream.encoding

    def isatty(self) -> bool:
        return self.stream.isatty()

    def writable(self) -> bool:
        return True


def start_ranks(device: str, timeout: float) -> None:
    """Join this process to the run's process group (see the module docstring)."""
    from minidl import distributed
    backend = "nccl" if device == "cuda" else "mpi"
    try:
        distributed.init_process_group(backend, timeout=timeout)
    except ImportError as error:
        raise click.ClickException(f"--distributed: {error}") from None
    distributed.abort_at_exit()
    rank, world = distributed.get_rank(), distributed.get_world_size()
    if rank > 0:
        sys.stdout = open(os.devnull, "w")
        sys.stderr = RankPrefixed(sys.stderr, rank)
    click.echo(f"data-parallel training on {world} rank{'s' if world > 1 else ''} "
               f"({distributed.get_backend()})")


def run_device(resume: str | None, given: dict) -> str:
    """The device the run trains on: --device, the resumed run's, or the default (cpu)."""
    if "device" in given or not resume:
        return given.get("device", "cpu")
    from minidl.training.run_directory import RunDirectory
    return RunDirectory.open(resume).read_config().get("device", "cpu")


def finish_ranks() -> None:
    """The run is over on every rank: wait for the others (rank 0 tests the model and
    writes last, for as long as that takes: if it fails, the launcher ends this rank),
    then leave the group."""
    from minidl import distributed
    distributed.barrier(async_op=True).wait(timeout=float("inf"))
    distributed.destroy_process_group()
