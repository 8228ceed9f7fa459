"""``RandomErasing`` (Zhong et al., 2017) and ``erase``, on Tensor images (..., C, H, W).

With probability ``p``, up to 10 boxes are drawn (see :mod:`minidl.data.box_sampling`): an
area fraction s in ``scale`` and an aspect ratio r = height / width log-uniform in
``ratio``,

    height = round(sqrt(s·H·W · r)),   width = round(sqrt(s·H·W / r));

the first with height < H and width < W is placed uniformly at random and filled with
``value``: a number, one number per channel, or "random" (standard normal noise, one value
per erased pixel and channel).  When no draw fits, the image is returned unchanged.
"""
from __future__ import annotations

import numbers

import numpy as np

from ... import creation
from ...data import box_sampling
from ...data import transforms as T
from ...data.seeding import sample_generator
from ...tensor import Tensor


def erase(img: Tensor, i: int, j: int, h: int, w: int, v, inplace: bool = False) -> Tensor:
    """``img`` with the box of rows i ... i+h-1 and columns j ... j+w-1 set to ``v`` (a
    number, or anything that broadcasts to (..., C, h, w))."""
    if not isinstance(img, Tensor):
        raise TypeError(f"erase: img must be a Tensor, got {type(img).__name__}")
    values = np.asarray(v.detach().cpu().numpy() if isinstance(v, Tensor) else v)
    if inplace:
        img.array[..., i:i + h, j:j + w] = values
        return img
    array = img.detach().cpu().numpy().copy()
    array[..., i:i + h, j:j + w] = values
    return creation.tensor(array, device=img.device)


class RandomErasing(T.RandomTransform):
    """Erase a random box of a Tensor image with probability ``p`` (see the module
    docstring); ``inplace`` writes into the given Tensor."""

    def __init__(self, p: float = 0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0,
                 inplace: bool = False):
        super().__init__()
        self.p = T.check_probability(p, "RandomErasing")
        self.scale, self.ratio = box_sampling.check_scale_ratio(scale, ratio, "RandomErasing")
        if self.scale[1] > 1:
            raise ValueError(f"RandomErasing: scale must lie in [0, 1], got {scale!r}")
        if isinstance(value, str) and value != "random":
            raise ValueError(f"RandomErasing: value must be a number, a sequence or "
                             f"'random', got {value!r}")
        if not isinstance(value, numbers.Real | str | list | tuple):
            raise TypeError(f"RandomErasing: value must be a number, a sequence or "
                            f"'random', got {type(value).__name__}")
        self.value, self.inplace = value, inplace

    @staticmethod
    def get_params(img: Tensor, scale, ratio, value=None, rng=None):
        """(i, j, h, w, v) of the box to erase: ``value`` None draws normal noise; no box
        that fits gives (0, 0, H, W, img), which erases nothing."""
        rng = sample_generator() if rng is None else rng
        channels, height, width = (int(n) for n in img.shape[-3:])
        for _ in range(box_sampling.ATTEMPTS):
            h, w = box_sampling.draw_sides(rng, height * width, scale, ratio)
            if not (h < height and w < width):
                continue
            if value is None:
                v = rng.standard_normal((channels, h, w)).astype(img.dtype)
            else:
                v = np.asarray(value, dtype=img.dtype)[:, None, None]
            return (int(rng.integers(0, height - h + 1)), int(rng.integers(0, width - w + 1)),
                    h, w, v)
        return 0, 0, height, width, img

    def __call__(self, img):
        if not isinstance(img, Tensor) or img.ndim < 3:
            raise TypeError(f"RandomErasing: expected a Tensor image (..., C, H, W), got "
                            f"{type(img).__name__}")
        rng = self.rng
        if rng.random() >= self.p:
            return img
        value = None if self.value == "random" else (
            [self.value] if isinstance(self.value, numbers.Real) else list(self.value))
        if value is not None and len(value) not in (1, img.shape[-3]):
            raise ValueError(f"RandomErasing: value must have 1 or {img.shape[-3]} (the "
                             f"number of channels) values, got {len(value)}")
        i, j, h, w, v = self.get_params(img, self.scale, self.ratio, value, rng)
        if v is img:
            return img
        return erase(img, i, j, h, w, v, self.inplace)

    def __repr__(self) -> str:
        return (f"RandomErasing(p={self.p}, scale={self.scale}, ratio={self.ratio}, "
                f"value={self.value}, inplace={self.inplace})")
