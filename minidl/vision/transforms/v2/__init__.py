"""``torchvision.transforms.v2``: the v1 transforms on whole samples.

    transform = v2.Compose([v2.ToImage(), v2.RandomResizedCrop(224),
                            v2.ToDtype(torch.float32, scale=True), v2.Normalize(m, s)])
    img, label = transform(img, label)

A v2 transform takes any structure (a tuple, list or dict, nested) and transforms its
images — Pillow images, :class:`~minidl.vision.tv_tensors.Image`\\ s and, when the sample
holds neither, its first pure Tensor — leaving everything else (labels) unchanged.  A
random transform draws its parameters once per call: every image of a sample gets the
same ones.  The work is done by the v1 transforms (:mod:`minidl.vision.transforms`).
"""
from __future__ import annotations

import numpy as np
from PIL import Image as _PIL

from ....tensor import Tensor
from ... import tv_tensors
from .. import affine as _affine
from .. import auto_augment as _aa
from .. import blur as _blur
from .. import color as _color
from .. import composition as _comp
from .. import conversion as _conv
from .. import erasing as _erasing
from .. import geometry as _geo
from .. import resized_crop as _rrc
from ..images import InterpolationMode
from . import functional

__all__ = ["Transform", "Compose", "ToImage", "ToDtype", "ToPureTensor", "PILToTensor",
           "ToPILImage", "ConvertImageDtype", "Normalize", "Resize", "CenterCrop",
           "RandomCrop", "RandomResizedCrop", "RandomHorizontalFlip", "RandomVerticalFlip",
           "ColorJitter", "RandomRotation", "RandomAffine", "Grayscale", "RandomGrayscale",
           "RandomApply", "RandomChoice", "RandomOrder", "Lambda", "GaussianBlur",
           "RandomErasing", "RandAugment", "TrivialAugmentWide", "Pad", "InterpolationMode",
           "FiveCrop", "TenCrop", "functional"]


def _flatten(sample, leaves):
    if isinstance(sample, tuple | list):
        parts = [_flatten(item, leaves) for item in sample]
        return lambda values: type(sample)(part(values) for part in parts)
    if isinstance(sample, dict):
        parts = {key: _flatten(item, leaves) for key, item in sample.items()}
        return lambda values: {key: part(values) for key, part in parts.items()}
    index = len(leaves)
    leaves.append(sample)
    return lambda values: values[index]


def _is_image(leaf) -> bool:
    return isinstance(leaf, _PIL.Image | tv_tensors.Image)


def _is_pure_tensor(leaf) -> bool:
    return isinstance(leaf, Tensor) and not isinstance(leaf, tv_tensors.TVTensor)


class Transform:
    """The base: ``_transform(leaf)`` on each leaf of a sample that needs it."""

    _transformed_types: tuple = (Tensor, _PIL.Image)

    def _needs(self, leaves) -> list[bool]:
        pure_ok = not any(_is_image(leaf) for leaf in leaves)
        needs = []
        for leaf in leaves:
            need = isinstance(leaf, self._transformed_types)
            if need and _is_pure_tensor(leaf):
                need, pure_ok = pure_ok, False
            needs.append(need)
        return needs

    def _generator(self):
        return None

    def __call__(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        leaves: list = []
        rebuild = _flatten(sample, leaves)
        generator = self._generator()
        state = None if generator is None else generator.bit_generator.state
        last = state
        out = []
        for leaf, need in zip(leaves, self._needs(leaves), strict=True):
            if need:
                if state is not None:  # the same draws for every image of the sample
                    generator.bit_generator.state = state
                out.append(self._transform(leaf))
                last = None if generator is None else generator.bit_generator.state
            else:
                out.append(leaf)
        if generator is not None and last is not None:
            generator.bit_generator.state = last
        return rebuild(out)

    def _transform(self, leaf):
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _rewrap(result, like):
    if isinstance(like, tv_tensors.Image) and isinstance(result, Tensor):
        return tv_tensors.wrap(result, like=like)
    return result


class _FromV1(Transform):
    """A v2 transform running a v1 one (built from the same arguments)."""

    _v1: type = object

    def __init__(self, *args, **kwargs):
        self.v1 = self._v1(*args, **kwargs)

    def __getattr__(self, name):
        if name == "v1":
            raise AttributeError(name)
        return getattr(self.v1, name)

    def _generator(self):
        rng = getattr(type(self.v1), "rng", None)
        return self.v1.rng if rng is not None else None

    def _transform(self, leaf):
        return _rewrap(self.v1(leaf), leaf)

    def __repr__(self) -> str:
        return repr(self.v1)


def _v2(v1_class, doc=None):
    cls = type(v1_class.__name__, (_FromV1,), {"_v1": v1_class,
                                               "__doc__": doc or v1_class.__doc__,
                                               "__module__": __name__})
    if hasattr(v1_class, "get_params"):
        cls.get_params = staticmethod(v1_class.get_params)
    return cls


Resize = _v2(_geo.Resize)
CenterCrop = _v2(_geo.CenterCrop)
RandomCrop = _v2(_geo.RandomCrop)
RandomHorizontalFlip = _v2(_geo.RandomHorizontalFlip)
RandomVerticalFlip = _v2(_geo.RandomVerticalFlip)
Pad = _v2(_geo.Pad)
RandomResizedCrop = _v2(_rrc.RandomResizedCrop)


class _Crops(_FromV1):
    """A v1 transform giving a tuple of crops; each crop of an Image stays an Image."""

    def _transform(self, leaf):
        return tuple(_rewrap(crop, leaf) for crop in self.v1(leaf))


FiveCrop = type("FiveCrop", (_Crops,), {"_v1": _geo.FiveCrop, "__doc__": _geo.FiveCrop.__doc__,
                                        "__module__": __name__})
TenCrop = type("TenCrop", (_Crops,), {"_v1": _geo.TenCrop, "__doc__": _geo.TenCrop.__doc__,
                                      "__module__": __name__})
RandomRotation = _v2(_affine.RandomRotation)
RandomAffine = _v2(_affine.RandomAffine)
ColorJitter = _v2(_color.ColorJitter)
Grayscale = _v2(_color.Grayscale)
RandomGrayscale = _v2(_color.RandomGrayscale)
GaussianBlur = _v2(_blur.GaussianBlur)
RandAugment = _v2(_aa.RandAugment)
TrivialAugmentWide = _v2(_aa.TrivialAugmentWide)
PILToTensor = _v2(_conv.PILToTensor)
ToPILImage = _v2(_conv.ToPILImage)


class Normalize(_FromV1):
    """(x - mean[c]) / std[c] per channel of a float image Tensor (a Pillow image is an
    error, as in torchvision)."""

    _v1 = _conv.Normalize

    def _transform(self, leaf):
        if isinstance(leaf, _PIL.Image):
            raise TypeError("Normalize: expected a Tensor image, got a Pillow image")
        return _rewrap(self.v1(leaf), leaf)


class RandomErasing(_FromV1):
    """Erase a random box of a Tensor image (v1's RandomErasing)."""

    _v1 = _erasing.RandomErasing
    _transformed_types = (Tensor,)
    get_params = staticmethod(_erasing.RandomErasing.get_params)


class ToImage(Transform):
    """A Pillow image, an (H, W[, C]) array or a Tensor -> a :class:`tv_tensors.Image`
    (a Pillow image or array keeps its dtype: uint8 (C, H, W))."""

    _transformed_types = (Tensor, _PIL.Image, np.ndarray)

    def _transform(self, leaf):
        return functional.to_image(leaf)


class ToPureTensor(Transform):
    """tv_tensors -> plain Tensors."""

    _transformed_types = (tv_tensors.TVTensor,)

    def _needs(self, leaves):
        return [isinstance(leaf, tv_tensors.TVTensor) for leaf in leaves]

    def _transform(self, leaf):
        return Tensor._from_array(leaf.array)


class ToDtype(Transform):
    """Images to ``dtype``; ``scale=True`` rescales the values as ConvertImageDtype does
    (uint8 [0, 255] <-> float [0, 1]).  ``dtype`` may be a dict {type: dtype}."""

    _transformed_types = (Tensor,)

    def __init__(self, dtype, scale: bool = False):
        self.dtype, self.scale = dtype, scale

    def _dtype_for(self, leaf):
        if not isinstance(self.dtype, dict):
            return self.dtype
        for key, value in self.dtype.items():
            if key == "others" or (isinstance(key, type) and isinstance(leaf, key)):
                return value
        return None

    def _transform(self, leaf):
        dtype = self._dtype_for(leaf)
        return leaf if dtype is None else functional.to_dtype(leaf, dtype, self.scale)

    def __repr__(self) -> str:
        return f"ToDtype(dtype={self.dtype}, scale={self.scale})"


class ConvertImageDtype(ToDtype):
    """ToDtype(dtype, scale=True)."""

    def __init__(self, dtype=None):
        super().__init__(dtype, scale=True)


class Compose:
    """Apply ``transforms`` in order to the whole sample."""

    def __init__(self, transforms):
        if not isinstance(transforms, list | tuple):
            raise TypeError("Compose: transforms must be a list or tuple of callables")
        self.transforms = list(transforms)

    def __call__(self, *inputs):
        needs_unpacking = len(inputs) > 1
        for transform in self.transforms:
            outputs = transform(*inputs)
            inputs = outputs if needs_unpacking else (outputs,)
        return outputs if needs_unpacking else inputs[0]

    def __repr__(self) -> str:
        body = "".join(f"\n    {t}" for t in self.transforms)
        return f"Compose({body}\n)"


def _call(transform, inputs):
    return transform(*inputs) if len(inputs) > 1 else transform(inputs[0])


class RandomApply(_comp.RandomApply):
    """Apply all ``transforms`` to the sample with probability ``p``."""

    def __call__(self, *inputs):
        if self.rng.random() >= self.p:
            return inputs if len(inputs) > 1 else inputs[0]
        return Compose(self.transforms)(*inputs)


class RandomChoice(_comp.RandomChoice):
    """Apply one of ``transforms`` (weights ``p``) to the sample."""

    def __call__(self, *inputs):
        weights = None if self.p is None else [w / sum(self.p) for w in self.p]
        return _call(self.transforms[int(self.rng.choice(len(self.transforms), p=weights))],
                     inputs)


class RandomOrder(_comp.RandomOrder):
    """Apply all ``transforms`` to the sample, in a random order."""

    def __call__(self, *inputs):
        order = self.rng.permutation(len(self.transforms))
        return Compose([self.transforms[i] for i in order])(*inputs)


class Lambda(Transform):
    """Apply ``lambd`` to the leaves of the sample of ``types`` (default: all)."""

    def __init__(self, lambd, *types):
        if not callable(lambd):
            raise TypeError(f"Lambda: argument should be callable, got {type(lambd).__name__}")
        self.lambd = lambd
        self._transformed_types = types or (object,)

    def _transform(self, leaf):
        return self.lambd(leaf)

    def __repr__(self) -> str:
        return "Lambda()"
