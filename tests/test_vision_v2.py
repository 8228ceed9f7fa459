"""Resize's max_size / antialias rules, and torchvision.transforms.v2 on minidl."""
import textwrap

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import minidl
from minidl.cli.main import cli
from minidl.vision import transforms as T
from minidl.vision import tv_tensors
from minidl.vision.transforms import v2


def test_resize_max_size_follows_torchvision():
    # torchvision: short -> 100, long int(100*451/300)=150 > 120 -> (int(120*100/150), 120)
    assert T.Resize(100, max_size=120)(Image.new("RGB", (451, 300))).size == (120, 80)
    assert T.Resize(100, max_size=120)(Image.new("RGB", (300, 451))).size == (80, 120)
    x = minidl.zeros(3, 300, 451)
    assert T.functional.resize(x, 100, max_size=120).shape == (3, 80, 120)
    assert T.Resize(None, max_size=50)(Image.new("L", (200, 100))).size == (50, 25)
    with pytest.raises(ValueError):
        T.Resize(100, max_size=100)(x)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("size", [(20, 30), (60, 90), (37, 20)])
def test_resize_without_antialias_is_plain_interpolate(mode, size, torch):
    x = np.random.default_rng(0).random((2, 3, 37, 53)).astype(np.float32)
    expected = torch.nn.functional.interpolate(torch.tensor(x), size=size, mode=mode,
                                               align_corners=False, antialias=False).numpy()
    got = T.Resize(size, interpolation=mode, antialias=False)(minidl.tensor(x)).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)
    got = T.functional.resize(minidl.tensor(x), list(size), interpolation=mode,
                              antialias=False).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_resize_antialias_changes_tensor_downscale_and_rrc_honours_it(torch):
    x = minidl.tensor(np.random.default_rng(1).random((3, 40, 40)).astype(np.float32))
    smooth = T.Resize(10)(x).numpy()
    plain = T.Resize(10, antialias=False)(x).numpy()
    assert smooth.shape == plain.shape == (3, 10, 10) and not np.allclose(smooth, plain)
    crop = T.RandomResizedCrop(8, scale=(1.0, 1.0), ratio=(1.0, 1.0), antialias=False)
    expected = torch.nn.functional.interpolate(torch.tensor(x.numpy())[None], size=(8, 8),
                                               mode="bilinear", antialias=False)[0].numpy()
    np.testing.assert_allclose(crop(x).numpy(), expected, atol=1e-5)
    u8 = minidl.tensor((x.numpy() * 255).astype(np.uint8))
    assert T.Resize(7, antialias=False)(u8).dtype == np.uint8


def _pil(h=40, w=60):
    return Image.fromarray(np.random.default_rng(2).integers(0, 256, (h, w, 3), dtype=np.uint8))


def test_v2_pipeline_on_pil_with_label():
    t = v2.Compose([v2.ToImage(), v2.RandomResizedCrop(24), v2.RandomHorizontalFlip(),
                    v2.ColorJitter(0.4, 0.4, 0.4), v2.ToDtype(minidl.float32, scale=True),
                    v2.Normalize([0.5] * 3, [0.5] * 3)])
    x, label = t(_pil(), 3)
    assert isinstance(x, tv_tensors.Image) and x.shape == (3, 24, 24)
    assert x.dtype == np.float32 and -1.0 <= float(x.min()) and float(x.max()) <= 1.0
    assert label == 3
    assert t(_pil()).shape == (3, 24, 24)


def test_v2_to_image_and_to_dtype():
    image = v2.ToImage()(_pil())
    assert isinstance(image, tv_tensors.Image) and image.dtype == np.uint8
    assert image.shape == (3, 40, 60)
    f = v2.ToDtype(minidl.float32, scale=True)(image)
    np.testing.assert_allclose(f.numpy(), image.numpy() / 255.0, rtol=1e-6)
    back = v2.ToDtype(minidl.uint8, scale=True)(f)
    np.testing.assert_array_equal(back.numpy(), image.numpy())
    assert float(v2.ToDtype(minidl.float32)(image).max()) > 1.0
    assert type(v2.ToPureTensor()(image)) is minidl.Tensor
    assert v2.ToImage()(np.zeros((5, 6, 3), np.uint8)).shape == (3, 5, 6)
    assert tv_tensors.Image(minidl.zeros(4, 5)).shape == (1, 4, 5)


def test_v2_on_uint8_and_float_tensors_passes_labels():
    u8 = minidl.tensor(np.random.default_rng(3).integers(0, 256, (3, 40, 60), dtype=np.uint8))
    out, label = v2.Compose([v2.Resize(20), v2.CenterCrop(16),
                             v2.ToDtype(minidl.float32, scale=True)])(u8, minidl.tensor(5))
    assert out.shape == (3, 16, 16) and out.dtype == np.float32
    assert 0.0 <= float(out.min()) and float(out.max()) <= 1.0
    assert int(label) == 5  # a second pure tensor is left alone
    erased, y = v2.RandomErasing(p=1.0)(out, 7)
    assert erased.shape == out.shape and y == 7
    assert v2.GaussianBlur(3)(out).shape == out.shape


def test_v2_structures_share_random_parameters():
    u8 = minidl.tensor(np.random.default_rng(4).integers(0, 256, (3, 30, 30), dtype=np.uint8))
    sample = {"image": tv_tensors.Image(u8), "mask": tv_tensors.Image(u8), "label": 1}
    out = v2.RandomCrop(10)(sample)
    assert out["label"] == 1 and isinstance(out["image"], tv_tensors.Image)
    np.testing.assert_array_equal(out["image"].numpy(), out["mask"].numpy())
    img, lab = v2.RandomApply([v2.RandomRotation(30)], p=1.0)(_pil(), 2)
    assert isinstance(img, Image.Image) and lab == 2
    img, lab = v2.RandomChoice([v2.Grayscale(), v2.RandomVerticalFlip()])(_pil(), 2)
    assert lab == 2
    assert v2.Lambda(lambda v: v * 2, int)(_pil(), 4)[1] == 8


def test_v2_functional():
    F = v2.functional
    x = minidl.rand(3, 20, 30)
    assert F.resize(x, [10]).shape == (3, 10, 15)
    assert F.get_size(x) == [20, 30]
    assert F.horizontal_flip(tv_tensors.Image(x)).__class__ is tv_tensors.Image
    assert F.to_dtype(F.to_image(_pil()), minidl.float32, scale=True).dtype == np.float32
    np.testing.assert_allclose(F.normalize(x, [0.5] * 3, [0.5] * 3).numpy(),
                               (x.numpy() - 0.5) / 0.5, rtol=1e-6)


def test_minidl_run_imports_transforms_v2(tmp_path):
    script = tmp_path / "v2script.py"
    script.write_text(textwrap.dedent("""
        import numpy as np
        import torch
        import torchvision.transforms.v2 as v2
        from torchvision import tv_tensors
        from torchvision.transforms.v2 import functional as F
        from PIL import Image
        t = v2.Compose([v2.ToImage(), v2.Resize(8), v2.ToDtype(torch.float32, scale=True)])
        x, y = t(Image.new("RGB", (16, 12)), 1)
        assert isinstance(x, tv_tensors.Image) and isinstance(x, torch.Tensor)
        print(tuple(x.shape), x.dtype == torch.float32, y, F.get_size(x))
    """))
    done = CliRunner().invoke(cli, ["run", str(script)])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "(3, 8, 10) True 1 [8, 10]"
