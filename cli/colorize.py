"""``minidl colorize RUN_DIR IMAGE... --out DIR``: colour photos with a trained run.

Each image, of any size, is read as RGB; its grayscale (or lightness) is resized to the
size the model was trained on and goes through the model; the predicted colour (Lab's a
and b) is resized back to the image's size and joined to the image's own lightness L.
So the output has the input's size and sharpness, with the model's colours. Written as
``DIR/<name>_colorized.png``.
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
        run, config, task, _ = load_trained(run_dir, need_data=False)
        if not getattr(task, "can_colorize", False):
            raise ValueError(f"run {run} ({config['study']} / {config['experiment']}) "
                             "does not colourize; use a run of colorize-cifar, lab-colorize "
                             "or iizuka (colorize or joint)")
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        for name in images:
            rgb = load_image(name).astype(np.float32) / np.float32(255.0)
            colored = task.colorize(rgb)
            target = out / f"{Path(name).stem}_colorized.png"
            Image.fromarray(np.round(colored * 255.0).astype(np.uint8)).save(target)
            click.echo(f"{name} ({rgb.shape[1]}x{rgb.shape[0]}) -> {target}")
    except USER_ERRORS as error:
        raise user_error(error) from None
