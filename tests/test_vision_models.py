"""``minidl.vision.models`` (``torchvision.models``): torchvision's architectures, names,
parameter counts, initialization and builder signatures; resnet18 computes what a PyTorch
network built the way torchvision's source builds it computes."""
import math

import numpy as np
import pytest
from click.testing import CliRunner

import minidl
from minidl import nn
from minidl.cli.main import cli
from minidl.vision import models

PARAMETER_COUNTS = {
    "resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032,
    "resnet101": 44_549_160, "resnet152": 60_192_808, "resnext50_32x4d": 25_028_904,
    "wide_resnet50_2": 68_883_240, "vgg11": 132_863_336, "vgg16": 138_357_544,
    "vgg16_bn": 138_365_992, "alexnet": 61_100_840, "squeezenet1_0": 1_248_424,
    "squeezenet1_1": 1_235_496, "mobilenet_v2": 3_504_872,
}


@pytest.fixture
def no_random_fill(monkeypatch):
    """Counting parameters needs no values: skip the random fills (seconds for VGG)."""
    monkeypatch.setattr(minidl.Tensor, "uniform_", lambda self, *a, **k: self)
    monkeypatch.setattr(minidl.Tensor, "normal_", lambda self, *a, **k: self)


@pytest.mark.parametrize("name, count", PARAMETER_COUNTS.items())
def test_parameter_counts_are_torchvisions(name, count, no_random_fill):
    model = getattr(models, name)()
    assert sum(p.numel() for p in model.parameters()) == count


def test_resnet18_state_dict_keys_are_torchvisions():
    keys = list(models.resnet18().state_dict())
    assert len(keys) == 122  # 20 convs, 20 batch norms x 5 entries, fc weight and bias
    assert keys[:10] == [
        "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
        "bn1.num_batches_tracked", "layer1.0.conv1.weight", "layer1.0.bn1.weight",
        "layer1.0.bn1.bias", "layer1.0.bn1.running_mean"]
    assert keys[-10:] == [
        "layer4.1.bn1.running_var", "layer4.1.bn1.num_batches_tracked",
        "layer4.1.conv2.weight", "layer4.1.bn2.weight", "layer4.1.bn2.bias",
        "layer4.1.bn2.running_mean", "layer4.1.bn2.running_var",
        "layer4.1.bn2.num_batches_tracked", "fc.weight", "fc.bias"]
    block = keys.index("layer2.0.conv1.weight")
    assert keys[block:block + 18:6] == ["layer2.0.conv1.weight", "layer2.0.conv2.weight",
                                        "layer2.0.downsample.0.weight"]
    assert "layer1.0.downsample.0.weight" not in keys


def test_mobilenet_v2_state_dict_keys_are_torchvisions():
    keys = list(models.mobilenet_v2().state_dict())
    assert len(keys) == 314  # 52 convs, 52 batch norms x 5 entries, the Linear's 2
    assert keys[:10] == [
        "features.0.0.weight", "features.0.1.weight", "features.0.1.bias",
        "features.0.1.running_mean", "features.0.1.running_var",
        "features.0.1.num_batches_tracked", "features.1.conv.0.0.weight",
        "features.1.conv.0.1.weight", "features.1.conv.0.1.bias",
        "features.1.conv.0.1.running_mean"]
    assert keys[-10:] == [
        "features.17.conv.3.running_var", "features.17.conv.3.num_batches_tracked",
        "features.18.0.weight", "features.18.1.weight", "features.18.1.bias",
        "features.18.1.running_mean", "features.18.1.running_var",
        "features.18.1.num_batches_tracked", "classifier.1.weight", "classifier.1.bias"]
    assert "features.2.conv.1.0.weight" in keys and "features.2.conv.2.weight" in keys


def test_modules_are_where_users_expect_them(no_random_fill):
    resnet = models.resnet18()
    assert isinstance(resnet.fc, nn.Linear) and resnet.layer4[1].conv2.kernel_size == (3, 3)
    vgg = models.vgg16()
    assert isinstance(vgg.features[0], nn.Conv2d) and vgg.classifier[6].out_features == 1000
    assert models.alexnet().classifier[6].in_features == 4096
    assert isinstance(models.mobilenet_v2().classifier[1], nn.Linear)
    assert models.resnet50().layer1[0].downsample[0].out_channels == 256
    assert models.resnext50_32x4d().layer1[0].conv2.groups == 32
    assert models.wide_resnet50_2().layer1[0].conv2.out_channels == 128


@pytest.mark.parametrize("build, image, head", [
    (models.resnet18, 64, "fc"), (models.mobilenet_v2, 64, "classifier.1"),
    (models.squeezenet1_1, 64, "classifier.1"), (models.squeezenet1_0, 64, "classifier.1"),
])
def test_num_classes_sets_the_head_and_the_output(build, image, head):
    model = build(num_classes=10).eval()
    assert model.state_dict()[head + ".weight"].shape[0] == 10
    with minidl.no_grad():
        assert model(minidl.randn(1, 3, image, image)).shape == (1, 10)


def test_vgg_and_alexnet_forward_shapes():
    with minidl.no_grad():
        vgg = models.vgg11_bn(num_classes=7).eval()
        assert vgg(minidl.randn(1, 3, 32, 32)).shape == (1, 7)
        assert models.alexnet(num_classes=5).eval()(minidl.randn(1, 3, 64, 64)).shape == (1, 5)


def test_a_resnet_trains_through_its_in_place_shortcuts():
    model = models.resnet18(num_classes=3)
    loss = nn.functional.cross_entropy(model(minidl.randn(2, 3, 32, 32)), minidl.tensor([0, 2]))
    loss.backward()
    assert all(p.grad is not None for p in model.parameters())
    assert float(model.conv1.weight.grad.abs().sum()) > 0


def test_replace_stride_with_dilation_keeps_the_resolution():
    model = models.resnet50(replace_stride_with_dilation=[False, True, True]).eval()
    assert model.layer4[1].conv2.dilation == (4, 4) and model.layer4[0].conv2.stride == (1, 1)
    with pytest.raises(ValueError, match="3-element"):
        models.resnet18(replace_stride_with_dilation=[True])


def test_initialization_follows_torchvision():
    minidl.manual_seed(0)
    resnet = models.resnet18()
    conv = resnet.layer3[0].conv1.weight  # fan_out = 256 * 3 * 3
    assert float(conv.std()) == pytest.approx(math.sqrt(2 / (256 * 9)), rel=0.05)
    assert float(resnet.bn1.weight.min()) == 1 and float(resnet.bn1.bias.abs().max()) == 0
    zeroed = models.resnet18(zero_init_residual=True)
    assert float(zeroed.layer1[0].bn2.weight.abs().max()) == 0
    assert float(zeroed.layer1[0].bn1.weight.min()) == 1
    bottleneck = models.resnet50(zero_init_residual=True)
    assert float(bottleneck.layer2[1].bn3.weight.abs().max()) == 0
    head = models.mobilenet_v2().classifier[1]
    assert float(head.weight.std()) == pytest.approx(0.01, rel=0.05)
    assert float(head.bias.abs().max()) == 0
    squeeze = models.squeezenet1_1()
    assert float(squeeze.classifier[1].weight.std()) == pytest.approx(0.01, rel=0.1)


@pytest.mark.parametrize("call", [
    lambda: models.resnet18(weights="IMAGENET1K_V1"),
    lambda: models.resnet18(weights=models.ResNet18_Weights.DEFAULT),
    lambda: models.vgg16(pretrained=True),
    lambda: models.mobilenet_v2(weights=models.MobileNet_V2_Weights.IMAGENET1K_V2),
])
def test_pretrained_weights_raise_a_clear_error(call):
    with pytest.raises(models.PretrainedWeightsUnavailable,
                       match=r"cannot download pretrained weights.*minidl\.load"):
        call()


def test_weights_enums_name_torchvisions_members():
    assert models.ResNet18_Weights.DEFAULT is models.ResNet18_Weights.IMAGENET1K_V1
    assert models.ResNet50_Weights.DEFAULT is models.ResNet50_Weights.IMAGENET1K_V2
    assert models.ResNet18_Weights.verify("IMAGENET1K_V1") is models.ResNet18_Weights.DEFAULT
    with pytest.raises(ValueError, match="IMAGENET1K_V1"):
        models.ResNet18_Weights.verify("IMAGENET22K")
    assert isinstance(models.resnet18(pretrained=False, num_classes=4), models.ResNet)
    with pytest.raises(TypeError):
        models.resnet18(None)


def test_minidl_run_builds_torchvision_models(tmp_path):
    script = tmp_path / "build.py"
    script.write_text("import torchvision.models as models\n"
                      "m = models.resnet18(num_classes=10)\n"
                      "print(type(m).__name__, m.fc.out_features)\n")
    result = CliRunner().invoke(cli, ["run", str(script)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "ResNet 10"


def torch_resnet18(torch):
    """ResNet-18 in PyTorch, built the way torchvision's source builds it."""
    tnn = torch.nn

    class BasicBlock(tnn.Module):
        def __init__(self, inplanes, planes, stride):
            super().__init__()
            self.conv1 = tnn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = tnn.BatchNorm2d(planes)
            self.relu = tnn.ReLU(inplace=True)
            self.conv2 = tnn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = tnn.BatchNorm2d(planes)
            self.downsample = None
            if stride != 1 or inplanes != planes:
                self.downsample = tnn.Sequential(
                    tnn.Conv2d(inplanes, planes, 1, stride, bias=False), tnn.BatchNorm2d(planes))

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            identity = x if self.downsample is None else self.downsample(x)
            return self.relu(out + identity)

    class ResNet18(tnn.Module):
        def __init__(self, num_classes):
            super().__init__()
            self.conv1 = tnn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = tnn.BatchNorm2d(64)
            self.relu = tnn.ReLU(inplace=True)
            self.maxpool = tnn.MaxPool2d(3, 2, 1)
            widths = [(64, 64, 1), (64, 128, 2), (128, 256, 2), (256, 512, 2)]
            for i, (inplanes, planes, stride) in enumerate(widths, 1):
                setattr(self, f"layer{i}", tnn.Sequential(
                    BasicBlock(inplanes, planes, stride), BasicBlock(planes, planes, 1)))
            self.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
            self.fc = tnn.Linear(512, num_classes)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    return ResNet18(10)


def test_resnet18_float64_matches_a_pytorch_reference(torch):
    model = models.resnet18(num_classes=10).double()
    rng = np.random.default_rng(0)
    state = {}
    for key, value in model.state_dict().items():
        array = value.numpy()
        if "running_var" in key:
            array = rng.uniform(0.5, 2.0, array.shape)
        elif array.dtype == np.float64:
            array = rng.normal(0.0, 0.2 if "bn" in key or "downsample.1" in key else 0.05,
                               array.shape)
        state[key] = array
    model.load_state_dict({k: minidl.tensor(v) for k, v in state.items()})
    reference = torch_resnet18(torch).double()
    reference.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in state.items()})
    image = rng.normal(size=(1, 3, 32, 32))
    with minidl.no_grad(), torch.no_grad():
        ours = model.eval()(minidl.tensor(image)).numpy()
        theirs = reference.eval()(torch.from_numpy(image)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
