"""``minidl reproduce [STUDY | ROW ...]``: run the studies' experiments and write RESULTS.md.

Each row (``--list`` shows them) is one ``minidl train`` command with the settings chosen
to reach its source document's number; RESULTS.md gets the document's number beside
minidl's, whether the target is met, the command, epochs, wall time, images/s and the
curves. ``--from-runs DIR`` writes the table from runs made earlier instead of training.
"""
from __future__ import annotations

from pathlib import Path

import click

from minidl.cli.messages import USER_ERRORS, user_error


@click.command("reproduce")
@click.argument("names", nargs=-1)
@click.option("--list", "list_rows", is_flag=True, help="List the rows and their commands.")
@click.option("--out", default="runs/reproduce", show_default=True,
              help="Where the runs go (one folder per row).")
@click.option("--results", default="RESULTS.md", show_default=True,
              help="The results file to write (its table part).")
@click.option("--plots", default="docs/results", show_default=True,
              help="Folder for the curves linked from the results.")
@click.option("--from-runs", "from_runs", multiple=True, type=click.Path(file_okay=False),
              help="Do not train: take the newest matching run under each DIR.")
@click.option("--limit", type=click.IntRange(min=1), help="Tiny runs: N images per split.")
@click.option("--epochs", type=click.IntRange(min=1), help="Override every row's epochs.")
def reproduce(names, list_rows, out, results, plots, from_runs, limit, epochs):
    """Run the studies' experiments (all, or the given STUDY / ROW ids); write RESULTS.md."""
    from minidl.studies.reproduce import matching_runs, run_row, select, write_results

    try:
        rows = select(list(names))
        if list_rows:
            for row in rows:
                click.echo(f"{row.id:42} {row.command()}")
            return
        runs = {}
        if from_runs:
            folders = [Path(folder) for folder in from_runs]
            for row in rows:
                found = matching_runs(row, folders)
                if found:
                    runs[row.id] = max(found, key=lambda p: p.stat().st_mtime)
        else:
            for row in rows:
                runs[row.id] = run_row(row, Path(out), limit, epochs, echo=click.echo)
        table = write_results(rows, runs, Path(results), Path(plots))
    except (RuntimeError, *USER_ERRORS) as error:
        raise user_error(error) from None
    click.echo(table)
    click.echo(f"wrote {results} ({len(runs)} of {len(rows)} rows from runs)")
