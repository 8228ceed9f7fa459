"""What a CNN's feature extractor sees: the activation maps of one image, layer by layer.

For a model whose convolutional part is an ``nn.Sequential`` called ``features`` (the
classifiers of the MNIST studies), :func:`feature_maps` runs one image through it and
keeps the output of every layer that is or ends in a ReLU (a conv-BN-ReLU block): one
(C, H, W) array per convolution, the "feature maps" the multidigit seed shows. Early maps
respond to strokes and edges, later ones to larger parts of the digits.
"""
from __future__ import annotations

from .. import no_grad
from ..nn import ReLU, Sequential
from .task import to_numpy


def feature_maps(model, image) -> list:
    """``[(layer name, activations (C, H, W))]`` of ``model.features`` for ``image``
    (1, C, H, W); empty when the model has no ``features`` Sequential."""
    features = getattr(model, "features", None)
    if not isinstance(features, Sequential):
        return []
    maps, x = [], image
    with no_grad():
        for name, layer in features.named_children():
            x = layer(x)
            last = list(layer)[-1] if isinstance(layer, Sequential) and len(layer) else layer
            if isinstance(last, ReLU):
                maps.append((f"features.{name}, after ReLU", to_numpy(x[0])))
    return maps
