"""Colorized MNIST (study 1, seed 000): does a classifier learn a digit's shape or its colours?

Every MNIST digit becomes a 28x28 RGB image: a background colour drawn at random for the
image, and a digit colour drawn from a fixed set. MNIST's gray value ``m`` in [0, 1] (0
paper, 1 ink) blends the two::

    pixel = (1 - m) * background + m * digit_colour          (normal)
    pixel = (1 - m) * digit_colour + m * background          (inverted: colours swapped)

The digit colours (``DIGIT_COLORS``, RGB in [0, 1]; the colour label is the index here)::

    0 red (1, 0, 0)     1 green (0, 1, 0)    2 blue (0, 0, 1)      3 yellow (1, 1, 0)
    4 cyan (0, 1, 1)    5 magenta (1, 0, 1)  6 orange (1, .5, 0)   7 purple (.5, 0, 1)
    8 white (1, 1, 1)   9 black (0, 0, 0)

``HELD_OUT_COLORS`` (orange and cyan) are the colours the "unseen-colors" experiment keeps
out of training and tests on. Backgrounds are uniform in the RGB cube, redrawn until
their CIE lightness L* differs from the digit colour's by at least ``min_lightness_gap``
(25 of 100), so the digit stays visible in colour and in grayscale. Grayscale images use
CIE luminance (:func:`minidl.color.rgb_to_grayscale`).

Everything is decided by ``seed`` (train and test draw from different streams), so a seed
gives the same images on every machine. Images are rendered when asked for, from the
MNIST array and the per-image colours.

One call per experiment of the study::

    from minidl.datasets.colorized_mnist import load_experiment
    train = load_experiment("digits", train=True)    # 60,000 samples
    test = load_experiment("digits", train=False)    # 10,000
    # sample: (3, 28, 28) float32 in [0, 1], int label (the digit; the colour index for
    # "color-label"); "grayscale": (1, 28, 28). Batches: (B, 3, 28, 28) float32, (B,) int64.

| experiment    | train                          | test                                 |
|---------------|--------------------------------|--------------------------------------|
| digits        | all colours                    | all colours                          |
| inverted      | all colours                    | all colours, inverted                |
| unseen-colors | colours except HELD_OUT_COLORS | only HELD_OUT_COLORS                 |
| color-label   | target = colour index          | target = colour index                |
| grayscale     | grayscale                      | grayscale of inverted images         |

Colouring schemes (``scheme``), the setting behind the inverted-colours question:

* ``contrast`` (the default): any background at least ``min_lightness_gap`` L* away from
  the digit colour, lighter **or** darker, so "ink" is never simply the brighter colour and
  an inverted image is still a digit of the training distribution;
* ``bright-on-dark`` (the document's plausible scheme): only the bright digit colours
  (L* >= 50: ``BRIGHT_COLORS``) on backgrounds at least ``min_lightness_gap`` darker than
  the digit, so every training digit is lighter than its background and an inverted image
  (a dark digit on a bright ground) is something the model has never seen.

Training-set choices that may buy robustness (training images only; each image's draw is
fixed by the seed): ``invert_fraction`` of the images inverted, ``shuffle_channels``
(each image's RGB channels permuted, so colours are drawn from a larger set).
"""
from __future__ import annotations

import numpy as np

from minidl.color import rgb_to_grayscale, rgb_to_lab
from minidl.data import Dataset
from minidl.datasets.mnist import load_mnist

DIGIT_COLORS = {
    "red": (1.0, 0.0, 0.0), "green": (0.0, 1.0, 0.0), "blue": (0.0, 0.0, 1.0),
    "yellow": (1.0, 1.0, 0.0), "cyan": (0.0, 1.0, 1.0), "magenta": (1.0, 0.0, 1.0),
    "orange": (1.0, 0.5, 0.0), "purple": (0.5, 0.0, 1.0), "white": (1.0, 1.0, 1.0),
    "black": (0.0, 0.0, 0.0),
}
COLOR_NAMES = tuple(DIGIT_COLORS)
HELD_OUT_COLORS = ("orange", "cyan")
EXPERIMENTS = ("digits", "inverted", "unseen-colors", "color-label", "grayscale")
TARGETS = ("digit", "color")
SCHEMES = ("contrast", "bright-on-dark")
MIN_LIGHTNESS_GAP = 25.0
BRIGHT_LIGHTNESS = 50.0
_MAX_REDRAWS = 1000
BRIGHT_COLORS = tuple(name for name, rgb in DIGIT_COLORS.items()
                      if rgb_to_lab(np.array(rgb, dtype=np.float32))[0] >= BRIGHT_LIGHTNESS)


class ColorizedMNIST(Dataset):
    """MNIST digits coloured as in the module docstring.

    Args:
        train: MNIST's training (60,000) or test (10,000) digits.
        colors: names of the digit colours to draw from (default: all ten).
        invert: swap digit and background colours.
        grayscale: convert to one channel of CIE luminance after colouring.
        target: "digit" (0-9) or "color" (index in ``COLOR_NAMES``).
        seed: decides every colour; train and test use different streams of it.
        min_lightness_gap: least |L*(background) - L*(digit colour)|.
        data_dir: where MNIST is (see :mod:`.mnist`).
        scheme: "contrast" or "bright-on-dark" (module docstring).
        invert_fraction: the share of images whose colours are swapped (augmentation).
        shuffle_channels: permute each image's RGB channels (augmentation; digit target).

    Attributes: ``digit_labels``, ``color_labels`` (N,) int64; ``digit_colors``,
    ``background_colors`` (N, 3) float32; ``targets`` (the labels of ``target``).
    """

    def __init__(self, train: bool = True, colors=None, invert: bool = False,
                 grayscale: bool = False, target: str = "digit", seed: int = 0,
                 min_lightness_gap: float = MIN_LIGHTNESS_GAP, data_dir=None,
                 scheme: str = "contrast", invert_fraction: float = 0.0,
                 shuffle_channels: bool = False):
        if scheme not in SCHEMES:
            raise ValueError(f"ColorizedMNIST: scheme must be one of {SCHEMES}, got {scheme!r}")
        default_colors = BRIGHT_COLORS if scheme == "bright-on-dark" else COLOR_NAMES
        colors = list(default_colors if colors is None else colors)
        unknown = [c for c in colors if c not in DIGIT_COLORS]
        if unknown or not colors:
            raise ValueError(f"ColorizedMNIST: colors must be a non-empty list of "
                             f"{COLOR_NAMES}, got {colors}")
        if scheme == "bright-on-dark" and not set(colors) <= set(BRIGHT_COLORS):
            raise ValueError(f"ColorizedMNIST: the bright-on-dark scheme needs bright digit "
                             f"colours ({BRIGHT_COLORS}), got {colors}")
        if target not in TARGETS:
            raise ValueError(f"ColorizedMNIST: target must be one of {TARGETS}, got {target!r}")
        if not 0.0 <= invert_fraction <= 1.0:
            raise ValueError(f"ColorizedMNIST: invert_fraction must be in [0, 1], got "
                             f"{invert_fraction}")
        if shuffle_channels and target == "color":
            raise ValueError("ColorizedMNIST: shuffle_channels changes the digit colours; "
                             "it cannot be used with target='color'")
        self.scheme = scheme
        self.train, self.invert, self.grayscale, self.target = train, invert, grayscale, target
        self.colors = colors
        self.digits, self.digit_labels = load_mnist(train, data_dir)
        rng = np.random.default_rng([seed, 0 if train else 1])
        choice = rng.integers(len(colors), size=len(self.digits))
        self.color_labels = np.array([COLOR_NAMES.index(colors[i]) for i in choice],
                                     dtype=np.int64)
        palette = np.array(list(DIGIT_COLORS.values()), dtype=np.float32)
        self.digit_colors = palette[self.color_labels]
        self.background_colors = _backgrounds(self.digit_colors, min_lightness_gap, rng,
                                              darker_only=scheme == "bright-on-dark")
        # augmentation draws come from a stream of their own: the colours above stay
        # those of the plain dataset with the same seed
        augment = np.random.default_rng([seed, 0 if train else 1, 1])
        self.inverted = augment.random(len(self.digits)) < invert_fraction
        if shuffle_channels:
            order = np.array([augment.permutation(3) for _ in range(len(self.digits))])
            self.digit_colors = np.take_along_axis(self.digit_colors, order, axis=1)
            self.background_colors = np.take_along_axis(self.background_colors, order, axis=1)
        self.targets = self.digit_labels if target == "digit" else self.color_labels

    def render(self, indices) -> np.ndarray:
        """Images at ``indices``: (n, 3, 28, 28) float32 in [0, 1], or (n, 1, 28, 28) in
        grayscale."""
        ink = self.digits[indices].astype(np.float32)[:, None] / np.float32(255.0)
        digit = self.digit_colors[indices][:, :, None, None]
        background = self.background_colors[indices][:, :, None, None]
        swap = (self.inverted[indices] != self.invert)[:, None, None, None]
        digit, background = np.where(swap, background, digit), np.where(swap, digit, background)
        images = (1.0 - ink) * background + ink * digit
        return rgb_to_grayscale(images, axis=1) if self.grayscale else images

    def stroke_masks(self, indices) -> np.ndarray:
        """Where the digit's ink is (MNIST gray value above one half): (n, 28, 28) bool.
        The same pixels whether the colours are inverted or not."""
        return self.digits[indices] > 127

    def __getitem__(self, index):
        return self.render([index])[0], int(self.targets[index])

    def __getitems__(self, indices) -> list:
        """The samples at ``indices``, rendered together (a DataLoader builds each batch
        with one call)."""
        images = self.render(indices)
        return list(zip(images, self.targets[indices].tolist()))

    def __len__(self) -> int:
        return len(self.digits)


def load_experiment(experiment: str, train: bool, seed: int = 0, data_dir=None,
                    held_out=HELD_OUT_COLORS, scheme: str = "contrast",
                    invert_fraction: float = 0.0,
                    shuffle_channels: bool = False) -> ColorizedMNIST:
    """The train or test data of one experiment of the study (table in the module
    docstring), in colouring ``scheme``; the augmentations apply to training data only."""
    palette = BRIGHT_COLORS if scheme == "bright-on-dark" else COLOR_NAMES
    options = {"digits": {},
               "inverted": {"invert": not train},
               "unseen-colors": {"colors": [c for c in palette if c not in held_out]
                                 if train else list(held_out)},
               "color-label": {"target": "color"},
               "grayscale": {"grayscale": True, "invert": not train}}
    if experiment not in options:
        raise ValueError(f"colorized-mnist: experiment must be one of {EXPERIMENTS}, got "
                         f"{experiment!r}")
    augment = {"invert_fraction": invert_fraction, "shuffle_channels": shuffle_channels} \
        if train else {}
    return ColorizedMNIST(train=train, seed=seed, data_dir=data_dir, scheme=scheme,
                          **augment, **options[experiment])


def _backgrounds(digit_colors: np.ndarray, gap: float, rng,
                 darker_only: bool = False) -> np.ndarray:
    """Uniform RGB backgrounds, redrawn where L* is closer than ``gap`` to the digit's (or,
    ``darker_only``, not at least ``gap`` below it)."""
    digit_lightness = rgb_to_lab(digit_colors)[:, 0]
    backgrounds = np.empty_like(digit_colors)
    todo = np.arange(len(digit_colors))
    for _ in range(_MAX_REDRAWS):
        if len(todo) == 0:
            return backgrounds
        backgrounds[todo] = rng.random((len(todo), 3), dtype=np.float32)
        lightness = rgb_to_lab(backgrounds[todo])[:, 0]
        difference = digit_lightness[todo] - lightness
        todo = todo[(difference if darker_only else np.abs(difference)) < gap]
    raise ValueError(f"ColorizedMNIST: no background colour {gap} L* away from the digit "
                     f"colour after {_MAX_REDRAWS} draws; lower min_lightness_gap")
