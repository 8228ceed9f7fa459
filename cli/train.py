"""``minidl train``: train a model and write a run directory.

Until the studies of STUDIES.md are registered, the one job is the demo: a multilayer
perceptron on the MNIST digits shipped inside the package.  The run directory holds the
resolved config (config.json), one line of metrics per epoch (metrics.jsonl), the last
checkpoint (checkpoint.h5, model + optimizer + epoch) and a loss/accuracy plot.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import click
import numpy as np


def _mlp():
    import minidl.nn as nn
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
                         nn.Linear(256, 10))


def _batches(images, labels, batch_size, rng=None):
    import minidl
    order = rng.permutation(len(images)) if rng is not None else np.arange(len(images))
    for start in range(0, len(order), batch_size):
        index = order[start:start + batch_size]
        yield (minidl.from_numpy(images[index].astype(np.float32) / 255.0),
               minidl.from_numpy(labels[index]))


def _accuracy(model, images, labels) -> float:
    import minidl
    model.eval()
    correct = 0
    with minidl.no_grad():
        for x, y in _batches(images, labels, 1000):
            correct += int((model(x).argmax(1) == y).numpy().sum())
    model.train()
    return correct / len(images)


def _plot(history: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    epochs = [h["epoch"] for h in history]
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    left.plot(epochs, [h["train_loss"] for h in history], marker="o")
    left.set(xlabel="epoch", ylabel="cross-entropy", title="training loss")
    right.plot(epochs, [h["test_accuracy"] for h in history], marker="o", color="C1")
    right.set(xlabel="epoch", ylabel="accuracy", title="test accuracy")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


@click.command()
@click.option("--epochs", default=3, show_default=True, type=click.IntRange(min=1))
@click.option("--batch-size", default=64, show_default=True, type=click.IntRange(min=1))
@click.option("--lr", default=1e-3, show_default=True, type=click.FloatRange(min=0, min_open=True))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--limit", default=None, type=click.IntRange(min=1),
              help="Train and test on only the first N images of each split (quick checks).")
@click.option("--data-dir", default=None, type=click.Path(file_okay=False),
              help="Folder holding mnist/ (default: $MINIDL_DATA, then the shipped copy).")
@click.option("--out", default="runs", show_default=True, type=click.Path(file_okay=False),
              help="Where run directories are created.")
def train(epochs, batch_size, lr, seed, limit, data_dir, out):
    """Train the demo MLP on MNIST and write a run directory with metrics, checkpoint and plot."""
    import minidl
    import minidl.nn.functional as F
    import minidl.optim as optim
    from minidl.datasets.mnist import load_mnist

    run_dir = Path(out) / f"mnist-mlp-{time.strftime('%Y%m%d-%H%M%S')}"
    try:
        run_dir.mkdir(parents=True, exist_ok=False)
    except OSError as error:
        raise click.ClickException(f"cannot create run directory {run_dir}: {error}") from None
    try:
        train_images, train_labels = load_mnist(train=True, data_dir=data_dir)
        test_images, test_labels = load_mnist(train=False, data_dir=data_dir)
    except (FileNotFoundError, ValueError) as error:
        run_dir.rmdir()
        raise click.ClickException(str(error)) from None
    if limit is not None:
        train_images, train_labels = train_images[:limit], train_labels[:limit]
        test_images, test_labels = test_images[:limit], test_labels[:limit]
    config = dict(job="mnist-mlp", epochs=epochs, batch_size=batch_size, lr=lr, seed=seed,
                  limit=limit, optimizer="Adam")
    (run_dir / "config.json").write_text(json.dumps(config, indent=2))

    minidl.manual_seed(seed)
    model = _mlp()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    history = []
    for epoch in range(1, epochs + 1):
        started, total, count = time.perf_counter(), 0.0, 0
        steps = -(-len(train_images) // batch_size)
        with click.progressbar(_batches(train_images, train_labels, batch_size, rng),
                               length=steps, label=f"epoch {epoch}/{epochs}") as bar:
            for x, y in bar:
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(y)
                count += len(y)
        seconds = time.perf_counter() - started
        record = dict(epoch=epoch, train_loss=total / count,
                      test_accuracy=_accuracy(model, test_images, test_labels),
                      seconds=round(seconds, 2), images_per_second=round(count / seconds, 1))
        history.append(record)
        with open(run_dir / "metrics.jsonl", "a") as log:
            log.write(json.dumps(record) + "\n")
        minidl.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                     "epoch": epoch, "config": config}, run_dir / "checkpoint.h5")
        click.echo(f"epoch {epoch}: loss {record['train_loss']:.4f}, test accuracy "
                   f"{record['test_accuracy']:.2%}, {record['images_per_second']:.0f} images/s")
    _plot(history, run_dir / "curves.png")
    click.echo(f"run directory: {run_dir}  (config.json, metrics.jsonl, checkpoint.h5, "
               "curves.png)")
