"""Transforms: callables that turn one image into another, composed into a pipeline.

    train_transform = Compose([
        Resize((128, 128)),
        RandomHorizontalFlip(),
        RandomRotation(15),
        ToTensor(),                       # (H, W, C) uint8 -> (C, H, W) float32 in [0, 1]
        Normalize([0.5], [0.5]),
    ])

Names and arguments follow torchvision. Inputs are Pillow images or (H, W[, C]) NumPy
arrays (see :mod:`.functional`); each transform returns the kind it was given, except
``ToTensor``.

Randomness: a random transform draws from the ``generator`` given to it (a NumPy
Generator or an int seed) or, by default, from
:func:`~minidl.data.seeding.sample_generator` — the per-sample generator the DataLoader
sets (repeatable for a seed, whatever the number of workers) or, outside a loader,
minidl's global generator (repeatable after ``minidl.manual_seed``).
"""
from __future__ import annotations

import numbers

from . import functional as F
from .seeding import as_generator, sample_generator


class Compose:
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, image):
        for transform in self.transforms:
            image = transform(image)
        return image

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}," for t in self.transforms)
        return f"Compose([{inner}\n])"


class ToTensor:
    """(H, W, C) uint8 or float image -> (C, H, W) float32 array; uint8 is divided by 255."""

    def __call__(self, image):
        return F.to_tensor(image)

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """``(x - mean[c]) / std[c]`` per channel of a (C, H, W) float array."""

    def __init__(self, mean, std):
        self.mean, self.std = mean, std

    def __call__(self, tensor):
        return F.normalize(tensor, self.mean, self.std)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


class Resize:
    """Resize to ``size`` (int: the shorter side, keeping the aspect; or (height, width))."""

    def __init__(self, size, interpolation: str = "bilinear"):
        self.size, self.interpolation = size, interpolation

    def __call__(self, image):
        return F.resize(image, self.size, self.interpolation)

    def __repr__(self) -> str:
        return f"Resize(size={self.size}, interpolation={self.interpolation!r})"


class CenterCrop:
    """The central ``size`` window."""

    def __init__(self, size):
        self.size = size

    def __call__(self, image):
        return F.center_crop(image, self.size)

    def __repr__(self) -> str:
        return f"CenterCrop(size={self.size})"


class RandomTransform:
    """Base of the random transforms: where their random numbers come from."""

    def __init__(self, generator=None):
        owner = type(self).__name__
        self.generator = None if generator is None else as_generator(generator, owner)

    @property
    def rng(self):
        return self.generator if self.generator is not None else sample_generator()


class RandomHorizontalFlip(RandomTransform):
    """Mirror left <-> right with probability ``p``."""

    def __init__(self, p: float = 0.5, generator=None):
        super().__init__(generator)
        self.p = check_probability(p, "RandomHorizontalFlip")

    def __call__(self, image):
        return F.hflip(image) if self.rng.random() < self.p else image

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class RandomVerticalFlip(RandomTransform):
    """Mirror top <-> bottom with probability ``p``."""

    def __init__(self, p: float = 0.5, generator=None):
        super().__init__(generator)
        self.p = check_probability(p, "RandomVerticalFlip")

    def __call__(self, image):
        return F.vflip(image) if self.rng.random() < self.p else image

    def __repr__(self) -> str:
        return f"RandomVerticalFlip(p={self.p})"


class RandomCrop(RandomTransform):
    """A ``size`` window at a uniformly random place (torchvision's arguments).

    ``padding`` (an int, (left/right, top/bottom) or (left, top, right, bottom)) is added
    first, with ``fill`` and ``padding_mode`` as in :func:`.functional.pad`; with
    ``pad_if_needed``, a side shorter than the window is then padded on both ends by the
    shortfall.
    """

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill=0,
                 padding_mode: str = "constant", generator=None):
        super().__init__(generator)
        self.size = F.size_pair(size, "RandomCrop")
        if padding is not None:
            F.padding_sides(padding)
        if padding_mode not in F.PADDING_MODES:
            raise ValueError(f"RandomCrop: padding_mode must be one of "
                             f"{tuple(F.PADDING_MODES)}, got {padding_mode!r}")
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode

    def __call__(self, image):
        if self.padding:
            image = F.pad(image, self.padding, self.fill, self.padding_mode)
        crop_height, crop_width = self.size
        height, width = F.image_size(image)
        if self.pad_if_needed and width < crop_width:
            image = F.pad(image, (crop_width - width, 0), self.fill, self.padding_mode)
        if self.pad_if_needed and height < crop_height:
            image = F.pad(image, (0, crop_height - height), self.fill, self.padding_mode)
        height, width = F.image_size(image)
        if crop_height > height or crop_width > width:
            raise ValueError(f"RandomCrop: size {self.size} is larger than the (padded) image "
                             f"{height}x{width}")
        top = int(self.rng.integers(height - crop_height + 1))
        left = int(self.rng.integers(width - crop_width + 1))
        return F.crop(image, top, left, crop_height, crop_width)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomAffine(RandomTransform):
    """A random rotation, shift, scaling and shear about the centre, keeping the size.

    Args:
        degrees: angle drawn uniformly from (-degrees, degrees) or (low, high).
        translate: (fx, fy): shifts drawn uniformly from (-fx W, fx W) and (-fy H, fy H)
            pixels, rounded; None for none.
        scale: (low, high): scale factor drawn uniformly; None keeps 1.
        shear: None for none; a number s: x shear drawn from (-s, s); (low, high): x shear
            from that range; (x low, x high, y low, y high): both (degrees, as
            :func:`.functional.affine`).
        fill: value of the pixels that come from outside the image (a number, or one
            per channel).

    The draws come in torchvision's order: angle, shift, scale, shear.
    """

    def __init__(self, degrees, translate=None, scale=None, fill=0,
                 interpolation: str = "bilinear", generator=None, shear=None):
        super().__init__(generator)
        owner = type(self).__name__
        self.degrees = value_range(degrees, "degrees", owner)
        if translate is not None and not all(0 <= f <= 1 for f in translate):
            raise ValueError(f"{owner}: translate fractions must lie in [0, 1], got "
                             f"{translate}")
        if scale is not None and not 0 < scale[0] <= scale[1]:
            raise ValueError(f"{owner}: scale must be (low, high) with 0 < low <= high, got "
                             f"{scale}")
        self.shear = None if shear is None else _shear_ranges(shear, owner)
        self.translate, self.scale = translate, scale
        self.fill, self.interpolation = fill, interpolation

    def draw(self, rng, height: int, width: int):
        """(angle, (tx, ty), scale, (shear_x, shear_y)) for an image of this size."""
        angle = rng.uniform(*self.degrees)
        shift = (0, 0)
        if self.translate is not None:
            shift = (round(rng.uniform(-1, 1) * self.translate[0] * width),
                     round(rng.uniform(-1, 1) * self.translate[1] * height))
        scale = rng.uniform(*self.scale) if self.scale is not None else 1.0
        shear = (0.0, 0.0)
        if self.shear is not None:
            x_range, y_range = self.shear
            shear = (rng.uniform(*x_range), 0.0 if y_range is None else rng.uniform(*y_range))
        return angle, shift, scale, shear

    def __call__(self, image):
        angle, shift, scale, shear = self.draw(self.rng, *F.image_size(image))
        return F.affine(image, angle, shift, scale, self.fill, self.interpolation, shear)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(degrees={self.degrees}, translate={self.translate}, "
                f"scale={self.scale}, shear={self.shear})")


class RandomRotation(RandomAffine):
    """Rotate by an angle drawn uniformly from (-degrees, degrees) or (low, high)."""

    def __init__(self, degrees, fill=0, interpolation: str = "bilinear", generator=None):
        super().__init__(degrees, fill=fill, interpolation=interpolation, generator=generator)


def check_probability(p, owner: str) -> float:
    """``p`` as a float; raises naming ``owner`` unless 0 <= p <= 1."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{owner}: p must lie in [0, 1], got {p}")
    return float(p)


def _shear_ranges(shear, owner: str):
    """((x low, x high), (y low, y high) or None) from RandomAffine's forms of ``shear``."""
    if isinstance(shear, numbers.Real):
        return value_range(shear, "shear", owner), None
    values = tuple(shear)
    if len(values) not in (2, 4):
        raise ValueError(f"{owner}: shear must be a number or 2 or 4 values, got {shear!r}")
    y = value_range(values[2:], "shear", owner) if len(values) == 4 else None
    return value_range(values[:2], "shear", owner), y


def value_range(value, name: str, owner: str) -> tuple[float, float]:
    """(-value, value) for a non-negative number, else the pair (low, high), low <= high."""
    if isinstance(value, numbers.Real):
        if value < 0:
            raise ValueError(f"{owner}: {name} must be non-negative when given as one number, "
                             f"got {value}")
        return (-float(value), float(value))
    low, high = value
    if low > high:
        raise ValueError(f"{owner}: {name} must be (low, high) with low <= high, got {value}")
    return (float(low), float(high))
