"""Datasets of the studies: loaders, generators, and where the files are found.

One call per study gives its (train, test) datasets, see :mod:`.study_data`::

    from minidl.datasets import STUDY_DATA
    train, test = STUDY_DATA["iizuka"](dataset="ncd")

The pieces, one module each: :mod:`.mnist` (IDX files, shipped with the package),
:mod:`.colorized_mnist` and :mod:`.multidigit_mnist` (generators built on MNIST),
:mod:`.cifar10` (python batches, safely unpickled; JPEG folders), :mod:`.image_folder`
(class sub-folders and flat folders, decoded lazily), :mod:`.ncd`, :mod:`.stanford_dogs`,
:mod:`.mirflickr`, :mod:`.colorization` ((input, target) pairs in grayscale or CIE Lab),
:mod:`.locate` and :mod:`.download` (the search order: ``--data-dir``, ``$MINIDL_DATA``,
the package, ``~/.cache/minidl``, a checked download) and :mod:`.registry` (the table
behind ``minidl data list`` / ``show``).
"""
from .cifar10 import CIFAR10
from .colorization import GrayscaleColorization, LabColorization
from .colorized_mnist import ColorizedMNIST
from .image_folder import FlatImageFolder, ImageFolder
from .locate import DatasetNotFoundError
from .mirflickr import MIRFlickr, SamplePhotos
from .mnist import MNIST, load_mnist
from .multidigit_mnist import MultiDigitFolder, MultiDigitMNIST
from .ncd import NCD
from .registry import DATASETS
from .stanford_dogs import StanfordDogs
from .study_data import STUDY_DATA

__all__ = ["MNIST", "load_mnist", "ColorizedMNIST", "MultiDigitMNIST", "MultiDigitFolder",
           "CIFAR10", "ImageFolder", "FlatImageFolder", "NCD", "StanfordDogs", "MIRFlickr",
           "SamplePhotos", "LabColorization", "GrayscaleColorization", "DatasetNotFoundError",
           "DATASETS", "STUDY_DATA"]
