"""Explanations: the maths of saliency, Grad-CAM and occlusion on tiny nets where the
answer is known by hand; module hooks; and `minidl explain` on a tiny trained run."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

import minidl
import minidl.nn as nn
from minidl.cli.main import cli
from minidl.explain import grad_cam, occlusion, saliency, stroke_share
from minidl.explain.run import ExplainError, class_scores


class TinyNet(nn.Module):
    """conv(1 -> 2, 3x3, padding 1) -> ReLU -> global average -> linear(2 -> 3)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(2, 3)

    def forward(self, x):
        return self.fc(self.relu(self.conv(x)).mean(dim=(2, 3)))


def test_grad_cam_weights_are_the_spatial_mean_of_the_gradients():
    """score_c = Σ_k W[c, k] · mean(A_k): d score_c / d A_k = W[c, k] / (h·w) at every
    pixel, so α_k = W[c, k] / (h·w) and the map is ReLU(Σ_k α_k A_k), scaled to peak 1."""
    net = TinyNet().eval()
    x = minidl.randn(2, 1, 6, 5)
    target = np.array([2, 0])
    cam, weights = grad_cam(net, net, x, target, layer=net.relu)
    w = net.fc.weight.detach().numpy()
    np.testing.assert_allclose(weights, w[target] / 30, rtol=1e-5)
    with minidl.no_grad():
        activations = net.relu(net.conv(x)).numpy()
    expected = np.maximum(np.einsum("nk,nkhw->nhw", w[target] / 30, activations), 0)
    peak = expected.max(axis=(1, 2), keepdims=True)
    expected = np.divide(expected, peak, out=np.zeros_like(expected), where=peak > 0)
    np.testing.assert_allclose(cam, expected, rtol=1e-4, atol=1e-6)
    # by default Grad-CAM takes the last feature map the score depends on: the ReLU's
    np.testing.assert_allclose(grad_cam(net, net, x, target)[1], weights, rtol=1e-6)


def test_saliency_is_the_input_gradient():
    net = TinyNet().eval()
    x = minidl.randn(3, 1, 5, 5)
    target = np.array([0, 1, 2])
    expected = []
    for i, c in enumerate(target):
        xi = x[i:i + 1].detach().requires_grad_(True)
        net(xi)[0, int(c)].backward()
        expected.append(np.abs(xi.grad.numpy()).max(axis=1)[0])
    np.testing.assert_allclose(saliency(net, x, target), np.stack(expected), rtol=1e-5)


def test_occlusion_is_zero_where_the_model_looks_nowhere():
    class LeftHalf(nn.Module):
        """Reads only the left 8 columns of a 16-wide image."""

        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(16 * 8, 4)

        def forward(self, x):
            return self.fc(x[:, 0, :, :8].reshape(x.shape[0], -1))

    net = LeftHalf().eval()
    x = minidl.rand(2, 1, 16, 16)
    maps = occlusion(net, x, np.array([1, 3]), patch=4, stride=2)
    assert maps.shape == (2, 16, 16)
    # every patch covering columns 10.. lies inside the ignored half
    assert np.all(maps[:, :, 10:] == 0)
    assert np.abs(maps[:, :, :8]).max() > 0


def test_stroke_share():
    maps = np.zeros((2, 4, 4))
    maps[0, 0, 0] = 1.0           # all mass on a stroke pixel
    maps[1] = 1.0                 # spread evenly
    strokes = np.zeros((2, 4, 4), bool)
    strokes[:, 0, :2] = True
    np.testing.assert_allclose(stroke_share(maps, strokes), [1.0, 2 / 16])


def test_bad_arguments_are_named():
    net = TinyNet().eval()
    with pytest.raises(ValueError, match="target has 1 entries for 2 images"):
        saliency(net, minidl.randn(2, 1, 4, 4), [0])
    with pytest.raises(ValueError, match=r"target classes must be in \[0, 3\)"):
        saliency(net, minidl.randn(1, 1, 4, 4), [5])
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        saliency(net, minidl.randn(4, 4), [0])

    class Colorizer:
        kind = "colorization"
        models = {"model": net}
    with pytest.raises(ExplainError, match="colourizer"):
        class_scores(Colorizer())


def test_module_hooks_follow_pytorch():
    layer = nn.Linear(3, 2)
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: calls.append("pre") or (args[0] * 0,))
    post = layer.register_forward_hook(lambda m, args, out: calls.append("post") or out + 1)
    x = minidl.randn(4, 3)
    out = layer(x)
    assert calls == ["pre", "post"]
    expected = np.broadcast_to(layer.bias.detach().numpy() + 1, (4, 2))  # input zeroed
    np.testing.assert_allclose(out.detach().numpy(), expected)
    pre.remove()
    post.remove()
    np.testing.assert_allclose(layer(x).detach().numpy(),
                               (x @ layer.weight.T + layer.bias).detach().numpy(), rtol=1e-6)
    with layer.register_forward_hook(lambda m, args, out: calls.append("with")):
        layer(x)
    layer(x)
    assert calls == ["pre", "post", "with"]


def test_explain_command_on_a_tiny_run(tmp_path):
    runs = tmp_path / "runs"
    result = CliRunner().invoke(cli, ["train", "--limit", "64", "--epochs", "1",
                                      "--batch-size", "32", "--out", str(runs)])
    assert result.exit_code == 0, result.output
    run = next(runs.iterdir())
    result = CliRunner().invoke(cli, ["explain", str(run), "--count", "3",
                                      "--out", str(tmp_path / "ex")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "ex" / "explain.json").read_text())
    assert len(report["images"]) == 3
    shares = report["summary"]["stroke_share"]
    assert set(shares) == {"saliency", "gradcam", "occlusion"}
    assert all(0 <= value <= 1 for value in shares.values())
    for name in ("saliency.png", "gradcam.png", "occlusion.png", "maps.npz"):
        assert (tmp_path / "ex" / name).stat().st_size > 0
    maps = np.load(tmp_path / "ex" / "maps.npz")
    assert maps["saliency"].shape == (3, 28, 28)
    bad = CliRunner().invoke(cli, ["explain", str(run), "--target", "seven"])
    assert bad.exit_code != 0 and "--target" in bad.output
