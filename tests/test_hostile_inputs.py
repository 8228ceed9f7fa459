"""Images, dataset files and values that are damaged, huge or odd: each is one clear line
(the exact error class and message), never a traceback, a wrong value or a blow-up."""
import gzip
import hashlib
import os
import shutil
import zlib

import numpy as np
import pytest
from click.testing import CliRunner
from data_files import (
    cifar_batch,
    huge_cifar_pickle,
    idx_bytes,
    png_bytes,
    write_image,
    write_mnist,
)
from PIL import Image

import minidl
import minidl.nn as nn
from minidl.cli.main import cli
from minidl.cli.messages import one_line
from minidl.data import DataLoader
from minidl.data.image_file import (
    ImageDecodeError,
    ImageTooLargeError,
    image_shape,
    load_image,
    max_image_pixels,
)
from minidl.datasets import cifar10, download, idx, mnist
from minidl.datasets.checksums import ChecksumError
from minidl.datasets.image_folder import ImageFolder
from minidl.training.run_directory import RunDirectory, RunDirectoryError


def invoke(*args):
    """``minidl ARGS``: (exit code, output); an expected error is one ``Error:`` line."""
    result = CliRunner().invoke(cli, list(map(str, args)))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def error_line(*args) -> str:
    code, output = invoke(*args)
    assert code == 1, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    return lines[0]


# -- images --------------------------------------------------------------------------------
SIXTEEN_BIT = np.array([[0, 128, 257, 32767], [32768, 40000, 65280, 65535]], dtype=np.uint16)
EIGHT_BIT = np.round(SIXTEEN_BIT / 257).astype(np.uint8)  # v * 255 / 65535


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_sixteen_bit_grayscale_is_scaled_not_clipped(tmp_path, suffix):
    path = tmp_path / f"scan{suffix}"
    Image.fromarray(SIXTEEN_BIT).save(path)
    with Image.open(path) as image:
        assert image.mode.startswith("I;16")
    assert EIGHT_BIT.tolist() == [[0, 0, 1, 127], [128, 156, 254, 255]]
    np.testing.assert_array_equal(load_image(path, mode="L"), EIGHT_BIT)
    np.testing.assert_array_equal(load_image(path), np.repeat(EIGHT_BIT[..., None], 3, -1))
    resized = load_image(path, mode="L", size=(4, 8))
    assert resized.shape == (4, 8) and resized.max() > 200 and resized.min() == 0


def test_float_images_are_refused(tmp_path):
    path = tmp_path / "depth.tif"
    Image.fromarray(np.full((4, 4), 0.5, np.float32)).save(path)
    with pytest.raises(ImageDecodeError, match=r"depth.tif: cannot decode image \(floating-"
                                               r"point pixels have no known range"):
        load_image(path)


def test_pixel_cap_refuses_from_the_header_and_is_settable(tmp_path, monkeypatch):
    path = tmp_path / "photo.png"
    write_image(path, np.full((60, 100, 3), 9))
    monkeypatch.setenv("MINIDL_MAX_IMAGE_PIXELS", "5999")
    with pytest.raises(ImageTooLargeError, match=r"photo.png: image of 100x60 = 6,000 pixels "
                                                 r"is over the limit of 5,999 \(set "
                                                 r"MINIDL_MAX_IMAGE_PIXELS to allow more\)"):
        load_image(path)
    with pytest.raises(ImageTooLargeError):
        image_shape(path)
    monkeypatch.setenv("MINIDL_MAX_IMAGE_PIXELS", "6000")
    assert load_image(path).shape == (60, 100, 3) and image_shape(path) == (60, 100)
    monkeypatch.setenv("MINIDL_MAX_IMAGE_PIXELS", "lots")
    with pytest.raises(ValueError, match="MINIDL_MAX_IMAGE_PIXELS must be a positive whole "
                                         "number of pixels, got 'lots'"):
        load_image(path)
    monkeypatch.delenv("MINIDL_MAX_IMAGE_PIXELS")
    assert max_image_pixels() == 64_000_000


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_declared_100_megapixel_image_is_refused_before_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_bytes(10_000, 10_000, zlib.compress(b"")))  # no pixel data at all
    with pytest.raises(ImageTooLargeError, match=r"bomb.png: image of 10000x10000 = "
                                                 r"100,000,000 pixels is over the limit"):
        load_image(path)


def test_pillows_own_bomb_error_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("MINIDL_MAX_IMAGE_PIXELS", str(10**12))
    path = tmp_path / "bomb.png"
    path.write_bytes(png_bytes(20_000, 20_000, zlib.compress(b"")))
    with pytest.raises(ImageTooLargeError) as caught:
        load_image(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: refused by Pillow as a possible decompression bomb")
    assert "PIL.Image.MAX_IMAGE_PIXELS" in message


@pytest.fixture
def image_root(tmp_path, monkeypatch, rng):
    monkeypatch.delenv("MINIDL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "data"
    for name in ("Apple", "Lemon"):
        for k in range(2):
            write_image(root / "ncd" / "ColorfulOriginal" / name / f"{name}{k}.jpg",
                        rng.integers(0, 256, (20, 20, 3)))
    return root


def test_a_non_image_file_in_an_image_folder_is_one_line(image_root, tmp_path):
    folder = image_root / "ncd" / "ColorfulOriginal"
    (folder / "Lemon" / "Lemon9.jpg").write_text("a shopping list, not a photo")
    dataset = ImageFolder(folder, size=8)
    with pytest.raises(ImageDecodeError, match=r"Lemon9.jpg: cannot decode image \(cannot "
                                               r"identify image file"):
        list(DataLoader(dataset, batch_size=2, num_workers=2))
    line = error_line("data", "show", "ncd", "--data-dir", image_root, "--out",
                      tmp_path / "grid.png")
    assert line.startswith(f"Error: {folder / 'Lemon' / 'Lemon9.jpg'}: cannot decode image")
    assert not (tmp_path / "grid.png").exists()


def test_a_class_folder_whose_name_is_not_utf8_is_one_line(image_root, tmp_path):
    folder = image_root / "ncd" / "ColorfulOriginal"
    try:
        os.mkdir(os.fsencode(folder) + b"/Caf\xe9")
    except OSError:
        pytest.skip("this file system accepts only valid UTF-8 names")
    write_image(folder / os.fsdecode(b"Caf\xe9") / "x.jpg", np.zeros((8, 8, 3)))
    with pytest.raises(ValueError, match=r"ImageFolder: the class folder b'.*/Caf\\xe9' has a "
                                         r"name that is not valid UTF-8; rename it"):
        ImageFolder(folder)
    line = error_line("data", "show", "ncd", "--data-dir", image_root, "--out",
                      tmp_path / "grid.png")
    assert "Caf\\xe9' has a name that is not valid UTF-8" in line


# -- dataset files ---------------------------------------------------------------------------
@pytest.fixture
def mnist_root(tmp_path, monkeypatch, rng):
    monkeypatch.delenv("MINIDL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    mnist.read_split.cache_clear()
    yield tmp_path / "data"
    mnist.read_split.cache_clear()


def test_truncated_mnist_in_data_show_is_one_line(mnist_root, rng, tmp_path):
    write_mnist(mnist_root / "mnist", rng, compress=(True, True, True, True))
    images = mnist_root / "mnist" / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:len(images.read_bytes()) // 2])
    line = error_line("data", "show", "mnist", "--data-dir", mnist_root, "--out",
                      tmp_path / "grid.png")
    assert line.startswith(f"Error: {images}: corrupt or truncated gzip data (the compressed "
                           "stream ends after ") and line.endswith(" bytes)")
    plain = mnist_root / "mnist" / "train-images-idx3-ubyte"
    images.unlink()
    plain.write_bytes(idx_bytes(np.zeros((40, 28, 28), np.uint8))[:-100])
    assert error_line("data", "show", "mnist", "--data-dir", mnist_root, "--out",
                      tmp_path / "grid.png") == (
        f"Error: {plain}: truncated: shape (40, 28, 28) needs 31360 bytes of data, found 31260")


def test_mnist_files_are_checked_against_the_shipped_sums(mnist_root, tmp_path):
    copy = mnist_root / "mnist"
    shutil.copytree(mnist.PACKAGED, copy)
    assert (copy / "SHA256SUMS").exists()
    labels = copy / "t10k-labels-idx1-ubyte.gz"
    original = labels.read_bytes()
    damaged = bytearray(original)
    damaged[-20] ^= 0x01  # inside the gzip stream: a silently different label without sums
    labels.write_bytes(bytes(damaged))
    with pytest.raises(ChecksumError, match=rf"{labels}: damaged or replaced: its SHA-256 is "
                                            rf"{hashlib.sha256(damaged).hexdigest()}, but "
                                            rf".*SHA256SUMS lists "
                                            rf"{hashlib.sha256(original).hexdigest()}"):
        mnist.load_mnist(train=False, data_dir=mnist_root, download=False)
    labels.write_bytes(original)
    assert mnist.load_mnist(train=False, data_dir=mnist_root, download=False)[1].shape == (10000,)


def test_files_no_list_names_are_read_unchecked(mnist_root, rng):
    arrays = write_mnist(mnist_root / "mnist", rng)
    (mnist_root / "mnist" / "SHA256SUMS").write_text("0" * 64 + "  ./some-other-file\n")
    images, _ = mnist.load_mnist(train=True, data_dir=mnist_root, download=False)
    np.testing.assert_array_equal(images, arrays["train-images-idx3-ubyte"])


def test_downloads_leave_their_sums_so_later_damage_is_caught(mnist_root, monkeypatch, rng):
    source = mnist_root / "source"
    write_mnist(source, rng, compress=(True, True, True, True))
    files = {p.name: p.read_bytes() for p in source.iterdir()}
    monkeypatch.setattr(mnist, "PACKAGED", mnist_root / "not-shipped")
    monkeypatch.setattr(mnist, "SHA256", {name: hashlib.sha256(blob).hexdigest()
                                          for name, blob in files.items()})
    monkeypatch.setattr(download, "fetch", lambda url: files[url.rsplit("/", 1)[-1]])
    location = mnist.locate()
    sums = (location.path / "SHA256SUMS").read_text().splitlines()
    assert sorted(sums) == sorted(f"{digest}  ./{name}" for name, digest in
                                  mnist.SHA256.items())
    (location.path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"damaged"))
    mnist.read_split.cache_clear()
    with pytest.raises(ChecksumError, match="t10k-images-idx3-ubyte.gz: damaged or replaced"):
        mnist.load_mnist(train=False)


def test_an_idx_file_declaring_more_than_the_limit_is_refused_from_its_header(tmp_path):
    path = tmp_path / "bomb-idx3-ubyte.gz"
    header = idx_bytes(np.zeros((1, 1, 1), np.uint8))[:4]
    path.write_bytes(gzip.compress(header + np.array([2**16, 2**15, 1], ">u4").tobytes()))
    with pytest.raises(idx.IdxFormatError, match=r"declares an array of shape \(65536, 32768, "
                                                 r"1\) uint8 \(2,147,483,648 bytes\), over the "
                                                 r"limit of 1,073,741,824 bytes"):
        idx.read_idx(path)
    with pytest.raises(idx.IdxFormatError, match="has trailing bytes"):
        path.write_bytes(gzip.compress(idx_bytes(np.zeros((2, 3), np.uint8)) + b"extra"))
        idx.read_idx(path)


def cifar_variants(rng):
    blob, _ = cifar_batch(rng, [1, 2])
    state_shape = blob.replace(b"K\x02M\x00\x0c\x86", b"J\xff\xff\xff\x7fM\x00\x0c\x86", 1)
    huge_string = b"\x80\x04\x8e" + (16 << 30).to_bytes(8, "little") + b"abc"
    object_dtype = blob.replace(b"X\x02\x00\x00\x00u1", b"X\x02\x00\x00\x00O8", 1)
    return {"huge reconstructed array": (huge_cifar_pickle(), "an array of shape "
                                         r"\(2147483647,\) int8 is larger than the whole file"),
            "huge shape in the state": (state_shape, "buffer size does not match array size"),
            "16 GiB string": (huge_string, "pickle data was truncated"),
            "object dtype": (object_dtype, "refusing dtype object")}


@pytest.mark.parametrize("case", ["huge reconstructed array", "huge shape in the state",
                                  "16 GiB string", "object dtype"])
def test_cifar_pickles_declaring_huge_or_odd_arrays_are_one_line(case, tmp_path):
    blob, message = cifar_variants(np.random.default_rng(0))[case]
    path = tmp_path / "data_batch_1"
    path.write_bytes(blob)
    with pytest.raises(cifar10.CifarFormatError, match=rf"data_batch_1: not a readable CIFAR "
                                                       rf"python batch \(.*{message}"):
        cifar10.read_batch(path)


def test_cifar_batch_with_a_known_sum_is_checked(tmp_path, rng):
    blob, data = cifar_batch(rng, [1, 2])
    folder = tmp_path / "cifar10" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    (folder / "data_batch_1").write_bytes(blob)
    digest = hashlib.sha256(blob).hexdigest()
    (tmp_path / "cifar10" / "SHA256SUMS").write_text(f"{digest}  ./cifar-10-batches-py/"
                                                     "data_batch_1\n")
    assert cifar10.read_batch(folder / "data_batch_1")[1].tolist() == [1, 2]
    (folder / "data_batch_1").write_bytes(blob.replace(b"test", b"tost"))
    with pytest.raises(ChecksumError, match="data_batch_1: damaged or replaced"):
        cifar10.read_batch(folder / "data_batch_1")


# -- values -------------------------------------------------------------------------------
@pytest.mark.parametrize("data, message", [
    (["a", "b"], r"a list holding str values \('a'\)"),
    ([[1.0, 2.0], [3.0, "x"]], r"a list holding str values \('x'\)"),
    ([None], r"a list holding NoneType values \(None\)"),
    (b"raw", r"bytes data \(b'raw'\)"),
    (np.array(["a"]), r"an array of dtype <U1"),
    (np.array([1, 2], dtype=object), r"an array of dtype object"),
], ids=["strings", "nested string", "None", "bytes", "string array", "object array"])
def test_tensor_refuses_what_is_not_numbers(data, message):
    with pytest.raises(TypeError, match=rf"tensor\(\): can't make a tensor from {message}; "
                                        r"tensors hold bool, integer, float or complex numbers"):
        minidl.tensor(data)


def test_tensor_refuses_ragged_lists_and_keeps_numbers():
    with pytest.raises(ValueError, match=r"tensor\(\): the nested list is ragged"):
        minidl.tensor([[1, 2], [3]])
    assert minidl.tensor([True, 2]).dtype == np.int64
    assert minidl.tensor([]).shape == (0,)


EMPTY_BATCH_LAYERS = {
    "Conv2d": (lambda m: m.Conv2d(3, 4, 3, padding=1), (0, 3, 8, 8)),
    "Conv2d strided grouped": (lambda m: m.Conv2d(4, 6, 3, stride=2, groups=2), (0, 4, 9, 9)),
    "ConvTranspose2d": (lambda m: m.ConvTranspose2d(3, 4, 3, stride=2, output_padding=1),
                        (0, 3, 5, 5)),
    "BatchNorm2d": (lambda m: m.BatchNorm2d(3), (0, 3, 4, 4)),
    "BatchNorm1d": (lambda m: m.BatchNorm1d(3), (0, 3)),
    "Linear": (lambda m: m.Linear(5, 2), (0, 5)),
    "Flatten": (lambda m: m.Flatten(), (0, 3, 2, 2)),
    "MaxPool2d": (lambda m: m.MaxPool2d(2), (0, 3, 4, 4)),
    "Upsample": (lambda m: m.Upsample(scale_factor=2), (0, 3, 4, 4)),
}


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("layer", list(EMPTY_BATCH_LAYERS))
def test_an_empty_batch_gives_what_pytorch_gives(layer, training, torch):
    make, shape = EMPTY_BATCH_LAYERS[layer]
    ours, theirs = make(nn), make(torch.nn)
    ours.train(training)
    theirs.train(training)
    x = minidl.zeros(*shape, requires_grad=True)
    reference_x = torch.zeros(*shape, requires_grad=True)
    y, reference_y = ours(x), theirs(reference_x)
    assert y.shape == tuple(reference_y.shape)
    (y.sum() + 0).backward()
    reference_y.sum().backward()
    assert x.grad.shape == tuple(reference_x.grad.shape)
    for (name, param), reference in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_array_equal(param.grad.numpy(), reference.grad.numpy(), err_msg=name)
    for (name, buffer), reference in zip(ours.named_buffers(), theirs.buffers()):
        np.testing.assert_array_equal(buffer.numpy(), reference.numpy(), err_msg=name)


def test_batch_norm_still_refuses_a_single_value_per_channel():
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when "
                                         r"training, got input size \(1, 3\)"):
        nn.BatchNorm1d(3)(minidl.zeros(1, 3))


# -- errors that used to name only a key ---------------------------------------------------
def restore(state):
    return state["seed"]


def test_a_bare_key_error_says_what_is_missing_and_where():
    with pytest.raises(KeyError) as caught:
        restore({})
    assert one_line(caught.value) == ("missing entry 'seed' (looked up by restore in "
                                      "test_hostile_inputs.py:"
                                      f"{restore.__code__.co_firstlineno + 1})")
    assert one_line(KeyError("load_state_dict for Net: missing keys ['w']")) == \
        "load_state_dict for Net: missing keys ['w']"


def test_a_run_config_without_an_entry_names_the_file(tmp_path):
    (tmp_path / "config.json").write_text('{"study": "colorized-mnist"}')
    config = RunDirectory(tmp_path).read_config()
    assert config["study"] == "colorized-mnist" and config.get("seed") is None
    with pytest.raises(RunDirectoryError, match=r"config.json has no 'seed' entry \(edited by "
                                                r"hand, or written by another version"):
        config["seed"]


def test_an_optimizer_state_without_an_entry_is_refused_on_loading():
    model = nn.Linear(3, 2)
    optimizer = minidl.optim.Adam(model.parameters())
    model(minidl.ones(1, 3)).sum().backward()
    optimizer.step()
    state = optimizer.state_dict()
    del state["state"][0]["exp_avg_sq"]
    fresh = minidl.optim.Adam(nn.Linear(3, 2).parameters())
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: the state of parameter 0 has "
                                         r"no 'exp_avg_sq' \(it has \['exp_avg', 'step'\]\); "
                                         r"Adam with these settings keeps \['exp_avg', "
                                         r"'exp_avg_sq', 'step'\]"):
        fresh.load_state_dict(state)
    state["param_groups"][0]["amsgrad"] = True  # settings that keep one more entry
    state["state"][0]["exp_avg_sq"] = optimizer.state_dict()["state"][0]["exp_avg_sq"]
    with pytest.raises(ValueError, match="parameter 0 has no 'max_exp_avg_sq'"):
        fresh.load_state_dict(state)
    fresh.load_state_dict(optimizer.state_dict())
    assert set(fresh.state_dict()["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
