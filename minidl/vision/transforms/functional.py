"""``torchvision.transforms.functional``: the transforms as functions of their parameters.

    import torchvision.transforms.functional as TF
    image = TF.rotate(TF.hflip(image), 30)

Each takes a Pillow image or a Tensor of shape (..., C, H, W) (``erase``,
``convert_image_dtype`` and ``normalize``: a Tensor) and returns the same kind, with
torchvision's argument names and conventions: ``rotate`` turns counter-clockwise,
``affine`` clockwise; ``kernel_size`` and ``sigma`` of ``gaussian_blur`` are (x, y).
The maths lives in :mod:`minidl.data.functional`, :mod:`minidl.data.color_adjust`,
:mod:`minidl.data.tone` and :mod:`minidl.data.blur`.
"""
from __future__ import annotations

import numbers

import numpy as np
from PIL import Image

from ...data import blur, tone
from ...data import color_adjust as C
from ...data import functional as F
from ...tensor import Tensor
from .affine import rotate_image
from .blur import kernel_pair, sigma_pair
from .color import rgb_to_grayscale
from .conversion import Normalize, PILToTensor, ToPILImage, ToTensor, convert_image_dtype
from .erasing import erase
from .geometry import Resize, five_crop, ten_crop
from .images import InterpolationMode, image_hw, mode_name, on_images

__all__ = ["resize", "center_crop", "crop", "resized_crop", "hflip", "vflip", "pad",
           "rotate", "affine", "perspective", "to_tensor", "pil_to_tensor", "to_pil_image",
           "normalize", "convert_image_dtype", "adjust_brightness", "adjust_contrast",
           "adjust_saturation", "adjust_hue", "adjust_sharpness", "rgb_to_grayscale",
           "gaussian_blur", "invert", "posterize", "solarize", "autocontrast", "equalize",
           "erase", "five_crop", "ten_crop", "get_image_size", "get_dimensions",
           "InterpolationMode"]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
           antialias: bool | None = True):
    """Resize: an int sets the shorter side (the aspect ratio kept), (h, w) both."""
    return Resize(size, interpolation, max_size, antialias)(img)


def center_crop(img, output_size):
    """The central ``output_size`` window (zero-padded first when the image is smaller)."""
    return on_images(img, lambda im: F.center_crop(im, output_size))


def crop(img, top: int, left: int, height: int, width: int):
    """The ``height`` x ``width`` window whose top-left pixel is (top, left)."""
    return on_images(img, lambda im: F.crop(im, top, left, height, width))


def resized_crop(img, top: int, left: int, height: int, width: int, size,
                 interpolation=InterpolationMode.BILINEAR, antialias: bool | None = True):
    """:func:`crop`, then :func:`resize` to ``size``."""
    return resize(crop(img, top, left, height, width), size, interpolation,
                  antialias=antialias)


def hflip(img):
    """Mirror left <-> right."""
    return on_images(img, F.hflip)


def vflip(img):
    """Mirror top <-> bottom."""
    return on_images(img, F.vflip)


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    """Add ``padding`` (int, (left/right, top/bottom) or (left, top, right, bottom))."""
    return on_images(img, lambda im: F.pad(im, padding, fill, padding_mode))


def rotate(img, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False,
           center=None, fill=None):
    """Rotate by ``angle`` degrees counter-clockwise about ``center`` (x, y) in pixels
    (default: the image centre), keeping the size; ``expand=True`` grows the canvas to
    hold the whole rotated image (torchvision's size rule, see
    :func:`.affine.rotate_image`)."""
    name = mode_name(interpolation)
    return on_images(img, lambda im: rotate_image(im, angle, name, expand, center, fill))


def affine(img, angle: float, translate, scale: float, shear,
           interpolation=InterpolationMode.NEAREST, fill=None, center=None):
    """Rotate by ``angle`` degrees clockwise, scale and shear (degrees; a number or
    (x, y)) about ``center`` (x, y) in pixels (default: the image centre), then shift by
    ``translate`` = (tx, ty) pixels."""
    if not isinstance(translate, list | tuple) or len(translate) != 2:
        raise TypeError(f"affine: translate must be a pair (tx, ty), got {translate!r}")
    shear_xy = (float(shear), 0.0) if isinstance(shear, numbers.Real) else tuple(shear)
    if len(shear_xy) == 1:
        shear_xy = (shear_xy[0], 0.0)
    name = mode_name(interpolation)
    return on_images(img, lambda im: F.affine(im, -angle, translate, scale,
                                              0 if fill is None else fill, name, shear_xy,
                                              center))


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR,
                fill=None):
    """Warp so that the corners ``startpoints`` [[x, y]] x 4 land on ``endpoints``."""
    name = mode_name(interpolation)
    return on_images(img, lambda im: F.perspective(im, startpoints, endpoints, name,
                                                   0 if fill is None else fill))


def to_tensor(pic) -> Tensor:
    """A Pillow image or (H, W, C) array -> a (C, H, W) Tensor (uint8 / 255)."""
    return ToTensor()(pic)


def pil_to_tensor(pic) -> Tensor:
    """A Pillow image -> a (C, H, W) Tensor of its pixel values, not rescaled."""
    return PILToTensor()(pic)


def to_pil_image(pic, mode=None):
    """A (C, H, W) Tensor or (H, W, C) array -> a Pillow image."""
    return ToPILImage(mode)(pic)


def normalize(tensor: Tensor, mean, std, inplace: bool = False) -> Tensor:
    """(x - mean[c]) / std[c] per channel of a float Tensor (..., C, H, W)."""
    return Normalize(mean, std, inplace)(tensor)


def adjust_brightness(img, brightness_factor: float):
    """Multiply by ``brightness_factor``: 0 black, 1 unchanged."""
    return on_images(img, lambda im: C.adjust_brightness(im, brightness_factor))


def adjust_contrast(img, contrast_factor: float):
    """Blend with the mean grey: 0 flat grey, 1 unchanged."""
    return on_images(img, lambda im: C.adjust_contrast(im, contrast_factor))


def adjust_saturation(img, saturation_factor: float):
    """Blend with the grey image: 0 grey, 1 unchanged."""
    return on_images(img, lambda im: C.adjust_saturation(im, saturation_factor))


def adjust_hue(img, hue_factor: float):
    """Turn the hue by ``hue_factor`` (in [-0.5, 0.5]) of a full turn."""
    return on_images(img, lambda im: C.adjust_hue(im, hue_factor))


def adjust_sharpness(img, sharpness_factor: float):
    """Blend with a 3x3 smoothed copy: 0 smoothed, 1 unchanged, 2 sharper."""
    return on_images(img, lambda im: C.adjust_sharpness(im, sharpness_factor))


def gaussian_blur(img, kernel_size, sigma=None):
    """Blur with a Gaussian kernel of ``kernel_size`` (x, y) and ``sigma`` (x, y); sigma
    None means 0.3 · ((k - 1) / 2 - 1) + 0.8 for each side's k, as torchvision."""
    kx, ky = kernel_pair(kernel_size, "gaussian_blur")
    if sigma is None:
        sx, sy = (0.3 * ((k - 1) * 0.5 - 1) + 0.8 for k in (kx, ky))
    elif isinstance(sigma, numbers.Real):
        sx = sy = sigma_pair(sigma, "gaussian_blur")[0]
    else:
        values = tuple(sigma) * (2 if len(sigma) == 1 else 1)
        if len(values) != 2 or min(values) <= 0:
            raise ValueError(f"gaussian_blur: sigma must be positive, one number or (x, y), "
                             f"got {sigma!r}")
        sx, sy = values
    return on_images(img, lambda im: blur.gaussian_blur(im, (kx, ky), (sx, sy)))


def invert(img):
    """bound - x (255 for uint8, 1 for float)."""
    return on_images(img, tone.invert)


def posterize(img, bits: int):
    """Keep the ``bits`` high bits of each uint8 pixel."""
    return on_images(img, lambda im: tone.posterize(im, bits))


def solarize(img, threshold: float):
    """Invert the pixels at or above ``threshold``."""
    return on_images(img, lambda im: tone.solarize(im, threshold))


def autocontrast(img):
    """Stretch each channel to the full range."""
    return on_images(img, tone.autocontrast)


def equalize(img):
    """Equalize the histogram of each uint8 channel."""
    return on_images(img, tone.equalize)


def get_image_size(img) -> list[int]:
    """[width, height]."""
    height, width = image_hw(img)
    return [width, height]


def get_dimensions(img) -> list[int]:
    """[channels, height, width]."""
    height, width = image_hw(img)
    if isinstance(img, Image.Image):
        return [len(img.getbands()), height, width]
    if isinstance(img, Tensor):
        return [int(img.shape[-3]) if img.ndim >= 3 else 1, height, width]
    return [int(np.shape(img)[2]) if np.ndim(img) == 3 else 1, height, width]
