"""torchvision's augmentations beyond the basic ones (minidl.vision.transforms and its
functional module): deterministic results against Pillow and the maths, the seeding by a
DataLoader, argument errors, and ``torchvision.transforms.functional`` under minidl run."""
import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageOps

import minidl
from minidl.compat import run_script
from minidl.data import DataLoader, Dataset, blur
from minidl.vision import transforms as T
from minidl.vision.transforms import functional as TF


@pytest.fixture
def pixels():
    return np.random.default_rng(0).integers(0, 256, (12, 16, 3), dtype=np.uint8)


def chw(array):
    """An (H, W, C) array as a (C, H, W) Tensor of its dtype."""
    return minidl.tensor(np.ascontiguousarray(array.transpose(2, 0, 1)))


def hwc(tensor):
    return tensor.numpy().transpose(1, 2, 0)


# -- colour ----------------------------------------------------------------------------------

def test_brightness_matches_pillow_on_images_and_uint8_tensors(pixels):
    image = Image.fromarray(pixels)
    expected = np.asarray(ImageEnhance.Brightness(image).enhance(1.5))
    assert np.array_equal(np.asarray(TF.adjust_brightness(image, 1.5)), expected)
    assert np.array_equal(hwc(TF.adjust_brightness(chw(pixels), 1.5)), expected)
    floats = chw(pixels.astype(np.float32) / 255)
    assert np.allclose(TF.adjust_brightness(floats, 1.5).numpy(),
                       np.minimum(floats.numpy() * 1.5, 1.0))


def test_grayscale_contrast_saturation_use_torchvision_weights():
    rgb = minidl.tensor(np.eye(3, dtype=np.float32).reshape(3, 3, 1, 1).repeat(2, 2)[:, :, 0])
    gray = T.Grayscale()(rgb)                        # (3, 3, 1): pure red, green, blue rows
    assert np.allclose(gray.numpy()[0, :, 0], [0.2989, 0.587, 0.114])
    assert T.Grayscale(3)(rgb).shape == (3, 3, 1)
    assert np.allclose(TF.adjust_saturation(rgb, 0.0).numpy(), gray.numpy())
    flat = TF.adjust_contrast(rgb, 0.0).numpy()
    assert np.allclose(flat, np.mean([0.2989, 0.587, 0.114]))


def test_hue_turns_red_to_cyan_and_zero_changes_nothing(pixels):
    red = minidl.tensor(np.array([1.0, 0.0, 0.0], np.float32).reshape(3, 1, 1))
    assert np.allclose(TF.adjust_hue(red, 0.5).numpy().ravel(), [0, 1, 1])
    assert np.allclose(TF.adjust_hue(red, 1 / 3).numpy().ravel(), [0, 1, 0], atol=1e-6)
    floats = chw(pixels.astype(np.float32) / 255)
    assert np.allclose(TF.adjust_hue(floats, 0.0).numpy(), floats.numpy(), atol=1e-6)
    turned = np.asarray(TF.adjust_hue(Image.new("RGB", (2, 2), (255, 0, 0)), 0.5))
    assert np.abs(turned[0, 0].astype(int) - [0, 255, 255]).max() <= 3
    with pytest.raises(ValueError, match="hue_factor"):
        TF.adjust_hue(red, 0.7)


def test_tone_operations_match_pillow_on_uint8_tensors(pixels):
    image = Image.fromarray(pixels)
    cases = [(TF.invert, ImageOps.invert), (TF.equalize, ImageOps.equalize),
             (lambda x: TF.posterize(x, 3), lambda x: ImageOps.posterize(x, 3)),
             (lambda x: TF.solarize(x, 100), lambda x: ImageOps.solarize(x, 100))]
    for ours, pillow in cases:
        assert np.array_equal(hwc(ours(chw(pixels))), np.asarray(pillow(image)))
    stretched = hwc(TF.autocontrast(chw(pixels // 2 + 10)))
    assert stretched.min(axis=(0, 1)).tolist() == [0, 0, 0]
    assert stretched.max(axis=(0, 1)).tolist() == [255, 255, 255]
    sharp = hwc(TF.adjust_sharpness(chw(pixels), 2.0)).astype(int)
    expected = np.asarray(ImageEnhance.Sharpness(image).enhance(2.0)).astype(int)
    assert np.abs(sharp - expected)[1:-1, 1:-1].max() <= 1


def test_color_jitter_draws_its_order_and_factors(pixels):
    jitter = T.ColorJitter(brightness=0.5, hue=0.1)
    assert jitter.brightness == (0.5, 1.5) and jitter.hue == (-0.1, 0.1)
    assert jitter.contrast is None and jitter.saturation is None
    order, b, c, s, h = T.ColorJitter.get_params(jitter.brightness, None, None, jitter.hue,
                                                 np.random.default_rng(3))
    assert sorted(order) == [0, 1, 2, 3] and 0.5 <= b <= 1.5 and -0.1 <= h <= 0.1
    assert c is None and s is None
    batch = minidl.tensor(np.stack([hwc(chw(pixels)).transpose(2, 0, 1)] * 2)
                          .astype(np.float32) / 255)
    out = jitter(batch).numpy()
    assert np.allclose(out[0], out[1])               # one draw for the whole batch
    assert isinstance(jitter(Image.fromarray(pixels)), Image.Image)


def test_random_grayscale_keeps_the_channel_count(pixels):
    out = T.RandomGrayscale(p=1.0)(Image.fromarray(pixels))
    assert out.mode == "RGB" and np.ptp(np.asarray(out), axis=2).max() == 0
    assert T.RandomGrayscale(p=0.0)(chw(pixels)).shape == (3, 12, 16)


# -- geometry --------------------------------------------------------------------------------

def test_flips_rotate_and_affine_follow_torchvision_directions(pixels):
    assert np.array_equal(np.asarray(TF.hflip(Image.fromarray(pixels))), pixels[:, ::-1])
    assert np.array_equal(hwc(TF.vflip(chw(pixels))), pixels[::-1])
    dot = np.zeros((9, 9, 1), np.float32)
    dot[4, 7] = 1                                      # right of the centre
    up = hwc(TF.rotate(chw(dot), 90))                  # counter-clockwise: to the top
    assert up[1, 4, 0] == 1
    assert np.array_equal(hwc(TF.affine(chw(dot), -90, [0, 0], 1.0, 0.0)), up)  # clockwise
    below = np.zeros((9, 9, 1), np.float32)
    below[6, 4] = 1                                    # two rows below the centre
    sheared = hwc(TF.affine(chw(below), 0, [0, 0], 1.0, [45.0, 0.0]))
    assert sheared[6, 2, 0] == 1                       # x' = x - tan(45°) · y
    shifted = hwc(TF.affine(chw(below), 0, [1, -2], 1.0, 0.0))
    assert shifted[4, 5, 0] == 1


def test_random_affine_draws_shear_in_its_ranges():
    affine = T.RandomAffine(0, shear=(-10, 10, 5, 6))
    for seed in range(5):
        _, _, _, (sx, sy) = affine.draw(np.random.default_rng(seed), 8, 8)
        assert -10 <= sx <= 10 and 5 <= sy <= 6
    batch = minidl.tensor(np.random.default_rng(0).random((2, 1, 8, 8)).astype(np.float32))
    batch = minidl.tensor(np.concatenate([batch.numpy()[:1]] * 2))
    out = T.RandomAffine(30, translate=(0.2, 0.2), shear=10)(batch).numpy()
    assert np.array_equal(out[0], out[1])
    with pytest.raises(ValueError, match="shear"):
        T.RandomAffine(0, shear=(1, 2, 3))


def test_rotation_about_a_given_center_and_perspective():
    dot = np.zeros((9, 9, 1), np.float32)
    dot[0, 2] = 1                                      # pixel centre (2.5, 0.5)
    turned = hwc(TF.rotate(chw(dot), -90, center=[0.5, 0.5]))  # clockwise about pixel 0, 0
    assert turned[2, 0, 0] == 1                        # (0.5, 2.5): below the corner pixel
    corners = [[0, 0], [8, 0], [8, 8], [0, 8]]
    assert np.allclose(TF.perspective(chw(dot), corners, corners).numpy(), chw(dot).numpy())
    image = Image.fromarray(np.full((10, 10), 200, np.uint8))
    warped = np.asarray(T.RandomPerspective(distortion_scale=0.8, p=1.0)(image))
    assert warped.shape == (10, 10) and (warped == 0).any() and (warped == 200).any()
    rng = np.random.default_rng(0)
    start, end = T.RandomPerspective.get_params(20, 10, 0.5, rng)
    assert start == [[0, 0], [19, 0], [19, 9], [0, 9]]
    assert 0 <= end[0][0] <= 5 and 14 <= end[1][0] <= 19 and 7 <= end[2][1] <= 9


def test_rand_augment_and_trivial_augment(pixels):
    minidl.manual_seed(0)
    image = Image.fromarray(pixels)
    for augment in (T.RandAugment(), T.RandAugment(num_ops=3, magnitude=30),
                    T.TrivialAugmentWide()):
        for _ in range(20):
            assert augment(image).size == image.size
            assert augment(chw(pixels)).shape == (3, 12, 16)
    assert T.RandAugment(num_ops=0)(image) is image
    with pytest.raises(ValueError, match="magnitude"):
        T.RandAugment(magnitude=31)


def test_random_resized_crop_size_and_box_inside():
    image = Image.new("RGB", (40, 30))
    crop = T.RandomResizedCrop((8, 12), scale=(0.1, 0.9), ratio=(0.5, 2.0))
    assert crop(image).size == (12, 8)
    assert crop(minidl.zeros(2, 3, 30, 40)).shape == (2, 3, 8, 12)
    rng = np.random.default_rng(0)
    for _ in range(200):
        top, left, h, w = T.RandomResizedCrop.get_params(image, (0.1, 0.9), (0.5, 2.0), rng)
        assert 0 <= top and top + h <= 30 and 0 <= left and left + w <= 40
        assert 0.1 * 1200 * 0.8 <= h * w <= 0.9 * 1200 * 1.2
        assert 0.5 * 0.8 <= w / h <= 2.0 * 1.2


def test_random_resized_crop_falls_back_to_the_central_crop():
    wide = Image.new("L", (40, 10))                   # W / H = 4 > max(ratio)
    box = T.RandomResizedCrop.get_params(wide, (2.0, 3.0), (3 / 4, 4 / 3),
                                         np.random.default_rng(0))
    assert box == (0, (40 - 13) // 2, 10, 13)
    square = minidl.zeros(1, 10, 10)
    assert T.RandomResizedCrop.get_params(square, (2.0, 3.0), (0.5, 2.0)) == (0, 0, 10, 10)


def test_gaussian_blur_keeps_constants_and_spreads_an_impulse_as_a_gaussian():
    constant = minidl.full((3, 9, 9), 0.25)
    assert np.allclose(T.GaussianBlur(5, (0.5, 2.0))(constant).numpy(), 0.25)
    impulse = np.zeros((1, 11, 11), np.float32)
    impulse[0, 5, 5] = 1
    out = TF.gaussian_blur(minidl.tensor(impulse), [5, 3], [1.0, 2.0]).numpy()[0]
    g_x, g_y = blur.gaussian_kernel1d(5, 1.0), blur.gaussian_kernel1d(3, 2.0)
    assert np.isclose(g_x.sum(), 1) and np.isclose(out.sum(), 1)
    assert np.allclose(out[4:7, 3:8], np.outer(g_y, g_x), atol=1e-7)
    x = np.arange(5) - 2.0
    assert np.allclose(g_x, np.exp(-x ** 2 / 2) / np.exp(-x ** 2 / 2).sum())
    pil = TF.gaussian_blur(Image.new("L", (8, 8), 100), 3)
    assert np.all(np.asarray(pil) == 100)


def test_random_erasing_erases_one_rectangle_of_the_area_range():
    rng_area = []
    for seed in range(30):
        minidl.manual_seed(seed)
        out = T.RandomErasing(p=1.0)(minidl.ones(3, 20, 30)).numpy()
        zero = out[0] == 0
        rows, cols = np.flatnonzero(zero.any(1)), np.flatnonzero(zero.any(0))
        h, w = len(rows), len(cols)
        assert zero.sum() == h * w and np.all(out[:, zero] == 0)   # one rectangle, all channels
        assert np.all(zero[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])
        rng_area.append(h * w / 600)
    assert min(rng_area) >= 0.02 * 0.7 and max(rng_area) <= 0.33 * 1.3
    image = minidl.ones(3, 20, 30)
    assert T.RandomErasing(p=1.0, value="random", inplace=True)(image) is image
    assert np.unique(image.numpy()).size > 2
    colored = T.RandomErasing(p=1.0, value=(0.5, 0.25, 0.0))(minidl.ones(3, 20, 30)).numpy()
    assert {0.5, 0.25, 0.0} <= set(np.unique(colored).tolist())
    assert T.RandomErasing(p=0.0)(image) is image
    erased = TF.erase(minidl.ones(1, 4, 4), 1, 1, 2, 2, 0).numpy()[0]
    assert erased.sum() == 12 and erased[1:3, 1:3].sum() == 0


# -- composition, conversion -----------------------------------------------------------------

def test_random_apply_choice_order():
    add = [T.Lambda(lambda x: x + "a"), T.Lambda(lambda x: x + "b")]
    assert T.RandomApply(add, p=1.0)("") == "ab" and T.RandomApply(add, p=0.0)("") == ""
    assert T.RandomChoice(add, p=[0, 1])("") == "b"
    minidl.manual_seed(0)
    assert {T.RandomOrder(add)("") for _ in range(30)} == {"ab", "ba"}
    assert {T.RandomChoice(add)("") for _ in range(30)} == {"a", "b"}


def test_convert_image_dtype():
    image = minidl.tensor(np.array([[[0, 128, 255]]], np.uint8))
    floats = T.ConvertImageDtype(minidl.float32)(image)
    assert floats.dtype == np.float32 and np.allclose(floats.numpy(), [0, 128 / 255, 1])
    back = TF.convert_image_dtype(floats, minidl.uint8)
    assert np.array_equal(back.numpy(), image.numpy())
    assert np.array_equal(TF.convert_image_dtype(image, minidl.int16).numpy(),
                          [[[0, 128 * 128, 255 * 128]]])
    with pytest.raises(RuntimeError, match="safely"):
        TF.convert_image_dtype(floats, minidl.int32)


# -- seeding ---------------------------------------------------------------------------------

class Images(Dataset):
    def __init__(self, transform):
        self.images = np.random.default_rng(1).random((8, 3, 16, 16)).astype(np.float32)
        self.transform = transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        return self.transform(minidl.tensor(self.images[index])).numpy()


def test_the_loader_seed_fixes_the_augmentations_whatever_the_workers():
    augment = T.Compose([T.RandomResizedCrop(12), T.ColorJitter(0.4, 0.4, 0.4, 0.1),
                         T.RandomGrayscale(0.5), T.GaussianBlur(3), T.RandomAffine(20, shear=5),
                         T.RandomErasing(p=0.7, value="random")])

    def batches(seed, workers):
        loader = DataLoader(Images(augment), batch_size=3, generator=seed, num_workers=workers)
        return [batch.numpy() for batch in loader]
    first, again, threaded = batches(7, 0), batches(7, 0), batches(7, 2)
    assert all(np.array_equal(a, b) and np.array_equal(a, c)
               for a, b, c in zip(first, again, threaded))
    assert not np.array_equal(first[0], batches(8, 0)[0])


# -- errors and the torchvision module names -------------------------------------------------

@pytest.mark.parametrize("make, match", [
    (lambda: T.ColorJitter(hue=0.6), "hue"),
    (lambda: T.ColorJitter(brightness=-1), "brightness"),
    (lambda: T.ColorJitter(contrast="x"), "contrast"),
    (lambda: T.GaussianBlur(4), "kernel_size"),
    (lambda: T.GaussianBlur(3, sigma=(2, 1)), "sigma"),
    (lambda: T.RandomResizedCrop(8, scale=(0.9, 0.1)), "scale"),
    (lambda: T.RandomResizedCrop(8, ratio=(0, 1)), "ratio"),
    (lambda: T.RandomErasing(value="noise"), "value"),
    (lambda: T.RandomErasing(scale=(0.1, 1.5)), "scale"),
    (lambda: T.RandomErasing(p=2), "p"),
    (lambda: T.RandomChoice([abs], p=[0.5, 0.5]), "p"),
    (lambda: T.RandomApply(abs), "transforms"),
    (lambda: T.RandomPosterize(9), "bits"),
])
def test_arguments_are_checked_and_named(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_random_erasing_refuses_pil_images_and_wrong_value_lengths():
    with pytest.raises(TypeError, match="Tensor"):
        T.RandomErasing(p=1.0)(Image.new("RGB", (8, 8)))
    with pytest.raises(ValueError, match="channels"):
        T.RandomErasing(p=1.0, value=(1, 2))(minidl.ones(3, 8, 8))


def test_torchvision_functional_imports_under_minidl_run(tmp_path):
    program = tmp_path / "prog.py"
    program.write_text(
        "import torch\n"
        "import torchvision.transforms.functional as TF\n"
        "from torchvision.transforms import functional as F2\n"
        "import torchvision.transforms as transforms\n"
        "assert TF.hflip is F2.hflip is transforms.functional.hflip\n"
        "x = torch.arange(6.0).reshape(1, 2, 3)\n"
        "assert TF.hflip(x)[0, 0].tolist() == [2.0, 1.0, 0.0]\n"
        "t = transforms.Compose([transforms.RandomResizedCrop(2), transforms.ColorJitter(0.2)])\n"
        "assert t(torch.rand(3, 4, 4)).shape == (3, 2, 2)\n")
    run_script(program)
