"""Reading image files (JPEG, PNG ...): the one place minidl opens them, with a pixel cap.

    load_image("photo.jpg")                   # (H, W, 3) uint8
    load_image("scan.png", mode="L", size=64) # (64, 64) uint8, resized
    image_shape("photo.jpg")                  # (H, W) from the header, nothing decoded

Every image minidl reads (datasets, ``minidl colorize`` ...) goes through here, so:

* **Pixel cap.** A small file can declare a huge image (a 97 kB PNG of 100 megapixels
  decodes to gigabytes). The header is read first and an image of more than
  ``max_image_pixels()`` pixels is refused before anything is decoded. The limit is
  64 megapixels (an 8000 x 8000 photo); set the environment variable
  ``MINIDL_MAX_IMAGE_PIXELS`` to change it (read at each call). Pillow's own
  decompression-bomb limit (``PIL.Image.MAX_IMAGE_PIXELS``, twice that for an error)
  still applies on top; both are reported as one :class:`ImageTooLargeError` line.
* **16-bit images.** 16-bit grayscale (PNG, TIFF) is scaled to 8 bits,
  ``round(v * 255 / 65535)``, instead of being clipped (Pillow's ``convert`` clips every
  value above 255 to white). 32-bit integer and float images, whose range is unknown,
  are refused.
* **One-line errors.** A missing file is a ``FileNotFoundError``; anything that cannot be
  decoded (not an image, truncated, damaged) is an :class:`ImageDecodeError` naming the
  file, never a traceback from inside Pillow.
"""
from __future__ import annotations

import io
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

from .functional import size_pair

MAX_PIXELS_ENV = "MINIDL_MAX_IMAGE_PIXELS"
DEFAULT_MAX_PIXELS = 64_000_000
SIXTEEN_BIT_GRAY = ("I;16", "I;16L", "I;16B", "I;16N")


class ImageDecodeError(ValueError):
    """An image file could not be read (the message names the file and why)."""


class ImageTooLargeError(ImageDecodeError):
    """An image file declares more pixels than the cap (see the module docstring)."""


def max_image_pixels() -> int:
    """The pixel cap: ``$MINIDL_MAX_IMAGE_PIXELS`` if set, else 64 megapixels."""
    text = os.environ.get(MAX_PIXELS_ENV)
    if not text:
        return DEFAULT_MAX_PIXELS
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(f"{MAX_PIXELS_ENV} must be a positive whole number of pixels, got "
                         f"{text!r}")
    return value


@contextmanager
def open_image(path, data: bytes | None = None):
    """The Pillow image of ``path`` with only its header read, after checking its size
    against the pixel cap; errors while using it become :class:`ImageDecodeError`.

    ``data``: the encoded file already in memory (``torchvision.io.decode_image``);
    ``path`` then only names it in messages."""
    path, limit = Path(path), max_image_pixels()
    try:
        with Image.open(path if data is None else io.BytesIO(data)) as image:
            _check_pixels(path, image.width, image.height, limit)
            yield image
    except ImageDecodeError:
        raise
    except FileNotFoundError:
        raise FileNotFoundError(f"image file not found: {path}") from None
    except IsADirectoryError:
        raise ImageDecodeError(f"{path}: cannot decode image (it is a folder)") from None
    except Image.DecompressionBombError as error:
        raise ImageTooLargeError(f"{path}: refused by Pillow as a possible decompression bomb "
                                 f"({error} Pillow's limit is PIL.Image.MAX_IMAGE_PIXELS)"
                                 ) from None
    except Exception as error:  # whatever a damaged file makes a Pillow decoder raise
        reason = str(error) or type(error).__name__
        raise ImageDecodeError(f"{path}: cannot decode image ({reason})") from None


def image_shape(path) -> tuple[int, int]:
    """(height, width) of the image file ``path``, from its header (within the cap)."""
    with open_image(path) as image:
        return image.height, image.width


def load_image(path, mode: str = "RGB", size=None) -> np.ndarray:
    """Decode ``path`` as an (H, W, 3) ("RGB") or (H, W) ("L") uint8 array, resized to
    ``size`` (an int for a square, or (height, width); None keeps the file's size).

    JPEGs are decoded straight at a reduced scale when ``size`` is much smaller (Pillow's
    ``draft``)."""
    with open_image(path) as image:
        if size is not None:
            height, width = size_pair(size, "load_image")
            image.draft(mode, (width, height))  # JPEG: decode at a reduced scale
        image = _eight_bit(image, path).convert(mode)
        if size is not None and image.size != (width, height):
            image = image.resize((width, height), Image.Resampling.BILINEAR)
        return np.asarray(image)


def _check_pixels(path: Path, width: int, height: int, limit: int) -> None:
    if width * height > limit:
        raise ImageTooLargeError(f"{path}: image of {width}x{height} = {width * height:,} "
                                 f"pixels is over the limit of {limit:,} (set "
                                 f"{MAX_PIXELS_ENV} to allow more)")


def is_sixteen_bit_gray(image) -> bool:
    """Whether a Pillow image holds 16-bit grayscale samples (Pillow opens a 16-bit PNG as
    mode "I": PNG has at most 16 bits per sample)."""
    return image.mode in SIXTEEN_BIT_GRAY or (image.mode == "I" and image.format == "PNG")


def check_known_range(image, path) -> None:
    """An ImageDecodeError for 32-bit integer or floating-point pixels (other than 16-bit
    grayscale), whose range no file format states."""
    if image.mode in ("I", "F") and not is_sixteen_bit_gray(image):
        kind = "32-bit integer" if image.mode == "I" else "floating-point"
        raise ImageDecodeError(f"{path}: cannot decode image ({kind} pixels have no known "
                               "range; convert it to an 8- or 16-bit image)")


def _eight_bit(image, path: Path):
    """``image`` with 16-bit grayscale scaled to 8 bits ("L"); other 8-bit modes as is."""
    if is_sixteen_bit_gray(image):
        values = np.asarray(image).astype(np.uint32)
        return Image.fromarray(((values * 255 + 32767) // 65535).astype(np.uint8))
    check_known_range(image, path)
    return image
