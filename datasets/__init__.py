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

This folder sits at the top of the repository but installs as ``minidl.datasets`` (a
setuptools ``package-dir`` mapping, so no top-level ``datasets`` module shadows another
library): it is imported as ``minidl.datasets`` and its modules import minidl by absolute
name (``from minidl.data import Dataset``).
"""
from minidl.datasets.cifar10 import CIFAR10
from minidl.datasets.colorization import GrayscaleColorization, LabColorization
from minidl.datasets.colorized_mnist import ColorizedMNIST
from minidl.datasets.image_folder import FlatImageFolder, ImageFolder
from minidl.datasets.locate import DatasetNotFoundError
from minidl.datasets.mirflickr import MIRFlickr, SamplePhotos
from minidl.datasets.mnist import MNIST, load_mnist
from minidl.datasets.multidigit_mnist import MultiDigitFolder, MultiDigitMNIST
from minidl.datasets.ncd import NCD
from minidl.datasets.registry import DATASETS
from minidl.datasets.stanford_dogs import StanfordDogs
from minidl.datasets.study_data import STUDY_DATA

__all__ = ["MNIST", "load_mnist", "ColorizedMNIST", "MultiDigitMNIST", "MultiDigitFolder",
           "CIFAR10", "ImageFolder", "FlatImageFolder", "NCD", "StanfordDogs", "MIRFlickr",
           "SamplePhotos", "LabColorization", "GrayscaleColorization", "DatasetNotFoundError",
           "DATASETS", "STUDY_DATA"]
