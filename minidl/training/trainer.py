"""The training loop: epochs of optimizer steps, a validation after each, a checkpoint.

One epoch::

    shuffle: the sampler's order of epoch (seed + epoch), augmentation seeded (seed, epoch):
                                                        the order depends on nothing else
                                                        (on K ranks: this rank's shard)
    for each batch: task.train_step(batch)              under a progress bar
    task.evaluate(val_loader)                           validation metrics
    step the learning-rate schedules                    (plateau schedules see val_<monitor>)
    check that weights and validation loss are finite   (:mod:`.nonfinite`)
    early stopping looks at val_<monitor>
    write checkpoint.h5 (atomically, the one before kept as checkpoint.prev.h5) and
    the epoch's line of metrics.jsonl, with Ctrl-C and SIGTERM held back until both
    are written (:mod:`.interrupts`); then TensorBoard events (when the tensorboard
    package is there) and the plots (curves.png and the task's: confusion matrix,
    image grids ...); runs of many short epochs redraw the plots at most every
    PLOT_INTERVAL seconds, and after the last epoch (on K ranks rank 0 alone writes)

Each epoch's record (a line of metrics.jsonl) holds ``epoch``, the epoch means of what
``train_step`` returned (``train_loss`` ...), the validation metrics (``val_loss``,
``val_accuracy`` ...), the learning rate(s) and the time. Resuming restores the
checkpoint (see :mod:`.checkpoint`) and continues with the next epoch, so an interrupted
and resumed run ends with the same numbers as an uninterrupted one.

A NaN or infinite loss or gradient stops the run (:class:`~.nonfinite.NonFiniteError`)
before any broken weight is saved, or, with ``on_nonfinite="skip"``, leaves that step
out and counts the batch in the record's ``skipped_batches`` (on K ranks every rank
leaves the step out when any rank found something not finite).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..optim.lr_scheduler import ReduceLROnPlateau
from .checkpoint import read_checkpoint, restore_training, save_checkpoint
from .data_parallel import SingleProcess, set_epoch
from .early_stopping import EarlyStopping
from .interrupts import interrupts_deferred
from .metrics import MeanTracker
from .nonfinite import NonFiniteGuard, check_epoch, numpy_float_warnings_silenced
from .plots import plot_curves
from .progress import EpochProgress
from .tensorboard_log import TensorBoardLog

PLOT_INTERVAL = 30.0


@dataclass
class TrainingState:
    """Where a run stands: the last finished epoch and the records so far;
    ``checkpoint_epoch``: the epoch checkpoint.h5 holds (0: none yet), which lags
    ``epoch`` while a checkpoint is being written or when writing it failed."""
    epoch: int = 0
    history: list = field(default_factory=list)
    finished: bool = False
    stopped_early: bool = False
    checkpoint_epoch: int = 0


class Trainer:
    """Train ``task`` on ``train_loader`` for ``epochs``, validating on ``val_loader`` and
    writing into ``run`` (a :class:`~.run_directory.RunDirectory`; None for a trainer
    that only runs :meth:`train_epoch`, as ``minidl bench epoch`` does).

    ``patience``: early-stopping patience in epochs (0: off); ``seed``: fixes the shuffle
    of every epoch; ``on_nonfinite``: "stop" or "skip" (see :mod:`.nonfinite`);
    ``on_epoch_end(record, evaluation)``: called after each epoch is saved and plotted
    (the CLI prints a line there); ``parallel``: what changes on the ranks of a
    data-parallel run (:mod:`.data_parallel`; default: one process)."""

    def __init__(self, task, train_loader, val_loader, run, epochs: int, seed: int,
                 patience: int = 0, on_epoch_end=None, on_nonfinite: str = "stop",
                 parallel=None):
        self.task, self.run = task, run
        self.parallel = parallel or SingleProcess()
        self.train_loader, self.val_loader = train_loader, val_loader
        self.epochs, self.seed = epochs, seed
        self.early_stopping = EarlyStopping(patience, task.monitor_mode)
        task.nonfinite = NonFiniteGuard(on_nonfinite, self.parallel.any_rank)
        self.on_epoch_end = on_epoch_end or (lambda record, evaluation: None)
        self.state = TrainingState()
        self.plots: list = []
        self._plotted_at = -float("inf")
        self._keep_previous_checkpoint = True
        # only the rank that writes the run directory writes TensorBoard events
        self.board, self.board_note = (TensorBoardLog.open(run.path)
                                       if self.parallel.writes and run is not None
                                       else (None, ""))

    def resume(self, note=lambda text: None) -> TrainingState:
        """Continue from the run's checkpoint: models, optimizers, schedules, early
        stopping, random state and history as they were after its last epoch.
        ``note(text)`` hears of what was mended: a fallback to checkpoint.prev.h5, a
        torn last line of metrics.jsonl."""
        checkpoint, newest = read_checkpoint(self.run, note)
        restore_training(checkpoint, self.task, self.early_stopping)
        epoch = int(checkpoint["epoch"])
        self.state = TrainingState(epoch=epoch, history=checkpoint["history"],
                                   finished=bool(checkpoint["finished"]),
                                   checkpoint_epoch=epoch)
        self._keep_previous_checkpoint = newest  # never push a good file out for a bad one
        if not self.parallel.writes:
            return self.state
        torn = self.run.torn_metrics_line()
        if torn is not None:
            note(f"{self.run.file(self.run.METRICS)} ended in a torn line ({torn[:40]!r}, "
                 "from an interrupted write); dropped")
        self.run.write_metrics(self.state.history)  # metrics.jsonl as the checkpoint has it
        return self.state

    def fit(self) -> TrainingState:
        try:
            return self.train_epochs()
        finally:
            if self.board is not None:
                self.board.close()

    def train_epochs(self) -> TrainingState:
        state = self.state
        for epoch in range(state.epoch + 1, self.epochs + 1):
            record, evaluation = self.run_epoch(epoch)
            check_epoch(epoch, self.task.models, record, len(self.train_loader))
            state.history.append(record)
            state.epoch = epoch
            stop = self.early_stopping.step(record[f"val_{self.task.monitor}"], epoch)
            state.stopped_early = stop and epoch < self.epochs
            state.finished = stop or epoch == self.epochs
            if self.parallel.writes:
                self.write_epoch(record, evaluation)
            if stop:
                break
        return state

    def write_epoch(self, record: dict, evaluation) -> None:
        """The epoch just finished into the run directory: checkpoint and metrics line
        (Ctrl-C and SIGTERM held back meanwhile), TensorBoard events, now and then the
        plots; then ``on_epoch_end``."""
        with interrupts_deferred():
            self.save(record)
        if self.board is not None:
            self.board.log_epoch(record, evaluation.examples, self.task.models)
        if self.state.finished or time.monotonic() - self._plotted_at >= PLOT_INTERVAL:
            self.plots = self.write_plots(evaluation)
            self._plotted_at = time.monotonic()
        self.on_epoch_end(record, evaluation)

    def save(self, record: dict) -> None:
        """The checkpoint of the epoch just finished, then its line of metrics.jsonl."""
        state = self.state
        save_checkpoint(self.run, self.task, state.epoch, state.history,
                        self.early_stopping, state.finished, self._keep_previous_checkpoint)
        state.checkpoint_epoch = state.epoch
        self._keep_previous_checkpoint = True
        self.run.append_metrics(record)

    def write_plots(self, evaluation) -> list:
        """The curves so far and the task's plots of this epoch's validation."""
        curves = plot_curves(self.state.history, self.task.curve_panels(),
                             self.run.file("curves.png"), self.run.path.name)
        return [curves, *self.task.write_plots(evaluation, self.run.path)]

    def run_epoch(self, epoch: int):
        task = self.task
        with numpy_float_warnings_silenced():
            means, skipped, seconds = self.train_epoch(epoch)
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
        if task.nonfinite.policy == "skip":
            record["skipped_batches"] = skipped
        for scheduler in task.schedulers.values():
            if isinstance(scheduler, ReduceLROnPlateau):
                scheduler.step(record[f"val_{task.monitor}"])
            else:
                scheduler.step()
        return record, evaluation

    def train_epoch(self, epoch: int):
        """The training pass of ``epoch`` in the order the seed fixes for it (no
        validation, nothing written): ``(means of the train_step values, batches skipped,
        seconds)``, the seconds an epoch's record reports."""
        self.train_loader.generator = np.random.default_rng([self.seed, epoch])
        set_epoch(self.train_loader, epoch)
        with numpy_float_warnings_silenced():
            return self.train_batches(epoch)

    def train_batches(self, epoch: int):
        """One pass over the training set: ``(means of the train_step values, batches
        skipped, seconds)``."""
        task, guard = self.task, self.task.nonfinite
        task.train(True)
        means, skipped, batches = MeanTracker(), 0, len(self.train_loader)
        with EpochProgress(batches, f"epoch {epoch}/{self.epochs}") as bar, \
                self.parallel.replicated(task, epoch):
            for index, batch in enumerate(self.train_loader, 1):
                guard.start_batch(f"epoch {epoch}, batch {index}/{batches}", task.models)
                losses = task.train_step(task.to_device(batch))
                guard.end_batch()
                if guard.batch_skipped:
                    skipped += 1
                    continue
                count = len(batch[0])
                means.add(losses, count)
                bar.update(count, losses["loss"])
        return means, skipped, bar.seconds
