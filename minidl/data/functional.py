"""Image operations without randomness: the building blocks of :mod:`.transforms`.

Images are Pillow images or NumPy arrays of shape (H, W) or (H, W, C) (uint8 in
[0, 255] or float); every function returns the same kind it was given (a Pillow image
stays a Pillow image, an array keeps its dtype and layout), except :func:`to_tensor`,
which makes the (C, H, W) float32 array a model takes. Resizing and affine warps of
arrays go through Pillow one channel at a time, on float32 ("F" mode) images, so any
number of channels and float values work; uint8 results are rounded and clipped.

Geometry follows torchvision: angles are in degrees, counter-clockwise; rotations and
scalings turn about the image centre ``(W/2, H/2)``; a translation ``(tx, ty)`` moves
the content right and down by that many pixels; pixels that come from outside the
image get ``fill``.
"""
from __future__ import annotations

import math
from typing import Literal

import numpy as np
from PIL import Image

INTERPOLATIONS = {"nearest": Image.Resampling.NEAREST,
                  "bilinear": Image.Resampling.BILINEAR,
                  "bicubic": Image.Resampling.BICUBIC}


def to_array(image) -> np.ndarray:
    """A Pillow image (or array) as an (H, W, C) array; grayscale gets C = 1."""
    array = np.asarray(image)
    if array.ndim == 2:
        return array[..., None]
    if array.ndim != 3:
        raise ValueError(f"to_array: expected an image of shape (H, W) or (H, W, C), got "
                         f"{array.shape}")
    return array


def to_tensor(image) -> np.ndarray:
    """(H, W, C) uint8 [0, 255] or float image -> (C, H, W) float32; uint8 is divided by 255.

    Like torchvision's ``ToTensor``, but the result stays a NumPy array: the DataLoader's
    collate makes the batch Tensor, and arrays are safe to build in worker threads.
    """
    array = to_array(image)
    if array.dtype == np.uint8:
        array = array.astype(np.float32) / np.float32(255.0)
    elif array.dtype.kind == "f":
        array = array.astype(np.float32)
    else:
        raise TypeError(f"to_tensor: expected a uint8 or floating image, got {array.dtype}")
    return np.ascontiguousarray(array.transpose(2, 0, 1))


def image_size(image) -> tuple[int, int]:
    """(height, width) of a Pillow image or an (H, W[, C]) array."""
    if isinstance(image, Image.Image):
        return image.height, image.width
    return tuple(np.shape(image)[:2])


def resize(image, size, interpolation: str = "bilinear"):
    """Resize to ``size``: an int sets the shorter side (the aspect ratio is kept), a pair
    ``(height, width)`` sets both."""
    height, width = image_size(image)
    new_height, new_width = _target_size(size, height, width)
    method = _interpolation(interpolation)
    return _through_pillow(image, lambda im: im.resize((new_width, new_height), method))


def hflip(image):
    """Mirror left <-> right."""
    if isinstance(image, Image.Image):
        return image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return np.ascontiguousarray(np.asarray(image)[:, ::-1])


def vflip(image):
    """Mirror top <-> bottom."""
    if isinstance(image, Image.Image):
        return image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    return np.ascontiguousarray(np.asarray(image)[::-1])


def crop(image, top: int, left: int, height: int, width: int):
    """The ``height x width`` window whose top-left pixel is (top, left); it must lie
    inside the image."""
    full_height, full_width = image_size(image)
    if top < 0 or left < 0 or top + height > full_height or left + width > full_width:
        raise ValueError(f"crop: window top={top}, left={left}, {height}x{width} does not fit "
                         f"in an image of {full_height}x{full_width}")
    if isinstance(image, Image.Image):
        return image.crop((left, top, left + width, top + height))
    return np.asarray(image)[top:top + height, left:left + width].copy()


def center_crop(image, size):
    """The central ``size`` window (an int for a square, or (height, width)), as
    torchvision: the window's top-left corner is at round((H - h) / 2), round((W - w) / 2),
    and an image smaller than the window is first padded with zeros on every side."""
    height, width = size_pair(size, "center_crop")
    full_height, full_width = image_size(image)
    if height > full_height or width > full_width:
        grow_h, grow_w = max(height - full_height, 0), max(width - full_width, 0)
        image = pad(image, (grow_w // 2, grow_h // 2, (grow_w + 1) // 2, (grow_h + 1) // 2))
        full_height, full_width = image_size(image)
    top = int(round((full_height - height) / 2.0))
    left = int(round((full_width - width) / 2.0))
    return crop(image, top, left, height, width)


PaddingMode = Literal["constant", "edge", "reflect", "symmetric"]
PADDING_MODES: dict[str, PaddingMode] = {"constant": "constant", "edge": "edge",
                                         "reflect": "reflect", "symmetric": "symmetric"}


def padding_sides(padding) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) from torchvision's forms: an int for every side, a pair
    (left/right, top/bottom), or four values (left, top, right, bottom)."""
    if isinstance(padding, int):
        return (padding,) * 4
    values = tuple(padding)
    if len(values) == 1:
        values = values * 4
    elif len(values) == 2:
        values = values * 2
    if len(values) != 4 or not all(isinstance(v, int) and v >= 0 for v in values):
        raise ValueError(f"pad: padding must be an int or 1, 2 or 4 non-negative ints, got "
                         f"{padding!r}")
    return values


def pad(image, padding, fill=0, padding_mode: str = "constant"):
    """Add pixels around the image: ``padding`` is an int (every side), (left/right,
    top/bottom) or (left, top, right, bottom).  ``padding_mode``: "constant" (value
    ``fill``, a number or one per channel), "edge" (repeat the border), "reflect" (mirror
    without the border pixel) or "symmetric" (mirror with it), as torchvision."""
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"pad: padding_mode must be one of {tuple(PADDING_MODES)}, got "
                         f"{padding_mode!r}")
    left, top, right, bottom = padding_sides(padding)
    if isinstance(image, Image.Image):
        if padding_mode == "constant":
            padded = Image.new(image.mode, (image.width + left + right,
                                            image.height + top + bottom),
                               _pillow_fill(fill, len(image.getbands())))
            padded.paste(image, (left, top))
            return padded
        return Image.fromarray(pad(np.asarray(image), padding, fill, padding_mode))
    array = np.asarray(image)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
    if padding_mode != "constant":
        return np.pad(array, widths, mode=PADDING_MODES[padding_mode])
    if np.ndim(fill) == 0:
        return np.pad(array, widths, constant_values=fill)
    channels = [np.pad(array[..., c], widths[:2], constant_values=f) for c, f in enumerate(fill)]
    return np.stack(channels, axis=-1)


def affine(image, angle: float = 0.0, translate=(0, 0), scale: float = 1.0, fill=0,
           interpolation: str = "bilinear", shear=(0.0, 0.0), center=None):
    """Rotate by ``angle`` degrees (counter-clockwise), shear and scale about ``center``
    (x, y) in pixels (the image centre (W/2, H/2) by default), then shift by
    ``translate = (tx, ty)`` pixels; the output keeps the size.

    In image coordinates (y pointing down), with centre c and shift t, an input point q
    goes to the output point

        p = c + t + A (q - c),   A = scale · R(-angle) · Sh_y(shear_y) · Sh_x(shear_x)
        R(a) = [[cos a, -sin a], [sin a, cos a]],
        Sh_x(s) = [[1, -tan s], [0, 1]],   Sh_y(s) = [[1, 0], [-tan s, 1]]

    (torchvision's matrix; its ``angle`` turns clockwise, hence R(-angle) here).  Pillow
    maps each output pixel back to the input, so it is given the inverse,
    q = c + A⁻¹ (p - c - t).  ``shear`` is (shear_x, shear_y) in degrees, or one number
    for shear_x.
    """
    if scale <= 0:
        raise ValueError(f"affine: scale must be positive, got {scale}")
    shear_x, shear_y = (shear, 0.0) if np.ndim(shear) == 0 else tuple(shear)
    height, width = image_size(image)
    cx, cy = (width / 2, height / 2) if center is None else center
    theta, sx, sy = (math.radians(v) for v in (-angle, shear_x, shear_y))
    rotation = np.array([[math.cos(theta), -math.sin(theta)],
                         [math.sin(theta), math.cos(theta)]])
    shear_matrix = (np.array([[1.0, 0.0], [-math.tan(sy), 1.0]])
                    @ np.array([[1.0, -math.tan(sx)], [0.0, 1.0]]))
    (a, b), (d, e) = np.linalg.inv(scale * rotation @ shear_matrix)
    tx, ty = translate
    ox, oy = cx + tx, cy + ty
    coefficients = (a, b, cx - a * ox - b * oy, d, e, cy - d * ox - e * oy)
    method = _interpolation(interpolation)

    def warp(im, value):
        return im.transform((width, height), Image.Transform.AFFINE, coefficients,
                            resample=method, fillcolor=value)
    return _through_pillow(image, warp, fill)


def perspective(image, startpoints, endpoints, interpolation: str = "bilinear", fill=0):
    """Warp so that the four corners ``startpoints`` [[x, y], ...] of the input land on
    ``endpoints``; the output keeps the size.

    Pillow maps each output point (x, y) back to the input point

        (x', y') = ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1)),

    and the eight coefficients solve the 8 linear equations that send each end point to
    its start point: x' (g x + h y + 1) = a x + b y + c, likewise for y'.
    """
    rows, targets = [], []
    for (sx, sy), (ex, ey) in zip(startpoints, endpoints, strict=True):
        rows.append([ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey])
        rows.append([0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey])
        targets += [sx, sy]
    if len(rows) != 8:
        raise ValueError(f"perspective: expected 4 start and end points, got {len(rows) // 2}")
    coefficients = tuple(np.linalg.solve(np.asarray(rows, np.float64),
                                         np.asarray(targets, np.float64)))
    height, width = image_size(image)
    method = _interpolation(interpolation)

    def warp(im, value):
        return im.transform((width, height), Image.Transform.PERSPECTIVE, coefficients,
                            resample=method, fillcolor=value)
    return _through_pillow(image, warp, fill)


def rotate(image, angle: float, fill=0, interpolation: str = "bilinear"):
    """Rotate by ``angle`` degrees counter-clockwise about the centre, keeping the size."""
    return affine(image, angle=angle, fill=fill, interpolation=interpolation)


def normalize(tensor: np.ndarray, mean, std) -> np.ndarray:
    """``(x - mean[c]) / std[c]`` for each channel c of a (..., C, H, W) float array."""
    array = np.asarray(tensor)
    if array.ndim < 3 or array.dtype.kind != "f":
        raise ValueError(f"normalize: expected a (C, H, W) float array (or a batch of them, "
                         f"after ToTensor), got shape {array.shape} and dtype {array.dtype}")
    mean = np.asarray(mean, dtype=array.dtype).reshape(-1, 1, 1)
    std = np.asarray(std, dtype=array.dtype).reshape(-1, 1, 1)
    channels = array.shape[-3]
    if len(mean) not in (1, channels) or len(std) not in (1, channels):
        raise ValueError(f"normalize: the image has {channels} channels but mean has "
                         f"{len(mean)} values and std {len(std)}")
    if np.any(std == 0):
        raise ValueError("normalize: std must not contain 0")
    return (array - mean) / std


def _through_pillow(image, operation, fill=None):
    """Apply a Pillow ``operation`` to a Pillow image, or to each channel of an array as a
    float32 "F" image (``fill`` per channel: a number or one value per channel)."""
    if isinstance(image, Image.Image):
        return (operation(image) if fill is None
                else operation(image, _pillow_fill(fill, len(image.getbands()))))
    array = np.asarray(image)
    channels = to_array(array)
    fills = np.broadcast_to(np.asarray(0 if fill is None else fill, dtype=np.float64),
                            (channels.shape[2],))
    results = []
    for c in range(channels.shape[2]):
        plane = Image.fromarray(np.ascontiguousarray(channels[..., c], dtype=np.float32))
        plane = operation(plane) if fill is None else operation(plane, float(fills[c]))
        results.append(np.asarray(plane))
    result = np.stack(results, axis=-1)
    if array.dtype == np.uint8:
        result = np.clip(np.rint(result), 0, 255)
    result = result.astype(array.dtype)
    return result[..., 0] if array.ndim == 2 else result


def _pillow_fill(fill, bands: int):
    """A fill value in the form Pillow wants for an image with ``bands`` channels."""
    if np.ndim(fill) == 0:
        return fill if bands == 1 else (fill,) * bands
    return tuple(fill) if bands > 1 else fill[0]


def _target_size(size, height: int, width: int) -> tuple[int, int]:
    """An int (or a one-element list) sets the shorter side and the longer one keeps the
    aspect ratio, truncated as torchvision does: int(size · long / short)."""
    if not isinstance(size, int) and len(size) == 1:
        size = size[0]
    if isinstance(size, int):
        if height <= width:
            return size, max(1, int(size * width / height))
        return max(1, int(size * height / width)), size
    return size_pair(size, "resize")


def size_pair(size, function: str) -> tuple[int, int]:
    if isinstance(size, int):
        size = (size, size)
    if len(size) != 2 or not all(isinstance(s, int) and s > 0 for s in size):
        raise ValueError(f"{function}: size must be a positive int or (height, width), "
                         f"got {size!r}")
    return int(size[0]), int(size[1])


def _interpolation(name: str):
    if name not in INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {tuple(INTERPOLATIONS)}, got {name!r}")
    return INTERPOLATIONS[name]
