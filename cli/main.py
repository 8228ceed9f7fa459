"""The ``minidl`` command: one sub-command per job (train, eval, data, bench, ...)."""
from __future__ import annotations

import warnings

import click

from minidl.cli.bench import bench
from minidl.cli.colorize import colorize
from minidl.cli.data import data
from minidl.cli.eval import evaluate
from minidl.cli.explain import explain
from minidl.cli.export import export
from minidl.cli.reproduce import reproduce
from minidl.cli.run import run
from minidl.cli.studies import studies
from minidl.cli.train import train


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="minidl")
def cli():
    """minidl: a deep learning engine from scratch. Run `minidl COMMAND --help` for details."""


cli.add_command(data)
cli.add_command(train)
cli.add_command(evaluate)
cli.add_command(explain)
cli.add_command(colorize)
cli.add_command(export)
cli.add_command(studies)
cli.add_command(reproduce)
cli.add_command(bench)
cli.add_command(run)


def main():
    # Images over Pillow's warning size are refused by minidl's own pixel cap, in one line
    # (see minidl.data.image_file); Pillow's warning would only repeat it.
    warnings.filterwarnings("ignore", message=r"Image size \(\d+ pixels\) exceeds limit")
    cli()


if __name__ == "__main__":
    main()
