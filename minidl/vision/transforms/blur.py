"""``GaussianBlur``: blur with a Gaussian of a random standard deviation.

One σ is drawn uniformly from ``sigma`` = (low, high) per call and used along both axes;
the kernel and padding are :func:`minidl.data.blur.gaussian_blur`'s.  ``kernel_size`` is
an odd positive int or (kx, ky) (width, height); a number σ means (σ, σ).
"""
from __future__ import annotations

import numbers

from ...data import blur
from ...data import transforms as T
from ...data.seeding import sample_generator
from .images import on_images


def kernel_pair(kernel_size, owner: str) -> tuple[int, int]:
    """(kx, ky) from an int or a pair; each must be odd and positive."""
    sizes = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    if len(sizes) == 1:
        sizes = sizes * 2
    if len(sizes) != 2 or not all(isinstance(k, int) and k > 0 and k % 2 == 1 for k in sizes):
        raise ValueError(f"{owner}: kernel_size must be an odd positive int or a pair of "
                         f"them, got {kernel_size!r}")
    return sizes[0], sizes[1]


def sigma_pair(sigma, owner: str) -> tuple[float, float]:
    """(low, high) from a positive number (low = high) or a pair 0 < low <= high."""
    values = (sigma, sigma) if isinstance(sigma, numbers.Real) else tuple(sigma)
    if len(values) == 1:
        values = values * 2
    if len(values) != 2 or not 0 < values[0] <= values[1]:
        raise ValueError(f"{owner}: sigma must be a positive number or (low, high) with "
                         f"0 < low <= high, got {sigma!r}")
    return float(values[0]), float(values[1])


class GaussianBlur(T.RandomTransform):
    """Blur with a ``kernel_size`` Gaussian kernel of σ uniform in ``sigma``."""

    def __init__(self, kernel_size, sigma=(0.1, 2.0)):
        super().__init__()
        self.kernel_size = kernel_pair(kernel_size, "GaussianBlur")
        self.sigma = sigma_pair(sigma, "GaussianBlur")

    @staticmethod
    def get_params(sigma_min: float, sigma_max: float, rng=None) -> float:
        """σ uniform in [sigma_min, sigma_max]."""
        rng = sample_generator() if rng is None else rng
        return float(rng.uniform(sigma_min, sigma_max))

    def __call__(self, image):
        spread = self.get_params(*self.sigma, self.rng)
        return on_images(image, lambda im: blur.gaussian_blur(im, self.kernel_size,
                                                              (spread, spread)))

    def __repr__(self) -> str:
        return f"GaussianBlur(kernel_size={self.kernel_size}, sigma={self.sigma})"
