"""Batch norm, pooling and upsampling through autograd: float64 gradient checks, PyTorch
parity (forward, backward, running statistics) and clear errors for bad arguments."""
import numpy as np
import pytest
from helpers import compare_with_torch, leaf, untied

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl import gradcheck


# -- batch norm: gradient checks --------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 5), (2, 3, 2, 3)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradcheck(shape, training, rng):
    channels = shape[1]
    x, weight, bias = untied(rng, *shape), untied(rng, channels), untied(rng, channels)
    running_mean = minidl.tensor(rng.standard_normal(channels))
    running_var = minidl.tensor(rng.uniform(0.5, 2, channels))

    def fn(x, weight, bias):
        return F.batch_norm(x, running_mean, running_var, weight, bias, training=training)

    assert gradcheck(fn, (leaf(x), leaf(weight), leaf(bias)))


def test_batch_norm_without_affine_or_running_stats_gradcheck(rng):
    x = leaf(untied(rng, 3, 2, 4))
    assert gradcheck(lambda x: F.batch_norm(x, None, None, training=True), (x,))


@pytest.mark.parametrize("layer,shape", [(nn.BatchNorm1d, (5, 3)), (nn.BatchNorm1d, (3, 2, 4)),
                                         (nn.BatchNorm2d, (2, 3, 3, 2))])
def test_batch_norm_layers_gradcheck_in_train_and_eval(layer, shape, rng):
    module = layer(shape[1]).double()
    with minidl.no_grad():
        module.weight.copy_(untied(rng, shape[1]))
        module.bias.copy_(untied(rng, shape[1]))
    x = leaf(untied(rng, *shape))
    assert gradcheck(lambda x, weight, bias: module(x), (x, module.weight, module.bias))
    module.eval()
    assert gradcheck(lambda x, weight, bias: module(x), (x, module.weight, module.bias))


# -- batch norm: PyTorch parity ---------------------------------------------------------
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5), (2, 4, 3, 5)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_matches_torch(shape, training, rng, torch):
    channels = shape[1]
    running = (rng.standard_normal(channels), rng.uniform(0.5, 2, channels))
    mean, var = (minidl.tensor(a.copy()) for a in running)
    mean_ref, var_ref = (torch.tensor(a.copy()) for a in running)
    compare_with_torch(
        torch,
        lambda x, w, b: F.batch_norm(x, mean, var, w, b, training, 0.3, 1e-3),
        lambda x, w, b: torch.nn.functional.batch_norm(x, mean_ref, var_ref, w, b, training,
                                                       0.3, 1e-3),
        [rng.standard_normal(shape) * 2 + 1, rng.standard_normal(channels),
         rng.standard_normal(channels)], rng)
    np.testing.assert_allclose(mean.numpy(), mean_ref.numpy(), atol=1e-12)
    np.testing.assert_allclose(var.numpy(), var_ref.numpy(), atol=1e-12)


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm2d_running_statistics_follow_torch_over_steps(momentum, affine, rng, torch):
    ours = nn.BatchNorm2d(3, momentum=momentum, affine=affine)
    theirs = torch.nn.BatchNorm2d(3, momentum=momentum, affine=affine)
    for _ in range(3):
        batch = (rng.standard_normal((4, 3, 5, 2)) * 3 + 2).astype(np.float32)
        y, y_ref = ours(minidl.tensor(batch)), theirs(torch.tensor(batch))
        np.testing.assert_allclose(y.detach().numpy(), y_ref.detach().numpy(), atol=1e-5)
        if affine:
            (y * y).sum().backward()
            (y_ref * y_ref).sum().backward()
            np.testing.assert_allclose(ours.weight.grad.numpy(),
                                       theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(ours, name).numpy(),
                                   getattr(theirs, name).numpy(), rtol=1e-5, atol=1e-6)
    assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == 3
    ours.eval(), theirs.eval()
    batch = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(minidl.tensor(batch)).detach().numpy(),
                               theirs(torch.tensor(batch)).detach().numpy(), atol=1e-5)


def test_batch_norm1d_without_running_stats_uses_batch_statistics_in_eval(rng, torch):
    ours = nn.BatchNorm1d(4, track_running_stats=False).eval()
    theirs = torch.nn.BatchNorm1d(4, track_running_stats=False).eval()
    batch = rng.standard_normal((5, 4, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(minidl.tensor(batch)).detach().numpy(),
                               theirs(torch.tensor(batch)).detach().numpy(), atol=1e-6)
    assert ours.running_mean is None and "running_mean" not in ours.state_dict()


def test_batch_norm_layer_state_repr_and_reset():
    layer = nn.BatchNorm2d(3, momentum=None)
    assert list(layer.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                        "num_batches_tracked"]
    assert repr(layer) == ("BatchNorm2d(3, eps=1e-05, momentum=None, affine=True, "
                           "track_running_stats=True)")
    layer(minidl.randn(4, 3, 2, 2) * 5 + 3)
    assert layer.num_batches_tracked.item() == 1 and layer.running_mean.numpy().min() > 1
    layer.reset_running_stats()
    np.testing.assert_array_equal(layer.running_mean.numpy(), 0)
    np.testing.assert_array_equal(layer.running_var.numpy(), 1)
    assert layer.num_batches_tracked.item() == 0


def test_batch_norm_eval_does_not_touch_running_stats():
    layer = nn.BatchNorm1d(2).eval()
    layer(minidl.randn(3, 2) * 4)
    np.testing.assert_array_equal(layer.running_mean.numpy(), 0)
    assert layer.num_batches_tracked.item() == 0


# -- pooling and upsampling: gradient checks and PyTorch parity ------------------------
def _untied_image(rng, *shape):
    """Well-separated values: a tiny perturbation never changes a window's maximum."""
    return untied(rng, *shape, gap=0.05, low=-5, high=5)


POOLING = [
    ("max 2x2", lambda f, x: f.max_pool2d(x, 2)),
    ("max overlapping, padded, dilated, ceil",
     lambda f, x: f.max_pool2d(x, (3, 2), (2, 1), (1, 1), (1, 2), ceil_mode=True)),
    ("max ceil_mode, last window hangs off",
     lambda f, x: f.max_pool2d(x, 3, 3, ceil_mode=True)),
    ("avg 2x2", lambda f, x: f.avg_pool2d(x, 2)),
    ("avg ceil_mode, last window hangs off",
     lambda f, x: f.avg_pool2d(x, 3, 3, ceil_mode=True)),
    ("avg padded, count_include_pad", lambda f, x: f.avg_pool2d(x, 3, 2, 1, ceil_mode=True)),
    ("avg padded, exclude pad",
     lambda f, x: f.avg_pool2d(x, (2, 3), (1, 2), (1, 1), count_include_pad=False)),
    ("avg divisor_override", lambda f, x: f.avg_pool2d(x, 2, 1, divisor_override=3)),
    ("adaptive 3x2", lambda f, x: f.adaptive_avg_pool2d(x, (3, 2))),
    ("global average", lambda f, x: f.adaptive_avg_pool2d(x, 1)),
    ("adaptive keeps width", lambda f, x: f.adaptive_avg_pool2d(x, (2, None))),
    ("nearest x2", lambda f, x: f.interpolate(x, scale_factor=2)),
    ("nearest (3, 2) by size", lambda f, x: f.interpolate(x, size=(15, 10))),
    ("nearest scale 2.0, 1", lambda f, x: f.interpolate(x, scale_factor=(2.0, 1))),
]


@pytest.mark.parametrize("name,fn", POOLING, ids=[p[0] for p in POOLING])
def test_pooling_gradcheck(name, fn, rng):
    assert gradcheck(lambda x: fn(F, x), (leaf(_untied_image(rng, 2, 2, 5, 5)),))


@pytest.mark.parametrize("name,fn", POOLING, ids=[p[0] for p in POOLING])
def test_pooling_matches_torch(name, fn, rng, torch):
    compare_with_torch(torch, lambda x: fn(F, x), lambda x: fn(torch.nn.functional, x),
                       [rng.standard_normal((3, 2, 5, 5))], rng)


def test_pooling_in_float32_matches_torch(rng, torch):
    x = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
    for name, fn in POOLING:
        ours, theirs = fn(F, minidl.tensor(x)), fn(torch.nn.functional, torch.tensor(x))
        assert ours.dtype == np.float32, name
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-6, err_msg=name)


def test_max_pool_return_indices_and_unbatched_input_match_torch(rng, torch):
    x = rng.standard_normal((3, 7, 6))  # (C, H, W) without a batch dimension
    y, indices = F.max_pool2d(minidl.tensor(x), 3, 2, 1, return_indices=True)
    y_ref, indices_ref = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1,
                                                        return_indices=True)
    assert y.shape == (3, 4, 3) and indices.dtype == np.int64
    np.testing.assert_array_equal(y.numpy(), y_ref.numpy())
    np.testing.assert_array_equal(indices.numpy(), indices_ref.numpy())
    np.testing.assert_allclose(F.avg_pool2d(minidl.tensor(x), 2).numpy(),
                               torch.nn.functional.avg_pool2d(torch.tensor(x), 2).numpy())


LAYERS = [
    (lambda m: m.MaxPool2d(3, 2, 1, ceil_mode=True),
     "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True)"),
    (lambda m: m.AvgPool2d((2, 3), padding=1, count_include_pad=False),
     "AvgPool2d(kernel_size=(2, 3), stride=(2, 3), padding=1)"),
    (lambda m: m.AdaptiveAvgPool2d((2, 3)), "AdaptiveAvgPool2d(output_size=(2, 3))"),
    (lambda m: m.Upsample(scale_factor=3), "Upsample(scale_factor=3.0, mode='nearest')"),
    (lambda m: m.Upsample(size=(10, 5)), "Upsample(size=(10, 5), mode='nearest')"),
]


@pytest.mark.parametrize("make,text", LAYERS, ids=[text.split("(")[0] + str(i)
                                                   for i, (_, text) in enumerate(LAYERS)])
def test_pooling_layers_gradcheck_repr_and_torch(make, text, rng, torch):
    layer = make(nn)
    assert repr(layer) == text == repr(make(torch.nn))
    assert gradcheck(layer, (leaf(_untied_image(rng, 1, 2, 5, 5)),))
    compare_with_torch(torch, layer, make(torch.nn), [rng.standard_normal((2, 3, 5, 5))], rng)


def test_kernels_forced_to_reference_give_the_same_gradients(rng):
    x = _untied_image(rng, 2, 3, 6, 5)

    def run():
        inputs = leaf(x)
        y = F.max_pool2d(F.batch_norm(inputs, None, None, training=True), 2, 1)
        F.interpolate(F.avg_pool2d(y, 2, 1, 1), scale_factor=2).sum().backward()
        return y.detach().numpy(), inputs.grad.numpy()

    fast = run()
    with minidl.kernels.use_backend("reference"):
        slow = run()
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a, b, atol=1e-12)


# -- errors ------------------------------------------------------------------------------
def _image(*shape):
    return minidl.randn(*shape)


BAD_CALLS = [
    (lambda: F.batch_norm(_image(3), None, None, training=True), ValueError,
     r"at least 2 dimensions .* shape \(3,\)"),
    (lambda: F.batch_norm(_image(4, 3), minidl.zeros(4), minidl.ones(3)), ValueError,
     r"running_mean should have shape \(3,\).*\(4, 3\).*got \(4,\)"),
    (lambda: F.batch_norm(_image(4, 3), None, None, minidl.ones(2), training=True), ValueError,
     r"weight should have shape \(3,\)"),
    (lambda: F.batch_norm(_image(1, 3), minidl.zeros(3), minidl.ones(3), training=True),
     ValueError, r"Expected more than 1 value per channel when training, got input size "
                 r"\(1, 3\)"),
    (lambda: F.batch_norm(_image(4, 3), None, None), ValueError,
     r"running_mean and running_var must be given in evaluation mode"),
    (lambda: F.batch_norm(_image(4, 3), minidl.zeros(3), None, training=True), ValueError,
     r"both running_mean and running_var"),
    (lambda: F.batch_norm(_image(4, 3), minidl.zeros(3), minidl.ones(3), training=True,
                          momentum=None), ValueError, r"momentum must be a number"),
    (lambda: F.batch_norm(minidl.zeros(4, 3, dtype=minidl.int64), None, None, training=True),
     TypeError, r"floating point, got int64"),
    (lambda: nn.BatchNorm1d(3)(_image(2, 3, 4, 4)), ValueError,
     r"BatchNorm1d: expected 2D or 3D input \(got 4D input"),
    (lambda: nn.BatchNorm2d(3)(_image(2, 3, 4)), ValueError,
     r"BatchNorm2d: expected 4D input \(got 3D input"),
    (lambda: nn.BatchNorm2d(3)(_image(2, 4, 2, 2)), ValueError,
     r"input has 4 channels .* expects num_features=3"),
    (lambda: nn.BatchNorm2d(0), ValueError, r"num_features must be a positive int"),
    (lambda: F.max_pool2d(_image(1, 1, 6, 6), 3, padding=2), ValueError,
     r"padding \(2, 2\) must be at most half of kernel_size \(3, 3\)"),
    (lambda: F.max_pool2d(_image(1, 1, 2, 2), 3), ValueError,
     r"window spans 3 pixels .* more than the input's height 2 plus padding 0"),
    (lambda: F.avg_pool2d(_image(1, 1, 5, 2), (2, 5), padding=(0, 1)), ValueError,
     r"more than the input's width 2 plus padding 1"),
    (lambda: F.max_pool2d(_image(1, 1, 4, 4), 2, 1, 1, 5), ValueError,
     r"window 0 along the height lies entirely in the padding"),
    (lambda: F.max_pool2d(_image(4, 4), 2), ValueError,
     r"max_pool2d: expected a 3-D \(C, H, W\) or 4-D \(N, C, H, W\) input, got shape \(4, 4\)"),
    (lambda: F.max_pool2d(_image(1, 1, 4, 4), 2.5), TypeError,
     r"kernel_size must be an int or a pair of ints, got 2.5"),
    (lambda: F.max_pool2d(_image(1, 1, 4, 4), 2, stride=0), ValueError,
     r"stride must be positive, got \(0, 0\)"),
    (lambda: F.max_pool2d(_image(1, 1, 4, 4), 2, padding=-1), ValueError,
     r"padding must be non-negative"),
    (lambda: F.max_pool2d(minidl.zeros(1, 1, 4, 4, dtype=minidl.int64), 2), TypeError,
     r"max_pool2d: input must be floating point"),
    (lambda: F.avg_pool2d(_image(1, 1, 4, 4), 2, divisor_override=0), ValueError,
     r"divisor_override must be a non-zero int"),
    (lambda: F.avg_pool2d(_image(1, 1, 1, 4, 4), 2), ValueError,
     r"avg_pool2d: expected a 3-D .* got shape \(1, 1, 1, 4, 4\)"),
    (lambda: F.adaptive_avg_pool2d(_image(1, 1, 4, 4), (0, 2)), ValueError,
     r"output_size must be positive, got \(0, 2\)"),
    (lambda: F.adaptive_avg_pool2d(_image(1, 1, 4, 4), (1, 2, 3)), TypeError,
     r"output_size must be an int or a pair of ints"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), scale_factor=2, mode="trilinear"),
     NotImplementedError, r"mode 'trilinear' is not implemented"),
    (lambda: nn.Upsample(scale_factor=2, mode="trilinear"), NotImplementedError,
     r"Upsample: mode 'trilinear' is not implemented"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), scale_factor=0), ValueError,
     r"scale_factor must be a number > 0, got 0"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), scale_factor=0.1), ValueError,
     r"leaves an output of size \(0, 0\)"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), size=(8, 0)), ValueError,
     r"size must be a positive int or one per spatial dimension, got \(8, 0\)"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), size=8, scale_factor=2), ValueError,
     r"exactly one of size and scale_factor"),
    (lambda: F.interpolate(_image(1, 1, 4, 4)), ValueError,
     r"exactly one of size and scale_factor"),
    (lambda: F.interpolate(_image(1, 1, 1, 4, 4), scale_factor=2), ValueError,
     r"interpolate: mode 'nearest' takes a 3-D \(N, C, L\) or 4-D \(N, C, H, W\) input, "
     r"got shape \(1, 1, 1, 4, 4\)"),
    (lambda: F.interpolate(_image(1, 1, 4, 4), scale_factor=2, align_corners=True), ValueError,
     r"align_corners can only be set with the interpolating modes"),
]


@pytest.mark.parametrize("call,error,match", BAD_CALLS, ids=[m[:40] for _, _, m in BAD_CALLS])
def test_bad_arguments_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
