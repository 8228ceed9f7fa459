"""The fast kernels (cpu, and cuda where there is a GPU) equal the NumPy reference kernels
for batch norm, pooling and nearest upsampling, on awkward shapes and settings, with
non-contiguous inputs, in float32 and float64."""
import numpy as np
import pytest
from helpers import assert_close, random_array

from minidl.kernels import reference

DTYPES = [np.float32, np.float64]


def random(rng, shape, dtype):
    return random_array(rng, shape, dtype)


# -- batch norm -------------------------------------------------------------------------
# the last shape has many (N, H·W) slices per channel (the GPU reduces them in blocks)
BATCH_NORM_SHAPES = [(2, 3), (7, 1), (1, 4, 5), (3, 5, 7), (2, 4, 3, 5), (1, 2, 1, 3),
                     (16, 3, 40, 40)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", BATCH_NORM_SHAPES)
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_train_matches_reference(shape, dtype, affine, rng, kernels):
    x = random(rng, shape, dtype) * 3 + 5  # a large mean tests the two-pass variance
    channels = shape[1]
    weight = random(rng, channels, dtype) if affine else None
    bias = random(rng, channels, dtype) if affine else None
    grad_y = random(rng, shape, dtype)
    fast = kernels.run("batch_norm_forward_train", x, weight, bias, 1e-5)
    slow = reference.batch_norm_forward_train(x, weight, bias, 1e-5)
    for a, b in zip(fast, slow, strict=True):
        assert_close(a, b, dtype)
    _, mean, var = slow
    for a, b in zip(kernels.run("batch_norm_backward_train", grad_y, x, mean, var, weight, 1e-5),
                    reference.batch_norm_backward_train(grad_y, x, mean, var, weight, 1e-5),
                    strict=True):
        assert_close(a, b, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", BATCH_NORM_SHAPES)
def test_batch_norm_eval_matches_reference(shape, dtype, rng, kernels):
    x, grad_y = random(rng, shape, dtype), random(rng, shape, dtype)
    channels = shape[1]
    mean = random(rng, channels, dtype)
    var = rng.uniform(0.5, 2.0, channels).astype(dtype)
    weight, bias = random(rng, channels, dtype), random(rng, channels, dtype)
    assert_close(kernels.run("batch_norm_forward_eval", x, mean, var, weight, bias, 1e-3),
                 reference.batch_norm_forward_eval(x, mean, var, weight, bias, 1e-3), dtype)
    for a, b in zip(kernels.run("batch_norm_backward_eval", grad_y, x, mean, var, weight, 1e-3),
                    reference.batch_norm_backward_eval(grad_y, x, mean, var, weight, 1e-3),
                    strict=True):
        assert_close(a, b, dtype)


# -- pooling ----------------------------------------------------------------------------
# (input shape, kernel, stride, padding, dilation, ceil_mode): batch 1, odd and
# rectangular sizes, strides 1-3, overlapping windows, padding, dilation, ceil_mode.
POOL_CASES = [
    ((1, 1, 5, 5), (2, 2), (2, 2), (0, 0), (1, 1), False),
    ((2, 3, 7, 9), (3, 2), (2, 3), (1, 1), (1, 2), True),
    ((1, 2, 6, 5), (3, 3), (1, 1), (1, 1), (1, 1), False),
    ((2, 2, 8, 7), (3, 3), (2, 2), (1, 1), (2, 2), True),
    ((3, 1, 9, 4), (2, 3), (3, 1), (1, 0), (1, 1), True),
    ((1, 3, 4, 11), (1, 4), (1, 3), (0, 2), (1, 1), False),
    ((2, 1, 10, 10), (4, 4), (3, 3), (2, 1), (1, 2), True),
    ((1, 2, 2, 2), (3, 3), (2, 2), (0, 0), (1, 1), True),  # the window hangs off the input
    ((2, 3, 7, 9), (2, 2), (2, 2), (0, 0), (1, 1), False),  # 2x2/2: the unrolled loop
    ((2, 2, 7, 9), (2, 2), (2, 2), (0, 0), (1, 1), True),   # ... not when windows hang off
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,kernel,stride,padding,dilation,ceil_mode", POOL_CASES)
def test_max_pool_matches_reference(shape, kernel, stride, padding, dilation, ceil_mode,
                                    dtype, rng, kernels):
    x = random(rng, shape, dtype)
    y, indices = kernels.run("max_pool2d_forward", x, kernel, stride, padding, dilation,
                             ceil_mode)
    y_ref, indices_ref = reference.max_pool2d_forward(x, kernel, stride, padding, dilation,
                                                      ceil_mode)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(indices, indices_ref)
    assert indices.dtype == np.int64 and y.dtype == dtype
    grad_y = random(rng, y.shape, dtype)
    window = (kernel, stride, padding, dilation)
    assert_close(kernels.run("max_pool2d_backward", grad_y, indices, shape, *window),
                 reference.max_pool2d_backward(grad_y, indices_ref, shape, *window), dtype)


def test_max_pool_ties_pick_the_first_and_nan_wins(kernels):
    x = np.array([[[[1.0, 3.0, 3.0], [3.0, np.nan, 0.0], [-np.inf, -np.inf, 2.0]]]])
    for run in (kernels.run, lambda name, *args: getattr(reference, name)(*args)):
        y, indices = run("max_pool2d_forward", x, (2, 2), (1, 1), (0, 0), (1, 1), False)
        np.testing.assert_array_equal(y, [[[[np.nan, np.nan], [np.nan, np.nan]]]])
        np.testing.assert_array_equal(indices, [[[[4, 4], [4, 4]]]])
        column = x[:, :, :, :1]  # 1, 3, -inf (width 1: flat index = row)
        y, indices = run("max_pool2d_forward", column, (2, 1), (1, 1), (0, 0), (1, 1), False)
        np.testing.assert_array_equal(indices, [[[[1], [1]]]])
        # a window of -inf reports its first tap inside the input, not one in the padding
        y, indices = run("max_pool2d_forward", column[:, :, 2:], (2, 1), (1, 1), (1, 0),
                         (1, 1), False)
        np.testing.assert_array_equal(y, [[[[-np.inf], [-np.inf]]]])
        np.testing.assert_array_equal(indices, [[[[0], [0]]]])
        y, indices = run("max_pool2d_forward", np.full((1, 1, 2, 2), 3.0), (2, 2), (1, 1),
                         (0, 0), (1, 1), False)
        np.testing.assert_array_equal(indices, [[[[0]]]])  # equal values: the first wins
        # the same rules in 2x2 windows of stride 2 (a loop of their own on the CPU)
        windows = np.array([[[[1.0, 3.0, 2.0, np.nan], [3.0, 0.0, np.nan, 5.0],
                              [-np.inf, -np.inf, 4.0, 4.0], [-np.inf, -np.inf, 4.0, 4.0]]]])
        y, indices = run("max_pool2d_forward", windows, (2, 2), (2, 2), (0, 0), (1, 1), False)
        np.testing.assert_array_equal(y, [[[[3.0, np.nan], [-np.inf, 4.0]]]])
        np.testing.assert_array_equal(indices, [[[[1, 6], [8, 10]]]])


def test_max_pool_gradient_of_a_maximum_shared_by_many_windows(kernels, rng):
    x = random(rng, (1, 2, 7, 6), np.float64)
    x[0, 0, 3, 2] = 10.0                   # the maximum of nine overlapping windows
    window = ((3, 3), (1, 1), (1, 1), (1, 1))
    _, indices = reference.max_pool2d_forward(x, *window, False)
    grad_y = random(rng, indices.shape, np.float64)
    assert_close(kernels.run("max_pool2d_backward", grad_y, indices, x.shape, *window),
                 reference.max_pool2d_backward(grad_y, indices, x.shape, *window), np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,kernel,stride,padding,dilation,ceil_mode", POOL_CASES)
@pytest.mark.parametrize("count_include_pad,divisor_override",
                         [(True, None), (False, None), (True, 5)])
def test_avg_pool_matches_reference(shape, kernel, stride, padding, dilation, ceil_mode,
                                    count_include_pad, divisor_override, dtype, rng, kernels):
    x = random(rng, shape, dtype)
    settings = (kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
    y = kernels.run("avg_pool2d_forward", x, *settings)
    assert_close(y, reference.avg_pool2d_forward(x, *settings), dtype)
    grad_y = random(rng, y.shape, dtype)
    assert_close(kernels.run("avg_pool2d_backward", grad_y, shape, *settings),
                 reference.avg_pool2d_backward(grad_y, shape, *settings), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,output_size", [((1, 1, 5, 5), (1, 1)), ((2, 3, 7, 9), (3, 4)),
                                               ((1, 2, 3, 4), (5, 7)), ((2, 1, 8, 6), (8, 3))])
def test_adaptive_avg_pool_matches_reference(shape, output_size, dtype, rng, kernels):
    x = random(rng, shape, dtype)
    y = kernels.run("adaptive_avg_pool2d_forward", x, output_size)
    assert_close(y, reference.adaptive_avg_pool2d_forward(x, output_size), dtype)
    grad_y = random(rng, y.shape, dtype)
    assert_close(kernels.run("adaptive_avg_pool2d_backward", grad_y, shape),
                 reference.adaptive_avg_pool2d_backward(grad_y, shape), dtype)


# -- upsampling -------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,scale_h,scale_w", [((1, 1, 3, 3), 1, 1), ((2, 3, 4, 5), 2, 3),
                                                   ((1, 2, 5, 2), 3, 2), ((3, 1, 1, 1), 4, 4)])
def test_upsample_nearest_matches_reference(shape, scale_h, scale_w, dtype, rng, kernels):
    x = random(rng, shape, dtype)
    y = kernels.run("upsample_nearest2d_forward", x, scale_h, scale_w)
    assert y.dtype == dtype
    np.testing.assert_array_equal(y, reference.upsample_nearest2d_forward(x, scale_h, scale_w))
    grad_y = random(rng, y.shape, dtype)
    assert_close(kernels.run("upsample_nearest2d_backward", grad_y, scale_h, scale_w),
                 reference.upsample_nearest2d_backward(grad_y, scale_h, scale_w), dtype)


def test_kernels_accept_transposed_views(rng, kernels):
    """Besides the strided views of every case above: a transposed (N, C) layout."""
    x = random(rng, (3, 2, 6, 5), np.float64).transpose(1, 0, 3, 2)  # (2, 3, 5, 6) view
    for name, args in [("max_pool2d_forward", ((2, 2), (2, 2), (1, 0), (1, 1), True)),
                       ("batch_norm_forward_train", (None, None, 1e-5)),
                       ("upsample_nearest2d_forward", (2, 2))]:
        for a, b in zip(kernels.run(name, x, *args), getattr(reference, name)(x, *args)):
            assert_close(a, b)
