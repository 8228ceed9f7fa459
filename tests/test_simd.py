"""The 16-lane vector type the direct convolution keeps its sums in (kernels/cpu/simd.py)."""
import numpy as np
import pytest
from numba import njit
from numba.core.errors import TypingError

from minidl.kernels.cpu.simd import (
    LANES,
    element,
    exp,
    load,
    load_between,
    load_first,
    log,
    maximum,
    multiply,
    multiply_add,
    splat,
    split_pairs,
    store,
    store_first,
    subtract,
    transpose_block,
)


@njit
def _axpy_in_lanes(scale, x, y, out):
    """out = y + scale * x, 16 lanes a step (len a multiple of 16)."""
    for i in range(0, x.size, LANES):
        store_first(out, i, multiply_add(load(y, i), scale, load(x, i)), LANES)


@njit
def _sum_of_products(weights, x, out):
    """out[0:16] = Σ_k weights[k] · x[k·16 : (k+1)·16], the sum kept in a register."""
    total = splat(np.float32(0))
    for k in range(weights.size):
        total = multiply_add(total, weights[k], load(x, k * LANES))
    store_first(out, 0, total, LANES)


def test_loads_multiply_adds_and_stores_16_lanes_at_any_offset():
    rng = np.random.default_rng(0)
    x, y = (rng.standard_normal(3 * LANES + 5).astype(np.float32) for _ in range(2))
    out = np.full_like(x, 7.0)
    _axpy_in_lanes(np.float32(0.5), x[5:], y[5:], out[5:])       # unaligned views
    np.testing.assert_allclose(out[5:], y[5:] + np.float32(0.5) * x[5:], rtol=1e-6)
    np.testing.assert_array_equal(out[:5], 7.0)                  # nothing outside written


def test_a_running_sum_stays_in_its_vector():
    rng = np.random.default_rng(1)
    weights = rng.standard_normal(9).astype(np.float32)
    x = rng.standard_normal(9 * LANES).astype(np.float32)
    out = np.empty(LANES, np.float32)
    _sum_of_products(weights, x, out)
    expected = (weights[:, None].astype(np.float64) * x.reshape(9, LANES)).sum(axis=0)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


@njit
def _lane_products(x, y, out):
    """out[0:16] = Σ_k x[k·16 : (k+1)·16] · y[k·16 : (k+1)·16], lane by lane."""
    total = splat(np.float32(0))
    for k in range(0, x.size, LANES):
        total = multiply_add(total, load(x, k), load(y, k))
    store_first(out, 0, total, LANES)


def test_multiply_add_takes_a_vector_for_the_factor():
    rng = np.random.default_rng(3)
    x, y = (rng.standard_normal(5 * LANES).astype(np.float32) for _ in range(2))
    out = np.empty(LANES, np.float32)
    _lane_products(x, y, out)
    expected = (x.astype(np.float64) * y).reshape(5, LANES).sum(axis=0)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


@njit
def _first_lanes_of(values, index, count, out):
    store_first(out, 0, load_first(values, index, count), LANES)


@pytest.mark.parametrize("count", [0, 1, 9, 16])
def test_load_first_reads_its_lanes_and_zeros_the_rest(count):
    values = np.arange(1, 31, dtype=np.float32)
    out = np.full(LANES, 7.0, np.float32)
    # the last `count` values of a view
    tail = values[:20]
    _first_lanes_of(tail, 20 - count, count, out)
    np.testing.assert_array_equal(out, np.concatenate([tail[20 - count:],
                                                       np.zeros(LANES - count)]))


@njit
def _first_of_a_splat(value, out, index, count):
    store_first(out, index, splat(value), count)


@pytest.mark.parametrize("count", [0, 1, 7, 16])
def test_store_first_writes_only_its_lanes(count):
    out = np.zeros(LANES + 6, np.float32)
    _first_of_a_splat(np.float32(2.5), out, 3, count)
    expected = np.zeros_like(out)
    expected[3:3 + count] = 2.5
    np.testing.assert_array_equal(out, expected)


@njit
def _scaled_rows(values, offsets, x, out):
    """out[k·16 : (k+1)·16] = values[offsets[k]] · x[0:16]: a scalar read at a run-time
    offset, broadcast into a multiply-add."""
    for k in range(offsets.size):
        scaled = multiply_add(splat(np.float32(0)), element(values, offsets[k]), load(x, 0))
        store_first(out, k * LANES, scaled, LANES)


def test_element_reads_the_scalar_at_an_offset():
    rng = np.random.default_rng(2)
    values = rng.standard_normal(11).astype(np.float32)
    x = rng.standard_normal(LANES).astype(np.float32)
    offsets = np.array([0, 10, 3, 3], np.intp)
    out = np.empty(offsets.size * LANES, np.float32)
    _scaled_rows(values, offsets, x, out)
    np.testing.assert_array_equal(out.reshape(-1, LANES), values[offsets, None] * x)
    _scaled_rows(values[4:], offsets[2:], x, out[:2 * LANES])             # a view
    np.testing.assert_array_equal(out[:2 * LANES].reshape(-1, LANES), [values[7] * x] * 2)


@njit
def _read_at(values, index):
    return element(values, index)


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.float32])
def test_element_reads_any_dtype(dtype):
    values = np.arange(5).astype(dtype)
    assert _read_at(values, 3) == 3


def test_vectors_take_only_contiguous_float32_arrays():
    @njit
    def first_lanes(a, out):
        store_first(out, 0, load(a, 0), LANES)

    with pytest.raises(TypingError, match="float32"):
        first_lanes(np.zeros(LANES), np.zeros(LANES, np.float32))
    with pytest.raises(TypingError, match="float32"):
        first_lanes(np.zeros(2 * LANES, np.float32)[::2], np.zeros(LANES, np.float32))
    with pytest.raises(TypingError, match="C-contiguous"):     # element: any dtype
        njit(lambda a: element(a, 0))(np.zeros(6)[::2])


@njit
def _lanes_exp(x, out):
    for i in range(0, x.size, LANES):
        store_first(out, i, exp(load(x, i)), LANES)


@njit
def _lanes_log(x, out):
    for i in range(0, x.size, LANES):
        store_first(out, i, log(load(x, i)), LANES)


@njit
def _lanes_arithmetic(x, y, out):
    """out = [max(x, y), x - y, x · y] one after the other."""
    n = x.size
    for i in range(0, n, LANES):
        u, v = load(x, i), load(y, i)
        store_first(out, i, maximum(u, v), LANES)
        store_first(out, n + i, subtract(u, v), LANES)
        store_first(out, 2 * n + i, multiply(u, v), LANES)


def _in_lanes(function, values):
    x = np.concatenate([values, np.ones((-values.size) % LANES, np.float32)])
    out = np.empty_like(x)
    function(x, out)
    return out[:values.size]


def _ulps(got, exact):
    return np.abs(got - exact) / np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)


def test_exp_in_lanes_is_within_3_ulp_and_keeps_the_edges():
    x = np.linspace(-87.3, 88.7, 200_003, dtype=np.float32)
    assert _ulps(_in_lanes(_lanes_exp, x), np.exp(x.astype(np.float64))).max() <= 3
    edges = np.array([0, -0.0, 88.8, 1e4, np.inf, -110, -1e4, -np.inf, np.nan], np.float32)
    got = _in_lanes(_lanes_exp, edges)
    np.testing.assert_array_equal(got[:2], 1.0)
    assert np.all(np.isposinf(got[2:5])) and np.all(got[5:8] == 0) and np.isnan(got[8])


def test_log_in_lanes_is_within_3_ulp_and_keeps_the_edges():
    x = np.concatenate([np.geomspace(1.2e-38, 3.4e38, 100_000, dtype=np.float32),
                        np.linspace(0.5, 2, 100_003, dtype=np.float32)])
    assert _ulps(_in_lanes(_lanes_log, x), np.log(x.astype(np.float64))).max() <= 3
    edges = np.array([1, 0, -0.0, 1e-40, np.inf, -1, -np.inf, np.nan], np.float32)
    got = _in_lanes(_lanes_log, edges)
    assert got[0] == 0 and np.all(np.isneginf(got[1:4])) and np.isposinf(got[4])
    assert np.all(np.isnan(got[5:]))


def test_maximum_subtract_and_multiply_in_lanes():
    rng = np.random.default_rng(1)
    x, y = (rng.standard_normal(2 * LANES).astype(np.float32) for _ in range(2))
    out = np.empty(6 * LANES, np.float32)
    _lanes_arithmetic(x, y, out)
    np.testing.assert_array_equal(out.reshape(3, -1), [np.maximum(x, y), x - y, x * y])


@njit
def _transpose(source, source_at, source_row, target, target_at, target_row):
    transpose_block(source, source_at, source_row, target, target_at, target_row)


@pytest.mark.parametrize("source_row, target_row", [(16, 16), (37, 41), (256, 64)])
def test_transpose_block_writes_a_16x16_block_transposed_and_nothing_else(source_row,
                                                                          target_row):
    rng = np.random.default_rng(2)
    source = rng.standard_normal(20 * source_row).astype(np.float32)
    target = np.full(18 * target_row + 5, np.nan, np.float32)
    _transpose(source, 3, source_row, target, 5, target_row)
    block = source[3:3 + 16 * source_row].reshape(16, source_row)[:, :16]
    written = target[5:5 + 16 * target_row].reshape(16, target_row)
    np.testing.assert_array_equal(written[:, :16], block.T)
    assert np.isnan(written[:, 16:]).all() and np.isnan(target[:5]).all()
    assert np.isnan(target[5 + 16 * target_row:]).all()


@njit
def _between(values, at, low, high, out):
    store_first(out, 0, load_between(values, at, low, high), LANES)


@pytest.mark.parametrize("low, high", [(0, 16), (0, 0), (3, 11), (5, 5), (15, 16)])
def test_load_between_reads_its_lanes_and_zeros_the_rest(low, high):
    """Lanes [low, high) of values[at:] and zeros, at any offset, even one before the
    array's start when no lane of it is read; the other lanes' memory untouched: the
    masked lanes of a read past the array's last page do not fault."""
    values = np.arange(1, 41, dtype=np.float32)
    for at in (-low, 0, 7, 40 - high):
        out = np.full(LANES, -1, np.float32)
        _between(values, at, low, high, out)
        expected = np.zeros(LANES, np.float32)
        expected[low:high] = values[at + low:at + high]
        np.testing.assert_array_equal(out, expected)


@njit
def _split(values, even, odd):
    first, second = split_pairs(load(values, 0), load(values, LANES))
    store_first(even, 0, first, LANES)
    store_first(odd, 0, second, LANES)


def test_split_pairs_parts_32_values_by_the_parity_of_their_place():
    values = np.random.default_rng(0).standard_normal(2 * LANES).astype(np.float32)
    even, odd = np.empty(LANES, np.float32), np.empty(LANES, np.float32)
    _split(values, even, odd)
    np.testing.assert_array_equal(even, values[0::2])
    np.testing.assert_array_equal(odd, values[1::2])


@njit
def _store_at(values, out, at):
    store(out, at, load(values, 0))


def test_store_writes_16_lanes_at_any_offset_and_nothing_else():
    values = np.arange(1, LANES + 1, dtype=np.float32)
    for at in (0, 3, 6):
        out = np.zeros(LANES + 6, np.float32)
        _store_at(values, out, at)
        expected = np.zeros_like(out)
        expected[at:at + LANES] = values
        np.testing.assert_array_equal(out, expected)
