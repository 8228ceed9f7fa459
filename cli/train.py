"""``minidl train``: run a study of STUDIES.md and write its run directory.

    minidl train                                    the default: colorized-mnist, digits
    minidl train STUDY [--experiment E] [--model M] [--epochs N] [--batch-size B]
                 [--lr LR] [--optimizer NAME] [--seed S] [--device cpu|cuda]
                 [--data-dir DIR] [--out DIR] [--set key=value ...] [--limit N]
    minidl train --resume RUN_DIR [--epochs N]      continue an interrupted run

A run directory ``<out>/<study>-<experiment>-<time>/`` receives config.json,
metrics.jsonl, checkpoint.h5 (after every epoch), summary.txt and the plots; at the end
the test split is evaluated (test_metrics.json and test_*.png). ``minidl studies STUDY``
lists every setting ``--set`` accepts.

A run that stops early says where it stands and exits non-zero (:mod:`.run_outcome`):
Ctrl-C and SIGTERM (130, 143) wait for a checkpoint being written; a NaN or infinite
loss or gradient stops it (1) keeping the last checkpoint with finite weights (``--set
on_nonfinite=skip`` skips such steps instead); so does a full disk (1). One process at
a time trains a run directory: a second ``--resume`` of it is refused.

``--resume RUN --epochs N`` trains a finished run further, to N epochs in all; its
cosine schedule, which had annealed the rate to 0, is stretched to anneal over the N
epochs (the rate goes back up to the stretched schedule's value; a note says which).
A run that finished training but not its test evaluation is measured with
``minidl eval RUN``; ``--resume`` says so.
"""
from __future__ import annotations

from pathlib import Path

import click

from minidl.cli.messages import USER_ERRORS, format_metrics, user_error

# option name -> setting name of the study configuration
OPTION_SETTINGS = {"epochs": "epochs", "batch_size": "batch_size", "lr": "lr",
                   "optimizer": "optimizer", "seed": "seed", "device": "device",
                   "data_dir": "data_dir", "limit": "limit"}
RESUME_OPTIONS = ("epochs", "data_dir")


def parse_settings(study, pairs) -> dict:
    """``--set key=value`` pairs -> {key: value}, each parsed and checked by the study."""
    from minidl.studies.setting import ConfigError
    settings = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {pair!r}: expected KEY=VALUE (e.g. --set epochs=5)")
        settings[key.strip()] = study.setting(key.strip()).parse(text)
    return settings


def print_epoch(record: dict, evaluation) -> None:
    shown = {k: v for k, v in record.items()
             if k.startswith(("train_loss", "val_loss", "val_accuracy", "val_psnr",
                              "val_l1", "val_ab_error", "lr"))}
    skipped = f"  skipped {record['skipped_batches']} batches" \
        if record.get("skipped_batches") else ""
    click.echo(f"epoch {record['epoch']}: {format_metrics(shown)}  "
               f"{record['seconds']:.1f} s ({record['images_per_second']:,.0f} img/s)"
               f"{skipped}")


@click.command()
@click.argument("study", required=False)
@click.option("--experiment", "-e", help="Experiment of the study (default: its first).")
@click.option("--model", "-m", help="Model of the study (default: the experiment's).")
@click.option("--epochs", type=click.IntRange(min=1), help="Passes over the training set.")
@click.option("--batch-size", type=click.IntRange(min=1), help="Images per step.")
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), help="Learning rate.")
@click.option("--optimizer", type=click.Choice(["sgd", "adam", "adamw", "adadelta"]))
@click.option("--seed", type=int, help="Seeds weights, shuffling, dropout, augmentation.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]))
@click.option("--data-dir", help="Folder holding the dataset folders.")
@click.option("--out", default="runs", show_default=True,
              help="Where run directories are created.")
@click.option("--set", "pairs", multiple=True, metavar="KEY=VALUE",
              help="Any setting of the study (see `minidl studies STUDY`); repeatable.")
@click.option("--limit", type=click.IntRange(min=1),
              help="Use only N images of each split, evenly spread (quick runs).")
@click.option("--resume", "resume", metavar="RUN_DIR",
              help="Continue the run in RUN_DIR from its last checkpoint.")
def train(study, experiment, model, pairs, out, resume, **options):
    """Train STUDY (default: colorized-mnist) and write a run directory with config,
    metrics, checkpoint and plots. `minidl studies` lists the studies."""
    from minidl.training.interrupts import sigterm_raises_terminated
    given = {name: value for name, value in options.items() if value is not None}
    if given.get("data_dir"):
        given["data_dir"] = str(Path(given["data_dir"]).resolve())
    with sigterm_raises_terminated():
        run, trainer, data = prepare_run(study, experiment, model, pairs, out, resume, given)
        try:
            train_and_test(run, trainer, data)
        finally:
            run.unlock()


def prepare_run(study, experiment, model, pairs, out, resume, given):
    """``(run, trainer, data)`` of a new run, or of the run resumed."""
    from minidl.studies.runner import resume_run, start_run
    from minidl.training.interrupts import exit_code, signal_name
    try:
        if resume:
            extra = [f"--{name.replace('_', '-')}" for name in given if name not in
                     RESUME_OPTIONS]
            if study or experiment or model or pairs or extra:
                raise click.ClickException("--resume continues a run with its own settings; "
                                           "only --epochs and --data-dir may be given with it")
            run, trainer, data = resume_run(resume, given.get("epochs"), given.get("data_dir"),
                                            note=lambda text: click.echo(f"note: {text}"))
            click.echo(f"resuming {run} after epoch {trainer.state.epoch}")
        else:
            config = resolve_config(study, experiment, model, pairs, given)
            run, trainer, data = start_run(config, out)
            click.echo(f"{config['study']} / {config['experiment']} / {config['model']}: "
                       f"{config['epochs']} epochs, batch {config['batch_size']}, "
                       f"{config['optimizer']} lr {config['lr']:g}; run directory {run}")
            if config.get("note"):
                click.echo(f"note: {config['note']}")
    except KeyboardInterrupt as interrupt:
        click.echo(f"\n{signal_name(interrupt)} before training began", err=True)
        raise SystemExit(exit_code(interrupt)) from None
    except USER_ERRORS as error:
        raise user_error(error) from None
    return run, trainer, data


def train_and_test(run, trainer, data) -> None:
    """Train to the end, then evaluate on the test split; any way of stopping early
    ends in one message saying where the run stands (:mod:`.run_outcome`)."""
    from minidl.cli import run_outcome
    from minidl.studies.runner import evaluate_split
    from minidl.training.files import is_disk_full
    from minidl.training.interrupts import exit_code
    from minidl.training.nonfinite import NonFiniteError
    trainer.on_epoch_end = print_epoch
    try:
        state = trainer.fit()
        config = run.read_config()
        evaluation, test_plots = evaluate_split(run, config, trainer.task, data.test, "test",
                                                state.epoch)
    except KeyboardInterrupt as interrupt:
        click.echo("\n" + run_outcome.interrupted(interrupt, run, trainer.state), err=True)
        raise SystemExit(exit_code(interrupt)) from None
    except NonFiniteError as error:
        task = trainer.task
        raise click.ClickException(run_outcome.diverged(
            error, run, trainer.state, task.learning_rates(), task.nonfinite.policy)) from None
    except USER_ERRORS as error:
        if is_disk_full(error):
            raise click.ClickException(run_outcome.disk_full(error, run, trainer.state)) \
                from None
        raise user_error(error) from None
    if state.stopped_early:
        click.echo(f"early stopping after epoch {state.epoch}: no validation progress for "
                   f"{config['patience']} epochs")
    skipped = sum(record.get("skipped_batches", 0) for record in state.history)
    if skipped:
        click.echo(f"skipped {skipped} batches with a non-finite loss or gradient "
                   "(skipped_batches in metrics.jsonl)")
    click.echo(f"test ({len(data.test)} images): {format_metrics(evaluation.metrics)}")
    plots = sorted({path.name for path in [*trainer.plots, *test_plots]})
    click.echo(f"run directory: {run}\n  config.json, metrics.jsonl, checkpoint.h5, "
               f"summary.txt, test_metrics.json\n  plots: {', '.join(plots)}\n"
               f"  {trainer.board_note}")


def resolve_config(study_name, experiment, model, pairs, given) -> dict:
    from minidl.studies import DEFAULT_STUDY, get_study
    study = get_study(study_name or DEFAULT_STUDY)
    settings = parse_settings(study, pairs)
    settings.update({OPTION_SETTINGS[name]: value for name, value in given.items()})
    return study.resolve(experiment, model, settings)

