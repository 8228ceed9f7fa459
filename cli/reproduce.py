"""``minidl reproduce [STUDY | ROW | COMPARISON ...]``: run the studies' experiments and
write RESULTS.md.

Each row (``--list`` shows them) is one ``minidl train`` command with the settings chosen
to reach its source document's number; RESULTS.md gets the document's number beside
minidl's, whether the target is met, the command, epochs, wall time, images/s and the
curves. The comparisons (``iizuka-tasks``, ``colourizers``) answer the documents' open
questions: several setups, each over several seeds, in a table of their own.
``--from-runs DIR`` writes the tables from runs made earlier instead of training.
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
              help="The results file to write (its table parts).")
@click.option("--plots", default="docs/results", show_default=True,
              help="Folder for the curves linked from the results.")
@click.option("--from-runs", "from_runs", multiple=True, type=click.Path(file_okay=False),
              help="Do not train: take the newest matching run under each DIR.")
@click.option("--limit", type=click.IntRange(min=1), help="Tiny runs: N images per split.")
@click.option("--epochs", type=click.IntRange(min=1), help="Override every row's epochs.")
def reproduce(names, list_rows, out, results, plots, from_runs, limit, epochs):
    """Run the studies' experiments and comparisons (all, or the given STUDY / ROW /
    COMPARISON ids); write RESULTS.md."""
    from minidl.studies.comparisons import COMPARISONS, select_comparisons, write_comparison
    from minidl.studies.reproduce import matching_runs, run_row, select, write_results

    try:
        comparison_ids = {c.id for c in COMPARISONS}
        row_names = [name for name in names if name not in comparison_ids]
        compared = [name for name in names if name in comparison_ids]
        rows = select(row_names) if row_names or not names else []
        comparisons = select_comparisons(compared) if compared or not names else []
        every_row = rows + [row for c in comparisons for row in c.rows()]
        if list_rows:
            for row in every_row:
                click.echo(f"{row.id:42} {row.command()}")
            return
        runs = {}
        for row in every_row:
            if from_runs:
                found = matching_runs(row, [Path(folder) for folder in from_runs])
                if found:
                    runs[row.id] = max(found, key=lambda p: p.stat().st_mtime)
            else:
                runs[row.id] = run_row(row, Path(out), limit, epochs, echo=click.echo)
        if rows:
            click.echo(write_results(rows, runs, Path(results), Path(plots)))
        for comparison in comparisons:
            click.echo(write_comparison(comparison, runs, Path(results), Path(plots)))
    except (RuntimeError, *USER_ERRORS) as error:
        raise user_error(error) from None
    click.echo(f"wrote {results} ({len(runs)} of {len(every_row)} runs found or made)")
