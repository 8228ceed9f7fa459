"""torchvision's transforms, with torchvision's semantics (``torchvision.transforms``).

    transform = transforms.Compose([
        transforms.RandomResizedCrop(224),      # PIL image -> PIL image
        transforms.RandomHorizontalFlip(),
        transforms.ColorJitter(0.4, 0.4, 0.4, 0.1),
        transforms.ToTensor(),                  # (H, W, C) uint8 -> (C, H, W) float32 / 255
        transforms.Normalize((0.5,), (0.5,)),   # Tensor -> Tensor
        transforms.RandomErasing(),             # Tensor -> Tensor
    ])

The image operations are minidl's own (:mod:`minidl.data.functional`,
:mod:`minidl.data.color_adjust`, :mod:`minidl.data.tone`, :mod:`minidl.data.blur`, on
Pillow images and (H, W, C) arrays); the classes here add what torchvision's do beyond
them: ``ToTensor`` gives a minidl ``Tensor``, and the transforms also take Tensors of shape
(..., C, H, W) (:mod:`.images`).  Random transforms draw from
:func:`minidl.data.seeding.sample_generator`: a DataLoader's epoch seed fixes every
sample's augmentation whatever the number of workers, and ``minidl.manual_seed`` makes
them repeatable elsewhere.  :mod:`.functional` holds the functional forms (``TF``).

One module a family: :mod:`.conversion` (ToTensor, ToPILImage, ConvertImageDtype,
Normalize), :mod:`.geometry` (Resize, crops, flips, Pad), :mod:`.resized_crop`,
:mod:`.affine` (RandomAffine, RandomRotation), :mod:`.perspective`, :mod:`.color`
(Grayscale, ColorJitter), :mod:`.tone`, :mod:`.blur`, :mod:`.erasing`,
:mod:`.composition`, :mod:`.auto_augment` (RandAugment, TrivialAugmentWide).
"""
from __future__ import annotations

from . import functional
from .affine import RandomAffine, RandomRotation
from .auto_augment import RandAugment, TrivialAugmentWide
from .blur import GaussianBlur
from .color import ColorJitter, Grayscale, RandomGrayscale
from .composition import Compose, Lambda, RandomApply, RandomChoice, RandomOrder
from .conversion import ConvertImageDtype, Normalize, PILToTensor, ToPILImage, ToTensor
from .erasing import RandomErasing
from .geometry import (
    CenterCrop,
    FiveCrop,
    Pad,
    RandomCrop,
    RandomHorizontalFlip,
    RandomVerticalFlip,
    Resize,
    TenCrop,
)
from .images import InterpolationMode
from .perspective import RandomPerspective
from .resized_crop import RandomResizedCrop
from .tone import (
    RandomAdjustSharpness,
    RandomAutocontrast,
    RandomEqualize,
    RandomInvert,
    RandomPosterize,
    RandomSolarize,
)

__all__ = ["Compose", "ToTensor", "PILToTensor", "ToPILImage", "Normalize", "Resize",
           "CenterCrop", "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip",
           "RandomRotation", "Pad", "Grayscale", "Lambda", "InterpolationMode",
           "RandomResizedCrop", "ColorJitter", "RandomGrayscale", "RandomApply",
           "RandomChoice", "RandomOrder", "GaussianBlur", "RandomErasing", "RandomAffine",
           "ConvertImageDtype", "RandomInvert", "RandomPosterize", "RandomSolarize",
           "RandomAdjustSharpness", "RandomAutocontrast", "RandomEqualize", "RandomPerspective",
           "RandAugment", "TrivialAugmentWide", "FiveCrop", "TenCrop", "functional"]
from . import v2  # noqa: E402  (transforms.v2 reachable as an attribute, as torchvision's)
