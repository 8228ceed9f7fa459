"""Study 3, ``colorize-cifar`` (seed 002): grayscale -> colour on CIFAR-10's horses.

The input is the CIE-luminance grayscale of a 32x32 image; three models
(:mod:`minidl.models.colorize_cifar`) predict its colours: a regression CNN (MSE on
RGB), a U-Net classifying each pixel into one of 24 k-means colours, and a conditional
GAN. Every run is also scored in RGB (PSNR, colour error, colourfulness), since the seed
found colourization "difficult to quantify".
"""
from __future__ import annotations

from ..datasets.study_data import colorize_cifar_data
from ..models.colorize_cifar import (
    GANDiscriminator,
    GANGenerator,
    RegressionColorizer,
    UNetColorClassifier,
)
from ..training.tasks.color_targets import RGBTarget
from ..training.tasks.colorization import ColorizationTask
from ..training.tasks.gan import GANColorizationTask
from ..training.tasks.palette import PaletteColorizationTask
from .setting import Setting
from .splits import hold_out, limited
from .study import Study, StudyData, Variant

SIZE = (32, 32)


def load_data(config) -> StudyData:
    def load(augment):
        return colorize_cifar_data(tuple(config["classes"]), augment, config["data_dir"])
    train, test = load(config["augment"])
    plain_train = load(False)[0] if config["augment"] else train
    splits = hold_out(train, plain_train, test, config["val_fraction"], config["seed"])
    return StudyData(*limited(splits, config["limit"]))


def build_task(config):
    width, device = config["width"], config["device"]
    if config["model"] == "regression":
        return ColorizationTask(RegressionColorizer(width), RGBTarget("sigmoid"), SIZE,
                                device)
    if config["model"] == "unet-classify":
        return PaletteColorizationTask(UNetColorClassifier(config["num_colors"], width),
                                       config["num_colors"], SIZE, config["seed"], device)
    return GANColorizationTask(GANGenerator(width),
                               GANDiscriminator(width, config["negative_slope"], SIZE[0]),
                               SIZE, config["l1_weight"], device)


STUDY = Study(
    name="colorize-cifar",
    title="Colorize CIFAR-10 horses: regression, palette U-Net, GAN",
    seed="002",
    description="CIFAR-10 horses, 32x32: the grayscale image in, its colours out.",
    experiments=(
        Variant("horses", "colourize CIFAR-10's horse class (set classes=... for others)"),
    ),
    models=(
        Variant("regression", "baseline CNN predicting RGB from grayscale, MSE",
                "average loss train 0.0017 / validation 0.0035"),
        Variant("unet-classify", "U-Net classifying each pixel into 24 k-means colours "
                "(strided and transposed convolutions, skip connections)",
                "qualitative (error as RGB distance: val_rgb_error)"),
        Variant("gan", "generator 5 Conv-BN-ReLU down / 5 ConvTranspose-BN-ReLU up with "
                "skips and tanh; discriminator 6 Conv-BN-ReLU, FC, sigmoid",
                "qualitative; 'abnormal' generator/discriminator loss curves",
                settings={"lr": 2e-4, "beta1": 0.5}),
    ),
    load_data=load_data,
    build_task=build_task,
    settings=(
        Setting("classes", ["horse"], "CIFAR-10 classes to colourize", list),
        Setting("augment", True, "random horizontal flips of training images", bool),
        Setting("width", 32, "channels of the first layer of each model", int, minimum=1),
        Setting("num_colors", 24, "palette size (unet-classify)", int, minimum=2),
        Setting("l1_weight", 100.0, "weight of the L1 colour term in the generator's "
                  "loss (gan)", float, minimum=0.0),
        Setting("negative_slope", 0.0, "slope of the discriminator's ReLUs below 0 "
                  "(gan; the seed says ReLU: 0)", float, minimum=0.0, maximum=1.0),
    ),
    defaults={"epochs": 10, "batch_size": 32},
    outputs="loss curves (generator and discriminator for the GAN), grayscale | "
            "prediction | original grids, PSNR, colour error, colourfulness",
)
