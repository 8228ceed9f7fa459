"""``minidl eval RUN_DIR``: measure a trained run on its test split (or validation).

Prints and writes into the run directory ``<split>_metrics.json`` and the plots of the
split (``test_confusion_matrix.png``, ``test_colorized.png`` ...). The metrics are the
task's: accuracy and per-class accuracy (classification); exact-match, per-digit and
binary accuracy, precision, recall and F1 (multi-label); PSNR, RGB and ab colour error
and colourfulness (colourization).
"""
from __future__ import annotations

import click

from minidl.cli.messages import USER_ERRORS, format_metrics, format_value, user_error


def print_details(details: dict) -> None:
    if "per_class_accuracy" in details:
        click.echo("per-class accuracy:")
        for name, value in details["per_class_accuracy"].items():
            text = "no images" if value is None else format_value("accuracy", value)
            click.echo(f"  {name:>14}  {text}")
    if "accuracy_per_position" in details:
        click.echo("digit accuracy by position: " + ", ".join(
            format_value("accuracy", v) for v in details["accuracy_per_position"]))
        for position, row in enumerate(details["f1_per_position_and_digit"]):
            click.echo(f"  F1 of digits 0-9 at position {position + 1}: "
                       + " ".join(f"{value:.2f}" for value in row))


@click.command("eval")
@click.argument("run_dir")
@click.option("--split", type=click.Choice(["test", "val"]), default="test",
              show_default=True, help="Which split to measure.")
@click.option("--data-dir", help="Where the datasets are now (default: as in the run).")
@click.option("--limit", type=click.IntRange(min=1), help="Only N images, evenly spread.")
def evaluate(run_dir, split, data_dir, limit):
    """Evaluate the trained run RUN_DIR on its test split: metrics and plots."""
    from minidl.studies.runner import evaluate_split, load_trained
    from minidl.studies.splits import limited
    try:
        trained = load_trained(run_dir, data_dir=data_dir,
                               note=lambda text: click.echo(f"note: {text}"))
        run, config, data = trained.run, trained.config, trained.data
        dataset = limited([data.test if split == "test" else data.val], limit)[0]
        evaluation, plots = evaluate_split(run, config, trained.task, dataset, split,
                                           trained.epoch)
    except USER_ERRORS as error:
        raise user_error(error) from None
    click.echo(f"{config['study']} / {config['experiment']} / {config['model']}, "
               f"{split} split ({len(dataset)} images):")
    click.echo(format_metrics(evaluation.metrics))
    print_details(evaluation.details)
    names = ", ".join(path.name for path in plots)
    click.echo(f"wrote {run.file(f'{split}_metrics.json')}" + (f" and {names}" if names else ""))
