"""Training runs: the loop, checkpoints, run directories, metrics and plots.

One idea per module:

:mod:`.task`           ``Task``: what the loop needs from a study (models, optimizers,
                       one training step, an evaluation, plots)
:mod:`.tasks`          the tasks of the studies: classification, multi-label,
                       colourization (regression, palette, GAN), joint Iizuka
:mod:`.trainer`        the epoch loop: train, validate, schedule, stop early, save
:mod:`.checkpoint`     everything a resumed run needs, in ``checkpoint.h5``
:mod:`.run_directory`  the folder of a run and its files
:mod:`.early_stopping`, :mod:`.optimizers`, :mod:`.metrics`, :mod:`.feature_maps`,
:mod:`.progress`, :mod:`.plots`
"""
from .early_stopping import EarlyStopping
from .run_directory import RunDirectory, RunDirectoryError
from .task import Evaluation, Task
from .trainer import Trainer, TrainingState

__all__ = ["Task", "Evaluation", "Trainer", "TrainingState", "RunDirectory",
           "RunDirectoryError", "EarlyStopping"]
