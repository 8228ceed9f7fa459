"""Colorized MNIST's colouring schemes and training-set augmentations."""
import numpy as np
import pytest

from minidl.color import rgb_to_lab
from minidl.datasets.colorized_mnist import (
    BRIGHT_COLORS,
    MIN_LIGHTNESS_GAP,
    ColorizedMNIST,
    load_experiment,
)


def lightness(rgb):
    return rgb_to_lab(np.asarray(rgb, dtype=np.float32))[..., 0]


def test_bright_colors_are_the_light_ones():
    assert set(BRIGHT_COLORS) == {"red", "green", "yellow", "cyan", "magenta", "orange",
                                  "white"}


def test_bright_on_dark_puts_every_digit_on_a_darker_ground():
    data = ColorizedMNIST(train=False, scheme="bright-on-dark")
    gap = lightness(data.digit_colors) - lightness(data.background_colors)
    assert gap.min() >= MIN_LIGHTNESS_GAP - 1e-3
    contrast = ColorizedMNIST(train=False)
    gap = lightness(contrast.digit_colors) - lightness(contrast.background_colors)
    assert np.abs(gap).min() >= MIN_LIGHTNESS_GAP - 1e-3
    assert (gap < 0).mean() > 0.2 and (gap > 0).mean() > 0.2  # both directions occur


def test_inverted_test_set_swaps_the_colours_of_the_same_scheme():
    normal = load_experiment("digits", train=False, scheme="bright-on-dark")
    inverted = load_experiment("inverted", train=False, scheme="bright-on-dark")
    a, b = normal.render([0, 1]), inverted.render([0, 1])
    ink = normal.digits[[0, 1]] > 250
    np.testing.assert_allclose(a.transpose(0, 2, 3, 1)[ink],
                               normal.digit_colors[np.nonzero(ink)[0]], atol=2e-2)
    np.testing.assert_allclose(b.transpose(0, 2, 3, 1)[ink],
                               normal.background_colors[np.nonzero(ink)[0]], atol=2e-2)


def test_augmentations_are_seeded_and_leave_the_plain_colours_alone():
    plain = ColorizedMNIST(train=True)
    augmented = ColorizedMNIST(train=True, invert_fraction=0.5, shuffle_channels=True)
    again = ColorizedMNIST(train=True, invert_fraction=0.5, shuffle_channels=True)
    assert 0.45 < augmented.inverted.mean() < 0.55
    np.testing.assert_array_equal(augmented.render(range(20)), again.render(range(20)))
    np.testing.assert_array_equal(np.sort(augmented.digit_colors, axis=1),
                                  np.sort(plain.digit_colors, axis=1))  # channels permuted
    assert not plain.inverted.any()
    # the test split of an experiment never gets the training augmentations
    test = load_experiment("digits", train=False, invert_fraction=1.0, shuffle_channels=True)
    assert not test.inverted.any()


def test_bad_scheme_settings_are_named():
    with pytest.raises(ValueError, match="scheme must be one of"):
        ColorizedMNIST(train=False, scheme="neon")
    with pytest.raises(ValueError, match="bright digit colours"):
        ColorizedMNIST(train=False, scheme="bright-on-dark", colors=["black"])
    with pytest.raises(ValueError, match="invert_fraction"):
        ColorizedMNIST(train=False, invert_fraction=1.5)
    with pytest.raises(ValueError, match="target='color'"):
        ColorizedMNIST(train=False, shuffle_channels=True, target="color")
