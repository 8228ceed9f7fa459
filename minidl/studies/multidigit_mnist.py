"""Study 2, ``multidigit-mnist`` (seed 001): three handwritten digits per 84x84 image,
read as 30 yes/no answers (3 positions x 10 digits) by a CNN with sigmoid outputs and
binary cross-entropy (:class:`minidl.models.MultiDigitNet`), trained with Adam, a
learning-rate schedule, early stopping and augmentation (rotations, shifts).

Images are composed from MNIST on the fly (:class:`minidl.datasets.MultiDigitMNIST`), or
read from a folder with ``train/`` and ``test/`` sub-folders in the seed's layout
(``<digits>/<image>.png``, e.g. ``123/0001.png``): ``--set folder=PATH``.
"""
from __future__ import annotations

from ..datasets.study_data import multidigit_mnist_data
from ..models.multidigit import MultiDigitNet
from ..training.tasks.multilabel import MultiLabelTask
from .setting import Setting
from .splits import hold_out, limited
from .study import Study, StudyData, Variant


def load_data(config) -> StudyData:
    def load(augment):
        return multidigit_mnist_data(config["folder"], target="multi_hot", augment=augment,
                                     flips=config["flips"], seed=config["seed"],
                                     data_dir=config["data_dir"])
    train, test = load(config["augment"])
    plain_train = load(False)[0] if config["augment"] else train
    splits = hold_out(train, plain_train, test, config["val_fraction"], config["seed"])
    return StudyData(*limited(splits, config["limit"]))


def build_task(config):
    return MultiLabelTask(MultiDigitNet(dropout=config["dropout"]), device=config["device"])


STUDY = Study(
    name="multidigit-mnist",
    title="Multi-digit MNIST: three digits per image, multi-label",
    seed="001",
    description="84x84 grayscale images of three MNIST digits (composed from MNIST, or "
                "read from <digits>/ folders); 30 sigmoid outputs.",
    experiments=(
        Variant("three-digits", "read all three digits of each image",
                "97.8 % overall test accuracy (the seed's Keras 'accuracy' of a sigmoid "
                "model is most likely the binary accuracy over the 30 outputs: compare "
                "with binary_accuracy; accuracy here is the exact match of all three "
                "digits)"),
    ),
    models=(Variant("cnn", "3 x (Conv 3x3 + max-pool) 32/64/128, Dense(128), dropout, "
                    "Dense(30)"),),
    load_data=load_data,
    build_task=build_task,
    settings=(
        Setting("folder", None, "read images from FOLDER/train and FOLDER/test "
                  "(<digits>/<image> layout) instead of composing them from MNIST", str,
                  optional=True),
        Setting("augment", True, "random rotations (10 degrees) and shifts (10 %) of "
                  "training images", bool),
        Setting("flips", False, "random horizontal flips too (they mirror the digits "
                  "and reverse their order: off by default)", bool),
        Setting("dropout", 0.5, "dropout after the dense layer", float, minimum=0.0,
                  maximum=0.95),
    ),
    defaults={"epochs": 10, "scheduler": "plateau", "lr_patience": 1, "patience": 3},
    outputs="exact-match, per-digit and binary accuracy, precision/recall/F1, learning "
            "curves, example predictions",
)
