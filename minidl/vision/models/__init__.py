"""``torchvision.models``: the classification networks image programs build, with
torchvision's architectures, builder signatures, module names (so state_dict keys match
torchvision's) and initialization. One family a file: :mod:`.resnet` (ResNet, ResNeXt, Wide
ResNet), :mod:`.vgg`, :mod:`.alexnet`, :mod:`.squeezenet`, :mod:`.mobilenetv2`.

    model = models.resnet18(num_classes=10)

Pretrained weights cannot be downloaded: ``weights=...`` or ``pretrained=True`` raises
:class:`~.weights.PretrainedWeightsUnavailable`, which says how to load a state_dict.
"""
from .alexnet import AlexNet, AlexNet_Weights, alexnet
from .mobilenetv2 import MobileNet_V2_Weights, MobileNetV2, mobilenet_v2
from .resnet import (
    ResNet,
    ResNet18_Weights,
    ResNet34_Weights,
    ResNet50_Weights,
    ResNet101_Weights,
    ResNet152_Weights,
    ResNeXt50_32X4D_Weights,
    Wide_ResNet50_2_Weights,
    resnet18,
    resnet34,
    resnet50,
    resnet101,
    resnet152,
    resnext50_32x4d,
    wide_resnet50_2,
)
from .squeezenet import (
    SqueezeNet,
    SqueezeNet1_0_Weights,
    SqueezeNet1_1_Weights,
    squeezenet1_0,
    squeezenet1_1,
)
from .vgg import (
    VGG,
    VGG11_BN_Weights,
    VGG11_Weights,
    VGG13_BN_Weights,
    VGG13_Weights,
    VGG16_BN_Weights,
    VGG16_Weights,
    VGG19_BN_Weights,
    VGG19_Weights,
    vgg11,
    vgg11_bn,
    vgg13,
    vgg13_bn,
    vgg16,
    vgg16_bn,
    vgg19,
    vgg19_bn,
)
from .weights import PretrainedWeightsUnavailable, WeightsEnum

__all__ = [
    "AlexNet", "AlexNet_Weights", "alexnet",
    "MobileNetV2", "MobileNet_V2_Weights", "mobilenet_v2",
    "ResNet", "ResNet18_Weights", "ResNet34_Weights", "ResNet50_Weights", "ResNet101_Weights",
    "ResNet152_Weights", "ResNeXt50_32X4D_Weights", "Wide_ResNet50_2_Weights",
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d",
    "wide_resnet50_2",
    "SqueezeNet", "SqueezeNet1_0_Weights", "SqueezeNet1_1_Weights", "squeezenet1_0",
    "squeezenet1_1",
    "VGG", "VGG11_Weights", "VGG11_BN_Weights", "VGG13_Weights", "VGG13_BN_Weights",
    "VGG16_Weights", "VGG16_BN_Weights", "VGG19_Weights", "VGG19_BN_Weights",
    "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
    "PretrainedWeightsUnavailable", "WeightsEnum",
]
