"""The fast convolution kernels (cpu, and cuda where there is a GPU) agree with the
readable reference ones.

Each configuration runs the three kernels (forward, input gradient, weight gradient) of
every backend and of the reference on the same random arrays, non-contiguous views as in
real use, in float64 and float32.
"""
import importlib

import numpy as np
import pytest
from helpers import KernelBackend, assert_close, random_array

from minidl.kernels.cpu import conv as cpu
from minidl.kernels.cpu import im2col, tiles
from minidl.kernels.cpu.workers import even_ranges, split_evenly
from minidl.kernels.geometry import conv_output_size, conv_transpose_output_size
from minidl.kernels.reference import conv as reference

# (N, C_in, H, W, C_out, (KH, KW), stride, padding, dilation, groups)
CONFIGS = [
    (1, 1, 5, 5, 1, (3, 3), (1, 1), (0, 0), (1, 1), 1),        # batch 1, one channel
    (2, 3, 7, 9, 4, (3, 2), (1, 2), (1, 0), (1, 2), 1),        # rectangular everything
    (1, 4, 8, 8, 6, (3, 3), (2, 2), (1, 1), (1, 1), 2),        # groups
    (3, 6, 5, 6, 6, (1, 1), (1, 1), (0, 0), (1, 1), 3),        # pointwise, depthwise-ish
    (2, 4, 6, 5, 4, (1, 1), (2, 1), (1, 0), (1, 1), 1),        # 1x1 but strided and padded
    (2, 2, 9, 7, 2, (4, 4), (3, 2), (2, 1), (2, 1), 1),        # stride 3, dilation 2
    (1, 4, 11, 4, 8, (2, 3), (3, 3), (0, 2), (3, 1), 4),       # depthwise x2, odd sizes
    (5, 3, 4, 4, 5, (4, 4), (2, 2), (1, 1), (1, 1), 1),        # a GAN 4x4/2 layer
    (2, 2, 3, 3, 3, (5, 5), (1, 1), (2, 2), (1, 1), 1),        # kernel larger than image
    # "aligned": stride 1 and OW = W, where whole images are copied as one block
    (2, 3, 6, 7, 4, (3, 3), (1, 1), (1, 1), (1, 1), 1),
    (1, 2, 5, 8, 2, (3, 5), (1, 1), (2, 4), (2, 2), 2),
    (2, 2, 7, 6, 3, (2, 3), (1, 1), (0, 1), (1, 1), 1),        # OH != H
    # and OW = ⌈W / stride⌉ with a stride: block copies from the input's stride phases
    (2, 3, 5, 7, 4, (3, 3), (2, 2), (1, 1), (1, 1), 1),        # odd sizes
    (1, 2, 7, 6, 3, (3, 3), (2, 1), (1, 1), (1, 1), 1),        # strided rows only
    (1, 2, 9, 8, 2, (3, 3), (2, 2), (2, 2), (2, 2), 2),        # dilation and groups
    (2, 2, 9, 9, 2, (2, 2), (3, 3), (0, 0), (1, 1), 1),        # stride 3
]


def random_config(rng):
    groups = int(rng.integers(1, 4))
    kernel = tuple(int(k) for k in rng.integers(1, 5, size=2))
    stride = tuple(int(s) for s in rng.integers(1, 4, size=2))
    dilation = tuple(int(d) for d in rng.integers(1, 3, size=2))
    padding = tuple(int(rng.integers(0, k + 1)) for k in kernel)
    size = tuple(d * (k - 1) + 1 + int(rng.integers(0, 7)) for k, d in zip(kernel, dilation))
    return (int(rng.integers(1, 4)), groups * int(rng.integers(1, 3)), *size,
            groups * int(rng.integers(1, 3)), kernel, stride, padding, dilation, groups)


RANDOM_CONFIGS = [random_config(np.random.default_rng(seed)) for seed in range(12)]


def arrays(config, dtype, rng):
    """x, weight, bias and an output gradient for ``config`` (non-contiguous views)."""
    n, c_in, h, w, c_out, kernel, stride, padding, dilation, groups = config
    x = random_array(rng, (n, c_in, h, w), dtype)
    weight = random_array(rng, (c_out, c_in // groups, *kernel), dtype)
    bias = random_array(rng, (c_out,), dtype)
    oh, ow = (conv_output_size(size, k, s, p, d)
              for size, k, s, p, d in zip((h, w), kernel, stride, padding, dilation))
    grad_out = random_array(rng, (n, c_out, oh, ow), dtype)
    return x, weight, bias, grad_out


def compare_all_kernels(config, dtype, rng, kernels, with_bias=True):
    """The three kernels of backend ``kernels`` equal the reference's on ``config``."""
    n, c_in, h, w, c_out, kernel, stride, padding, dilation, groups = config
    x, weight, bias, grad_out = arrays(config, dtype, rng)
    bias = bias if with_bias else None
    options = (stride, padding, dilation, groups)
    assert_close(kernels.run("conv2d_forward", x, weight, bias, *options),
                 reference.conv2d_forward(x, weight, bias, *options), dtype)
    assert_close(kernels.run("conv2d_backward_input", grad_out, weight, (h, w), *options),
                 reference.conv2d_backward_input(grad_out, weight, (h, w), *options), dtype)
    assert_close(kernels.run("conv2d_backward_weight", x, grad_out, kernel, *options),
                 reference.conv2d_backward_weight(x, grad_out, kernel, *options), dtype)
    assert_close(kernels.run("conv2d_backward_bias", grad_out),
                 reference.conv2d_backward_bias(grad_out), dtype)


def compare_transposed_forward(config, dtype, rng, kernels):
    """conv_transpose2d_forward of backend ``kernels`` (the input gradient's routes, with a
    bias of C_in) equals the reference's on ``config``."""
    n, c_in, h, w, c_out, kernel, stride, padding, dilation, groups = config
    _, weight, _, grad_out = arrays(config, dtype, rng)
    bias = rng.standard_normal(c_in).astype(dtype)
    options = (stride, padding, dilation, groups)
    assert_close(kernels.run("conv_transpose2d_forward", grad_out, weight, bias, (h, w),
                             *options),
                 reference.conv_transpose2d_forward(grad_out, weight, bias, (h, w),
                                                    *options), dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (3, 5, 7, 2), (2, 3, 0, 4), (0, 3, 4, 4),
                                   (4, 6, 33, 17)])
@pytest.mark.parametrize("layout", ["contiguous", "channel slice", "split"])
def test_bias_gradient_kernel_matches_reference(shape, layout, dtype, rng, kernels,
                                                monkeypatch):
    """Σ over the batch and the positions of each channel: odd and empty shapes, a channel
    slice of a larger gradient (as a concatenation's backward hands it), and the planes
    shared out between the workers however few."""
    from minidl.kernels.cpu import workers

    grad_out = rng.standard_normal(shape).astype(dtype)
    if layout == "channel slice":
        grad_out = rng.standard_normal((shape[0], shape[1] + 3, *shape[2:])).astype(dtype)
        grad_out = grad_out[:, 1:shape[1] + 1]
    if layout == "split":
        monkeypatch.setattr(workers, "PARALLEL_MIN_WORK", 1)
    got = kernels.run("conv2d_backward_bias", grad_out)
    assert got.shape == (shape[1],) and got.dtype == dtype
    assert_close(got, reference.conv2d_backward_bias(grad_out), dtype)


@pytest.fixture(params=["copies", "gathers"])
def column_mover(request, monkeypatch):
    """How the CPU kernels move columns: block copies or row loops ("copies": never
    gather), or gathers through tap offsets for every output size ("gathers")."""
    monkeypatch.setattr(im2col, "GATHER_MAX_OUTPUTS", -1 if request.param == "copies"
                        else 1 << 40)
    return request.param


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("config", CONFIGS + RANDOM_CONFIGS)
def test_kernels_match_reference(config, dtype, rng, kernels, column_mover):
    compare_all_kernels(config, dtype, rng, kernels)
    compare_transposed_forward(config, dtype, rng, kernels)


def test_forward_without_bias(rng, kernels):
    compare_all_kernels(CONFIGS[1], np.float64, rng, kernels, with_bias=False)


@pytest.mark.parametrize("config", [CONFIGS[1], CONFIGS[3], CONFIGS[5], CONFIGS[7], CONFIGS[9],
                                    CONFIGS[10], CONFIGS[11], CONFIGS[12], CONFIGS[15],
                                    RANDOM_CONFIGS[0]])
def test_tiles_that_split_images(config, rng, monkeypatch, column_mover):
    """Tiny tiles split each image into several slices (rows cut in the middle)."""
    monkeypatch.setattr(tiles, "TILE_BUDGET", 7)
    monkeypatch.setattr(tiles, "MIN_TILE_WIDTH", 5)
    compare_all_kernels(config, np.float64, rng, KernelBackend("cpu"))


def test_tiles_of_many_samples(rng, monkeypatch):
    """A batch whose tiles hold several whole images, the last tile fewer."""
    monkeypatch.setattr(tiles, "MIN_TILE_WIDTH", 3 * 5 * 4)
    compare_all_kernels((7, 2, 6, 9, 3, (2, 3), (1, 2), (0, 1), (1, 1), 1), np.float64, rng,
                        KernelBackend("cpu"))


def test_cuda_columns_in_chunks_of_one_image(rng, cuda, monkeypatch):
    """A column budget below one image's columns: every image is its own chunk."""
    monkeypatch.setattr(importlib.import_module("minidl.kernels.cuda.conv"), "COLUMN_BUDGET", 1)
    compare_all_kernels((3, 4, 7, 6, 4, (3, 3), (2, 1), (1, 1), (1, 2), 2), np.float64, rng,
                        KernelBackend(cuda))


@pytest.mark.parametrize("output_padding", [(1, 0), (0, 2)])
def test_input_gradient_for_a_larger_input(output_padding, rng, kernels):
    """conv_transpose2d's output_padding asks for an input larger than the windows cover."""
    kernel, stride, padding, dilation = (3, 3), (2, 3), (1, 0), (1, 1)
    grad_out = random_array(rng, (2, 4, 3, 4))
    weight = random_array(rng, (4, 3, *kernel))
    hw = tuple(conv_transpose_output_size(size, k, s, p, d, o) for size, k, s, p, d, o in
               zip((3, 4), kernel, stride, padding, dilation, output_padding))
    options = (stride, padding, dilation, 1)
    expected = reference.conv2d_backward_input(grad_out, weight, hw, *options)
    assert expected.shape == (2, 3, *hw)
    assert_close(kernels.run("conv2d_backward_input", grad_out, weight, hw, *options),
                 expected, np.float64)


def test_weight_gradient_with_fewer_positions_than_windows(rng, kernels):
    """With output_padding >= stride (allowed below the dilation), the transposed conv's
    output has trailing rows that no input reaches: x has more windows than grad_out."""
    x = random_array(rng, (2, 3, 9, 8))
    grad_out = random_array(rng, (2, 4, 3, 3))
    options = ((2, 2), (0, 0), (2, 2), 1)
    assert_close(kernels.run("conv2d_backward_weight", x, grad_out, (2, 2), *options),
                 reference.conv2d_backward_weight(x, grad_out, (2, 2), *options), np.float64)


def test_reference_forward_by_the_definition(rng):
    """The reference itself against the formula written as four nested loops."""
    x, weight, bias, _ = arrays(CONFIGS[6], np.float64, rng)
    n, c_in, h, w, c_out, (kh, kw), (sh, sw), (ph, pw), (dh, dw), groups = CONFIGS[6]
    out = reference.conv2d_forward(x, weight, bias, (sh, sw), (ph, pw), (dh, dw), groups)
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    c_group, o_group = c_in // groups, c_out // groups
    expected = np.empty_like(out)
    for b in range(n):
        for o in range(c_out):
            channels = slice(o // o_group * c_group, (o // o_group + 1) * c_group)
            for i in range(out.shape[2]):
                for j in range(out.shape[3]):
                    window = xpad[b, channels, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                                  j * sw:j * sw + dw * (kw - 1) + 1:dw]
                    expected[b, o, i, j] = bias[o] + np.sum(window * weight[o])
    assert_close(out, expected, np.float64)


def test_gradients_are_adjoint_to_the_forward(rng):
    """<conv(x), gy> = <x, backward_input(gy)> = <weight, backward_weight(x, gy)>."""
    x, weight, _, grad_out = arrays(CONFIGS[5], np.float64, rng)
    options = CONFIGS[5][6:]
    y = reference.conv2d_forward(x, weight, None, *options)
    gx = reference.conv2d_backward_input(grad_out, weight, x.shape[2:], *options)
    gw = reference.conv2d_backward_weight(x, grad_out, weight.shape[2:], *options)
    inner = np.sum(y * grad_out)
    assert np.isclose(np.sum(x * gx), inner, rtol=1e-12)
    assert np.isclose(np.sum(weight * gw), inner, rtol=1e-12)


def test_split_evenly_keeps_order_and_balance():
    assert split_evenly(list(range(7)), 3) == [[0, 1], [2, 3], [4, 5, 6]]
    assert split_evenly([1, 2], 5) == [[1], [2]]
    assert split_evenly([], 2) == [[]]
    assert even_ranges(7, 3) == [(0, 2), (2, 4), (4, 7)]
    assert even_ranges(2, 3) == [(0, 0), (0, 1), (1, 2)]     # as many ranges as asked


@pytest.mark.parametrize("config", [CONFIGS[7], CONFIGS[9], CONFIGS[13]])
def test_one_worker_and_two_workers_agree(config, rng, monkeypatch, column_mover):
    """Tiles spread over workers give the results of one worker, and the same results
    at every run (the workers' partial weight gradients are added in a fixed order)."""
    monkeypatch.setattr(tiles, "TILE_BUDGET", 40)
    monkeypatch.setattr(tiles, "MIN_TILE_WIDTH", 4)
    monkeypatch.setattr(cpu, "MIN_WEIGHT_TILE_WIDTH", 4)
    x, weight, bias, grad_out = arrays(config, np.float64, rng)
    options = config[6:]

    def run_all():
        return (cpu.conv2d_forward(x, weight, bias, *options),
                cpu.conv2d_backward_input(grad_out, weight, x.shape[2:], *options),
                cpu.conv2d_backward_weight(x, grad_out, weight.shape[2:], *options))

    monkeypatch.setattr(cpu, "worker_count", lambda: 1)
    single = run_all()
    monkeypatch.setattr(cpu, "worker_count", lambda: 3)
    first, second = run_all(), run_all()
    for a, b, c in zip(single, first, second):
        assert_close(b, a, np.float64)
        assert np.array_equal(b, c)


@pytest.mark.parametrize("transposed_below", [0, 1 << 20])
@pytest.mark.parametrize("config", [(7, 2, 6, 9, 3, (2, 3), (1, 2), (0, 1), (1, 1), 1),
                                    (5, 4, 7, 7, 6, (3, 3), (1, 1), (1, 1), (1, 1), 2),
                                    (5, 3, 9, 8, 4, (4, 4), (2, 2), (1, 1), (1, 1), 1)])
def test_weight_gradient_one_product_per_image(config, transposed_below, rng, monkeypatch):
    """Tiles of several images, each wide enough for a product of its own: the weight
    gradient takes one product per image straight from gy (both orientations of the sum,
    groups, a last tile with fewer images)."""
    n, c_in, h, w, c_out, kernel, stride, padding, dilation, groups = config
    oh, ow = (conv_output_size(size, k, s, p, d)
              for size, k, s, p, d in zip((h, w), kernel, stride, padding, dilation))
    monkeypatch.setattr(tiles, "MIN_TILE_WIDTH", 4)
    monkeypatch.setattr(cpu, "MIN_WEIGHT_TILE_WIDTH", 2 * oh * ow + 1)    # two images a tile
    monkeypatch.setattr(cpu, "TRANSPOSED_WEIGHT_SUM_BELOW", transposed_below)
    monkeypatch.setattr(cpu, "worker_count", lambda: 2)    # the same tiles on any machine
    plan = cpu._plan(cpu.ConvGeometry((h, w), kernel, stride, padding, dilation, (oh, ow)), n,
                     c_in * kernel[0] * kernel[1], c_out, cpu.worker_count(),
                     cpu.MIN_WEIGHT_TILE_WIDTH)
    assert 1 < plan.most_images < n and not plan.side_by_side
    x, _, _, grad_out = arrays(config, np.float64, rng)
    options = (stride, padding, dilation, groups)
    assert_close(cpu.conv2d_backward_weight(x, grad_out, kernel, *options),
                 reference.conv2d_backward_weight(x, grad_out, kernel, *options), np.float64)


@pytest.mark.parametrize("workers, tiles_planned", [(1, 1), (2, 2), (4, 4), (8, 4)])
def test_weight_tiles_are_shared_out_when_too_few_columns_for_each_worker(workers,
                                                                         tiles_planned):
    """16 images of 8x8 outputs (1024 columns, under ``MIN_WEIGHT_TILE_WIDTH`` a worker):
    the columns are shared out between the workers, in tiles of whole images no narrower
    than ``MIN_TILE_WIDTH``, rather than left to one."""
    plan = tiles.plan_tiles(16, 64, 512 * 9, 512, workers, cpu.MIN_WEIGHT_TILE_WIDTH)
    assert len(plan.tiles) == tiles_planned
    assert [tile[:2] for tile in plan.tiles] == [
        (n0, n0 + 16 // tiles_planned) for n0 in range(0, 16, 16 // tiles_planned)]


@pytest.mark.parametrize("hw, stride", [((7, 9), (2, 2)), ((8, 6), (2, 3)), ((2, 5), (3, 2))])
def test_split_phases_zeroes_only_past_the_edge(hw, stride, rng):
    """Each stride phase holds its pixels and zeros past the image's edge, whatever the
    buffer held before."""
    from minidl.kernels.cpu.im2col import split_phases
    x = rng.standard_normal((3, 2, *hw))
    hp, wp = (-(-size // s) for size, s in zip(hw, stride))
    phases = np.full((2, 2, stride[0] * stride[1], hp * wp), np.nan)
    split_phases(x, 1, *stride, phases)
    for a in range(stride[0]):
        for b in range(stride[1]):
            expected = np.zeros((2, 2, hp, wp))
            part = x[1:3, :, a::stride[0], b::stride[1]]
            expected[:, :, :part.shape[2], :part.shape[3]] = part
            np.testing.assert_array_equal(
                phases[:, :, a * stride[1] + b].reshape(2, 2, hp, wp), expected)


@pytest.mark.parametrize("ratio", [0.0, 1e9])
@pytest.mark.parametrize("config", CONFIGS + RANDOM_CONFIGS)
def test_gradients_by_either_route(config, ratio, rng, monkeypatch):
    """A stride-1 convolution's gradients through the flipped convolution (ratio 1e9:
    wherever the geometry allows; the weight gradient when ungrouped) or directly (0)."""
    monkeypatch.setattr(cpu, "FLIPPED_CHANNEL_RATIO", ratio)
    n, c_in, h, w, c_out, kernel, stride, padding, dilation, groups = config
    x, weight, _, grad_out = arrays(config, np.float64, rng)
    options = (stride, padding, dilation, groups)
    assert_close(cpu.conv2d_backward_input(grad_out, weight, (h, w), *options),
                 reference.conv2d_backward_input(grad_out, weight, (h, w), *options),
                 np.float64)
    assert_close(cpu.conv2d_backward_weight(x, grad_out, kernel, *options),
                 reference.conv2d_backward_weight(x, grad_out, kernel, *options), np.float64)


# -- the direct kernel (float32, stride 1, one group) ---------------------------------------
DIRECT_CONFIGS = [
    (1, 1, 5, 5, 1, (3, 3), (1, 1), (0, 0), (1, 1), 1),     # batch 1, one channel each way
    (2, 5, 7, 9, 11, (3, 2), (1, 1), (1, 0), (1, 2), 1),    # rectangular, dilated, 11 = 8 + 3
    (3, 8, 14, 14, 32, (3, 3), (1, 1), (1, 1), (1, 1), 1),  # a study's layer
    (1, 6, 9, 4, 20, (5, 5), (1, 1), (2, 2), (2, 1), 1),    # one image: channel blocks split
    (2, 4, 3, 3, 5, (5, 5), (1, 1), (2, 2), (1, 1), 1),     # kernel larger than the image
    (2, 2, 3, 37, 4, (1, 3), (1, 1), (0, 1), (1, 1), 1),    # three vectors a row, one short
    (1, 4, 4, 4, 4, (3, 3), (1, 1), (3, 3), (1, 1), 1),     # padding beyond the reach
    (2, 3, 5, 16, 2, (3, 3), (1, 1), (1, 1), (1, 1), 1),    # rows of exactly one vector
    (70, 1, 4, 4, 3, (3, 3), (1, 1), (1, 1), (1, 1), 1),    # weight gradient: 64 images a
    #                                                         band, then 6
    (1, 2, 40, 41, 5, (3, 2), (1, 1), (1, 0), (1, 1), 1),   # ... 1600 positions: 2 bands
]


@pytest.mark.parametrize("config", DIRECT_CONFIGS)
@pytest.mark.parametrize("split", [False, True])
def test_direct_kernel_matches_reference(config, split, rng, monkeypatch):
    """The direct kernels, used for every float32 stride-1 convolution here whatever their
    speed, compute the forward pass, the weight gradient and, through the flipped
    convolution, the input gradient (where the padding allows), in float32; ``split``: the
    items (the images, for the weight gradient) run on all the workers, however little
    the work."""
    from minidl.kernels.cpu import workers

    if split:
        monkeypatch.setattr(workers, "PARALLEL_MIN_WORK", 1)
    for rule in ("direct_applies", "direct_weight_gradient_applies"):
        monkeypatch.setattr(cpu, rule, lambda dtype, *args, **kwargs: dtype == np.float32)
    calls, weight_gradients = [], []
    direct_forward = cpu.direct_forward
    monkeypatch.setattr(cpu, "direct_forward", lambda *args: calls.append(args[0].shape)
                        or direct_forward(*args))
    direct_weight_gradient = cpu.direct_weight_gradient
    monkeypatch.setattr(cpu, "direct_weight_gradient", lambda *args: (
        weight_gradients.append(args[0].shape) or direct_weight_gradient(*args)))
    compare_all_kernels(config, np.float32, rng, KernelBackend("cpu"))
    n, c_in, h, w, c_out, kernel, _, padding, dilation, _ = config
    reach = [d * (k - 1) for k, d in zip(kernel, dilation)]
    flips = all(p <= r for p, r in zip(padding, reach))
    assert calls[0] == (n, c_in, h, w)
    assert len(calls) == 1 + flips
    assert weight_gradients == [(n, c_in, h, w)]
    compare_transposed_forward(config, np.float32, rng, KernelBackend("cpu"))  # + bias


def test_the_studies_layers_take_the_direct_kernel(rng, monkeypatch):
    """A 3-channel first layer, its input gradient (8 -> 3 channels, flipped) and its
    weight gradient go to the direct kernels under the measured rules."""
    calls, weight_gradients = [], []
    direct_forward = cpu.direct_forward
    monkeypatch.setattr(cpu, "direct_forward", lambda *args: calls.append(args[0].shape)
                        or direct_forward(*args))
    direct_weight_gradient = cpu.direct_weight_gradient
    monkeypatch.setattr(cpu, "direct_weight_gradient", lambda *args: (
        weight_gradients.append(args[0].shape) or direct_weight_gradient(*args)))
    compare_all_kernels((2, 3, 14, 14, 8, (3, 3), (1, 1), (1, 1), (1, 1), 1), np.float32,
                        rng, KernelBackend("cpu"))
    assert calls == [(2, 3, 14, 14), (2, 8, 14, 14)]
    assert weight_gradients == [(2, 3, 14, 14)]


@pytest.mark.parametrize("zen", [True, False])
def test_rows_that_waste_lanes_go_along_channels_on_zen_cores(zen, rng, monkeypatch):
    """On Zen cores a 14-wide 32 -> 64 layer, and its flipped input gradient (64 -> 32),
    take the kernel along output channels; elsewhere the direct kernel; the same values."""
    from minidl.kernels.cpu import channel_direct

    monkeypatch.setattr(channel_direct, "ZEN_CORES", zen)
    calls = []
    for name in ("direct_forward", "channel_direct_forward"):
        original = getattr(cpu, name)
        monkeypatch.setattr(cpu, name, lambda *args, name=name, original=original: (
            calls.append((name, args[0].shape[1])) or original(*args)))
    compare_all_kernels((2, 32, 14, 14, 64, (3, 3), (1, 1), (1, 1), (1, 1), 1), np.float32,
                        rng, KernelBackend("cpu"))
    taken = "channel_direct_forward" if zen else "direct_forward"
    assert calls == [(taken, 32), (taken, 64)]


def test_the_channel_kernel_goes_first_where_rows_waste_lanes(monkeypatch):
    from minidl.kernels.cpu import channel_direct

    monkeypatch.setattr(channel_direct, "ZEN_CORES", True)
    rule = channel_direct.channels_before_rows
    assert rule((3, 3), 32, 64, (14, 14))              # 288 x 64 products, 14 wide
    assert rule((3, 3), 64, 32, (28, 28))
    assert not rule((3, 3), 32, 64, (16, 16))          # whole vectors
    assert not rule((3, 3), 32, 32, (14, 14))          # 288 x 32 products
    assert not rule((3, 3), 64, 48, (14, 14))          # a half-empty block of 32
    monkeypatch.setattr(channel_direct, "ZEN_CORES", False)
    assert not rule((3, 3), 32, 64, (14, 14))


def test_wide_strided_and_pointwise_layers_go_along_channels_on_zen_cores(monkeypatch):
    from minidl.kernels.cpu import channel_direct

    monkeypatch.setattr(channel_direct, "ZEN_CORES", True)
    rule = channel_direct.wide_layers_along_channels
    assert rule(np.float32, (3, 3), (2, 2), 1, 512, 512)     # 4608 products, 512 channels
    assert rule(np.float32, (1, 1), (1, 1), 1, 512, 256)     # pointwise
    assert rule(np.float32, (4, 4), (2, 2), 1, 128, 256)
    assert not rule(np.float32, (3, 3), (1, 1), 1, 256, 256)   # stride 1: direct, Winograd
    assert not rule(np.float32, (1, 1), (1, 1), 1, 32, 64)     # 32 products
    assert not rule(np.float32, (3, 3), (2, 2), 2, 512, 512)   # groups
    assert not rule(np.float64, (3, 3), (2, 2), 1, 512, 512)
    assert not rule(np.float32, (3, 3), (2, 2), 1, 512, 8)     # half a vector of channels
    monkeypatch.setattr(channel_direct, "ZEN_CORES", False)
    assert not rule(np.float32, (3, 3), (2, 2), 1, 512, 512)


@pytest.mark.parametrize("config", [(2, 80, 6, 5, 160, (3, 3), (2, 2), (1, 1), (1, 1), 1),
                                    (3, 72, 5, 4, 136, (1, 1), (1, 1), (0, 0), (1, 1), 1)])
def test_wide_layers_take_the_channel_kernel_in_tap_blocks(config, rng, monkeypatch):
    """On Zen cores a strided layer with 720 products and 160 output channels (5 blocks),
    and a pointwise one, in blocks of 64 taps: the reference's values."""
    from minidl.kernels.cpu import channel_direct

    monkeypatch.setattr(channel_direct, "ZEN_CORES", True)
    monkeypatch.setattr(channel_direct, "TAP_BLOCK", 64)
    calls = []
    original = cpu.channel_direct_forward
    monkeypatch.setattr(cpu, "channel_direct_forward", lambda *args: calls.append(
        args[0].shape) or original(*args, tap_block=channel_direct.TAP_BLOCK))
    compare_all_kernels(config, np.float32, rng, KernelBackend("cpu"))
    assert calls and calls[0] == config[:4]


@pytest.mark.parametrize("height, width, pad_h, pad_w", [(3, 5, 1, 2), (4, 16, 0, 0),
                                                         (2, 17, 2, 1), (5, 33, 1, 0)])
def test_padded_planes(height, width, pad_h, pad_w, rng):
    """direct.pad_planes writes each channel's zero-padded plane, rows end to end, and
    nothing past it; rows of any width (whole vectors and a rest)."""
    from numba import njit

    from minidl.kernels.cpu.direct import pad_planes

    pad = njit(lambda x, n, ph, pw, planes: pad_planes(x, n, ph, pw, planes))
    x = rng.standard_normal((2, 3, height, width)).astype(np.float32)
    size = (height + 2 * pad_h) * (width + 2 * pad_w)
    planes = np.full((3, size + 20), 7.0, np.float32)
    pad(x, 1, pad_h, pad_w, planes)
    expected = np.pad(x[1], ((0, 0), (pad_h, pad_h), (pad_w, pad_w))).reshape(3, size)
    np.testing.assert_array_equal(planes[:, :size], expected)
    assert (planes[:, size:] == 7.0).all()


@pytest.mark.parametrize("c_out, taps", [(128, 1024), (64, 288), (40, 50), (16, 17),
                                         (33, 64), (7, 5)])
def test_channel_kernel_packs_its_weights(c_out, taps, rng):
    """channel_direct._pack: block b holds its 32 output channels' weights tap by tap,
    zeros past C_out (16x16 register transposes, and the rest one value at a time)."""
    from minidl.kernels.cpu.channel_direct import CHANNEL_BLOCK, _pack

    rows = rng.standard_normal((c_out, taps)).astype(np.float32)
    blocks = -(-c_out // CHANNEL_BLOCK)
    padded = np.zeros((blocks * CHANNEL_BLOCK, taps), np.float32)
    padded[:c_out] = rows
    expected = padded.reshape(blocks, CHANNEL_BLOCK, taps).transpose(0, 2, 1)
    np.testing.assert_array_equal(_pack(rows), expected.reshape(blocks, -1))


def test_the_direct_weight_gradient_is_used_where_it_is_faster():
    from minidl.kernels.cpu.direct import direct_weight_gradient_applies as applies

    # dtype, kernel_hw, stride, groups, C_in, C_out
    first_layer = (np.float32, (3, 3), (1, 1), 1, 3, 64)
    assert applies(*first_layer)
    assert applies(np.float32, (5, 5), (1, 1), 1, 2, 128)               # 50 products
    assert not applies(np.float32, (3, 3), (1, 1), 1, 16, 32)           # 144 products
    assert applies(np.float32, (3, 3), (1, 1), 1, 16, 16)               # ... 16 outputs
    assert not applies(np.float32, (3, 3), (1, 1), 1, 160, 16)          # 1440 products
    assert not applies(np.float64, *first_layer[1:])                    # float64: columns
    assert not applies(np.float32, (3, 3), (2, 2), 1, 3, 64)            # stride 2
    assert not applies(np.float32, (3, 3), (1, 1), 3, 3, 63)            # groups
    assert not applies(np.float32, (1, 1), (1, 1), 1, 3, 64)            # pointwise


def test_the_direct_weight_gradient_sums_every_image_of_every_share(rng, monkeypatch):
    """The images are shared out between the workers, whose sums are added: more workers
    than images, and shares of different sizes."""
    from minidl.kernels.cpu import direct
    from minidl.kernels.cpu import workers as pool

    monkeypatch.setattr(pool, "PARALLEL_MIN_WORK", 1)
    for n, workers in ((2, 5), (5, 2), (3, 3)):
        x = rng.standard_normal((n, 2, 9, 7)).astype(np.float32)
        gy = rng.standard_normal((n, 6, 9, 7)).astype(np.float32)
        got = direct.direct_weight_gradient(x, gy, (3, 3), (1, 1), (1, 1), workers)
        expected = reference.conv2d_backward_weight(x.astype(np.float64), gy.astype(np.float64),
                                                    (3, 3), (1, 1), (1, 1), (1, 1), 1)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_direct_kernel_is_not_used_where_it_is_slower():
    from minidl.kernels.cpu.direct import direct_applies

    # dtype, input_hw, kernel_hw, stride, padding, dilation, groups, C_in, C_out, winograd
    study = (np.float32, (14, 14), (3, 3), (1, 1), (1, 1), (1, 1), 1, 16, 32, False)
    assert direct_applies(*study)
    assert direct_applies(*study[:7], 1, *study[8:])                   # one input channel
    assert not direct_applies(np.float64, *study[1:])                  # float64: columns
    assert not direct_applies(*study[:3], (2, 2), *study[4:])          # stride 2
    assert not direct_applies(*study[:6], 2, *study[7:])               # groups
    assert not direct_applies(*study[:7], 160, *study[8:])             # 1440 window products
    assert not direct_applies(*study[:2], (1, 1), *study[3:])          # pointwise
    assert not direct_applies(*study[:1], (8, 8), *study[2:])          # half the lanes idle
    assert not direct_applies(*study[:8], 128, False)                  # 128 outputs
    assert not direct_applies(*study[:7], 64, 64, True)                # Winograd's range
    assert direct_applies(*study[:7], 64, 32, True)                    # ... but not 32 out


# -- strided convolutions through their input's phases -------------------------------------
PHASE_CONFIGS = [
    (2, 3, 8, 8, 5, (4, 4), (2, 2), (1, 1), (1, 1), 1),     # a GAN's first layer
    (1, 2, 9, 7, 3, (3, 3), (2, 2), (1, 1), (1, 1), 1),     # odd sizes, 3 taps -> 2 (zeros)
    (2, 1, 11, 10, 4, (5, 3), (3, 2), (2, 0), (1, 1), 1),   # unequal strides and paddings
    (1, 2, 5, 6, 2, (2, 2), (2, 2), (3, 3), (1, 1), 1),     # padding beyond the window
]


@pytest.mark.parametrize("config", PHASE_CONFIGS)
def test_a_strided_convolution_is_the_stride_1_one_of_its_phases(config, rng):
    from minidl.kernels.cpu import phases

    n, c_in, h, w, c_out, kernel, stride, padding, dilation, _ = config
    x, weight, _, grad_out = arrays(config, np.float64, rng)
    x = x.astype(np.float32)                  # phases are float32 (the direct kernels')
    out_hw = grad_out.shape[2:]
    x_phases = phases.phase_input(x, kernel, stride, padding, out_hw).astype(np.float64)
    x = x.astype(np.float64)
    kernel_phases = phases.phase_kernel_size(kernel, stride)
    assert x_phases.shape == (n, c_in * stride[0] * stride[1],
                              out_hw[0] + kernel_phases[0] - 1, out_hw[1] + kernel_phases[1] - 1)
    one = ((1, 1), (0, 0), (1, 1), 1)
    np.testing.assert_allclose(
        reference.conv2d_forward(x_phases, phases.phase_weight(weight, stride), None, *one),
        reference.conv2d_forward(x, weight, None, stride, padding, dilation, 1))
    grad_phases = reference.conv2d_backward_weight(x_phases, grad_out, kernel_phases, *one)
    np.testing.assert_allclose(
        phases.weight_from_phases(grad_phases, kernel, stride),
        reference.conv2d_backward_weight(x, grad_out, kernel, stride, padding, dilation, 1))


@pytest.mark.parametrize("config", PHASE_CONFIGS)
def test_strided_convolutions_through_phases_match_reference(config, rng, monkeypatch):
    """Every float32 strided convolution here goes through its phases to the direct
    kernels, forward and weight gradient, whatever the speed."""
    monkeypatch.setattr(cpu, "channel_direct_applies", lambda *args, **kwargs: False)
    monkeypatch.setattr(cpu, "channel_direct_weight_gradient_applies",
                        lambda *args, **kwargs: False)
    monkeypatch.setattr(cpu, "_phases_take", lambda dtype, *args, **kwargs:
                        dtype == np.float32)
    calls = []
    for name in ("direct_forward", "direct_weight_gradient"):
        kernel = getattr(cpu, name)
        monkeypatch.setattr(cpu, name, lambda *args, kernel=kernel, name=name: calls.append(
            (name, args[0].shape)) or kernel(*args))
    compare_all_kernels(config, np.float32, rng, KernelBackend("cpu"))
    n, c_in, _, _, _, _, stride, _, _, _ = config
    phase_channels = c_in * stride[0] * stride[1]
    assert [(name, shape[:2]) for name, shape in calls] == [    # the phases built per image
        ("direct_forward", (n, c_in)), ("direct_weight_gradient", (n, phase_channels))]


def test_strided_first_layers_take_the_phases():
    # dtype, kernel_hw, stride, dilation, groups, C_in, C_out, output_hw
    gan = (np.float32, (4, 4), (2, 2), (1, 1), 1, 3, 64, (16, 16))
    assert cpu._phases_take(*gan) and cpu._phases_take(*gan, weight_gradient=True)
    assert not cpu._phases_take(np.float32, (3, 3), *gan[2:])         # zeros among the taps
    assert cpu._phases_take(np.float32, (3, 3), *gan[2:5], 1, 32, (16, 16))  # ... 1 channel
    assert not cpu._phases_take(*gan[:2], (1, 1), *gan[3:])           # stride 1
    assert not cpu._phases_take(*gan[:3], (2, 2), *gan[4:])           # dilation
    assert not cpu._phases_take(*gan[:5], 64, 128, (8, 8))            # 64 in: along channels
    assert not cpu._phases_take(np.float64, *gan[1:])                 # float64: columns


# -- the direct kernel along output channels (float32, one group) ---------------------------
CHANNEL_DIRECT_CONFIGS = [
    (1, 1, 5, 5, 1, (3, 3), (1, 1), (0, 0), (1, 1), 1),     # batch 1, one channel each way
    (2, 3, 9, 9, 5, (2, 2), (3, 3), (0, 0), (1, 1), 1),     # phases no tap reaches: zeros
    (2, 40, 7, 6, 3, (1, 1), (2, 2), (0, 0), (1, 1), 1),    # 1x1/2: a quarter of dL/dx
    (3, 36, 8, 9, 20, (4, 4), (2, 2), (1, 1), (1, 1), 1),   # 36 = 32 + 4 input channels
    (2, 3, 9, 7, 20, (3, 2), (2, 1), (1, 0), (1, 2), 1),    # rectangular, dilated, 20 < 32
    (3, 8, 8, 8, 33, (3, 3), (1, 1), (1, 1), (1, 1), 1),    # 8x8, one channel past a block
    (1, 5, 8, 8, 70, (4, 4), (2, 2), (1, 1), (1, 1), 1),    # one image: blocks split
    (2, 2, 11, 13, 17, (3, 3), (3, 2), (0, 2), (1, 1), 1),  # stride 3, odd sizes
    (2, 4, 3, 3, 32, (5, 5), (1, 1), (2, 2), (1, 1), 1),    # kernel larger than the image
    (2, 3, 6, 5, 40, (2, 3), (2, 3), (3, 2), (2, 1), 1),    # padding beyond the reach
    (1, 2, 3, 3, 16, (3, 3), (1, 1), (0, 0), (1, 1), 1),    # one output position
]


@pytest.mark.parametrize("config", CHANNEL_DIRECT_CONFIGS)
@pytest.mark.parametrize("split", [False, True])
def test_channel_direct_kernel_matches_reference(config, split, rng, monkeypatch):
    """The direct kernels along output channels, used for every float32 convolution here
    whatever their speed (``direct.py``'s kernel and Winograd's kept out), compute the
    forward pass, the weight gradient and the input gradient: of strided ones in phases,
    of stride-1 ones through the flipped convolution (where the padding allows), in
    float32; ``split``: the items (the images, for the weight gradient) run on all the
    workers."""
    from minidl.kernels.cpu import workers

    if split:
        monkeypatch.setattr(workers, "PARALLEL_MIN_WORK", 1)
    for rule in ("direct_applies", "direct_weight_gradient_applies"):
        monkeypatch.setattr(cpu, rule, lambda *args, **kwargs: False)
    monkeypatch.setattr(cpu, "winograd_tile", lambda *args, **kwargs: None)
    for rule in ("channel_direct_applies", "channel_direct_weight_gradient_applies",
                 "channel_direct_input_gradient_applies"):
        monkeypatch.setattr(cpu, rule, lambda dtype, *args, **kwargs: dtype == np.float32)
    calls, weight_gradients, input_gradients = [], [], []
    channel_direct_input_gradient = cpu.channel_direct_input_gradient
    monkeypatch.setattr(cpu, "channel_direct_input_gradient", lambda *args: (
        input_gradients.append(args[0].shape) or channel_direct_input_gradient(*args)))
    channel_direct_forward = cpu.channel_direct_forward
    monkeypatch.setattr(cpu, "channel_direct_forward", lambda *args: calls.append(
        args[0].shape) or channel_direct_forward(*args))
    channel_direct_weight_gradient = cpu.channel_direct_weight_gradient
    monkeypatch.setattr(cpu, "channel_direct_weight_gradient", lambda *args: (
        weight_gradients.append(args[0].shape) or channel_direct_weight_gradient(*args)))
    compare_all_kernels(config, np.float32, rng, KernelBackend("cpu"))
    assert weight_gradients == [config[:4]]
    n, c_in, h, w, c_out, kernel, stride, padding, dilation, _ = config
    reach = [d * (k - 1) for k, d in zip(kernel, dilation)]
    out_hw = [conv_output_size(*args) for args in zip((h, w), kernel, stride, padding,
                                                      dilation)]
    flips = cpu._flips((h, w), out_hw, kernel, stride, padding, dilation)
    assert calls[0] == (n, c_in, h, w)
    assert len(calls) == 1 + flips
    assert flips == (tuple(stride) == (1, 1) and all(p <= r for p, r in zip(padding, reach)))
    assert len(input_gradients) == (tuple(stride) != (1, 1))  # strided: in phases
    compare_transposed_forward(config, np.float32, rng, KernelBackend("cpu"))  # + bias


def test_the_studies_strided_and_small_layers_take_the_channel_direct_kernel(rng,
                                                                             monkeypatch):
    """A GAN's 4x4/2 layer (forward only: stride 2 does not flip) and a 3x3 layer on 8x8
    inputs (forward, and its input gradient flipped) go to the kernel along channels under
    the measured rule."""
    calls = []
    channel_direct_forward = cpu.channel_direct_forward
    monkeypatch.setattr(cpu, "channel_direct_forward", lambda *args: calls.append(
        args[0].shape) or channel_direct_forward(*args))
    compare_all_kernels((2, 8, 16, 16, 32, (4, 4), (2, 2), (1, 1), (1, 1), 1), np.float32,
                        rng, KernelBackend("cpu"))
    compare_all_kernels((2, 16, 8, 8, 32, (3, 3), (1, 1), (1, 1), (1, 1), 1), np.float32,
                        rng, KernelBackend("cpu"))
    assert calls == [(2, 8, 16, 16), (2, 16, 8, 8), (2, 32, 8, 8)]


def test_the_weight_gradient_sums_over_every_image_of_every_worker(rng, monkeypatch):
    """The weight gradient's images are shared out between the workers, whose sums are
    added: with more workers than images, one image each; with an odd number, shares of
    different sizes."""
    from minidl.kernels.cpu import workers as pool
    from minidl.kernels.cpu.channel_direct import channel_direct_weight_gradient

    monkeypatch.setattr(pool, "PARALLEL_MIN_WORK", 1)
    for n, workers in ((2, 5), (5, 2), (3, 3)):
        x = rng.standard_normal((n, 3, 7, 6)).astype(np.float32)
        grad_out = rng.standard_normal((n, 40, 4, 3)).astype(np.float32)
        options = ((2, 2), (1, 1), (1, 1))
        expected = reference.conv2d_backward_weight(x.astype(np.float64),
                                                    grad_out.astype(np.float64), (3, 3),
                                                    *options, 1).astype(np.float32)
        assert_close(channel_direct_weight_gradient(x, grad_out, (3, 3), *options, workers),
                     expected, np.float32)


@pytest.mark.parametrize("kernel", ["channel_direct", "direct"])
def test_weight_gradients_do_not_depend_on_whether_the_workers_took_part(kernel, rng,
                                                                         monkeypatch):
    """The images' shares are the same whether the workers take them or the calling thread
    runs them all (as it does when the workers sleep and the call is small): the sums are
    added in the same order, so the result is the same to the last bit."""
    from minidl.kernels.cpu import workers
    from minidl.kernels.cpu.channel_direct import channel_direct_weight_gradient
    from minidl.kernels.cpu.direct import direct_weight_gradient

    x = rng.standard_normal((5, 6, 9, 9)).astype(np.float32)
    grad_out = rng.standard_normal((5, 20, 9, 9)).astype(np.float32)
    options = ((1, 1), (1, 1))
    results = []
    for min_work in (1, 1 << 60):
        monkeypatch.setattr(workers, "PARALLEL_MIN_WORK", min_work)
        if kernel == "direct":
            results.append(direct_weight_gradient(x, grad_out, (3, 3), *options, 2))
        else:
            results.append(channel_direct_weight_gradient(x, grad_out, (3, 3), (1, 1),
                                                          *options, 2))
    np.testing.assert_array_equal(results[0], results[1])


def test_the_input_gradients_cached_tables_serve_new_weights_and_shapes(rng):
    """The strided input gradient's tables are cached per shape: a second call with other
    weights and gradients, and a call with another input size, are still right."""
    from minidl.kernels.cpu.channel_direct import channel_direct_input_gradient

    options = ((2, 2), (1, 1), (1, 1))
    for input_hw, out_hw in (((16, 16), (8, 8)), ((16, 16), (8, 8)), ((15, 17), (7, 8))):
        weight = rng.standard_normal((24, 20, 4, 4)).astype(np.float32)
        grad_out = rng.standard_normal((2, 24, *out_hw)).astype(np.float32)
        expected = reference.conv2d_backward_input(
            grad_out.astype(np.float64), weight.astype(np.float64), input_hw, *options, 1)
        assert_close(channel_direct_input_gradient(grad_out, weight, input_hw, *options, 2),
                     expected.astype(np.float32), np.float32)


def test_channel_direct_kernel_is_not_used_where_it_is_slower():
    from minidl.kernels.cpu.channel_direct import channel_direct_applies

    # dtype, kernel_hw, stride, groups, C_in, C_out, winograd, output_hw
    study = (np.float32, (4, 4), (2, 2), 1, 32, 64, False, (16, 16))
    large = (64, 64)
    assert channel_direct_applies(*study)
    assert channel_direct_applies(*study[:4], 75, 128, False, large)   # 1200 products
    assert not channel_direct_applies(np.float64, *study[1:])          # float64: columns
    assert not channel_direct_applies(*study[:3], 2, *study[4:])       # groups
    assert not channel_direct_applies(*study[:1], (1, 1), *study[2:])  # pointwise
    assert not channel_direct_applies(*study[:4], 3, 64, False, large)   # 48 products
    assert not channel_direct_applies(*study[:4], 76, 64, False, large)  # 1216 products
    assert not channel_direct_applies(*study[:4], 32, 8, False, large)   # 8 outputs
    assert not channel_direct_applies(*study[:4], 32, 256, False, large)  # 256 outputs
    stride_one = (np.float32, (3, 3), (1, 1), 1)
    assert not channel_direct_applies(*stride_one, 64, 64, True, (8, 8))  # Winograd's
    assert channel_direct_applies(*stride_one, 32, 64, True, (8, 8))      # ... not 32 in
    assert channel_direct_applies(*stride_one, 32, 64, False, (32, 32))
    assert not channel_direct_applies(*stride_one, 32, 64, False, (33, 32))  # BLAS's

    from minidl.kernels.cpu.channel_direct import (
        channel_direct_input_gradient_applies,
        channel_direct_weight_gradient_applies,
    )
    assert channel_direct_weight_gradient_applies(*study[:7], (4, 4))      # 16 positions
    assert channel_direct_weight_gradient_applies(*study[:7], (3, 3))      # 9
    assert not channel_direct_weight_gradient_applies(*study[:7], (2, 2))  # 4
    # strided: from 18 products (a 3-channel first layer's 48 or 27) ...
    assert channel_direct_weight_gradient_applies(*study[:4], 3, 64, False, (8, 8))
    assert channel_direct_weight_gradient_applies(np.float32, (3, 3), (2, 2), 1, 2, 64,
                                                  False, (16, 16))
    assert not channel_direct_weight_gradient_applies(*study[:4], 1, 64, False, (8, 8))
    # ... at stride 1 from 64 (``direct.py``'s kernel takes fewer)
    assert not channel_direct_weight_gradient_applies(np.float32, (3, 3), (1, 1), 1, 3, 32,
                                                      False, (28, 28))
    assert not channel_direct_weight_gradient_applies(np.float32, (3, 3), (1, 1), 1, 7, 32,
                                                      False, (28, 28))     # 63 products
    assert channel_direct_weight_gradient_applies(*stride_one, 32, 64, False, large)

    # dtype, input_hw, kernel_hw, stride, groups, C_in, C_out
    strided = (np.float32, (32, 32), (4, 4), (2, 2), 1, 32, 64)
    assert channel_direct_input_gradient_applies(*strided)             # 256 products
    assert not channel_direct_input_gradient_applies(*strided[:3], (1, 1), *strided[4:])
    assert not channel_direct_input_gradient_applies(*strided[:5], 3, 64)   # 3 lanes
    assert not channel_direct_input_gradient_applies(*strided[:5], 32, 8)   # 32 products
    assert not channel_direct_input_gradient_applies(np.float32, (8, 8), *strided[2:])


@pytest.mark.parametrize("config", [c for c in CHANNEL_DIRECT_CONFIGS if c[-1] == 1][3:8])
@pytest.mark.parametrize("tap_block", [1, 5, 32])
def test_channel_direct_forward_in_tap_blocks(config, tap_block, rng):
    """Cut into blocks of taps, each adding to the sums the earlier blocks left, the
    forward pass gives the uncut pass's values to the bit (the same sums in the same
    order), and the reference's."""
    n, c_in, h, w, c_out, kernel, stride, padding, dilation, _ = config
    x = random_array(rng, (n, c_in, h, w), np.float32)
    weight = random_array(rng, (c_out, c_in, *kernel), np.float32)
    bias = random_array(rng, (c_out,), np.float32)
    whole = cpu.channel_direct_forward(x, weight, bias, stride, padding, dilation, 2)
    blocked = cpu.channel_direct_forward(x, weight, bias, stride, padding, dilation, 2,
                                         tap_block)
    np.testing.assert_array_equal(blocked, whole)
    assert_close(blocked, reference.conv2d_forward(x, weight, bias, stride, padding, dilation,
                                                   1), np.float32)
