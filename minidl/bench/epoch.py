"""Time one training epoch of the default study in minidl and in PyTorch.

The default study is what ``minidl train`` runs with no arguments: colorized-mnist, its
first experiment and model, the study's batch size, optimizer and learning rate, and its
training split (``--limit N``: N images of it, evenly spread, as ``minidl train --limit``).

minidl trains through its own training path: the study's data and training loader
(``minidl.studies.runner``), the task's ``train_step`` under the trainer's progress bar and
non-finite checks (:meth:`~minidl.training.trainer.Trainer.train_epoch`): the epoch whose
time ``minidl train`` reports as ``seconds``, without the validation and the checkpoint
that follow it.  PyTorch trains the twin of the same model with the same initial weights
(``torch_twin.py``), the optimizer of the same name and settings, on the same dataset
object (the same images and labels) through ``torch.utils.data.DataLoader`` with the same
batch size, the same sample order in each epoch and the short last batch dropped, in the
loop a PyTorch user writes (zero the gradients, forward, cross-entropy, backward, step,
and the batch's loss and accuracy added to the epoch's means).  Both engines use the
learning rate of the first epoch throughout (no schedule is stepped between epochs).

Before timing, each engine takes one step on a model of its own that is then dropped
(Numba compiles minidl's kernels on first use); the models timed start from the same
weights, seeded as ``minidl train`` seeds them.  Then ``repeat`` epochs of each,
interleaved (minidl's epoch 1, PyTorch's epoch 1, minidl's epoch 2, ...), each engine
continuing to train its own model; the median epoch time counts.  The epoch's mean
training losses should be close: the same data and the same initial weights (dropout's
masks differ, and float32 rounding).

Run it through ``minidl bench epoch`` (or ``python benchmarks/epoch.py``), which starts the
process with the thread settings in place.
"""
from __future__ import annotations

import copy
import statistics
import time

from ..studies import DEFAULT_STUDY, get_study
from ..studies.runner import build_task, load_data, make_loader
from ..training.data_parallel import set_epoch
from ..training.metrics import MeanTracker
from ..training.optimizers import make_optimizer
from ..training.trainer import Trainer
from .machine import load_average, machine_details, machine_lines, set_runtime_threads
from .torch_twin import torch_twin

ENGINES = ("minidl", "torch")


def default_config(limit: int | None = None) -> dict:
    """The configuration of ``minidl train`` with no arguments (and ``--limit``)."""
    settings = {} if limit is None else {"limit": limit}
    return get_study(DEFAULT_STUDY).resolve(settings=settings)


class MinidlEpochs:
    """The study's task, trained epoch after epoch by minidl's trainer (nothing written)."""

    def __init__(self, config: dict, data, epochs: int = 1):
        self.task = build_task(config)
        self.task.prepare(data.train)
        self.loader = make_loader(config, data.train, train=True)
        self.trainer = Trainer(self.task, self.loader, None, None, epochs, config["seed"],
                               on_nonfinite=config["on_nonfinite"])

    def epoch(self, epoch: int) -> dict:
        start = time.perf_counter()
        means, _, seconds = self.trainer.train_epoch(epoch)
        elapsed = time.perf_counter() - start
        return {"seconds": elapsed, "trainer_seconds": seconds, "images": means.count,
                **means.means()}


class TorchEpochs:
    """The twin of the task's model, trained by PyTorch on the same data in the same order
    as ``minidl``'s loader (a :class:`MinidlEpochs`) draws it."""

    def __init__(self, config: dict, ours: MinidlEpochs, torch):
        self.torch, self.config, self.minidl_loader = torch, config, ours.loader
        model = ours.task.model
        self.model = torch_twin(model, torch, in_channels=model.in_channels,
                                num_classes=len(config["class_names"]))
        self.optimizer = self.make_optimizer(self.model)
        self.warm_up_seconds = self.warm_up()
        torch.manual_seed(config["seed"])

    def make_optimizer(self, model):
        c = self.config
        return make_optimizer(c["optimizer"], model.parameters(), c["lr"], c["momentum"],
                              c["beta1"], c["weight_decay"], library=self.torch.optim)

    def loader(self, order: list):
        """PyTorch's loader over minidl's dataset, drawing the samples at ``order``."""
        ours = self.minidl_loader
        return self.torch.utils.data.DataLoader(
            ours.dataset, batch_size=ours.batch_size, sampler=order, drop_last=ours.drop_last,
            num_workers=ours.num_workers)

    def order(self, epoch: int) -> list:
        """The dataset indices in the order minidl's loader draws them in ``epoch``."""
        set_epoch(self.minidl_loader, epoch)
        return list(self.minidl_loader.sampler)

    def train_batches(self, model, optimizer, loader) -> MeanTracker:
        F, means = self.torch.nn.functional, MeanTracker()
        model.train()
        for images, labels in loader:
            optimizer.zero_grad()
            logits = model(images)
            loss = F.cross_entropy(logits, labels)
            loss.backward()
            optimizer.step()
            accuracy = (logits.argmax(dim=1) == labels).float().mean()
            means.add({"loss": loss.item(), "accuracy": accuracy.item()}, len(labels))
        return means

    def epoch(self, epoch: int) -> dict:
        start = time.perf_counter()
        means = self.train_batches(self.model, self.optimizer, self.loader(self.order(epoch)))
        return {"seconds": time.perf_counter() - start, "images": means.count,
                **means.means()}

    def warm_up(self) -> float:
        """One step of a copy of the model with an optimizer of its own, both dropped
        afterwards; seconds."""
        start = time.perf_counter()
        model = copy.deepcopy(self.model)
        first_batch = self.order(0)[:self.minidl_loader.batch_size]
        self.train_batches(model, self.make_optimizer(model), self.loader(first_batch))
        return time.perf_counter() - start


def _warm_up_minidl(config: dict, data) -> float:
    """One step of a throwaway copy of the task (Numba compiles the kernels); seconds."""
    start = time.perf_counter()
    warm = MinidlEpochs(config, data)
    batch = next(iter(warm.loader))
    warm.task.train(True)
    warm.task.train_step(warm.task.to_device(batch))
    return time.perf_counter() - start


def run_epoch_benchmark(repeat: int = 1, limit: int | None = None, threads: int = 2,
                        progress=None) -> dict:
    """``repeat`` epochs of each engine, interleaved: the report as a JSON-ready dict;
    ``progress(engine, epoch, result)`` hears of each epoch when it ends."""
    import torch

    set_runtime_threads(threads, torch)
    config = default_config(limit)
    data = load_data(config)
    warm_up_seconds = {"minidl": _warm_up_minidl(config, data)}
    ours = MinidlEpochs(config, data, repeat)   # seeded last, as minidl train seeds its models
    theirs = TorchEpochs(config, ours, torch)
    warm_up_seconds["torch"] = theirs.warm_up_seconds
    machine = machine_details(threads, torch)
    engines: dict = {"minidl": ours, "torch": theirs}
    epochs: dict = {name: [] for name in ENGINES}
    for epoch in range(1, repeat + 1):
        for name in ENGINES:
            epochs[name].append(engines[name].epoch(epoch))
            if progress is not None:
                progress(name, epoch, epochs[name][-1])
    machine["load_average_after"] = load_average()
    return {"machine": machine, "repeat": repeat,
            "config": {key: config[key] for key in ("study", "experiment", "model",
                                                    "batch_size", "optimizer", "lr",
                                                    "limit", "seed", "workers")},
            "train_images": len(data.train), "batches": len(ours.loader),
            "warm_up_seconds": warm_up_seconds, "epochs": epochs,
            "summary": summarize(epochs)}


def summarize(epochs: dict) -> dict:
    """Median epoch time and images/s of each engine, their ratio, and each engine's last
    epoch's mean training loss and accuracy."""
    summary: dict = {}
    for name in ENGINES:
        seconds = statistics.median(result["seconds"] for result in epochs[name])
        last = epochs[name][-1]
        summary[name] = {"seconds": seconds, "images_per_second": last["images"] / seconds,
                         "train_loss": last["loss"], "train_accuracy": last["accuracy"]}
    summary["ratio"] = summary["minidl"]["seconds"] / summary["torch"]["seconds"]
    summary["loss_difference"] = abs(summary["minidl"]["train_loss"]
                                     - summary["torch"]["train_loss"])
    return summary


# -- the report ------------------------------------------------------------------------------

def format_heading(report: dict) -> str:
    c = report["config"]
    return (f"{c['study']} / {c['experiment']} / {c['model']}: {report['train_images']:,} "
            f"training images, {report['batches']} batches of {c['batch_size']}, "
            f"{c['optimizer']} lr {c['lr']:g}; {report['repeat']} epoch(s) per engine, "
            "interleaved")


def format_epoch(engine: str, epoch: int, result: dict) -> str:
    return (f"epoch {epoch} {engine:<6} {result['seconds']:8.2f} s "
            f"{result['images'] / result['seconds']:8,.0f} img/s  train loss "
            f"{result['loss']:.4f}  accuracy {result['accuracy']:.4f}")


TABLE_HEADER = f"{'engine':<8}{'epoch s':>9}{'img/s':>9}{'train loss':>12}{'accuracy':>10}"


def format_summary(report: dict) -> str:
    s = report["summary"]
    lines = [TABLE_HEADER]
    lines += [f"{name:<8}{s[name]['seconds']:9.2f}{s[name]['images_per_second']:9,.0f}"
              f"{s[name]['train_loss']:12.4f}{s[name]['train_accuracy']:10.4f}"
              for name in ENGINES]
    lines.append(f"epoch time ratio minidl/torch: {s['ratio']:.3f} (median of "
                 f"{report['repeat']}); training losses differ by {s['loss_difference']:.4f}")
    lines += machine_lines(report["machine"])
    return "\n".join(lines)
