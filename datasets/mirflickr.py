"""MIRFlickr-25000 (Huiskes & Lew, 2008) and its small stand-in, the sample photos: flat
folders of general photographs for the lab-colorize study.

One call::

    from minidl.datasets.mirflickr import MIRFlickr, SamplePhotos
    MIRFlickr(split="train")      # <root>/mirflickr/im*.jpg, 200x200, 90/10 split
    SamplePhotos(split=None)      # <root>/sample_photos/*.png|jpg: 6 photos, 200x200
    # sample: (3, 200, 200) float32 RGB in [0, 1] (no label); for the study wrap it:
    # LabColorization(dataset, ab_range="tanh")

MIRFlickr is not shipped and could not be obtained here (see
``../shared/data/sample_photos/SOURCE.md``); download ``mirflickr25k.zip`` from
press.liacs.nl/mirflickr and unpack it so the images are in ``mirflickr/``. The sample
photos (scikit-image and scikit-learn's public-domain/CC images) serve the qualitative
checks meanwhile.
"""
from __future__ import annotations

from pathlib import Path

from minidl.datasets.image_folder import FlatImageFolder, list_images
from minidl.datasets.locate import Location, find_dataset

SIZE = 200
SOURCES = {
    "mirflickr": ("mirflickr", "MIRFlickr-25000: download mirflickr25k.zip from "
                               "press.liacs.nl/mirflickr/mirdownload.html and unpack it."),
    "sample-photos": ("sample_photos", "The sample photos: any few colour photos "
                                       "(PNG/JPEG) in one folder."),
}


def locate(name: str = "mirflickr", data_dir=None) -> Location:
    folder, hint = SOURCES[name]
    return find_dataset(name, folder, _has_images, data_dir, hint=hint)


def MIRFlickr(split: str | None = "train", size=SIZE, data_dir=None, transform=None,
              val_fraction: float = 0.1, split_seed: int = 0) -> FlatImageFolder:
    """MIRFlickr's photos of ``split`` ("train", "val" or None), resized to ``size``."""
    return FlatImageFolder(locate("mirflickr", data_dir).path, size=size, transform=transform,
                           split=split, val_fraction=val_fraction, split_seed=split_seed)


def SamplePhotos(split: str | None = None, size=SIZE, data_dir=None, transform=None,
                 val_fraction: float = 0.5, split_seed: int = 0) -> FlatImageFolder:
    """The sample photos (all of them by default), resized to ``size``."""
    return FlatImageFolder(locate("sample-photos", data_dir).path, size=size,
                           transform=transform, split=split, val_fraction=val_fraction,
                           split_seed=split_seed)


def _has_images(path: Path) -> str | None:
    return None if list_images(path) else "no image files"
