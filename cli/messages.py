"""What the CLI prints: metrics on one line, and any expected error as one line.

``USER_ERRORS`` are the failures a user can cause and fix (a bad setting, a missing
dataset, an unwritable folder, a folder that is not a run directory, an image that
can't be read); the commands turn them into ``Error: <one line>`` and exit code 1,
never a traceback.
"""
from __future__ import annotations

import math

import click

# ConfigError (a bad setting) and RunDirectoryError are ValueErrors; a missing dataset
# is a FileNotFoundError, an unwritable folder a PermissionError: both OSErrors.
USER_ERRORS = (ValueError, OSError, KeyError)


def one_line(error: BaseException) -> str:
    """The error's message with its lines joined (a dataset-not-found message lists each
    place it looked on a line of its own)."""
    text = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
    return " ".join(line.strip() for line in str(text).splitlines() if line.strip())


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
