"""minidl.color: CIE Lab against published values, grayscale, inversion, palettes, metrics."""
import numpy as np
import pytest
from PIL import Image

from minidl import color

# sRGB (8-bit) -> CIE Lab (D65, 2 degrees), as published by Bruce Lindbloom's calculator
# and EasyRGB (4 decimals).
REFERENCE_LAB = [
    ((255, 0, 0), (53.2408, 80.0925, 67.2032)),
    ((0, 255, 0), (87.7347, -86.1827, 83.1793)),
    ((0, 0, 255), (32.2970, 79.1875, -107.8602)),
    ((255, 255, 255), (100.0, 0.0, 0.0)),
    ((0, 0, 0), (0.0, 0.0, 0.0)),
    ((128, 128, 128), (53.5850, 0.0, 0.0)),
]


def test_lab_matches_published_values():
    rgb = np.array([r for r, _ in REFERENCE_LAB], dtype=np.uint8)
    expected = np.array([lab for _, lab in REFERENCE_LAB])
    lab = color.rgb_to_lab(rgb)
    assert lab.dtype == np.float32
    np.testing.assert_allclose(lab, expected, atol=2e-3)


def test_reference_white_is_d65():
    np.testing.assert_allclose(color.D65_WHITE, [0.95047, 1.0, 1.08883], atol=1e-6)
    assert color.EPSILON == 216 / 24389 and color.KAPPA == 24389 / 27


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-10), (np.float32, 1e-4)])
def test_round_trip_on_random_colours(rng, dtype, tolerance):
    rgb = rng.random((500, 3)).astype(dtype)
    dark = rng.random((100, 3)).astype(dtype) * 0.03  # below both linear-segment thresholds
    for colours in (rgb, dark):
        back = color.lab_to_rgb(color.rgb_to_lab(colours))
        assert back.dtype == dtype
        np.testing.assert_allclose(back, colours, atol=tolerance)


def test_companding_round_trip_and_threshold(rng):
    values = np.concatenate([rng.random(200), [0.0, 0.04045, 1.0]])
    # The standard's two thresholds (0.04045 and 0.0031308) disagree by about 3e-8.
    np.testing.assert_allclose(color.linear_to_srgb(color.srgb_to_linear(values)), values,
                               atol=1e-7)
    assert color.srgb_to_linear(np.array(0.04045)) == pytest.approx(0.04045 / 12.92)


def test_axis_selects_the_channel_axis(rng):
    batch = rng.random((2, 3, 4, 5))
    channel_last = color.rgb_to_lab(np.moveaxis(batch, 1, -1))
    np.testing.assert_allclose(color.rgb_to_lab(batch, axis=1),
                               np.moveaxis(channel_last, -1, 1))
    np.testing.assert_allclose(color.rgb_to_lab(batch[0], axis=0),
                               np.moveaxis(channel_last[0], -1, 0))


def test_out_of_gamut_lab_is_clipped_or_kept_finite():
    lab = np.array([[50.0, 120.0, -120.0], [20.0, -100.0, 90.0]])
    clipped = color.lab_to_rgb(lab)
    assert clipped.min() >= 0.0 and clipped.max() <= 1.0
    unclipped = color.lab_to_rgb(lab, clip=False)
    assert np.isfinite(unclipped).all() and (unclipped.min() < 0 or unclipped.max() > 1)


def test_colour_functions_reject_wrong_channel_count():
    with pytest.raises(ValueError, match=r"rgb_to_lab: expected 3 colour channels on axis 1, "
                                         r"got shape \(4, 4\)"):
        color.rgb_to_lab(np.zeros((4, 4)))
    with pytest.raises(IndexError, match="lab_to_rgb: dimension out of range"):
        color.lab_to_rgb(np.zeros((2, 3)), axis=2)


def test_luminance_grayscale_keeps_lightness(rng):
    rgb = rng.random((300, 3))
    gray = color.rgb_to_grayscale(rgb)
    assert gray.shape == (300, 1)
    lightness_of_gray = color.rgb_to_lab(np.repeat(gray, 3, axis=1))[:, 0]
    np.testing.assert_allclose(lightness_of_gray, color.rgb_to_lab(rgb)[:, 0], atol=1e-6)
    grays = np.linspace(0, 1, 11)[:, None].repeat(3, axis=1)
    np.testing.assert_allclose(color.rgb_to_grayscale(grays)[:, 0], grays[:, 0], atol=1e-12)
    red = color.rgb_to_grayscale(np.array([1.0, 0.0, 0.0]))
    assert red[0] == pytest.approx(color.linear_to_srgb(np.array(0.2126729 / 1.0000001)))


def test_rec601_grayscale_matches_pillow(rng):
    image = rng.integers(0, 256, size=(16, 16, 3), dtype=np.uint8)
    pillow = np.asarray(Image.fromarray(image).convert("L")).astype(np.float64)
    ours = color.rgb_to_grayscale(image, method="rec601")[..., 0] * 255
    assert np.abs(ours - pillow).max() <= 1.0


def test_grayscale_of_nchw_batch_and_bad_method(rng):
    batch = rng.random((2, 3, 5, 6)).astype(np.float32)
    gray = color.rgb_to_grayscale(batch, axis=1)
    assert gray.shape == (2, 1, 5, 6) and gray.dtype == np.float32
    with pytest.raises(ValueError, match="method must be one of"):
        color.rgb_to_grayscale(batch, axis=1, method="average")


def test_invert(rng):
    image = rng.integers(0, 256, size=(4, 4, 3), dtype=np.uint8)
    assert np.array_equal(color.invert(image), 255 - image)
    floats = rng.random((4, 4, 3))
    np.testing.assert_allclose(color.invert(color.invert(floats)), floats)
    np.testing.assert_allclose(color.invert(floats), 1 - floats)
    with pytest.raises(TypeError, match="invert: expected a uint8 or floating image"):
        color.invert(np.zeros((2, 2), dtype=np.int32))


def _three_clusters(rng):
    centres = np.array([[0.9, 0.1, 0.1], [0.1, 0.8, 0.2], [0.2, 0.2, 0.9]])
    points = centres[rng.integers(3, size=3000)] + rng.normal(0, 0.02, size=(3000, 3))
    return centres, points


def test_kmeans_palette_finds_clusters_and_is_a_fixed_point(rng):
    centres, points = _three_clusters(rng)
    palette = color.kmeans_palette(points, k=3, seed=0)
    order = np.argsort(palette.colors[:, 0] * 4 + palette.colors[:, 1] * 2)
    found = palette.colors[order]
    expected = centres[np.argsort(centres[:, 0] * 4 + centres[:, 1] * 2)]
    np.testing.assert_allclose(found, expected, atol=0.01)
    labels = palette.assign(points)
    means = np.array([points[labels == j].mean(axis=0) for j in range(3)])
    np.testing.assert_allclose(means, palette.colors, atol=1e-9)


def test_kmeans_palette_is_seeded(rng):
    pixels = rng.integers(0, 256, size=(8, 8, 8, 3), dtype=np.uint8)
    first = color.kmeans_palette(pixels, k=24, seed=3).colors
    again = color.kmeans_palette(pixels, k=24, seed=3).colors
    assert np.array_equal(first, again) and first.shape == (24, 3)
    assert first.min() >= 0 and first.max() <= 1


def test_palette_assign_is_the_nearest_colour_and_decodes(rng):
    palette = color.ColorPalette(rng.random((24, 3)))
    images = rng.random((2, 3, 5, 4))
    indices = palette.assign(images, axis=1)
    assert indices.shape == (2, 5, 4) and indices.dtype == np.int64
    pixels = np.moveaxis(images, 1, -1).reshape(-1, 3)
    brute = ((pixels[:, None] - palette.colors[None]) ** 2).sum(-1).argmin(1)
    assert np.array_equal(indices.ravel(), brute)
    decoded = palette.decode(indices, axis=1)
    assert decoded.shape == images.shape and decoded.dtype == np.float32
    np.testing.assert_allclose(decoded[0, :, 0, 0], palette.colors[indices[0, 0, 0]], rtol=1e-6)


def test_palette_errors():
    with pytest.raises(ValueError, match=r"need at least k=4 distinct colours, the pixels hold 2"):
        color.kmeans_palette(np.array([[0, 0, 0], [1, 1, 1]] * 5, dtype=float), k=4)
    with pytest.raises(IndexError, match=r"indices must lie in \[0, 1\]"):
        color.ColorPalette(np.eye(3)[:2]).decode(np.array([0, 2]))
    with pytest.raises(ValueError, match=r"colors must have shape \(k, 3\)"):
        color.ColorPalette(np.zeros((4, 2)))


def test_psnr():
    target = np.full((2, 3, 4, 4), 0.5)
    assert color.psnr(target, target) == float("inf")
    assert color.psnr(target + 0.1, target) == pytest.approx(20.0)
    assert color.psnr(target * 255 + 25.5, target * 255, data_range=255) == pytest.approx(20.0)
    with pytest.raises(ValueError, match=r"psnr: prediction has shape \(2, 2\), target has "
                                         r"shape \(2, 3\)"):
        color.psnr(np.zeros((2, 2)), np.zeros((2, 3)))


def test_mean_ab_error():
    gray_dark, gray_light = np.full((4, 4, 3), 0.2), np.full((4, 4, 3), 0.9)
    assert color.mean_ab_error(gray_dark, gray_light) == pytest.approx(0.0, abs=1e-9)
    red, green = np.zeros((1, 3, 2, 2)), np.zeros((1, 3, 2, 2))
    red[:, 0], green[:, 1] = 1.0, 1.0
    distance = np.hypot(80.0925 + 86.1827, 67.2032 - 83.1793)
    assert color.mean_ab_error(red, green, axis=1) == pytest.approx(distance, abs=1e-2)


def test_colorfulness():
    assert color.colorfulness(np.full((8, 8, 3), 0.4)) == pytest.approx(0.0)
    red = np.zeros((2, 3, 8, 8))
    red[:, 0] = 1.0  # rg = 255, yb = 127.5 everywhere: no spread, M = 0.3 * |mean|
    expected = 0.3 * np.hypot(255.0, 127.5)
    np.testing.assert_allclose(color.colorfulness(red, axis=1), [expected, expected])
    with pytest.raises(ValueError, match=r"colorfulness: expected images of shape"):
        color.colorfulness(np.zeros((4, 3)))
