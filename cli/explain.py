"""``minidl explain RUN_DIR [IMAGE...]``: what a trained classifier looks at.

Saliency, Grad-CAM and occlusion maps of the run's first test images (or of image files)
for the predicted class (``--target true`` or a class number to choose another), as one
grid per method and ``explain.json`` with the numbers behind them (for colorized MNIST:
the share of each map on the digit's strokes).
"""
from __future__ import annotations

import click

from minidl.cli.messages import USER_ERRORS, user_error


@click.command("explain")
@click.argument("run_dir")
@click.argument("images", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--method", "methods", multiple=True,
              type=click.Choice(["saliency", "gradcam", "occlusion"]),
              help="Which maps (repeat the option; default: all three).")
@click.option("--count", type=click.IntRange(min=1), default=8, show_default=True,
              help="How many test images (without IMAGE files).")
@click.option("--target", default="predicted", show_default=True,
              help="The class to explain: predicted, true, or a class number.")
@click.option("--split", type=click.Choice(["test", "val"]), default="test", show_default=True)
@click.option("--patch", type=click.IntRange(min=1), default=4, show_default=True,
              help="Occlusion patch side in pixels (stride: half of it).")
@click.option("--out", help="Output folder (default: RUN_DIR/explain).")
@click.option("--data-dir", help="Where the datasets are now (default: as in the run).")
def explain(run_dir, images, methods, count, target, split, patch, out, data_dir):
    """Explain the classifier of RUN_DIR: saliency, Grad-CAM and occlusion maps."""
    from minidl.explain.run import METHODS, ExplainError, explain_run

    if target not in ("predicted", "true") and not target.isdigit():
        raise click.BadParameter(f"must be predicted, true or a class number, got {target!r}",
                                 param_hint="--target")
    try:
        written, summary = explain_run(run_dir, images, methods or METHODS, count, target,
                                       out, data_dir, patch, split,
                                       note=lambda text: click.echo(f"note: {text}"))
    except (ExplainError, *USER_ERRORS) as error:
        raise user_error(error) from None
    if "accuracy" in summary:
        click.echo(f"accuracy on these images: {summary['accuracy']:.3f}")
    if "stroke_share" in summary:
        click.echo(f"share of each map on the digit strokes (strokes cover "
                   f"{summary['stroke_area']:.1%} of the pixels):")
        for method, share in summary["stroke_share"].items():
            click.echo(f"  {method:>9}: {share:.1%}")
    click.echo("wrote " + ", ".join(str(path) for path in written))
