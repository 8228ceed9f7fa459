"""Between image kinds and pixel value ranges: Pillow image <-> Tensor, dtype changes,
per-channel normalization (``ToTensor``, ``PILToTensor``, ``ToPILImage``,
``ConvertImageDtype``, ``Normalize``).

``convert_image_dtype`` rescales by the ranges torchvision gives each dtype: [0, 1] for
floats, [0, max] for integers (uint8: 255), so

    int -> float:   x / max_in
    float -> int:   trunc(x · (max_out + 1 - 0.001))     (1.0 -> max_out, never max_out + 1)
    int -> int:     x · (max_out + 1) / (max_in + 1)      (a bit shift, up or down)
"""
from __future__ import annotations

import numpy as np
from PIL import Image

from ... import creation
from ...data import functional as F
from ...tensor import Tensor


class ToTensor:
    """A Pillow image or an (H, W, C) array -> a (C, H, W) Tensor.

    uint8 pixels become float32 divided by 255 (so in [0, 1]); other types keep their
    values and dtype (torchvision's rule); a two-dimensional image gets C = 1.
    """

    def __call__(self, pic):
        if isinstance(pic, Image.Image) and pic.mode == "1":
            pic = pic.convert("L")
        if not isinstance(pic, Image.Image | np.ndarray):
            raise TypeError(f"ToTensor: expected a PIL image or a numpy array, got "
                            f"{type(pic).__name__}")
        array = F.to_array(pic)
        chw = np.ascontiguousarray(array.transpose(2, 0, 1))
        if chw.dtype == np.uint8:
            chw = chw.astype(np.float32) / np.float32(255)
        return Tensor._from_array(chw)

    def __repr__(self) -> str:
        return "ToTensor()"


class PILToTensor:
    """A Pillow image -> a (C, H, W) Tensor of its pixel values, not rescaled (uint8)."""

    def __call__(self, pic):
        if not isinstance(pic, Image.Image):
            raise TypeError(f"PILToTensor: expected a PIL image, got {type(pic).__name__}")
        return Tensor._from_array(np.ascontiguousarray(F.to_array(pic).transpose(2, 0, 1)))

    def __repr__(self) -> str:
        return "PILToTensor()"


class ToPILImage:
    """A (C, H, W) Tensor or an (H, W, C) array -> a Pillow image.

    Floating Tensors are taken as [0, 1] and become uint8 by ``value · 255`` truncated
    (torchvision's ``mul(255).byte()``); 1, 3 and 4 channels give modes "L", "RGB" and
    "RGBA"; one float32 channel with ``mode="F"`` stays float.
    """

    def __init__(self, mode: str | None = None):
        self.mode = mode

    def __call__(self, pic):
        if isinstance(pic, Tensor):
            if pic.ndim == 2:
                pic = pic.unsqueeze(0)
            if pic.ndim != 3:
                raise ValueError(f"ToPILImage: expected a (C, H, W) Tensor, got {pic.shape}")
            array = pic.detach().cpu().numpy()
            if array.dtype.kind == "f" and self.mode != "F":
                array = (array * 255).astype(np.uint8)
            array = array.transpose(1, 2, 0)
        elif isinstance(pic, np.ndarray):
            array = pic[..., None] if pic.ndim == 2 else pic
            if array.ndim != 3:
                raise ValueError(f"ToPILImage: expected an (H, W, C) array, got {pic.shape}")
        else:
            raise TypeError(f"ToPILImage: expected a Tensor or a numpy array, got "
                            f"{type(pic).__name__}")
        modes = {1: "L", 3: "RGB", 4: "RGBA"}
        channels = array.shape[2]
        if channels == 1 and array.dtype == np.float32:
            return Image.fromarray(array[..., 0])  # mode "F"
        if array.dtype != np.uint8 or channels not in modes:
            raise TypeError(f"ToPILImage: can't make an image of {channels} channels of "
                            f"{array.dtype}")
        image = Image.fromarray(array[..., 0] if channels == 1 else array)
        return image if self.mode in (None, image.mode) else image.convert(self.mode)

    def __repr__(self) -> str:
        return f"ToPILImage(mode={self.mode})"


class Normalize:
    """(x - mean[c]) / std[c] for each channel c of a float Tensor (..., C, H, W)."""

    def __init__(self, mean, std, inplace: bool = False):
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, tensor):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"Normalize: expected a Tensor (after ToTensor), got "
                            f"{type(tensor).__name__}")
        result = F.normalize(tensor.detach().cpu().numpy(), self.mean, self.std)
        if self.inplace:
            tensor.array[...] = result
            return tensor
        return creation.tensor(result, device=tensor.device)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


# float -> int casts whose float cannot hold every integer of the target's range
UNSAFE_CASTS = {(np.dtype(np.float32), np.dtype(np.int32)),
                (np.dtype(np.float32), np.dtype(np.int64)),
                (np.dtype(np.float64), np.dtype(np.int64))}


def convert_image_dtype(image: Tensor, dtype=np.float32) -> Tensor:
    """A Tensor image in another dtype, its values rescaled (see the module docstring)."""
    if not isinstance(image, Tensor):
        raise TypeError(f"convert_image_dtype: expected a Tensor, got {type(image).__name__}")
    source, target = image.dtype, np.dtype(dtype)
    array = image.detach().cpu().numpy()
    if source == target:
        return image
    if source.kind == "f" and target.kind == "f":
        result = array.astype(target)
    elif target.kind == "f":
        result = array.astype(target) / np.iinfo(source).max
    elif source.kind == "f":
        if (source, target) in UNSAFE_CASTS:
            raise RuntimeError(f"convert_image_dtype: the cast from {source} to {target} "
                               f"cannot be performed safely")
        result = (array * (np.iinfo(target).max + 1.0 - 1e-3)).astype(target)
    else:
        in_max, out_max = int(np.iinfo(source).max), int(np.iinfo(target).max)
        if in_max > out_max:
            result = (array // ((in_max + 1) // (out_max + 1))).astype(target)
        else:
            result = array.astype(target) * ((out_max + 1) // (in_max + 1))
    return creation.tensor(np.ascontiguousarray(result), device=image.device)


class ConvertImageDtype:
    """Change a Tensor image's dtype, rescaling its values (:func:`convert_image_dtype`)."""

    def __init__(self, dtype):
        self.dtype = dtype

    def __call__(self, image):
        return convert_image_dtype(image, self.dtype)

    def __repr__(self) -> str:
        return f"ConvertImageDtype(dtype={self.dtype})"
