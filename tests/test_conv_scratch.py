"""The CPU convolutions' scratch buffers, kept per thread across calls (``scratch.py``):
reusing them never changes a result already returned, and threads never share one."""
import threading

import numpy as np
import pytest
from test_conv_kernels import CONFIGS, arrays, assert_close
from test_winograd import arrays as winograd_arrays
from test_winograd import reference_results

from minidl.kernels.cpu import conv as cpu
from minidl.kernels.cpu import scratch as scratch_module
from minidl.kernels.cpu import tiles
from minidl.kernels.cpu import winograd as cpu_winograd
from minidl.kernels.cpu.scratch import kept_bytes, scratch, scratch_zeros
from minidl.kernels.reference import conv as reference


def gemm_results(kernels, config, data):
    """Forward, input gradient and weight gradient of ``kernels`` (cpu or reference)."""
    x, weight, bias, grad_out = data
    options = config[6:]
    return (kernels.conv2d_forward(x, weight, bias, *options),
            kernels.conv2d_backward_input(grad_out, weight, x.shape[2:], *options),
            kernels.conv2d_backward_weight(x, grad_out, weight.shape[2:], *options))


def winograd_results(shape, data, m):
    x, weight, bias, grad_out = data
    padding = shape[5]
    return (cpu_winograd.winograd_forward(x, weight, bias, padding, m),
            cpu_winograd.winograd_backward_input(grad_out, weight, padding, m),
            cpu_winograd.winograd_backward_weight(x, grad_out, 3, padding, m))


def winograd_reference(shape, data):
    return reference_results(*data, shape[5])


def small_tiles(monkeypatch, workers):
    """Many tiles per call, spread over ``workers`` workers."""
    monkeypatch.setattr(tiles, "TILE_BUDGET", 40)
    monkeypatch.setattr(tiles, "MIN_TILE_WIDTH", 4)
    monkeypatch.setattr(cpu, "MIN_WEIGHT_TILE_WIDTH", 4)
    monkeypatch.setattr(cpu, "worker_count", lambda: workers)
    monkeypatch.setattr(cpu_winograd, "worker_count", lambda: workers)


# (first case, second case): the second's buffers larger, or smaller, than the first's
GEMM_PAIRS = [(CONFIGS[7], CONFIGS[12]),      # stride phases, 4x4/2 then 3x3/2
              (CONFIGS[12], CONFIGS[7]),
              (CONFIGS[1], CONFIGS[5]),       # row-by-row im2col, both
              (CONFIGS[9], CONFIGS[3])]       # block copies, then pointwise
WINOGRAD_PAIRS = [(4, (2, 4, 8, 8, 6, (1, 1)), (2, 3, 7, 9, 4, (1, 1))),
                  (2, (2, 3, 7, 9, 4, (1, 1)), (3, 5, 6, 4, 2, (2, 0)))]


def check_interleaved(first, second, run, expected):
    """first, second, first again: the results returned by the first call are unchanged
    after the others reused their buffers, all equal the reference, and the repeat gives
    exactly the first call's values."""
    kept = run(first)
    kept_copies = [result.copy() for result in kept]
    others = run(second)
    again = run(first)
    for result, copy, repeat, oracle in zip(kept, kept_copies, again, expected(first)):
        assert np.array_equal(result, copy)
        assert np.array_equal(repeat, result)
        assert_close(result, oracle, result.dtype)
    for result, oracle in zip(others, expected(second)):
        assert_close(result, oracle, result.dtype)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("pair", GEMM_PAIRS)
def test_reused_gemm_scratch_never_changes_a_result(pair, dtype, workers, rng, monkeypatch):
    small_tiles(monkeypatch, workers)
    data = {id(config): arrays(config, dtype, rng) for config in pair}
    check_interleaved(*pair, lambda config: gemm_results(cpu, config, data[id(config)]),
                      lambda config: gemm_results(reference, config, data[id(config)]))


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("m, first, second", WINOGRAD_PAIRS)
def test_reused_winograd_scratch_never_changes_a_result(m, first, second, workers, rng,
                                                        monkeypatch):
    small_tiles(monkeypatch, workers)
    monkeypatch.setattr(cpu_winograd, "CHUNK_BUDGET", 64)      # several chunks per call
    data = {shape: winograd_arrays(shape, np.float64, rng) for shape in (first, second)}
    check_interleaved(first, second, lambda shape: winograd_results(shape, data[shape], m),
                      lambda shape: winograd_reference(shape, data[shape]))


def test_scratch_is_kept_per_thread_name_and_dtype():
    first = scratch("test buffer", (3, 4), np.float32)
    assert first.shape == (3, 4) and first.dtype == np.float32
    assert np.shares_memory(scratch("test buffer", 12, np.float32), first)   # reused
    assert not np.shares_memory(scratch("test buffer", 12, np.float64), first)
    assert not np.shares_memory(scratch("other buffer", 12, np.float32), first)
    grown = scratch("test buffer", 100, np.float32)                          # grows
    assert np.shares_memory(scratch("test buffer", 12, np.float32), grown)   # never shrinks
    assert not scratch_zeros("test buffer", 7, np.float32).any()

    elsewhere = {}
    thread = threading.Thread(target=lambda: elsewhere.update(
        buffer=scratch("test buffer", 12, np.float32), kept=kept_bytes()))
    thread.start()
    thread.join()
    assert not np.shares_memory(elsewhere["buffer"], grown)
    assert elsewhere["kept"] == 48                     # that thread's own buffers only


def test_scratch_beyond_the_cap_is_not_kept(monkeypatch):
    monkeypatch.setattr(scratch_module, "KEPT_BYTES", kept_bytes() + 1000)
    giant = scratch("giant test buffer", 2000, np.float64)
    assert giant.size == 2000
    assert not np.shares_memory(scratch("giant test buffer", 2000, np.float64), giant)
    small = scratch("giant test buffer", 100, np.float64)      # fits: kept
    assert np.shares_memory(scratch("giant test buffer", 100, np.float64), small)


def test_threads_running_convolutions_at_once_do_not_share_scratch(rng, monkeypatch):
    """Two threads convolving different shapes at the same time, each in its own scratch,
    both get the reference's results every time."""
    small_tiles(monkeypatch, 1)                 # each call runs in its own calling thread
    cases = [(config, arrays(config, np.float64, rng)) for config in (CONFIGS[7], CONFIGS[12])]
    failures = []
    start = threading.Barrier(len(cases))

    def convolve(config, data):
        expected = gemm_results(reference, config, data)
        start.wait()
        for _ in range(20):
            for result, oracle in zip(gemm_results(cpu, config, data), expected):
                if not np.allclose(result, oracle, rtol=0, atol=1e-12 * np.abs(oracle).max()):
                    failures.append(config)

    threads = [threading.Thread(target=convolve, args=case) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def test_scratch_of_every_thread_is_counted_and_freed_with_its_thread():
    before = kept_bytes(every_thread=True)
    ready, finish = threading.Event(), threading.Event()

    def hold():
        scratch("counted", 1000, np.float64)
        ready.set()
        finish.wait()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait()
    assert kept_bytes(every_thread=True) == before + 8000
    finish.set()
    thread.join()
    import gc
    gc.collect()
    assert kept_bytes(every_thread=True) == before  # a finished thread's scratch is gone


def test_forgetting_the_kept_scratch():
    scratch("forgotten", 100, np.float32)
    assert kept_bytes() >= 400
    scratch_module.forget_kept()
    assert kept_bytes(every_thread=True) == 0
