"""The datasets minidl knows: their names, where they are found, their size, a preview.

    from minidl.datasets.registry import DATASETS
    entry = DATASETS["ncd"]
    entry.locate(data_dir)            # Location, or DatasetNotFoundError saying why not
    entry.summary(location)           # "720 images in 20 classes, 39.5 MB"
    entry.preview(n, data_dir, seed)  # n (image (H, W, C) float in [0, 1], caption) pairs

``minidl data list`` and ``minidl data show`` are built on this table.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from minidl.datasets import (
    cifar10,
    colorized_mnist,
    mirflickr,
    mnist,
    multidigit_mnist,
    ncd,
    stanford_dogs,
)
from minidl.datasets.image_folder import IMAGE_EXTENSIONS, ImageFolder, list_images


@dataclass(frozen=True)
class DatasetEntry:
    name: str
    studies: str
    description: str
    locate: Callable       # data_dir -> Location
    summary: Callable      # Location -> str
    preview: Callable      # (n, data_dir, seed) -> [(HWC image, caption)]


def _pick(dataset, n: int, seed: int) -> list[int]:
    """``n`` distinct random indices of ``dataset``, sorted."""
    chosen = np.random.default_rng(seed).choice(len(dataset), min(n, len(dataset)),
                                                replace=False)
    return sorted(int(i) for i in chosen)


def _hwc(image) -> np.ndarray:
    return np.asarray(image).transpose(1, 2, 0)


def _megabytes(paths) -> str:
    return f"{sum(p.stat().st_size for p in paths) / 1e6:.1f} MB"


def _files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


# -- MNIST and the datasets generated from it -------------------------------------------
def _mnist_summary(location) -> str:
    return (f"{mnist.SIZES[True]:,} train + {mnist.SIZES[False]:,} test digits, 28x28 gray, "
            f"{_megabytes(_files_in(location.path))}")


def _mnist_preview(n, data_dir, seed):
    dataset = mnist.MNIST(True, data_dir)
    return [(dataset.images[i][..., None] / 255.0, str(dataset.targets[i]))
            for i in _pick(dataset, n, seed)]


def _colorized_preview(n, data_dir, seed):
    dataset = colorized_mnist.ColorizedMNIST(True, seed=seed, data_dir=data_dir)
    return [(_hwc(dataset.render([i])[0]),
             f"{dataset.digit_labels[i]} {colorized_mnist.COLOR_NAMES[dataset.color_labels[i]]}")
            for i in _pick(dataset, n, seed)]


def _multidigit_preview(n, data_dir, seed):
    dataset = multidigit_mnist.MultiDigitMNIST(True, seed=seed, data_dir=data_dir)
    return [(dataset.compose(i)[..., None] / 255.0, "".join(map(str, dataset.labels[i])))
            for i in _pick(dataset, n, seed)]


def _generated_summary(location) -> str:
    return (f"generated from MNIST ({location.path}): "
            f"{mnist.SIZES[True]:,} train + {mnist.SIZES[False]:,} test images")


# -- folders of images ------------------------------------------------------------------
def _cifar_summary(location) -> str:
    if cifar10.official_folder(location.path) is not None:
        return "official python batches: 50,000 train + 10,000 test, 32x32 RGB"
    jpegs = [p for p in _files_in(location.path / cifar10.JPEG_FOLDER)
             if p.suffix.lower() in IMAGE_EXTENSIONS]
    classes = sorted({p.parent.name for p in jpegs})
    return (f"shared copy: 4,000 lossless images (test split) + {len(jpegs):,} JPEGs of "
            f"{', '.join(classes)} (train split, less the pictures in the test split), "
            f"{_megabytes(_files_in(location.path))}")


def _cifar_preview(n, data_dir, seed):
    dataset = cifar10.CIFAR10("test", data_dir=data_dir)
    return [(_hwc(dataset[i][0]), cifar10.LABEL_NAMES[dataset.targets[i]])
            for i in _pick(dataset, n, seed)]


def _class_folder_summary(subfolder: str, what: str):
    def summary(location) -> str:
        root = location.path / subfolder
        folders = [p for p in root.iterdir() if p.is_dir()]
        images = [p for folder in folders for p in list_images(folder)]
        return f"{len(images):,} images in {len(folders)} {what}, {_megabytes(images)}"
    return summary


def _class_folder_preview(locate, subfolder: str, name_of=lambda folder: folder):
    def preview(n, data_dir, seed):
        dataset = ImageFolder(locate(data_dir).path / subfolder, size=128)
        return [(_hwc(dataset[i][0]), name_of(dataset.classes[dataset.labels[i]]))
                for i in _pick(dataset, n, seed)]
    return preview


def _flat_summary(location) -> str:
    images = list_images(location.path)
    return f"{len(images):,} images, {_megabytes(images)}"


def _flat_preview(name):
    def preview(n, data_dir, seed):
        dataset = (mirflickr.MIRFlickr if name == "mirflickr" else mirflickr.SamplePhotos)(
            None, size=200, data_dir=data_dir)
        return [(_hwc(dataset[i]), dataset.paths[i].name) for i in _pick(dataset, n, seed)]
    return preview


DATASETS = {entry.name: entry for entry in [
    DatasetEntry("mnist", "colorized-mnist, multidigit-mnist", "handwritten digits (shipped)",
                 lambda data_dir: mnist.locate(data_dir, download=False), _mnist_summary,
                 _mnist_preview),
    DatasetEntry("colorized-mnist", "colorized-mnist", "MNIST in random colours (generated)",
                 lambda data_dir: mnist.locate(data_dir, download=False), _generated_summary,
                 _colorized_preview),
    DatasetEntry("multidigit-mnist", "multidigit-mnist", "three MNIST digits, 84x84 (generated)",
                 lambda data_dir: mnist.locate(data_dir, download=False), _generated_summary,
                 _multidigit_preview),
    DatasetEntry("cifar10", "colorize-cifar", "CIFAR-10, 32x32 (horses for the study)",
                 cifar10.locate, _cifar_summary, _cifar_preview),
    DatasetEntry("ncd", "iizuka", "Natural-Color Dataset, 20 fruit/vegetable classes",
                 ncd.locate, _class_folder_summary(ncd.SUBFOLDER, "classes"),
                 _class_folder_preview(ncd.locate, ncd.SUBFOLDER)),
    DatasetEntry("stanford-dogs", "iizuka, lab-colorize", "Stanford Dogs, breed folders",
                 stanford_dogs.locate, _class_folder_summary(stanford_dogs.SUBFOLDER, "breeds"),
                 _class_folder_preview(stanford_dogs.locate, stanford_dogs.SUBFOLDER,
                                       stanford_dogs.breed_name)),
    DatasetEntry("mirflickr", "lab-colorize", "MIRFlickr-25000 photos, flat folder",
                 lambda data_dir: mirflickr.locate("mirflickr", data_dir), _flat_summary,
                 _flat_preview("mirflickr")),
    DatasetEntry("sample-photos", "lab-colorize", "a few colour photos (MIRFlickr stand-in)",
                 lambda data_dir: mirflickr.locate("sample-photos", data_dir), _flat_summary,
                 _flat_preview("sample-photos")),
]}
