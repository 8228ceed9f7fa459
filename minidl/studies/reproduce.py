"""The studies reproduced: each row of RESULTS.md as a `minidl train` command and a target.

``ROWS`` lists the experiments of every study with the settings chosen to reach the source
document's number on a 2-core CPU, the metric that number is about and where it is read:

    test:<key>       test_metrics.json of the run (after the last epoch)
    val-best:<key>   the best validation value over the epochs (metrics.jsonl, val_<key>)
    train-last:<key> the last epoch's training value (train_<key>): overfitting experiments

``reproduce(rows, out)`` runs each row's command (one `minidl train` process per row, so
the command in the table is exactly what ran) and ``write_results(rows, runs, path)``
turns the run directories into RESULTS.md: the document's number, minidl's, whether the
target is met, the command, epochs, wall time, images/s and the curves plot.
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Row:
    id: str
    study: str
    experiment: str
    model: str | None
    document: str               # what the source document reports
    metric: str                 # "test:accuracy", "val-best:loss", ...
    target: float | None = None  # None: reported, no target
    higher_is_better: bool = True
    settings: dict = field(default_factory=dict)  # --set key=value
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    extra_metrics: tuple = ()    # more test metrics shown beside the main one
    note: str = ""

    def arguments(self, out: str | Path, limit: int | None = None,
                  epochs: int | None = None) -> list[str]:
        """The `minidl train` arguments of this row (``limit``/``epochs``: tiny runs)."""
        args = ["train", self.study, "--experiment", self.experiment]
        if self.model:
            args += ["--model", self.model]
        for key, value in self.settings.items():
            args += ["--set", f"{key}={value}"]
        for option, value in (("--epochs", epochs or self.epochs),
                              ("--batch-size", self.batch_size), ("--lr", self.lr)):
            if value is not None:
                args += [option, str(value)]
        if limit is not None:
            args += ["--limit", str(limit)]
        return args + ["--out", str(out)]

    def command(self) -> str:
        """The command as a user types it (without --out)."""
        return "minidl " + shlex.join(self.arguments("runs")[:-2])

    def meets(self, value: float | None) -> bool | None:
        if self.target is None or value is None:
            return None
        return value >= self.target if self.higher_is_better else value <= self.target


def _cm(experiment, document, target, metric="test:accuracy", **options) -> Row:
    return Row(f"colorized-mnist/{experiment}" + options.pop("suffix", ""), "colorized-mnist",
               experiment, None, document, metric, target, **options)


BOD = {"scheme": "bright-on-dark"}

ROWS: tuple[Row, ...] = (
    _cm("digits", "98.61 %", 0.986, epochs=5, batch_size=32),
    _cm("unseen-colors", "90.56 %", 0.906, epochs=5, batch_size=32),
    _cm("color-label", "100 %", 1.0, epochs=3),
    _cm("grayscale", "≈97.5 %", 0.975, epochs=5, batch_size=32),
    _cm("inverted", "33 %", None, epochs=3,
        note="minidl's contrast scheme: backgrounds lighter or darker than the digit"),
    _cm("inverted", "33 %", None, epochs=3, settings=BOD, suffix="/bright-on-dark",
        note="the document's plausible scheme: bright digits on darker backgrounds"),
    _cm("inverted", "33 %", None, epochs=3, suffix="/bright-on-dark+invert-aug",
        settings={**BOD, "invert_fraction": 0.5},
        note="bright-on-dark, half the training images inverted"),
    _cm("inverted", "33 %", None, epochs=3, suffix="/bright-on-dark+shuffle-aug",
        settings={**BOD, "shuffle_channels": "true"},
        note="bright-on-dark, RGB channels permuted per training image"),
    _cm("grayscale", "≈97.5 %", None, epochs=3, settings=BOD, suffix="/bright-on-dark",
        note="bright-on-dark, grayscale input, tested on inverted images"),
    Row("multidigit-mnist/three-digits", "multidigit-mnist", "three-digits", None,
        "97.80 % exact match", "test:accuracy", 0.978, epochs=12,
        extra_metrics=("digit_accuracy", "binary_accuracy", "precision", "recall", "f1")),
    Row("colorize-cifar/regression", "colorize-cifar", "horses", "regression",
        "val MSE 0.0035", "val-best:loss", 0.0035, higher_is_better=False, epochs=60,
        extra_metrics=("psnr", "ab_error")),
    Row("colorize-cifar/unet-classify", "colorize-cifar", "horses", "unet-classify",
        "pixel accuracy (reported)", "test:pixel_accuracy", None, epochs=20,
        extra_metrics=("psnr", "ab_error")),
    Row("colorize-cifar/gan", "colorize-cifar", "horses", "gan",
        "curves 'abnormal'; pictures", "test:l1", None, higher_is_better=False, epochs=10,
        extra_metrics=("psnr", "ab_error")),
    Row("iizuka/joint", "iizuka", "joint", "adam-dropout", "reported",
        "test:accuracy", None, settings={"size": 64}, epochs=10, batch_size=32,
        extra_metrics=("mse", "psnr", "ab_error"),
        note="64x64 instead of the paper's 224 (and the study's 128): 4x less work"),
    Row("lab-colorize/overfit-one", "lab-colorize", "overfit-one", "basic",
        "loss ≈1e-4", "train-last:loss", 1e-4, higher_is_better=False),
    Row("lab-colorize/golden-retriever", "lab-colorize", "golden-retriever", "batch",
        "val MSE ≈0.0095", "val-best:loss", 0.0095, higher_is_better=False, epochs=60),
)


def select(names: list[str]) -> list[Row]:
    """The rows of the given studies or row ids (all rows for an empty list)."""
    if not names:
        return list(ROWS)
    chosen = [row for row in ROWS if row.study in names or row.id in names]
    known = {row.study for row in ROWS} | {row.id for row in ROWS}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"reproduce: unknown study or row {unknown}; choose from "
                         f"{sorted({row.study for row in ROWS})} or a row id "
                         f"({', '.join(row.id for row in ROWS)})")
    return chosen


# -- running -------------------------------------------------------------------------------
def run_row(row: Row, out: Path, limit: int | None = None, epochs: int | None = None,
            echo=print) -> Path:
    """Run one row's `minidl train` in its own process; returns its run directory."""
    folder = out.resolve() / row.id.replace("/", "__")
    folder.mkdir(parents=True, exist_ok=True)
    before = set(folder.iterdir())
    args = row.arguments(folder, limit, epochs)
    echo(f"[{row.id}] minidl {shlex.join(args)}")
    start = time.monotonic()
    # run in the row's folder: a source checkout's own minidl/ folder in the working
    # directory would shadow the installed package
    done = subprocess.run([sys.executable, "-m", "minidl.cli.main", *args],
                          capture_output=True, text=True, cwd=folder)
    created = [p for p in folder.iterdir() if p.is_dir() and p not in before]
    if done.returncode != 0 or len(created) != 1:
        raise RuntimeError(f"reproduce: row {row.id} failed (exit {done.returncode}): "
                           f"{done.stderr.strip().splitlines()[-1:] or done.stdout[-300:]}")
    run = created[0]
    (run / "wall_seconds.txt").write_text(f"{time.monotonic() - start:.1f}\n")
    return run


# -- reading a run -------------------------------------------------------------------------
def read_value(row: Row, run: Path) -> float | None:
    source, key = row.metric.split(":", 1)
    if source == "test":
        path = run / "test_metrics.json"
        return json.loads(path.read_text())["metrics"].get(key) if path.exists() else None
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()
               if line.strip()]
    if source == "train-last":
        return records[-1].get(f"train_{key}") if records else None
    values = [r[f"val_{key}"] for r in records if f"val_{key}" in r]
    if not values:
        return None
    return max(values) if row.higher_is_better else min(values)


def run_facts(run: Path) -> dict:
    """Epochs, wall time, images/s and the test metrics of a run directory."""
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()
               if line.strip()]
    wall = run / "wall_seconds.txt"
    test = run / "test_metrics.json"
    return {"epochs": len(records),
            "train_seconds": sum(r.get("seconds", 0.0) for r in records),
            "wall_seconds": float(wall.read_text()) if wall.exists() else None,
            "images_per_second": (sum(r.get("images_per_second", 0.0) for r in records)
                                  / len(records)) if records else None,
            "test": json.loads(test.read_text())["metrics"] if test.exists() else {}}


# settings a row leaves at their defaults must be at them in a matching run
DEFAULT_SETTINGS = {"scheme": "contrast", "invert_fraction": 0.0, "shuffle_channels": False,
                    "seed": 0}


def matching_runs(row: Row, folders: list[Path]) -> list[Path]:
    """Finished run directories under ``folders`` whose config is this row's."""
    found = []
    for folder in folders:
        for config_path in sorted(folder.rglob("config.json")):
            config = json.loads(config_path.read_text())
            same = (config.get("study") == row.study
                    and config.get("experiment") == row.experiment
                    and (row.model is None or config.get("model") == row.model)
                    and not config.get("limit")
                    and all(value is None or config.get(key) == value
                            for key, value in (("epochs", row.epochs),
                                               ("batch_size", row.batch_size)))
                    and all(str(config.get(k)).lower() == str(v).lower()
                            for k, v in {**DEFAULT_SETTINGS, **row.settings}.items()
                            if k in config or k in row.settings))
            if same and (config_path.parent / "test_metrics.json").exists():
                found.append(config_path.parent)
    return found


# -- RESULTS.md ----------------------------------------------------------------------------
def _format(key: str, value) -> str:
    if value is None:
        return "—"
    if "accuracy" in key or key in ("precision", "recall", "f1"):
        return f"{100 * value:.2f} %"
    if key in ("loss", "mse", "l1") or key.endswith("loss"):
        return f"{value:.2e}" if value < 1e-3 else f"{value:.4f}"
    return f"{value:.2f}"


def write_results(rows: list[Row], runs: dict, path: Path, plots: Path | None = None) -> str:
    """RESULTS.md from ``runs`` (row id -> run directory); rows without a run are listed
    as not run. ``plots``: a folder to copy each run's curves.png into (linked)."""
    lines = ["| study / experiment | document | minidl | target | met | epochs | wall | img/s "
             "| more (test) | plot |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    commands = []
    for row in rows:
        run = runs.get(row.id)
        key = row.metric.split(":", 1)[1]
        target = "—" if row.target is None else \
            ("≥ " if row.higher_is_better else "≤ ") + _format(key, row.target)
        if run is None:
            lines.append(f"| {row.id} | {row.document} | not run | {target} | | | | | | |")
            continue
        value = read_value(row, run)
        facts = run_facts(run)
        met = {True: "yes", False: "**no**", None: ""}[row.meets(value)]
        more = ", ".join(f"{k} {_format(k, facts['test'].get(k))}" for k in row.extra_metrics
                         if k in facts["test"])
        wall = facts["wall_seconds"] or facts["train_seconds"]
        plot = ""
        if plots is not None and (run / "curves.png").exists():
            plots.mkdir(parents=True, exist_ok=True)
            name = row.id.replace("/", "__") + ".png"
            shutil.copyfile(run / "curves.png", plots / name)
            plot = f"[curves]({os.path.relpath(plots / name, path.parent)})"
        lines.append(f"| {row.id} | {row.document} | {_format(key, value)} ({row.metric}) "
                     f"| {target} | {met} | {facts['epochs']} | {wall / 60:.1f} min "
                     f"| {facts['images_per_second'] or 0:.0f} | {more} | {plot} |")
        commands.append(f"- `{row.id}`: `{row.command()}`"
                        + (f" — {row.note}" if row.note else ""))
    table = "\n".join(lines) + "\n\nCommands:\n\n" + "\n".join(commands) + "\n"
    write_between_markers(path, BEGIN, END, table)
    return table


def write_between_markers(path: Path, begin: str, end: str, table: str) -> None:
    """Put ``table`` between the lines ``begin`` and ``end`` of ``path``, keeping the text
    around them (appended at the end, markers included, when they are not there yet)."""
    old = path.read_text() if path.exists() else HEADER
    if begin in old and end in old:
        text = old[:old.index(begin) + len(begin)] + "\n" + table + old[old.index(end):]
    else:
        text = old.rstrip() + f"\n\n{begin}\n{table}{end}\n"
    path.write_text(text)


BEGIN, END = "<!-- minidl reproduce: table begins -->", "<!-- minidl reproduce: table ends -->"
HEADER = """# Results: the studies reproduced

Written by `minidl reproduce` (the table between the markers; the text around it is kept).
"""
