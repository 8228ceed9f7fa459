"""``Task``: what the training loop needs from a study, and nothing else.

A task owns the models of a study and knows its loss and its metrics::

    task.models        {"model": Module} (a GAN: {"generator": ..., "discriminator": ...})
    task.optimizers    {name: Optimizer}, one per model that trains
    task.schedulers    {name: learning-rate scheduler}, stepped once per epoch
    task.train_step(batch) -> {"loss": float, ...}     one optimizer step on one batch,
                                                       taken with task.step(name, loss)
    task.evaluate(loader)  -> Evaluation               metrics over a whole split
    task.curve_panels()    -> [(title, [metric keys])]  what the curves plot shows
    task.write_plots(evaluation, folder, prefix)       confusion matrix, image grids ...

The trainer (:mod:`.trainer`) averages the values ``train_step`` returns over an epoch
(``train_<name>``), prefixes the evaluation's metrics with ``val_``, and watches
``val_<task.monitor>`` for early stopping and plateau schedules. A task with state of its
own besides the models (the colour palette of a palette classifier) saves it through
``state_dict`` / ``load_state_dict``. The tasks of one model (every task but the GAN)
build on :class:`SingleModelTask`, which owns the training step: they only say what a
batch's losses are.

``train_step`` takes each optimizer step through :meth:`Task.step`, which leaves it to
``task.nonfinite`` (:mod:`.nonfinite`) to stop the run or skip the step when the loss or
a gradient is NaN or infinite.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..tensor import Tensor
from .nonfinite import NonFiniteGuard


def to_numpy(tensor: Tensor):
    """A tensor's values as a NumPy array on the host, whatever its device and grad."""
    return tensor.detach().cpu().numpy()


def numbers(values: dict) -> dict:
    """Tensors and numbers -> floats, for logging."""
    return {name: value.item() if isinstance(value, Tensor) else float(value)
            for name, value in values.items()}


class Examples:
    """The first ``count`` images of a split and what goes with them (predictions,
    targets), one array per image, gathered over batches of any size for the plots::

        examples = Examples(16)
        examples.add(images=batch_images, predicted=batch_predictions)   # (B, ...) each
        examples.items  ->  {"images": [16 arrays], "predicted": [16 arrays]}
    """

    def __init__(self, count: int):
        self.count = count
        self.items: dict = {}

    def __len__(self) -> int:
        return len(next(iter(self.items.values()), []))

    def add(self, **batches) -> None:
        room = self.count - len(self)
        if room <= 0:
            return
        for name, batch in batches.items():
            self.items.setdefault(name, []).extend(list(batch[:room]))


@dataclass
class Evaluation:
    """The result of :meth:`Task.evaluate`.

    ``metrics``: scalar metrics (floats) of the split; ``details``: larger JSON-able
    results (per-class accuracies, confusion matrix as lists ...); ``examples``: arrays
    kept for plots (a few images and their predictions)."""
    metrics: dict
    details: dict = field(default_factory=dict)
    examples: dict = field(default_factory=dict)


class Task:
    """Base class (see the module docstring). Subclasses implement ``train_step``,
    ``evaluate`` and ``curve_panels``; the rest has working defaults."""

    kind = "task"
    monitor = "loss"
    monitor_mode = "min"

    def __init__(self, models: dict, device: str = "cpu"):
        self.device = device
        self.models = {name: model.to(device) for name, model in models.items()}
        self.optimizers: dict = {}
        self.schedulers: dict = {}
        self.nonfinite = NonFiniteGuard()

    # -- what subclasses provide -----------------------------------------------------------
    def train_step(self, batch) -> dict:
        raise NotImplementedError(f"{type(self).__name__} must implement train_step")

    def evaluate(self, loader) -> Evaluation:
        raise NotImplementedError(f"{type(self).__name__} must implement evaluate")

    def curve_panels(self) -> list:
        raise NotImplementedError(f"{type(self).__name__} must implement curve_panels")

    def write_plots(self, evaluation: Evaluation, folder, prefix: str = "") -> list:
        """Write the task's plots of ``evaluation`` into ``folder``; returns the paths."""
        return []

    def prepare(self, train_dataset) -> None:
        """Fit anything learnt from the training data before training (default: none)."""

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` returned."""

    # -- shared helpers --------------------------------------------------------------------
    def step(self, name: str, loss) -> None:
        """``self.optimizers[name].step()`` after ``loss.backward()``, unless ``loss`` or
        a gradient is not finite (then ``self.nonfinite`` raises or skips the step)."""
        if self.nonfinite.allows_step(name, self.models[name], loss):
            self.optimizers[name].step()

    def train(self, mode: bool = True) -> None:
        for model in self.models.values():
            model.train(mode)

    def to_device(self, batch):
        """The batch's tensors moved to the task's device (nested tuples/lists kept)."""
        if isinstance(batch, Tensor):
            return batch.to(self.device)
        if isinstance(batch, tuple | list):
            return type(batch)(self.to_device(item) for item in batch)
        return batch

    def learning_rates(self) -> dict:
        """The current learning rate of each optimizer's first parameter group."""
        return {name: float(optimizer.param_groups[0]["lr"])
                for name, optimizer in self.optimizers.items()}


class SingleModelTask(Task):
    """A task with one model (``self.model``) trained by one optimizer on one loss.

    A subclass says what a batch's losses are, ``losses(outputs, batch)`` for the model's
    ``outputs = model(batch[0])``; one training step is then the same for all of them.
    """

    def __init__(self, model, device: str = "cpu"):
        super().__init__({"model": model}, device)

    @property
    def model(self):
        return self.models["model"]

    def losses(self, outputs, batch) -> dict:
        """Named values of a batch: ``"loss"`` (a Tensor) is the one minimized, others
        (Tensors or floats) are averaged and logged beside it."""
        raise NotImplementedError(f"{type(self).__name__} must implement losses")

    def train_step(self, batch) -> dict:
        optimizer = self.optimizers["model"]
        optimizer.zero_grad()
        losses = self.losses(self.model(batch[0]), batch)
        losses["loss"].backward()
        self.step("model", losses["loss"])
        return numbers(losses)
