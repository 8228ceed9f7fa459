"""Interpolation (nearest at any size, linear, bilinear), group and layer norm, and
convolutions with padding modes: float64 gradient checks, PyTorch parity (forward and
backward) and clear errors for bad arguments."""
import numpy as np
import pytest
from helpers import assert_close, compare_with_torch, host, leaf, untied

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl import gradcheck
from minidl.autograd.function import observe_applies
from minidl.ops.upsample import Resample2d, UpsampleNearest2d

# -- interpolation ------------------------------------------------------------------------
INTERPOLATIONS = [  # id, input shape, keyword arguments
    ("nearest x1.5", (2, 2, 5, 7), dict(scale_factor=1.5)),
    ("nearest (11, 13) from (5, 7)", (1, 2, 5, 7), dict(size=(11, 13))),
    ("nearest shrinks", (2, 1, 5, 7), dict(size=(3, 4))),
    ("nearest x(2, 1.5)", (1, 2, 3, 5), dict(scale_factor=(2, 1.5))),
    ("nearest recomputed x1.7", (1, 2, 4, 5), dict(scale_factor=1.7, recompute_scale_factor=True)),
    ("nearest 1-D x1.5", (2, 3, 5), dict(scale_factor=1.5)),
    ("nearest 1-D size 11", (1, 2, 4), dict(size=11)),
    ("bilinear x2", (2, 2, 3, 4), dict(mode="bilinear", scale_factor=2)),
    ("bilinear x1.5 corners", (1, 2, 5, 3), dict(mode="bilinear", scale_factor=1.5,
                                                 align_corners=True)),
    ("bilinear (11, 13) from (5, 7)", (1, 1, 5, 7), dict(mode="bilinear", size=(11, 13))),
    ("bilinear (11, 13) corners", (1, 1, 5, 7), dict(mode="bilinear", size=(11, 13),
                                                     align_corners=True)),
    ("bilinear shrinks", (2, 1, 5, 7), dict(mode="bilinear", size=(3, 2))),
    ("bilinear to one pixel, corners", (1, 2, 3, 4), dict(mode="bilinear", size=1,
                                                          align_corners=True)),
    ("bilinear x(1.3, 2.6) recomputed", (1, 2, 3, 3),
     dict(mode="bilinear", scale_factor=(1.3, 2.6), recompute_scale_factor=True)),
    ("linear x2.5", (2, 2, 4), dict(mode="linear", scale_factor=2.5)),
    ("linear size 9 corners", (1, 3, 4), dict(mode="linear", size=9, align_corners=True)),
]
IDS = [case[0] for case in INTERPOLATIONS]


@pytest.mark.parametrize("name,shape,kwargs", INTERPOLATIONS, ids=IDS)
def test_interpolate_gradcheck(name, shape, kwargs, rng):
    small = (1, 1, *shape[2:])  # one plane: every Jacobian entry, few backward passes
    assert gradcheck(lambda x: F.interpolate(x, **kwargs), (leaf(untied(rng, *small)),))


@pytest.mark.parametrize("name,shape,kwargs", INTERPOLATIONS, ids=IDS)
def test_interpolate_matches_torch(name, shape, kwargs, rng, torch):
    compare_with_torch(torch, lambda x: F.interpolate(x, **kwargs),
                       lambda x: torch.nn.functional.interpolate(x, **kwargs),
                       [rng.standard_normal(shape)], rng)


@pytest.mark.parametrize("name,shape,kwargs", INTERPOLATIONS[::3], ids=IDS[::3])
def test_interpolate_in_float32_matches_torch(name, shape, kwargs, rng, torch):
    compare_with_torch(torch, lambda x: F.interpolate(x, **kwargs),
                       lambda x: torch.nn.functional.interpolate(x, **kwargs),
                       [rng.standard_normal(shape)], rng, dtype=np.float32)


@pytest.mark.parametrize("kwargs", [dict(mode="bilinear", size=(6, 9), align_corners=True),
                                    dict(scale_factor=1.5)], ids=["bilinear", "nearest"])
def test_interpolate_non_contiguous_input_matches_torch(kwargs, rng, torch):
    compare_with_torch(torch, lambda x: F.interpolate(x.transpose(2, 3), **kwargs),
                       lambda x: torch.nn.functional.interpolate(x.transpose(2, 3), **kwargs),
                       [rng.standard_normal((2, 3, 5, 4))], rng)


@pytest.mark.parametrize("shape,kwargs,function", [
    ((1, 2, 5, 7), dict(scale_factor=2), UpsampleNearest2d),
    ((1, 2, 5, 7), dict(size=(15, 7)), UpsampleNearest2d),
    ((1, 2, 5), dict(scale_factor=3.0), UpsampleNearest2d),
    ((1, 2, 5, 7), dict(scale_factor=1.5), Resample2d),
    ((1, 2, 4, 4), dict(scale_factor=2.2), UpsampleNearest2d),  # images: 2·in reads ⌊j/2⌋
    ((1, 2, 4), dict(scale_factor=2.2), Resample2d),            # 1-D: ⌊j/2.2⌋
])
def test_whole_factors_keep_the_nearest_kernel(shape, kwargs, function):
    applied = []
    with observe_applies(lambda kind, inputs, options, output: applied.append(kind)):
        F.interpolate(minidl.randn(*shape), **kwargs)
    assert [kind for kind in applied if kind in (UpsampleNearest2d, Resample2d)] == [function]


def test_nearest_gradient_is_the_adjoint_where_torch_1d_differs(rng, torch):
    # PyTorch's 1-D nearest reads x[⌊j/2.2⌋] but sends the gradient back as if it read
    # x[⌊j/2⌋] (out = 2·in); minidl's gradient is the adjoint of its (equal) output
    x = rng.standard_normal((1, 1, 4))
    y = F.interpolate(minidl.tensor(x), scale_factor=2.2)
    assert_close(y, torch.nn.functional.interpolate(torch.tensor(x), scale_factor=2.2))
    assert gradcheck(lambda x: F.interpolate(x, scale_factor=2.2), (leaf(untied(rng, 1, 1, 4)),))


def test_interpolate_keeps_an_empty_batch():
    x = minidl.zeros(0, 2, 3, 3, requires_grad=True)
    y = F.interpolate(x, scale_factor=1.5, mode="bilinear")
    y.sum().backward()
    assert y.shape == (0, 2, 4, 4) and x.grad.shape == (0, 2, 3, 3)


def test_interpolate_on_each_device_matches_the_cpu(device, rng):
    x = rng.standard_normal((2, 2, 5, 7))
    for kwargs in (dict(mode="bilinear", size=(11, 13)), dict(scale_factor=1.5)):
        results = []
        for where in ("cpu", device):
            inputs = minidl.tensor(x, device=where, requires_grad=True)
            y = F.interpolate(inputs, **kwargs)
            (y * y).sum().backward()
            results.append((host(y), host(inputs.grad)))
        for ours, cpu in zip(*results):
            assert_close(ours, cpu)


UPSAMPLE_LAYERS = [
    (lambda m: m.UpsamplingBilinear2d(scale_factor=1.5),
     "UpsamplingBilinear2d(scale_factor=1.5, mode='bilinear')"),
    (lambda m: m.UpsamplingNearest2d(size=(7, 9)),
     "UpsamplingNearest2d(size=(7, 9), mode='nearest')"),
    (lambda m: m.Upsample(scale_factor=2, mode="bilinear"),
     "Upsample(scale_factor=2.0, mode='bilinear')"),
]


@pytest.mark.parametrize("make,text", UPSAMPLE_LAYERS,
                         ids=[t.split("(")[0] for _, t in UPSAMPLE_LAYERS])
def test_upsampling_layers_repr_gradcheck_and_torch(make, text, rng, torch):
    layer = make(nn)
    assert repr(layer) == text == repr(make(torch.nn))
    assert gradcheck(layer, (leaf(untied(rng, 1, 1, 3, 4)),))
    compare_with_torch(torch, layer, make(torch.nn), [rng.standard_normal((2, 3, 3, 4))], rng)


def _image(*shape):
    return minidl.randn(*shape)


INTERPOLATE_ERRORS = [
    (lambda: F.interpolate(_image(1, 1, 4, 4), scale_factor=2, mode="bilinear", antialias=True),
     NotImplementedError, r"interpolate: antialias=True is not implemented"),
    (lambda: F.interpolate(_image(1, 1, 2, 4, 4), scale_factor=2, mode="trilinear"),
     NotImplementedError, r"mode 'trilinear' is not implemented"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), scale_factor=2, mode="area",
                           align_corners=True),
     ValueError, r"align_corners"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), scale_factor=2, mode="cubic"), ValueError,
     r"interpolate: mode must be one of .*got 'cubic'"),
    (lambda: F.interpolate(_image(1, 1, 4), scale_factor=2, mode="bilinear"), ValueError,
     r"mode 'bilinear' takes a 4-D \(N, C, H, W\) input, got shape \(1, 1, 4\)"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), scale_factor=2, mode="linear"), ValueError,
     r"mode 'linear' takes a 3-D \(N, C, L\) input, got shape \(1, 1, 4, 4\)"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), size=(2, 3, 4)), ValueError,
     r"size \(2, 3, 4\) must have one entry per spatial dimension .*\(1, 1, 4, 4\): 2"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), scale_factor=(2,)), ValueError,
     r"scale_factor \(2,\) must have one entry per spatial dimension"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), scale_factor=-1.5, mode="bilinear"),
     ValueError, r"scale_factor must be a number > 0, got -1.5"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), size=2.5), ValueError,
     r"size must be a positive int or one per spatial dimension, got 2.5"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), size=8, recompute_scale_factor=True),
     ValueError, r"recompute_scale_factor is not meaningful with an explicit size"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), scale_factor=2, align_corners=False),
     ValueError, r"align_corners can only be set with the interpolating modes"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), scale_factor=2, mode="bilinear",
                           align_corners="yes"), TypeError, r"align_corners must be a bool"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), scale_factor=2, mode="bilinear",
                           antialias=True), NotImplementedError, r"antialias=True"),
    (lambda: F.interpolate(minidl.zeros(1, 1, 4, 4, dtype=minidl.int64), scale_factor=2),
     TypeError, r"interpolate: input must be floating point, got int64"),
    (lambda: F.interpolate(minidl.zeros(1, 1, 0, 4), scale_factor=2), ValueError,
     r"spatial sizes must be positive, got shape \(1, 1, 0, 4\)"),
]


@pytest.mark.parametrize("call,error,match", INTERPOLATE_ERRORS,
                         ids=[m[:40] for _, _, m in INTERPOLATE_ERRORS])
def test_interpolate_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- group and layer norm -------------------------------------------------------------------
NORMS = [  # id, minidl call, torch call, input shape, affine shape
    ("group_norm 2 groups", lambda f, x, w, b: f.group_norm(x, 2, w, b), (2, 4, 3, 2), (4,)),
    ("group_norm 1 group, 1-D", lambda f, x, w, b: f.group_norm(x, 1, w, b, 1e-3),
     (3, 3, 5), (3,)),
    ("group_norm per channel", lambda f, x, w, b: f.group_norm(x, 3, w, b), (1, 3, 4), (3,)),
    ("layer_norm last dim", lambda f, x, w, b: f.layer_norm(x, (5,), w, b), (2, 3, 5), (5,)),
    ("layer_norm last two", lambda f, x, w, b: f.layer_norm(x, [3, 4], w, b, 1e-3),
     (2, 3, 4), (3, 4)),
]
NORM_IDS = [case[0] for case in NORMS]


@pytest.mark.parametrize("name,call,shape,affine", NORMS, ids=NORM_IDS)
def test_norm_gradcheck(name, call, shape, affine, rng):
    inputs = (leaf(untied(rng, *shape)), leaf(untied(rng, *affine)), leaf(untied(rng, *affine)))
    assert gradcheck(lambda x, w, b: call(F, x, w, b), inputs)
    assert gradcheck(lambda x: call(F, x, None, None), inputs[:1])


@pytest.mark.parametrize("name,call,shape,affine", NORMS, ids=NORM_IDS)
def test_norm_matches_torch(name, call, shape, affine, rng, torch):
    compare_with_torch(torch, lambda x, w, b: call(F, x, w, b),
                       lambda x, w, b: call(torch.nn.functional, x, w, b),
                       [rng.standard_normal(shape) * 3 + 1, rng.standard_normal(affine),
                        rng.standard_normal(affine)], rng)


NORM_LAYERS = [
    (lambda m: m.GroupNorm(2, 6), (2, 6, 3, 3),
     "GroupNorm(2, 6, eps=1e-05, affine=True, bias=True)"),
    (lambda m: m.GroupNorm(3, 6, eps=1e-3, affine=False), (2, 6, 4),
     "GroupNorm(3, 6, eps=0.001, affine=False, bias=False)"),
    (lambda m: m.LayerNorm(4), (3, 2, 4),
     "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"),
    (lambda m: m.LayerNorm([2, 4], bias=False), (3, 2, 4),
     "LayerNorm((2, 4), eps=1e-05, elementwise_affine=True, bias=False)"),
    (lambda m: m.LayerNorm(4, elementwise_affine=False), (2, 4),
     "LayerNorm((4,), eps=1e-05, elementwise_affine=False, bias=False)"),
]


@pytest.mark.parametrize("make,shape,text", NORM_LAYERS,
                         ids=[t.split(",")[0] + ")" for _, _, t in NORM_LAYERS])
def test_norm_layers_repr_parameters_and_torch(make, shape, text, rng, torch):
    layer, reference = make(nn).double(), make(torch.nn).double()
    assert repr(layer) == text == repr(reference)
    assert [(n, tuple(p.shape)) for n, p in layer.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in reference.named_parameters()]
    for (_, ours), theirs in zip(layer.named_parameters(), reference.parameters()):
        assert_close(ours, theirs.detach().numpy())   # ones and zeros
    x = rng.standard_normal(shape)
    compare_with_torch(torch, layer, reference, [x], rng)
    layer.eval()
    assert_close(layer(minidl.tensor(x)), reference(torch.tensor(x)).detach().numpy())


def test_norm_layer_gradcheck_with_parameters(rng):
    layer = nn.GroupNorm(2, 4).double()
    with minidl.no_grad():
        layer.weight.copy_(untied(rng, 4))
        layer.bias.copy_(untied(rng, 4))
    assert gradcheck(lambda x, w, b: layer(x), (leaf(untied(rng, 2, 4, 3)), layer.weight,
                                                layer.bias))


def test_norms_keep_an_empty_batch():
    for layer, shape in ((nn.GroupNorm(2, 4), (0, 4, 3)), (nn.LayerNorm(3), (0, 3))):
        x = minidl.zeros(*shape, requires_grad=True)
        y = layer(x)
        y.sum().backward()
        assert y.shape == shape and x.grad.shape == shape


NORM_ERRORS = [
    (lambda: nn.GroupNorm(4, 6), ValueError,
     r"GroupNorm: num_channels \(6\) must be divisible by num_groups \(4\)"),
    (lambda: nn.GroupNorm(0, 6), ValueError, r"GroupNorm: num_groups must be a positive int"),
    (lambda: nn.GroupNorm(2, 4)(_image(2, 6, 3)), ValueError,
     r"GroupNorm: input has 6 channels \(shape \(2, 6, 3\)\), .*num_channels=4"),
    (lambda: F.group_norm(_image(2, 6, 3), 4), ValueError,
     r"group_norm: the input's 6 channels \(shape \(2, 6, 3\)\) are not divisible by "
     r"num_groups=4"),
    (lambda: F.group_norm(_image(6), 2), ValueError,
     r"group_norm: expected an input of at least 2 dimensions .*got shape \(6,\)"),
    (lambda: F.group_norm(_image(2, 4, 3), 2, minidl.ones(3)), ValueError,
     r"group_norm: weight should have shape \(4,\) \(input shape \(2, 4, 3\)\), got \(3,\)"),
    (lambda: F.group_norm(_image(2, 4, 3), 2, eps=0), ValueError,
     r"group_norm: eps must be a number > 0, got 0"),
    (lambda: F.layer_norm(_image(2, 3, 4), (3,)), ValueError,
     r"layer_norm: the input's trailing dimensions must equal normalized_shape \(3,\), got "
     r"input of shape \(2, 3, 4\)"),
    (lambda: F.layer_norm(_image(4), (3, 4)), ValueError,
     r"trailing dimensions must equal normalized_shape \(3, 4\), got input of shape \(4,\)"),
    (lambda: F.layer_norm(_image(2, 4), 4, bias=minidl.zeros(2, 4)), ValueError,
     r"layer_norm: bias should have shape \(4,\) .*got \(2, 4\)"),
    (lambda: nn.LayerNorm(()), ValueError,
     r"LayerNorm: normalized_shape must be a positive int or a non-empty sequence"),
    (lambda: nn.LayerNorm(4)(_image(2, 5)), ValueError,
     r"trailing dimensions must equal normalized_shape \(4,\)"),
    (lambda: F.layer_norm(minidl.zeros(2, 4, dtype=minidl.int64), 4), TypeError,
     r"layer_norm: input must be floating point, got int64"),
]


@pytest.mark.parametrize("call,error,match", NORM_ERRORS, ids=[m[:40] for _, _, m in NORM_ERRORS])
def test_norm_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- convolutions with padding modes --------------------------------------------------------
PADDED_CONVS = [
    dict(kernel_size=3, padding=1, padding_mode="reflect"),
    dict(kernel_size=(3, 2), padding=(2, 1), stride=2, padding_mode="replicate"),
    dict(kernel_size=3, padding=(1, 2), dilation=(1, 2), padding_mode="circular"),
    dict(kernel_size=(2, 4), padding="same", dilation=(2, 1), padding_mode="reflect"),
    dict(kernel_size=4, padding="same", padding_mode="circular"),
    dict(kernel_size=3, padding="valid", padding_mode="replicate"),
]
CONV_IDS = [f"{c['padding_mode']} {c['padding']}" for c in PADDED_CONVS]


def _twin_convs(torch, kwargs):
    """A minidl and a PyTorch Conv2d(4, 2, groups=2) with the same float64 parameters."""
    ours = nn.Conv2d(4, 2, groups=2, **kwargs).double()
    theirs = torch.nn.Conv2d(4, 2, groups=2, **kwargs).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.detach().numpy()))
        theirs.bias.copy_(torch.tensor(ours.bias.detach().numpy()))
    return ours, theirs


@pytest.mark.parametrize("kwargs", PADDED_CONVS, ids=CONV_IDS)
def test_padding_mode_conv_matches_torch(kwargs, rng, torch):
    ours, theirs = _twin_convs(torch, kwargs)
    assert repr(ours) == repr(theirs)
    compare_with_torch(torch, ours, theirs, [rng.standard_normal((2, 4, 5, 7))], rng)
    compare_with_torch(torch, ours, theirs, [rng.standard_normal((4, 6, 5))], rng)  # unbatched
    for mine, reference in zip(ours.parameters(), theirs.parameters()):  # both calls' sums
        assert_close(mine.grad, reference.grad.numpy())


@pytest.mark.parametrize("kwargs", PADDED_CONVS[:4], ids=CONV_IDS[:4])
def test_padding_mode_conv_gradcheck(kwargs, rng):
    layer = nn.Conv2d(2, 1, **kwargs).double()
    assert gradcheck(lambda x, w, b: layer(x), (leaf(untied(rng, 1, 2, 4, 5)), layer.weight,
                                                layer.bias))


def test_same_padding_keeps_the_size_with_every_mode():
    x = minidl.randn(1, 2, 5, 6)
    for mode in ("zeros", "reflect", "replicate", "circular"):
        assert nn.Conv2d(2, 3, (3, 4), padding="same", padding_mode=mode)(x).shape == \
            (1, 3, 5, 6)


@pytest.mark.parametrize("make,match", [
    (lambda: nn.Conv2d(2, 4, 3, padding_mode="mirror"),
     r"Conv2d: padding_mode must be one of \('zeros', 'reflect', 'replicate', 'circular'\), "
     r"got 'mirror'"),
    (lambda: nn.ConvTranspose2d(2, 4, 3, padding_mode="circular"),
     r"ConvTranspose2d: only padding_mode 'zeros' is supported .*got 'circular'"),
    (lambda: nn.Conv2d(2, 4, 3, stride=2, padding="same", padding_mode="reflect"),
     r"Conv2d: padding='same' needs stride 1, got stride \(2, 2\)"),
    (lambda: nn.Conv2d(2, 4, 5, padding=4, padding_mode="reflect")(_image(1, 2, 4, 4)),
     r"pad: reflect padding \(4, 4\) must be smaller than the dimension it pads"),
])
def test_padding_mode_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()
