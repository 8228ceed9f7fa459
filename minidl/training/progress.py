"""The progress bar of one epoch: how far, the running loss and the throughput.

    epoch 2/5  [##########------------]   45%  loss 0.1432  1,250 img/s  00:00:21

It is click's progress bar, so it draws only on a terminal; in a log or a test it prints
its label once.
"""
from __future__ import annotations

import time
from typing import Any

import click


class EpochProgress:
    """``with EpochProgress(steps, label) as progress: progress.update(count, loss)``."""

    def __init__(self, steps: int, label: str):
        self.steps, self.label = steps, label
        self.started = time.perf_counter()
        self.images = 0
        self.loss_sum = 0.0
        self._bar: Any = None  # click's bar, made on entering the block

    def __enter__(self):
        self.started = time.perf_counter()
        self._bar = click.progressbar(length=self.steps, label=self.label, width=24,
                                      item_show_func=lambda text: text)
        self._bar.__enter__()
        return self

    def __exit__(self, *exc_info):
        return self._bar.__exit__(*exc_info)

    def update(self, count: int, loss: float) -> None:
        """One batch of ``count`` images done, with this batch's loss."""
        self.images += count
        self.loss_sum += loss * count
        self._bar.update(1, f"loss {self.loss_sum / self.images:.4f}  "
                            f"{self.throughput:,.0f} img/s")

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    @property
    def throughput(self) -> float:
        return self.images / max(self.seconds, 1e-9)
