"""Study 4, ``iizuka`` (seed 003): do colourization and classification help each other?

The network of Iizuka, Simo-Serra & Ishikawa (2016) (:class:`minidl.models.IizukaNet`)
reads the lightness L/100 of an image and predicts its chroma (a, b) at half size
(sigmoid, MSE) and/or its class (cross-entropy). The experiments are the seed's three
tasks; the models its three variants; ``--set dataset=dogs`` switches from the
Natural-Color Dataset (20 classes, 128x128) to Stanford Dogs (256x256; the breeds
found, 4 in the shared data, 120 in the full dataset).
"""
from __future__ import annotations

from ..datasets.study_data import iizuka_data
from ..models.iizuka import IizukaNet
from ..training.tasks.joint import JointTask
from .setting import Setting
from .splits import limited
from .study import Study, StudyData, Variant

DEFAULT_SIZES = {"ncd": 128, "dogs": 256}


def load_data(config) -> StudyData:
    """The 90/10 split of the dataset; ``size`` 0 becomes the dataset's size in
    ``config``."""
    if config["size"] == 0:
        config["size"] = DEFAULT_SIZES[config["dataset"]]
    breeds = tuple(config["breeds"]) if config["breeds"] else None
    train, val = iizuka_data(config["dataset"], config["size"], config["augment"], breeds,
                             config["seed"], config["data_dir"])
    classes = list(train.dataset.classes)
    train, val, test = limited((train, val, val), config["limit"])
    return StudyData(train, val, test, classes=classes)


def build_task(config):
    model = IizukaNet(config["experiment"], config["model"], len(config["class_names"]),
                      dropout=config["dropout"], width=config["width"])
    return JointTask(model, config["experiment"], config["class_names"],
                     (config["size"], config["size"]), config["classification_weight"],
                     config["device"])


STUDY = Study(
    name="iizuka",
    title="Iizuka et al.: joint colourization and classification",
    seed="003",
    description="Natural-Color Dataset (20 classes of fruit and vegetables, 128x128, "
                "90/10 split) or Stanford Dogs (breeds, 256x256); input L, targets the "
                "(a, b) at half size and the class.",
    experiments=(
        Variant("joint", "colourize and classify: MSE + cross-entropy / 200",
                "NCD: colours more consistent than colourization alone, classification "
                "overfits; dogs: accuracy near chance (0.0083)"),
        Variant("colorize", "colourization only (no global features, no fusion)",
                "NCD: colourizes, noisier and less vivid; dogs: a beige filter (basic)"),
        Variant("classify", "classification only (no mid-level features, no "
                "colourization)", "NCD: overfits (test loss far above train); dogs: 0 "
                "test accuracy (basic), about 0.0005 (adam-dropout)"),
    ),
    models=(
        Variant("basic", "batch norm, trained with ADADELTA (section 4.1)",
                settings={"optimizer": "adadelta", "lr": 1.0}),
        Variant("adam-dropout", "dropout in the FC layers, trained with Adam (section 4.3)",
                "no visual noise, more vivid colours than basic"),
        Variant("residual", "adam-dropout with residual connections (section 4.4)",
                "no better than adam-dropout on NCD"),
    ),
    load_data=load_data,
    build_task=build_task,
    settings=(
        Setting("dataset", "ncd", "ncd (Natural-Color Dataset) or dogs (Stanford Dogs)",
                  str, choices=("ncd", "dogs")),
        Setting("size", 0, "input size (0: 128 for ncd, 256 for dogs; a multiple of 8)",
                  int, minimum=0),
        Setting("breeds", None, "Stanford Dogs breeds to use (default: every breed "
                  "folder found)", list, optional=True),
        Setting("augment", True, "random flips and rotations (10 degrees) of training "
                  "images", bool),
        Setting("width", 64, "channels of the first layer (64: the paper's sizes)", int,
                  minimum=2),
        Setting("dropout", 0.5, "dropout of the adam-dropout and residual variants",
                  float, minimum=0.0, maximum=0.95),
        Setting("classification_weight", 1 / 200, "weight of the cross-entropy in the "
                  "joint loss", float, minimum=0.0),
    ),
    defaults={"epochs": 50, "batch_size": 64},
    outputs="classification accuracy and loss curves (train/validation), colourization "
            "loss curves, grayscale | prediction | original grids, confusion matrix",
)
