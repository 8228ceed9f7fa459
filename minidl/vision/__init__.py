"""``minidl.vision``: the part of torchvision that classic PyTorch programs use, with
torchvision's names and semantics — what ``import torchvision`` gives under ``minidl run``.

    from minidl.vision import datasets, transforms, utils
    train = datasets.MNIST("data", train=True, transform=transforms.ToTensor())
    utils.save_image(images, "grid.png", nrow=8, normalize=True)

:mod:`.datasets` (MNIST, FashionMNIST, CIFAR10, ImageFolder, FakeData) reads files with
minidl's own loaders; :mod:`.transforms` builds on :mod:`minidl.data.functional`;
:mod:`.utils` makes image grids; :mod:`.io` reads and writes image files as tensors;
:mod:`.models` builds torchvision's classification networks.
"""
from . import datasets, io, models, transforms, utils

__all__ = ["datasets", "io", "models", "transforms", "utils"]
