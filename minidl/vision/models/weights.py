"""Pretrained weights: torchvision's ``*_Weights`` enums by name, and the one error that
says they cannot be downloaded here.

``ResNet18_Weights.DEFAULT``, ``.IMAGENET1K_V1`` and the strings ``"IMAGENET1K_V1"`` /
``"DEFAULT"`` exist so that programs naming them import and run up to the point where a
model would download its weights; every builder then raises
:class:`PretrainedWeightsUnavailable`, which says how to load a checkpoint instead.
"""
from __future__ import annotations

import functools
from enum import Enum
from typing import Any, Callable, TypeVar

Builder = TypeVar("Builder", bound=Callable[..., Any])


class PretrainedWeightsUnavailable(RuntimeError):
    """A builder was asked for pretrained weights, which minidl cannot download."""


class WeightsEnum(Enum):
    """Base of the ``*_Weights`` enums (made by ``weights_enum``); each member's value is
    its own name, and ``DEFAULT`` is an alias of the member torchvision uses by default."""

    @classmethod
    def verify(cls, obj: Any) -> WeightsEnum | None:
        """torchvision's check: None, a member, or a member's name (``"IMAGENET1K_V1"``)."""
        if obj is None or isinstance(obj, cls):
            return obj
        name = obj.split(".")[-1] if isinstance(obj, str) else ""
        if name in cls.__members__:
            return cls.__members__[name]
        raise ValueError(f"{obj!r} is not one of {cls.__name__}'s members: "
                         f"{', '.join(cls.__members__)}")


def weights_enum(name: str, *members: str, default: str | None = None) -> Any:
    """A ``*_Weights`` enum named ``name``: each of ``members`` valued its own name, and
    ``DEFAULT`` an alias of ``default`` (the newest, last member, unless given)."""
    entries = [(member, member) for member in members]
    return WeightsEnum(name, entries + [("DEFAULT", default or members[-1])],  # type: ignore[call-arg]
                       module=__name__)


def without_downloads(builder: Builder) -> Builder:
    """Wrap a model builder ``f(*, weights=None, progress=True, **kwargs)`` so that
    ``weights`` other than None, or the legacy ``pretrained=True``, raises
    :class:`PretrainedWeightsUnavailable`; ``pretrained=False`` is dropped."""
    @functools.wraps(builder)
    def build(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> Any:
        pretrained = kwargs.pop("pretrained", False)
        if weights is not None or pretrained:
            asked = f"weights={weights!r}" if weights is not None else "pretrained=True"
            name = builder.__name__
            raise PretrainedWeightsUnavailable(
                f"{name}({asked}): minidl cannot download pretrained weights. Build the "
                f"model with weights=None and load a state_dict you have: "
                f"model = {name}(); model.load_state_dict(minidl.load('{name}.safetensors'))"
                f" (a safetensors file, e.g. saved from PyTorch with "
                f"safetensors.torch.save_file(model.state_dict(), '{name}.safetensors'), "
                f"or a minidl.save checkpoint)")
        return builder(weights=None, progress=progress, **kwargs)
    return build  # type: ignore[return-value]
