"""``torchvision.transforms.v2.functional``: v1's functional forms under v2's names, plus
``to_image``, ``to_dtype``, ``to_pure_tensor`` and ``get_size``.  A
:class:`~minidl.vision.tv_tensors.Image` comes back as an Image."""
from __future__ import annotations

import numpy as np
from PIL import Image as _PIL

from ....tensor import Tensor
from ... import tv_tensors
from .. import functional as _F
from ..conversion import convert_image_dtype

InterpolationMode = _F.InterpolationMode


def _keep(function):
    def wrapped(inpt, *args, **kwargs):
        result = function(inpt, *args, **kwargs)
        if isinstance(inpt, tv_tensors.Image) and isinstance(result, Tensor):
            return tv_tensors.wrap(result, like=inpt)
        return result
    wrapped.__name__ = function.__name__
    wrapped.__doc__ = function.__doc__
    return wrapped


resize = _keep(_F.resize)
center_crop = _keep(_F.center_crop)
crop = _keep(_F.crop)
resized_crop = _keep(_F.resized_crop)
horizontal_flip = hflip = _keep(_F.hflip)
vertical_flip = vflip = _keep(_F.vflip)
pad = _keep(_F.pad)
rotate = _keep(_F.rotate)


def _like(result, inpt):
    if isinstance(inpt, tv_tensors.Image) and isinstance(result, Tensor):
        return tv_tensors.wrap(result, like=inpt)
    return result


def five_crop(inpt, size) -> tuple:
    """The four corners and the centre (an Image's crops stay Images)."""
    return tuple(_like(crop_, inpt) for crop_ in _F.five_crop(inpt, size))


def ten_crop(inpt, size, vertical_flip: bool = False) -> tuple:
    """:func:`five_crop` of the image and of its mirror image."""
    return tuple(_like(crop_, inpt) for crop_ in _F.ten_crop(inpt, size, vertical_flip))


affine = _keep(_F.affine)
perspective = _keep(_F.perspective)
normalize = _keep(_F.normalize)
adjust_brightness = _keep(_F.adjust_brightness)
adjust_contrast = _keep(_F.adjust_contrast)
adjust_saturation = _keep(_F.adjust_saturation)
adjust_hue = _keep(_F.adjust_hue)
adjust_sharpness = _keep(_F.adjust_sharpness)
rgb_to_grayscale = to_grayscale = _keep(_F.rgb_to_grayscale)
gaussian_blur = _keep(_F.gaussian_blur)
invert = _keep(_F.invert)
posterize = _keep(_F.posterize)
solarize = _keep(_F.solarize)
autocontrast = _keep(_F.autocontrast)
equalize = _keep(_F.equalize)
erase = _keep(_F.erase)
pil_to_tensor = _F.pil_to_tensor
to_pil_image = _F.to_pil_image
get_dimensions = _F.get_dimensions
to_tensor = _F.to_tensor


def get_size(inpt) -> list[int]:
    """[height, width]."""
    width, height = _F.get_image_size(inpt)
    return [height, width]


def to_image(inpt) -> tv_tensors.Image:
    """A Pillow image, an (H, W[, C]) array or a Tensor -> a tv_tensors.Image (no
    rescaling: a Pillow image gives uint8 (C, H, W))."""
    if isinstance(inpt, np.ndarray):
        array = inpt[..., None] if inpt.ndim == 2 else inpt
        return tv_tensors.Image(np.ascontiguousarray(np.moveaxis(array, -1, -3)))
    if isinstance(inpt, _PIL.Image | Tensor):
        return tv_tensors.Image(inpt)
    raise TypeError(f"to_image: expected a Pillow image, an array or a Tensor, got "
                    f"{type(inpt).__name__}")


def to_dtype(inpt: Tensor, dtype=None, scale: bool = False) -> Tensor:
    """``inpt`` as ``dtype``; with ``scale`` the values are rescaled (uint8 [0, 255] <->
    float [0, 1], as convert_image_dtype)."""
    if dtype is None:
        dtype = np.float32
    if scale:
        result = convert_image_dtype(inpt, np.dtype(dtype))
    else:
        result = inpt.to(dtype)
    if isinstance(inpt, tv_tensors.Image) and not isinstance(result, tv_tensors.Image):
        return tv_tensors.wrap(result, like=inpt)
    return result


def to_pure_tensor(inpt: Tensor) -> Tensor:
    """A tv_tensor as a plain Tensor."""
    return Tensor._from_array(inpt.array)


__all__ = [name for name in dir() if not name.startswith("_")
           and name not in ("annotations", "np", "tv_tensors", "Tensor")]
