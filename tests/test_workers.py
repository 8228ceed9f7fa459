"""minidl's one pool of CPU workers (``minidl/kernels/cpu/workers.py``): a Numba loop split
over the workers covers every item once and gives the same bits as on one thread, for
every CPU kernel that runs that way (test_norm_pool_kernels.py, test_optim.py and
test_tensor_ops.py hold those kernels to the reference); work that nests runs instead of
waiting on itself."""
import numba
import numpy as np
import pytest
from helpers import random_array
from numba import njit

from minidl.kernels.cpu import activation, batchnorm, optim, pooling, upsample, workers

THREADS = min(3, numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
needs_threads = pytest.mark.skipif(THREADS < 2, reason="Numba has a single thread here "
                                   "(NUMBA_NUM_THREADS=1): nothing to split")


@pytest.fixture
def split_everything(monkeypatch):
    """Loops of any size split over THREADS workers."""
    previous = numba.get_num_threads()
    numba.set_num_threads(THREADS)
    monkeypatch.setattr(workers, "PARALLEL_MIN_WORK", 1)
    yield
    numba.set_num_threads(previous)


@njit(nogil=True)
def _count_visits(visits, start, stop):
    for i in range(start, stop):
        visits[i] += 1


@needs_threads
@pytest.mark.parametrize("count", [1, 2, 3, 7, 1000])
def test_every_item_is_visited_once(count, split_everything):
    visits = np.zeros(count, np.int64)
    workers.parallel_loop(_count_visits, count, count, visits)
    np.testing.assert_array_equal(visits, 1)


def test_small_loops_stay_on_the_calling_thread(monkeypatch):
    calls = []
    monkeypatch.setattr(workers, "_side_by_side", lambda work: calls.append(work))
    monkeypatch.setattr(workers, "_last_end_ns", 0)         # the workers sleep
    visits = np.zeros(10, np.int64)
    workers.parallel_loop(_count_visits, 10, workers.PARALLEL_MIN_WORK - 1, visits)
    assert calls == []
    np.testing.assert_array_equal(visits, 1)


@pytest.mark.parametrize("ended_ago_ns, work, splits", [
    (10 ** 10, workers.PARALLEL_MIN_WORK, True),
    (10 ** 10, workers.PARALLEL_MIN_WORK - 1, False),       # the workers sleep
    (0, workers.PARALLEL_MIN_WORK // 2, True),              # they still spin
    (0, workers.PARALLEL_MIN_WORK // 2 - 1, False),
])
def test_work_splits_from_half_as_much_while_the_workers_spin(ended_ago_ns, work, splits,
                                                               monkeypatch):
    import time

    from minidl.kernels.cpu import handoff

    monkeypatch.setattr(workers, "_last_end_ns", time.monotonic_ns() - ended_ago_ns)
    spinning = handoff.futex_handoffs_work() or ended_ago_ns > 0   # locks: nobody spins
    assert workers.split_pays(work) == (splits and spinning)


@needs_threads
def test_a_loop_started_inside_a_worker_runs_there(split_everything):
    """Each block of run_blocks runs a split loop: from a pool thread it runs in place
    instead of queueing behind the blocks that wait for it."""
    def block(items):
        visits = np.zeros(50, np.int64)
        workers.parallel_loop(_count_visits, 50, 50, visits)
        return visits.sum()

    assert workers.run_blocks(block, list(range(THREADS)), THREADS) == [50] * THREADS


def _kernel_calls(rng, dtype):
    """(name, function of no arguments) for every CPU kernel that splits a loop."""
    x = random_array(rng, (3, 5, 9, 7), dtype)
    g = random_array(rng, (3, 5, 9, 7), dtype)
    weight, bias = random_array(rng, 5, dtype), random_array(rng, 5, dtype)
    mean, var = random_array(rng, 5, dtype), rng.uniform(0.5, 2, 5).astype(dtype)
    _, indices = pooling.max_pool2d_forward(x, (3, 2), (2, 1), (1, 1), (1, 2), True)
    pooled = rng.standard_normal(indices.shape).astype(dtype)
    param, grad, m, v = (rng.standard_normal(101).astype(dtype) for _ in range(4))
    return {
        "batch_norm_forward_train": lambda: batchnorm.batch_norm_forward_train(
            x, weight, bias, 1e-5),
        "batch_norm_forward_eval": lambda: batchnorm.batch_norm_forward_eval(
            x, mean, var, weight, bias, 1e-5),
        "batch_norm_backward_train": lambda: batchnorm.batch_norm_backward_train(
            g, x, mean, var, weight, 1e-5),
        "max_pool2d_forward": lambda: pooling.max_pool2d_forward(
            x, (3, 2), (2, 1), (1, 1), (1, 2), True),
        "max_pool2d_backward": lambda: pooling.max_pool2d_backward(
            pooled, indices, x.shape, (3, 2), (2, 1), (1, 1), (1, 2)),
        "avg_pool2d_forward": lambda: pooling.avg_pool2d_forward(
            x, (3, 3), (2, 2), (1, 1), True, False, None),
        "avg_pool2d_backward": lambda: pooling.avg_pool2d_backward(
            g[:, :, :5, :4], x.shape, (3, 3), (2, 2), (1, 1), True, False, None),
        "adaptive_avg_pool2d_forward": lambda: pooling.adaptive_avg_pool2d_forward(x, (4, 3)),
        "global_avg_pool2d_forward": lambda: pooling.adaptive_avg_pool2d_forward(x, (1, 1)),
        "adaptive_avg_pool2d_backward": lambda: pooling.adaptive_avg_pool2d_backward(
            g[:, :, :4, :3], x.shape),
        "upsample_nearest2d_forward": lambda: upsample.upsample_nearest2d_forward(x, 2, 3),
        "upsample_nearest2d_backward": lambda: upsample.upsample_nearest2d_backward(
            np.ascontiguousarray(g[:, :, :8, :6]), 2, 3),
        "relu_forward": lambda: activation.relu_forward(np.ascontiguousarray(x)),
        "relu_backward": lambda: activation.relu_backward(
            np.ascontiguousarray(x), np.ascontiguousarray(g)),
        "adam_update": lambda: _stepped(optim.adam_update, param, grad, m, v, None,
                                        beta1=0.9, beta2=0.999, step_size=1e-2,
                                        bias2_sqrt=0.1, eps=1e-8),
        "adadelta_update": lambda: _stepped(optim.adadelta_update, param, grad, m, v ** 2,
                                            rho=0.9, eps=1e-6, lr=1.0),
    }


def _stepped(update, *arrays, **settings):
    """The arrays after one in-place update of copies of them."""
    copies = [None if a is None else a.copy() for a in arrays]
    update(*copies, **settings)
    return [a for a in copies if a is not None]


def _as_list(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


@needs_threads
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_split_kernels_give_the_bits_of_one_thread(dtype, rng, monkeypatch):
    calls = _kernel_calls(rng, dtype)
    monkeypatch.setattr(workers, "PARALLEL_MIN_WORK", 1 << 62)
    one_thread = {name: _as_list(call()) for name, call in calls.items()}
    previous = numba.get_num_threads()
    numba.set_num_threads(THREADS)
    monkeypatch.setattr(workers, "PARALLEL_MIN_WORK", 1)
    try:
        for name, call in calls.items():
            for split, alone in zip(_as_list(call()), one_thread[name], strict=True):
                np.testing.assert_array_equal(split, alone, err_msg=name)
    finally:
        numba.set_num_threads(previous)


def test_a_workers_exception_reaches_the_caller_after_every_call_ended():
    ended = []
    with pytest.raises(ValueError, match="from a worker"):
        workers._side_by_side([lambda: ended.append("first"), _raise,
                               lambda: ended.append("third")])
    assert sorted(ended) == ["first", "third"]
    assert workers._side_by_side([lambda: 1, lambda: 2, lambda: 3]) == [1, 2, 3]


def _raise():
    raise ValueError("from a worker")


def test_threads_of_the_user_share_the_pool_safely():
    """Two threads splitting loops at once: one has the pool, the other runs its calls
    itself; both get every result."""
    import threading

    results = {}

    def user(name):
        results[name] = [workers._side_by_side([partial_sum(k) for k in range(3)])
                         for _ in range(200)]

    threads = [threading.Thread(target=user, args=(name,)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = [sum(range(k * 1000, (k + 1) * 1000)) for k in range(3)]
    assert all(run == expected for name in "ab" for run in results[name])


def partial_sum(k):
    return lambda: int(np.arange(k * 1000, (k + 1) * 1000).sum())


@pytest.fixture(params=["futex", "lock"])
def handoff_kind(request, monkeypatch):
    """A pool of its own whose workers take calls through the given hand-off."""
    from minidl.kernels.cpu import handoff

    if request.param == "futex" and not handoff.futex_handoffs_work():
        pytest.skip("no futex system call here")
    kind = handoff.FutexHandoff if request.param == "futex" else handoff.LockHandoff
    monkeypatch.setattr(workers, "new_handoff", kind)
    monkeypatch.setattr(workers, "_workers", [])
    return kind


def test_each_hand_off_passes_calls_and_results_in_order(handoff_kind):
    import time

    assert workers._side_by_side([partial_sum(k) for k in range(3)]) == [
        sum(range(k * 1000, (k + 1) * 1000)) for k in range(3)]
    assert all(isinstance(worker._handoff, handoff_kind) for worker in workers._workers)
    for gap in (0, 0.001, 0.3):     # the worker still spinning, asleep, asleep for long
        time.sleep(gap)
        assert workers._side_by_side([lambda: "first", lambda: gap]) == ["first", gap]


def test_a_caller_waits_for_a_worker_longer_than_its_wait_slices(handoff_kind):
    import time

    from minidl.kernels.cpu.handoff import WAIT_SLICE_NS

    def slow():
        time.sleep(2.5 * WAIT_SLICE_NS / 1e9)
        return "slow"

    assert workers._side_by_side([lambda: "quick", slow]) == ["quick", "slow"]


def test_call_numbers_wrap_within_an_int32_counter():
    from minidl.kernels.cpu.handoff import following

    assert [following(n) for n in (1, 2, (1 << 30) - 1, 1 << 30)] == [2, 3, 1 << 30, 1]


def test_an_interruption_while_waiting_comes_after_the_worker_ended(handoff_kind,
                                                                    monkeypatch):
    import threading
    import time

    workers._side_by_side([lambda: None, lambda: None])         # a worker exists
    handoff = workers._workers[0]._handoff
    wait_ended, interrupted = handoff.wait_ended, []

    def interrupted_once():         # the first wait is interrupted (as by Ctrl-C)
        if not interrupted:
            interrupted.append(True)
            raise KeyboardInterrupt
        wait_ended()

    monkeypatch.setattr(handoff, "wait_ended", interrupted_once)
    ended = threading.Event()

    def slow():
        time.sleep(0.05)
        ended.set()

    with pytest.raises(KeyboardInterrupt):
        workers._side_by_side([lambda: None, slow])
    assert ended.is_set()                                       # it waited for the worker
    assert workers._side_by_side([lambda: 1, lambda: 2]) == [1, 2]   # the pool still works


def _blas_threads():
    from threadpoolctl import threadpool_info

    return [library["num_threads"] for library in threadpool_info()
            if library["user_api"] == "blas"]


@pytest.mark.parametrize("items", [[1], [1, 2, 3]])
def test_blas_runs_on_one_thread_in_every_block(items):
    """A single block too: OpenBLAS's own threads, once woken, would spin on the other
    cores after each product and slow the next kernels' workers."""
    pytest.importorskip("threadpoolctl")
    before = _blas_threads()
    seen = workers.run_blocks(lambda block: _blas_threads(), items, THREADS)
    assert all(threads == 1 for block in seen for threads in block)
    assert _blas_threads() == before                         # and set back afterwards


def test_hand_offs_survive_tracemalloc_starting_and_stopping():
    """The hand-off allocates nothing without Python's lock: an allocation there, while
    tracemalloc traced NumPy's memory (as ``minidl bench train`` measures a step's peak),
    crashed the process.  Run in a process of its own, so that a crash fails this test
    alone."""
    import subprocess
    import sys
    import textwrap

    program = textwrap.dedent("""
        import time, tracemalloc
        import numpy as np
        from minidl.kernels.cpu import workers
        from minidl.kernels.cpu.activation import relu_forward

        workers.PARALLEL_MIN_WORK = 1
        x = np.ones(4096, np.float32)
        for k in range(40):
            tracemalloc.start()
            relu_forward(x)
            tracemalloc.stop()
            relu_forward(x)
            time.sleep(0.0005 * (k % 4))
        print("done")
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "done"


def test_a_system_without_working_futexes_hands_off_on_locks(monkeypatch):
    from minidl.kernels.cpu import handoff

    handoff.futex_handoffs_work.cache_clear()
    monkeypatch.setattr(handoff, "FUTEX_AVAILABLE", False)
    try:
        assert isinstance(handoff.new_handoff(), handoff.LockHandoff)
        assert not workers.split_pays(workers.PARALLEL_MIN_WORK // 2)
    finally:
        handoff.futex_handoffs_work.cache_clear()
    assert isinstance(handoff.new_handoff(), handoff.FutexHandoff) == handoff.FUTEX_AVAILABLE
