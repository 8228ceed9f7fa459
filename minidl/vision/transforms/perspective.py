"""``RandomPerspective``: move each corner inwards by a random amount, with probability p.

With d = ``distortion_scale``, half sides hw = W // 2, hh = H // 2, and integers drawn
uniformly (ends included), the corners (0, 0), (W-1, 0), (W-1, H-1), (0, H-1) go to

    top-left     (U[0, d·hw],           U[0, d·hh])
    top-right    (U[W-1 - d·hw, W-1],   U[0, d·hh])
    bottom-right (U[W-1 - d·hw, W-1],   U[H-1 - d·hh, H-1])
    bottom-left  (U[0, d·hw],           U[H-1 - d·hh, H-1])

(d·hw and d·hh truncated), torchvision's rule; the warp is
:func:`minidl.data.functional.perspective`.
"""
from __future__ import annotations

from ...data import functional as F
from ...data import transforms as T
from ...data.seeding import sample_generator
from .images import InterpolationMode, image_hw, mode_name, on_images


class RandomPerspective(T.RandomTransform):
    """A random perspective warp of strength ``distortion_scale`` (0 ... 1), with
    probability ``p``; pixels from outside the image get ``fill``."""

    def __init__(self, distortion_scale: float = 0.5, p: float = 0.5,
                 interpolation=InterpolationMode.BILINEAR, fill=0):
        super().__init__()
        if not 0 <= distortion_scale <= 1:
            raise ValueError(f"RandomPerspective: distortion_scale must lie in [0, 1], got "
                             f"{distortion_scale}")
        self.distortion_scale = float(distortion_scale)
        self.p = T.check_probability(p, "RandomPerspective")
        self.interpolation, self.fill = mode_name(interpolation), fill

    @staticmethod
    def get_params(width: int, height: int, distortion_scale: float, rng=None):
        """(start points, end points): the corners and where they go (module docstring)."""
        rng = sample_generator() if rng is None else rng
        dx = int(distortion_scale * (width // 2))
        dy = int(distortion_scale * (height // 2))

        def between(low, high):
            return int(rng.integers(low, high + 1))
        end = [[between(0, dx), between(0, dy)],
               [between(width - 1 - dx, width - 1), between(0, dy)],
               [between(width - 1 - dx, width - 1), between(height - 1 - dy, height - 1)],
               [between(0, dx), between(height - 1 - dy, height - 1)]]
        start = [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]
        return start, end

    def __call__(self, image):
        rng = self.rng
        if rng.random() >= self.p:
            return image
        height, width = image_hw(image)
        start, end = self.get_params(width, height, self.distortion_scale, rng)
        return on_images(image, lambda im: F.perspective(im, start, end, self.interpolation,
                                                         self.fill))

    def __repr__(self) -> str:
        return f"RandomPerspective(distortion_scale={self.distortion_scale}, p={self.p})"
