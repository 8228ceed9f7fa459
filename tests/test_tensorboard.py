"""SummaryWriter writes real TensorBoard event files, and minidl train mirrors its
metrics there: read back with tensorboard's own event reader."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

import minidl

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

from minidl.cli.main import cli  # noqa: E402
from minidl.utils.tensorboard import SummaryWriter  # noqa: E402


def read(folder):
    events = EventAccumulator(str(folder), size_guidance={"histograms": 0, "images": 0,
                                                          "scalars": 0, "tensors": 0})
    events.Reload()
    return events


def test_scalars_images_histograms_text(tmp_path):
    values = np.random.default_rng(0).normal(size=500)
    with SummaryWriter(tmp_path) as writer:
        for step in range(4):
            writer.add_scalar("loss/train", minidl.tensor(1.0 / (step + 1)), step)
        writer.add_images("batch", minidl.rand(5, 3, 6, 4), 0)
        writer.add_image("one", np.ones((6, 4, 3), np.float32), 1, dataformats="HWC")
        writer.add_histogram("weights", minidl.tensor(values), 2)
        writer.add_text("note", "hello", 0)
    events = read(tmp_path)
    assert [(e.step, round(e.value, 6)) for e in events.Scalars("loss/train")] == \
        [(0, 1.0), (1, 0.5), (2, round(1 / 3, 6)), (3, 0.25)]
    grid = events.Images("batch")[0]
    assert (grid.width, grid.height) == (5 * 4, 6)  # five images side by side
    assert (events.Images("one")[0].width, events.Images("one")[0].height) == (4, 6)
    histogram = events.Histograms("weights")[0].histogram_value
    assert histogram.num == 500 and sum(histogram.bucket) == 500
    assert histogram.min == pytest.approx(values.min())
    assert histogram.sum == pytest.approx(values.sum())
    assert "note/text_summary" in events.Tags()["tensors"]


def test_add_scalars_and_hparams_write_runs_of_their_own(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        writer.add_scalars("accuracy", {"train": 0.9, "val": 0.8}, 3)
        writer.add_hparams({"lr": 0.01, "optimizer": "adam", "layers": [1, 2]},
                           {"hparam/accuracy": 0.8}, run_name="trial")
    assert read(tmp_path / "accuracy_val").Scalars("accuracy")[0].value == pytest.approx(0.8)
    trial = read(tmp_path / "trial")
    assert trial.Scalars("hparam/accuracy")[0].value == pytest.approx(0.8)
    assert {"_hparams_/experiment", "_hparams_/session_start_info"} <= \
        set(trial.Tags()["tensors"])


def test_bad_input_is_named(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        with pytest.raises(ValueError, match="single number"):
            writer.add_scalar("x", np.ones(3))
        with pytest.raises(ValueError, match="dataformats"):
            writer.add_image("x", np.ones((3, 4)))
        with pytest.raises(ValueError, match="finite"):
            writer.add_histogram("x", np.array([np.nan]))


def test_training_run_mirrors_metrics_jsonl(tmp_path):
    out = tmp_path / "runs"
    result = CliRunner().invoke(cli, ["train", "--limit", "32", "--epochs", "2",
                                      "--batch-size", "16", "--out", str(out)])
    assert result.exit_code == 0, result.output
    run = next(out.iterdir())
    assert "tensorboard --logdir" in result.output
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    events = read(run)
    for key in ("train_loss", "val_loss", "val_accuracy", "lr"):
        tag = key.replace("train_", "train/").replace("val_", "val/")
        logged = [(e.step, e.value) for e in events.Scalars(tag)]
        assert logged == [(r["epoch"], pytest.approx(r[key], rel=1e-6)) for r in records]
    assert events.Tags()["images"] == ["examples/images"]
    assert any(tag.startswith("model/") and tag.endswith("weight")
               for tag in events.Tags()["histograms"])
