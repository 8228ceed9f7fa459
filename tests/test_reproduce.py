"""minidl reproduce: rows as commands, a tiny row run end to end, RESULTS.md written
between its markers (the text around them kept), and runs made earlier collected."""
import json

import pytest
from click.testing import CliRunner

from minidl.cli.main import cli
from minidl.studies.reproduce import ROWS, Row, read_value, select


def test_rows_cover_every_study_and_name_their_commands():
    assert {row.study for row in ROWS} == {"colorized-mnist", "multidigit-mnist",
                                           "colorize-cifar", "iizuka", "lab-colorize"}
    assert len({row.id for row in ROWS}) == len(ROWS)
    row = select(["colorized-mnist/inverted/bright-on-dark"])[0]
    assert row.command() == ("minidl train colorized-mnist --experiment inverted "
                             "--set scheme=bright-on-dark --epochs 3")
    with pytest.raises(ValueError, match="unknown study or row"):
        select(["nonsense"])


def test_targets_and_reading_values(tmp_path):
    row = Row("x", "lab-colorize", "overfit-one", "basic", "1e-4", "train-last:loss", 1e-4,
              higher_is_better=False)
    assert row.meets(5e-5) and not row.meets(2e-4) and row.meets(None) is None
    (tmp_path / "metrics.jsonl").write_text(
        "\n".join(json.dumps({"epoch": e, "train_loss": 1.0 / e, "val_loss": v})
                  for e, v in [(1, 0.5), (2, 0.2), (3, 0.3)]) + "\n")
    assert read_value(row, tmp_path) == pytest.approx(1 / 3)
    best = Row("y", "s", "e", None, "", "val-best:loss", None, higher_is_better=False)
    assert read_value(best, tmp_path) == 0.2


def test_a_tiny_row_end_to_end(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Results\n\nWritten by hand: kept.\n")
    args = ["reproduce", "colorized-mnist/color-label", "--limit", "48", "--epochs", "1",
            "--out", str(tmp_path / "runs"), "--results", str(results),
            "--plots", str(tmp_path / "docs" / "results")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    text = results.read_text()
    assert text.startswith("# Results\n\nWritten by hand: kept.\n")
    line = next(line for line in text.splitlines()
                if line.startswith("| colorized-mnist/color-label"))
    assert "test:accuracy" in line and "not run" not in line
    assert "(docs/results/colorized-mnist__color-label.png)" in line
    assert (tmp_path / "docs" / "results" / "colorized-mnist__color-label.png").exists()
    # a second write replaces the table, keeping one copy of it
    again = CliRunner().invoke(cli, args[:2] + ["--from-runs", str(tmp_path / "runs"),
                                                "--results", str(results),
                                                "--plots", str(tmp_path / "docs" / "results")])
    assert again.exit_code == 0, again.output
    assert results.read_text().count("| study / experiment |") == 1
    # limited runs are never taken as results
    assert "not run" in next(line for line in results.read_text().splitlines()
                             if line.startswith("| colorized-mnist/color-label"))


def _fake_run(folder, row, seed, test_metrics, epochs=None):
    """A finished run directory as `minidl train` leaves it (only what reproduce reads)."""
    folder.mkdir(parents=True)
    config = {"study": row.study, "experiment": row.experiment, "model": row.model,
              "epochs": epochs or row.epochs, "batch_size": row.batch_size, "limit": None,
              "seed": seed, **row.settings}
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "metrics.jsonl").write_text(
        json.dumps({"epoch": 1, "seconds": 2.0, "images_per_second": 10.0}) + "\n")
    (folder / "test_metrics.json").write_text(json.dumps({"metrics": test_metrics}))
    return folder


def test_a_comparison_gives_mean_and_std_over_seeds(tmp_path):
    from minidl.studies.comparisons import COMPARISONS, mean_std, seeded, write_comparison
    from minidl.studies.reproduce import matching_runs

    assert mean_std([1.0, 2.0, 3.0]) == (2.0, 1.0) and mean_std([4.0]) == (4.0, None)
    tasks = next(c for c in COMPARISONS if c.id == "iizuka-tasks")
    joint = tasks.members[0][1]
    for seed, psnr in zip((0, 1, 2), (20.0, 22.0, 24.0)):
        _fake_run(tmp_path / f"joint{seed}", joint, seed,
                  {"psnr": psnr, "accuracy": 0.1 * (seed + 1), "mse": 0.01})
    _fake_run(tmp_path / "other-epochs", joint, 0, {"psnr": 99.0}, epochs=3)  # not a match
    runs = {}
    for row in tasks.rows():
        found = matching_runs(row, [tmp_path])
        assert len(found) <= 1
        if found:
            runs[row.id] = found[0]
    assert runs[seeded(joint, 1).id].name == "joint1"
    results = tmp_path / "RESULTS.md"
    results.write_text("# Results\n\nkept\n")
    table = write_comparison(tasks, runs, results)
    line = next(line for line in table.splitlines() if line.startswith("| joint |"))
    assert "3 of 3" in line and "22.00 ± 2.00" in line and "20.00 ± 10.00 %" in line
    assert "| colourize only |" in table and "0 of 3" in table
    write_comparison(tasks, runs, results)  # rewritten between its markers, text kept
    text = results.read_text()
    assert text.startswith("# Results\n\nkept\n") and text.count("| joint |") == 1
