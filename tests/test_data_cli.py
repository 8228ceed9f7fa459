"""`minidl data list` and `minidl data show` on small datasets written here."""
import numpy as np
import pytest
from click.testing import CliRunner
from data_files import write_image, write_mnist
from PIL import Image

from minidl.cli.main import cli


@pytest.fixture
def data_root(tmp_path, monkeypatch, rng):
    """A data root with a fake MNIST, NCD-style class folders and flat sample photos."""
    monkeypatch.delenv("MINIDL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "data"
    write_mnist(root / "mnist", rng)
    for name in ("Apple", "Lemon"):
        for k in range(3):
            write_image(root / "ncd" / "ColorfulOriginal" / name / f"{name}{k}.jpg",
                        rng.integers(0, 256, (40, 30, 3)))
    for k in range(2):
        write_image(root / "sample_photos" / f"photo{k}.png", rng.integers(0, 256, (20, 20, 3)))
    return root


def test_list_says_where_each_dataset_is_or_why_not(data_root):
    result = CliRunner().invoke(cli, ["data", "list", "--data-dir", str(data_root)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert f"found (--data-dir): {data_root / 'mnist'}" in text
    assert "size: 6 images in 2 classes" in text
    assert "size: 2 images" in text
    assert f"--data-dir: {data_root / 'cifar10'}: no such folder" in text
    assert any(line.startswith("stanford-dogs") for line in text.splitlines())


@pytest.mark.parametrize("dataset, count", [("colorized-mnist", 5), ("ncd", 4),
                                            ("sample-photos", 3)])
def test_show_writes_a_grid(data_root, tmp_path, dataset, count):
    out = tmp_path / "grids" / f"{dataset}.png"
    result = CliRunner().invoke(cli, ["data", "show", dataset, "--out", str(out), "--n",
                                      str(count), "--data-dir", str(data_root)])
    assert result.exit_code == 0, result.output
    shown = min(count, 2) if dataset == "sample-photos" else count
    assert f"wrote {out} ({shown} samples of {dataset})" in result.output
    with Image.open(out) as grid:
        assert grid.format == "PNG" and grid.width > 100 and grid.height > 100
        pixels = np.asarray(grid.convert("RGB"))
    assert pixels.std() > 0


def test_show_errors(data_root, tmp_path):
    runner = CliRunner()
    unknown = runner.invoke(cli, ["data", "show", "imagenet"])
    assert unknown.exit_code == 2 and "'imagenet' is not one of 'mnist'" in unknown.output
    missing = runner.invoke(cli, ["data", "show", "stanford-dogs", "--data-dir", str(data_root),
                                  "--out", str(tmp_path / "dogs.png")])
    assert missing.exit_code == 1
    assert "dataset 'stanford-dogs' not found" in missing.output
    assert "stanford_dogs/Images/" in missing.output
