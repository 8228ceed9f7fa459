"""Early stopping: end training when a validation metric has stopped improving.

After every epoch, ``step(value)`` compares the monitored value (e.g. the validation loss)
with the best seen so far. It improves when ``value < best - min_delta`` (mode "min") or
``value > best + min_delta`` (mode "max"). After ``patience`` epochs in a row without
improvement, ``step`` returns True: stop. ``patience=0`` never stops.

The state (best value, its epoch, the count of epochs without improvement) is saved in
the checkpoint, so a resumed run stops exactly where an uninterrupted one would.
"""
from __future__ import annotations

import math

MODES = ("min", "max")


class EarlyStopping:
    def __init__(self, patience: int = 0, mode: str = "min", min_delta: float = 0.0):
        if mode not in MODES:
            raise ValueError(f"EarlyStopping: mode must be one of {MODES}, got {mode!r}")
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        self.patience, self.mode, self.min_delta = patience, mode, min_delta
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = 0
        self.bad_epochs = 0

    def improves(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def step(self, value: float, epoch: int) -> bool:
        """Record the value of ``epoch``; True when training should stop now."""
        if self.improves(value):
            self.best, self.best_epoch, self.bad_epochs = value, epoch, 0
        else:
            self.bad_epochs += 1
        return self.patience > 0 and self.bad_epochs >= self.patience

    def state_dict(self) -> dict:
        return {"best": self.best, "best_epoch": self.best_epoch,
                "bad_epochs": self.bad_epochs}

    def load_state_dict(self, state: dict) -> None:
        self.best = float(state["best"])
        self.best_epoch = int(state["best_epoch"])
        self.bad_epochs = int(state["bad_epochs"])
