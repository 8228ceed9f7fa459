"""The models of the five studies (``minidl studies`` lists them), one module per study.

``MODELS`` maps the name a study or the CLI uses to the model class; every model has
``.summary()`` (a Keras-style table of layers, output shapes and parameter counts).

This folder sits at the top of the repository but installs as ``minidl.models`` (a
setuptools ``package-dir`` mapping), so it is imported as ``minidl.models`` and its modules
import minidl by absolute name (``from minidl import nn``).
"""
from minidl.models.colorize_cifar import (
    GANDiscriminator,
    GANGenerator,
    RegressionColorizer,
    UNetColorClassifier,
)
from minidl.models.colorized_mnist import ColorizedMNISTNet
from minidl.models.iizuka import IizukaNet, IizukaOutput
from minidl.models.lab_colorizers import (
    LabColorizerAttention,
    LabColorizerBasic,
    LabColorizerBatch,
    LabColorizerSkip,
)
from minidl.models.multidigit import MultiDigitNet
from minidl.models.summary import summary

MODELS = {
    "colorized-mnist-cnn": ColorizedMNISTNet,
    "multidigit-cnn": MultiDigitNet,
    "regression": RegressionColorizer,
    "unet-classify": UNetColorClassifier,
    "gan-generator": GANGenerator,
    "gan-discriminator": GANDiscriminator,
    "iizuka": IizukaNet,
    "lab-basic": LabColorizerBasic,
    "lab-batch": LabColorizerBatch,
    "lab-skip": LabColorizerSkip,
    "lab-attention": LabColorizerAttention,
}

__all__ = [
    "MODELS", "summary", "ColorizedMNISTNet", "MultiDigitNet", "RegressionColorizer",
    "UNetColorClassifier", "GANGenerator", "GANDiscriminator", "IizukaNet", "IizukaOutput",
    "LabColorizerBasic", "LabColorizerBatch", "LabColorizerSkip", "LabColorizerAttention",
]
