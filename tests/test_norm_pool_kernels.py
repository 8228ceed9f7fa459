"""The Numba kernels (cpu) equal the NumPy reference kernels for batch norm, pooling and
nearest upsampling, on awkward shapes and settings, in float32 and float64."""
import numpy as np
import pytest

from minidl.kernels import cpu, reference

DTYPES = [np.float32, np.float64]


def assert_close(actual, expected, dtype):
    tolerance = 2e-5 if dtype == np.float32 else 1e-12
    assert actual.dtype == expected.dtype == dtype
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=tolerance, atol=tolerance)


def random(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


# -- batch norm -------------------------------------------------------------------------
BATCH_NORM_SHAPES = [(2, 3), (7, 1), (1, 4, 5), (3, 5, 7), (2, 4, 3, 5), (1, 2, 1, 3)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", BATCH_NORM_SHAPES)
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_train_cpu_matches_reference(shape, dtype, affine, rng):
    x = random(rng, shape, dtype) * 3 + 5  # a large mean tests the two-pass variance
    channels = shape[1]
    weight = random(rng, channels, dtype) if affine else None
    bias = random(rng, channels, dtype) if affine else None
    grad_y = random(rng, shape, dtype)
    fast = cpu.batch_norm_forward_train(x, weight, bias, 1e-5)
    slow = reference.batch_norm_forward_train(x, weight, bias, 1e-5)
    for a, b in zip(fast, slow):
        assert_close(a, b, dtype)
    _, mean, var = slow
    for a, b in zip(cpu.batch_norm_backward_train(grad_y, x, mean, var, weight, 1e-5),
                    reference.batch_norm_backward_train(grad_y, x, mean, var, weight, 1e-5)):
        assert_close(a, b, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", BATCH_NORM_SHAPES)
def test_batch_norm_eval_cpu_matches_reference(shape, dtype, rng):
    x, grad_y = random(rng, shape, dtype), random(rng, shape, dtype)
    channels = shape[1]
    mean = random(rng, channels, dtype)
    var = rng.uniform(0.5, 2.0, channels).astype(dtype)
    weight, bias = random(rng, channels, dtype), random(rng, channels, dtype)
    assert_close(cpu.batch_norm_forward_eval(x, mean, var, weight, bias, 1e-3),
                 reference.batch_norm_forward_eval(x, mean, var, weight, bias, 1e-3), dtype)
    for a, b in zip(cpu.batch_norm_backward_eval(grad_y, x, mean, var, weight, 1e-3),
                    reference.batch_norm_backward_eval(grad_y, x, mean, var, weight, 1e-3)):
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
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,kernel,stride,padding,dilation,ceil_mode", POOL_CASES)
def test_max_pool_cpu_matches_reference(shape, kernel, stride, padding, dilation, ceil_mode,
                                        dtype, rng):
    x = random(rng, shape, dtype)
    y, indices = cpu.max_pool2d_forward(x, kernel, stride, padding, dilation, ceil_mode)
    y_ref, indices_ref = reference.max_pool2d_forward(x, kernel, stride, padding, dilation,
                                                      ceil_mode)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(indices, indices_ref)
    assert indices.dtype == np.int64 and y.dtype == dtype
    grad_y = random(rng, y.shape, dtype)
    window = (kernel, stride, padding, dilation)
    assert_close(cpu.max_pool2d_backward(grad_y, indices, shape, *window),
                 reference.max_pool2d_backward(grad_y, indices_ref, shape, *window), dtype)


def test_max_pool_ties_pick_the_first_and_nan_wins():
    x = np.array([[[[1.0, 3.0, 3.0], [3.0, np.nan, 0.0], [-np.inf, -np.inf, 2.0]]]])
    for kernels in (cpu, reference):
        y, indices = kernels.max_pool2d_forward(x, (2, 2), (1, 1), (0, 0), (1, 1), False)
        np.testing.assert_array_equal(y, [[[[np.nan, np.nan], [np.nan, np.nan]]]])
        np.testing.assert_array_equal(indices, [[[[4, 4], [4, 4]]]])
        column = x[:, :, :, :1]  # 1, 3, -inf (width 1: flat index = row)
        y, indices = kernels.max_pool2d_forward(column, (2, 1), (1, 1), (0, 0), (1, 1), False)
        np.testing.assert_array_equal(indices, [[[[1], [1]]]])
        # a window of -inf reports its first tap inside the input, not one in the padding
        y, indices = kernels.max_pool2d_forward(column[:, :, 2:], (2, 1), (1, 1), (1, 0),
                                                (1, 1), False)
        np.testing.assert_array_equal(y, [[[[-np.inf], [-np.inf]]]])
        np.testing.assert_array_equal(indices, [[[[0], [0]]]])
        y, indices = kernels.max_pool2d_forward(np.full((1, 1, 2, 2), 3.0), (2, 2), (1, 1),
                                                (0, 0), (1, 1), False)
        np.testing.assert_array_equal(indices, [[[[0]]]])  # equal values: the first wins


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,kernel,stride,padding,dilation,ceil_mode", POOL_CASES)
@pytest.mark.parametrize("count_include_pad,divisor_override",
                         [(True, None), (False, None), (True, 5)])
def test_avg_pool_cpu_matches_reference(shape, kernel, stride, padding, dilation, ceil_mode,
                                        count_include_pad, divisor_override, dtype, rng):
    x = random(rng, shape, dtype)
    settings = (kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
    y = cpu.avg_pool2d_forward(x, *settings)
    assert_close(y, reference.avg_pool2d_forward(x, *settings), dtype)
    grad_y = random(rng, y.shape, dtype)
    assert_close(cpu.avg_pool2d_backward(grad_y, shape, *settings),
                 reference.avg_pool2d_backward(grad_y, shape, *settings), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,output_size", [((1, 1, 5, 5), (1, 1)), ((2, 3, 7, 9), (3, 4)),
                                               ((1, 2, 3, 4), (5, 7)), ((2, 1, 8, 6), (8, 3))])
def test_adaptive_avg_pool_cpu_matches_reference(shape, output_size, dtype, rng):
    x = random(rng, shape, dtype)
    y = cpu.adaptive_avg_pool2d_forward(x, output_size)
    assert_close(y, reference.adaptive_avg_pool2d_forward(x, output_size), dtype)
    grad_y = random(rng, y.shape, dtype)
    assert_close(cpu.adaptive_avg_pool2d_backward(grad_y, shape),
                 reference.adaptive_avg_pool2d_backward(grad_y, shape), dtype)


# -- upsampling -------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,scale_h,scale_w", [((1, 1, 3, 3), 1, 1), ((2, 3, 4, 5), 2, 3),
                                                   ((1, 2, 5, 2), 3, 2), ((3, 1, 1, 1), 4, 4)])
def test_upsample_nearest_cpu_matches_reference(shape, scale_h, scale_w, dtype, rng):
    x = random(rng, shape, dtype)
    y = cpu.upsample_nearest2d_forward(x, scale_h, scale_w)
    np.testing.assert_array_equal(y, reference.upsample_nearest2d_forward(x, scale_h, scale_w))
    grad_y = random(rng, y.shape, dtype)
    assert_close(cpu.upsample_nearest2d_backward(grad_y, scale_h, scale_w),
                 reference.upsample_nearest2d_backward(grad_y, scale_h, scale_w), dtype)


def test_kernels_accept_non_contiguous_inputs(rng):
    x = random(rng, (3, 2, 6, 5), np.float64).transpose(1, 0, 3, 2)  # (2, 3, 5, 6) view
    y, indices = cpu.max_pool2d_forward(x, (2, 2), (2, 2), (1, 0), (1, 1), True)
    np.testing.assert_array_equal(
        y, reference.max_pool2d_forward(x, (2, 2), (2, 2), (1, 0), (1, 1), True)[0])
    np.testing.assert_allclose(cpu.batch_norm_forward_train(x, None, None, 1e-5)[0],
                               reference.batch_norm_forward_train(x, None, None, 1e-5)[0])
    np.testing.assert_array_equal(cpu.upsample_nearest2d_forward(x, 2, 2),
                                  reference.upsample_nearest2d_forward(x, 2, 2))
