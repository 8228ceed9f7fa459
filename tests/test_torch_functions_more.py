"""More of PyTorch's functions: runtime settings (inference_mode, threads, deterministic
flag, finfo/iinfo, result_type, can_cast), differentiable maths (einsum, logsumexp,
cumprod, diff, trigonometry, stacking, splitting, quantiles ...) and the counting and
sampling functions.  Float64 gradient checks, PyTorch parity of values and gradients on
small awkward shapes, result dtypes and argument errors."""
import numpy as np
import pytest
from helpers import compare_with_torch, leaf, untied

import minidl
from minidl import gradcheck


def _both(fn):
    """``fn(module, *tensors)`` as (minidl's function, a maker of PyTorch's)."""
    return (lambda *t: fn(minidl, *t)), (lambda torch: lambda *t: fn(torch, *t))


def _cat_outputs(m, outputs):
    return m.cat([o.reshape(-1) for o in outputs])


# (name, fn(module, *tensors) -> one tensor, shapes of the float64 inputs)
DIFFERENTIABLE = [
    ("einsum_matmul", lambda m, a, b: m.einsum("ij,jk->ik", a, b), [(3, 1), (1, 5)]),
    ("einsum_batch_ellipsis_implicit", lambda m, a, b: m.einsum("...ij,...jk", a, b),
     [(2, 3, 4), (1, 4, 5)]),
    ("einsum_sum_out_alone", lambda m, a: m.einsum("ij->j", a), [(3, 4)]),
    ("einsum_total", lambda m, a: m.einsum("i j ->", a), [(3, 4)]),
    ("einsum_outer_list", lambda m, a, b: m.einsum("i,j->ji", [a, b]), [(3,), (5,)]),
    ("einsum_three", lambda m, a, b, c: m.einsum("ij,jk,kl->li", a, b, c),
     [(2, 3), (3, 1), (1, 4)]),
    ("einsum_broadcast_one", lambda m, a, b: m.einsum("bij,bkj->bik", a, b),
     [(1, 2, 3), (4, 5, 3)]),
    ("logsumexp", lambda m, x: m.logsumexp(x, 1), [(2, 3, 5)]),
    ("logsumexp_dims_keepdim", lambda m, x: x.logsumexp((0, -1), keepdim=True), [(2, 3, 5)]),
    ("logsumexp_batch1", lambda m, x: m.logsumexp(x * 40, dim=-1), [(1, 7)]),
    ("outer", lambda m, a, b: m.outer(a, b), [(3,), (1,)]),
    ("cumprod", lambda m, x: m.cumprod(x, 1), [(2, 5, 3)]),
    ("cumprod_negative_dim", lambda m, x: x.cumprod(-1), [(1, 7)]),
    ("diff", lambda m, x: m.diff(x), [(3, 5)]),
    ("diff_twice_dim0", lambda m, x: x.diff(n=2, dim=0), [(5, 3)]),
    ("diff_prepend_append", lambda m, x, p, a: m.diff(x, dim=1, prepend=p, append=a),
     [(2, 3), (2, 1), (2, 2)]),
    ("repeat_interleave", lambda m, x: x.repeat_interleave(2, dim=1), [(2, 3)]),
    ("repeat_interleave_flat", lambda m, x: m.repeat_interleave(x, 3), [(2, 2)]),
    ("repeat_interleave_counts",
     lambda m, x: x.repeat_interleave(m.tensor([2, 0, 1]), dim=-1), [(2, 3)]),
    ("log2", lambda m, x: (x.abs() + 0.5).log2(), [(2, 3)]),
    ("log10", lambda m, x: m.log10(x.abs() + 0.5), [(2, 3)]),
    ("sinh", lambda m, x: m.sinh(x), [(2, 3)]),
    ("cosh", lambda m, x: x.cosh(), [(2, 3)]),
    ("asin", lambda m, x: m.asin(x * 0.4), [(2, 3)]),
    ("acos", lambda m, x: (x * 0.4).arccos(), [(2, 3)]),
    ("atan", lambda m, x: m.atan(x), [(2, 3)]),
    ("atan2", lambda m, y, x: m.atan2(y, x), [(2, 3), (3,)]),
    ("hypot", lambda m, a, b: a.hypot(b), [(1, 3), (2, 1)]),
    ("erf", lambda m, x: m.erf(x), [(2, 3)]),
    ("fmod", lambda m, a, b: m.fmod(a * 3, b.abs() + 0.3), [(2, 3), (2, 3)]),
    ("trace", lambda m, x: m.trace(x), [(3, 4)]),
    ("kron", lambda m, a, b: m.kron(a, b), [(2, 3), (3,)]),
    ("var_mean", lambda m, x: _cat_outputs(m, m.var_mean(x, 1)), [(2, 3)]),
    ("std_mean_correction", lambda m, x: _cat_outputs(m, m.std_mean(x, dim=(0, 2),
                                                                     correction=0,
                                                                     keepdim=True)),
     [(2, 3, 4)]),
    ("median", lambda m, x: x.median(), [(3, 4)]),
    ("median_dim", lambda m, x: m.median(x, -1, keepdim=True).values, [(2, 5)]),
    ("median_even", lambda m, x: x.median(0).values, [(4, 3)]),
    ("nanmean", lambda m, x: m.nanmean(x, 1), [(2, 3)]),
    ("take_along_dim", lambda m, x: m.take_along_dim(x, m.tensor([[2], [0]]), 1), [(2, 3)]),
    ("take_along_dim_broadcast",
     lambda m, x: x.take_along_dim(m.tensor([[[1, 0]]]), -1), [(2, 3, 2)]),
    ("take_along_dim_flat", lambda m, x: m.take_along_dim(x, m.tensor([5, 0, 5])), [(2, 3)]),
    ("masked_select", lambda m, x: m.masked_select(x, m.tensor([True, False, True])),
     [(2, 3)]),
    ("broadcast_to", lambda m, x: m.broadcast_to(x, (2, 3, 4)), [(3, 1)]),
    ("broadcast_tensors", lambda m, a, b: _cat_outputs(m, m.broadcast_tensors(a, b)),
     [(3, 1), (1, 4)]),
    ("tile", lambda m, x: m.tile(x, (2, 1, 3)), [(2, 3)]),
    ("tile_fewer_dims", lambda m, x: x.tile(2), [(1, 3)]),
    ("hstack", lambda m, a, b: m.hstack([a, b]), [(2, 3), (2, 1)]),
    ("hstack_1d", lambda m, a, b: m.hstack((a, b)), [(3,), (2,)]),
    ("vstack", lambda m, a, b: m.vstack([a, b]), [(3,), (2, 3)]),
    ("dstack", lambda m, a, b: m.dstack([a, b]), [(3,), (1, 3)]),
    ("column_stack", lambda m, a, b: m.column_stack([a, b]), [(3,), (3, 2)]),
    ("meshgrid_ij", lambda m, a, b: _cat_outputs(m, m.meshgrid(a, b, indexing="ij")),
     [(3,), (2,)]),
    ("meshgrid_xy", lambda m, a, b, c: _cat_outputs(m, m.meshgrid([a, b, c], indexing="xy")),
     [(3,), (2,), (1,)]),
    ("tensor_split_sections", lambda m, x: m.tensor_split(x, 3, dim=1)[0] * 2
     + m.tensor_split(x, 3, dim=1)[2].sum(), [(2, 7)]),
    ("tensor_split_indices", lambda m, x: _cat_outputs(m, x.tensor_split([1, 4], -1)),
     [(2, 5)]),
    ("unbind", lambda m, x: m.unbind(x, 1)[1] * 3, [(2, 3)]),
    ("rot90", lambda m, x: m.rot90(x), [(2, 3)]),
    ("rot90_twice", lambda m, x: x.rot90(2, (1, 2)), [(2, 3, 4)]),
    ("rot90_minus_once", lambda m, x: m.rot90(x, -1, [-1, 0]), [(2, 3, 4)]),
    ("quantile", lambda m, x: m.quantile(x, 0.3, dim=1), [(2, 5)]),
    ("quantile_tensor_q", lambda m, x: x.quantile(m.tensor([0.0, 0.25, 1.0],
                                                           dtype=m.float64)), [(3, 4)]),
    ("quantile_keepdim_midpoint",
     lambda m, x: m.quantile(x, 0.4, dim=0, keepdim=True, interpolation="midpoint"), [(4, 3)]),
    ("nan_to_num", lambda m, x: m.nan_to_num(m.where(x.abs() > 1, x.sign() * float("inf"), x),
                                             posinf=7.0), [(2, 3)]),
]

IDS = [case[0] for case in DIFFERENTIABLE]
SMOOTH = [case for case in DIFFERENTIABLE if case[0] != "nan_to_num"]  # inf: no differences


@pytest.mark.parametrize("name,fn,shapes", SMOOTH, ids=[case[0] for case in SMOOTH])
def test_gradcheck(name, fn, shapes, rng):
    inputs = [leaf(untied(rng, *shape, low=-1.9, high=1.9, gap=2e-2)) for shape in shapes]
    assert gradcheck(lambda *t: fn(minidl, *t), inputs)


@pytest.mark.parametrize("name,fn,shapes", DIFFERENTIABLE, ids=IDS)
def test_matches_torch(name, fn, shapes, rng, torch):
    arrays = [untied(rng, *shape, low=-1.9, high=1.9, gap=2e-2) for shape in shapes]
    ours, theirs = _both(fn)
    compare_with_torch(torch, ours, theirs(torch), arrays, rng)


ZEROS = [[1.5, 0.0, 3.0, -2.0, 0.0], [0.5, 2.0, 0.0, 1.0, 4.0], [1.0, 2.0, -1.0, 0.5, 3.0]]


def test_cumprod_gradient_exact_at_zeros(rng, torch):
    """The first zero of a line gets the products around it; after it, nothing."""
    assert gradcheck(lambda x: x.cumprod(1), (leaf(ZEROS),))
    compare_with_torch(torch, lambda x: x.cumprod(1), lambda x: x.cumprod(1), [ZEROS], rng)
    compare_with_torch(torch, lambda x: x.cumprod(0), lambda x: x.cumprod(0), [ZEROS], rng)


def test_einsum_errors():
    a = minidl.ones(2, 3)
    with pytest.raises(ValueError, match="operand"):
        minidl.einsum("ij,jk->ik", a)
    with pytest.raises(ValueError, match="dimensions"):
        minidl.einsum("ijk->i", a)
    with pytest.raises(RuntimeError, match="size"):
        minidl.einsum("ij,ij->i", a, minidl.ones(2, 4))
    with pytest.raises(RuntimeError, match="dtype"):
        minidl.einsum("ij,ij->i", a, a.double())
    with pytest.raises(ValueError, match="output"):
        minidl.einsum("ij->k", a)


def test_logsumexp_infinities_and_int(torch):
    values = np.array([[-np.inf, -np.inf], [np.inf, 1.0], [1e30, 1e30]])
    np.testing.assert_array_equal(minidl.tensor(values).logsumexp(1).numpy(),
                                  torch.tensor(values).logsumexp(1).numpy())
    ints = minidl.logsumexp(minidl.tensor([1, 2]), 0)
    assert ints.dtype == minidl.float32
    assert np.isclose(ints.item(), torch.logsumexp(torch.tensor([1, 2]), 0).item())


def test_median_nan_ints_and_0d(torch):
    values = np.array([[1.0, np.nan, 2.0, np.nan], [4.0, 3.0, 1.0, 2.0]])
    ours, theirs = minidl.tensor(values).median(1), torch.tensor(values).median(1)
    np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
    assert ours.indices.tolist() == theirs.indices.tolist() == [1, 3]
    ints = minidl.tensor([5, 1, 4, 2])
    assert ints.median().item() == 2 and ints.median().dtype == np.int64
    scalar = minidl.median(minidl.tensor(3.0), 0)
    assert scalar.values.shape == () and scalar.indices.item() == 0


def test_quantile_nan_interpolations_and_errors(torch):
    values = np.array([[3.0, 1.0, 4.0, 1.5, 9.0], [2.0, np.nan, 7.0, 1.0, 8.0]])
    for interpolation in ("linear", "lower", "higher", "midpoint", "nearest"):
        for q in (0.0, 0.35, 0.5, 0.9, 1.0):
            ours = minidl.tensor(values).quantile(q, 1, interpolation=interpolation)
            theirs = torch.tensor(values).quantile(q, 1, interpolation=interpolation)
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), err_msg=interpolation)
    q = np.array([0.2, 0.5])
    ours = minidl.quantile(minidl.tensor(values[:1]), minidl.tensor(q), keepdim=True)
    theirs = torch.quantile(torch.tensor(values[:1]), torch.tensor(q), keepdim=True)
    assert ours.shape == tuple(theirs.shape) == (2, 1, 1)
    with pytest.raises(RuntimeError, match="q"):
        minidl.tensor(values).quantile(1.5)
    with pytest.raises(RuntimeError, match="float"):
        minidl.tensor([1, 2]).quantile(0.5)
    with pytest.raises(ValueError, match="interpolation"):
        minidl.tensor(values).quantile(0.5, interpolation="cubic")


def test_nanmean_nan_to_num_values(torch):
    values = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.inf], [-np.inf, 2.0, 0.0]])
    np.testing.assert_array_equal(minidl.tensor(values).nanmean(1).numpy(),
                                  torch.tensor(values).nanmean(1).numpy())
    for kwargs in ({}, {"nan": 1.5, "posinf": 9.0}, {"neginf": -3.0}):
        np.testing.assert_array_equal(minidl.nan_to_num(minidl.tensor(values), **kwargs).numpy(),
                                      torch.nan_to_num(torch.tensor(values), **kwargs).numpy())
    assert minidl.nan_to_num(minidl.tensor([1, 2])).dtype == np.int64
    x = minidl.tensor(values, requires_grad=True)
    x.nan_to_num().sum().backward()
    assert x.grad.tolist() == [[1, 0, 1], [0, 0, 0], [0, 1, 1]]


# -- result dtypes and errors ------------------------------------------------------------------
DTYPE_CASES = [
    ("log2", lambda m, x: m.log2(x)), ("erf", lambda m, x: m.erf(x)),
    ("sinh", lambda m, x: x.sinh()), ("atan2", lambda m, x: m.atan2(x, x)),
    ("hypot", lambda m, x: m.hypot(x.double(), x.double())),
    ("cumprod", lambda m, x: m.cumprod(x, 0)), ("trace", lambda m, x: x.reshape(2, 2).trace()),
    ("outer", lambda m, x: m.outer(x, x)), ("kron", lambda m, x: m.kron(x, x.double())),
    ("diff", lambda m, x: m.diff(x)), ("fmod", lambda m, x: m.fmod(x, 3)),
    ("fmod_float", lambda m, x: m.fmod(x, 2.5)), ("count_nonzero", lambda m, x: x.count_nonzero()),
    ("repeat_interleave", lambda m, x: x.repeat_interleave(2)),
    ("isclose", lambda m, x: m.isclose(x, x)), ("logical_xor", lambda m, x: m.logical_xor(x, x)),
]


@pytest.mark.parametrize("name,fn", DTYPE_CASES, ids=[c[0] for c in DTYPE_CASES])
@pytest.mark.parametrize("dtype", ["int32", "int64", "bool", "float32", "float64"])
def test_result_dtypes_like_torch(name, fn, dtype, torch):
    values = np.array([3, 0, -2, 5]).astype(dtype)
    try:
        theirs = fn(torch, torch.tensor(values))
    except (RuntimeError, TypeError, NotImplementedError):
        pytest.skip("PyTorch refuses this dtype")
    ours = fn(minidl, minidl.tensor(values))
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.numpy().astype(float), theirs.numpy().astype(float),
                               rtol=1e-6)


def test_fmod_values_and_sign_like_torch(torch):
    a, b = np.array([7.5, -7.5, 5.0, -1.0]), np.array([2.0, 2.0, -3.0, 0.75])
    np.testing.assert_array_equal(minidl.fmod(minidl.tensor(a), minidl.tensor(b)).numpy(),
                                  torch.fmod(torch.tensor(a), torch.tensor(b)).numpy())
    np.testing.assert_array_equal(minidl.tensor([7, -7]).fmod(2).numpy(), [1, -1])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        minidl.tensor([7]).fmod(0)


def test_shape_function_errors():
    x = minidl.ones(2, 3)
    with pytest.raises(RuntimeError, match="trace"):
        minidl.trace(minidl.ones(3))
    with pytest.raises(RuntimeError, match="outer"):
        minidl.outer(x, x)
    with pytest.raises(RuntimeError, match="repeats"):
        x.repeat_interleave(minidl.tensor([1, 2]), dim=1)
    with pytest.raises(RuntimeError, match="repeats"):
        x.repeat_interleave(-1)
    with pytest.raises(RuntimeError, match="rot90"):
        x.rot90(1, (0, 0))
    with pytest.raises(RuntimeError, match="rot90"):
        minidl.ones(3).rot90()
    with pytest.raises(RuntimeError, match="sections"):
        x.tensor_split(0)
    with pytest.raises(RuntimeError, match="diff"):
        minidl.tensor(1.0).diff()
    with pytest.raises(RuntimeError, match="bool mask"):
        x.masked_select(minidl.ones(3))
    with pytest.raises(RuntimeError, match="same number"):
        x.take_along_dim(minidl.tensor([0]), 1)
    with pytest.raises(IndexError, match="dimension out of range"):
        x.logsumexp(2)
    with pytest.raises(RuntimeError, match="expand"):
        x.broadcast_to((4, 3, 2))
    with pytest.raises(RuntimeError, match="broadcast"):
        minidl.broadcast_tensors(x, minidl.ones(4))
    with pytest.raises(ValueError, match="indexing"):
        minidl.meshgrid(minidl.ones(2), indexing="yx")


def test_split_stack_and_grid_shapes_like_torch(torch):
    values = np.arange(14.0).reshape(2, 7)
    for split in (1, 3, 7, 9, [2, 5], [5, 2], [0, 10]):
        ours = minidl.tensor(values).tensor_split(split, 1)
        theirs = torch.tensor(values).tensor_split(split, 1)
        assert [o.tolist() for o in ours] == [t.tolist() for t in theirs], split
    assert len(minidl.tensor_split(minidl.tensor(values), minidl.tensor([1, 3]), 1)) == 3
    for name in ("atleast_1d", "atleast_2d", "atleast_3d"):
        for shape in ((), (3,), (2, 3), (1, 2, 3)):
            ours = getattr(minidl, name)(minidl.zeros(shape))
            assert ours.shape == tuple(getattr(torch, name)(torch.zeros(shape)).shape)
    assert [g.shape for g in minidl.meshgrid(minidl.ones(2), minidl.ones(3))] == [(2, 3)] * 2
    assert minidl.broadcast_shapes((2, 1), (3,)) == (2, 3)
    assert minidl.repeat_interleave(minidl.tensor([1, 0, 2])).tolist() == [0, 2, 2]


# -- not differentiable ------------------------------------------------------------------------
def test_isclose_and_logical_like_torch(torch):
    a, b = np.array([1.0, np.nan, 2.0, 0.0]), np.array([1.0 + 1e-9, np.nan, 2.1, 0.0])
    for kwargs in ({}, {"equal_nan": True}, {"rtol": 0.1, "atol": 0.0}):
        assert minidl.isclose(minidl.tensor(a), minidl.tensor(b), **kwargs).tolist() == \
            torch.isclose(torch.tensor(a), torch.tensor(b), **kwargs).tolist()
    x, y = np.array([0, 1, 2, 0]), np.array([0.0, 0.0, 1.5, 3.0])
    for name in ("logical_and", "logical_or", "logical_xor"):
        ours = getattr(minidl, name)(minidl.tensor(x), minidl.tensor(y))
        assert ours.dtype == np.bool_
        assert ours.tolist() == getattr(torch, name)(torch.tensor(x), torch.tensor(y)).tolist()


def test_count_nonzero_unique_bincount_like_torch(torch):
    values = np.array([[3, 0, 1, 3], [0, 0, 2, 1], [3, 0, 1, 3]])
    for dim in (None, 0, -1, (0, 1)):
        assert minidl.count_nonzero(minidl.tensor(values), dim).tolist() == \
            torch.count_nonzero(torch.tensor(values), dim).tolist()
    for dim in (None, 0, 1):
        ours = minidl.unique(minidl.tensor(values), return_inverse=True, return_counts=True,
                             dim=dim)
        theirs = torch.unique(torch.tensor(values), return_inverse=True, return_counts=True,
                              dim=dim)
        for o, t in zip(ours, theirs):
            assert o.tolist() == t.tolist() and str(o.dtype) == str(t.dtype)[6:], dim
    assert minidl.tensor([2.0, 1.0, 2.0]).unique().tolist() == [1.0, 2.0]
    counts = np.array([1, 4, 1, 0, 4])
    weights = np.array([0.5, 1.0, 2.0, 0.25, 1.0], dtype=np.float32)
    for kwargs in ({}, {"minlength": 8}):
        ours = minidl.bincount(minidl.tensor(counts), **kwargs)
        theirs = torch.bincount(torch.tensor(counts), **kwargs)
        assert ours.tolist() == theirs.tolist() and ours.dtype == np.int64
    for w in (weights, weights.astype(np.int64)):
        ours = minidl.tensor(counts).bincount(minidl.tensor(w))
        theirs = torch.tensor(counts).bincount(torch.tensor(w))
        assert ours.tolist() == theirs.tolist() and str(ours.dtype) == str(theirs.dtype)[6:]
    with pytest.raises(RuntimeError, match="non-negative"):
        minidl.bincount(minidl.tensor([1, -1]))


def test_searchsorted_bucketize_like_torch(torch):
    sequence = np.array([1.0, 3.0, 3.0, 5.0, 9.0])
    values = np.array([[0.0, 3.0, 4.0], [9.0, 10.0, 5.0]])
    for right in (False, True):
        ours = minidl.searchsorted(minidl.tensor(sequence), minidl.tensor(values), right=right)
        theirs = torch.searchsorted(torch.tensor(sequence), torch.tensor(values), right=right)
        assert ours.tolist() == theirs.tolist() and ours.dtype == np.int64
        ours = minidl.bucketize(minidl.tensor(values), minidl.tensor(sequence), right=right,
                                out_int32=True)
        theirs = torch.bucketize(torch.tensor(values), torch.tensor(sequence), right=right,
                                 out_int32=True)
        assert ours.tolist() == theirs.tolist() and ours.dtype == np.int32
    rows = np.array([[1.0, 2.0, 3.0], [0.0, 5.0, 6.0]])
    ours = minidl.searchsorted(minidl.tensor(rows), minidl.tensor(values), side="right")
    theirs = torch.searchsorted(torch.tensor(rows), torch.tensor(values), side="right")
    assert ours.tolist() == theirs.tolist()
    shuffled, order, wanted = np.array([3.0, 1.0, 2.0]), np.array([1, 2, 0]), np.array([2.5])
    ours = minidl.searchsorted(minidl.tensor(shuffled), minidl.tensor(wanted),
                               sorter=minidl.tensor(order))
    theirs = torch.searchsorted(torch.tensor(shuffled), torch.tensor(wanted),
                                sorter=torch.tensor(order))
    assert ours.tolist() == theirs.tolist()
    with pytest.raises(RuntimeError, match="side"):
        minidl.searchsorted(minidl.tensor(sequence), minidl.tensor(values), right=True,
                            side="left")


def test_multinomial_and_bernoulli_draws():
    probabilities = minidl.tensor([[0.0, 0.2, 0.8], [0.5, 0.5, 0.0]])
    drawn = minidl.multinomial(probabilities, 2, generator=minidl.Generator().manual_seed(3))
    again = probabilities.multinomial(2, generator=minidl.Generator().manual_seed(3))
    assert drawn.dtype == np.int64 and drawn.shape == (2, 2) and drawn.equal(again)
    assert sorted(drawn[0].tolist()) == [1, 2] and sorted(drawn[1].tolist()) == [0, 1]
    many = minidl.tensor([0.1, 0.9]).multinomial(4000, replacement=True)
    assert many.shape == (4000,) and 0.85 < many.double().mean().item() < 0.95
    with pytest.raises(RuntimeError, match="without replacement"):
        probabilities.multinomial(3)
    with pytest.raises(RuntimeError, match="non-negative"):
        minidl.tensor([-0.1, 1.0]).multinomial(1)
    chances = minidl.full((2000,), 0.3, dtype=minidl.float64)
    coins = minidl.bernoulli(chances, generator=minidl.Generator().manual_seed(1))
    assert coins.dtype == np.float64 and 0.25 < coins.mean().item() < 0.35
    assert set(coins.tolist()) == {0.0, 1.0}
    filled = minidl.zeros(1000).bernoulli_(0.75)
    assert filled.dtype == np.float32 and 0.7 < filled.mean().item() < 0.8
    assert minidl.ones(3).bernoulli(0.0).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match=r"\[0, 1\]"):
        minidl.tensor([1.5]).bernoulli()


def test_logspace_like_torch(torch):
    for kwargs in ({}, {"base": 2.0}, {"dtype": minidl.float64}):
        ours = minidl.logspace(-1, 2, 5, **kwargs)
        theirs = torch.logspace(-1, 2, 5, **{k: (torch.float64 if k == "dtype" else v)
                                             for k, v in kwargs.items()})
        assert str(ours.dtype) == str(theirs.dtype)[6:]
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


# -- runtime -----------------------------------------------------------------------------------
def test_inference_mode_like_torch():
    x = minidl.ones(2, requires_grad=True)
    with minidl.inference_mode():
        assert minidl.is_inference_mode_enabled() and not minidl.is_grad_enabled()
        assert not (x * 2).requires_grad
        with minidl.inference_mode(False):
            assert minidl.is_grad_enabled() and not minidl.is_inference_mode_enabled()
    assert minidl.is_grad_enabled() and not minidl.is_inference_mode_enabled()

    @minidl.inference_mode
    def bare():
        return minidl.is_inference_mode_enabled(), (x * 2).requires_grad

    @minidl.inference_mode(mode=False)
    def switched_off():
        return minidl.is_grad_enabled()

    assert bare() == (True, False)
    with minidl.no_grad():
        assert switched_off()
    assert minidl.autograd.inference_mode is minidl.inference_mode


def test_threads_and_deterministic_flag():
    before = minidl.get_num_threads()
    try:
        minidl.set_num_threads(1)
        assert minidl.get_num_threads() == 1
    finally:
        minidl.set_num_threads(before)
    assert minidl.get_num_threads() == before
    with pytest.raises(RuntimeError, match="positive"):
        minidl.set_num_threads(0)
    with pytest.raises(TypeError, match="int"):
        minidl.set_num_threads(2.0)
    assert not minidl.are_deterministic_algorithms_enabled()
    try:
        minidl.use_deterministic_algorithms(True, warn_only=True)
        assert minidl.are_deterministic_algorithms_enabled()
        assert minidl.is_deterministic_algorithms_warn_only_enabled()
    finally:
        minidl.use_deterministic_algorithms(False)
    assert not minidl.are_deterministic_algorithms_enabled()


def test_finfo_iinfo_result_type_can_cast_like_torch(torch):
    for name in ("float16", "float32", "float64"):
        ours, theirs = minidl.finfo(getattr(minidl, name)), torch.finfo(getattr(torch, name))
        for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution",
                      "dtype"):
            assert getattr(ours, field) == getattr(theirs, field), (name, field)
    assert minidl.finfo().dtype == "float32"
    for name in ("uint8", "int8", "int16", "int32", "int64"):
        ours, theirs = minidl.iinfo(getattr(minidl, name)), torch.iinfo(getattr(torch, name))
        assert (ours.bits, ours.max, ours.min, ours.dtype) == \
            (theirs.bits, theirs.max, theirs.min, theirs.dtype)
    with pytest.raises(TypeError, match="iinfo"):
        minidl.finfo(minidl.int32)
    with pytest.raises(TypeError, match="finfo"):
        minidl.iinfo(minidl.float32)
    cases = [(np.array([1]), 1.0), (np.array([1], dtype=np.int8), np.array(2)),
             (np.array([1.0], dtype=np.float32), np.array(2.0)), (2, 3.0), (True, 2)]
    for a, b in cases:
        ours = minidl.result_type(*(minidl.tensor(v) if isinstance(v, np.ndarray) else v
                                    for v in (a, b)))
        theirs = torch.result_type(*(torch.tensor(v) if isinstance(v, np.ndarray) else v
                                     for v in (a, b)))
        assert str(ours) == str(theirs)[6:], (a, b)
    names = ("bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64")
    for a in names:
        for b in names:
            assert minidl.can_cast(getattr(minidl, a), getattr(minidl, b)) == \
                torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)


def test_atan2_gradient_is_zero_at_the_origin_as_in_pytorch():
    """dθ/dy = x / r², dθ/dx = -y / r²: 0/0 at the origin, where PyTorch gives 0."""
    y = minidl.tensor([0.0, 1.0], dtype=minidl.float64, requires_grad=True)
    x = minidl.tensor([0.0, 2.0], dtype=minidl.float64, requires_grad=True)
    minidl.atan2(y, x).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [0.0, 0.4])
    np.testing.assert_allclose(x.grad.numpy(), [0.0, -0.2])
    same = minidl.tensor([0.0, 1.0], dtype=minidl.float64, requires_grad=True)
    minidl.atan2(same, same).sum().backward()
    np.testing.assert_allclose(same.grad.numpy(), [0.0, 0.0])
