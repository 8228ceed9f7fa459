"""Scatter and index ops: scatter_add, scatter_reduce (every reduction, with and without
self), scatter with reduce, index_fill, index_copy, index_put (with accumulation),
masked_scatter, take, select, argwhere, isin, unique_consecutive, tril/triu_indices and
fill_diagonal_.  PyTorch parity of values and gradients on float64 inputs with repeated
indices, negative dims, 1-D and 3-D inputs and empty indices; float64 gradient checks;
the in-place forms; and the errors for bad shapes and indices."""
import warnings

import numpy as np
import pytest
from helpers import assert_close, compare_with_torch, leaf

import minidl
from minidl import gradcheck

REDUCTIONS = ["sum", "prod", "mean", "amax", "amin"]


def _ints(values):
    return np.asarray(values, dtype=np.int64)


def _with(m, array):
    """An integer or bool array as module ``m``'s tensor."""
    return m.tensor(array)


# (name, fn(module, *float tensors), float input arrays) for compare_with_torch
def _cases(rng):
    x34 = rng.standard_normal((3, 4))
    x3d = rng.standard_normal((2, 3, 4))
    dup0 = _ints([[0, 1, 2, 0], [0, 1, 0, 2], [2, 2, 2, 2]])
    dup_last = _ints([[[3, 3, 0]], [[1, 1, 1]]])
    cases = [
        ("scatter_add_dim0_dups", lambda m, a, b: m.scatter_add(a, 0, _with(m, dup0), b),
         [x34, rng.standard_normal((3, 4))]),
        ("scatter_add_neg_dim_3d", lambda m, a, b: a.scatter_add(-1, _with(m, dup_last), b),
         [x3d, rng.standard_normal((2, 1, 3))]),
        ("scatter_add_1d", lambda m, a, b: a.scatter_add(0, _with(m, _ints([4, 0, 4, 4])), b),
         [rng.standard_normal(5), rng.standard_normal(4)]),
        ("scatter_add_empty", lambda m, a, b: a.scatter_add(
            1, _with(m, np.zeros((3, 0), np.int64)), b), [x34, np.zeros((3, 0))]),
        ("scatter_add_0d", lambda m, a, b: a.scatter_add(0, _with(m, np.int64(0)), b),
         [np.array(2.0), np.array(-1.5)]),
        ("index_fill", lambda m, a: a.index_fill(1, _with(m, _ints([0, 2, 0, -1])), -2.5),
         [x34]),
        ("index_fill_tensor_value", lambda m, a, v: m.index_fill(
            a, -2, _with(m, _ints([1, 1, 0])), v), [x3d, np.array(1.5)]),
        ("index_fill_empty", lambda m, a: a.index_fill(0, _with(m, _ints([])), 3.0), [x34]),
        ("index_copy", lambda m, a, s: a.index_copy(1, _with(m, _ints([3, 0])), s),
         [x34, rng.standard_normal((3, 2))]),
        ("index_copy_3d_neg_dim", lambda m, a, s: m.index_copy(
            a, -3, _with(m, _ints([1])), s), [x3d, rng.standard_normal((1, 3, 4))]),
        ("index_copy_1d", lambda m, a, s: a.index_copy(0, _with(m, _ints([2, 0, 4])), s),
         [rng.standard_normal(5), rng.standard_normal(3)]),
        ("index_put", lambda m, a, v: a.index_put(
            (_with(m, _ints([0, 2])), _with(m, _ints([1, 3]))), v), [x34, rng.standard_normal(2)]),
        ("index_put_broadcast_rows", lambda m, a, v: m.index_put(
            a, (_with(m, _ints([2, 0])),), v), [x34, rng.standard_normal(4)]),
        ("index_put_accumulate_dups", lambda m, a, v: a.index_put(
            (_with(m, _ints([0, 2, 0, 0])), _with(m, _ints([1, 3, 1, 1]))), v, accumulate=True),
         [x34, rng.standard_normal(4)]),
        ("index_put_accumulate_3d_broadcast", lambda m, a, v: a.index_put(
            (_with(m, _ints([1, 1, 0])),), v, accumulate=True), [x3d, rng.standard_normal((1, 4))]),
        ("index_put_bool", lambda m, a, v: a.index_put(
            (_with(m, np.array([True, False, True])),), v), [x34, rng.standard_normal((2, 4))]),
        ("index_put_neg", lambda m, a, v: a.index_put((_with(m, _ints([-1, -3])),), v,
                                                      accumulate=True), [x34, np.array(2.0)]),
        ("masked_scatter", lambda m, a, s: a.masked_scatter(
            _with(m, np.array([[True, False, True, True], [False] * 4, [True] * 4])), s),
         [x34, rng.standard_normal((3, 4))]),
        ("masked_scatter_broadcast_mask", lambda m, a, s: m.masked_scatter(
            a, _with(m, np.array([False, True, True, False])), s),
         [x3d, rng.standard_normal(14)]),
        ("masked_scatter_broadcast_self", lambda m, a, s: a.masked_scatter(
            _with(m, np.array([[True], [False]])), s), [rng.standard_normal(3),
                                                        rng.standard_normal((2, 2))]),
        ("take", lambda m, a: m.take(a, _with(m, _ints([[0, 11], [-1, 5], [5, 5]]))), [x34]),
        ("take_0d_index", lambda m, a: a.take(_with(m, np.int64(-2))), [x3d]),
        ("select", lambda m, a: a.select(1, 2), [x34]),
        ("select_neg", lambda m, a: m.select(a, -1, -4) * 2, [x3d]),
        ("scatter_reduce_rows_1d", lambda m, a, b: m.scatter_reduce(
            a, 0, _with(m, _ints([0, 0, 2, 2, 2])), b, "mean", include_self=False),
         [rng.standard_normal(4), rng.standard_normal(5)]),
    ]
    for reduce in REDUCTIONS:
        for include_self in (True, False):
            cases.append((f"scatter_reduce_{reduce}_{include_self}",
                          lambda m, a, b, r=reduce, s=include_self: a.scatter_reduce(
                              0, _with(m, dup0), b, r, include_self=s),
                          [x34, rng.standard_normal((3, 4))]))
            cases.append((f"scatter_reduce_3d_{reduce}_{include_self}",
                          lambda m, a, b, r=reduce, s=include_self: m.scatter_reduce(
                              a, -1, _with(m, dup_last), b, r, include_self=s),
                          [x3d, rng.standard_normal((2, 1, 3))]))
    return cases


CASE_NAMES = [name for name, _, _ in _cases(np.random.default_rng(0))]


@pytest.mark.parametrize("position", range(len(CASE_NAMES)), ids=CASE_NAMES)
def test_matches_torch(position, rng, torch):
    name, fn, arrays = _cases(np.random.default_rng(7))[position]
    compare_with_torch(torch, lambda *t: fn(minidl, *t), lambda *t: fn(torch, *t), arrays, rng)


@pytest.mark.parametrize("reduce", ["prod", "amax", "amin", "mean"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_ties_and_zeros_match_torch(reduce, include_self, rng, torch):
    """Zeros in a product (one and several in a group) and ties of the max/min, also
    between self and src: the gradients PyTorch gives."""
    x = np.array([[0.0, 2.0, 3.0], [1.0, 5.0, -1.0]])
    src = np.array([[0.0, 2.0, 0.0], [2.0, 5.0, 3.0], [0.0, 2.0, -1.0]])
    index = _ints([[0, 0, 1], [0, 1, 1], [1, 0, 1]])
    compare_with_torch(
        torch, lambda a, b: a.scatter_reduce(0, minidl.tensor(index), b, reduce,
                                             include_self=include_self),
        lambda a, b: a.scatter_reduce(0, torch.tensor(index), b, reduce,
                                      include_self=include_self), [x, src], rng)


@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_scatter_reduce_integers_match_torch(reduce, torch):
    x = np.array([[5, -7, 2], [1, 0, 9]])
    src = np.array([[3, 4, -6], [-5, 2, 8], [7, -1, 1]])
    index = _ints([[0, 0, 1], [0, 1, 1], [1, 0, 1]])
    for include_self in (True, False):
        ours = minidl.tensor(x).scatter_reduce(0, minidl.tensor(index), minidl.tensor(src),
                                               reduce, include_self=include_self)
        theirs = torch.tensor(x).scatter_reduce(0, torch.tensor(index), torch.tensor(src),
                                                reduce, include_self=include_self)
        assert ours.dtype == minidl.int64
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_scatter_reduce_gradcheck(reduce, rng):
    index = minidl.tensor(_ints([[0, 1, 2, 0], [2, 1, 0, 0], [0, 0, 0, 1]]))
    x, src = leaf(rng.uniform(0.5, 2, (3, 4))), leaf(rng.uniform(0.5, 2, (3, 4)))
    for include_self in (True, False):
        assert gradcheck(lambda a, b, s=include_self: a.scatter_reduce(
            0, index, b, reduce, include_self=s), (x, src))


def test_gradchecks(rng):
    x, x3 = leaf(rng.standard_normal((3, 4))), leaf(rng.standard_normal((2, 3, 4)))
    index = minidl.tensor(_ints([[0, 1, 2, 0], [0, 0, 0, 2]]))
    assert gradcheck(lambda a, b: a.scatter_add(0, index, b),
                     (x, leaf(rng.standard_normal((2, 5)))))
    assert gradcheck(lambda a, v: a.index_fill(1, minidl.tensor(_ints([1, 1])), v),
                     (x, leaf(np.array(0.5))))
    assert gradcheck(lambda a, s: a.index_copy(-1, minidl.tensor(_ints([3, 1])), s),
                     (x3, leaf(rng.standard_normal((2, 3, 2)))))
    rows, cols = minidl.tensor(_ints([0, 0, 2])), minidl.tensor(_ints([1, 1, 3]))
    assert gradcheck(lambda a, v: a.index_put((rows, cols), v, accumulate=True),
                     (x, leaf(rng.standard_normal(1))))
    rows, cols = minidl.tensor(_ints([0, 1, 2])), minidl.tensor(_ints([1, 1, 3]))
    assert gradcheck(lambda a, v: a.index_put((rows, cols), v), (x, leaf(rng.standard_normal(3))))
    mask = minidl.tensor(rng.standard_normal((3, 4)) > 0)
    assert gradcheck(lambda a, s: a.masked_scatter(mask, s),
                     (x, leaf(rng.standard_normal(13))))
    assert gradcheck(lambda a: a.take(minidl.tensor(_ints([1, 1, -1]))), (x,))
    assert gradcheck(lambda a: a.select(-2, 1), (x3,))
    assert gradcheck(lambda a: a.clone().fill_diagonal_(2.0), (x,))


def test_in_place_forms_match_and_return_self(rng, torch):
    x = rng.standard_normal((3, 4))
    index = _ints([[0, 1, 2, 0], [0, 1, 0, 2]])
    src = rng.standard_normal((2, 4))
    mask = np.array([[True, False, True, True], [False] * 4, [True] * 4])
    ops = [
        ("scatter_add_", lambda m: (0, _with(m, index), m.tensor(src))),
        ("scatter_reduce_", lambda m: (0, _with(m, index), m.tensor(src), "amax")),
        ("index_fill_", lambda m: (1, _with(m, _ints([0, 3])), 7.0)),
        ("index_copy_", lambda m: (0, _with(m, _ints([2, 0])), m.tensor(src))),
        ("index_put_", lambda m: ((_with(m, _ints([0, 0])),), m.tensor(src[0]), True)),
        ("masked_scatter_", lambda m: (_with(m, mask), m.tensor(rng.standard_normal(12)))),
        ("fill_diagonal_", lambda m: (-3.0,)),
    ]
    for name, arguments in ops:
        state = rng.bit_generator.state
        ours = minidl.tensor(x.copy())
        result = getattr(ours, name)(*arguments(minidl))
        rng.bit_generator.state = state
        theirs = torch.tensor(x.copy())
        getattr(theirs, name)(*arguments(torch))
        assert result is ours, name
        assert_close(ours, theirs.numpy(), err_msg=name)


def test_in_place_gradients_flow(rng, torch):
    """An in-place op on a non-leaf: gradients to the earlier value and the operand."""
    x, src = rng.standard_normal((3, 4)), rng.standard_normal((2, 4))
    index = _ints([[0, 1, 2, 0], [0, 1, 0, 2]])

    def run(m):
        a, b = m.tensor(x, requires_grad=True), m.tensor(src, requires_grad=True)
        c = a * 1.0
        c.scatter_reduce_(0, m.tensor(index), b, "mean", include_self=False)
        c = c * 1.0  # PyTorch's scatter_reduce backward reads its output
        c.index_put_((m.tensor(_ints([1, 1])),), b[0], accumulate=True)
        c.masked_scatter_(m.tensor(x > 0), b * 3)
        (c * m.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
        return c.detach().numpy(), a.grad.numpy(), b.grad.numpy()

    for ours, theirs in zip(run(minidl), run(torch)):
        assert_close(ours, theirs)


def test_scatter_with_reduce(rng, torch):
    x = rng.standard_normal((3, 4))
    index = _ints([[0, 1, 2, 0], [0, 1, 0, 2]])
    src = rng.standard_normal((2, 4))
    for reduce in ("add", "multiply"):
        ours = minidl.tensor(x).scatter(0, minidl.tensor(index), minidl.tensor(src),
                                        reduce=reduce)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch deprecates reduce with a src tensor
            theirs = torch.tensor(x).scatter(0, torch.tensor(index), torch.tensor(src),
                                             reduce=reduce)
        assert_close(ours, theirs.numpy())
        ours = minidl.tensor(x).scatter(1, minidl.tensor(index), 1.5, reduce=reduce)
        theirs = torch.tensor(x).scatter(1, torch.tensor(index), 1.5, reduce=reduce)
        assert_close(ours, theirs.numpy())
    with pytest.raises(RuntimeError, match="add or multiply"):
        minidl.tensor(x).scatter(0, minidl.tensor(index), 1.0, reduce="mean")
    a = minidl.tensor(x, requires_grad=True)
    out = a.scatter(0, minidl.tensor(index), 2.0, reduce="multiply")
    with pytest.raises(NotImplementedError, match="scatter with reduce"):
        out.sum().backward()


def test_take_argwhere_isin_unique_consecutive_triangles(rng, torch):
    x = rng.integers(-1, 2, (2, 3, 4)).astype(np.float64)
    assert_close(minidl.argwhere(minidl.tensor(x)), torch.argwhere(torch.tensor(x)).numpy())
    assert_close(minidl.tensor(x).argwhere(), torch.tensor(x).argwhere().numpy())
    for value in (0.0, 2.0):
        assert_close(minidl.argwhere(minidl.tensor(value)),
                     torch.argwhere(torch.tensor(value)).numpy())
    elements, tests = rng.integers(0, 6, (3, 4)), rng.integers(0, 6, 5)
    for invert in (False, True):
        ours = minidl.isin(minidl.tensor(elements), minidl.tensor(tests), invert=invert)
        theirs = torch.isin(torch.tensor(elements), torch.tensor(tests), invert=invert)
        assert ours.dtype == minidl.bool and ours.shape == theirs.shape
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(minidl.isin(minidl.tensor(elements), 3).numpy(),
                                  torch.isin(torch.tensor(elements), 3).numpy())
    np.testing.assert_array_equal(minidl.isin(2, minidl.tensor(tests)).numpy(),
                                  torch.isin(2, torch.tensor(tests)).numpy())
    unique = np.arange(6)
    np.testing.assert_array_equal(
        minidl.isin(minidl.tensor(unique), minidl.tensor(unique[::2]), assume_unique=True),
        torch.isin(torch.tensor(unique), torch.tensor(unique[::2]), assume_unique=True))
    runs = np.array([[1, 1, 2], [2, 2, 3], [1, 1, 3], [1, 1, 3]])
    for dim in (None, 0, 1, -1):
        for inverse in (False, True):
            for counts in (False, True):
                ours = minidl.unique_consecutive(minidl.tensor(runs), inverse, counts, dim)
                theirs = torch.unique_consecutive(torch.tensor(runs), return_inverse=inverse,
                                                  return_counts=counts, dim=dim)
                ours = ours if isinstance(ours, tuple) else (ours,)
                theirs = theirs if isinstance(theirs, tuple) else (theirs,)
                for a, b in zip(ours, theirs, strict=True):
                    assert a.shape == b.shape and a.dtype == minidl.int64
                    np.testing.assert_array_equal(a.numpy(), b.numpy())
    empty = minidl.tensor(np.zeros(0)).unique_consecutive(return_inverse=True,
                                                          return_counts=True)
    assert [tuple(t.shape) for t in empty] == [(0,), (0,), (0,)]
    for row, col, offset in [(3, 4, 0), (4, 3, 1), (4, 4, -2), (0, 3, 0), (3, 3, 5), (2, 5, -9)]:
        for name in ("tril_indices", "triu_indices"):
            ours = getattr(minidl, name)(row, col, offset)
            theirs = getattr(torch, name)(row, col, offset)
            assert ours.dtype == minidl.int64
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert minidl.tril_indices(3, 3, dtype=minidl.int32).dtype == minidl.int32


def test_select_is_a_view_and_fill_diagonal(torch):
    x = minidl.arange(12.0).reshape(3, 4)
    row = x.select(0, -1)
    row.fill_(0.0)
    assert x[2].sum().item() == 0.0
    assert x.select(1, 3).shape == (3,)
    for shape, wrap in [((3, 3), False), ((7, 3), True), ((7, 3), False), ((3, 5), True),
                        ((3, 3, 3), False), ((0, 0), False)]:
        ours = minidl.zeros(*shape).fill_diagonal_(2.5, wrap=wrap)
        theirs = torch.zeros(*shape).fill_diagonal_(2.5, wrap=wrap)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    with pytest.raises(RuntimeError, match="equal length"):
        minidl.zeros(2, 3, 3).fill_diagonal_(1)
    with pytest.raises(RuntimeError, match="larger than 1"):
        minidl.zeros(3).fill_diagonal_(1)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        minidl.zeros(2, 2, requires_grad=True).fill_diagonal_(1)


def test_errors():
    x = minidl.zeros(3, 4, dtype=minidl.float64)
    ones = minidl.ones(1, 4, dtype=minidl.float64)
    idx = minidl.tensor(_ints([[0, 1, 2, 5]]))
    with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 0 with size 3"):
        x.scatter_add(0, idx, ones)
    with pytest.raises(RuntimeError, match="index -1 is out of bounds"):
        x.scatter_reduce(0, minidl.tensor(_ints([[-1]])), ones, "sum")
    with pytest.raises(RuntimeError, match=r"index \[1, 5\] to be no larger than self \[3, 4\]"):
        x.scatter_add(0, minidl.tensor(_ints([[0] * 5])), minidl.ones(1, 5, dtype=minidl.float64))
    with pytest.raises(RuntimeError, match=r"no larger size than src \[1, 3\]"):
        x.scatter_add(0, minidl.tensor(_ints([[0] * 4])), minidl.ones(1, 3, dtype=minidl.float64))
    with pytest.raises(RuntimeError, match="same number of dimensions as self"):
        x.scatter_add(0, minidl.tensor(_ints([0])), minidl.ones(1, dtype=minidl.float64))
    with pytest.raises(RuntimeError, match="self.dtype to be equal to src.dtype"):
        x.scatter_add(0, minidl.tensor(_ints([[0]])), minidl.ones(1, 1, dtype=minidl.float32))
    with pytest.raises(RuntimeError, match="dtype int64 for index"):
        x.scatter_add(0, minidl.zeros(1, 1), ones)
    with pytest.raises(RuntimeError, match="sum, prod, mean, amax or amin, got max"):
        x.scatter_reduce(0, minidl.tensor(_ints([[0]])), ones, "max")
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        x.index_fill(0, minidl.tensor(_ints([0, 5])), 1.0)
    with pytest.raises(RuntimeError, match="vector/scalar"):
        x.index_fill(0, minidl.tensor(_ints([[0]])), 1.0)
    with pytest.raises(RuntimeError, match="0-dimensional value tensor"):
        x.index_fill(0, minidl.tensor(_ints([0])), minidl.ones(1, dtype=minidl.float64))
    with pytest.raises(IndexError, match="index -1 is out of bounds"):
        x.index_copy(0, minidl.tensor(_ints([0, -1])), minidl.ones(2, 4, dtype=minidl.float64))
    with pytest.raises(IndexError, match=r"Number of indices \(2\) should be equal to "
                                         r"source.size\(dim\) \(3\)"):
        x.index_copy(0, minidl.tensor(_ints([0, 1])), minidl.ones(3, 4, dtype=minidl.float64))
    with pytest.raises(RuntimeError, match="Destination slice shape: 4 at dimension 1"):
        x.index_copy(0, minidl.tensor(_ints([0, 1])), minidl.ones(2, 3, dtype=minidl.float64))
    with pytest.raises(IndexError, match="dimensionality must match"):
        x.index_copy(0, minidl.tensor(_ints([0, 1])), minidl.ones(8, dtype=minidl.float64))
    with pytest.raises(RuntimeError, match="same dtype"):
        x.index_copy(0, minidl.tensor(_ints([0])), minidl.ones(1, 4, dtype=minidl.float32))
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        x.index_put((minidl.tensor(_ints([0, 5])),), minidl.tensor(1.0, dtype=minidl.float64))
    with pytest.raises(RuntimeError, match="dtypes match"):
        x.index_put((minidl.tensor(_ints([0])),), minidl.tensor(1.0, dtype=minidl.float32))
    with pytest.raises(RuntimeError, match=r"value tensor of shape \[3\] cannot be broadcast "
                                           r"to indexing result of shape \[2, 4\]"):
        x.index_put((minidl.tensor(_ints([0, 1])),), minidl.ones(3, dtype=minidl.float64))
    with pytest.raises(IndexError, match=r"too many indices for tensor of dimension 2 \(got 3\)"):
        x.index_put((minidl.tensor(_ints([0])),) * 3, minidl.tensor(1.0, dtype=minidl.float64))
    with pytest.raises(RuntimeError, match="source < number of ones in mask"):
        x.masked_scatter(minidl.ones(3, 4, dtype=minidl.bool), minidl.ones(5, dtype=minidl.float64))
    with pytest.raises(RuntimeError, match="only supports boolean masks"):
        x.masked_scatter(minidl.ones(3, 4, dtype=minidl.uint8),
                         minidl.ones(12, dtype=minidl.float64))
    with pytest.raises(RuntimeError, match="same dtypes"):
        x.masked_scatter(minidl.ones(3, 4, dtype=minidl.bool),
                         minidl.ones(12, dtype=minidl.float32))
    with pytest.raises(RuntimeError, match="doesn't broadcast"):
        x.masked_scatter_(minidl.ones(2, 1, 4, dtype=minidl.bool),
                          minidl.ones(24, dtype=minidl.float64))
    with pytest.raises(IndexError, match="tried to access index 12 on a tensor of 12 elements"):
        minidl.take(x, minidl.tensor(_ints([12])))
    with pytest.raises(IndexError, match="tried to access index -13"):
        x.take(minidl.tensor(_ints([-13])))
    with pytest.raises(RuntimeError, match="Expected a long tensor for index"):
        x.take(minidl.tensor([1.0]))
    with pytest.raises(IndexError, match=r"index 4 out of range for tensor of size \[3, 4\] "
                                         r"at dimension 1"):
        x.select(1, 4)
    with pytest.raises(IndexError, match="index -5 out of range"):
        x.select(-1, -5)
    with pytest.raises(IndexError, match="0-dim tensor"):
        minidl.tensor(1.0).select(0, 0)
    with pytest.raises(RuntimeError, match="row must be non-negative, got -1"):
        minidl.tril_indices(-1, 3)
    with pytest.raises(RuntimeError, match="col must be non-negative"):
        minidl.triu_indices(3, -1)
    with pytest.raises(TypeError, match="elements or test_elements to be a Tensor"):
        minidl.isin(1, 2)
