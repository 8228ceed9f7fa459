"""Study 5, ``lab-colorize`` (seed 004): colourization in CIE Lab.

Input ``L / 100`` (1, H, W), target ``(a, b) / 128`` (2, H, W), a tanh output, MSE, Adam
(:mod:`minidl.models.lab_colorizers`: basic, batch, skip, attention). The experiments
follow the seed: overfit one photo, two photos of different sizes, the multi-domain
MIRFlickr-25000, then one dog breed and two.

Data here: MIRFlickr is not shipped and could not be obtained; when it is not found, the
six sample photos (``sample_photos``) stand in (4 train / 2 validation) and the run's
config says so. Stanford Dogs has golden retrievers in the shared data but no Siberian
huskies, so ``golden-husky`` needs the husky folder (``n02110185-Siberian_husky``) added.
"""
from __future__ import annotations

from ..datasets.colorization import LabColorization
from ..datasets.image_folder import list_images
from ..datasets.locate import DatasetNotFoundError
from ..datasets.mirflickr import locate as locate_photos
from ..datasets.study_data import lab_colorize_data
from ..models.lab_colorizers import (
    LabColorizerAttention,
    LabColorizerBasic,
    LabColorizerBatch,
    LabColorizerSkip,
)
from ..training.tasks.color_targets import LabTarget
from ..training.tasks.colorization import ColorizationTask
from .photos import Photos
from .setting import ConfigError, Setting
from .splits import limited
from .study import Study, StudyData, Variant

MODELS = {"basic": LabColorizerBasic, "batch": LabColorizerBatch, "skip": LabColorizerSkip,
          "attention": LabColorizerAttention}
PHOTO_EXPERIMENTS = ("overfit-one", "two-sizes")


def photo_data(config) -> StudyData:
    """Train and validate on the chosen photos (the seed predicts its training images);
    test on the other sample photos (its Figure 3: an image never seen in training).
    Photos keep their proportions, so they go one at a time (batch_size 1)."""
    if config["batch_size"] != 1:
        raise ConfigError(f"{config['experiment']} trains on photos of their own sizes, "
                          f"one at a time: batch_size must be 1, got {config['batch_size']}")
    folder = locate_photos("sample-photos", config["data_dir"]).path
    others = sorted({p.stem for p in list_images(folder)} - set(config["photos"]))
    size = config["size"]
    train = LabColorization(Photos(folder, config["photos"], size), ab_range="tanh")
    test = LabColorization(Photos(folder, others, size), ab_range="tanh") if others else train
    return StudyData(*limited((train, train, test), config["limit"]))


def load_data(config) -> StudyData:
    if config["experiment"] in PHOTO_EXPERIMENTS:
        return photo_data(config)
    dataset = config["dataset"]
    if dataset == "mirflickr":
        try:
            locate_photos("mirflickr", config["data_dir"])
        except DatasetNotFoundError:
            dataset = config["dataset"] = "sample-photos"
            config["note"] = ("MIRFlickr-25000 was not found; the sample photos stand in "
                              "(dataset=sample-photos). Get mirflickr25k.zip from "
                              "press.liacs.nl/mirflickr and unpack it into "
                              "<data dir>/mirflickr/ for the real experiment.")
    train, val = lab_colorize_data(dataset, tuple(config["breeds"]), config["size"],
                                   config["augment"], config["seed"], config["data_dir"])
    return StudyData(*limited((train, val, val), config["limit"]))


def build_task(config):
    size = (config["size"], config["size"])
    return ColorizationTask(MODELS[config["model"]](), LabTarget("tanh"), size,
                            config["device"])


PHOTOS = {"batch_size": 1, "augment": False, "lr": 1e-3}

STUDY = Study(
    name="lab-colorize",
    title="Colourization in CIE Lab: from one photo to dog breeds",
    seed="004",
    description="Photos as CIE Lab: L/100 in, (a, b)/128 out through tanh, MSE, Adam; "
                "images resized to 200x200 (photo experiments: their own proportions).",
    experiments=(
        Variant("overfit-one", "train on one photo and colour it back (checks the "
                "pipeline)", "loss about 1e-4 after 1000 epochs",
                settings={**PHOTOS, "photos": ["flower"], "epochs": 1000}, model="basic"),
        Variant("two-sizes", "train on two photos of different sizes; test on the other "
                "sample photos", "both training photos coloured almost right; unseen "
                "photos poorly", settings={**PHOTOS, "photos": ["astronaut", "chelsea"],
                                           "epochs": 300}, model="basic"),
        Variant("mirflickr", "the multi-domain MIRFlickr-25000 (90/10); the sample photos "
                "stand in when it is missing", "MSE floor about 0.0180; uniform "
                "brownish colours", settings={"dataset": "mirflickr"}),
        Variant("golden-retriever", "Stanford Dogs' golden retrievers (120 train / 30 "
                "validation), rotations", "validation MSE about 0.0095",
                settings={"dataset": "dogs", "breeds": ["golden_retriever"]}),
        Variant("golden-husky", "golden retrievers and Siberian huskies (needs the husky "
                "images, not in the shared data)", "both breeds coloured alike",
                settings={"dataset": "dogs", "breeds": ["golden_retriever",
                                                        "siberian_husky"]}),
    ),
    models=(
        Variant("batch", "batch norm, strided convolutions, upsampling (Figure 8, 43,870 "
                "parameters): the seed's best"),
        Variant("basic", "three 3x3 convolutions (Figure 4, 19,682 parameters)"),
        Variant("skip", "U-Net-like down and up paths with skip connections"),
        Variant("attention", "the U-Net with multi-head self-attention at its bottleneck"),
    ),
    load_data=load_data,
    build_task=build_task,
    settings=(
        Setting("dataset", "dogs", "mirflickr, sample-photos or dogs (Stanford Dogs)",
                  str, choices=("mirflickr", "sample-photos", "dogs")),
        Setting("breeds", ["golden_retriever"], "Stanford Dogs breeds (folder names "
                  "without the WordNet id)", list),
        Setting("photos", ["flower"], "sample photos (file names without extension) of "
                  "overfit-one and two-sizes", list),
        Setting("size", 200, "images are resized to size x size (photo experiments: the "
                  "longer side)", int, minimum=8),
        Setting("augment", True, "random rotations (15 degrees) of training images",
                  bool),
    ),
    defaults={"epochs": 20, "batch_size": 16, "val_fraction": 0.1},
    outputs="loss curves, original | grayscale | colourized grids, PSNR, colour error, "
            "colourfulness",
    notes="MIRFlickr-25000 is not in the shared data: the six sample photos stand in "
          "(4 train / 2 validation). The Stanford Dogs copy has golden retrievers but no "
          "Siberian huskies: golden-husky needs the folder n02110185-Siberian_husky in "
          "stanford_dogs/Images/.",
)
