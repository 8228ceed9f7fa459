"""Layer classes. Each file owns one family of layers."""
from .activation import (
                         ELU,
                         GELU,
                         LeakyReLU,
                         LogSoftmax,
                         ReLU,
                         Sigmoid,
                         SiLU,
                         Softmax,
                         Softplus,
                         Tanh,
)
from .attention import MultiheadAttention
from .batchnorm import BatchNorm1d, BatchNorm2d
from .container import ModuleDict, ModuleList, Sequential
from .conv import Conv2d, ConvTranspose2d
from .dropout import Dropout, Dropout2d
from .embedding import Embedding
from .flatten import Flatten, Unflatten
from .instancenorm import InstanceNorm1d, InstanceNorm2d
from .linear import Identity, Linear
from .loss import (
                         BCELoss,
                         BCEWithLogitsLoss,
                         CrossEntropyLoss,
                         HuberLoss,
                         L1Loss,
                         MSELoss,
                         NLLLoss,
                         SmoothL1Loss,
)
from .module import Module
from .normalization import GroupNorm, LayerNorm
from .padding import (
                         CircularPad1d,
                         CircularPad2d,
                         ConstantPad1d,
                         ConstantPad2d,
                         ReflectionPad1d,
                         ReflectionPad2d,
                         ReplicationPad1d,
                         ReplicationPad2d,
                         ZeroPad1d,
                         ZeroPad2d,
)
from .pixelshuffle import PixelShuffle, PixelUnshuffle
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .sync_batchnorm import SyncBatchNorm
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d

__all__ = [
    "Module", "Linear", "Identity", "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus",
    "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Dropout", "Dropout2d", "Flatten",
    "Unflatten", "Sequential", "ModuleList", "ModuleDict", "Embedding",
    "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "NLLLoss", "CrossEntropyLoss", "BCELoss",
    "BCEWithLogitsLoss", "Conv2d", "ConvTranspose2d",
    "BatchNorm1d", "BatchNorm2d", "SyncBatchNorm", "InstanceNorm1d", "InstanceNorm2d",
    "GroupNorm", "LayerNorm",
    "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Upsample", "UpsamplingNearest2d",
    "UpsamplingBilinear2d", "PixelShuffle",
    "PixelUnshuffle",
    "ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d",
    "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d",
    "CircularPad2d", "MultiheadAttention",
]
