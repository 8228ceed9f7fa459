"""``minidl train / eval / colorize / studies`` through click's CliRunner, on tiny data.

Every study trains one short epoch on a few images it reads from files written here in
the real formats (MNIST is the copy shipped in the package) and leaves a complete run
directory; an interrupted and resumed run ends exactly like an uninterrupted one; bad
input gives one line ``Error: ...`` and a non-zero exit code.
"""
import json

import numpy as np
import pytest
from click.testing import CliRunner
from data_files import cifar_batch, write_image
from PIL import Image

import minidl
from minidl.cli.main import cli
from minidl.datasets import mnist
from minidl.training import trainer as trainer_module

RUN_FILES = {"config.json", "metrics.jsonl", "checkpoint.h5", "summary.txt", "curves.png",
             "test_metrics.json"}


def smooth_image(rng, height, width):
    """A colourful uint8 RGB image: random colour gradients, not noise."""
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    channels = [np.sin(6 * (a * x + b * y) + c) for a, b, c in rng.uniform(-1, 1, (3, 3))]
    return (127.5 * (1 + np.stack(channels, axis=-1))).astype(np.uint8)


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    """Tiny copies of the datasets in their real layouts (MNIST: the package's copy; an
    explicit --data-dir is the only place searched)."""
    root = tmp_path_factory.mktemp("data")
    (root / "mnist").symlink_to(mnist.PACKAGED, target_is_directory=True)
    rng = np.random.default_rng(0)
    batches = root / "cifar10" / "cifar-10-batches-py"
    batches.mkdir(parents=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (batches / name).write_bytes(cifar_batch(rng, [7, 7, 3, 7, 7, 1, 7])[0])
    for fruit in ("Apple", "Banana", "Cherry"):
        for i in range(5):
            write_image(root / "ncd" / "ColorfulOriginal" / fruit / f"{fruit}{i}.jpg",
                        smooth_image(rng, 20, 18))
    breed = root / "stanford_dogs" / "Images" / "n02099601-golden_retriever"
    for i in range(6):
        write_image(breed / f"n02099601_{i}.jpg", smooth_image(rng, 24, 30))
    for name, (height, width) in {"flower": (30, 40), "astronaut": (32, 32),
                                  "chelsea": (30, 45), "coffee": (20, 30),
                                  "rocket": (28, 40)}.items():
        write_image(root / "sample_photos" / f"{name}.png", smooth_image(rng, height, width))
    return root


@pytest.fixture(scope="module")
def empty_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _no_other_data(monkeypatch, empty_cache):
    """Datasets come from --data-dir (or the package) only."""
    monkeypatch.delenv("MINIDL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(empty_cache))


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def train(out, *args):
    """Run ``minidl train ... --out out``; returns (result, the run directory)."""
    result = invoke("train", *args, "--out", out)
    assert result.exit_code == 0, result.output
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    return result, run_dir


def records(run_dir):
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


TINY = ("--epochs", 1, "--batch-size", 4, "--limit", 12)
PHOTOS = ("--epochs", 1, "--batch-size", 1)
STUDY_RUNS = {
    "colorized-mnist-digits": (["colorized-mnist"], "confusion_matrix.png"),
    "colorized-mnist-grayscale": (["colorized-mnist", "-e", "grayscale"],
                                  "confusion_matrix.png"),
    "multidigit-mnist": (["multidigit-mnist"], "examples.png"),
    "colorize-cifar-regression": (["colorize-cifar", "-m", "regression"], "colorized.png"),
    "colorize-cifar-unet": (["colorize-cifar", "-m", "unet-classify", "--set",
                             "num_colors=6", "--set", "width=4"], "colorized.png"),
    "colorize-cifar-gan": (["colorize-cifar", "-m", "gan", "--set", "width=4"],
                           "colorized.png"),
    "iizuka-joint": (["iizuka", "--set", "size=16", "--set", "width=4"],
                     "confusion_matrix.png"),
    "iizuka-classify": (["iizuka", "-e", "classify", "-m", "residual", "--set", "size=16",
                         "--set", "width=4"], "confusion_matrix.png"),
    "lab-two-sizes": (["lab-colorize", "-e", "two-sizes", "--set", "size=16"],
                      "colorized.png"),
    "lab-golden-retriever": (["lab-colorize", "-e", "golden-retriever", "-m", "skip",
                              "--set", "size=16"], "colorized.png"),
    "lab-mirflickr": (["lab-colorize", "-e", "mirflickr", "-m", "attention", "--set",
                       "size=16"], "colorized.png"),
}


@pytest.mark.parametrize("name", STUDY_RUNS)
def test_each_study_trains_and_writes_its_run_directory(tmp_path, data_root, name):
    args, plot = STUDY_RUNS[name]
    tiny = PHOTOS if name == "lab-two-sizes" else TINY
    result, run_dir = train(tmp_path, *args, *tiny, "--data-dir", data_root)
    files = {p.name for p in run_dir.iterdir()}
    assert RUN_FILES | {plot, f"test_{plot}"} <= files
    config = json.loads((run_dir / "config.json").read_text())
    assert run_dir.name.startswith(f"{config['study']}-{config['experiment']}")
    (record,) = records(run_dir)
    assert record["epoch"] == 1 and np.isfinite(record["train_loss"])
    assert np.isfinite(record["val_loss"])
    checkpoint = minidl.load(run_dir / "checkpoint.h5")
    assert checkpoint["epoch"] == 1 and checkpoint["finished"]
    assert set(checkpoint["models"]) == set(checkpoint["optimizers"])
    assert "Total params" in (run_dir / "summary.txt").read_text()
    assert "run directory:" in result.output and str(run_dir) in result.output


def test_mirflickr_experiment_says_the_sample_photos_stand_in(tmp_path, data_root):
    result, run_dir = train(tmp_path, "lab-colorize", "-e", "mirflickr", "-m", "basic",
                            "--set", "size=16", *TINY, "--data-dir", data_root)
    assert "MIRFlickr-25000 was not found" in result.output
    assert json.loads((run_dir / "config.json").read_text())["dataset"] == "sample-photos"


def test_default_job_is_colorized_mnist_digits(tmp_path):
    result, run_dir = train(tmp_path, "--limit", 20, "--epochs", 1, "--batch-size", 10)
    assert run_dir.name.startswith("colorized-mnist-digits-")
    config = json.loads((run_dir / "config.json").read_text())
    assert (config["study"], config["experiment"], config["epochs"]) == \
        ("colorized-mnist", "digits", 1)
    assert "test (20 images): loss" in result.output
    assert "plots: confusion_matrix.png, curves.png" in result.output


def test_settings_reach_the_config(tmp_path):
    _, run_dir = train(tmp_path, "colorized-mnist", "-e", "color-label", "--limit", 12,
                       "--epochs", 1, "--lr", 0.01, "--optimizer", "sgd", "--set",
                       "momentum=0.5", "--set", "scheduler=step", "--seed", 3)
    config = json.loads((run_dir / "config.json").read_text())
    assert (config["lr"], config["optimizer"], config["momentum"], config["scheduler"],
            config["seed"], config["limit"]) == (0.01, "sgd", 0.5, "step", 3, 12)
    assert config["class_names"][0] == "red"  # colour names for color-label


def interrupt_at(monkeypatch, epoch_to_interrupt):
    """Make the trainer raise KeyboardInterrupt (Ctrl-C) when that epoch starts."""
    run_epoch = trainer_module.Trainer.run_epoch

    def interrupted(self, epoch):
        if epoch == epoch_to_interrupt:
            raise KeyboardInterrupt
        return run_epoch(self, epoch)
    monkeypatch.setattr(trainer_module.Trainer, "run_epoch", interrupted)


RESUMABLE = {
    # dropout, a plateau schedule, early stopping state
    "colorized-mnist": ["colorized-mnist", "--limit", 40, "--batch-size", 8, "--set",
                        "scheduler=plateau", "--set", "lr_patience=0", "--set",
                        "patience=5"],
    # two models, two optimizers, batch norm statistics, random flips
    "gan": ["colorize-cifar", "-m", "gan", "--set", "width=4", "--limit", 12,
            "--batch-size", 4],
}


@pytest.mark.parametrize("name", RESUMABLE)
def test_interrupted_and_resumed_run_equals_uninterrupted_run(tmp_path, data_root,
                                                              monkeypatch, name):
    args = [*RESUMABLE[name], "--epochs", 3, "--data-dir", data_root]
    _, whole = train(tmp_path / "whole", *args)

    with monkeypatch.context() as patch:
        interrupt_at(patch, 3)
        result = invoke("train", *args, "--out", tmp_path / "parts")
    assert result.exit_code == 130
    (parts,) = list((tmp_path / "parts").iterdir())
    assert "minidl train --resume" in result.output
    assert minidl.load(parts / "checkpoint.h5")["epoch"] == 2
    result = invoke("train", "--resume", parts)
    assert result.exit_code == 0, result.output
    assert "resuming" in result.output

    def numbers(run_dir):
        return [{k: v for k, v in r.items() if k not in ("seconds", "images_per_second")}
                for r in records(run_dir)]
    assert numbers(parts) == numbers(whole)
    assert len(numbers(whole)) == 3
    a, b = minidl.load(whole / "checkpoint.h5"), minidl.load(parts / "checkpoint.h5")
    for model in a["models"]:
        for key, value in a["models"][model].items():
            assert np.array_equal(value.numpy(), b["models"][model][key].numpy()), key
    assert json.loads((parts / "test_metrics.json").read_text())["metrics"] == \
        json.loads((whole / "test_metrics.json").read_text())["metrics"]


def test_resume_can_extend_a_finished_run_and_refuses_to_repeat_it(tmp_path):
    _, run_dir = train(tmp_path, "--limit", 12, "--epochs", 1)
    result = invoke("train", "--resume", run_dir)
    assert result.exit_code == 1
    assert result.output.startswith("Error: run ") and "--epochs" in result.output
    result = invoke("train", "--resume", run_dir, "--epochs", 2)
    assert result.exit_code == 0, result.output
    assert [r["epoch"] for r in records(run_dir)] == [1, 2]
    assert json.loads((run_dir / "config.json").read_text())["epochs"] == 2


@pytest.fixture(scope="module")
def lab_run(tmp_path_factory, data_root):
    out = tmp_path_factory.mktemp("lab")
    result = invoke("train", "lab-colorize", "-e", "two-sizes", "--set", "size=16",
                    "--epochs", 1, "--data-dir", data_root, "--out", out)
    assert result.exit_code == 0, result.output
    return next(out.iterdir())


def test_eval_writes_test_metrics_of_a_classification_run(tmp_path):
    _, run_dir = train(tmp_path, "--limit", 30, "--epochs", 1)
    (run_dir / "test_metrics.json").unlink()
    result = invoke("eval", run_dir, "--limit", 10)
    assert result.exit_code == 0, result.output
    report = json.loads((run_dir / "test_metrics.json").read_text())
    assert report["images"] == 10 and 0.0 <= report["metrics"]["accuracy"] <= 1.0
    matrix = np.array(report["details"]["confusion_matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == 10
    assert "per-class accuracy:" in result.output and "test_confusion_matrix.png" in \
        result.output


def test_eval_of_a_colourization_run_reports_colour_metrics(lab_run, data_root):
    result = invoke("eval", lab_run, "--split", "val")
    assert result.exit_code == 0, result.output
    metrics = json.loads((lab_run / "val_metrics.json").read_text())["metrics"]
    assert {"loss", "psnr", "ab_error", "rgb_error", "colorfulness"} <= set(metrics)
    assert (lab_run / "val_colorized.png").exists()


def test_colorize_returns_images_of_their_own_size(lab_run, tmp_path):
    rng = np.random.default_rng(1)
    sizes = {"wide": (23, 57), "tall": (41, 19)}
    for name, (height, width) in sizes.items():
        write_image(tmp_path / f"{name}.jpg", smooth_image(rng, height, width))
    result = invoke("colorize", lab_run, tmp_path / "wide.jpg", tmp_path / "tall.jpg",
                    "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    for name, (height, width) in sizes.items():
        with Image.open(tmp_path / "out" / f"{name}_colorized.png") as image:
            assert image.size == (width, height) and image.mode == "RGB"


def test_colorize_never_overwrites_silently(lab_run, tmp_path):
    rng = np.random.default_rng(2)
    for folder in ("a", "b"):
        write_image(tmp_path / folder / "x.png", smooth_image(rng, 12, 16))
    out = tmp_path / "out"
    one_line_error(invoke("colorize", lab_run, tmp_path / "a" / "x.png",
                          tmp_path / "b" / "x.png", "--out", out),
                   f"{tmp_path / 'a' / 'x.png'} and {tmp_path / 'b' / 'x.png'} would both "
                   f"be written to {out / 'x_colorized.png'}")
    assert not out.exists()  # refused before any work
    same = [tmp_path / "a" / "x.png", tmp_path / "a" / ".." / "a" / "x.png"]
    first = invoke("colorize", lab_run, *same, "--out", out)
    assert first.exit_code == 0 and len(first.output.splitlines()) == 1  # one image, once
    again = invoke("colorize", lab_run, tmp_path / "a" / "x.png", "--out", out)
    assert again.output.strip().endswith(f"-> {out / 'x_colorized.png'} (replaced the file "
                                         "there)")


def test_studies_lists_every_study_with_its_headlines():
    """The listing shows every study of the registry with each experiment and model and
    its headline; one study's page adds every setting ``--set`` accepts, with its default."""
    from minidl.studies import STUDIES
    result = invoke("studies")
    assert result.exit_code == 0
    for study in STUDIES.values():
        assert f"{study.name}  —  {study.title}" in result.output
        for variant in (*study.experiments, *study.models):
            assert f"    {variant.name}" in result.output
            assert f"seed: {variant.headline}" in result.output or not variant.headline
    result = invoke("studies", "iizuka")
    assert result.exit_code == 0 and "classification_weight = 0.005" in result.output
    for setting in STUDIES["iizuka"].all_settings().values():
        assert f"    {setting.name} = {setting.default!r}: {setting.help}" in result.output


def one_line_error(result, *fragments):
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize("args, fragments", [
    (["nonsense"], ["unknown study 'nonsense'", "colorized-mnist"]),
    (["colorized-mnist", "-e", "rainbow"], ["unknown experiment 'rainbow'", "inverted"]),
    (["colorize-cifar", "-m", "vae"], ["unknown model 'vae'", "unet-classify"]),
    (["--set", "learning_rate=0.1"], ["unknown setting 'learning_rate'", "lr"]),
    (["--set", "epochs=many"], ["epochs='many': expected an integer"]),
    (["--set", "optimizer=rmsprop"], ["optimizer='rmsprop'", "adadelta"]),
    (["--set", "val_fraction=0.9"], ["val_fraction=0.9", "in [0.0, 0.5]"]),
    (["--set", "epochs"], ["expected KEY=VALUE"]),
    (["iizuka", "-e", "classify", "--data-dir", "{empty}"], ["dataset 'ncd' not found",
                                                             "--data-dir"]),
    (["lab-colorize", "-e", "golden-husky", "--data-dir", "{data}"],
     ["siberian_husky", "not in"]),
    (["lab-colorize", "-e", "overfit-one", "--batch-size", "2"], ["batch_size must be 1"]),
])
def test_bad_training_input_gives_one_line_error(tmp_path, data_root, args, fragments):
    (tmp_path / "empty").mkdir()
    args = [str(a).format(empty=tmp_path / "empty", data=data_root) for a in args]
    one_line_error(invoke("train", *args, "--out", tmp_path / "runs"), *fragments)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_unwritable_output_gives_one_line_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    one_line_error(invoke("train", "--out", blocker / "runs"), "cannot create run directory")


def test_commands_refuse_folders_that_are_not_runs(tmp_path, lab_run):
    one_line_error(invoke("train", "--resume", tmp_path), "is not a run directory")
    one_line_error(invoke("eval", tmp_path / "missing"), "is not a run directory")
    one_line_error(invoke("colorize", tmp_path, "x.png"), "is not a run directory")
    one_line_error(invoke("train", "--resume", lab_run, "--lr", 0.1), "--resume")
    one_line_error(invoke("colorize", lab_run, tmp_path / "missing.png", "--out",
                          tmp_path / "o"), "missing.png")


def test_colorize_refuses_a_classification_run_and_runs_refuse_foreign_checkpoints(
        tmp_path):
    _, run_dir = train(tmp_path, "--limit", 12, "--epochs", 1)
    one_line_error(invoke("colorize", run_dir, "x.png", "--out", tmp_path / "o"),
                   "does not colourize")
    minidl.save({"epoch": 1, "model": {}}, run_dir / "checkpoint.h5")
    one_line_error(invoke("eval", run_dir), "is not a checkpoint of a minidl run")
    one_line_error(invoke("train", "--resume", run_dir, "--epochs", 3),
                   "is not a checkpoint of a minidl run")


def cuda_works() -> bool:
    from minidl.backend import module_for_device
    try:
        module_for_device("cuda")
    except RuntimeError:
        return False
    return True


@pytest.mark.skipif(cuda_works(), reason="a GPU and CuPy are here: cuda is a valid device")
def test_cuda_without_a_usable_gpu_gives_one_line_error(tmp_path):
    one_line_error(invoke("train", "--device", "cuda", "--out", tmp_path), "cuda",
                   "--device cpu")
    assert not any(tmp_path.iterdir())
