"""``minidl colorize RUN_DIR IMAGE... --out DIR``: colour photos with a trained run.

Each image, of any size, is read as RGB; its grayscale (or lightness) is resized to the
size the model was trained on and goes through the model; the predicted colour (Lab's a
and b) is resized back to the image's size and joined to the image's own lightness L.
So the output has the input's size and sharpness, with the model's colours. Written as
``DIR/<name>_colorized.png``.

Nothing is overwritten silently: two images that would get the same output name
(``a/x.png`` and ``b/x.jpg`` both give ``x_colorized.png``) are refused before any work,
with one line naming both (colour them with different ``--out`` folders); an output
file left by an earlier command is replaced, and the line printed for it says so.
"""
from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from minidl.cli.messages import USER_ERRORS, user_error


@click.command()
@click.argument("run_dir")
@click.argument("images", nargs=-1, required=True)
@click.option("--out", default="colorized", show_default=True,
              help="Folder for the coloured images.")
def colorize(run_dir, images, out):
    """Colour IMAGE... with the colourization run RUN_DIR; same sizes out."""
    from PIL import Image

    from minidl.datasets.image_folder import load_image
    from minidl.studies.runner import load_trained
    try:
        targets = output_names(images, Path(out))
        trained = load_trained(run_dir, need_data=False,
                               note=lambda text: click.echo(f"note: {text}"))
        run, config, task = trained.run, trained.config, trained.task
        if not getattr(task, "can_colorize", False):
            raise ValueError(f"run {run} ({config['study']} / {config['experiment']}) "
                             "does not colourize; use a run of colorize-cifar, lab-colorize "
                             "or iizuka (colorize or joint)")
        Path(out).mkdir(parents=True, exist_ok=True)
        for name, target in targets.items():
            rgb = load_image(name).astype(np.float32) / np.float32(255.0)
            colored = task.colorize(rgb)
            replaced = " (replaced the file there)" if target.exists() else ""
            Image.fromarray(np.round(colored * 255.0).astype(np.uint8)).save(target)
            click.echo(f"{name} ({rgb.shape[1]}x{rgb.shape[0]}) -> {target}{replaced}")
    except USER_ERRORS as error:
        raise user_error(error) from None


def output_names(images, out: Path) -> dict:
    """``{image: out/<stem>_colorized.png}`` for each image (an image named twice counts
    once); a ``ValueError`` naming both images when two would share an output file."""
    targets, sources = {}, {}
    for name in images:
        target = out / f"{Path(name).stem}_colorized.png"
        if target not in sources:
            sources[target], targets[name] = name, target
        elif Path(sources[target]).resolve() != Path(name).resolve():
            raise ValueError(f"{sources[target]} and {name} would both be written to "
                             f"{target}; colour them with different --out folders")
    return targets
