"""conv2d and conv_transpose2d: gradients, PyTorch parity, argument errors, layers."""
import math

import numpy as np
import pytest
from helpers import assert_close, compare_with_torch, leaf

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl.kernels import use_backend

# (input shape, weight shape, keyword arguments)
CONV_CASES = [
    ((2, 3, 6, 5), (4, 3, 3, 2), dict(stride=1, padding=0)),
    ((1, 4, 7, 7), (4, 2, 3, 3), dict(stride=2, padding=1, groups=2)),
    ((2, 2, 8, 6), (3, 2, 2, 3), dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1))),
    ((1, 3, 5, 5), (3, 1, 3, 3), dict(stride=3, padding=2, dilation=2, groups=3)),
    # rows 14 wide, stride 1: float32 takes the direct kernels (and the flip for dL/dx)
    ((2, 3, 6, 14), (5, 3, 3, 3), dict(stride=1, padding=1)),
    ((1, 5, 5, 13), (6, 5, 3, 2), dict(padding=(2, 1), dilation=(2, 1))),
    # stride 2 and 8x8 inputs with 64+ window products: the direct kernel along channels
    ((2, 8, 9, 7), (40, 8, 3, 3), dict(stride=2, padding=1)),
    ((1, 9, 8, 8), (33, 9, 3, 3), dict(padding=1)),
    # ... and its input gradient in phases (16+ input channels, 8x8 positions a phase)
    ((1, 20, 16, 16), (24, 20, 3, 3), dict(stride=2, padding=1)),
    # a strided first layer: the direct kernels, through its input's phases
    ((1, 3, 8, 24), (6, 3, 4, 4), dict(stride=2, padding=1)),
]
TRANSPOSE_CASES = [
    ((2, 3, 3, 4), (3, 2, 3, 2), dict(stride=1, padding=0)),
    ((1, 4, 3, 3), (4, 1, 4, 4), dict(stride=2, padding=1, output_padding=1, groups=2)),
    ((2, 2, 2, 3), (2, 3, 3, 2), dict(stride=(3, 2), padding=(1, 0), output_padding=(2, 1),
                                      dilation=(1, 2))),
    ((1, 2, 3, 3), (2, 2, 2, 2), dict(stride=1, output_padding=1, dilation=2)),
    # float32: the three kernels along channels (the forward one in phases)
    ((1, 16, 8, 8), (16, 20, 4, 4), dict(stride=2, padding=1)),
]


def random_tensors(rng, x_shape, w_shape, out_channels):
    """float64 leaves x, weight, bias (a convolution is linear: no kinks to avoid)."""
    return (leaf(rng.standard_normal(x_shape)), leaf(rng.standard_normal(w_shape)),
            leaf(rng.standard_normal(out_channels)))


# -- gradient checks (float64, central differences) --------------------------------------

@pytest.mark.parametrize("x_shape, w_shape, options", CONV_CASES[:3])
def test_conv2d_gradcheck(x_shape, w_shape, options, rng):
    x, w, b = random_tensors(rng, x_shape, w_shape, w_shape[0])
    assert minidl.gradcheck(lambda x, w, b: F.conv2d(x, w, b, **options), (x, w, b))


@pytest.mark.parametrize("x_shape, w_shape, options", TRANSPOSE_CASES[:3])
def test_conv_transpose2d_gradcheck(x_shape, w_shape, options, rng):
    groups = options.get("groups", 1)
    x, w, b = random_tensors(rng, x_shape, w_shape, w_shape[1] * groups)
    assert minidl.gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, **options),
                            (x, w, b))


def test_gradcheck_on_the_reference_kernels(rng):
    x, w, b = random_tensors(rng, (1, 2, 5, 4), (2, 1, 2, 3), 2)
    with use_backend("reference"):
        assert minidl.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1,
                                                         groups=2), (x, w, b))
        assert minidl.gradcheck(lambda x, w, b: F.conv_transpose2d(
            x, w, b, stride=2, output_padding=1, groups=2), (x, w, b))


def test_gradcheck_same_padding_with_an_even_kernel(rng):
    x, w, _ = random_tensors(rng, (1, 2, 4, 5), (2, 2, 2, 3), 2)
    assert minidl.gradcheck(lambda x, w: F.conv2d(x, w, padding="same"), (x, w))


# -- PyTorch parity, forward and backward ---------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, w_shape, options", CONV_CASES)
def test_conv2d_matches_torch(x_shape, w_shape, options, dtype, torch, rng):
    inputs = [rng.standard_normal(s).astype(dtype) for s in (x_shape, w_shape, w_shape[:1])]
    compare_with_torch(torch, lambda x, w, b: F.conv2d(x, w, b, **options),
                       lambda x, w, b: torch.nn.functional.conv2d(x, w, b, **options),
                       inputs, rng, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, w_shape, options", TRANSPOSE_CASES)
def test_conv_transpose2d_matches_torch(x_shape, w_shape, options, dtype, torch, rng):
    out_channels = w_shape[1] * options.get("groups", 1)
    shapes = (x_shape, w_shape, (out_channels,))
    inputs = [rng.standard_normal(s).astype(dtype) for s in shapes]
    compare_with_torch(torch, lambda x, w, b: F.conv_transpose2d(x, w, b, **options),
                       lambda x, w, b: torch.nn.functional.conv_transpose2d(x, w, b,
                                                                            **options),
                       inputs, rng, dtype)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("padding, kernel, dilation", [
    ("same", (3, 3), 1), ("same", (2, 4), 1), ("same", (2, 3), (1, 2)), ("same", (4, 1), 3),
    ("valid", (3, 2), 1), ("valid", (2, 2), 2)])
def test_string_padding_matches_torch(padding, kernel, dilation, torch, rng):
    inputs = [rng.standard_normal(s) for s in ((2, 3, 7, 6), (2, 3, *kernel), (2,))]
    compare_with_torch(
        torch, lambda x, w, b: F.conv2d(x, w, b, padding=padding, dilation=dilation),
        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, padding=padding,
                                                   dilation=dilation),
        inputs, rng)


def test_same_padding_keeps_the_size(rng):
    x = minidl.tensor(rng.standard_normal((1, 1, 5, 6)))
    assert F.conv2d(x, minidl.ones(1, 1, 4, 2, dtype="float64"), padding="same").shape \
        == (1, 1, 5, 6)


def test_unbatched_input_and_no_bias(torch, rng):
    x, w = rng.standard_normal((3, 6, 5)), rng.standard_normal((2, 3, 3, 3))
    y = F.conv2d(minidl.tensor(x), minidl.tensor(w), padding=1)
    assert y.shape == (2, 6, 5)
    np.testing.assert_allclose(y.numpy(), torch.nn.functional.conv2d(
        torch.tensor(x), torch.tensor(w), padding=1).numpy(), rtol=1e-10, atol=1e-10)
    wt = rng.standard_normal((3, 2, 2, 2))
    yt = F.conv_transpose2d(minidl.tensor(x), minidl.tensor(wt), stride=2)
    np.testing.assert_allclose(yt.numpy(), torch.nn.functional.conv_transpose2d(
        torch.tensor(x), torch.tensor(wt), stride=2).numpy(), rtol=1e-10, atol=1e-10)


def test_only_the_weight_needs_a_gradient(rng):
    x = minidl.tensor(rng.standard_normal((2, 1, 5, 5)))
    w = minidl.tensor(rng.standard_normal((3, 1, 3, 3)), requires_grad=True)
    F.conv2d(x, w).sum().backward()
    assert x.grad is None and w.grad.shape == (3, 1, 3, 3)


# -- errors --------------------------------------------------------------------------------

def t(*shape, dtype="float32"):
    return minidl.zeros(*shape, dtype=dtype)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.conv2d(t(1, 3, 8, 8), t(4, 1, 3, 3)), ValueError,
     r"conv2d: input has 3 channels, weight expects 1"),
    (lambda: F.conv2d(t(1, 4, 8, 8), t(3, 2, 3, 3), groups=2), ValueError,
     r"conv2d: out_channels \(3\) is not divisible by groups \(2\)"),
    (lambda: F.conv2d(t(1, 4, 8, 8), t(4, 4, 3, 3), groups=0), ValueError,
     r"conv2d: groups must be a positive int"),
    (lambda: F.conv2d(t(8, 8), t(4, 1, 3, 3)), ValueError, r"conv2d: expected a 3-D"),
    (lambda: F.conv2d(t(1, 1, 8, 8), t(4, 1, 3)), ValueError,
     r"conv2d: weight must be 4-D, got shape \(4, 1, 3\)"),
    (lambda: F.conv2d(t(1, 1, 4, 4), t(1, 1, 5, 3), padding=0), ValueError,
     r"conv2d: the kernel spans 5 pixels along the height .* padded input's 4"),
    (lambda: F.conv2d(t(1, 1, 4, 4), t(1, 1, 3, 3), dilation=2), ValueError,
     r"conv2d: the kernel spans 5 pixels"),
    (lambda: F.conv2d(t(1, 1, 4, 4), t(2, 1, 3, 3), t(3)), ValueError,
     r"conv2d: bias must have shape \(2,\)"),
    (lambda: F.conv2d(t(1, 1, 4, 4), t(2, 1, 3, 3), stride=0), ValueError,
     r"conv2d: stride must be positive, got \(0, 0\)"),
    (lambda: F.conv2d(t(1, 1, 4, 4), t(2, 1, 3, 3), dilation=(1, 0)), ValueError,
     r"conv2d: dilation must be positive"),
    (lambda: F.conv2d(t(1, 1, 4, 4), t(2, 1, 3, 3), padding=-1), ValueError,
     r"conv2d: padding must be non-negative"),
    (lambda: F.conv2d(t(1, 1, 4, 4), t(2, 1, 3, 3), padding="full"), ValueError,
     r"conv2d: padding must be an int, a pair, 'valid' or 'same'"),
    (lambda: F.conv2d(t(1, 1, 4, 4), t(2, 1, 3, 3), stride=2, padding="same"), ValueError,
     r"conv2d: padding='same' needs stride 1"),
    (lambda: F.conv2d(t(1, 1, 4, 4), t(2, 1, 3, 3), stride=(1, 2, 3)), TypeError,
     r"conv2d: stride must be an int or a pair of ints"),
    (lambda: F.conv2d(t(1, 1, 4, 4), t(2, 1, 3, 3, dtype="float64")), TypeError,
     r"conv2d: input is float32 but weight is float64"),
    (lambda: F.conv2d(t(1, 1, 4, 4), t(2, 1, 3, 3), t(2, dtype="float64")), TypeError,
     r"conv2d: input is float32 but bias is float64"),
    (lambda: F.conv2d(np.zeros((1, 1, 4, 4)), t(2, 1, 3, 3)), TypeError,
     r"conv2d: input must be a Tensor, got ndarray"),
    (lambda: F.conv2d(t(1, 1, 4, 4), t(2, 1, 3, 3), bias=[1.0, 2.0]), TypeError,
     r"conv2d: bias must be a Tensor or None"),
    (lambda: F.conv2d(minidl.zeros(1, 1, 4, 4, dtype="int64"),
                      minidl.zeros(2, 1, 3, 3, dtype="int64")), TypeError,
     r"conv2d: input must be floating point"),
    (lambda: F.conv_transpose2d(t(1, 3, 4, 4), t(2, 2, 3, 3)), ValueError,
     r"conv_transpose2d: input has 3 channels, weight expects 2"),
    (lambda: F.conv_transpose2d(t(1, 3, 4, 4), t(3, 2, 3, 3), groups=2), ValueError,
     r"conv_transpose2d: in_channels \(3\) is not divisible by groups \(2\)"),
    (lambda: F.conv_transpose2d(t(1, 2, 4, 4), t(2, 2, 3, 3), stride=2, output_padding=2),
     ValueError, r"output_padding \(2, 2\) must be smaller than either stride \(2, 2\) or "
                 r"dilation \(1, 1\)"),
    (lambda: F.conv_transpose2d(t(1, 2, 4, 4), t(2, 2, 3, 3), output_padding=(0, 1)),
     ValueError, r"output_padding \(0, 1\) must be smaller than either stride"),
    (lambda: F.conv_transpose2d(t(1, 2, 4, 4), t(2, 3, 3, 3), t(2)), ValueError,
     r"conv_transpose2d: bias must have shape \(3,\)"),
    (lambda: F.conv_transpose2d(t(1, 2, 1, 1), t(2, 3, 1, 1), padding=1), ValueError,
     r"conv_transpose2d: the output would be \(-1, -1\), empty"),
    (lambda: F.conv_transpose2d(t(1, 2, 4, 4), t(2, 3, 3, 3), stride=-1), ValueError,
     r"conv_transpose2d: stride must be positive"),
    (lambda: F.conv_transpose2d(t(1, 2, 4, 4), t(2, 3, 3, 3), padding="same"), TypeError,
     r"conv_transpose2d: padding must be an int or a pair of ints"),
    (lambda: F.conv_transpose2d(t(1, 2, 4, 4), t(2, 3, 3, 3, dtype="float64")), TypeError,
     r"conv_transpose2d: input is float32 but weight is float64"),
])
def test_errors_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -- layers --------------------------------------------------------------------------------

def test_conv2d_layer_parameters_and_init():
    layer = nn.Conv2d(6, 8, (3, 2), groups=2)
    assert layer.weight.shape == (8, 3, 3, 2) and layer.bias.shape == (8,)
    bound = 1 / math.sqrt(3 * 3 * 2)      # kaiming_uniform_(a=√5) gives 1/√fan_in too
    for p in (layer.weight, layer.bias):
        values = p.detach().numpy()
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.8 * bound
    assert nn.Conv2d(1, 2, 3, bias=False).bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]


def test_conv_transpose2d_layer_parameters_and_init():
    layer = nn.ConvTranspose2d(4, 6, 4, stride=2, padding=1, groups=2)
    assert layer.weight.shape == (4, 3, 4, 4) and layer.bias.shape == (6,)
    bound = 1 / math.sqrt(3 * 4 * 4)      # fan_in is weight.shape[1] · kernel area
    assert np.abs(layer.weight.detach().numpy()).max() <= bound
    assert np.abs(layer.bias.detach().numpy()).max() <= bound


def test_layer_repr_matches_torch(torch):
    pairs = [(nn.Conv2d(3, 8, 3, padding=1, bias=False),
              torch.nn.Conv2d(3, 8, 3, padding=1, bias=False)),
             (nn.Conv2d(4, 8, (1, 3), stride=2, dilation=2, groups=4),
              torch.nn.Conv2d(4, 8, (1, 3), stride=2, dilation=2, groups=4)),
             (nn.Conv2d(2, 2, 3, padding="same"), torch.nn.Conv2d(2, 2, 3, padding="same")),
             (nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1, output_padding=1),
              torch.nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1, output_padding=1))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("make", [
    lambda m: m.Conv2d(3, 4, 3, stride=2, padding=1),
    lambda m: m.ConvTranspose2d(4, 2, 4, stride=2, padding=1, groups=2),
])
def test_layer_with_torch_weights_matches_torch(make, torch, rng):
    ours, theirs = make(nn), make(torch.nn)
    ours.load_state_dict({k: minidl.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    x = rng.standard_normal((2, theirs.weight.shape[1] if isinstance(ours, nn.Conv2d)
                             else theirs.weight.shape[0], 6, 6)).astype(np.float32)
    compare_with_torch(torch, lambda x: ours(x), lambda x: theirs(x), [x], rng, np.float32)
    for name, p in ours.named_parameters():
        assert_close(p.grad, getattr(theirs, name).grad.numpy(), np.float32, name)


def test_conv_transpose2d_output_size(torch):
    layer = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    x = minidl.zeros(1, 2, 4, 5)
    assert layer(x, output_size=(8, 10)).shape == (1, 3, 8, 10)
    assert layer(x, output_size=(1, 3, 7, 9)).shape == (1, 3, 7, 9)
    with pytest.raises(ValueError, match=r"output_size \(9, 9\) is impossible .* height "
                                         r"must be in \[7, 8\]"):
        layer(x, output_size=(9, 9))


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Conv2d(3, 4, 3, groups=2), r"Conv2d: in_channels \(3\) must be divisible"),
    (lambda: nn.Conv2d(0, 4, 3), r"Conv2d: in_channels must be a positive int"),
    (lambda: nn.Conv2d(2, 4, 3, padding="full"), r"Conv2d: padding must be an int"),
    (lambda: nn.Conv2d(2, 4, 3, padding_mode="mirror"), r"padding_mode must be one of"),
    (lambda: nn.ConvTranspose2d(2, 4, 3, padding_mode="reflect"),
     r"ConvTranspose2d: only padding_mode 'zeros' is supported"),
    (lambda: nn.ConvTranspose2d(2, 4, 3, padding="same"), r"ConvTranspose2d: padding must"),
])
def test_layer_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()
