"""``RandomResizedCrop``: a random box of the image, resized to a fixed size.

The box (see :mod:`minidl.data.box_sampling`): up to 10 draws of an area fraction s in
``scale`` and an aspect ratio r = width / height log-uniform in ``ratio``, giving

    width = round(sqrt(s·H·W · r)),   height = round(sqrt(s·H·W / r));

the first box with 0 < width <= W and 0 < height <= H is placed uniformly at random.  If
none fits, the fallback is the central box of the largest size whose ratio is clamped to
``ratio``: the full width when W/H < min(ratio) (height = round(W / min(ratio))), the full
height when W/H > max(ratio) (width = round(H · max(ratio))), else the whole image.
"""
from __future__ import annotations

from ...data import box_sampling
from ...data import functional as F
from ...data import transforms as T
from ...data.seeding import sample_generator
from .geometry import resize_image
from .images import InterpolationMode, image_hw, mode_name, on_images


class RandomResizedCrop(T.RandomTransform):
    """Crop a random box (area fraction in ``scale``, aspect ratio in ``ratio``) and
    resize it to ``size`` (an int for a square, or (height, width))."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias: bool | None = True):
        super().__init__()
        if isinstance(size, list | tuple) and len(size) == 1:
            size = size[0]
        self.size = F.size_pair(size, "RandomResizedCrop")
        self.scale, self.ratio = box_sampling.check_scale_ratio(scale, ratio,
                                                                "RandomResizedCrop")
        self.interpolation = mode_name(interpolation)
        if self.interpolation not in F.INTERPOLATIONS:
            raise ValueError(f"RandomResizedCrop: interpolation must be one of "
                             f"{tuple(F.INTERPOLATIONS)}, got {interpolation!r}")
        self.antialias = antialias

    @staticmethod
    def get_params(image, scale, ratio, rng=None) -> tuple[int, int, int, int]:
        """(top, left, height, width) of the box, by the rule of the module docstring."""
        rng = sample_generator() if rng is None else rng
        height, width = image_hw(image)
        for _ in range(box_sampling.ATTEMPTS):
            box_width, box_height = box_sampling.draw_sides(rng, height * width, scale, ratio)
            if 0 < box_width <= width and 0 < box_height <= height:
                top = int(rng.integers(0, height - box_height + 1))
                left = int(rng.integers(0, width - box_width + 1))
                return top, left, box_height, box_width
        box_height, box_width = height, width
        if width / height < min(ratio):
            box_height = int(round(width / min(ratio)))
        elif width / height > max(ratio):
            box_width = int(round(height * max(ratio)))
        return (height - box_height) // 2, (width - box_width) // 2, box_height, box_width

    def __call__(self, image):
        top, left, height, width = self.get_params(image, self.scale, self.ratio, self.rng)
        cropped = on_images(image, lambda im: F.crop(im, top, left, height, width))
        return resize_image(cropped, self.size, self.interpolation, self.antialias)

    def __repr__(self) -> str:
        return (f"RandomResizedCrop(size={self.size}, scale={self.scale}, "
                f"ratio={self.ratio}, interpolation={self.interpolation}, "
                f"antialias={self.antialias})")
