"""Tensor operations: float64 gradient checks, PyTorch parity, and errors for bad input."""
import numpy as np
import pytest
from helpers import assert_close, compare_with_torch, leaf, untied

import minidl
from minidl import gradcheck

# (name, function of minidl tensors, shapes of the inputs, input range)
UNARY = [
    ("exp", lambda x: x.exp(), (-2, 2)),
    ("log", lambda x: x.log(), (0.2, 3)),
    ("sqrt", lambda x: x.sqrt(), (0.2, 3)),
    ("abs", lambda x: x.abs(), (-2, 2)),
    ("neg", lambda x: -x, (-2, 2)),
    ("clamp", lambda x: x.clamp(-0.5, 0.7), (-2, 2)),
    ("clamp_min", lambda x: x.clamp(min=0.1), (-2, 2)),
    ("sigmoid", lambda x: x.sigmoid(), (-4, 4)),
    ("tanh", lambda x: x.tanh(), (-3, 3)),
    ("relu", lambda x: x.relu(), (-2, 2)),
    ("pow_scalar", lambda x: x ** 3, (-2, 2)),
    ("pow_fraction", lambda x: x ** 0.5, (0.2, 2)),
    ("rpow", lambda x: 2.0 ** x, (-2, 2)),
    ("sum_all", lambda x: x.sum(), (-2, 2)),
    ("sum_dim", lambda x: x.sum(1), (-2, 2)),
    ("sum_dims_keep", lambda x: x.sum((0, 2), keepdim=True), (-2, 2)),
    ("mean_dim", lambda x: x.mean(-1), (-2, 2)),
    ("mean_all", lambda x: x.mean(), (-2, 2)),
    ("var_dim", lambda x: x.var(1), (-2, 2)),
    ("var_biased", lambda x: x.var(0, unbiased=False, keepdim=True), (-2, 2)),
    ("std", lambda x: x.std(2), (-2, 2)),
    ("max_all", lambda x: x.max(), (-2, 2)),
    ("max_dim", lambda x: x.max(1).values, (-2, 2)),
    ("min_dim_keep", lambda x: x.min(2, keepdim=True).values, (-2, 2)),
    ("amax_dims", lambda x: x.amax((0, 2)), (-2, 2)),
    ("amin", lambda x: x.amin(-1), (-2, 2)),
    ("reshape", lambda x: x.reshape(4, -1) * 1.5, (-2, 2)),
    ("view_flatten", lambda x: x.flatten(1) * 1.5, (-2, 2)),
    ("permute", lambda x: x.permute(2, 0, 1) * 1.5, (-2, 2)),
    ("transpose", lambda x: x.transpose(0, 2) * 1.5, (-2, 2)),
    ("squeeze_unsqueeze", lambda x: x.unsqueeze(1).squeeze(1) * 1.5, (-2, 2)),
    ("expand", lambda x: x[:, :1].expand(2, 3, 4), (-2, 2)),
    ("getitem_basic", lambda x: x[1, ::2, 1:3], (-2, 2)),
    ("getitem_negative_none", lambda x: x[..., -1, None], (-2, 2)),
    ("getitem_int_array", lambda x: x[[0, 1, 1], [2, 0, 2]], (-2, 2)),
    ("getitem_repeated", lambda x: x[:, [0, 0, 2, 0]], (-2, 2)),
    ("getitem_bool_mask", lambda x: x[x.detach() > 0], (-2, 2)),
    ("gather", lambda x: x.gather(2, minidl.tensor(np.array([[[0, 3], [1, 1], [2, 0]]] * 2))),
     (-2, 2)),
    ("gather_one_per_line", lambda x: x.gather(1, minidl.tensor(np.array([[[2, 0, 1, 2]]] * 2))),
     (-2, 2)),
    ("softmax", lambda x: x.softmax(1), (-3, 3)),
    ("log_softmax", lambda x: x.log_softmax(-1), (-3, 3)),
    ("masked_fill", lambda x: x.masked_fill(x.detach() > 0.5, 0.25), (-2, 2)),
]


@pytest.mark.parametrize("name,fn,domain", UNARY, ids=[u[0] for u in UNARY])
def test_unary_gradcheck(name, fn, domain, rng):
    x = leaf(untied(rng, 2, 3, 4, low=domain[0], high=domain[1]))
    assert gradcheck(fn, (x,))


BINARY = [
    ("add_broadcast", lambda a, b: a + b, (2, 3, 4), (3, 1)),
    ("sub_broadcast", lambda a, b: a - b, (4,), (2, 3, 4)),
    ("mul_broadcast", lambda a, b: a * b, (2, 1, 4), (3, 1)),
    ("div", lambda a, b: a / b, (2, 3), (2, 3)),
    ("pow_tensor", lambda a, b: a ** b, (2, 3), (3,)),
    ("matmul_2d", lambda a, b: a @ b, (3, 4), (4, 2)),
    ("matmul_batched_broadcast", lambda a, b: a @ b, (2, 3, 4), (4, 5)),
    ("matmul_vec_mat", lambda a, b: a @ b, (4,), (4, 3)),
    ("matmul_mat_vec", lambda a, b: a @ b, (2, 3, 4), (4,)),
    ("matmul_vec_vec", lambda a, b: a @ b, (4,), (4,)),
    ("cat", lambda a, b: minidl.cat([a, b, a], dim=1), (2, 3), (2, 1)),
    ("stack", lambda a, b: minidl.stack([a, b], dim=-1), (2, 3), (2, 3)),
    ("where", lambda a, b: minidl.where(a.detach() > 0, a, b), (2, 3), (3,)),
]


@pytest.mark.parametrize("name,fn,shape_a,shape_b", BINARY, ids=[b[0] for b in BINARY])
def test_binary_gradcheck(name, fn, shape_a, shape_b, rng):
    low = 0.3 if name in ("pow_tensor", "div") else -2
    a = leaf(untied(rng, *shape_a, low=low))
    b = leaf(untied(rng, *shape_b, low=low))
    assert gradcheck(fn, (a, b))


def _torch_twin(torch, fn_name):
    """The same computation written with PyTorch."""
    return {
        "max_dim": lambda x: x.max(1).values,
        "min_dim_keep": lambda x: x.min(2, keepdim=True).values,
        "var_biased": lambda x: x.var(0, unbiased=False, keepdim=True),
        "amax_dims": lambda x: x.amax((0, 2)),
        "gather": lambda x: x.gather(2, torch.tensor(np.array([[[0, 3], [1, 1], [2, 0]]] * 2))),
        "gather_one_per_line": lambda x: x.gather(1, torch.tensor(np.array([[[2, 0, 1, 2]]] * 2))),
        "getitem_bool_mask": lambda x: x[x.detach() > 0],
        "masked_fill": lambda x: x.masked_fill(x.detach() > 0.5, 0.25),
        "expand": lambda x: x[:, :1].expand(2, 3, 4),
    }.get(fn_name)


@pytest.mark.parametrize("name,fn,domain", UNARY, ids=[u[0] for u in UNARY])
def test_unary_matches_torch(name, fn, domain, rng, torch):
    values = untied(rng, 2, 3, 4, low=domain[0], high=domain[1])
    twin = _torch_twin(torch, name) or fn  # most expressions read the same in both engines
    compare_with_torch(torch, fn, twin, [values], rng)


def test_max_with_ties_shares_gradient_like_torch(torch):
    values = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    x, tx = leaf(values), torch.tensor(values, requires_grad=True)
    x.max().backward()
    tx.max().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    x.grad = None
    x.amax(1).sum().backward()
    tx.grad = None
    tx.amax(1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_max_dim_returns_values_and_indices():
    x = minidl.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    values, indices = x.max(dim=1)
    assert values.tolist() == [5.0, 7.0]
    assert indices.tolist() == [1, 0]
    assert indices.dtype == np.int64
    assert x.argmax().item() == 3
    assert x.argmin(0, keepdim=True).tolist() == [[0, 1, 0]]


def test_gradient_accumulates_over_backward_calls_and_paths():
    x = leaf([1.0, 2.0])
    y = x * x + x  # two paths to x
    y.sum().backward(retain_graph=True)
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 5.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 10.0])


def test_backward_twice_without_retain_graph_fails():
    x = leaf([1.0, 2.0])
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_diamond_graph_topological_order():
    # x feeds two branches that meet again: each node must run after all its consumers.
    x = leaf([0.5, -1.0])
    a = x.exp()
    b = a * 2
    c = a * a
    loss = (b + c).sum()
    loss.backward()
    expected = 2 * np.exp([0.5, -1.0]) + 2 * np.exp([0.5, -1.0]) ** 2
    np.testing.assert_allclose(x.grad.numpy(), expected)


def test_deep_graph_does_not_hit_recursion_limit():
    x = leaf([1.0])
    y = x
    for _ in range(5000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.item() == 1.0


def test_no_grad_records_nothing_and_detach_cuts_graph():
    x = leaf([1.0, 2.0])
    with minidl.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    z = (x * 2).detach()
    assert not z.requires_grad
    assert (x * 2).requires_grad

    @minidl.no_grad()
    def double(t):
        return t * 2
    assert not double(x).requires_grad
    with minidl.no_grad():
        with minidl.enable_grad():
            assert (x * 2).requires_grad



def test_set_grad_enabled_as_call_block_and_decorator():
    x = leaf([1.0, 2.0])
    minidl.set_grad_enabled(False)                 # a plain call switches at once
    try:
        assert not minidl.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        minidl.set_grad_enabled(True)
    assert minidl.is_grad_enabled()
    with minidl.set_grad_enabled(False):
        assert not (x * 2).requires_grad
        with minidl.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not minidl.is_grad_enabled()
    assert minidl.is_grad_enabled()

    @minidl.set_grad_enabled(False)
    def double(t):
        return t * 2
    assert minidl.is_grad_enabled()                # decorating switches nothing yet
    assert not double(x).requires_grad and minidl.is_grad_enabled()


def test_function_with_several_outputs_records_only_the_float_one():
    class SortedWithOrder(minidl.autograd.Function):
        """(sorted x, the int64 order): dL/dx puts each gradient back where it came from."""

        def forward(self, x):
            self.order = np.argsort(x)
            return x[self.order], self.order

        def backward(self, grad):
            result = np.empty_like(grad)
            result[self.order] = grad
            return result

    x = leaf([3.0, 1.0, 2.0])
    values, order = SortedWithOrder.apply(x)
    assert values.grad_fn is not None and order.grad_fn is None
    assert not order.requires_grad and order.dtype == np.int64
    (values * minidl.tensor([1.0, 10.0, 100.0], dtype="float64")).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]
    with minidl.no_grad():
        values, order = SortedWithOrder.apply(x)
    assert values.grad_fn is None and order.tolist() == [1, 2, 0]

def test_requires_grad_propagation():
    a = minidl.tensor([1.0, 2.0])
    b = minidl.tensor([3.0, 4.0], requires_grad=True)
    assert not (a * 2).requires_grad
    assert (a * b).requires_grad
    assert (a * b).grad_fn is not None
    assert b.is_leaf and not (a * b).is_leaf


def test_retain_grad_keeps_non_leaf_gradient():
    x = leaf([1.0, 2.0])
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [6.0, 12.0])
    np.testing.assert_allclose(x.grad.numpy(), [18.0, 36.0])


def test_dtypes_follow_torch_defaults():
    assert minidl.tensor([1.0, 2.0]).dtype == np.float32
    assert minidl.tensor(np.array([1.0, 2.0])).dtype == np.float64
    assert minidl.tensor([1, 2]).dtype == np.int64
    assert minidl.zeros(2, 3).dtype == np.float32
    assert minidl.randn(2, dtype=minidl.float64).dtype == np.float64
    x = minidl.tensor([1.0, 2.0])
    assert (x * 2.5).dtype == np.float32
    assert (x + 1).dtype == np.float32
    assert minidl.arange(5).dtype == np.int64
    assert minidl.arange(0.0, 1.0, 0.25).dtype == np.float32
    assert x.double().dtype == np.float64


def test_cast_is_differentiable():
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    y = x.double() * 3
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


def test_manual_seed_repeats_random_draws():
    minidl.manual_seed(7)
    a = minidl.randn(3, 4).numpy().copy()
    minidl.manual_seed(7)
    b = minidl.randn(3, 4).numpy()
    np.testing.assert_array_equal(a, b)
    minidl.manual_seed(8)
    assert not np.array_equal(a, minidl.randn(3, 4).numpy())


def test_creation_functions():
    assert minidl.ones(2, 3).sum().item() == 6
    assert minidl.full((2, 2), 3.5).tolist() == [[3.5, 3.5], [3.5, 3.5]]
    assert minidl.zeros_like(minidl.ones(4, dtype=minidl.float64)).dtype == np.float64
    assert minidl.eye(3).sum().item() == 3
    assert minidl.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    r = minidl.randint(0, 5, (100,))
    assert r.dtype == np.int64 and 0 <= r.min().item() and r.max().item() < 5
    assert sorted(minidl.randperm(6).tolist()) == list(range(6))
    u = minidl.rand(1000)
    assert 0 <= u.min().item() and u.max().item() < 1


def test_comparisons_and_item():
    x = minidl.tensor([1.0, 2.0, 3.0])
    assert (x > 1.5).tolist() == [False, True, True]
    assert (x == minidl.tensor([1.0, 0.0, 3.0])).tolist() == [True, False, True]
    assert x.sum().item() == 6.0 and float(x[0]) == 1.0
    assert len(x) == 3 and [t.item() for t in x] == [1.0, 2.0, 3.0]


def test_inplace_on_leaf_requiring_grad_is_refused():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="in-place"):
        x.zero_()
    with pytest.raises(RuntimeError, match="in-place"):
        x[0] = 3.0
    with minidl.no_grad():
        x[0] = 3.0
    assert x.tolist() == [3.0, 2.0]


def test_gradients_of_different_leaves_never_share_memory():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()  # Add hands the same array to both inputs
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    with minidl.no_grad():
        a.grad.array *= 10
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])
    seed = minidl.tensor(np.array([2.0, 5.0]))
    c = leaf([1.0, 1.0])
    (c * 1.0).backward(seed)
    c.grad.array[0] = 0.0
    assert seed.tolist() == [2.0, 5.0]  # the caller's gradient array is never reused


def test_log_softmax_along_a_middle_axis_gradcheck_and_torch(rng, torch):
    x = minidl.tensor(rng.standard_normal((3, 4, 2, 5)), requires_grad=True)
    assert gradcheck(lambda t: t.log_softmax(1), (x,))
    ours = x.detach().log_softmax(1).numpy()
    theirs = torch.from_numpy(x.detach().numpy()).log_softmax(1).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "float64 gradient",
                                    "channel slice", "reversed rows"])
def test_relu_backward_kernel_matches_the_reference(layout, rng):
    """The Numba pass (above the parallel threshold) against the reference's mask product,
    with dL/dy contiguous or a channel slice of a larger gradient (a concatenation's
    backward pass hands those out); other layouts and mixed dtypes take the reference's
    path."""
    from minidl.kernels import cpu, reference

    y = np.maximum(rng.standard_normal((300, 200)), 0).astype(np.float32)
    y[::7, ::3] = 0.0
    grad = rng.standard_normal((300, 200)).astype(np.float32)
    if layout == "transposed":
        y, grad = y.T, grad.T
    elif layout == "float64 gradient":
        grad = grad.astype(np.float64)
    elif layout == "channel slice":
        y = y.reshape(30, 5, 20, 20)
        grad = rng.standard_normal((30, 9, 20, 20)).astype(np.float32)[:, 3:8]
    elif layout == "reversed rows":
        grad = grad[::-1]
    ours, theirs = cpu.relu_backward(y, grad), reference.relu_backward(y, grad)
    assert ours.dtype == theirs.dtype and ours.shape == y.shape
    np.testing.assert_array_equal(ours, theirs)
    assert np.all(ours[y == 0] == 0) and np.all(ours[y > 0] == grad[y > 0])


@pytest.mark.parametrize("side", ["_product_rows", "_product_columns"])
def test_product_into_writes_a_block_of_a_larger_matrix_from_transposed_views(
        side, monkeypatch, rng):
    """``product_into`` (Winograd's filter transforms): out a block of columns of a larger
    array, the operands transposed views, split between two workers; nothing outside the
    block is written."""
    from minidl.kernels.cpu import linalg

    blocks_run = []
    run_blocks = linalg.run_blocks
    monkeypatch.setattr(linalg, "run_blocks", lambda work, items, workers: (
        blocks_run.append(work.func.__name__), run_blocks(work, items, workers))[1])
    monkeypatch.setattr(linalg, "worker_count", lambda: 2)
    rows, columns = (3000, 36) if side == "_product_rows" else (36, 3000)
    a = rng.standard_normal((90, rows)).astype(np.float32).T        # (rows, 90)
    b = rng.standard_normal((columns, 90)).astype(np.float32).T     # (90, columns)
    larger = np.full((rows, columns + 7), np.nan, np.float32)
    linalg.product_into(a, b, larger[:, 3:3 + columns])
    np.testing.assert_allclose(larger[:, 3:3 + columns], a @ b, rtol=1e-5, atol=1e-4)
    assert np.isnan(larger[:, :3]).all() and np.isnan(larger[:, 3 + columns:]).all()
    assert blocks_run == [side]


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape, axis", [((5, 7, 3, 4), 1), ((5, 7, 3, 4), 0), ((4, 9), -1),
                                         ((1, 6, 1), 1), ((11,), 0), ((3, 1, 2), 2)])
@pytest.mark.parametrize("grad_dtype", [np.float32, np.float64])
def test_softmax_kernels_split_in_blocks_match_the_reference(name, shape, axis, grad_dtype,
                                                             rng, monkeypatch):
    """The CPU kernels run the reference's passes on blocks side by side (forced here for
    tiny arrays); every block keeps the normalized axis whole, views and mixed dtypes
    included.  (NumPy may sum a block in another order than the whole: equal to rounding.)"""
    from minidl.kernels import cpu, reference
    from minidl.kernels.cpu import workers

    monkeypatch.setattr(workers, "PARALLEL_MIN_WORK", 1)
    x = (rng.standard_normal(shape[::-1]) * 20).astype(np.float32).T  # a transposed view
    grad = rng.standard_normal(shape).astype(grad_dtype)
    y = getattr(cpu, f"{name}_forward")(x, axis)
    expected = getattr(reference, f"{name}_forward")(x, axis)
    assert_close(y, expected, np.float32)
    grad_x = getattr(cpu, f"{name}_backward")(y, grad, axis)
    expected = getattr(reference, f"{name}_backward")(y, grad, axis)
    assert_close(grad_x, expected, np.result_type(np.float32, grad_dtype))


@pytest.mark.parametrize("shape, axis", [((6, 24, 8, 8), 1), ((2, 5, 17), 1), ((40, 3, 16), 0),
                                         ((3, 2, 33), -2), ((7, 16), 0)])
@pytest.mark.parametrize("split", [False, True])
def test_log_softmax_kernels_in_vectors_match_the_reference(shape, axis, split, rng,
                                                            monkeypatch):
    """float32 with at least 16 positions after the axis: the compiled loops, 16 positions a
    vector (a last short group masked), on one thread or shared; huge scores, -inf, +inf
    and NaN give what the reference gives."""
    from minidl.kernels import cpu, reference
    from minidl.kernels.cpu import softmax, workers

    if split:
        monkeypatch.setattr(workers, "PARALLEL_MIN_WORK", 1)
    x = (rng.standard_normal(shape) * 30).astype(np.float32)
    flat = x.reshape(-1)
    flat[:4] = [1e30, -np.inf, np.inf, np.nan]
    assert softmax._lines_vectorize([x], axis)
    with np.errstate(invalid="ignore"):
        y, expected = cpu.log_softmax_forward(x, axis), reference.log_softmax_forward(x, axis)
        assert_close(y, expected, np.float32)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(expected))
    grad = rng.standard_normal(shape).astype(np.float32)
    flat[:4] = 0
    y = reference.log_softmax_forward(x * 0.1, axis)        # finite log-probabilities
    assert_close(cpu.log_softmax_backward(y, grad, axis),
                 reference.log_softmax_backward(y, grad, axis), np.float32)


def test_log_softmax_keeps_the_numpy_passes_for_few_positions_or_float64():
    from minidl.kernels.cpu import softmax

    assert not softmax._lines_vectorize([np.ones((64, 10), np.float32)], 1)
    assert not softmax._lines_vectorize([np.ones((2, 3, 16), np.float64)], 1)
    assert not softmax._lines_vectorize([np.ones((2, 3, 16), np.float32),
                                         np.ones((2, 3, 16), np.float64)], 1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_relu_forward_kernel_matches_the_reference(layout, dtype, rng):
    """The Numba pass (above the parallel threshold) against NumPy's maximum, NaN, ±inf and
    ±0 included; a transposed view takes the reference's path."""
    from minidl.kernels import cpu, reference

    x = rng.standard_normal((300, 200)).astype(dtype)
    x[0, :6] = [np.nan, np.inf, -np.inf, -0.0, 0.0, -np.nan]
    if layout == "transposed":
        x = x.T
    ours, theirs = cpu.relu_forward(x), reference.relu_forward(x)
    assert ours.dtype == theirs.dtype == dtype and ours.shape == x.shape
    np.testing.assert_array_equal(ours, theirs)  # NaN where theirs has NaN
    assert np.isnan(ours).sum() == 2 and np.all(ours[~np.isnan(ours)] >= 0)


@pytest.mark.parametrize("a_shape, b_shape, layout", [
    ((300, 600), (600, 100), "c"),       # split over the workers' rows
    ((64, 1100), (1100, 130), "c"),      # a batch's rows, a layer's columns: by columns
    ((1100, 64), (130, 1100), "t"),      # the same on transposed views
    ((4, 70, 400), (400, 90), "c"),      # leading axes flattened into rows
    ((400, 300), (100, 400), "t"),       # transposed views (a linear layer's weight)
    ((5, 7), (7, 3), "c"),               # small: one thread
    ((0, 7), (7, 3), "c"),               # no rows
    ((5, 0), (0, 3), "c"),               # nothing to sum: zeros
])
def test_matmul_kernel_matches_the_reference(a_shape, b_shape, layout, rng):
    from minidl.kernels import cpu, reference

    a = rng.standard_normal(a_shape).astype(np.float32)
    b = rng.standard_normal(b_shape).astype(np.float32)
    if layout == "t":
        a, b = a.T, b.T
    ours = cpu.matmul(a, b)
    assert ours.dtype == np.float32 and ours.flags.c_contiguous
    np.testing.assert_allclose(ours, reference.matmul(a, b), rtol=1e-5, atol=1e-4)
    mixed = cpu.matmul(a, b.astype(np.float64))  # mixed dtypes: the reference promotes
    assert mixed.dtype == np.float64


@pytest.mark.parametrize("a_shape, b_shape, side", [
    ((300, 600), (600, 100), "_product_rows"), ((64, 1100), (1100, 130), "_product_columns"),
    ((64, 400), (400, 90), None)])       # under SPLIT_MIN_FLOPS: the calling thread
def test_matmul_splits_the_longer_side_of_a_large_product(a_shape, b_shape, side,
                                                           monkeypatch, rng):
    from minidl.kernels.cpu import linalg

    blocks_run = []
    run_blocks = linalg.run_blocks
    monkeypatch.setattr(linalg, "run_blocks", lambda work, items, workers: (
        blocks_run.append((work.func.__name__, items)), run_blocks(work, items, workers))[1])
    monkeypatch.setattr(linalg, "worker_count", lambda: 2)
    a = rng.standard_normal(a_shape).astype(np.float32)
    b = rng.standard_normal(b_shape).astype(np.float32)
    np.testing.assert_allclose(linalg.matmul(a, b), a @ b, rtol=1e-5, atol=1e-4)
    if side is None:
        assert blocks_run == []
    else:
        length = a_shape[0] if side == "_product_rows" else b_shape[1]
        assert blocks_run == [(side, [(0, length // 2), (length // 2, length)])]


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_a_0d_tensor_matches_torch(name, torch):
    x = minidl.tensor(0.3, dtype=minidl.float64, requires_grad=True)
    t = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    y, u = getattr(x, name)(0), getattr(torch, name)(t, -1)
    (y * 3).backward()
    (u * 3).backward()
    assert y.shape == () and y.item() == u.item() and x.grad.item() == t.grad.item()
    assert minidl.gradcheck(lambda a: getattr(minidl, name)(a, -1), (x.detach().requires_grad_(),))
    with pytest.raises(IndexError, match="dimension out of range"):
        getattr(minidl, name)(x, 1)
