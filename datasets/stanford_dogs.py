"""Stanford Dogs (Khosla et al., 2011): dog photos in breed folders named
``<WordNet id>-<breed>`` (e.g. ``n02099601-golden_retriever``).

One call each for the two studies that use it::

    from minidl.datasets.stanford_dogs import StanfordDogs
    # iizuka: all breeds found, 256x256, 90/10 split
    StanfordDogs(split="train")     # sample: (3, 256, 256) float32 in [0, 1], int breed index
    # lab-colorize: one breed, 200x200, 80/20 split (120/30 golden retrievers)
    StanfordDogs(split="train", breeds=["golden_retriever"], size=200, val_fraction=0.2)

``breeds`` are matched against the folder names without the WordNet id, ignoring case
("golden_retriever", "Saint_Bernard"). Found as ``<data root>/stanford_dogs/Images/``
(see :mod:`.locate`); not shipped (ImageNet terms: non-commercial research use).
"""
from __future__ import annotations

from minidl.datasets.image_folder import ImageFolder
from minidl.datasets.locate import Location, find_dataset, has_subfolders

NAME, FOLDER, SUBFOLDER = "stanford-dogs", "stanford_dogs", "Images"
SIZE = 256
HINT = ("Stanford Dogs: download images.tar from vision.stanford.edu/aditya86/ImageNetDogs "
        f"and unpack it so that the breed folders are in {FOLDER}/{SUBFOLDER}/.")


def locate(data_dir=None) -> Location:
    return find_dataset(NAME, FOLDER, has_subfolders(SUBFOLDER, "breed folders"), data_dir,
                        hint=HINT)


def breed_name(folder_name: str) -> str:
    """``n02099601-golden_retriever`` -> ``golden_retriever``."""
    return folder_name.split("-", 1)[-1]


def StanfordDogs(split: str | None = "train", size=SIZE, breeds=None, data_dir=None,
                 transform=None, val_fraction: float = 0.1,
                 split_seed: int = 0) -> ImageFolder:
    """The dog images of ``split`` ("train", "val" or None), resized to ``size``; labels
    index ``dataset.classes`` (the breed folders, sorted)."""
    root = locate(data_dir).path / SUBFOLDER
    all_folders = folders = sorted(p.name for p in root.iterdir() if p.is_dir())
    if breeds is not None:
        wanted = {b.lower() for b in breeds}
        folders = [f for f in all_folders if breed_name(f).lower() in wanted]
        found = {breed_name(f).lower() for f in folders}
        if found != wanted:
            raise FileNotFoundError(f"StanfordDogs: breeds {sorted(wanted - found)} not in "
                                    f"{root} (it has {[breed_name(f) for f in all_folders]})")
    return ImageFolder(root, size=size, classes=folders, transform=transform, split=split,
                       val_fraction=val_fraction, split_seed=split_seed)

