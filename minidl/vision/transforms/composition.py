"""Transforms made of other transforms: ``Compose``, ``RandomApply`` (all of them, with
probability p), ``RandomChoice`` (one of them, with weights ``p``), ``RandomOrder`` (all
of them, in a random order), ``Lambda`` (a user function)."""
from __future__ import annotations

from ...data import transforms as T
from ...data.transforms import Compose

__all__ = ["Compose", "RandomApply", "RandomChoice", "RandomOrder", "Lambda"]


def _listed(transforms, owner: str) -> list:
    if not isinstance(transforms, list | tuple) or not all(callable(t) for t in transforms):
        raise TypeError(f"{owner}: transforms must be a list or tuple of callables, got "
                        f"{transforms!r}")
    return list(transforms)


class RandomApply(T.RandomTransform):
    """Apply all ``transforms`` in order with probability ``p``, else none."""

    def __init__(self, transforms, p: float = 0.5):
        super().__init__()
        self.transforms = _listed(transforms, "RandomApply")
        self.p = T.check_probability(p, "RandomApply")

    def __call__(self, image):
        if self.rng.random() >= self.p:
            return image
        for transform in self.transforms:
            image = transform(image)
        return image

    def __repr__(self) -> str:
        return f"RandomApply(p={self.p}, transforms={self.transforms})"


class RandomChoice(T.RandomTransform):
    """Apply one of ``transforms``, chosen with weights ``p`` (uniform by default;
    normalized to sum to 1)."""

    def __init__(self, transforms, p=None):
        super().__init__()
        self.transforms = _listed(transforms, "RandomChoice")
        if p is not None and (len(p) != len(self.transforms) or min(p) < 0 or sum(p) <= 0):
            raise ValueError(f"RandomChoice: p must be {len(self.transforms)} non-negative "
                             f"weights, not all 0, got {p!r}")
        self.p = p

    def __call__(self, image):
        weights = None if self.p is None else [w / sum(self.p) for w in self.p]
        return self.transforms[int(self.rng.choice(len(self.transforms), p=weights))](image)

    def __repr__(self) -> str:
        return f"RandomChoice(transforms={self.transforms}, p={self.p})"


class RandomOrder(T.RandomTransform):
    """Apply all ``transforms``, in a random order."""

    def __init__(self, transforms):
        super().__init__()
        self.transforms = _listed(transforms, "RandomOrder")

    def __call__(self, image):
        for index in self.rng.permutation(len(self.transforms)):
            image = self.transforms[index](image)
        return image

    def __repr__(self) -> str:
        return f"RandomOrder(transforms={self.transforms})"


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
