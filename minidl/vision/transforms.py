"""torchvision's transforms, with torchvision's semantics (``torchvision.transforms``).

    transform = transforms.Compose([
        transforms.Resize(32),                  # PIL image -> PIL image
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),                  # (H, W, C) uint8 -> (C, H, W) float32 / 255
        transforms.Normalize((0.5,), (0.5,)),   # Tensor -> Tensor
    ])

The image operations are minidl's own (:mod:`minidl.data.functional`, on Pillow images
and (H, W, C) arrays); this module adds what torchvision's classes do beyond them:
``ToTensor`` gives a minidl ``Tensor`` (not an array), ``Normalize`` works on Tensors of
any batch shape (..., C, H, W), and the geometric transforms also take (..., C, H, W)
Tensors, as torchvision's do.  Random transforms draw from minidl's generators (see
:mod:`minidl.data.transforms`), so ``minidl.manual_seed`` makes them repeatable.
"""
from __future__ import annotations

import enum

import numpy as np
from PIL import Image

from .. import creation
from ..data import functional as F
from ..data import transforms as T
from ..data.transforms import Compose
from ..tensor import Tensor

__all__ = ["Compose", "ToTensor", "PILToTensor", "ToPILImage", "Normalize", "Resize",
           "CenterCrop", "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip",
           "RandomRotation", "Pad", "Grayscale", "Lambda", "InterpolationMode"]


class InterpolationMode(str, enum.Enum):
    """How resizing fills new pixels (torchvision's enum; its values are the names
    :mod:`minidl.data.functional` takes)."""

    NEAREST = "nearest"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"


def _mode_name(interpolation) -> str:
    """An InterpolationMode, its string value or a Pillow constant, as minidl's name."""
    pillow = {int(Image.Resampling.NEAREST): "nearest",
              int(Image.Resampling.BILINEAR): "bilinear",
              int(Image.Resampling.BICUBIC): "bicubic"}
    if isinstance(interpolation, InterpolationMode):
        return interpolation.value
    if isinstance(interpolation, int) and int(interpolation) in pillow:
        return pillow[int(interpolation)]
    return str(interpolation)


def _on_images(image, operation):
    """Apply an image ``operation`` (Pillow images and (H, W, C) arrays) to a Pillow image,
    an array, or a Tensor of shape (..., C, H, W) — each (C, H, W) image of a Tensor
    goes through as an (H, W, C) array and comes back as a Tensor of the input's dtype."""
    if not isinstance(image, Tensor):
        return operation(image)
    array = image.detach().cpu().numpy()
    if array.ndim < 3:
        raise ValueError(f"expected a Tensor image of shape (..., C, H, W), got {image.shape}")
    flat = array.reshape(-1, *array.shape[-3:])
    done = [np.moveaxis(np.asarray(operation(np.moveaxis(one, 0, -1))), -1, 0) for one in flat]
    result = np.stack(done).reshape(*array.shape[:-3], *done[0].shape)
    return creation.tensor(result.astype(array.dtype, copy=False), device=image.device)


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


class Resize:
    """Resize to ``size``: an int sets the shorter side (the longer follows the aspect
    ratio, truncated), a pair (height, width) sets both; ``max_size`` caps the longer side
    of an int resize."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias: bool | None = True):
        self.size, self.max_size = size, max_size
        self.interpolation = _mode_name(interpolation)
        if self.interpolation not in F.INTERPOLATIONS:
            raise ValueError(f"Resize: interpolation must be one of "
                             f"{tuple(F.INTERPOLATIONS)}, got {interpolation!r}")

    def _size_for(self, image):
        size = self.size[0] if isinstance(self.size, list | tuple) and len(self.size) == 1 \
            else self.size
        if not isinstance(size, int) or self.max_size is None:
            return size
        height, width = F.image_size(image)
        short, long = sorted((height, width))
        if int(size * long / short) > self.max_size:
            size = int(self.max_size * short / long)
        return size

    def __call__(self, image):
        return _on_images(image, lambda im: F.resize(im, self._size_for(im),
                                                     self.interpolation))

    def __repr__(self) -> str:
        return (f"Resize(size={self.size}, interpolation={self.interpolation}, "
                f"max_size={self.max_size})")


class CenterCrop(T.CenterCrop):
    """The central window (padded with zeros first when the image is smaller)."""

    def __call__(self, image):
        return _on_images(image, super().__call__)


class RandomCrop(T.RandomCrop):
    __doc__ = T.RandomCrop.__doc__

    def __call__(self, image):
        return _on_images(image, super().__call__)


class RandomHorizontalFlip(T.RandomHorizontalFlip):
    """Mirror left <-> right with probability ``p`` (a whole batch Tensor at once)."""

    def __call__(self, image):
        return _on_images(image, F.hflip) if self.rng.random() < self.p else image


class RandomVerticalFlip(T.RandomVerticalFlip):
    """Mirror top <-> bottom with probability ``p`` (a whole batch Tensor at once)."""

    def __call__(self, image):
        return _on_images(image, F.vflip) if self.rng.random() < self.p else image


class RandomRotation(T.RandomRotation):
    """Rotate by an angle drawn from (-degrees, degrees) or (low, high), about the centre."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand: bool = False,
                 center=None, fill=0):
        if expand or center is not None:
            raise ValueError("RandomRotation: expand and center are not supported by minidl "
                             "(the rotation keeps the size and turns about the centre)")
        super().__init__(degrees, fill=fill, interpolation=_mode_name(interpolation))

    def __call__(self, image):
        return _on_images(image, super().__call__)


class Pad:
    """Add ``padding`` pixels (int, (left/right, top/bottom) or (left, top, right, bottom))
    of ``fill``, or by ``padding_mode`` "edge", "reflect" or "symmetric"."""

    def __init__(self, padding, fill=0, padding_mode: str = "constant"):
        F.padding_sides(padding)
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, image):
        return _on_images(image, lambda im: F.pad(im, self.padding, self.fill,
                                                  self.padding_mode))

    def __repr__(self) -> str:
        return (f"Pad(padding={self.padding}, fill={self.fill}, "
                f"padding_mode={self.padding_mode})")


class Grayscale:
    """To gray, with 1 or 3 (equal) output channels.

    Pillow images convert as Pillow does (ITU-R 601-2 luma, ``convert("L")``), Tensors
    (..., 3, H, W) by 0.2989 R + 0.587 G + 0.114 B, as torchvision.
    """

    TENSOR_WEIGHTS = (0.2989, 0.587, 0.114)

    def __init__(self, num_output_channels: int = 1):
        if num_output_channels not in (1, 3):
            raise ValueError(f"Grayscale: num_output_channels must be 1 or 3, got "
                             f"{num_output_channels}")
        self.num_output_channels = num_output_channels

    def __call__(self, image):
        if isinstance(image, Image.Image):
            gray = image.convert("L")
            return gray if self.num_output_channels == 1 else gray.convert("RGB")
        if not isinstance(image, Tensor) or image.ndim < 3 or image.shape[-3] not in (1, 3):
            raise TypeError("Grayscale: expected a PIL image or a (..., 1 or 3, H, W) Tensor")
        array = image.detach().cpu().numpy()
        if array.shape[-3] == 3:
            weights = np.asarray(self.TENSOR_WEIGHTS, dtype=np.float64)
            gray = np.tensordot(weights, np.moveaxis(array, -3, 0), axes=1)[..., None, :, :]
            if array.dtype.kind != "f":
                gray = np.floor(gray)
            array = gray.astype(array.dtype)
        array = np.repeat(array, self.num_output_channels, axis=-3)
        return creation.tensor(np.ascontiguousarray(array), device=image.device)

    def __repr__(self) -> str:
        return f"Grayscale(num_output_channels={self.num_output_channels})"


class Lambda:
    """Apply a user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Lambda: argument should be callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, image):
        return self.lambd(image)

    def __repr__(self) -> str:
        return "Lambda()"
