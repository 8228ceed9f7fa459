"""ResNet (He et al., "Deep Residual Learning for Image Recognition", 2015), ResNeXt (Xie et
al., "Aggregated Residual Transformations for Deep Neural Networks", 2016) and Wide ResNet
(Zagoruyko & Komodakis, "Wide Residual Networks", 2016), laid out as torchvision builds them.

Layout (state_dict keys): ``conv1`` (7x7, stride 2), ``bn1``, ``relu``, ``maxpool``, then
``layer1``..``layer4`` (Sequentials of blocks; a block that changes the shape has
``downsample.0`` (1x1 conv) and ``downsample.1`` (norm)), ``avgpool``, ``fc``. A
:class:`BasicBlock` has ``conv1 bn1 conv2 bn2``; a :class:`Bottleneck` (stride on the 3x3,
"ResNet v1.5") has ``conv1 bn1 conv2 bn2 conv3 bn3``.
"""
from __future__ import annotations

from typing import Any, Callable

import minidl
from minidl import nn

from .weights import WeightsEnum, weights_enum, without_downloads

NormLayer = Callable[[int], nn.Module]


def conv3x3(in_planes: int, out_planes: int, stride: int = 1, groups: int = 1,
            dilation: int = 1) -> nn.Conv2d:
    """3x3 convolution, padded to keep the size, without bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation,
                     groups=groups, bias=False, dilation=dilation)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """1x1 convolution without bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions and a shortcut (ResNet-18/34)."""

    expansion: int = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, groups: int = 1, base_width: int = 64,
                 dilation: int = 1, norm_layer: NormLayer | None = None) -> None:
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (grouped for ResNeXt, carrying the stride), 1x1 expand by 4, and a
    shortcut (ResNet-50/101/152)."""

    expansion: int = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, groups: int = 1, base_width: int = 64,
                 dilation: int = 1, norm_layer: NormLayer | None = None) -> None:
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    """torchvision's ResNet: ``block`` repeated ``layers[i]`` times in stage i.

    ``replace_stride_with_dilation`` (three bools, for layer2..layer4) dilates a stage
    instead of striding it; ``zero_init_residual`` zeroes each block's last norm weight so
    every block starts as the identity. Convolutions are initialized kaiming_normal_
    (fan_out, relu), norms to weight 1 and bias 0, ``fc`` as PyTorch's Linear.
    """

    def __init__(self, block: type[BasicBlock | Bottleneck], layers: list[int],
                 num_classes: int = 1000, zero_init_residual: bool = False, groups: int = 1,
                 width_per_group: int = 64,
                 replace_stride_with_dilation: list[bool] | None = None,
                 norm_layer: NormLayer | None = None) -> None:
        super().__init__()
        self._norm_layer = norm_layer or nn.BatchNorm2d
        self.inplanes = 64
        self.dilation = 1
        dilate = replace_stride_with_dilation or [False, False, False]
        if len(dilate) != 3:
            raise ValueError("replace_stride_with_dilation should be None or a 3-element "
                             f"tuple, got {replace_stride_with_dilation}")
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = self._norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, dilate=dilate[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2, dilate=dilate[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2, dilate=dilate[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block: type[BasicBlock | Bottleneck], planes: int, blocks: int,
                    stride: int = 1, dilate: bool = False) -> nn.Sequential:
        """One stage: a first block that may stride (or dilate) and widen, then the rest."""
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       norm_layer(planes * block.expansion))
        stage = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width,
                       previous_dilation, norm_layer)]
        self.inplanes = planes * block.expansion
        stage += [block(self.inplanes, planes, groups=self.groups, base_width=self.base_width,
                        dilation=self.dilation, norm_layer=norm_layer)
                  for _ in range(1, blocks)]
        return nn.Sequential(*stage)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(minidl.flatten(self.avgpool(x), 1))


ResNet18_Weights = weights_enum("ResNet18_Weights", "IMAGENET1K_V1")
ResNet34_Weights = weights_enum("ResNet34_Weights", "IMAGENET1K_V1")
ResNet50_Weights = weights_enum("ResNet50_Weights", "IMAGENET1K_V1", "IMAGENET1K_V2")
ResNet101_Weights = weights_enum("ResNet101_Weights", "IMAGENET1K_V1", "IMAGENET1K_V2")
ResNet152_Weights = weights_enum("ResNet152_Weights", "IMAGENET1K_V1", "IMAGENET1K_V2")
ResNeXt50_32X4D_Weights = weights_enum("ResNeXt50_32X4D_Weights", "IMAGENET1K_V1", "IMAGENET1K_V2")
Wide_ResNet50_2_Weights = weights_enum("Wide_ResNet50_2_Weights", "IMAGENET1K_V1", "IMAGENET1K_V2")


@without_downloads
def resnet18(*, weights: WeightsEnum | None = None, progress: bool = True,
             **kwargs: Any) -> ResNet:
    """ResNet-18: BasicBlock, stages of [2, 2, 2, 2]; 11,689,512 parameters."""
    return ResNet(BasicBlock, [2, 2, 2, 2], **kwargs)


@without_downloads
def resnet34(*, weights: WeightsEnum | None = None, progress: bool = True,
             **kwargs: Any) -> ResNet:
    """ResNet-34: BasicBlock, stages of [3, 4, 6, 3]; 21,797,672 parameters."""
    return ResNet(BasicBlock, [3, 4, 6, 3], **kwargs)


@without_downloads
def resnet50(*, weights: WeightsEnum | None = None, progress: bool = True,
             **kwargs: Any) -> ResNet:
    """ResNet-50: Bottleneck, stages of [3, 4, 6, 3]; 25,557,032 parameters."""
    return ResNet(Bottleneck, [3, 4, 6, 3], **kwargs)


@without_downloads
def resnet101(*, weights: WeightsEnum | None = None, progress: bool = True,
              **kwargs: Any) -> ResNet:
    """ResNet-101: Bottleneck, stages of [3, 4, 23, 3]; 44,549,160 parameters."""
    return ResNet(Bottleneck, [3, 4, 23, 3], **kwargs)


@without_downloads
def resnet152(*, weights: WeightsEnum | None = None, progress: bool = True,
              **kwargs: Any) -> ResNet:
    """ResNet-152: Bottleneck, stages of [3, 8, 36, 3]; 60,192,808 parameters."""
    return ResNet(Bottleneck, [3, 8, 36, 3], **kwargs)


@without_downloads
def resnext50_32x4d(*, weights: WeightsEnum | None = None, progress: bool = True,
                    **kwargs: Any) -> ResNet:
    """ResNeXt-50 32x4d: ResNet-50 with 32 groups of width 4; 25,028,904 parameters."""
    kwargs.update(groups=32, width_per_group=4)
    return ResNet(Bottleneck, [3, 4, 6, 3], **kwargs)


@without_downloads
def wide_resnet50_2(*, weights: WeightsEnum | None = None, progress: bool = True,
                    **kwargs: Any) -> ResNet:
    """Wide ResNet-50-2: ResNet-50 with bottlenecks twice as wide; 68,883,240 parameters."""
    kwargs.update(width_per_group=128)
    return ResNet(Bottleneck, [3, 4, 6, 3], **kwargs)
