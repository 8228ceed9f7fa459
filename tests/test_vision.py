"""minidl.vision against torchvision's documented behaviour (torchvision itself is not
installed here): datasets' arguments, files and samples; transforms; image grids."""
import hashlib
import io
import tarfile

import numpy as np
import pytest
from data_files import cifar_batch, write_image, write_mnist
from PIL import Image

import minidl
from minidl.data import DataLoader
from minidl.datasets import download
from minidl.datasets.locate import DatasetNotFoundError
from minidl.vision import datasets, transforms, utils


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No $MINIDL_DATA, an empty cache, and no network."""
    monkeypatch.delenv("MINIDL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def offline(url):
        raise OSError(f"offline: {url}")

    monkeypatch.setattr(download, "fetch", offline)


# -- datasets ------------------------------------------------------------------------------
def test_mnist_reads_torchvisions_layout_and_gives_pil_images(tmp_path, rng, isolated):
    arrays = write_mnist(tmp_path / "data" / "MNIST" / "raw", rng)
    train = datasets.MNIST(tmp_path / "data", train=True)
    image, label = train[3]
    assert isinstance(image, Image.Image) and image.mode == "L" and image.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(image), arrays["train-images-idx3-ubyte"][3])
    assert type(label) is int and label == arrays["train-labels-idx1-ubyte"][3]
    assert train.data.shape == (40, 28, 28) and train.data.dtype == np.uint8
    assert train.targets.dtype == np.int64 and len(train) == 40
    assert train.classes[3] == "3 - three" and train.class_to_idx["9 - nine"] == 9
    test = datasets.MNIST(str(tmp_path / "data"), train=False, transform=transforms.ToTensor(),
                          target_transform=lambda y: y + 100)
    tensor, shifted = test[0]
    assert tensor.shape == (1, 28, 28) and tensor.dtype == np.float32
    assert shifted == arrays["t10k-labels-idx1-ubyte"][0] + 100
    images, labels = next(iter(DataLoader(test, batch_size=5)))
    assert images.shape == (5, 1, 28, 28) and labels.dtype == np.int64


def test_mnist_is_shipped_so_any_root_works_offline(tmp_path, isolated):
    dataset = datasets.MNIST(tmp_path / "empty", train=False, download=False)
    assert len(dataset) == 10000 and "Number of datapoints: 10000" in repr(dataset)


def test_fashion_mnist_reads_its_folder_and_downloads_with_md5(tmp_path, rng, isolated,
                                                                monkeypatch):
    write_mnist(tmp_path / "data" / "FashionMNIST" / "raw", rng)
    train = datasets.FashionMNIST(tmp_path / "data")
    assert len(train) == 40 and train.classes[9] == "Ankle boot"
    with pytest.raises(DatasetNotFoundError, match="fashion-mnist.*not found") as error:
        datasets.FashionMNIST(tmp_path / "elsewhere", download=False)
    assert "FashionMNIST" in str(error.value) and "\n" in str(error.value)
    with pytest.raises(DatasetNotFoundError, match="(?s)could not download.*offline"):
        datasets.FashionMNIST(tmp_path / "elsewhere", download=True)

    served = {}
    write_mnist(tmp_path / "served", rng, compress=(True,) * 4)
    for path in (tmp_path / "served").iterdir():
        served[path.name] = path.read_bytes()
    from minidl.datasets import fashion_mnist
    monkeypatch.setattr(fashion_mnist, "MD5", {name: hashlib.md5(blob).hexdigest()
                                               for name, blob in served.items()})
    monkeypatch.setattr(download, "fetch", lambda url: served[url.rsplit("/", 1)[1]])
    fetched = datasets.FashionMNIST(tmp_path / "elsewhere", train=False, download=True)
    assert len(fetched) == 12
    served["t10k-labels-idx1-ubyte.gz"] = b"tampered"
    (tmp_path / "cache" / "minidl" / "fashion_mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    fashion_mnist.read_split.cache_clear()
    with pytest.raises(DatasetNotFoundError, match="MD5 .* != expected"):
        datasets.FashionMNIST(tmp_path / "elsewhere", train=False, download=True)


def write_cifar(folder, rng):
    folder.mkdir(parents=True)
    labels = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        labels[name] = rng.integers(0, 10, 6)
        blob, data = cifar_batch(rng, labels[name])
        (folder / name).write_bytes(blob)
        labels[name + "_data"] = data
    return labels


def test_cifar10_reads_the_official_batches_as_pil_images(tmp_path, rng, isolated):
    written = write_cifar(tmp_path / "root" / "cifar-10-batches-py", rng)
    train = datasets.CIFAR10(tmp_path / "root", train=True)
    assert len(train) == 30 and train.data.shape == (30, 32, 32, 3)
    image, label = train[7]
    assert isinstance(image, Image.Image) and image.mode == "RGB" and image.size == (32, 32)
    expected = written["data_batch_2_data"][1].reshape(3, 32, 32).transpose(1, 2, 0)
    np.testing.assert_array_equal(np.asarray(image), expected)
    assert label == written["data_batch_2"][1] and train.targets[7] == label
    assert train.classes[7] == "horse" and train.class_to_idx["truck"] == 9
    test = datasets.CIFAR10(tmp_path / "root", train=False, transform=transforms.ToTensor())
    assert len(test) == 6 and test[0][0].shape == (3, 32, 32)


def test_cifar10_download_checks_the_archive_and_unpacks_only_its_folder(tmp_path, rng,
                                                                         isolated, monkeypatch):
    with pytest.raises(DatasetNotFoundError, match="download=True to fetch"):
        datasets.CIFAR10(tmp_path / "root", download=False)
    with pytest.raises(DatasetNotFoundError, match="could not download"):
        datasets.CIFAR10(tmp_path / "root", download=True)
    written = write_cifar(tmp_path / "staged" / "cifar-10-batches-py", rng)
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        tar.add(tmp_path / "staged" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
        outside = tarfile.TarInfo("evil.txt")
        outside.size = 4
        tar.addfile(outside, io.BytesIO(b"evil"))
    blob = archive.getvalue()
    monkeypatch.setattr(datasets.CIFAR10, "ARCHIVE_MD5",
                        {datasets.CIFAR10.ARCHIVE: hashlib.md5(blob).hexdigest()})
    monkeypatch.setattr(download, "fetch", lambda url: blob)
    fetched = datasets.CIFAR10(tmp_path / "root", train=False, download=True)
    assert fetched.targets == [int(v) for v in written["test_batch"]]
    assert not (tmp_path / "root" / "evil.txt").exists()


def test_image_folder_samples_classes_and_loader(tmp_path, rng):
    for name, count in (("dog", 2), ("cat", 3)):
        for k in range(count):
            write_image(tmp_path / "pets" / name / f"{k}.png", rng.integers(0, 256, (5, 7, 3)))
    (tmp_path / "pets" / "cat" / "notes.txt").write_text("not an image")
    folder = datasets.ImageFolder(tmp_path / "pets")
    assert folder.classes == ["cat", "dog"] and folder.class_to_idx == {"cat": 0, "dog": 1}
    assert folder.targets == [0, 0, 0, 1, 1] and folder.imgs is folder.samples
    assert folder.samples[3][0].endswith("dog/0.png")
    image, label = folder[4]
    assert isinstance(image, Image.Image) and image.mode == "RGB" and image.size == (7, 5)
    assert label == 1
    picky = datasets.ImageFolder(tmp_path / "pets", is_valid_file=lambda p: p.endswith("1.png"),
                                 loader=lambda p: p, transform=len)
    assert len(picky) == 2 and picky[0][0] == len(picky.samples[0][0])


def test_fake_data_is_repeatable_per_index():
    fake = datasets.FakeData(size=5, image_size=(3, 6, 4), num_classes=3)
    image, label = fake[2]
    assert image.mode == "RGB" and image.size == (4, 6) and 0 <= label < 3
    np.testing.assert_array_equal(np.asarray(fake[2][0]), np.asarray(image))
    assert not np.array_equal(np.asarray(fake[1][0]), np.asarray(image))
    gray = datasets.FakeData(4, (1, 8, 8), transform=transforms.ToTensor())
    assert gray[0][0].shape == (1, 8, 8) and len(gray) == 4
    with pytest.raises(IndexError, match="out of range for 5 images"):
        fake[5]


# -- transforms ----------------------------------------------------------------------------
def test_to_tensor_scales_uint8_and_keeps_other_types(rng):
    pixels = rng.integers(0, 256, (4, 5, 3), dtype=np.uint8)
    tensor = transforms.ToTensor()(Image.fromarray(pixels))
    assert isinstance(tensor, minidl.Tensor) and tensor.shape == (3, 4, 5)
    assert tensor.dtype == np.float32
    np.testing.assert_allclose(tensor.numpy(), pixels.transpose(2, 0, 1) / 255, rtol=1e-6)
    gray = transforms.ToTensor()(Image.fromarray(pixels[..., 0]))
    assert gray.shape == (1, 4, 5)
    floats = rng.random((4, 5, 2))
    kept = transforms.ToTensor()(floats)
    assert kept.dtype == np.float64 and np.array_equal(kept.numpy(), floats.transpose(2, 0, 1))
    unscaled = transforms.PILToTensor()(Image.fromarray(pixels))
    assert unscaled.dtype == np.uint8 and np.array_equal(unscaled.numpy()[1], pixels[..., 1])
    with pytest.raises(TypeError, match="expected a PIL image or a numpy array"):
        transforms.ToTensor()([1, 2])


def test_normalize_per_channel_batched_and_inplace(rng):
    x = minidl.tensor(rng.random((2, 3, 4, 4)).astype(np.float32))
    out = transforms.Normalize((0.5, 0.4, 0.3), (0.5, 0.2, 0.1))(x)
    np.testing.assert_allclose(out.numpy()[1, 2], (x.numpy()[1, 2] - 0.3) / 0.1, rtol=1e-6)
    assert out.dtype == np.float32
    single = minidl.tensor(rng.random((3, 2, 2)).astype(np.float32))
    assert transforms.Normalize([0.5] * 3, [0.5] * 3, inplace=True)(single) is single
    with pytest.raises(TypeError, match="expected a Tensor"):
        transforms.Normalize([0.5], [0.5])(np.zeros((1, 2, 2), np.float32))


@pytest.mark.parametrize("size, shape_in, shape_out", [
    (4, (7, 10), (4, 5)),        # shorter side 4, longer int(4 * 10 / 7) = 5 (truncated)
    (4, (10, 7), (5, 4)),
    ([6], (12, 30), (6, 15)),
    ((3, 8), (12, 30), (3, 8)),
])
def test_resize_sizes_follow_torchvision(size, shape_in, shape_out, rng):
    image = Image.fromarray(rng.integers(0, 256, shape_in, dtype=np.uint8))
    assert np.asarray(transforms.Resize(size)(image)).shape == shape_out
    tensor = transforms.Resize(size)(minidl.tensor(rng.random((2, 3, *shape_in))))
    assert tensor.shape == (2, 3, *shape_out)
    capped = transforms.Resize(10, max_size=12)(Image.new("L", (30, 10)))
    assert capped.size == (12, 4)
    nearest = transforms.Resize(2, interpolation=transforms.InterpolationMode.NEAREST)
    assert nearest.interpolation == "nearest"
    with pytest.raises(ValueError, match="interpolation must be one of"):
        transforms.Resize(2, interpolation="lanczos3")


def test_center_crop_rounds_and_pads_like_torchvision():
    array = np.arange(7 * 8, dtype=np.uint8).reshape(7, 8)
    cropped = np.asarray(transforms.CenterCrop((4, 3))(Image.fromarray(array)))
    # top = round((7 - 4) / 2) = 2, left = round((8 - 3) / 2) = 2 (round half to even)
    np.testing.assert_array_equal(cropped, array[2:6, 2:5])
    padded = np.asarray(transforms.CenterCrop(10)(Image.fromarray(array)))
    assert padded.shape == (10, 10)
    np.testing.assert_array_equal(padded[1:8, 1:9], array)
    assert padded[0].sum() == 0 and padded[:, 9].sum() == 0
    tensor = transforms.CenterCrop(2)(minidl.tensor(array[None].astype(np.float32)))
    np.testing.assert_array_equal(tensor.numpy()[0], array[2:4, 3:5])


def test_random_crop_padding_and_pad_if_needed(rng):
    minidl.manual_seed(1)
    image = Image.fromarray(np.full((4, 4), 9, dtype=np.uint8))
    crops = [np.asarray(transforms.RandomCrop(4, padding=2)(image)) for _ in range(20)]
    assert all(c.shape == (4, 4) for c in crops)
    assert any((c == 0).any() for c in crops) and any((c == 9).all() for c in crops)
    grown = transforms.RandomCrop((6, 8), pad_if_needed=True, fill=1)(image)
    assert grown.size == (8, 6) and np.asarray(grown).min() == 1
    edge = np.asarray(transforms.RandomCrop(8, padding=2, padding_mode="edge")(image))
    assert (edge == 9).all()
    with pytest.raises(ValueError, match="larger than"):
        transforms.RandomCrop(5)(image)


def test_flips_on_pil_images_and_tensors():
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert np.array_equal(np.asarray(transforms.RandomHorizontalFlip(1.0)(
        Image.fromarray(array))), array[:, ::-1])
    batch = minidl.tensor(np.stack([array, array + 20])[:, None].astype(np.float32))
    flipped = transforms.RandomVerticalFlip(p=1.0)(batch)
    np.testing.assert_array_equal(flipped.numpy()[1, 0], (array + 20)[::-1])
    assert transforms.RandomHorizontalFlip(p=0.0)(batch) is batch


def test_grayscale_pil_and_tensor():
    rgb = np.zeros((2, 2, 3), dtype=np.uint8)
    rgb[..., 0] = 200
    gray = transforms.Grayscale()(Image.fromarray(rgb))
    assert gray.mode == "L" and np.asarray(gray)[0, 0] == round(200 * 299 / 1000)
    assert transforms.Grayscale(3)(Image.fromarray(rgb)).mode == "RGB"
    tensor = minidl.tensor(np.stack([np.full((2, 2), v) for v in (0.5, 1.0, 0.25)]).astype(
        np.float32))
    out = transforms.Grayscale(num_output_channels=3)(tensor)
    assert out.shape == (3, 2, 2)
    np.testing.assert_allclose(out.numpy(), 0.2989 * 0.5 + 0.587 + 0.114 * 0.25, rtol=1e-6)


def test_to_pil_image_round_trip_lambda_compose_and_pad(rng):
    pixels = rng.integers(0, 256, (5, 6, 3), dtype=np.uint8)
    image = Image.fromarray(pixels)
    back = transforms.ToPILImage()(transforms.ToTensor()(image))
    assert back.mode == "RGB"
    assert np.abs(np.asarray(back).astype(int) - pixels).max() <= 1
    gray = transforms.ToPILImage()(minidl.tensor([[[0.5, 1.0]]]))
    assert gray.mode == "L" and np.asarray(gray).tolist() == [[127, 255]]
    pipeline = transforms.Compose([transforms.Pad((1, 2)), transforms.ToTensor(),
                                   transforms.Lambda(lambda t: t * 2)])
    out = pipeline(image)
    assert out.shape == (3, 9, 8) and float(out.numpy().max()) <= 2.0
    assert "Lambda()" in repr(pipeline)
    with pytest.raises(TypeError, match="should be callable"):
        transforms.Lambda(3)


# -- utils ---------------------------------------------------------------------------------
def test_make_grid_layout_padding_and_pad_value():
    images = minidl.tensor(np.arange(1, 6, dtype=np.float32)[:, None, None, None]
                           * np.ones((5, 3, 2, 3), dtype=np.float32))
    grid = utils.make_grid(images, nrow=2, padding=1, pad_value=-1.0).numpy()
    # 3 rows x 2 columns of 2x3 images with 1-pixel borders: (3, 3*3+1, 2*4+1)
    assert grid.shape == (3, 10, 9)
    assert (grid[:, 0] == -1).all() and (grid[:, :, 0] == -1).all()
    assert (grid[:, 1:3, 1:4] == 1).all() and (grid[:, 1:3, 5:8] == 2).all()
    assert (grid[:, 7:9, 1:4] == 5).all() and (grid[:, 7:9, 5:8] == -1).all()


def test_make_grid_gray_single_and_normalize():
    gray = minidl.tensor(np.linspace(-1, 1, 2 * 1 * 2 * 2, dtype=np.float32).reshape(2, 1, 2, 2))
    grid = utils.make_grid(gray, padding=0, normalize=True).numpy()
    assert grid.shape == (3, 2, 4) and grid.min() == 0 and grid.max() == 1
    ranged = utils.make_grid(gray, padding=0, normalize=True, value_range=(0, 1)).numpy()
    assert ranged.min() == 0 and np.isclose(ranged.max(), 1)  # below 0 clamped
    each = utils.make_grid(gray, padding=0, normalize=True, scale_each=True).numpy()
    assert each[:, :, :2].min() == 0 and each[:, :, 2:].max() == 1 and each[:, :, 2:].min() == 0
    single = utils.make_grid(minidl.ones(1, 4, 4))
    assert single.shape == (3, 4, 4)
    listed = utils.make_grid([minidl.zeros(3, 2, 2), minidl.ones(3, 2, 2)], padding=0)
    assert listed.shape == (3, 2, 4)


def test_save_image_rounds_to_bytes(tmp_path):
    values = minidl.tensor(np.array([[[0.0, 0.5], [1.0, 2.0]]], dtype=np.float32))
    utils.save_image(values, tmp_path / "one.png")
    saved = np.asarray(Image.open(tmp_path / "one.png"))
    assert saved.shape == (2, 2, 3) and saved[..., 0].tolist() == [[0, 128], [255, 255]]
    batch = minidl.rand(5, 3, 4, 4)
    utils.save_image(batch, tmp_path / "grid.png", nrow=3, normalize=True)
    assert Image.open(tmp_path / "grid.png").size == (3 * 6 + 2, 2 * 6 + 2)
