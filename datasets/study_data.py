"""One call per study: its training and evaluation datasets, transformed as the study needs.

Each function returns ``(train, test)`` datasets ready for a DataLoader; the shapes of one
sample (a batch adds the batch dimension in front; ints become int64 Tensors):

=================  ==================================================================
study              sample
=================  ==================================================================
colorized-mnist    image (3, 28, 28) float32 [0, 1] ((1, 28, 28) for "grayscale"), int
multidigit-mnist   image (1, 84, 84) float32 [0, 1], (30,) float32 multi-hot
                   (or (3,) int64 digits with target="digits")
colorize-cifar     gray (1, 32, 32) float32 [0, 1], rgb (3, 32, 32) float32 [0, 1]
iizuka             L/100 (1, S, S) float32 [0, 1], (ab+128)/255 (2, S/2, S/2) float32
                   [0, 1], int class; S = 128 (NCD) or 256 (dogs)
lab-colorize       L/100 (1, 200, 200) float32 [0, 1], ab/128 (2, 200, 200) float32 [-1, 1)
=================  ==================================================================

Augmentation (training split only) draws from the DataLoader's per-sample generators,
so a seed fixes it (see :mod:`minidl.data.seeding`).
"""
from __future__ import annotations

from minidl.data.transforms import (
    Compose,
    RandomAffine,
    RandomHorizontalFlip,
    RandomRotation,
    ToTensor,
)
from minidl.datasets.cifar10 import CIFAR10
from minidl.datasets.colorization import GrayscaleColorization, LabColorization
from minidl.datasets.colorized_mnist import load_experiment
from minidl.datasets.mirflickr import MIRFlickr, SamplePhotos
from minidl.datasets.multidigit_mnist import MultiDigitFolder, MultiDigitMNIST
from minidl.datasets.ncd import NCD
from minidl.datasets.stanford_dogs import StanfordDogs


def colorized_mnist_data(experiment: str = "digits", seed: int = 0, data_dir=None,
                         scheme: str = "contrast", invert_fraction: float = 0.0,
                         shuffle_channels: bool = False):
    """Study 1: the train and test sets of ``experiment`` in colouring ``scheme``, with
    the training-set augmentations (see :mod:`.colorized_mnist`)."""
    return (load_experiment(experiment, True, seed, data_dir, scheme=scheme,
                            invert_fraction=invert_fraction,
                            shuffle_channels=shuffle_channels),
            load_experiment(experiment, False, seed, data_dir, scheme=scheme))


def multidigit_mnist_data(folder=None, target: str = "multi_hot", augment: bool = True,
                          flips: bool = False, seed: int = 0, data_dir=None):
    """Study 2: images read from ``folder/train`` and ``folder/test`` (``<digits>/*.png``
    layout) or, without a folder, composed from MNIST's train and test digits.

    Augmentation: rotations up to 10 degrees and shifts up to 10 %; ``flips`` adds
    horizontal flips (the seed lists them, but a flip mirrors the digits and reverses
    their order, so the labels no longer match — off by default).
    """
    steps = [RandomAffine(10, translate=(0.1, 0.1))] if augment else []
    if flips:
        steps.append(RandomHorizontalFlip())
    augmented = Compose([*steps, ToTensor()])
    if folder is not None:
        return (MultiDigitFolder(f"{folder}/train", target=target, transform=augmented),
                MultiDigitFolder(f"{folder}/test", target=target))
    return (MultiDigitMNIST(True, seed=seed, target=target, transform=augmented,
                            data_dir=data_dir),
            MultiDigitMNIST(False, seed=seed, target=target, data_dir=data_dir))


def colorize_cifar_data(classes=("horse",), augment: bool = True, data_dir=None):
    """Study 3: (grayscale, colour) pairs of CIFAR-10 ``classes``; the test split is the
    lossless one when only the shared copy is there (see :mod:`.cifar10`)."""
    transform = Compose([RandomHorizontalFlip(), ToTensor()]) if augment else None
    return (GrayscaleColorization(CIFAR10("train", classes, data_dir, transform)),
            GrayscaleColorization(CIFAR10("test", classes, data_dir)))


def iizuka_data(dataset: str = "ncd", size: int | None = None, augment: bool = True,
                breeds=None, split_seed: int = 0, data_dir=None):
    """Study 4: NCD (128x128, white backgrounds) or Stanford Dogs (256x256), 90/10 split,
    random horizontal flips and rotations up to 10 degrees on the training split; the ab
    target at half the input size."""
    if dataset not in ("ncd", "dogs"):
        raise ValueError(f"iizuka: dataset must be 'ncd' or 'dogs', got {dataset!r}")
    size = size or (128 if dataset == "ncd" else 256)
    fill = 255 if dataset == "ncd" else 0
    transform = (Compose([RandomHorizontalFlip(), RandomRotation(10, fill=fill), ToTensor()])
                 if augment else None)

    def split(name, transform):
        if dataset == "ncd":
            images = NCD(name, size, data_dir, transform, split_seed=split_seed)
        else:
            images = StanfordDogs(name, size, breeds, data_dir, transform,
                                  split_seed=split_seed)
        return LabColorization(images, ab_range="sigmoid", target_size=size // 2,
                               with_label=True)
    return split("train", transform), split("val", None)


def lab_colorize_data(dataset: str = "dogs", breeds=("golden_retriever",), size: int = 200,
                      augment: bool = True, split_seed: int = 0, data_dir=None):
    """Study 5: ``dataset`` "mirflickr" (90/10), "sample-photos" (4/2) or "dogs" (the
    ``breeds``, 80/20: 120/30 golden retrievers) at ``size``, rotations up to 15 degrees
    on the training split; input L/100, target ab/128."""
    transform = Compose([RandomRotation(15), ToTensor()]) if augment else None
    makers = {
        "mirflickr": lambda name, t: MIRFlickr(name, size, data_dir, t, split_seed=split_seed),
        "sample-photos": lambda name, t: SamplePhotos(name, size, data_dir, t,
                                                      val_fraction=1 / 3,
                                                      split_seed=split_seed),
        "dogs": lambda name, t: StanfordDogs(name, size, breeds, data_dir, t,
                                             val_fraction=0.2, split_seed=split_seed),
    }
    if dataset not in makers:
        raise ValueError(f"lab-colorize: dataset must be one of {tuple(makers)}, got "
                         f"{dataset!r}")
    make = makers[dataset]
    return (LabColorization(make("train", transform), ab_range="tanh"),
            LabColorization(make("val", None), ab_range="tanh"))


STUDY_DATA = {
    "colorized-mnist": colorized_mnist_data,
    "multidigit-mnist": multidigit_mnist_data,
    "colorize-cifar": colorize_cifar_data,
    "iizuka": iizuka_data,
    "lab-colorize": lab_colorize_data,
}
