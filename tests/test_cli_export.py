"""``minidl export RUN_DIR``: a trained run's models as ONNX graphs that onnxruntime runs
with minidl's results, or as safetensors weights; one-line errors."""
import re

import numpy as np
import pytest
from click.testing import CliRunner
from data_files import cifar_batch

import minidl
from minidl.cli.main import cli
from minidl.models import GANGenerator
from minidl.studies.runner import load_trained

ort = pytest.importorskip("onnxruntime")


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def gan_run(tmp_path_factory):
    """A colorize-cifar GAN run of one tiny epoch: two models, generator and
    discriminator."""
    root = tmp_path_factory.mktemp("data")
    batches = root / "cifar10" / "cifar-10-batches-py"
    batches.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (batches / name).write_bytes(cifar_batch(rng, [7, 7, 3, 7, 7, 1, 7])[0])
    out = tmp_path_factory.mktemp("runs")
    result = invoke("train", "colorize-cifar", "-m", "gan", "--set", "width=2", "--epochs", 1,
                    "--batch-size", 4, "--limit", 8, "--data-dir", root, "--out", out)
    assert result.exit_code == 0, result.output
    return next(out.iterdir())


def test_export_writes_every_model_of_a_run_as_onnx(gan_run):
    result = invoke("export", gan_run)
    assert result.exit_code == 0, result.output
    assert f"wrote {gan_run / 'generator.onnx'}: x (batch, 1, 32, 32) -> output (batch, 3, " \
           "32, 32)" in result.output
    assert "discriminator.onnx: gray (batch, 1, 32, 32), color (batch, 3, 32, 32) -> " \
           "output (batch, 1)" in result.output
    task = load_trained(gan_run, need_data=False).task
    rng = np.random.default_rng(1)
    gray, color = (rng.uniform(-1, 1, (3, c, 32, 32)).astype(np.float32) for c in (1, 3))
    with minidl.no_grad():
        expected = task.models["generator"](minidl.tensor(gray)).numpy()
        judged = task.models["discriminator"](minidl.tensor(gray), minidl.tensor(color)).numpy()
    generator = ort.InferenceSession(str(gan_run / "generator.onnx"))
    np.testing.assert_allclose(generator.run(None, {"x": gray})[0], expected, atol=1e-5)
    discriminator = ort.InferenceSession(str(gan_run / "discriminator.onnx"))
    np.testing.assert_allclose(discriminator.run(None, {"gray": gray, "color": color})[0],
                               judged, atol=1e-5)


def test_export_of_one_model_as_safetensors_or_with_any_size(gan_run, tmp_path):
    target = tmp_path / "weights.safetensors"
    result = invoke("export", gan_run, "--format", "safetensors", "--model", "generator",
                    "--out", target)
    assert result.exit_code == 0, result.output
    task = load_trained(gan_run, need_data=False).task
    generator = GANGenerator(width=2)
    generator.load_state_dict(minidl.load(target))
    for key, value in task.models["generator"].state_dict().items():
        np.testing.assert_array_equal(generator.state_dict()[key].numpy(), value.numpy())

    result = invoke("export", gan_run, "--model", "generator", "--dynamic-size", "--out",
                    tmp_path / "g.onnx")
    assert result.exit_code == 0, result.output
    assert "x (batch, 1, height, width)" in result.output
    session = ort.InferenceSession(str(tmp_path / "g.onnx"))
    assert session.run(None, {"x": np.zeros((2, 1, 64, 96), np.float32)})[0].shape == \
        (2, 3, 64, 96)


@pytest.mark.parametrize("arguments,message", [
    (["--out", "x.onnx"], "has the models generator, discriminator; choose one with --model"),
    (["--model", "critic"], "has no model 'critic'; its models: generator, discriminator"),
    (["--model", "discriminator", "--dynamic-size"],
     "dynamic axis 'height': the model fails on inputs of other sizes .* GANDiscriminator"),
])
def test_export_errors_are_one_line(gan_run, arguments, message):
    result = invoke("export", gan_run, *arguments)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert re.search(message, result.output), result.output


def test_export_refuses_a_folder_that_is_not_a_run(tmp_path):
    result = invoke("export", tmp_path)
    assert result.exit_code == 1 and result.output.startswith("Error: ")
