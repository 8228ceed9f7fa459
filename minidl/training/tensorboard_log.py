"""A run mirrored in TensorBoard: ``tensorboard --logdir runs`` compares every run.

Each epoch the trainer hands its record and validation here; the event files go into the
run directory itself (beside config.json), so each run directory is one TensorBoard run:

    train/<metric>, val/<metric>    every number of the epoch's record (lr, seconds ...)
    examples/<name>                 the validation's example images, as one grid each
    <model>/<parameter>             a histogram of every parameter's values

TensorBoard is optional (``pip install "minidl[tensorboard]"``); without it nothing is
written and ``TensorBoardLog.open`` says why.
"""
from __future__ import annotations

import numbers

import numpy as np


class TensorBoardLog:
    """Writes one run's epochs as TensorBoard events (see the module docstring)."""

    def __init__(self, folder, writer_class):
        self.folder, self.writer_class = folder, writer_class
        self.writer = None  # the event file is created with the first epoch

    @classmethod
    def open(cls, folder) -> tuple[TensorBoardLog | None, str]:
        """The log for ``folder`` and a line saying where it goes (or why it is off)."""
        try:
            from ..utils.tensorboard import SummaryWriter, _tensorboard
            _tensorboard()
        except ImportError:
            return None, 'TensorBoard logging off: pip install "minidl[tensorboard]"'
        return cls(folder, SummaryWriter), f"TensorBoard: tensorboard --logdir {folder.parent}"

    def log_epoch(self, record: dict, examples: dict, models: dict) -> None:
        if self.writer is None:
            self.writer = self.writer_class(str(self.folder), flush_secs=30)
        epoch = record["epoch"]
        for key, value in record.items():
            if key != "epoch" and isinstance(value, numbers.Real) \
                    and np.isfinite(float(value)):
                self.writer.add_scalar(_tag(key), value, epoch)
        for name, images in examples.items():
            grid = _image_batch(images)
            if grid is not None:
                self.writer.add_images(f"examples/{name}", grid, epoch)
        for model_name, model in models.items():
            for name, parameter in model.named_parameters():
                values = parameter.detach().cpu().numpy()
                if np.all(np.isfinite(values)):
                    self.writer.add_histogram(f"{model_name}/{name}", values, epoch)
        self.writer.flush()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _tag(key: str) -> str:
    """``train_loss`` -> ``train/loss``: TensorBoard groups the charts by prefix."""
    for split in ("train_", "val_", "test_"):
        if key.startswith(split):
            return f"{split[:-1]}/{key[len(split):]}"
    return key


def _image_batch(items) -> np.ndarray | None:
    """A list of (C, H, W) images with C 1 or 3 as one (N, C, H, W) batch in [0, 1];
    ``None`` for anything else (labels, predictions, feature maps)."""
    if not isinstance(items, list | tuple) or not items \
            or not all(isinstance(item, np.ndarray) for item in items):
        return None
    arrays = list(items)
    first = arrays[0]
    if first.ndim != 3 or first.shape[0] not in (1, 3) or first.dtype.kind != "f" \
            or any(a.shape != first.shape for a in arrays):
        return None
    return np.clip(np.stack(arrays), 0.0, 1.0)
