"""``RandomAffine`` and ``RandomRotation`` with torchvision's conventions.

torchvision's ``affine`` turns clockwise for a positive angle and ``rotate``
counter-clockwise (minidl's :func:`minidl.data.functional.affine` turns counter-clockwise),
so ``RandomAffine`` negates its drawn angle and ``RandomRotation`` does not.  Both default
to nearest-neighbour interpolation and draw once per call (a batch Tensor turns as one).
"""
from __future__ import annotations

from ...data import functional as F
from ...data import transforms as T
from .images import InterpolationMode, image_hw, mode_name, on_images


class RandomAffine(T.RandomAffine):
    """A random rotation (``degrees``), shift (``translate``, fractions of the size), scaling
    (``scale``) and shear (``shear``, degrees) about ``center`` (x, y) in pixels (default:
    the image centre); see
    :class:`minidl.data.transforms.RandomAffine` for the forms of each argument."""

    def __init__(self, degrees, translate=None, scale=None, shear=None,
                 interpolation=InterpolationMode.NEAREST, fill=0, center=None):
        super().__init__(degrees, translate=translate, scale=scale, fill=fill,
                         interpolation=mode_name(interpolation), shear=shear)
        self.center = center

    def __call__(self, image):
        angle, shift, scale, shear = self.draw(self.rng, *image_hw(image))
        return on_images(image, lambda im: F.affine(im, -angle, shift, scale, self.fill,
                                                    self.interpolation, shear, self.center))


class RandomRotation(T.RandomAffine):
    """Rotate counter-clockwise by an angle drawn from (-degrees, degrees) or (low, high),
    about ``center`` (default: the image centre), keeping the size."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand: bool = False,
                 center=None, fill=0):
        if expand:
            raise ValueError("RandomRotation: expand is not supported by minidl (the rotation "
                             "keeps the size)")
        super().__init__(degrees, fill=fill, interpolation=mode_name(interpolation))
        self.center = center

    def __call__(self, image):
        angle = self.draw(self.rng, *image_hw(image))[0]
        return on_images(image, lambda im: F.affine(im, angle, fill=self.fill,
                                                    interpolation=self.interpolation,
                                                    center=self.center))

    def __repr__(self) -> str:
        return f"RandomRotation(degrees={self.degrees}, interpolation={self.interpolation})"
