"""``minidl run SCRIPT.py [ARGS...]``: run a PyTorch program on minidl."""
from __future__ import annotations

import sys

import click

from minidl.compat.runner import run_main


@click.command(context_settings={"ignore_unknown_options": True,
                                 "allow_interspersed_args": False})
@click.argument("script", type=click.Path(dir_okay=False))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run(script, args):
    """Run the PyTorch program SCRIPT with ARGS, with `torch`, its sub-modules and
    `torchvision` resolved to minidl. What minidl does not implement stops the program
    with one line naming it."""
    sys.exit(run_main(script, args))
