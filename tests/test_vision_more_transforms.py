"""RandomCrop.get_params, rotation with expand, FiveCrop/TenCrop, DatasetFolder and
CIFAR100 of minidl.vision, with torchvision's semantics."""
import math
import os
import pickle

import numpy as np
import pytest
from data_files import write_image
from PIL import Image

import minidl
from minidl.datasets.cifar10 import CifarFormatError
from minidl.datasets.locate import DatasetNotFoundError
from minidl.vision import datasets, tv_tensors
from minidl.vision import transforms as T
from minidl.vision.transforms import functional as TF
from minidl.vision.transforms import v2


def image_tensor(channels=2, height=5, width=8):
    return minidl.tensor(np.arange(channels * height * width, dtype=np.float32)
                         .reshape(channels, height, width))


# --- RandomCrop.get_params ---------------------------------------------------------------

def test_get_params_stays_in_range_and_reaches_both_ends():
    image = Image.fromarray(np.zeros((10, 12), np.uint8))
    minidl.manual_seed(0)
    tops, lefts = set(), set()
    for _ in range(400):
        i, j, h, w = T.RandomCrop.get_params(image, (4, 5))
        assert (h, w) == (4, 5) and 0 <= i <= 6 and 0 <= j <= 7
        tops.add(i)
        lefts.add(j)
    assert tops == set(range(7)) and lefts == set(range(8))
    assert T.RandomCrop.get_params(image, (10, 12)) == (0, 0, 10, 12)
    assert T.RandomCrop.get_params(image_tensor(), [5, 8]) == (0, 0, 5, 8)
    with pytest.raises(ValueError, match="larger than input image size"):
        T.RandomCrop.get_params(image, (11, 4))
    assert v2.RandomCrop.get_params is not None


@pytest.mark.parametrize("make", [lambda: image_tensor(3, 9, 11),
                                  lambda: Image.fromarray(
                                      np.arange(99, dtype=np.uint8).reshape(9, 11))])
def test_get_params_then_crop_equals_random_crop_under_a_seed(make):
    image = make()
    for seed in range(5):
        minidl.manual_seed(seed)
        expected = T.RandomCrop((4, 6))(image)
        minidl.manual_seed(seed)
        params = T.RandomCrop.get_params(image, (4, 6))
        got = TF.crop(image, *params)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))
        mask = TF.crop(make(), *params)     # a mask cropped alike
        np.testing.assert_array_equal(np.asarray(mask), np.asarray(expected))


def test_random_crop_of_a_batch_uses_one_window():
    batch = minidl.tensor(np.stack([np.arange(80, dtype=np.float32).reshape(1, 8, 10)] * 3))
    minidl.manual_seed(1)
    out = T.RandomCrop(4)(batch).numpy()
    assert out.shape == (3, 1, 4, 4)
    assert np.array_equal(out[0], out[1]) and np.array_equal(out[0], out[2])


# --- rotate(expand=True) -----------------------------------------------------------------

def torchvision_tensor_size(angle, width, height):
    """torchvision's _compute_affine_output_size for rotate (center None), written out."""
    rad = math.radians(angle)
    matrix = np.array([[math.cos(rad), -math.sin(rad)], [math.sin(rad), math.cos(rad)]])
    corners = np.array([[-0.5 * width, -0.5 * height], [-0.5 * width, 0.5 * height],
                        [0.5 * width, 0.5 * height], [0.5 * width, -0.5 * height]])
    points = corners @ matrix.T + [0.5 * width, 0.5 * height]
    high = np.ceil(np.trunc(points.max(axis=0) / 1e-4) * 1e-4)
    low = np.floor(np.trunc(points.min(axis=0) / 1e-4) * 1e-4)
    return int(high[0] - low[0]), int(high[1] - low[1])


def pillow_size(angle, width, height):
    """Pillow's Image.rotate(expand=True) canvas (torchvision's PIL path)."""
    rad = math.radians(angle)
    xs, ys = [], []
    for x, y in ((0, 0), (width, 0), (width, height), (0, height)):
        dx, dy = x - width / 2, y - height / 2
        xs.append(math.cos(rad) * dx + math.sin(rad) * dy + width / 2)
        ys.append(-math.sin(rad) * dx + math.cos(rad) * dy + height / 2)
    return (math.ceil(max(xs)) - math.floor(min(xs)),
            math.ceil(max(ys)) - math.floor(min(ys)))


@pytest.mark.parametrize("height, width", [(5, 8), (7, 12), (10, 6)])
@pytest.mark.parametrize("angle", [30, 45, -30, 135])
def test_expand_rotation_sizes_follow_torchvision(height, width, angle):
    out = TF.rotate(image_tensor(2, height, width), angle, expand=True)
    out_w, out_h = torchvision_tensor_size(angle, width, height)
    assert tuple(out.shape) == (2, out_h, out_w)
    pil = TF.rotate(Image.fromarray(np.zeros((height, width), np.uint8)), angle, expand=True)
    assert pil.size == pillow_size(angle, width, height)
    # the whole image fits: nothing is lost at 45 degrees
    assert out.shape[-1] >= abs(width * math.cos(math.radians(angle))) + abs(
        height * math.sin(math.radians(angle))) - 1


@pytest.mark.parametrize("angle, turns", [(90, 1), (-90, 3), (270, 3), (180, 2)])
def test_expand_rotation_by_right_angles_is_exact(angle, turns):
    tensor = image_tensor(2, 5, 8)
    out = TF.rotate(tensor, angle, expand=True)
    np.testing.assert_array_equal(out.numpy(), np.rot90(tensor.numpy(), turns, axes=(1, 2)))
    array = np.arange(40, dtype=np.uint8).reshape(5, 8)
    pil = TF.rotate(Image.fromarray(array), angle, expand=True)
    np.testing.assert_array_equal(np.asarray(pil), np.rot90(array, turns))


def test_expand_rotation_keeps_the_content_centred_and_counter_clockwise():
    array = np.zeros((5, 9), np.float32)
    array[2, 8] = 1.0                     # the middle of the right edge
    out = TF.rotate(minidl.tensor(array[None]), 30, expand=True).numpy()[0]
    row, col = np.unravel_index(np.argmax(out), out.shape)
    h, w = out.shape
    # counter-clockwise: the right edge's middle moves up (and stays right of centre)
    dx, dy = col + 0.5 - w / 2, row + 0.5 - h / 2
    assert dx > 0 and dy < 0
    assert math.isclose(math.degrees(math.atan2(-dy, dx)), 30, abs_tol=12)


def test_random_rotation_expand_v1_and_v2():
    tensor = image_tensor(1, 4, 6)
    out = T.RandomRotation((90, 90), expand=True)(tensor)
    np.testing.assert_array_equal(out.numpy(), np.rot90(tensor.numpy(), 1, axes=(1, 2)))
    image = tv_tensors.Image(tensor)
    got = v2.RandomRotation((45, 45), expand=True)(image)
    assert isinstance(got, tv_tensors.Image)
    assert tuple(got.shape[-2:]) == torchvision_tensor_size(45, 6, 4)[::-1]
    assert "expand=True" in repr(T.RandomRotation(10, expand=True))
    same = T.RandomRotation((30, 30))(tensor)     # without expand the size is kept
    assert tuple(same.shape) == (1, 4, 6)


# --- FiveCrop / TenCrop -------------------------------------------------------------------

def test_five_crop_corners_and_centre():
    tensor = image_tensor(2, 6, 7)
    array = tensor.numpy()
    crops = T.FiveCrop((2, 3))(tensor)
    assert isinstance(crops, tuple) and len(crops) == 5
    assert all(tuple(c.shape) == (2, 2, 3) for c in crops)
    tl, tr, bl, br, center = (c.numpy() for c in crops)
    np.testing.assert_array_equal(tl, array[:, :2, :3])
    np.testing.assert_array_equal(tr, array[:, :2, -3:])
    np.testing.assert_array_equal(bl, array[:, -2:, :3])
    np.testing.assert_array_equal(br, array[:, -2:, -3:])
    np.testing.assert_array_equal(center, TF.center_crop(tensor, [2, 3]).numpy())
    np.testing.assert_array_equal(center, array[:, 2:4, 2:5])
    pil = Image.fromarray(np.arange(42, dtype=np.uint8).reshape(6, 7))
    pil_crops = TF.five_crop(pil, 3)
    assert [c.size for c in pil_crops] == [(3, 3)] * 5
    np.testing.assert_array_equal(np.asarray(pil_crops[3]), np.asarray(pil)[-3:, -3:])
    with pytest.raises(ValueError, match="bigger than input size"):
        T.FiveCrop(8)(tensor)


@pytest.mark.parametrize("vertical", [False, True])
def test_ten_crop_adds_the_mirrored_five(vertical):
    tensor = image_tensor(1, 6, 7)
    crops = T.TenCrop(3, vertical_flip=vertical)(tensor)
    assert len(crops) == 10 and all(tuple(c.shape) == (1, 3, 3) for c in crops)
    flipped = (TF.vflip if vertical else TF.hflip)(tensor)
    for got, want in zip(crops[:5], TF.five_crop(tensor, 3), strict=True):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    for got, want in zip(crops[5:], TF.five_crop(flipped, 3), strict=True):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    # the mirror's top-left corner is the original's top-right (bottom-left), mirrored
    corner = tensor.numpy()[:, -3:, :3] if vertical else tensor.numpy()[:, :3, -3:]
    mirrored = corner[:, ::-1, :] if vertical else corner[:, :, ::-1]
    np.testing.assert_array_equal(crops[5].numpy(), mirrored)
    assert len(TF.ten_crop(tensor, [2, 2], vertical)) == 10


def test_v2_five_and_ten_crop_keep_images():
    image = tv_tensors.Image(image_tensor(3, 6, 6))
    crops = v2.FiveCrop(4)(image)
    assert len(crops) == 5 and all(isinstance(c, tv_tensors.Image) for c in crops)
    assert len(v2.TenCrop(4)(image)) == 10
    assert all(isinstance(c, tv_tensors.Image) for c in v2.functional.ten_crop(image, 2))
    assert len(v2.functional.five_crop(image, 2)) == 5


# --- DatasetFolder ------------------------------------------------------------------------

def make_tree(root):
    for rel, value in (("b/one.npy", 1), ("b/deep/two.npy", 2), ("a/three.npy", 3),
                       ("a/four.NPY", 4)):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path.with_suffix(".npy"), np.array([value]))
        if rel.endswith(".NPY"):
            os.replace(path.with_suffix(".npy"), path)
    (root / "b" / "notes.txt").write_text("skip me")


def test_dataset_folder_with_a_loader_and_extensions(tmp_path):
    make_tree(tmp_path / "data")

    def loader(path):
        with open(path, "rb") as file:
            return int(np.load(file)[0])

    folder = datasets.DatasetFolder(tmp_path / "data", loader, extensions=(".npy",),
                                    transform=lambda v: v * 10,
                                    target_transform=lambda t: -t)
    assert folder.classes == ["a", "b"] and folder.class_to_idx == {"a": 0, "b": 1}
    assert [os.path.relpath(p, tmp_path / "data") for p, _ in folder.samples] == [
        os.path.join("a", "four.NPY"), os.path.join("a", "three.npy"),
        os.path.join("b", "one.npy"), os.path.join("b", "deep", "two.npy")]  # os.walk order
    assert folder.targets == [0, 0, 1, 1] and len(folder) == 4
    assert folder[3] == (20, -1) and folder[0] == (40, 0)
    picky = datasets.DatasetFolder(tmp_path / "data", loader,
                                   is_valid_file=lambda p: p.endswith(".txt"),
                                   allow_empty=True)
    assert picky.samples == [(str(tmp_path / "data" / "b" / "notes.txt"), 1)]
    with pytest.raises(FileNotFoundError, match="no valid file for the classes a"):
        datasets.DatasetFolder(tmp_path / "data", loader,
                               is_valid_file=lambda p: p.endswith(".txt"))
    with pytest.raises(ValueError, match="cannot be None or not None"):
        datasets.DatasetFolder(tmp_path / "data", loader)
    with pytest.raises(ValueError, match="cannot be None or not None"):
        datasets.DatasetFolder(tmp_path / "data", loader, extensions=".npy",
                               is_valid_file=bool)
    assert datasets.has_file_allowed_extension("x.PNG", (".png",))


def test_image_folder_is_a_dataset_folder(tmp_path, rng):
    write_image(tmp_path / "pets" / "cat" / "0.png", rng.integers(0, 256, (4, 5, 3)))
    write_image(tmp_path / "pets" / "dog" / "inner" / "1.png", rng.integers(0, 256, (4, 5, 3)))
    folder = datasets.ImageFolder(tmp_path / "pets")
    assert isinstance(folder, datasets.DatasetFolder)
    assert folder.targets == [0, 1] and folder.extensions == datasets.IMG_EXTENSIONS
    assert folder[1][0].size == (5, 4)


# --- CIFAR100 -----------------------------------------------------------------------------

def write_cifar100(folder, rng, counts=(("train", 7), ("test", 3))):
    folder.mkdir(parents=True)
    written = {}
    for name, count in counts:
        data = rng.integers(0, 256, (count, 3072), dtype=np.uint8)
        fine = rng.integers(0, 100, count)
        batch = {b"filenames": [b"x.png"] * count, b"batch_label": b"b",
                 b"fine_labels": [int(v) for v in fine],
                 b"coarse_labels": [int(v) // 5 for v in fine], b"data": data}
        (folder / name).write_bytes(pickle.dumps(batch, protocol=2))
        written[name] = (data, fine)
    meta = {b"fine_label_names": [f"class{k}".encode() for k in range(100)],
            b"coarse_label_names": [f"super{k}".encode() for k in range(20)]}
    (folder / "meta").write_bytes(pickle.dumps(meta, protocol=2))
    return written


def test_cifar100_reads_the_python_files(tmp_path, rng):
    written = write_cifar100(tmp_path / "root" / "cifar-100-python", rng)
    train = datasets.CIFAR100(tmp_path / "root")
    assert len(train) == 7 and train.data.shape == (7, 32, 32, 3)
    data, fine = written["train"]
    assert train.targets == [int(v) for v in fine]
    image, label = train[4]
    assert isinstance(image, Image.Image) and image.mode == "RGB" and image.size == (32, 32)
    np.testing.assert_array_equal(np.asarray(image), data[4].reshape(3, 32, 32)
                                  .transpose(1, 2, 0))
    assert label == fine[4] and len(train.classes) == 100 and train.classes[3] == "class3"
    assert train.class_to_idx["class7"] == 7
    test = datasets.CIFAR100(tmp_path / "root", train=False, transform=T.ToTensor())
    assert len(test) == 3 and tuple(test[0][0].shape) == (3, 32, 32)


def test_cifar100_refuses_code_and_reports_missing_files(tmp_path, rng):
    with pytest.raises(DatasetNotFoundError, match="download=True"):
        datasets.CIFAR100(tmp_path / "root")
    folder = tmp_path / "root" / "cifar-100-python"
    write_cifar100(folder, rng)

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo hacked",))

    (folder / "train").write_bytes(pickle.dumps({b"data": Evil()}, protocol=2))
    with pytest.raises(CifarFormatError, match="refusing"):
        datasets.CIFAR100(tmp_path / "root")


# --- under `minidl run` ---------------------------------------------------------------------

def test_minidl_run_script_uses_the_new_pieces(tmp_path):
    import textwrap

    from click.testing import CliRunner

    from minidl.cli.main import cli
    script = tmp_path / "segmentation.py"
    script.write_text(textwrap.dedent("""
        import torch
        import torchvision.transforms as T
        import torchvision.transforms.functional as TF
        from torchvision import datasets
        image, mask = torch.rand(3, 12, 10), torch.zeros(1, 12, 10)
        i, j, h, w = T.RandomCrop.get_params(image, (8, 8))
        print(tuple(TF.crop(image, i, j, h, w).shape), tuple(TF.crop(mask, i, j, h, w).shape))
        print(tuple(TF.rotate(image, 90, expand=True).shape))
        print(len(T.TenCrop(4)(image)), issubclass(datasets.ImageFolder, datasets.DatasetFolder))
    """))
    done = CliRunner().invoke(cli, ["run", str(script)])
    assert done.exit_code == 0, done.output
    assert done.output.split("\n")[:3] == ["(3, 8, 8) (1, 8, 8)", "(3, 10, 12)", "10 True"]


def test_image_folder_refuses_class_folders_whose_names_are_not_text(tmp_path):
    """A folder name in another system's encoding (not UTF-8) would break the logs and
    plots class names go to: refused with its bytes named, as minidl's own ImageFolder."""
    import os

    from PIL import Image as PILImage

    from minidl.vision import datasets
    odd = tmp_path / os.fsdecode(b"caf\xe9")
    odd.mkdir()
    PILImage.new("RGB", (4, 4)).save(odd / "a.png")
    with pytest.raises(ValueError, match="not valid UTF-8"):
        datasets.ImageFolder(tmp_path)
