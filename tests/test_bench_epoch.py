"""`minidl bench epoch`: one training epoch of the default study in minidl and PyTorch."""
import json

import pytest
from click.testing import CliRunner

from minidl.bench.epoch import default_config, summarize
from minidl.bench.machine import thread_environment
from minidl.cli.main import cli


def test_the_benchmark_trains_what_minidl_train_runs_by_default():
    config = default_config(limit=300)
    assert (config["study"], config["experiment"], config["model"]) == \
        ("colorized-mnist", "digits", "cnn")
    assert (config["batch_size"], config["optimizer"], config["lr"]) == (64, "adam", 2e-3)
    assert config["limit"] == 300 and default_config()["limit"] is None


def test_summary_takes_the_median_epoch_and_the_last_loss():
    def epoch(seconds, loss):
        return {"seconds": seconds, "images": 100, "loss": loss, "accuracy": 0.5}

    summary = summarize({"minidl": [epoch(3.0, 2.0), epoch(1.0, 1.0), epoch(2.0, 0.5)],
                         "torch": [epoch(4.0, 1.9), epoch(4.0, 1.1), epoch(4.0, 0.6)]})
    assert summary["minidl"]["seconds"] == 2.0 and summary["ratio"] == pytest.approx(0.5)
    assert summary["minidl"]["images_per_second"] == pytest.approx(50.0)
    assert summary["minidl"]["train_loss"] == 0.5
    assert summary["loss_difference"] == pytest.approx(0.1)


def test_bench_epoch_trains_both_engines_on_the_same_data(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    for key, value in thread_environment(2).items():   # as if started afresh
        monkeypatch.setenv(key, value)
    report_path = tmp_path / "epoch.json"
    result = CliRunner().invoke(cli, ["bench", "epoch", "--limit", "256", "--repeat", "1",
                                      "--json", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "epoch time ratio minidl/torch" in result.output
    assert "kernel openblas" in result.output or "kernel unknown" in result.output
    report = json.loads(report_path.read_text())
    assert report["train_images"] == 256 and report["batches"] == 4
    assert report["config"]["study"] == "colorized-mnist"
    summary = report["summary"]
    for engine in ("minidl", "torch"):
        epochs = report["epochs"][engine]
        assert len(epochs) == 1 and epochs[0]["images"] == 256
        assert summary[engine]["seconds"] > 0 and summary[engine]["images_per_second"] > 0
        assert 0 <= summary[engine]["train_accuracy"] <= 1
    # the same weights and batches: four Adam steps from ln(10) = 2.30 leave both engines'
    # mean loss near each other (dropout's masks differ)
    losses = [summary[engine]["train_loss"] for engine in ("minidl", "torch")]
    assert 1.0 < min(losses) and max(losses) < 4.0
    assert summary["loss_difference"] < 0.15 * max(losses)
    assert summary["ratio"] == pytest.approx(summary["minidl"]["seconds"]
                                             / summary["torch"]["seconds"])
    assert report["machine"]["blas_kernel"]
