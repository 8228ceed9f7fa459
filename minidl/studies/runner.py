"""From a configuration to a run: data, loaders, task, optimizers, run directory, trainer.

    run, trainer, data = start_run(config, out="runs")      # minidl train STUDY ...
    run, trainer, data = resume_run("runs/...", epochs=None)  # minidl train --resume
    trained = load_trained("runs/...")                 # minidl eval / colorize
    evaluate_split(trained.run, trained.config, trained.task, trained.data.test, "test",
                   trained.epoch)                      # test metrics, plots, JSON

The order is fixed so that a seed decides everything: the data is loaded, then
``minidl.manual_seed(seed)`` and the models are built (their initial weights), then the
optimizers; each epoch's shuffle is seeded from ``(seed, epoch)`` by the trainer.

``start_run`` and ``resume_run`` return with the run directory locked by this process
(:mod:`minidl.training.run_lock`); the caller unlocks it (``run.unlock()``) when done.
Resuming first removes the temporary files an interrupted write left behind.
"""
from __future__ import annotations

import json
import shutil
from typing import Any, NamedTuple

from .. import random as _random
from ..backend import module_for_device
from ..data import DataLoader
from ..training.checkpoint import load_models, read_checkpoint
from ..training.files import remove_stale_temporaries, write_text_atomically
from ..training.optimizers import make_optimizer, make_scheduler, stretch_cosine
from ..training.run_directory import RunDirectory, RunDirectoryError
from ..training.task import Task
from ..training.trainer import Trainer
from . import get_study
from .setting import ConfigError


def run_name(config: dict) -> str:
    """``<study>-<experiment>`` (plus ``-<model>`` for studies with several models)."""
    study = get_study(config["study"])
    name = f"{config['study']}-{config['experiment']}"
    return name + (f"-{config['model']}" if len(study.models) > 1 else "")


def load_data(config: dict):
    """The study's data for ``config``; records the class names in ``config``."""
    data = get_study(config["study"]).load_data(config)
    if data.classes is not None:
        config["class_names"] = list(data.classes)
    return data


def check_device(config: dict) -> None:
    """A clear error before any work when the device can't be used."""
    try:
        module_for_device(config["device"])
    except RuntimeError as error:
        raise ConfigError(f"{error} (train with --device cpu)") from None


def build_task(config: dict):
    """The task with freshly initialized models (seeded), its optimizers and schedules."""
    check_device(config)
    _random.manual_seed(config["seed"])
    task = get_study(config["study"]).build_task(config)
    for name, model in task.models.items():
        optimizer = make_optimizer(config["optimizer"], model.parameters(), config["lr"],
                                   config["momentum"], config["beta1"],
                                   config["weight_decay"])
        task.optimizers[name] = optimizer
        scheduler = make_scheduler(config["scheduler"], optimizer, config["epochs"],
                                   config["lr_step"], config["lr_gamma"],
                                   config["lr_patience"], task.monitor_mode)
        if scheduler is not None:
            task.schedulers[name] = scheduler
    return task


def make_loader(config: dict, dataset, train: bool) -> DataLoader:
    """Training: shuffled, the last short batch dropped (batch norm needs 2 images);
    evaluation: in order, every image."""
    batch_size = config["batch_size"]
    return DataLoader(dataset, batch_size=batch_size, shuffle=train,
                      drop_last=train and len(dataset) > batch_size,
                      num_workers=config["workers"])


def model_summaries(task, example_input) -> str:
    """The layer summary of every model, for one example input (models of several
    inputs use their own example shapes)."""
    from ..models.summary import summary
    parts = []
    for name, model in task.models.items():
        several_inputs = isinstance(model.example_input_shape[0], tuple)
        shape = model.example_input_shape if several_inputs else \
            (1, *example_input.shape)
        parts.append(f"[{name}]\n{summary(model, shape)}\n")
    return "\n".join(parts)


def _trainer(config, run, task, data) -> Trainer:
    return Trainer(task, make_loader(config, data.train, True),
                   make_loader(config, data.val, False), run, config["epochs"],
                   config["seed"], config["patience"],
                   on_nonfinite=config.get("on_nonfinite", "stop"))


def start_run(config: dict, out):
    """``(run directory, trainer, data)`` of a new run under ``out``. The folder is
    made first (an unwritable ``out`` fails at once) and removed again if the data or
    the models can't be set up."""
    check_device(config)
    run = RunDirectory.create(out, run_name(config))
    try:
        run.lock()
        data = load_data(config)
        task = build_task(config)
        task.prepare(data.train)
        summaries = model_summaries(task, data.val[0][0])
        run.write_config(config)
        run.file(RunDirectory.SUMMARY).write_text(summaries)
    except BaseException:
        run.unlock()
        shutil.rmtree(run.path, ignore_errors=True)
        raise
    return run, _trainer(config, run, task, data), data


def resume_run(path, epochs: int | None = None, data_dir: str | None = None,
               note=lambda text: None):
    """``(run directory, trainer, data)`` of the run at ``path``, restored from its
    checkpoint (or from the start when it stopped before its first epoch ended).
    ``epochs``: a new total, to train a finished run further (a cosine schedule is
    stretched over it); ``data_dir``: where the data is now; ``note(text)``: told what
    was mended or changed on the way."""
    run = RunDirectory.open(path)
    run.lock()
    try:
        return _resume_locked(run, epochs, data_dir, note)
    except BaseException:
        run.unlock()
        raise


def _resume_locked(run: RunDirectory, epochs, data_dir, note):
    removed = remove_stale_temporaries(run.path, RunDirectory.WRITTEN_BY_TRAINING)
    if removed:
        note(f"removed {', '.join(removed)} (left by an interrupted write)")
    config = run.read_config()
    planned = config["epochs"]
    if epochs is not None:
        config["epochs"] = epochs
    if data_dir is not None:
        config["data_dir"] = data_dir
    data = load_data(config)
    task = build_task(config)
    trainer = _trainer(config, run, task, data)
    if not run.has_checkpoint():
        task.prepare(data.train)
    else:
        state = trainer.resume(note)
        check_resumable(run, state, planned, config["epochs"])
        for name, scheduler in task.schedulers.items():
            if stretch_cosine(scheduler, config["epochs"]):
                lr = task.learning_rates()[name]
                note(f"the cosine schedule of {name} now anneals over {config['epochs']} "
                     f"epochs: learning rate {lr:.3g} in epoch {state.epoch + 1}")
    run.write_config(config)
    return run, trainer, data


def check_resumable(run: RunDirectory, state, planned: int, epochs: int) -> None:
    """Refuse a run that has nothing left to train, pointing to ``minidl eval`` when its
    test evaluation did not finish."""
    untested = tested_epoch(run) != state.epoch
    evaluate = f"its test evaluation did not finish: minidl eval {run}; " if untested else ""
    if state.finished and state.epoch < planned:
        raise RunDirectoryError(f"run {run} stopped early at epoch {state.epoch} (no "
                                f"validation progress); {evaluate}there is nothing to resume")
    if state.epoch >= epochs:
        raise RunDirectoryError(f"run {run} has finished {state.epoch} epochs already; "
                                f"{evaluate}pass --epochs with a larger total to train it "
                                "further")


def tested_epoch(run: RunDirectory) -> int | None:
    """The epoch whose model test_metrics.json measured (None: no such file)."""
    try:
        return json.loads(run.file("test_metrics.json").read_text()).get("epoch")
    except (OSError, ValueError, AttributeError):
        return None


class TrainedRun(NamedTuple):
    """What :func:`load_trained` returns; ``data``: the run's :class:`.study.StudyData`
    (None unless asked for); ``epoch``: the epoch of the checkpoint loaded."""
    run: RunDirectory
    config: dict
    task: Task
    data: Any
    epoch: int


def load_trained(path, need_data: bool = True, data_dir: str | None = None,
                 note=lambda text: None) -> TrainedRun:
    """A trained run: the task's models hold the checkpoint's weights (those of
    checkpoint.prev.h5 when checkpoint.h5 is unreadable, ``note`` says so); ``data`` is
    None unless ``need_data``; ``data_dir`` replaces the run's data folder."""
    run = RunDirectory.open(path)
    config = run.read_config()
    if data_dir is not None:
        config["data_dir"] = data_dir
    if not run.has_checkpoint():
        raise RunDirectoryError(f"run {run} has no checkpoint yet (it stopped before its "
                                "first epoch ended)")
    data = load_data(config) if need_data else None
    task = build_task(config)
    checkpoint, _ = read_checkpoint(run, note)
    load_models(checkpoint, task)
    task.train(False)
    return TrainedRun(run, config, task, data, int(checkpoint["epoch"]))


def evaluate_split(run: RunDirectory, config: dict, task, dataset, split: str,
                   epoch: int):
    """Evaluate ``task`` (trained for ``epoch`` epochs) on ``dataset``; write
    ``<split>_metrics.json`` (metrics and details) and the task's plots prefixed
    ``<split>_`` into the run directory. Returns ``(evaluation, plot paths)``."""
    task.train(False)
    evaluation = task.evaluate(make_loader(config, dataset, train=False))
    paths = task.write_plots(evaluation, run.path, prefix=f"{split}_")
    report = {"split": split, "epoch": epoch, "images": len(dataset),
              "metrics": evaluation.metrics, "details": evaluation.details}
    write_text_atomically(run.file(f"{split}_metrics.json"), json.dumps(report, indent=2)
                          + "\n")
    return evaluation, paths
