"""Natural-Color Dataset (Anwar et al., 2020): fruit and vegetables on white, 20 classes.

One call (the Iizuka study's data: 128x128, 90/10 split, flips and rotations)::

    from minidl.datasets.ncd import NCD
    train = NCD(split="train", transform=iizuka_augmentation())   # 648 of the 720 files
    val = NCD(split="val")                                         # 72
    # sample: (3, 128, 128) float32 RGB in [0, 1], int class index 0-19
    # for colourization wrap it: LabColorization(train, ab_range="sigmoid", ...)

Found as ``<data root>/ncd/ColorfulOriginal/<Class>/*.jpg`` (see :mod:`.locate`); the
images are not shipped (research use only; cite Anwar et al. 2020,
github.com/saeed-anwar/ColorSurvey).
"""
from __future__ import annotations

from minidl.datasets.image_folder import ImageFolder
from minidl.datasets.locate import Location, find_dataset, has_subfolders

NAME, FOLDER, SUBFOLDER = "ncd", "ncd", "ColorfulOriginal"
SIZE = 128
HINT = ("NCD: download the Natural-Color Dataset from github.com/saeed-anwar/ColorSurvey "
        f"and put its class folders in {FOLDER}/{SUBFOLDER}/.")


def locate(data_dir=None) -> Location:
    return find_dataset(NAME, FOLDER, has_subfolders(SUBFOLDER, "class folders"), data_dir,
                        hint=HINT)


def NCD(split: str | None = "train", size=SIZE, data_dir=None, transform=None,
        val_fraction: float = 0.1, split_seed: int = 0) -> ImageFolder:
    """The NCD images of ``split`` ("train", "val" or None for all), resized to ``size``."""
    root = locate(data_dir).path / SUBFOLDER
    return ImageFolder(root, size=size, transform=transform, split=split,
                       val_fraction=val_fraction, split_seed=split_seed)

