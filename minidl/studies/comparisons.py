"""The documents' open questions as tables of RESULTS.md: several runs side by side.

A :class:`Comparison` is a set of members (one training setup each: a study, experiment,
model and settings), each run once per seed; its table gives each member's test metrics as
mean ± standard deviation over the seeds (the sample standard deviation, n - 1), so a
difference between members can be read against the spread between seeds.

    iizuka-tasks   Iizuka et al.: does training colourization and classification jointly
                   help either task?  joint vs colourize-only vs classify-only, 3 seeds.
    colourizers    "difficult to quantify": every colourizer of colorize-cifar and
                   lab-colorize ranked on PSNR, mean ab error and colourfulness.

The members are :class:`~minidl.studies.reproduce.Row` objects (a seed is a ``seed``
setting), so they are run, found again (``--from-runs``) and shown exactly like the rows of
the main table.
"""
from __future__ import annotations

import os
import statistics
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from .reproduce import Row, run_facts, write_between_markers

GRID_WIDTH = 720  # pixels: the example grids committed beside RESULTS.md


@dataclass(frozen=True)
class Metric:
    key: str                 # a key of test_metrics.json
    label: str
    higher_is_better: bool
    percent: bool = False


@dataclass(frozen=True)
class Comparison:
    id: str
    title: str
    members: tuple           # (label, Row without a seed)
    seeds: tuple
    metrics: tuple           # Metric, one column each
    rank_by: str             # the metric key members are sorted by, best first
    group_by: str = ""       # members with the same Row.study are ranked among themselves

    def rows(self) -> list[Row]:
        """One Row per member and seed (seed 0 alone keeps the member's own id)."""
        return [seeded(row, seed) for _, row in self.members for seed in self.seeds]


def seeded(row: Row, seed: int) -> Row:
    settings = {**row.settings, "seed": seed}
    return Row(f"{row.id}/seed{seed}", row.study, row.experiment, row.model, row.document,
               row.metric, row.target, row.higher_is_better, settings, row.epochs,
               row.batch_size, row.lr, row.extra_metrics, row.note)


def _iizuka(task: str) -> Row:
    return Row(f"iizuka/{task}/64px", "iizuka", task, "adam-dropout", "reported",
               "test:loss", None, higher_is_better=False, settings={"size": 64}, epochs=10,
               batch_size=32)


def _colourizer(study: str, experiment: str, model: str, epochs: int) -> Row:
    return Row(f"{study}/{model}", study, experiment, model, "", "test:psnr", None,
               epochs=epochs)


COMPARISONS = (
    Comparison(
        "iizuka-tasks",
        "Iizuka: joint training vs each task alone (NCD, 64×64, 10 epochs, adam-dropout)",
        members=(("joint", _iizuka("joint")), ("colourize only", _iizuka("colorize")),
                 ("classify only", _iizuka("classify"))),
        seeds=(0, 1, 2),
        metrics=(Metric("mse", "colour MSE (ab)", False), Metric("psnr", "PSNR dB", True),
                 Metric("ab_error", "ab error", False),
                 Metric("accuracy", "accuracy", True, percent=True),
                 Metric("cross_entropy", "cross-entropy", False)),
        rank_by="psnr"),
    Comparison(
        "colourizers",
        "Every colourizer on its study's held-out images",
        members=(("regression", _colourizer("colorize-cifar", "horses", "regression", 60)),
                 ("palette U-Net", _colourizer("colorize-cifar", "horses", "unet-classify",
                                               20)),
                 ("GAN (pix2pix)", _colourizer("colorize-cifar", "horses", "gan", 10)),
                 ("basic", _colourizer("lab-colorize", "golden-retriever", "basic", 12)),
                 ("batch", _colourizer("lab-colorize", "golden-retriever", "batch", 12)),
                 ("skip", _colourizer("lab-colorize", "golden-retriever", "skip", 12)),
                 ("attention", _colourizer("lab-colorize", "golden-retriever", "attention",
                                           12))),
        seeds=(0,),
        metrics=(Metric("psnr", "PSNR dB", True), Metric("ab_error", "ab error", False),
                 Metric("colorfulness", "colourfulness", True),
                 Metric("colorfulness_original", "colourfulness of the originals", True)),
        rank_by="psnr", group_by="study"),
)


def select_comparisons(names: list[str]) -> list[Comparison]:
    return [c for c in COMPARISONS if not names or c.id in names]


def mean_std(values: list[float]) -> tuple[float, float | None]:
    """The mean and the sample standard deviation (None for a single value)."""
    mean = statistics.fmean(values)
    return mean, (statistics.stdev(values) if len(values) > 1 else None)


def _cell(metric: Metric, values: list[float]) -> str:
    if not values:
        return "—"
    scale = 100.0 if metric.percent else 1.0
    mean, std = mean_std([scale * v for v in values])
    digits = 2 if metric.percent or abs(mean) >= 1 else 4
    unit = " %" if metric.percent else ""
    spread = "" if std is None else f" ± {std:.{digits}f}"
    return f"{mean:.{digits}f}{spread}{unit}"


def _example_link(run: Path, name: str, plots: Path | None, results: Path) -> str:
    """The run's grid of test images (grayscale | prediction | original) copied into
    ``plots`` as ``name`` (a JPEG: these are photographs, a quarter of a PNG's size), as
    a markdown link relative to the results file."""
    grid = run / "test_colorized.png"
    if plots is None or not grid.exists():
        return ""
    plots.mkdir(parents=True, exist_ok=True)
    with Image.open(grid) as image:  # a run's own output, shrunk to a small JPEG to commit
        image.thumbnail((GRID_WIDTH, GRID_WIDTH * 4))
        image.convert("RGB").save(plots / name, quality=88, optimize=True)
    return f"[grid]({os.path.relpath(plots / name, results.parent)})"


def comparison_table(comparison: Comparison, runs: dict, results: Path = Path("RESULTS.md"),
                     plots: Path | None = None) -> str:
    """The markdown table of ``comparison`` from ``runs`` (seeded row id -> run folder);
    with ``plots``, each member's first run's example grid is copied there and linked."""
    header = (["member", "study / experiment / model", "runs", "epochs"]
              + [m.label for m in comparison.metrics] + ["examples"])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    entries = []
    for label, row in comparison.members:
        found = [runs[seeded(row, s).id] for s in comparison.seeds
                 if seeded(row, s).id in runs]
        facts = [run_facts(run) for run in found]
        values = {m.key: [f["test"][m.key] for f in facts if m.key in f["test"]]
                  for m in comparison.metrics}
        entries.append((label, row, len(found), facts, values))
    rank = next(m for m in comparison.metrics if m.key == comparison.rank_by)

    def order(entry):
        scores = entry[4][rank.key]
        score = statistics.fmean(scores) if scores else float("-inf")
        group = getattr(entry[1], comparison.group_by) if comparison.group_by else ""
        return (group, -score if rank.higher_is_better else score)
    for label, row, count, facts, values in sorted(entries, key=order):
        epochs = ", ".join(sorted({str(f["epochs"]) for f in facts})) or "—"
        cells = [_cell(m, values[m.key]) for m in comparison.metrics]
        first = runs.get(seeded(row, comparison.seeds[0]).id)
        name = f"{comparison.id}__{row.id.replace('/', '__')}.jpg"
        cells.append(_example_link(first, name, plots, results) if first else "")
        lines.append(f"| {label} | {row.study} / {row.experiment} / {row.model} "
                     f"| {count} of {len(comparison.seeds)} | {epochs} | "
                     + " | ".join(cells) + " |")
    seeds = ", ".join(str(s) for s in comparison.seeds)
    commands = [f"- {label}: `{seeded(row, comparison.seeds[0]).command()}`"
                + (f" (seeds {seeds})" if len(comparison.seeds) > 1 else "")
                for label, row in comparison.members]
    ranked = "best first by " + rank.label + (" within each study" if comparison.group_by
                                              else "")
    spread = (f"mean ± std over seeds {seeds}" if len(comparison.seeds) > 1
              else f"one run each (seed {seeds})")
    return (f"**{comparison.title}** — {spread}; {ranked}.\n\n"
            + "\n".join(lines) + "\n\nCommands:\n\n" + "\n".join(commands) + "\n")


def markers(comparison: Comparison) -> tuple[str, str]:
    return (f"<!-- minidl reproduce: {comparison.id} begins -->",
            f"<!-- minidl reproduce: {comparison.id} ends -->")


def write_comparison(comparison: Comparison, runs: dict, path: Path,
                     plots: Path | None = None) -> str:
    """Put ``comparison``'s table between its markers in ``path`` (appended when absent)."""
    table = comparison_table(comparison, runs, path, plots)
    write_between_markers(path, *markers(comparison), table)
    return table
