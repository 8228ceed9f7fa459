"""``minidl data``: which datasets are where, and what their samples look like.

    minidl data list [--data-dir DIR]
    minidl data show DATASET [--out grid.png] [--n 16] [--seed 0] [--data-dir DIR]
"""
from __future__ import annotations

import math
from pathlib import Path

import click

from minidl.cli.messages import USER_ERRORS, user_error
from minidl.datasets.locate import DATA_ENV, DatasetNotFoundError
from minidl.datasets.registry import DATASETS

DATA_DIR = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
                        default=None,
                        help=f"Folder holding the dataset folders (before ${DATA_ENV}).")


@click.group()
def data():
    """Datasets: where they are found and what they look like."""


@data.command("list")
@DATA_DIR
def list_datasets(data_dir):
    """Each dataset, where it was found (or why not) and its size."""
    width = max(len(name) for name in DATASETS)
    for name, entry in DATASETS.items():
        click.echo(f"{name:<{width}}  {entry.description}  [study: {entry.studies}]")
        try:
            location = entry.locate(data_dir)
        except DatasetNotFoundError as error:
            click.echo(f"{'':<{width}}  not found:")
            for reason in error.reasons:
                click.echo(f"{'':<{width}}    {reason}")
            continue
        click.echo(f"{'':<{width}}  found ({location.source}): {location.path}")
        click.echo(f"{'':<{width}}  size: {entry.summary(location)}")


@data.command("show")
@click.argument("dataset", type=click.Choice(list(DATASETS)))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PNG file to write (default: DATASET.png).")
@click.option("--n", "count", type=click.IntRange(1, 256), default=16, show_default=True,
              help="Number of samples.")
@click.option("--seed", type=int, default=0, show_default=True, help="Which samples.")
@DATA_DIR
def show(dataset, out, count, seed, data_dir):
    """Write a PNG grid of random samples of DATASET, each with its label."""
    out = out or Path(f"{dataset}.png")
    try:
        samples = DATASETS[dataset].preview(count, data_dir, seed)
        save_grid(samples, out, title=f"{dataset}: {len(samples)} samples (seed {seed})")
    except DatasetNotFoundError as error:
        raise click.ClickException(str(error)) from None
    except USER_ERRORS as error:  # a damaged or truncated file, an unwritable --out ...
        raise user_error(error) from None
    click.echo(f"wrote {out} ({len(samples)} samples of {dataset})")


def save_grid(samples, path: Path, title: str) -> None:
    """Save (image (H, W, C) float in [0, 1], caption) pairs as a captioned grid."""
    from matplotlib.figure import Figure  # here: `minidl --help` stays quick

    columns = math.ceil(math.sqrt(len(samples)))
    rows = math.ceil(len(samples) / columns)
    figure = Figure(figsize=(1.8 * columns, 1.9 * rows + 0.4))
    axes = figure.subplots(rows, columns, squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, (image, caption) in zip(axes.flat, samples):
        if image.shape[-1] == 1:
            axis.imshow(image[..., 0], cmap="gray", vmin=0.0, vmax=1.0,
                        interpolation="nearest")
        else:
            axis.imshow(image.clip(0.0, 1.0), interpolation="nearest")
        axis.set_title(caption, fontsize=8)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
