"""``minidl train``: the demo job writes a complete run directory; bad input fails cleanly."""
import json

from click.testing import CliRunner

import minidl
from minidl.cli.main import cli


def test_train_writes_run_directory(tmp_path):
    result = CliRunner().invoke(cli, ["train", "--epochs", "2", "--limit", "600",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (run_dir,) = list(tmp_path.iterdir())
    assert {p.name for p in run_dir.iterdir()} == {"config.json", "metrics.jsonl",
                                                   "checkpoint.h5", "curves.png"}
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [line["epoch"] for line in lines] == [1, 2]
    assert lines[1]["train_loss"] < lines[0]["train_loss"]
    assert lines[1]["test_accuracy"] > 0.6  # 600 images, 2 epochs: far above chance (0.1)
    checkpoint = minidl.load(run_dir / "checkpoint.h5")
    assert checkpoint["epoch"] == 2
    assert checkpoint["model"]["1.weight"].shape == (256, 784)
    assert json.loads((run_dir / "config.json").read_text())["limit"] == 600
    assert "run directory:" in result.output


def test_train_rejects_bad_options(tmp_path):
    result = CliRunner().invoke(cli, ["train", "--epochs", "0", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "epochs" in result.output
    assert not any(tmp_path.iterdir())


def test_train_reports_unwritable_output(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(cli, ["train", "--out", str(blocker / "runs")])
    assert result.exit_code != 0
    assert result.output.startswith("Error: cannot create run directory")
    assert "Traceback" not in result.output
