"""What the CLI prints: metrics on one line, and any expected error as one line.

``USER_ERRORS`` are the failures a user can cause and fix (a bad setting, a missing
dataset, an unwritable folder, a folder that is not a run directory, an image that
can't be read); the commands turn them into ``Error: <one line>`` and exit code 1,
never a traceback. A ``KeyError`` from a plain dict lookup carries only the key; its
line says that the entry is missing and which function, in which file, looked for it.
"""
from __future__ import annotations

import math
from pathlib import Path

import click

# ConfigError (a bad setting) and RunDirectoryError are ValueErrors; a missing dataset
# is a FileNotFoundError, an unwritable folder a PermissionError: both OSErrors.
USER_ERRORS = (ValueError, OSError, KeyError)


def one_line(error: BaseException) -> str:
    """The error's message with its lines joined (a dataset-not-found message lists each
    place it looked on a line of its own)."""
    text = missing_entry(error) if isinstance(error, KeyError) else str(error)
    return " ".join(line.strip() for line in str(text).splitlines() if line.strip())


def missing_entry(error: KeyError) -> str:
    """The message of a ``KeyError``: its text when it was raised with a sentence, else
    ``missing entry 'seed' (looked up by build_task in minidl/studies/runner.py:54)``."""
    if not error.args:
        return "missing entry"
    key = error.args[0]
    if isinstance(key, str) and " " in key.strip():  # raised with a message
        return key
    where = ""
    frames = []
    traceback = error.__traceback__
    while traceback is not None:
        frames.append(traceback)
        traceback = traceback.tb_next
    if frames:
        code, line = frames[-1].tb_frame.f_code, frames[-1].tb_lineno
        where = f" (looked up by {code.co_name} in {_short_path(code.co_filename)}:{line})"
    return f"missing entry {key!r}{where}"


def _short_path(filename: str) -> str:
    """``minidl/...`` for a file of the package, else the file's name."""
    parts = Path(filename).parts
    for marker in ("minidl", "cli", "datasets", "models"):
        if marker in parts:
            return "/".join(parts[len(parts) - 1 - parts[::-1].index(marker):])
    return Path(filename).name


def user_error(error: BaseException) -> click.ClickException:
    return click.ClickException(one_line(error))


PERCENT = ("accuracy", "precision", "recall", "f1")


def format_value(name: str, value) -> str:
    if not isinstance(value, float):
        return str(value)
    if math.isnan(value):
        return "nan"
    if any(name.endswith(word) for word in PERCENT):
        return f"{value:.2%}"
    if name.endswith("psnr"):
        return f"{value:.2f} dB"
    if name.startswith("lr"):
        return f"{value:.3g}"
    return f"{value:.4g}"


def format_metrics(metrics: dict, skip=("epoch",)) -> str:
    """``name value`` pairs joined by two spaces (accuracies as percentages)."""
    return "  ".join(f"{name} {format_value(name, value)}" for name, value in metrics.items()
                     if name not in skip)
