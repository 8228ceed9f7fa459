"""minidl.datasets: every format from small files written here, the generators' promises,
where datasets are found, and (with MINIDL_DATA) the real data of each study."""
import gzip
import hashlib
import os
import pickle
import urllib.error
from pathlib import Path

import numpy as np
import pytest
from data_files import cifar_batch, idx_bytes, write_idx, write_image, write_mnist

from minidl.color import rgb_to_grayscale
from minidl.data import DataLoader
from minidl.datasets import (
    cifar10,
    colorization,
    colorized_mnist,
    download,
    idx,
    mnist,
    multidigit_mnist,
)
from minidl.datasets.image_folder import FlatImageFolder, ImageDecodeError, ImageFolder, load_image
from minidl.datasets.locate import DatasetNotFoundError

REAL_DATA = os.environ.get("MINIDL_DATA")
needs_real_data = pytest.mark.skipif(not REAL_DATA, reason="MINIDL_DATA is not set")


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No MINIDL_DATA, an empty user cache and no network, unless a test sets them."""
    monkeypatch.delenv("MINIDL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def offline(url):
        raise urllib.error.URLError("tests never use the network")
    monkeypatch.setattr(download, "fetch", offline)


@pytest.fixture
def mnist_root(tmp_path, rng):
    """A data root with a small fake MNIST in root/mnist; returns (root, arrays)."""
    arrays = write_mnist(tmp_path / "root" / "mnist", rng)
    return tmp_path / "root", arrays


# -- IDX ---------------------------------------------------------------------------------
@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("dtype", [np.uint8, np.dtype(">i4"), np.dtype(">f8")])
def test_idx_round_trip(tmp_path, rng, compress, dtype):
    array = (rng.random((3, 4, 5)) * 100).astype(dtype)
    write_idx(tmp_path / "a.idx", array, compress)
    back = idx.read_idx(tmp_path / "a.idx")
    assert back.shape == (3, 4, 5) and np.array_equal(back, array)
    assert back.dtype.isnative


def test_idx_errors_name_the_file(tmp_path):
    good = idx_bytes(np.zeros((4, 28, 28), np.uint8))
    cases = {
        "magic": (b"\x01\x02" + good[2:], "bad magic number 0102"),
        "truncated": (good[:-10], r"truncated: shape \(4, 28, 28\) needs 3136 bytes of data, "
                                  "found 3126"),
        "header": (good[:9], "truncated IDX header"),
        "trailing": (good + b"xx", "has trailing bytes"),
        "tiny": (b"\x00", "only 1 bytes"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / f"{name}-idx3-ubyte"
        path.write_bytes(data)
        with pytest.raises(idx.IdxFormatError, match=f"{name}-idx3-ubyte: .*{message}"):
            idx.read_idx(path)
    broken = tmp_path / "cut.gz"
    compressed = gzip.compress(good)
    broken.write_bytes(compressed[:len(compressed) // 2])
    with pytest.raises(idx.IdxFormatError, match="cut.gz: corrupt or truncated gzip data"):
        idx.read_idx(broken)
    with pytest.raises(FileNotFoundError, match="IDX file not found: .*absent"):
        idx.read_idx(tmp_path / "absent")


# -- MNIST: reading and finding ------------------------------------------------------------
def test_mnist_from_data_dir_gz_and_raw(mnist_root):
    root, arrays = mnist_root
    images, labels = mnist.load_mnist(train=True, data_dir=root)
    assert images.shape == (40, 28, 28) and images.dtype == np.uint8
    assert labels.dtype == np.int64 and np.array_equal(labels, arrays["train-labels-idx1-ubyte"])
    assert not images.flags.writeable
    dataset = mnist.MNIST(train=False, data_dir=root / "mnist")  # the folder itself works too
    image, label = dataset[0]
    assert len(dataset) == 12 and image.shape == (1, 28, 28) and image.dtype == np.float32
    assert image.max() == 1.0 and isinstance(label, int)


def test_mnist_label_count_mismatch(tmp_path, rng):
    folder = tmp_path / "mnist"
    write_mnist(folder, rng)
    write_idx(folder / "t10k-labels-idx1-ubyte", np.zeros(5, np.uint8), compress=False)
    with pytest.raises(idx.IdxFormatError, match="t10k-labels-idx1-ubyte: expected 12 labels"):
        mnist.load_mnist(train=False, data_dir=tmp_path)


def test_search_order(monkeypatch, tmp_path, rng):
    for place in ("arg/mnist", "env/mnist", "packaged", "cache/minidl/mnist"):
        write_mnist(tmp_path / place, rng, train_count=2, test_count=2)
    monkeypatch.setattr(mnist, "PACKAGED", tmp_path / "packaged")
    monkeypatch.setenv("MINIDL_DATA", str(tmp_path / "env"))
    assert mnist.locate(tmp_path / "arg").source == "--data-dir"
    assert mnist.locate().path == tmp_path / "env" / "mnist"
    monkeypatch.delenv("MINIDL_DATA")
    assert mnist.locate().source == "package"
    monkeypatch.setattr(mnist, "PACKAGED", tmp_path / "nowhere")
    assert mnist.locate().path == tmp_path / "cache" / "minidl" / "mnist"


def test_shipped_mnist_is_found_and_reads():
    location = mnist.locate(download=False)
    assert location.source == "package"
    images, labels = mnist.load_mnist(train=False)
    assert images.shape == (10000, 28, 28) and labels[:5].tolist() == [7, 2, 1, 0, 4]
    for name, digest in mnist.SHA256.items():
        assert download.sha256_of(location.path / name) == digest


def _serve(monkeypatch, files):
    """Make download.fetch serve ``files`` ({name: bytes}) from any mirror."""
    def fetch(url):
        name = url.rsplit("/", 1)[-1]
        if name not in files:
            raise urllib.error.URLError("offline")
        return files[name]
    monkeypatch.setattr(download, "fetch", fetch)


def test_download_when_missing_checks_sha256(monkeypatch, tmp_path, rng):
    source = tmp_path / "source"
    write_mnist(source, rng, compress=(True, True, True, True))
    files = {p.name: p.read_bytes() for p in source.iterdir()}
    monkeypatch.setattr(mnist, "PACKAGED", tmp_path / "not-shipped")
    sums = {name: hashlib.sha256(blob).hexdigest() for name, blob in files.items()}
    monkeypatch.setattr(mnist, "SHA256", sums)
    _serve(monkeypatch, files)
    location = mnist.locate()
    assert location.source == "download"
    assert location.path == tmp_path / "cache" / "minidl" / "mnist"
    assert mnist.load_mnist(train=False)[0].shape == (12, 28, 28)
    assert not list(location.path.glob("*.part"))


def test_download_rejects_wrong_checksum_and_offline_error(monkeypatch, tmp_path, rng):
    monkeypatch.setattr(mnist, "PACKAGED", tmp_path / "not-shipped")
    _serve(monkeypatch, {"train-images-idx3-ubyte.gz": b"not the real file"})
    with pytest.raises(DatasetNotFoundError) as caught:
        mnist.locate()
    message = str(caught.value)
    assert "train-images-idx3-ubyte.gz" in message and "SHA-256" in message
    assert "t10k-labels-idx1-ubyte.gz" in message and "offline" in message
    assert "Put the files in a folder named 'mnist'" in message
    assert not (tmp_path / "cache" / "minidl" / "mnist" / "train-images-idx3-ubyte.gz").exists()
    with pytest.raises(DatasetNotFoundError, match=r"missing train-images-idx3-ubyte.gz or "
                                                   r"train-images-idx3-ubyte"):
        mnist.locate(download=False)


# -- colorized MNIST -----------------------------------------------------------------------
def test_colorized_blends_digit_and_background(mnist_root):
    root, arrays = mnist_root
    data = colorized_mnist.ColorizedMNIST(train=True, data_dir=root, seed=1)
    digits = arrays["train-images-idx3-ubyte"]
    image, label = data[3]
    assert image.shape == (3, 28, 28) and image.dtype == np.float32 and 0 <= image.min()
    assert label == data.digit_labels[3]
    ink, paper = digits[3] == 255, digits[3] == 0
    np.testing.assert_allclose(image[:, ink].T,
                               np.broadcast_to(data.digit_colors[3], (ink.sum(), 3)))
    np.testing.assert_allclose(image[:, paper].T,
                               np.broadcast_to(data.background_colors[3], (paper.sum(), 3)))


def test_inversion_swaps_the_colours(mnist_root):
    root, arrays = mnist_root
    normal = colorized_mnist.ColorizedMNIST(train=False, data_dir=root, seed=2)
    inverted = colorized_mnist.ColorizedMNIST(train=False, data_dir=root, seed=2, invert=True)
    digits = arrays["t10k-images-idx3-ubyte"]
    for i in range(len(normal)):
        a, b = normal.render([i])[0], inverted.render([i])[0]
        ink, paper = digits[i] == 255, digits[i] == 0
        np.testing.assert_allclose(b[:, ink], a[:, paper][:, :1].repeat(ink.sum(), axis=1))
        np.testing.assert_allclose(b[:, paper], a[:, ink][:, :1].repeat(paper.sum(), axis=1))


def test_held_out_colours_absent_from_training(mnist_root):
    root, _ = mnist_root
    train = colorized_mnist.load_experiment("unseen-colors", train=True, data_dir=root)
    test = colorized_mnist.load_experiment("unseen-colors", train=False, data_dir=root)
    held = {colorized_mnist.COLOR_NAMES.index(c) for c in colorized_mnist.HELD_OUT_COLORS}
    assert not held & set(train.color_labels.tolist())
    assert set(test.color_labels.tolist()) <= held
    held_rgb = np.array([colorized_mnist.DIGIT_COLORS[c] for c in colorized_mnist.HELD_OUT_COLORS])
    distances = np.abs(train.digit_colors[:, None] - held_rgb[None]).sum(-1)
    assert distances.min() > 0


def test_generator_is_deterministic_and_keeps_contrast(mnist_root):
    root, _ = mnist_root
    a = colorized_mnist.ColorizedMNIST(data_dir=root, seed=4)
    b = colorized_mnist.ColorizedMNIST(data_dir=root, seed=4)
    c = colorized_mnist.ColorizedMNIST(data_dir=root, seed=5)
    assert np.array_equal(a.render(range(10)), b.render(range(10)))
    assert not np.array_equal(a.background_colors, c.background_colors)
    from minidl.color import rgb_to_lab
    gap = np.abs(rgb_to_lab(a.background_colors)[:, 0] - rgb_to_lab(a.digit_colors)[:, 0])
    assert gap.min() >= colorized_mnist.MIN_LIGHTNESS_GAP


def test_experiments_targets_and_grayscale(mnist_root):
    root, _ = mnist_root
    colour = colorized_mnist.load_experiment("color-label", train=True, data_dir=root)
    assert np.array_equal(colour.targets, colour.color_labels)
    gray = colorized_mnist.load_experiment("grayscale", train=False, data_dir=root)
    rgb = colorized_mnist.ColorizedMNIST(train=False, data_dir=root, invert=True)
    image, _ = gray[2]
    assert image.shape == (1, 28, 28)
    np.testing.assert_allclose(image, rgb_to_grayscale(rgb.render([2])[0], axis=0), atol=1e-6)
    with pytest.raises(ValueError, match="experiment must be one of"):
        colorized_mnist.load_experiment("sepia", train=True, data_dir=root)
    with pytest.raises(ValueError, match="colors must be a non-empty list"):
        colorized_mnist.ColorizedMNIST(colors=["teal"], data_dir=root)


def test_colorized_batches_are_the_samples_rendered_together(mnist_root):
    root, _ = mnist_root
    for data in (colorized_mnist.ColorizedMNIST(data_dir=root, invert_fraction=0.5, seed=3),
                 colorized_mnist.load_experiment("grayscale", train=False, data_dir=root)):
        indices = [7, 0, 3, 3]
        batch = data.__getitems__(indices)
        assert len(batch) == len(indices)
        for index, (image, label) in zip(indices, batch):
            alone, alone_label = data[index]
            assert np.array_equal(image, alone) and label == alone_label
            assert isinstance(label, int)


# -- multi-digit MNIST -------------------------------------------------------------------------
def test_multidigit_composition(mnist_root):
    root, arrays = mnist_root
    data = multidigit_mnist.MultiDigitMNIST(train=True, count=25, seed=3, data_dir=root)
    source_labels = arrays["train-labels-idx1-ubyte"]
    image, digits = data[7]
    assert image.shape == (1, 84, 84) and image.dtype == np.float32
    assert digits.dtype == np.int64 and np.array_equal(digits, source_labels[data.sources[7]])
    for i in range(len(data)):
        right = data.lefts[i] + data.sizes[i]
        assert (data.lefts[i] >= 0).all() and right.max() <= 84
        assert (right[:-1] <= data.lefts[i][1:]).all()  # left to right, no overlap
        canvas = data.compose(i)
        for left, size in zip(data.lefts[i], data.sizes[i]):
            assert canvas[:, left:left + size].max() > 0  # each digit's ink is in its slot
    hot = multidigit_mnist.MultiDigitMNIST(train=True, count=25, seed=3, data_dir=root,
                                           target="multi_hot")[7][1]
    assert hot.shape == (30,) and hot.dtype == np.float32
    assert hot.reshape(3, 10).sum(1).tolist() == [1, 1, 1]
    assert np.array_equal(hot.reshape(3, 10).argmax(1), digits)


def test_multidigit_write_and_read_folder(mnist_root, tmp_path):
    root, _ = mnist_root
    data = multidigit_mnist.MultiDigitMNIST(train=False, count=6, seed=0, data_dir=root)
    out = multidigit_mnist.save_to_folder(data, tmp_path / "md")
    first = "".join(map(str, data.labels[0]))
    assert (out / first / "000001.png").exists()
    folder = multidigit_mnist.MultiDigitFolder(out)
    assert len(folder) == 6
    for path, (image, digits) in zip(folder.paths, (folder[i] for i in range(6))):
        index = int(path.stem) - 1
        assert np.array_equal(digits, data.labels[index])
        np.testing.assert_array_equal(image, data[index][0])
    (out / "12x").mkdir()
    with pytest.raises(ValueError, match="folder .*12x is not named by 3 digits"):
        multidigit_mnist.MultiDigitFolder(out)


# -- CIFAR-10 ----------------------------------------------------------------------------------
@pytest.mark.parametrize("protocol, str_keys", [(2, False), (4, False), (4, True)])
def test_cifar_batch_round_trip(tmp_path, rng, protocol, str_keys):
    blob, data = cifar_batch(rng, [7, 1, 7], protocol, str_keys)
    (tmp_path / "data_batch_1").write_bytes(blob)
    images, labels = cifar10.read_batch(tmp_path / "data_batch_1")
    assert images.shape == (3, 32, 32, 3) and images.dtype == np.uint8
    assert labels.tolist() == [7, 1, 7] and labels.dtype == np.int64
    # row layout: 1024 red values, then green, then blue, each 32x32 row-major
    assert images[1, 2, 5, 0] == data[1, 2 * 32 + 5] and images[1, 2, 5, 2] == data[1, 2048 + 69]


class _Exploit:
    def __reduce__(self):
        return (os.system, ("touch /tmp/minidl-pwned",))


def test_cifar_reader_refuses_code_in_pickles(tmp_path):
    path = tmp_path / "evil_batch"
    path.write_bytes(pickle.dumps({b"data": _Exploit(), b"labels": []}))
    with pytest.raises(cifar10.CifarFormatError, match=r"evil_batch: .*refusing to load "
                                                       r"(posix|os)\.system"):
        cifar10.read_batch(path)
    assert not Path("/tmp/minidl-pwned").exists()


def test_cifar_reader_errors_name_the_file(tmp_path, rng):
    blob, _ = cifar_batch(rng, [1, 2])
    (tmp_path / "cut").write_bytes(blob[:100])
    with pytest.raises(cifar10.CifarFormatError, match="cut: not a readable CIFAR python batch"):
        cifar10.read_batch(tmp_path / "cut")
    (tmp_path / "nolabels").write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8)}))
    with pytest.raises(cifar10.CifarFormatError, match=r"nolabels: no b'labels' entry"):
        cifar10.read_batch(tmp_path / "nolabels")
    (tmp_path / "shape").write_bytes(pickle.dumps({b"data": np.zeros((2, 10), np.uint8),
                                                   b"labels": [0, 1]}))
    with pytest.raises(cifar10.CifarFormatError, match=r"shape: b'data' must be \(N, 3072\)"):
        cifar10.read_batch(tmp_path / "shape")


def test_cifar_official_layout_with_class_filter(tmp_path, rng):
    folder = tmp_path / "cifar10" / cifar10.OFFICIAL_FOLDER
    folder.mkdir(parents=True)
    for name in (*cifar10.TRAIN_BATCHES, cifar10.TEST_BATCH):
        (folder / name).write_bytes(cifar_batch(rng, [7, 3, 7, 0])[0])
    horses = cifar10.CIFAR10("train", ["horse"], data_dir=tmp_path)
    assert len(horses) == 10 and set(horses.targets.tolist()) == {7}
    assert len(cifar10.CIFAR10("test", data_dir=tmp_path)) == 4
    image, label = horses[0]
    assert image.shape == (3, 32, 32) and image.dtype == np.float32 and label == 7
    with pytest.raises(ValueError, match="unknown classes \\['unicorn'\\]"):
        cifar10.CIFAR10("train", ["unicorn"], data_dir=tmp_path)


def test_cifar_shared_layout_trains_on_jpegs_without_the_test_pictures(tmp_path, rng):
    folder = tmp_path / "cifar10"
    folder.mkdir()
    blob, _ = cifar_batch(rng, [7, 2, 7, 7, 5])
    (folder / cifar10.LOSSLESS_BATCH).write_bytes(blob)
    jpeg = folder / cifar10.JPEG_FOLDER
    for split, count in (("train", 8), ("test", 2)):
        for k in range(count):
            write_image(jpeg / split / "horse" / f"{k:04d}.jpg",
                        rng.integers(0, 256, (32, 32, 3)))
    train = cifar10.CIFAR10("train", ["horse"], data_dir=tmp_path)
    assert [p.name for p in train.paths[:2]] == ["0003.jpg", "0004.jpg"]  # 3 horses in test
    assert len(train) == 8 - 3 + 2
    assert train[0][0].shape == (3, 32, 32) and train[0][1] == 7
    test = cifar10.CIFAR10("test", ["horse"], data_dir=tmp_path)
    assert len(test) == 3
    with pytest.raises(FileNotFoundError, match="no training images of class 'bird'"):
        cifar10.CIFAR10("train", ["bird"], data_dir=tmp_path)
    (tmp_path / "empty" / "cifar10").mkdir(parents=True)
    with pytest.raises(DatasetNotFoundError, match="empty/cifar10: neither cifar-10-batches-py"):
        cifar10.CIFAR10("train", data_dir=tmp_path / "empty")


# -- image folders --------------------------------------------------------------------------
@pytest.fixture
def class_folders(tmp_path, rng):
    root = tmp_path / "classes"
    for name, count in (("Banana", 4), ("Apple", 6)):
        for k in range(count):
            size = (20 + k, 30)
            suffix = ".png" if k % 2 else ".jpg"
            write_image(root / name / f"{name}{k}{suffix}", rng.integers(0, 256, (*size, 3)))
    (root / "Apple" / "notes.txt").write_text("not an image")
    return root


def test_image_folder_labels_sizes_and_batches(class_folders):
    data = ImageFolder(class_folders, size=(16, 24))
    assert data.classes == ["Apple", "Banana"] and len(data) == 10
    assert all(isinstance(p, Path) for p in data.paths)  # lazily decoded: paths only
    image, label = data[9]
    assert image.shape == (3, 16, 24) and image.dtype == np.float32 and label == 1
    images, labels = next(iter(DataLoader(data, batch_size=4, shuffle=True, generator=0,
                                          num_workers=2)))
    assert images.shape == (4, 3, 16, 24) and labels.dtype == np.int64
    assert ImageFolder(class_folders, size=8, classes=["Banana"])[0][1] == 0


def test_image_folder_splits(class_folders):
    train = ImageFolder(class_folders, size=8, split="train", val_fraction=0.3, split_seed=1)
    val = ImageFolder(class_folders, size=8, split="val", val_fraction=0.3, split_seed=1)
    assert (len(train), len(val)) == (7, 3)
    assert not set(train.paths) & set(val.paths)
    again = ImageFolder(class_folders, size=8, split="val", val_fraction=0.3, split_seed=1)
    assert again.paths == val.paths
    other = ImageFolder(class_folders, size=8, split="val", val_fraction=0.3, split_seed=2)
    assert other.paths != val.paths
    with pytest.raises(ValueError, match="split must be one of"):
        ImageFolder(class_folders, split="test")


def test_flat_folder_and_gray_mode(tmp_path, rng):
    for k in range(3):
        write_image(tmp_path / "flat" / f"im{k}.jpg", rng.integers(0, 256, (40, 50, 3)))
    data = FlatImageFolder(tmp_path / "flat", size=10, mode="L")
    assert len(data) == 3 and data[0].shape == (1, 10, 10)
    native = FlatImageFolder(tmp_path / "flat")[1]
    assert native.shape == (3, 40, 50)


def test_image_errors_name_the_file(tmp_path, rng, class_folders):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(ImageDecodeError, match="broken.jpg: cannot decode image"):
        load_image(bad, size=8)
    good = tmp_path / "cut.png"
    write_image(good, rng.integers(0, 256, (30, 30, 3)))
    good.write_bytes(good.read_bytes()[:120])
    with pytest.raises(ImageDecodeError, match="cut.png: cannot decode image"):
        load_image(good)
    with pytest.raises(FileNotFoundError, match="ImageFolder: no such folder: .*nowhere"):
        ImageFolder(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=r"class folders \['Cherry'\] not in"):
        ImageFolder(class_folders, classes=["Cherry"])


# -- colourization pairs --------------------------------------------------------------------
def test_lab_and_grayscale_pairs():
    rgb = np.zeros((3, 4, 6), np.float32)
    rgb[0] = 1.0  # pure red: L 53.24, a 80.09, b 67.20
    samples = [(rgb, 5)]
    tanh = colorization.LabColorization(samples, ab_range="tanh")
    lightness, ab = tanh[0]
    assert lightness.shape == (1, 4, 6) and ab.shape == (2, 4, 6) and ab.dtype == np.float32
    np.testing.assert_allclose(lightness, 0.532408, atol=1e-5)
    np.testing.assert_allclose(ab[:, 0, 0], [80.0925 / 128, 67.2032 / 128], atol=1e-4)
    lightness, ab, label = colorization.LabColorization(samples, "sigmoid", target_size=(2, 3),
                                                        with_label=True)[0]
    assert ab.shape == (2, 2, 3) and label == 5
    np.testing.assert_allclose(colorization.ab_to_lab_units(ab[:, 0, 0], "sigmoid"),
                               [80.0925, 67.2032], atol=1e-3)
    gray, colour = colorization.GrayscaleColorization([rgb])[0]
    assert gray.shape == (1, 4, 6) and colour is rgb
    with pytest.raises(ValueError, match=r"must give \(3, H, W\) float RGB images"):
        colorization.LabColorization([np.zeros((4, 4, 3), np.uint8)])[0]
    with pytest.raises(ValueError, match="ab_range must be one of"):
        colorization.LabColorization(samples, ab_range="relu")


# -- the real data of each study (MINIDL_DATA) ------------------------------------------------
@needs_real_data
def test_real_mnist():
    images, labels = mnist.load_mnist(train=True, data_dir=REAL_DATA)
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8 and images.max() == 255
    assert labels.shape == (60000,) and set(labels.tolist()) == set(range(10))


@needs_real_data
def test_real_study_batches():
    from minidl.datasets.study_data import colorize_cifar_data, iizuka_data, lab_colorize_data
    expected = {
        "cifar": ((5615, 385), [(4, 1, 32, 32), (4, 3, 32, 32)]),
        "ncd": ((648, 72), [(4, 1, 128, 128), (4, 2, 64, 64), (4,)]),
        "dogs": ((120, 30), [(4, 1, 200, 200), (4, 2, 200, 200)]),
    }
    made = {"cifar": colorize_cifar_data(data_dir=REAL_DATA),
            "ncd": iizuka_data("ncd", data_dir=REAL_DATA),
            "dogs": lab_colorize_data("dogs", data_dir=REAL_DATA)}
    for name, (train, test) in made.items():
        lengths, shapes = expected[name]
        assert (len(train), len(test)) == lengths
        batch = next(iter(DataLoader(train, batch_size=4, shuffle=True, generator=0)))
        assert [tuple(t.shape) for t in batch] == shapes
        assert all(t.dtype == (np.int64 if t.ndim == 1 else np.float32) for t in batch)
        low = -1.0 if name == "dogs" else 0.0
        for values in (t.numpy() for t in batch if t.ndim > 1):
            assert low <= values.min() and values.max() <= 1.0 + 1e-6
        if name == "ncd":
            assert 0 <= batch[2].numpy().min() and batch[2].numpy().max() < 20


@needs_real_data
def test_real_cifar_test_split_is_the_lossless_horses():
    test = cifar10.CIFAR10("test", ["horse"], data_dir=REAL_DATA)
    images, labels = cifar10.read_batch(Path(REAL_DATA) / "cifar10" / cifar10.LOSSLESS_BATCH)
    assert len(test) == 385 == int((labels == 7).sum())
    first_horse = images[labels == 7][0].transpose(2, 0, 1)
    np.testing.assert_array_equal(np.rint(test[0][0] * 255), first_horse)
