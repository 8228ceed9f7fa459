"""The models of the five studies (``../shared/STUDIES.md``), one module per study.

``MODELS`` maps the name a study or the CLI uses to the model class; every model has
``.summary()`` (a Keras-style table of layers, output shapes and parameter counts).
"""
from .colorize_cifar import (GANDiscriminator, GANGenerator, RegressionColorizer,
                             UNetColorClassifier)
from .colorized_mnist import ColorizedMNISTNet
from .iizuka import IizukaNet, IizukaOutput
from .lab_colorizers import (LabColorizerAttention, LabColorizerBasic, LabColorizerBatch,
                             LabColorizerSkip)
from .multidigit import MultiDigitNet
from .summary import summary

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
