"""Winograd convolutions: the derived matrices, the reference lesson and the fast cpu kernel
against the im2col reference, PyTorch and float64 gradient checks; when conv2d uses them."""
import numpy as np
import pytest
from helpers import leaf
from test_conv_kernels import assert_close  # the GEMM kernels' tolerance

import minidl
import minidl.nn.functional as F
from minidl.kernels.cpu import conv as cpu_conv
from minidl.kernels.cpu import winograd as cpu
from minidl.kernels.reference import conv as reference
from minidl.kernels.reference import winograd

# (N, C_in, H, W, C_out, padding): odd sizes, batch 1, one channel, every padding up to 2
SHAPES = [
    (1, 1, 5, 5, 1, (1, 1)),
    (2, 3, 7, 9, 4, (1, 1)),          # outputs not a multiple of the tile
    (2, 4, 8, 8, 6, (1, 1)),          # outputs a multiple of both tiles
    (1, 2, 5, 6, 3, (0, 2)),
    (3, 5, 6, 4, 2, (2, 0)),
    (1, 3, 3, 3, 2, (0, 0)),          # one output pixel
]


def arrays(shape, dtype, rng):
    n, c_in, h, w, c_out, padding = shape
    x = rng.standard_normal((n, c_in, h, w)).astype(dtype)
    weight = rng.standard_normal((c_out, c_in, 3, 3)).astype(dtype)
    bias = rng.standard_normal(c_out).astype(dtype)
    oh, ow = h + 2 * padding[0] - 2, w + 2 * padding[1] - 2
    grad_out = rng.standard_normal((n, c_out, oh, ow)).astype(dtype)
    return x, weight, bias, grad_out


def reference_results(x, weight, bias, grad_out, padding):
    options = ((1, 1), padding, (1, 1), 1)
    return (reference.conv2d_forward(x, weight, bias, *options),
            reference.conv2d_backward_input(grad_out, weight, x.shape[2:], *options),
            reference.conv2d_backward_weight(x, grad_out, (3, 3), *options))


# -- the matrices ---------------------------------------------------------------------------

def test_f2_matrices_are_lavin_and_grays():
    a_t, g, b_t = winograd.winograd_matrices(2, 3)
    np.testing.assert_array_equal(a_t, [[1, 1, 1, 0], [0, 1, -1, 1]])
    np.testing.assert_array_equal(g, [[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]])
    np.testing.assert_array_equal(b_t, [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0],
                                        [0, -1, 0, 1]])


@pytest.mark.parametrize("m, r, points", [(2, 3, None), (4, 3, None),
                                          (4, 3, (0, 1, -1, 2, -2)),
                                          (3, 2, (0, 1, -1)), (2, 2, (0, 1))])
def test_one_dimensional_identity(m, r, points, rng):
    """y = Aᵀ [(G g) ⊙ (Bᵀ d)] is the correlation y_i = Σ_k g_k d_{i+k}, for any points."""
    a_t, g, b_t = winograd.winograd_matrices(m, r, points)
    assert a_t.shape == (m, m + r - 1) and g.shape == (m + r - 1, r)
    d, taps = rng.standard_normal(m + r - 1), rng.standard_normal(r)
    expected = [taps @ d[i:i + r] for i in range(m)]
    np.testing.assert_allclose(a_t @ ((g @ taps) * (b_t @ d)), expected, atol=1e-12)


def test_points_must_be_distinct_and_enough():
    with pytest.raises(ValueError, match="F\\(4, 3\\) needs 5 distinct finite points"):
        winograd.winograd_matrices(4, 3, (0, 1, 1, 2, -2))


# -- reference lesson and cpu kernel against the im2col reference --------------------------

@pytest.mark.parametrize("m", [2, 4])
@pytest.mark.parametrize("shape", SHAPES)
def test_reference_winograd_matches_im2col(shape, m, rng):
    x, weight, bias, grad_out = arrays(shape, np.float64, rng)
    padding = shape[-1]
    expected = reference_results(x, weight, bias, grad_out, padding)
    results = (winograd.winograd_conv2d_forward(x, weight, bias, padding, m),
               winograd.winograd_conv2d_backward_input(grad_out, weight, x.shape[2:],
                                                        padding, m),
               winograd.winograd_conv2d_backward_weight(x, grad_out, (3, 3), padding, m))
    for actual, wanted in zip(results, expected):
        assert_close(actual, wanted, np.float64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("m", [2, 4])
@pytest.mark.parametrize("shape", SHAPES)
def test_cpu_winograd_matches_im2col(shape, m, dtype, rng):
    x, weight, bias, grad_out = arrays(shape, dtype, rng)
    padding = shape[-1]
    expected = reference_results(x, weight, bias, grad_out, padding)
    results = (cpu.winograd_forward(x, weight, bias, padding, m),
               cpu.winograd_backward_input(grad_out, weight, padding, m),
               cpu.winograd_backward_weight(x, grad_out, 3, padding, m))
    for actual, wanted in zip(results, expected):
        assert_close(actual, wanted, dtype)
    # a transposed convolution's forward pass: the input gradient with a bias of C_in
    transposed_bias = rng.standard_normal(x.shape[1]).astype(dtype)
    assert_close(cpu.winograd_backward_input(grad_out, weight, padding, m, transposed_bias),
                 expected[1] + transposed_bias.reshape(1, -1, 1, 1), dtype)


@pytest.mark.parametrize("m", [2, 4])
def test_chunks_that_cut_images_into_bands_and_many_workers(m, rng, monkeypatch):
    """Tiny chunks (bands of tile rows, one image cut several times) spread over three
    workers give the same results, the same at every run."""
    shape = (3, 2, 13, 10, 3, (1, 1))
    x, weight, bias, grad_out = arrays(shape, np.float64, rng)
    expected = reference_results(x, weight, bias, grad_out, (1, 1))
    monkeypatch.setattr(cpu, "CHUNK_BUDGET", 1)
    monkeypatch.setattr(cpu, "worker_count", lambda: 3)
    plan = cpu.plan_winograd(m, 3, 3, (13, 10), 2, 3, 3)
    assert len(plan.chunks) > 3 and any(i0 > 0 for _, _, i0, _ in plan.chunks)
    first = cpu.winograd_backward_weight(x, grad_out, 3, (1, 1), m)
    assert_close(cpu.winograd_forward(x, weight, bias, (1, 1), m), expected[0], np.float64)
    assert_close(cpu.winograd_backward_input(grad_out, weight, (1, 1), m), expected[1],
                 np.float64)
    assert_close(first, expected[2], np.float64)
    assert np.array_equal(first, cpu.winograd_backward_weight(x, grad_out, 3, (1, 1), m))


def test_non_contiguous_inputs(rng):
    x, weight, bias, grad_out = arrays((2, 3, 8, 9, 4, (1, 1)), np.float64, rng)
    expected = reference_results(x, weight, bias, grad_out, (1, 1))
    x_t = np.asfortranarray(x)
    w_t = np.ascontiguousarray(weight.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)
    g_t = grad_out[:, ::-1][:, ::-1]
    assert_close(cpu.winograd_forward(x_t, w_t, bias, (1, 1), 4), expected[0], np.float64)
    assert_close(cpu.winograd_backward_input(g_t, w_t, (1, 1), 4), expected[1], np.float64)
    assert_close(cpu.winograd_backward_weight(x_t, g_t, 3, (1, 1), 4), expected[2],
                 np.float64)


@pytest.mark.parametrize("m", [2, 4])
def test_float32_error_at_many_channels(m, rng):
    """With 512 input channels (a fan-in of 4608), F(4×4)'s float32 error stays within the
    GEMM kernels' tolerance, 2e-5 of the largest output; F(2×2)'s is several times
    smaller."""
    x = rng.standard_normal((2, 512, 8, 8))
    weight = rng.standard_normal((8, 512, 3, 3)) / np.sqrt(9 * 512)
    exact = reference.conv2d_forward(x, weight, None, (1, 1), (1, 1), (1, 1), 1)
    result = cpu.winograd_forward(x.astype(np.float32), weight.astype(np.float32), None,
                                  (1, 1), m)
    error = np.abs(result - exact).max() / np.abs(exact).max()
    assert error < (2e-5 if m == 4 else 5e-6)


# -- conv2d's choice, and the whole path through nn.functional ------------------------------

@pytest.mark.parametrize("options, expected", [
    (((3, 3), (1, 1), (1, 1), (1, 1), 1, 64, 64, (16, 16)), 4),
    (((3, 3), (1, 1), (1, 1), (1, 1), 1, 64, 32, (128, 128)), 4),
    (((3, 3), (1, 1), (1, 1), (1, 1), 1, 512, 512, (8, 8)), 2),
    (((3, 3), (1, 1), (1, 1), (1, 1), 1, 4096, 64, (16, 16)), 2),     # beyond F4's range
    (((3, 3), (1, 1), (1, 1), (1, 1), 1, 32, 64, (14, 14)), None),
    (((3, 3), (2, 2), (1, 1), (1, 1), 1, 512, 512, (8, 8)), None),       # stride 2
    (((3, 3), (1, 1), (1, 1), (2, 2), 1, 512, 512, (8, 8)), None),       # dilation 2
    (((3, 3), (1, 1), (1, 1), (1, 1), 2, 512, 512, (8, 8)), None),       # groups
    (((3, 3), (1, 1), (3, 3), (1, 1), 1, 512, 512, (8, 8)), None),       # padding 3
    (((1, 1), (1, 1), (0, 0), (1, 1), 1, 512, 512, (8, 8)), None),       # 1x1
    (((3, 2), (1, 1), (1, 1), (1, 1), 1, 512, 512, (8, 8)), None),       # 3x2
])
def test_which_convolutions_use_winograd(options, expected):
    assert cpu.winograd_tile(*options) == expected


def force_winograd(monkeypatch, m):
    """Every 3×3 stride-1 convolution conv2d's cpu kernels see runs through F(m×m)."""
    def tile(kernel_hw, stride, padding, dilation, groups, *sizes):
        ok = (tuple(kernel_hw) == (3, 3) and tuple(stride) == (1, 1) and groups == 1
              and tuple(dilation) == (1, 1) and max(padding) <= 2)
        return m if ok else None
    monkeypatch.setattr(cpu_conv, "winograd_tile", tile)


@pytest.mark.parametrize("m", [2, 4])
def test_gradcheck_through_winograd(m, rng, monkeypatch):
    force_winograd(monkeypatch, m)
    x, w, b = leaf(rng.standard_normal((1, 2, 5, 6))), leaf(rng.standard_normal(
        (3, 2, 3, 3))), leaf(rng.standard_normal(3))
    assert minidl.gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding=1), (x, w, b))
    assert minidl.gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding=(0, 2)), (x, w, b))
    wt = leaf(rng.standard_normal((2, 3, 3, 3)))     # a stride-1 transposed convolution
    assert minidl.gradcheck(lambda x, w: F.conv_transpose2d(x, w, padding=1), (x, wt))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_winograd_layer_matches_torch(dtype, torch, rng):
    """A 64-channel 16x16 layer (conv2d picks F(4×4)): forward and both gradients."""
    assert cpu.winograd_tile((3, 3), (1, 1), (1, 1), (1, 1), 1, 64, 64, (16, 16)) == 4
    x = rng.standard_normal((2, 64, 16, 16)).astype(dtype)
    w = (rng.standard_normal((64, 64, 3, 3)) / 24).astype(dtype)
    b = rng.standard_normal(64).astype(dtype)
    mine = [minidl.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = F.conv2d(*mine, padding=1)
    ty = torch.nn.functional.conv2d(*theirs, padding=1)
    tolerance = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10,
                                                                              atol=1e-10)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), **tolerance)
    grad = rng.standard_normal(y.shape).astype(dtype)
    y.backward(minidl.tensor(grad))
    ty.backward(torch.tensor(grad))
    for a, ta in zip(mine, theirs):
        scale = max(1.0, float(ta.grad.abs().max()))
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=0,
                                   atol=tolerance["atol"] * scale)
