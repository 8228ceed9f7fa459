"""Reading and writing image files as tensors (``torchvision.io``), torchvision's semantics.

    image = read_image("photo.jpg")                        # (3, H, W) uint8
    gray = read_image("photo.jpg", ImageReadMode.GRAY)     # (1, H, W) uint8
    data = read_file("scan.png")                           # (n,) uint8: the file's bytes
    image = decode_image(data, mode=ImageReadMode.RGB)     # the same from memory
    write_png(image, "copy.png"); write_jpeg(image, "copy.jpg", quality=90)

Every decoded image is a (C, H, W) tensor, C by the mode: UNCHANGED keeps the file's own
channels (1 gray, 2 gray + alpha, 3 RGB, 4 RGBA; a palette PNG gives its indices, one
channel, as libpng does; CMYK and YCbCr JPEGs give RGB); GRAY, GRAY_ALPHA, RGB and
RGB_ALPHA convert to 1, 2, 3 and 4 channels, an added alpha fully opaque.  Gray from colour
is Pillow's ``convert("L")``, L = (299 R + 587 G + 114 B) / 1000 (libpng, behind
torchvision, weighs 0.2989, 0.587, 0.114: values can differ by one).  The dtype is uint8,
except 16-bit grayscale PNGs, which come out as uint16 like torchvision's (16-bit colour
PNGs are read by Pillow at 8 bits).

Decoding goes through :func:`minidl.data.image_file.open_image`, so files are untrusted
input here as everywhere in minidl: the pixel cap is checked from the header before
anything is decoded (:class:`ImageTooLargeError`), and a truncated, damaged or wrong-format
file is an :class:`ImageDecodeError` naming it (torchvision raises ``RuntimeError``).
Animated images (several frames) raise ``NotImplementedError``.
"""
from __future__ import annotations

import io
from enum import Enum
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from ..creation import from_numpy
from ..data.image_file import (
    ImageDecodeError,
    ImageTooLargeError,
    check_known_range,
    is_sixteen_bit_gray,
    open_image,
)
from ..tensor import Tensor

__all__ = ["ImageReadMode", "read_file", "write_file", "decode_image", "read_image",
           "decode_png", "decode_jpeg", "encode_png", "write_png", "encode_jpeg",
           "write_jpeg", "ImageDecodeError", "ImageTooLargeError"]

IN_MEMORY = "<encoded image>"  # how an image decoded from a tensor is named in errors


class ImageReadMode(Enum):
    """The channels a decoded image is given (torchvision's values)."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = 4  # torchvision's alias of RGB_ALPHA


PIL_MODE = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA",
            ImageReadMode.RGB: "RGB", ImageReadMode.RGB_ALPHA: "RGBA"}
# What UNCHANGED turns each Pillow mode into (a palette PNG keeps its indices).
UNCHANGED_MODE = {"1": "L", "L": "L", "LA": "LA", "La": "LA", "PA": "RGBA", "RGB": "RGB",
                  "RGBA": "RGBA", "RGBa": "RGBA", "RGBX": "RGB", "CMYK": "RGB",
                  "YCbCr": "RGB", "LAB": "RGB", "HSV": "RGB", "P": "RGB"}


def _read_mode(mode, caller: str) -> ImageReadMode:
    if isinstance(mode, ImageReadMode):
        return mode
    if isinstance(mode, str) and mode.upper() in ImageReadMode.__members__:
        return ImageReadMode[mode.upper()]
    raise ValueError(f"{caller}: mode must be an ImageReadMode or one of "
                     f"{sorted(ImageReadMode.__members__)}, got {mode!r}")


def _as_tensor(array: np.ndarray) -> Tensor:
    return from_numpy(np.ascontiguousarray(array))


# -- whole files --------------------------------------------------------------------------
def read_file(path) -> Tensor:
    """The bytes of the file ``path`` as a 1-D uint8 tensor."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"read_file: file not found: {path}") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"read_file: {path} is a folder, not a file") from None
    return _as_tensor(np.frombuffer(data, np.uint8).copy())


def write_file(filename, data: Tensor) -> None:
    """Write the 1-D uint8 tensor ``data`` to ``filename`` as raw bytes."""
    Path(filename).write_bytes(_encoded_bytes(data, "write_file"))


def _encoded_bytes(data, caller: str) -> bytes:
    if not isinstance(data, Tensor):
        raise TypeError(f"{caller}: expected a 1-D uint8 Tensor of encoded bytes, got "
                        f"{type(data).__name__}")
    if data.dtype != np.uint8 or data.dim() != 1 or data.numel() == 0:
        raise ValueError(f"{caller}: expected a non-empty 1-D uint8 Tensor of encoded bytes, "
                         f"got dtype {data.dtype} and shape {tuple(data.shape)}")
    return data.detach().cpu().numpy().tobytes()


# -- decoding ------------------------------------------------------------------------------
def decode_image(input, mode=ImageReadMode.UNCHANGED,
                 apply_exif_orientation: bool = False) -> Tensor:
    """Decode a PNG, JPEG, GIF, BMP, WebP ... given as a 1-D uint8 tensor of the encoded
    bytes or as a path, into a (C, H, W) tensor (C by ``mode``, see the module)."""
    return _decode(input, _read_mode(mode, "decode_image"), apply_exif_orientation,
                   None, "decode_image")


def read_image(path, mode=ImageReadMode.UNCHANGED,
               apply_exif_orientation: bool = False) -> Tensor:
    """Read the image file ``path`` into a (C, H, W) tensor (C by ``mode``)."""
    if isinstance(path, Tensor):
        raise TypeError("read_image: expected a path; decode_image takes encoded bytes")
    return _decode(path, _read_mode(mode, "read_image"), apply_exif_orientation, None,
                   "read_image")


def decode_png(input, mode=ImageReadMode.UNCHANGED,
               apply_exif_orientation: bool = False) -> Tensor:
    """:func:`decode_image` for PNG data only (anything else: ImageDecodeError)."""
    return _decode(input, _read_mode(mode, "decode_png"), apply_exif_orientation,
                   "PNG", "decode_png")


def decode_jpeg(input, mode=ImageReadMode.UNCHANGED, device="cpu",
                apply_exif_orientation: bool = False):
    """:func:`decode_image` for JPEG data only; a list of tensors gives a list."""
    if isinstance(input, list | tuple):
        return [decode_jpeg(item, mode, device, apply_exif_orientation) for item in input]
    image = _decode(input, _read_mode(mode, "decode_jpeg"), apply_exif_orientation,
                    "JPEG", "decode_jpeg")
    return image if str(device) == "cpu" else image.to(device)


def _decode(source, mode: ImageReadMode, exif: bool, expected: str | None,
            caller: str) -> Tensor:
    """The (C, H, W) pixels of a path or an encoded tensor, through ``open_image``."""
    if isinstance(source, Tensor):
        name, data = IN_MEMORY, _encoded_bytes(source, caller)
    elif isinstance(source, str | Path):
        name, data = str(source), None
    else:
        raise TypeError(f"{caller}: expected a 1-D uint8 Tensor or a path, got "
                        f"{type(source).__name__}")
    with open_image(name, data) as image:
        if expected is not None and image.format != expected:
            raise ImageDecodeError(f"{name}: cannot decode image ({caller}: the content is "
                                   f"{image.format or 'another format'}, not {expected})")
        if getattr(image, "n_frames", 1) > 1:
            raise NotImplementedError(f"{caller}: {name} has {image.n_frames} frames; minidl "
                                      "decodes still images only")
        if exif:
            image = ImageOps.exif_transpose(image)
        return _as_tensor(_pixels(image, mode, name).transpose(2, 0, 1))


def _pixels(image, mode: ImageReadMode, name: str) -> np.ndarray:
    """(H, W, C) uint8 (uint16 for 16-bit gray) pixels of a Pillow image in ``mode``."""
    if is_sixteen_bit_gray(image):
        gray = np.asarray(image).astype(np.uint16)[..., None]
        opaque = np.full_like(gray, 65535)
        channels = {ImageReadMode.UNCHANGED: [gray], ImageReadMode.GRAY: [gray],
                    ImageReadMode.GRAY_ALPHA: [gray, opaque],
                    ImageReadMode.RGB: [gray] * 3, ImageReadMode.RGB_ALPHA: [gray] * 3 + [opaque]}
        return np.concatenate(channels[mode], axis=2)
    check_known_range(image, name)
    if mode is ImageReadMode.UNCHANGED:
        if image.mode == "P" and image.format == "PNG":
            array = np.asarray(image)  # libpng's UNCHANGED: the palette indices
        else:
            target = UNCHANGED_MODE.get(image.mode, "RGB")
            if image.mode == "P" and "transparency" in image.info:
                target = "RGBA"
            array = np.asarray(image if image.mode == target else image.convert(target))
    else:
        if image.mode not in ("1", "L", "LA", "P", "PA", "RGB", "RGBA"):
            image = image.convert("RGBA" if image.mode in ("RGBa", "La") else "RGB")
        array = np.asarray(image.convert(PIL_MODE[mode]))
    return array[..., None] if array.ndim == 2 else array


# -- encoding ------------------------------------------------------------------------------
def _image_array(input, caller: str, channels: tuple[int, ...]) -> np.ndarray:
    """The (H, W, C) array of a (C, H, W) uint8 tensor (C in ``channels``)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{caller}: expected a uint8 Tensor (C, H, W), got "
                        f"{type(input).__name__}")
    if input.dtype != np.uint8:
        raise TypeError(f"{caller}: expected a uint8 Tensor, got {input.dtype}")
    if input.dim() != 3 or input.shape[0] not in channels or 0 in tuple(input.shape):
        raise ValueError(f"{caller}: expected a (C, H, W) image with C in {channels} and no "
                         f"empty side, got shape {tuple(input.shape)}")
    array = input.detach().cpu().numpy().transpose(1, 2, 0)
    return np.ascontiguousarray(array[..., 0] if array.shape[2] == 1 else array)


def _encode(array: np.ndarray, **save_options) -> Tensor:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, **save_options)
    return _as_tensor(np.frombuffer(buffer.getvalue(), np.uint8).copy())


def encode_png(input: Tensor, compression_level: int = 6) -> Tensor:
    """PNG bytes (1-D uint8 tensor) of a (C, H, W) uint8 image, C in 1 to 4, lossless;
    ``compression_level`` 0 (none) to 9 (smallest)."""
    if isinstance(compression_level, bool) or not isinstance(compression_level, int) or \
            not 0 <= compression_level <= 9:
        raise ValueError(f"encode_png: compression_level must be an int from 0 to 9, got "
                         f"{compression_level!r}")
    return _encode(_image_array(input, "encode_png", (1, 2, 3, 4)), format="PNG",
                   compress_level=compression_level)


def write_png(input: Tensor, filename, compression_level: int = 6) -> None:
    """Write a (C, H, W) uint8 image to ``filename`` as PNG."""
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(input, quality: int = 75):
    """JPEG bytes (1-D uint8 tensor) of a (C, H, W) uint8 image, C 1 or 3 (a list of
    images gives a list); ``quality`` 1 to 100."""
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
        raise ValueError(f"encode_jpeg: quality must be an int from 1 to 100, got {quality!r}")
    if isinstance(input, list | tuple):
        return [encode_jpeg(item, quality) for item in input]
    return _encode(_image_array(input, "encode_jpeg", (1, 3)), format="JPEG",
                   quality=quality)


def write_jpeg(input: Tensor, filename, quality: int = 75) -> None:
    """Write a (C, H, W) uint8 image to ``filename`` as JPEG."""
    write_file(filename, encode_jpeg(input, quality))
