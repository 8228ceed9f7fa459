"""The settings every study has: training length, optimizer, schedule, data, device.

A study changes their defaults (``Study.defaults``), an experiment or a model may set
them, and the user sets any of them with ``--set key=value`` or an option of
``minidl train`` (``--epochs``, ``--batch-size``, ``--lr``, ``--optimizer``, ``--seed``,
``--device``, ``--data-dir``, ``--limit``).
"""
from __future__ import annotations

from ..training.nonfinite import POLICIES as NONFINITE_POLICIES
from .setting import Setting

OPTIMIZERS = ("sgd", "adam", "adamw", "adadelta")
SCHEDULERS = ("none", "step", "plateau", "cosine")

COMMON_SETTINGS = (
    Setting("epochs", 10, "passes over the training set", int, minimum=1),
    Setting("batch_size", 64, "images per optimizer step", int, minimum=1),
    Setting("lr", 1e-3, "learning rate", float, minimum=0.0),
    Setting("optimizer", "adam", "optimizer", str, choices=OPTIMIZERS),
    Setting("momentum", 0.9, "momentum (sgd)", float, minimum=0.0),
    Setting("beta1", 0.9, "first moment decay (adam, adamw)", float, minimum=0.0,
              maximum=1.0),
    Setting("weight_decay", 0.0, "L2 penalty (adamw: decoupled weight decay)", float,
              minimum=0.0),
    Setting("scheduler", "none", "learning-rate schedule: step (x lr_gamma every lr_step "
              "epochs), plateau (x lr_gamma after lr_patience epochs without progress), "
              "cosine (to 0 over the epochs)", str, choices=SCHEDULERS),
    Setting("lr_step", 10, "epochs between steps of the 'step' schedule", int, minimum=1),
    Setting("lr_gamma", 0.5, "factor of the 'step' and 'plateau' schedules", float,
              minimum=0.0, maximum=1.0),
    Setting("lr_patience", 2, "epochs without progress before 'plateau' lowers the rate",
              int, minimum=0),
    Setting("on_nonfinite", "stop", "a NaN or infinite loss or gradient: stop the run, "
            "keeping the last checkpoint with finite weights, or skip that step and "
            "count it (skipped_batches in metrics.jsonl)", str, choices=NONFINITE_POLICIES),
    Setting("patience", 0, "early stopping: stop after this many epochs without "
              "validation progress (0: never)", int, minimum=0),
    Setting("val_fraction", 0.1, "part of the training set held out for validation "
              "(studies with a test split)", float, minimum=0.0, maximum=0.5),
    Setting("seed", 0, "seeds the weights, the shuffling, dropout and augmentation", int),
    Setting("device", "cpu", "where to train", str, choices=("cpu", "cuda")),
    Setting("workers", 0, "threads that prepare batches ahead of training", int,
              minimum=0),
    Setting("limit", None, "use only N images of each split, evenly spread (quick runs)",
              int, minimum=1, optional=True),
    Setting("data_dir", None, "folder holding the dataset folders (before $MINIDL_DATA)",
              str, optional=True),
)
