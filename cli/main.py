"""The ``minidl`` command: one sub-command per job (train, eval, data, bench, ...)."""
from __future__ import annotations

import click

from .bench import bench
from .colorize import colorize
from .data import data
from .eval import evaluate
from .run import run
from .studies import studies
from .train import train


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="minidl")
def cli():
    """minidl: a deep learning engine from scratch. Run `minidl COMMAND --help` for details."""


cli.add_command(data)
cli.add_command(train)
cli.add_command(evaluate)
cli.add_command(colorize)
cli.add_command(studies)
cli.add_command(bench)
cli.add_command(run)


def main():
    cli()


if __name__ == "__main__":
    main()
