"""Running a PyTorch script on minidl, as ``python SCRIPT ARGS`` would run it on PyTorch.

The script runs as ``__main__`` (its ``if __name__ == "__main__":`` block runs), with
``sys.argv = [SCRIPT, *ARGS]`` and the script's folder first on ``sys.path`` (so it
imports its neighbour modules), while :func:`~.importer.torch_is_minidl` makes ``torch``
and ``torchvision`` resolve to minidl.  A name minidl lacks (or an option: a
``NotImplementedError``) ends the run with one line that says where:
``train.py:42: minidl does not implement torch.fft (yet)``.
"""
from __future__ import annotations

import os
import runpy
import sys
import traceback

import numpy as np

from .importer import torch_is_minidl
from .missing import TorchModuleNotInMinidl


class ScriptError(Exception):
    """The script could not be started (the message says why)."""


def run_script(path, args=()) -> None:
    """Run the Python file ``path`` with arguments ``args`` on minidl.

    Exceptions raised by the script propagate (``SystemExit`` included), except the
    missing-name errors, which :func:`main` turns into one line.  NumPy's floating point
    warnings (overflow, invalid values) are silenced while it runs: PyTorch computes with
    infinities and NaNs without a word, and a program's output should read the same.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ScriptError(f"minidl run: no such script: {path}")
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [path, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        with torch_is_minidl(), np.errstate(all="ignore"):
            runpy.run_path(path, run_name="__main__")
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path


def where_in_script(error: BaseException, path) -> str:
    """``file:line`` of the deepest frame of the traceback inside the script (or '')."""
    script = os.path.abspath(path)
    location = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if os.path.abspath(frame.filename) == script:
            location = f"{os.path.basename(path)}:{frame.lineno}"
    return location


def run_main(path, args=()) -> int:
    """Run the script; the exit status for the shell (a missing name: 1, with one line)."""
    try:
        run_script(path, args)
    except ScriptError as error:
        print(error, file=sys.stderr)
        return 2
    except (NotImplementedError, TorchModuleNotInMinidl) as error:
        # a missing name, or an option minidl lacks (interpolate's antialias=True,
        # create_graph=True through an operation without a recorded backward): one line,
        # where the script asked for it
        location = where_in_script(error, path)
        print(f"{location}: {error}" if location else str(error), file=sys.stderr)
        return 1
    return 0
