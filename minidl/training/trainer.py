"""The training loop: epochs of optimizer steps, a validation after each, a checkpoint.

One epoch::

    shuffle: the sampler's order of epoch (seed + epoch), augmentation seeded (seed, epoch):
                                                        the order depends on nothing else
                                                        (on K ranks: this rank's shard)
    for each batch: task.train_step(batch)              under a progress bar
    task.evaluate(val_loader)                           validation metrics
    step the learning-rate schedules                    (plateau schedules see val_<monitor>)
    early stopping looks at val_<monitor>
    write checkpoint.h5 (atomically), metrics.jsonl, TensorBoard events (when the
    tensorboard package is there), the plots (curves.png and the task's: confusion
    matrix, image grids ...); runs of many short epochs redraw the
    plots at most every PLOT_INTERVAL seconds, and after the last epoch

Each epoch's record (a line of metrics.jsonl) holds ``epoch``, the epoch means of what
``train_step`` returned (``train_loss`` ...), the validation metrics (``val_loss``,
``val_accuracy`` ...), the learning rate(s) and the time. Resuming restores the
checkpoint (see :mod:`.checkpoint`) and continues with the next epoch, so an interrupted
and resumed run ends with the same numbers as an uninterrupted one.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..optim.lr_scheduler import ReduceLROnPlateau
from .checkpoint import restore_training, save_checkpoint
from .data_parallel import SingleProcess, set_epoch
from .early_stopping import EarlyStopping
from .metrics import MeanTracker
from .plots import plot_curves
from .progress import EpochProgress
from .tensorboard_log import TensorBoardLog

PLOT_INTERVAL = 30.0


@dataclass
class TrainingState:
    """Where a run stands: the last finished epoch and the records so far."""
    epoch: int = 0
    history: list = field(default_factory=list)
    finished: bool = False
    stopped_early: bool = False


class Trainer:
    """Train ``task`` on ``train_loader`` for ``epochs``, validating on ``val_loader`` and
    writing into ``run`` (a :class:`~.run_directory.RunDirectory`).

    ``patience``: early-stopping patience in epochs (0: off); ``seed``: fixes the shuffle
    of every epoch; ``on_epoch_end(record, evaluation)``: called after each epoch is
    saved and plotted (the CLI prints a line there); ``parallel``: what changes on the
    ranks of a data-parallel run (:mod:`.data_parallel`; default: one process)."""

    def __init__(self, task, train_loader, val_loader, run, epochs: int, seed: int,
                 patience: int = 0, on_epoch_end=None, parallel=None):
        self.task, self.run = task, run
        self.parallel = parallel or SingleProcess()
        self.train_loader, self.val_loader = train_loader, val_loader
        self.epochs, self.seed = epochs, seed
        self.early_stopping = EarlyStopping(patience, task.monitor_mode)
        self.on_epoch_end = on_epoch_end or (lambda record, evaluation: None)
        self.state = TrainingState()
        self.plots: list = []
        self._plotted_at = -float("inf")
        # only the rank that writes the run directory writes TensorBoard events
        self.board, self.board_note = (TensorBoardLog.open(run.path) if self.parallel.writes
                                       else (None, ""))

    def resume(self) -> TrainingState:
        """Continue from the run's checkpoint: models, optimizers, schedules, early
        stopping, random state and history as they were after its last epoch."""
        checkpoint = restore_training(self.run.checkpoint, self.task, self.early_stopping)
        self.state = TrainingState(epoch=int(checkpoint["epoch"]),
                                   history=checkpoint["history"],
                                   finished=bool(checkpoint["finished"]))
        if self.parallel.writes:
            self.run.write_metrics(self.state.history)  # as the checkpoint has it
        return self.state

    def fit(self) -> TrainingState:
        state = self.state
        for epoch in range(state.epoch + 1, self.epochs + 1):
            record, evaluation = self.run_epoch(epoch)
            state.history.append(record)
            state.epoch = epoch
            stop = self.early_stopping.step(record[f"val_{self.task.monitor}"], epoch)
            state.stopped_early = stop and epoch < self.epochs
            state.finished = stop or epoch == self.epochs
            if self.parallel.writes:
                self.write_epoch(record, evaluation)
            if stop:
                break
        if self.board is not None:
            self.board.close()
        return state

    def write_epoch(self, record: dict, evaluation) -> None:
        """The checkpoint, the line of metrics.jsonl, the TensorBoard events and (now and
        then) the plots of the epoch just finished."""
        state = self.state
        save_checkpoint(self.run.checkpoint, self.task, state.epoch, state.history,
                        self.early_stopping, finished=state.finished)
        self.run.append_metrics(record)
        if self.board is not None:
            self.board.log_epoch(record, evaluation.examples, self.task.models)
        if state.finished or time.monotonic() - self._plotted_at >= PLOT_INTERVAL:
            self.plots = self.write_plots(evaluation)
            self._plotted_at = time.monotonic()
        self.on_epoch_end(record, evaluation)

    def write_plots(self, evaluation) -> list:
        """The curves so far and the task's plots of this epoch's validation."""
        curves = plot_curves(self.state.history, self.task.curve_panels(),
                             self.run.file("curves.png"), self.run.path.name)
        return [curves, *self.task.write_plots(evaluation, self.run.path)]

    def run_epoch(self, epoch: int):
        task = self.task
        self.train_loader.generator = np.random.default_rng([self.seed, epoch])
        set_epoch(self.train_loader, epoch)
        task.train(True)
        means = MeanTracker()
        with EpochProgress(len(self.train_loader), f"epoch {epoch}/{self.epochs}") as bar, \
                self.parallel.replicated(task, epoch):
            for batch in self.train_loader:
                losses = task.train_step(task.to_device(batch))
                count = len(batch[0])
                means.add(losses, count)
                bar.update(count, losses["loss"])
        seconds = bar.seconds
        means = self.parallel.combine(means)
        task.train(False)
        evaluation = self.parallel.evaluate(task, self.val_loader)
        record = {"epoch": epoch,
                  **{f"train_{name}": value for name, value in means.means().items()},
                  **{f"val_{name}": value for name, value in evaluation.metrics.items()},
                  **{f"lr_{name}" if len(task.optimizers) > 1 else "lr": lr
                     for name, lr in task.learning_rates().items()},
                  "seconds": round(seconds, 3),
                  "images_per_second": round(means.count / max(seconds, 1e-9), 1)}
        for scheduler in task.schedulers.values():
            if isinstance(scheduler, ReduceLROnPlateau):
                scheduler.step(record[f"val_{task.monitor}"])
            else:
                scheduler.step()
        return record, evaluation
