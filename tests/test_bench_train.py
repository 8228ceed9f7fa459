"""The training-step benchmark: PyTorch twins of the study models, the memory measurement,
and `minidl bench train` end to end."""
import json
import sys

import numpy as np
import pytest
from click.testing import CliRunner

import minidl
from minidl.bench.machine import thread_environment
from minidl.bench.train import peak_step_memory_mib, summarize, traced_peak_mib
from minidl.bench.train_cases import CASES, Batch
from minidl.cli.main import cli
from minidl.models import MODELS


@pytest.mark.parametrize("name, args, shapes", [
    ("gan-generator", (8,), [(2, 1, 32, 32)]),
    ("gan-discriminator", (8, 0.2, 32), [(2, 1, 32, 32), (2, 3, 32, 32)]),
    ("iizuka", ("joint", "residual", 5, 0.5, 4), [(2, 1, 32, 32)]),
    ("lab-attention", (), [(2, 1, 16, 16)]),
])
def test_torch_twin_is_the_same_network(name, args, shapes, torch, rng):
    """Built from the same source with the same weights, the twin computes the same
    outputs (evaluation mode, so that batch norm uses the copied running statistics)."""
    from minidl.bench.torch_twin import torch_twin

    model = MODELS[name](*args)
    with minidl.no_grad():                      # move the running statistics off 0 / 1
        model(*[minidl.tensor(rng.uniform(0, 1, s).astype(np.float32)) for s in shapes])
    model.eval()
    twin = torch_twin(model, torch, *args)
    assert isinstance(twin, torch.nn.Module) and not twin.training
    assert set(twin.state_dict()) == set(model.state_dict())
    inputs = [rng.uniform(0, 1, s).astype(np.float32) for s in shapes]
    with minidl.no_grad():
        ours = model(*[minidl.tensor(a) for a in inputs])
    with torch.no_grad():
        theirs = twin(*[torch.from_numpy(a) for a in inputs])
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    for a, b in zip(ours, theirs):
        if a is not None:
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)


def test_twins_do_not_touch_minidl():
    """The twin package is separate: minidl's own modules still hold minidl's classes."""
    pytest.importorskip("torch")
    import minidl.models.colorize_cifar as ours
    from minidl.bench.torch_twin import twin_class

    torch = sys.modules["torch"]
    twin = twin_class(ours.GANGenerator, torch)
    assert issubclass(twin, torch.nn.Module) and twin is not ours.GANGenerator
    assert ours.nn is minidl.nn


def test_batches_hold_what_they_say(rng):
    labels = Batch((50,), "classes:7").sample(rng)
    assert labels.dtype == np.int64 and labels.min() >= 0 and labels.max() < 7
    hot = Batch((400, 30), "multi-hot:3").sample(rng)
    assert set(np.unique(hot)) == {0.0, 1.0} and 2 < hot.sum(axis=1).mean() < 4
    signed = Batch((1000,), "signed").sample(rng)
    assert signed.min() < -0.9 and signed.max() > 0.9
    names = " ".join(case.name for case in CASES)
    for study in ("colorized-mnist", "multidigit-mnist", "colorize-cifar", "iizuka",
                  "lab-colorize"):
        assert study in names
    assert any(case.step == "gan" for case in CASES)


def test_memory_measurements_see_a_step_that_allocates():
    def step():
        block = np.ones(16 * 2 ** 20 // 8)           # 16 MiB, touched
        return float(block.sum())

    assert 12 < traced_peak_mib(step) < 20
    peak = peak_step_memory_mib(step)
    if peak is not None:                            # Linux with /proc/self/clear_refs
        assert 12 < peak < 40


def test_summary_names_the_worst_cases():
    rows = [{"name": "a", "ratio": 0.5, "memory_ratio": 2.0},
            {"name": "b", "ratio": 2.0, "memory_ratio": 1.0}]
    summary = summarize(rows)
    assert summary["geomean_ratio"] == pytest.approx(1.0)
    assert summary["worst"]["name"] == "b" and summary["worst_memory"]["name"] == "a"


def as_if_started_afresh(monkeypatch):
    for key, value in thread_environment(2).items():
        monkeypatch.setenv(key, value)


def test_bench_train_runs_a_case_and_writes_json(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    as_if_started_afresh(monkeypatch)
    report_path = tmp_path / "train.json"
    result = CliRunner().invoke(cli, ["bench", "train", "--cases", "regression",
                                      "--repeat", "1", "--json", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "colorize-cifar regression b32" in result.output
    assert "geometric mean of step time ratios" in result.output
    report = json.loads(report_path.read_text())
    row = report["cases"][0]
    assert row["ratio"] > 0 and row["torch_ms"] > 0 and row["minidl_traced_peak_mib"] > 0
    assert row["max_output_difference"] < 1e-4
    assert report["machine"]["blas_kernel"]


def test_unknown_training_case_lists_the_cases(monkeypatch):
    pytest.importorskip("torch")
    as_if_started_afresh(monkeypatch)
    result = CliRunner().invoke(cli, ["bench", "train", "--cases", "no such case"])
    assert result.exit_code != 0 and "the cases are: colorized-mnist cnn" in result.output
