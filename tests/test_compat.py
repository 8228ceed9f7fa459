"""The compatibility suite: PyTorch programs (tests/compat/) run unchanged on minidl.

Each program runs twice from the same arrays and the same starting weights: once on
PyTorch (where it is installed) and once on minidl through the import hook of
``minidl run``; the numbers it records (losses step by step, gradients, accuracies)
must agree to float64 rounding.  Without PyTorch, the minidl runs still have to finish.
Each program also runs on minidl alone the way a user would start it, on the datasets and
transforms of ``minidl.vision`` and writing its image grids.
"""
import json
import math
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import minidl
from minidl.compat import run_script

PROGRAMS = Path(__file__).resolve().parent / "compat"


def forget_program_modules():
    """The programs' shared helper must be imported afresh by each engine."""
    sys.modules.pop("parity", None)


def run_on_minidl(program: str, argv: list) -> None:
    dtype = minidl.get_default_dtype()
    forget_program_modules()
    try:
        run_script(PROGRAMS / f"{program}.py", argv)
    finally:
        minidl.set_default_dtype(dtype)
        forget_program_modules()


def run_on_pytorch(torch, program: str, argv: list) -> None:
    path = PROGRAMS / f"{program}.py"
    saved_argv, saved_path, dtype = sys.argv[:], sys.path[:], torch.get_default_dtype()
    sys.argv = [str(path), *argv]
    sys.path.insert(0, str(PROGRAMS))
    forget_program_modules()
    try:
        runpy.run_path(str(path), run_name="__main__")
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
        torch.set_default_dtype(dtype)
        forget_program_modules()


# -- the arrays each program trains on ----------------------------------------------------------
def classifier_data(rng):
    return dict(train_images=rng.standard_normal((24, 1, 12, 12)),
                train_labels=rng.integers(0, 10, 24), test_images=rng.standard_normal(
                    (16, 1, 12, 12)), test_labels=rng.integers(0, 10, 16))


def dcgan_data(rng):
    return dict(images=np.tanh(rng.standard_normal((8, 1, 16, 16))),
                noise=rng.standard_normal((2, 4, 8, 1, 1)))


def vae_data(rng):
    return dict(train_images=rng.uniform(0, 1, (16, 1, 8, 8)),
                test_images=rng.uniform(0, 1, (8, 1, 8, 8)),
                noise=rng.standard_normal((12, 4, 3)))


def regression_data(rng):
    return dict(x=rng.uniform(-1, 1, (12, 8)), w_target=rng.standard_normal((3, 1)),
                b_target=rng.standard_normal(1), w=rng.standard_normal((3, 1)),
                b=np.zeros(1))


def autograd_data(rng):
    return dict(x=rng.standard_normal(3), a=rng.standard_normal((2, 2)),
                w=rng.standard_normal((5, 3)), bias=rng.standard_normal(3))


def cifar_data(rng):
    return dict(train_images=rng.standard_normal((12, 3, 32, 32)),
                train_labels=rng.integers(0, 10, 12),
                test_images=rng.standard_normal((8, 3, 32, 32)),
                test_labels=rng.integers(0, 10, 8))


def translation_data(rng):
    sources = np.tanh(rng.standard_normal((8, 1, 16, 16)))
    return dict(sources=sources, targets=np.concatenate([sources * 0.9, np.tanh(
        rng.standard_normal((8, 2, 16, 16)))], axis=1))


def names_data(rng):
    lengths = rng.integers(1, 8, 10)
    names = np.full((10, 7), -1)
    for i, length in enumerate(lengths):
        names[i, :length] = rng.integers(0, 57, length)  # letter codes
    return dict(names=names, labels=rng.integers(0, 4, 10))


CASES = {
    "mnist_classifier": (classifier_data, ["--batch-size", "8", "--test-batch-size", "8",
                                           "--epochs", "2", "--dropout", "0", "0"]),
    "dcgan": (dcgan_data, ["--batch-size", "4", "--image-size", "16", "--nz", "8", "--ngf",
                           "4", "--ndf", "4", "--niter", "1"]),
    "vae": (vae_data, ["--batch-size", "4", "--epochs", "2", "--hidden", "16", "--latent",
                       "3"]),
    "regression": (regression_data, ["--lr", "0.05"]),
    "autograd_tour": (autograd_data, []),
    "cifar_tutorial": (cifar_data, ["--epochs", "1", "--print-every", "2", "--workers",
                                    "0"]),
    "image_translation": (translation_data, ["--batch-size", "4", "--size", "16", "--width",
                                             "4", "--blocks", "1", "--epochs", "2"]),
    "name_classifier": (names_data, ["--epochs", "3", "--batch-size", "4", "--hidden", "6",
                                     "--layers", "2", "--bidirectional", "--print-every",
                                     "1"]),
}
# the smallest number of values each program records (a run that stops early fails)
RECORDED = {"mnist_classifier": 12, "dcgan": 10, "vae": 10, "regression": 30,
            "autograd_tour": 40, "cifar_tutorial": 15, "image_translation": 13,
            "name_classifier": 60}


def prepared(program, tmp_path, rng):
    make_data, options = CASES[program]
    data = tmp_path / "data.npz"
    np.savez(data, **make_data(rng))
    return [*options, "--data", str(data), "--init", str(tmp_path / "init.npz"),
            "--double", "--no-shuffle"]


@pytest.mark.parametrize("program", sorted(CASES))
def test_program_matches_pytorch_step_by_step(program, tmp_path, rng):
    argv = prepared(program, tmp_path, rng)
    run_on_minidl(program, [*argv, "--record", str(tmp_path / "minidl.json")])
    ours = json.loads((tmp_path / "minidl.json").read_text())
    assert len(ours) >= RECORDED[program] and all(math.isfinite(v) for v in ours)
    torch = pytest.importorskip("torch")
    run_on_pytorch(torch, program, [*argv, "--record", str(tmp_path / "torch.json")])
    theirs = json.loads((tmp_path / "torch.json").read_text())
    assert len(ours) == len(theirs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-11)


# -- the programs as a user starts them, on minidl's datasets ----------------------------------
SMOKE = {
    "mnist_classifier": ["--batch-size", "32", "--test-batch-size", "500", "--epochs", "1",
                         "--max-batches", "2"],
    "dcgan": ["--batch-size", "8", "--image-size", "16", "--nz", "8", "--ngf", "4", "--ndf",
              "4", "--niter", "1", "--max-batches", "2"],
    "vae": ["--batch-size", "32", "--epochs", "1", "--max-batches", "2", "--hidden", "32",
            "--latent", "4"],
    "regression": ["--steps", "40"],
    "autograd_tour": [],
    "cifar_tutorial": ["--dataset", "fake", "--epochs", "1", "--print-every", "5"],
    "image_translation": ["--size", "16", "--epochs", "1", "--max-batches", "2"],
    "name_classifier": ["--epochs", "2", "--hidden", "8"],
}


@pytest.mark.parametrize("program", sorted(SMOKE))
def test_program_runs_on_minidl_with_its_datasets(program, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = [*SMOKE[program], "--record", str(tmp_path / "run.json")]
    if program in ("dcgan", "vae"):
        argv += ["--outf", str(tmp_path / "out")]
    run_on_minidl(program, argv)
    values = json.loads((tmp_path / "run.json").read_text())
    assert values and all(math.isfinite(v) for v in values)
    printed = capsys.readouterr().out
    assert printed.strip()
    if program == "dcgan":
        grid = Image.open(tmp_path / "out" / "fake_samples_epoch_000.png")
        assert grid.size == (2 + 8 * 18, 2 + 18)  # 8 images of 16 pixels, padding 2
        assert minidl.load(tmp_path / "out" / "netG_epoch_0.pth", weights_only=True)
    if program == "vae":
        assert Image.open(tmp_path / "out" / "reconstruction_1.png").size == (2 + 8 * 30,
                                                                              2 + 2 * 30)
    if program == "cifar_tutorial":
        assert "Accuracy of the network on the test images" in printed


# -- the coverage report ---------------------------------------------------------------------
def test_coverage_report_counts_the_names_programs_use(tmp_path, capsys):
    coverage = runpy.run_path(str(PROGRAMS.parents[1] / "tools" / "torch_coverage.py"))
    program = tmp_path / "uses.py"
    program.write_text("import torch\nimport torch.nn as nn\nfrom torchvision import ops\n"
                       "x = torch.fft.rfft(torch.ones(4))\nlayer = nn.Linear(2, 3)\n")
    names = tmp_path / "names.txt"
    names.write_text("# a comment\nTensor.view\nModule.named_parameters\ntorch.jit.script\n")
    assert coverage["main"]([str(program), str(names)]) == 0
    printed = capsys.readouterr().out
    # torch, torch.nn, torch.ones, torch.nn.Linear, Tensor.view, Module.named_parameters
    assert printed.startswith("minidl covers 6 of 9 torch names (66.7%)")
    assert "torch.fft.rfft" in printed and "minidl does not implement torch.fft (yet)" in printed
    assert "torchvision.ops" in printed and "torch.jit.script" in printed
    assert "out of scope" in printed and "nn.Linear" not in printed
    coverage["main"]([str(PROGRAMS)])
    assert capsys.readouterr().out.startswith("minidl covers")
