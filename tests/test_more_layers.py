"""1-D convolutions and pooling, max unpooling, adaptive max pooling, unfold/fold, cdist:
float64 gradient checks, PyTorch parity (forward and backward, awkward small shapes), the
layers, and clear errors."""
import numpy as np
import pytest
from helpers import assert_close, compare_with_torch, leaf, untied

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl import gradcheck


def check(torch, fn, arrays, rng, grad_inputs=None):
    """Gradient check in float64, then parity with torch (outputs and gradients)."""
    grad_inputs = range(len(arrays)) if grad_inputs is None else grad_inputs
    leaves = [leaf(a, i in grad_inputs) for i, a in enumerate(arrays)]
    assert gradcheck(lambda *x: fn(F, *x), tuple(leaves))
    compare_with_torch(torch, lambda *x: fn(F, *x), lambda *x: fn(torch.nn.functional, *x),
                       arrays, rng, grad_inputs=grad_inputs)


# -- 1-D convolutions ----------------------------------------------------------------------
CONV1D = [  # input shape, weight shape, options
    ((1, 2, 5), (3, 2, 3), {}),
    ((2, 4, 7), (6, 2, 3), dict(stride=2, padding=1, dilation=2, groups=2)),
    ((4, 6), (4, 4, 2), dict(padding="same", dilation=3)),
    ((1, 3, 6), (3, 1, 4), dict(padding="valid", groups=3, stride=(3,))),
]


@pytest.mark.parametrize("shape,weight,options", CONV1D)
def test_conv1d(shape, weight, options, rng, torch):
    arrays = [rng.standard_normal(shape), rng.standard_normal(weight),
              rng.standard_normal(weight[0])]
    check(torch, lambda f, x, w, b: f.conv1d(x, w, b, **options), arrays, rng)


CONV_TRANSPOSE1D = [  # input shape, weight shape, options
    ((1, 2, 4), (2, 3, 3), {}),
    ((2, 4, 5), (4, 2, 3), dict(stride=2, padding=1, output_padding=1, groups=2)),
    ((3, 5), (3, 2, 2), dict(stride=3, dilation=2, output_padding=2)),
]


@pytest.mark.parametrize("shape,weight,options", CONV_TRANSPOSE1D)
def test_conv_transpose1d(shape, weight, options, rng, torch):
    groups = options.get("groups", 1)
    arrays = [rng.standard_normal(shape), rng.standard_normal(weight),
              rng.standard_normal(weight[1] * groups)]
    check(torch, lambda f, x, w, b: f.conv_transpose1d(x, w, b, **options), arrays, rng)


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [2, "same"])
def test_conv1d_layer_matches_torch(padding_mode, padding, rng, torch):
    ours = nn.Conv1d(4, 6, 3, padding=padding, dilation=2, groups=2,
                     padding_mode=padding_mode, dtype=minidl.float64)
    theirs = torch.nn.Conv1d(4, 6, 3, padding=padding, dilation=2, groups=2,
                             padding_mode=padding_mode, dtype=torch.float64)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = rng.standard_normal((2, 4, 7))
    assert_close(ours(minidl.tensor(x)), theirs(torch.tensor(x)).detach().numpy())
    assert repr(ours) == repr(theirs)


def test_conv_transpose1d_layer(rng, torch):
    ours = nn.ConvTranspose1d(4, 2, 3, stride=2, padding=1, dtype=minidl.float64)
    theirs = torch.nn.ConvTranspose1d(4, 2, 3, stride=2, padding=1, dtype=torch.float64)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = rng.standard_normal((1, 4, 5))
    for size in (None, [10], (1, 2, 9)):
        assert_close(ours(minidl.tensor(x), output_size=size),
                     theirs(torch.tensor(x), output_size=size).detach().numpy())
    assert ours.weight.shape == (4, 2, 3) and repr(ours) == repr(theirs)


def test_conv1d_errors():
    x, w = minidl.randn(1, 4, 5), minidl.randn(2, 4, 3)
    with pytest.raises(ValueError, match="conv1d: weight must be 3-D"):
        F.conv1d(x, minidl.randn(2, 4, 1, 3))
    with pytest.raises(ValueError, match=r"conv1d: expected a 2-D \(C, L\) or 3-D"):
        F.conv1d(minidl.randn(1, 1, 4, 5), w)
    with pytest.raises(TypeError, match="conv1d: stride must be an int or a 1-tuple"):
        F.conv1d(x, w, stride=(1, 2))
    with pytest.raises(ValueError, match="conv1d: input has 4 channels, weight expects 8"):
        F.conv1d(x, minidl.randn(2, 8, 3))
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        nn.Conv1d(4, 2, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="ConvTranspose1d: padding must be an int or a tuple"):
        nn.ConvTranspose1d(4, 2, 3, padding="same")
    with pytest.raises(ValueError, match="conv_transpose1d: output_padding"):
        F.conv_transpose1d(x, w.transpose(0, 1).contiguous(), output_padding=1)


# -- 1-D pooling ---------------------------------------------------------------------------
POOL1D = {
    "max": lambda f, x: f.max_pool1d(x, 3),
    "max_strided": lambda f, x: f.max_pool1d(x, 3, 2, 1, dilation=2, ceil_mode=True),
    "avg": lambda f, x: f.avg_pool1d(x, 2, 3, 1, ceil_mode=True, count_include_pad=False),
    "avg_default": lambda f, x: f.avg_pool1d(x, 3, padding=1),
    "adaptive_avg": lambda f, x: f.adaptive_avg_pool1d(x, 4),
    "adaptive_max": lambda f, x: f.adaptive_max_pool1d(x, (3,)),
}


@pytest.mark.parametrize("name", POOL1D)
@pytest.mark.parametrize("shape", [(1, 2, 9), (3, 7)])
def test_pool1d(name, shape, rng, torch):
    check(torch, POOL1D[name], [untied(rng, *shape)], rng)


def test_pool1d_indices_and_layers(rng, torch):
    x = untied(rng, 2, 3, 11)
    for ours, theirs in ((nn.MaxPool1d(3, 2, 1, return_indices=True),
                          torch.nn.MaxPool1d(3, 2, 1, return_indices=True)),
                         (nn.AdaptiveMaxPool1d(4, return_indices=True),
                          torch.nn.AdaptiveMaxPool1d(4, return_indices=True))):
        (values, indices), (ref, ref_indices) = ours(minidl.tensor(x)), theirs(torch.tensor(x))
        assert_close(values, ref.numpy())
        np.testing.assert_array_equal(indices.numpy(), ref_indices.numpy())
        assert indices.dtype == minidl.int64
    for ours, theirs in ((nn.AvgPool1d(3, 2), torch.nn.AvgPool1d(3, 2)),
                         (nn.AdaptiveAvgPool1d(5), torch.nn.AdaptiveAvgPool1d(5))):
        assert_close(ours(minidl.tensor(x)), theirs(torch.tensor(x)).numpy())


def test_pool1d_errors():
    with pytest.raises(ValueError, match=r"max_pool1d: expected a 2-D \(C, L\)"):
        F.max_pool1d(minidl.randn(1, 2, 3, 4), 2)
    with pytest.raises(ValueError, match="avg_pool1d: padding"):
        F.avg_pool1d(minidl.randn(1, 2, 8), 2, padding=2)
    with pytest.raises(ValueError, match="adaptive_avg_pool1d: output_size must be positive"):
        F.adaptive_avg_pool1d(minidl.randn(1, 2, 8), 0)


# -- max unpooling -------------------------------------------------------------------------
@pytest.mark.parametrize("shape,window,output_size", [
    ((1, 2, 6, 4), (2, 2, 0), None),
    ((2, 1, 7, 6), (3, 3, 1), (7, 6)),
    ((3, 5, 5), ((2, 3), (2, 3), (1, 0)), [5, 5]),
])
def test_max_unpool2d(shape, window, output_size, rng, torch):
    """Windows that do not overlap: an index repeated by overlapping windows writes one
    value but, in PyTorch as here, passes the gradient to every copy."""
    x = untied(rng, *shape)
    _, indices = F.max_pool2d(minidl.tensor(x), *window, return_indices=True)
    pooled = untied(rng, *indices.shape)
    check(torch, lambda f, p: f.max_unpool2d(
        p, torch.tensor(indices.numpy()) if f is torch.nn.functional else indices,
        *window, output_size=output_size), [pooled], rng)


def test_max_unpool1d_and_layers(rng, torch):
    x = untied(rng, 2, 3, 9)
    pooled, indices = nn.MaxPool1d(2, return_indices=True)(minidl.tensor(x))
    ref_pooled, ref_indices = torch.nn.MaxPool1d(2, return_indices=True)(torch.tensor(x))
    out = nn.MaxUnpool1d(2)(pooled, indices, output_size=(9,))
    assert_close(out, torch.nn.MaxUnpool1d(2)(ref_pooled, ref_indices, output_size=(9,)).numpy())
    assert gradcheck(lambda p: F.max_unpool1d(p, indices, 2), (leaf(pooled.numpy()),))
    image = untied(rng, 1, 2, 4, 6)
    pooled, indices = F.max_pool2d(minidl.tensor(image), 2, return_indices=True)
    ref = torch.nn.MaxUnpool2d(2)(*torch.nn.functional.max_pool2d(
        torch.tensor(image), 2, return_indices=True))
    assert_close(nn.MaxUnpool2d(2)(pooled, indices), ref.numpy())


def test_max_unpool_errors():
    pooled, indices = F.max_pool2d(minidl.randn(1, 1, 7, 6), 3, 2, 1, return_indices=True)
    with pytest.raises(ValueError, match=r"max_unpool2d: found an invalid max index"):
        F.max_unpool2d(pooled, indices, 3, 2, 1)
    with pytest.raises(ValueError, match=r"max_unpool2d: invalid output_size"):
        F.max_unpool2d(pooled, indices, 3, 2, 1, output_size=(9, 6))
    with pytest.raises(ValueError, match="max_unpool2d: indices must be an integer tensor"):
        F.max_unpool2d(pooled, indices[..., :1], 3, 2, 1)


# -- adaptive max pooling ------------------------------------------------------------------
@pytest.mark.parametrize("shape,output_size", [
    ((1, 2, 7, 5), (3, 4)), ((3, 5, 9), (None, 4)), ((1, 1, 3, 3), (5, 4)), ((2, 1, 4, 4), 1),
])
def test_adaptive_max_pool2d(shape, output_size, rng, torch):
    x = untied(rng, *shape)
    check(torch, lambda f, v: f.adaptive_max_pool2d(v, output_size), [x], rng)
    (values, indices) = nn.AdaptiveMaxPool2d(output_size, return_indices=True)(minidl.tensor(x))
    _, ref_indices = torch.nn.AdaptiveMaxPool2d(output_size, return_indices=True)(
        torch.tensor(x))
    np.testing.assert_array_equal(indices.numpy(), ref_indices.numpy())


def test_adaptive_max_pool_errors():
    with pytest.raises(ValueError, match="adaptive_max_pool2d: output_size must be positive"):
        F.adaptive_max_pool2d(minidl.randn(1, 2, 4, 4), (0, 2))
    with pytest.raises(ValueError, match=r"adaptive_max_pool2d: expected a 3-D"):
        F.adaptive_max_pool2d(minidl.randn(4, 4), 2)


# -- unfold and fold -----------------------------------------------------------------------
FOLDS = [  # image shape, options
    ((1, 2, 5, 4), dict(kernel_size=2)),
    ((2, 1, 7, 6), dict(kernel_size=(3, 2), dilation=(2, 1), padding=1, stride=(2, 3))),
    ((3, 4, 5), dict(kernel_size=3, padding=(0, 1), stride=2)),
]


@pytest.mark.parametrize("shape,options", FOLDS)
def test_unfold_and_fold(shape, options, rng, torch):
    check(torch, lambda f, x: f.unfold(x, **options), [rng.standard_normal(shape)], rng)
    columns = torch.nn.functional.unfold(torch.tensor(rng.standard_normal(shape)), **options)
    check(torch, lambda f, c: f.fold(c, shape[-2:], **options), [columns.numpy()], rng)
    layer = nn.Fold(shape[-2:], **options)
    assert_close(layer(nn.Unfold(**options)(minidl.tensor(columns.numpy()).new_ones(*shape))),
                 torch.nn.Fold(shape[-2:], **options)(
                     torch.nn.Unfold(**options)(torch.ones(shape, dtype=torch.float64))).numpy())


def test_fold_errors():
    with pytest.raises(ValueError, match="fold: input's dimension -2 .* divisible"):
        F.fold(minidl.randn(1, 5, 12), (4, 5), 2)
    with pytest.raises(ValueError, match="fold: input has 11 blocks"):
        F.fold(minidl.randn(1, 4, 11), (4, 5), 2)
    with pytest.raises(ValueError, match="unfold: no"):
        F.unfold(minidl.randn(1, 1, 2, 2), 3)
    with pytest.raises(ValueError, match="unfold: stride must be positive"):
        F.unfold(minidl.randn(1, 1, 4, 4), 2, stride=0)


# -- cdist, relu_, autograd.gradcheck ------------------------------------------------------
@pytest.mark.parametrize("p", [2.0, 1.0, 3.5, float("inf")])
@pytest.mark.parametrize("shapes", [((4, 3), (5, 3)), ((2, 1, 3, 2), (4, 2, 2))])
def test_cdist(p, shapes, rng, torch):
    a, b = untied(rng, *shapes[0]), untied(rng, *shapes[1])
    assert gradcheck(lambda x, y: minidl.cdist(x, y, p), (leaf(a), leaf(b)))
    compare_with_torch(torch, lambda x, y: minidl.cdist(x, y, p),
                       lambda x, y: torch.cdist(x, y, p), [a, b], rng)


def test_cdist_zero_distance_and_p0(rng, torch):
    a = rng.standard_normal((3, 2))
    compare_with_torch(torch, lambda x, y: minidl.cdist(x, y), lambda x, y: torch.cdist(x, y),
                       [a, a[::-1].copy()], rng)
    assert_close(minidl.cdist(minidl.tensor(a), minidl.tensor(a.round()), p=0),
                 torch.cdist(torch.tensor(a), torch.tensor(a.round()), p=0).numpy())
    with pytest.raises(ValueError, match="cdist: x1 and x2 must have the same number"):
        minidl.cdist(minidl.randn(2, 3), minidl.randn(2, 4))
    with pytest.raises(ValueError, match="cdist: p must be a number >= 0"):
        minidl.cdist(minidl.randn(2, 3), minidl.randn(2, 3), p=-1)


def test_relu_in_place_and_autograd_gradcheck():
    x = minidl.tensor([-1.0, 2.0])
    assert minidl.relu_(x) is x and x.tolist() == [0.0, 2.0]
    assert minidl.autograd.gradcheck(lambda t: (t * t).sum(), (leaf([1.0, 2.0]),),
                                     eps=1e-6, atol=1e-4)
