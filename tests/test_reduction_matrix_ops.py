"""Running extremes (cummax, cummin), order statistics (kthvalue, mode), nansum, aminmax,
dist, histc, the fused products and sums (addmm, addmv, addbmm, baddbmm, addcmul, addcdiv
and in-place forms), cross products, det, svdvals, qr, diagonal and diag_embed, einsum on
diagonals, and the gradients of std at a constant line.  PyTorch parity of values and
gradients on float64 inputs (fixed seed), awkward cases, gradient checks and errors."""
import numpy as np
import pytest
from helpers import compare_with_torch, leaf, untied

import minidl
import minidl.linalg
from minidl import gradcheck


def _both(fn):
    """``fn(module, *tensors)`` as (minidl's function, a maker of PyTorch's)."""
    return (lambda *t: fn(minidl, *t)), (lambda torch: lambda *t: fn(torch, *t))


def _values(result):
    return result[0]


# (name, fn(module, *tensors) -> one tensor, shapes of the float64 inputs)
DIFFERENTIABLE = [
    ("cummax", lambda m, x: m.cummax(x, 1).values, [(2, 5, 3)]),
    ("cummax_negative_dim", lambda m, x: x.cummax(-1)[0], [(3, 4)]),
    ("cummax_1d", lambda m, x: m.cummax(x, 0).values, [(6,)]),
    ("cummin", lambda m, x: m.cummin(x, 0).values, [(4, 3)]),
    ("cummin_method", lambda m, x: x.cummin(dim=-2)[0], [(2, 4, 3)]),
    ("kthvalue", lambda m, x: m.kthvalue(x, 2).values, [(3, 5)]),
    ("kthvalue_dim_keepdim", lambda m, x: x.kthvalue(3, 0, keepdim=True)[0], [(4, 2, 3)]),
    ("kthvalue_1d", lambda m, x: m.kthvalue(x, 1, -1).values, [(5,)]),
    ("nansum", lambda m, x: m.nansum(m.where(x > 1.2, float("nan"), x), 1), [(3, 4)]),
    ("nansum_all", lambda m, x: x.nansum(), [(3, 4)]),
    ("aminmax_min", lambda m, x: m.aminmax(x, dim=1).min, [(3, 4)]),
    ("aminmax_max_keepdim", lambda m, x: x.aminmax(dim=-1, keepdim=True).max, [(2, 3, 4)]),
    ("aminmax_all", lambda m, x: m.aminmax(x)[1], [(3, 4)]),
    ("dist", lambda m, a, b: m.dist(a, b), [(3, 4), (4,)]),
    ("dist_p3", lambda m, a, b: m.dist(a, b, p=3), [(2, 3), (2, 3)]),
    ("dist_p1", lambda m, a, b: a.dist(b, 1), [(5,), (5,)]),
    ("dist_inf", lambda m, a, b: m.dist(a, b, float("inf")), [(2, 3), (2, 3)]),
    ("addmm", lambda m, i, a, b: m.addmm(i, a, b), [(2, 4), (2, 3), (3, 4)]),
    ("addmm_scaled_broadcast", lambda m, i, a, b: m.addmm(i, a, b, beta=0.5, alpha=-2.0),
     [(4,), (2, 3), (3, 4)]),
    ("addmm_method", lambda m, i, a, b: i.addmm(a, b, alpha=3), [(1, 1), (1, 3), (3, 2)]),
    ("addmv", lambda m, i, a, v: m.addmv(i, a, v, beta=2), [(2,), (2, 3), (3,)]),
    ("addbmm", lambda m, i, a, b: m.addbmm(i, a, b, alpha=0.5), [(2, 4), (3, 2, 5), (3, 5, 4)]),
    ("baddbmm", lambda m, i, a, b: m.baddbmm(i, a, b, beta=-1), [(3, 2, 4), (3, 2, 5),
                                                               (3, 5, 4)]),
    ("baddbmm_broadcast", lambda m, i, a, b: i.baddbmm(a, b), [(1, 4), (2, 3, 2), (2, 2, 4)]),
    ("addcmul", lambda m, i, a, b: m.addcmul(i, a, b, value=0.5), [(2, 3), (3,), (2, 1)]),
    ("addcdiv", lambda m, i, a, b: m.addcdiv(i, a, b.abs() + 0.5, value=-2),
     [(2, 3), (2, 3), (3,)]),
    ("addcmul_method", lambda m, i, a, b: i.addcmul(a, b), [(4,), (4,), (4,)]),
    ("cross", lambda m, a, b: m.cross(a, b, dim=1), [(2, 3, 4), (2, 3, 4)]),
    ("cross_default_dim", lambda m, a, b: m.cross(a, b, 0), [(3, 2), (3, 2)]),
    ("linalg_cross", lambda m, a, b: m.linalg.cross(a, b), [(4, 3), (1, 3)]),
    ("linalg_cross_dim", lambda m, a, b: m.linalg.cross(a, b, dim=0), [(3,), (3,)]),
    ("det", lambda m, a: m.det(a), [(3, 3)]),
    ("det_batch", lambda m, a: m.linalg.det(a), [(2, 4, 4)]),
    ("det_method", lambda m, a: a.det(), [(1, 1)]),
    ("svdvals", lambda m, a: m.linalg.svdvals(a), [(4, 3)]),
    ("svdvals_wide_batch", lambda m, a: m.linalg.svdvals(a), [(2, 2, 5)]),
    ("qr_q", lambda m, a: m.linalg.qr(a).Q, [(5, 3)]),
    ("qr_r", lambda m, a: m.linalg.qr(a)[1], [(5, 3)]),
    ("qr_both_square_batch", lambda m, a: m.cat([t.reshape(-1) for t in m.linalg.qr(a)]),
     [(2, 3, 3)]),
    ("qr_wide", lambda m, a: m.cat([t.reshape(-1) for t in m.linalg.qr(a)]), [(2, 4)]),
    ("qr_complete_square", lambda m, a: m.linalg.qr(a, mode="complete").Q, [(3, 3)]),
    ("diagonal", lambda m, a: m.diagonal(a), [(3, 4)]),
    ("diagonal_offset", lambda m, a: a.diagonal(1), [(3, 4)]),
    ("diagonal_negative_offset_dims", lambda m, a: a.diagonal(-1, -1, 0), [(2, 3, 4)]),
    ("diagonal_out_of_range", lambda m, a: m.diagonal(a, 5).sum() + a.sum(), [(3, 4)]),
    ("linalg_diagonal", lambda m, a: m.linalg.diagonal(a, offset=-1), [(2, 3, 3)]),
    ("diag_embed", lambda m, a: m.diag_embed(a), [(2, 3)]),
    ("diag_embed_offset_dims", lambda m, a: a.diag_embed(1, 0, 2), [(2, 3)]),
    ("diag_embed_negative", lambda m, a: m.diag_embed(a, -2, dim1=-1, dim2=0), [(4,)]),
    ("einsum_trace", lambda m, a: m.einsum("ii", a), [(3, 3)]),
    ("einsum_diagonal", lambda m, a: m.einsum("ii->i", a), [(4, 4)]),
    ("einsum_batch_diagonal", lambda m, a: m.einsum("bii->bi", a), [(2, 3, 3)]),
    ("einsum_diagonal_product", lambda m, a, b: m.einsum("ii,ij->j", a, b), [(3, 3), (3, 2)]),
    ("einsum_three_repeated", lambda m, a: m.einsum("iji->j", a), [(3, 2, 3)]),
    ("einsum_ellipsis_diagonal", lambda m, a: m.einsum("...ii->...i", a), [(2, 2, 3, 3)]),
    ("std", lambda m, x: x.std(), [(3, 4)]),
    ("std_dim", lambda m, x: m.std(x, dim=1, keepdim=True), [(3, 4)]),
]

IDS = [case[0] for case in DIFFERENTIABLE]


@pytest.mark.parametrize("name,fn,shapes", DIFFERENTIABLE, ids=IDS)
def test_gradcheck(name, fn, shapes, rng):
    inputs = [leaf(untied(rng, *shape, low=-1.9, high=1.9, gap=2e-2)) for shape in shapes]
    assert gradcheck(lambda *t: fn(minidl, *t), inputs)


@pytest.mark.parametrize("name,fn,shapes", DIFFERENTIABLE, ids=IDS)
def test_matches_torch(name, fn, shapes, rng, torch):
    arrays = [untied(rng, *shape, low=-1.9, high=1.9, gap=2e-2) for shape in shapes]
    ours, theirs = _both(fn)
    compare_with_torch(torch, ours, theirs(torch), arrays, rng)


TIES = np.array([[1.0, 1.0, 0.0, 1.0, 2.0, 2.0, -1.0],
                 [3.0, 3.0, 3.0, 1.0, 1.0, 4.0, 4.0],
                 [0.0, 2.0, 2.0, 0.0, 2.0, 0.0, 0.0]])


@pytest.mark.parametrize("op", ["cummax", "cummin"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_running_extremes_ties_and_gradients(op, dim, rng, torch):
    """Ties move the index on to the later element; the gradient goes to the indices."""
    ours = getattr(minidl.tensor(TIES), op)(dim)
    theirs = getattr(torch.tensor(TIES), op)(dim)
    np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    assert ours.indices.dtype == minidl.int64
    compare_with_torch(torch, lambda x: getattr(x, op)(dim).values,
                       lambda x: getattr(x, op)(dim).values, [TIES], rng)


def test_running_extremes_nan_integers_and_0d(torch):
    nan = float("nan")
    x = [1.0, nan, 2.0, nan, 5.0]
    for op in ("cummax", "cummin"):
        ours, theirs = getattr(minidl.tensor(x), op)(0), getattr(torch.tensor(x), op)(0)
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    ints = np.array([[3, 1, 4, 1, 5], [9, 2, 6, 5, 3]])
    ours, theirs = minidl.cummin(minidl.tensor(ints), 1), torch.cummin(torch.tensor(ints), 1)
    np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
    assert ours.values.dtype == minidl.int64
    scalar = minidl.cummax(minidl.tensor(3.0), 0)
    assert scalar.values.shape == () and int(scalar.indices) == 0
    with pytest.raises(IndexError):
        minidl.cummax(minidl.tensor([1.0, 2.0]), 1)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_mode_matches_torch(dim, keepdim, rng, torch):
    """The smallest of the most frequent values, and its last index (PyTorch)."""
    data = rng.integers(0, 3, (3, 4, 5)).astype(np.float64)
    for array in (data, TIES):
        if dim >= array.ndim:
            continue
        ours = minidl.mode(minidl.tensor(array), dim, keepdim)
        theirs = torch.mode(torch.tensor(array), dim, keepdim)
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    compare_with_torch(torch, lambda x: x.mode(dim, keepdim).values,
                       lambda x: x.mode(dim, keepdim).values, [TIES], rng)


def test_mode_kthvalue_defaults_and_0d(torch):
    x = [1.0, 2.0, 2.0, 1.0, 3.0, 3.0, 1.0]
    ours, theirs = minidl.tensor(x).mode(), torch.tensor(x).mode()
    assert float(ours.values) == float(theirs.values) and int(ours.indices) == 6
    for result in (minidl.tensor(3.0).mode(), minidl.tensor(3.0).kthvalue(1)):
        assert result.values.shape == () and int(result.indices) == 0
    ties = minidl.kthvalue(minidl.tensor([3.0, 1.0, 1.0, 2.0, 1.0]), 2)
    assert float(ties.values) == 1.0 and int(ties.indices) in (1, 2, 4)
    ints = minidl.tensor([[5, 2, 7], [1, 1, 0]])
    np.testing.assert_array_equal(ints.kthvalue(2).values.numpy(), [5, 1])
    np.testing.assert_array_equal(ints.mode(0).values.numpy(), [1, 1, 0])


def test_order_statistic_errors():
    x = minidl.tensor([[1.0, 2.0, 3.0]])
    for k in (0, 4):
        with pytest.raises(RuntimeError, match="kthvalue.*k out of range"):
            x.kthvalue(k)
    with pytest.raises(IndexError):
        x.kthvalue(1, dim=2)
    with pytest.raises(IndexError, match="mode.*non-zero size"):
        minidl.mode(minidl.zeros(0))
    with pytest.raises(RuntimeError, match="aminmax.*empty"):
        minidl.aminmax(minidl.zeros(0))
    with pytest.raises(RuntimeError, match="aminmax.*empty"):
        minidl.zeros(2, 0).aminmax(dim=1)


def test_nansum_and_aminmax_results(torch):
    nan = float("nan")
    x = [[1.0, nan, 2.0], [nan, nan, nan]]
    np.testing.assert_array_equal(minidl.nansum(minidl.tensor(x), 1).numpy(),
                                  torch.nansum(torch.tensor(x), 1).numpy())
    assert float(minidl.tensor(x).nansum()) == 3.0
    ints = minidl.tensor([[1, 2], [3, 4]], dtype=minidl.int32)
    assert ints.nansum().dtype == minidl.int64 and int(ints.nansum()) == 10
    assert minidl.nansum(minidl.tensor(x), dtype=minidl.float32).dtype == minidl.float32
    data = np.arange(12.0).reshape(3, 4)
    low, high = minidl.aminmax(minidl.tensor(data), keepdim=True)
    assert low.shape == (1, 1) and float(high) == 11.0
    result = minidl.tensor(data).aminmax(dim=0)
    theirs = torch.tensor(data).aminmax(dim=0)
    np.testing.assert_array_equal(result.min.numpy(), theirs.min.numpy())
    np.testing.assert_array_equal(result.max.numpy(), theirs.max.numpy())
    with pytest.raises(TypeError):
        minidl.tensor(data).aminmax(0)  # dim is keyword-only, as in PyTorch


def test_dist_special_norms_and_errors(torch):
    a, b = np.array([[1.0, 0.0, 3.0]]), np.array([1.0, 2.0, -1.0])
    for p in (0, 1, 2, 3.5, float("inf"), float("-inf")):
        ours = minidl.dist(minidl.tensor(a), minidl.tensor(b), p)
        assert float(ours) == pytest.approx(float(torch.dist(torch.tensor(a),
                                                             torch.tensor(b), p)))
    same = leaf([1.0, 2.0])
    minidl.dist(same, minidl.tensor([1.0, 2.0])).backward()
    np.testing.assert_array_equal(same.grad.numpy(), [0.0, 0.0])   # PyTorch: 0, not NaN
    with pytest.raises(RuntimeError):
        minidl.dist(minidl.zeros(2), minidl.zeros(3))


def test_histc_matches_torch(rng, torch):
    values = rng.standard_normal(500)
    for kwargs in ({}, {"bins": 7}, {"bins": 4, "min": -1, "max": 1}, {"bins": 3, "min": 5,
                                                                        "max": 5}):
        ours = minidl.histc(minidl.tensor(values), **kwargs)
        theirs = torch.histc(torch.tensor(values), **kwargs)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert ours.dtype == minidl.float64
    edges = [0.0, 1.0, 2.0, 3.0, 4.0, 5.5]
    np.testing.assert_array_equal(minidl.tensor(edges).histc(4, 1, 4).numpy(),
                                  torch.tensor(edges).histc(4, 1, 4).numpy())
    same = minidl.histc(minidl.tensor([2.0, 2.0], dtype=minidl.float32), bins=4)
    np.testing.assert_array_equal(same.numpy(), torch.histc(torch.tensor([2.0, 2.0]),
                                                            bins=4).numpy())
    assert same.dtype == minidl.float32
    assert not minidl.histc(leaf([1.0, 2.0]), 3).requires_grad
    with pytest.raises(RuntimeError, match="bins must be > 0"):
        minidl.histc(minidl.tensor(values), 0)
    with pytest.raises(RuntimeError, match="max must be larger than min"):
        minidl.histc(minidl.tensor(values), 3, min=2, max=1)
    with pytest.raises(NotImplementedError):
        minidl.histc(minidl.arange(3), 3)


def test_fused_products_beta_zero_ignores_nan(torch):
    nan = np.full((2, 2), np.nan)
    a, b = np.ones((2, 3)), np.ones((3, 2))
    ours = minidl.addmm(minidl.tensor(nan), minidl.tensor(a), minidl.tensor(b), beta=0)
    theirs = torch.addmm(torch.tensor(nan), torch.tensor(a), torch.tensor(b), beta=0)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_fused_products_errors():
    z = minidl.zeros
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(2x3 and 4x2\)"):
        minidl.addmm(z(2, 2), z(2, 3), z(4, 2))
    with pytest.raises(RuntimeError, match="must be 2-D"):
        minidl.addmm(z(2, 2), z(2, 3), z(3))
    with pytest.raises(RuntimeError, match="broadcast"):
        minidl.addmm(z(3, 2), z(2, 3), z(3, 2))
    with pytest.raises(RuntimeError, match=r"size mismatch, got input \(2,\), mat \(2, 3\), "
                                           r"vec \(4,\)"):
        minidl.addmv(z(2), z(2, 3), z(4))
    with pytest.raises(RuntimeError, match="same number of batches, got 2 and 3"):
        minidl.addbmm(z(2, 2), z(2, 2, 3), z(3, 3, 2))
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        minidl.baddbmm(z(2, 2), z(2, 2, 3), z(2, 4, 2))
    with pytest.raises(RuntimeError, match="3-D"):
        minidl.baddbmm(z(2, 2), z(2, 3), z(3, 2))
    with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
        minidl.addcdiv(z(2), minidl.tensor([1, 2]), minidl.tensor([1, 2]))


@pytest.mark.parametrize("op,shapes", [
    ("addmm_", [(2, 4), (2, 3), (3, 4)]),
    ("addmv_", [(2,), (2, 3), (3,)]),
    ("addbmm_", [(2, 4), (3, 2, 5), (3, 5, 4)]),
    ("baddbmm_", [(3, 2, 4), (3, 2, 5), (3, 5, 4)]),
    ("addcmul_", [(2, 3), (2, 3), (3,)]),
    ("addcdiv_", [(2, 3), (2, 3), (3,)]),
])
def test_in_place_forms(op, shapes, rng, torch):
    """In place: the same values as PyTorch, self changed, gradients through the change."""
    arrays = [rng.standard_normal(shape) + (2.0 if i == 2 else 0.0)
              for i, shape in enumerate(shapes)]
    keywords = {"value": 0.5} if op.startswith("addc") else {"beta": 0.5, "alpha": 2.0}

    def run(module, tensors):
        out = tensors[0] * 1
        returned = getattr(out, op)(tensors[1], tensors[2], **keywords)
        assert returned is out
        return out

    compare_with_torch(torch, lambda *t: run(minidl, t), lambda *t: run(torch, t), arrays,
                       rng)
    plain = minidl.tensor(arrays[0])
    getattr(plain, op)(minidl.tensor(arrays[1]), minidl.tensor(arrays[2]), **keywords)
    expected = getattr(torch.tensor(arrays[0]), op)(torch.tensor(arrays[1]),
                                                    torch.tensor(arrays[2]), **keywords)
    np.testing.assert_allclose(plain.numpy(), expected.numpy(), rtol=1e-12)


def test_cross_errors_and_default_dim(torch):
    a = np.arange(12.0).reshape(2, 3, 2)
    b = np.arange(12.0)[::-1].copy().reshape(2, 3, 2)
    with pytest.warns(UserWarning):
        theirs = torch.cross(torch.tensor(a), torch.tensor(b))
    np.testing.assert_array_equal(minidl.cross(minidl.tensor(a), minidl.tensor(b)).numpy(),
                                  theirs.numpy())
    with pytest.raises(RuntimeError, match=r"linalg.cross: inputs dimension -1 must have "
                                           r"length 3. Got 4 and 4"):
        minidl.linalg.cross(minidl.zeros(4), minidl.zeros(4))
    with pytest.raises(RuntimeError, match="no dimension of size 3"):
        minidl.cross(minidl.zeros(2, 4), minidl.zeros(2, 4))
    with pytest.raises(RuntimeError):
        minidl.linalg.cross(minidl.zeros(2, 3), minidl.zeros(3, 3))


def test_decomposition_results_and_errors(rng, torch):
    a = rng.standard_normal((3, 5, 3))
    for mode in ("reduced", "complete", "r"):
        ours = minidl.linalg.qr(minidl.tensor(a), mode=mode)
        theirs = torch.linalg.qr(torch.tensor(a), mode=mode)
        assert ours.Q.shape == tuple(theirs.Q.shape) and ours.R.shape == tuple(theirs.R.shape)
        np.testing.assert_allclose(ours.R.numpy(), theirs.R.numpy(), atol=1e-12)
        if mode != "r":
            np.testing.assert_allclose(ours.Q.numpy(), theirs.Q.numpy(), atol=1e-12)
    with pytest.raises(RuntimeError, match="unrecognized mode 'x'"):
        minidl.linalg.qr(minidl.zeros(2, 2), mode="x")
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        minidl.linalg.svdvals(minidl.zeros(3))
    with pytest.raises(RuntimeError, match="floating point"):
        minidl.linalg.qr(minidl.tensor([[1, 2], [3, 4]]))
    with pytest.raises(RuntimeError, match="square"):
        minidl.det(minidl.zeros(2, 3))


def test_diagonal_and_diag_embed_shapes_and_errors(torch):
    x = np.arange(24.0).reshape(2, 3, 4)
    for args in [(0, 0, 1), (2, 1, 2), (-1, 2, 0), (0, -1, -3), (9, 0, 1)]:
        ours, theirs = minidl.tensor(x).diagonal(*args), torch.tensor(x).diagonal(*args)
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    for args in [(0, -2, -1), (1, 0, 2), (-2, 3, 1)]:
        ours, theirs = minidl.tensor(x).diag_embed(*args), torch.tensor(x).diag_embed(*args)
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ints = minidl.tensor([[1, 2], [3, 4]])
    assert ints.diagonal().dtype == minidl.int64 and ints.diag_embed().dtype == minidl.int64
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical 0, 0"):
        minidl.diagonal(minidl.tensor(x), 0, 0, 0)
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical"):
        minidl.diag_embed(minidl.tensor(x), 0, -1, 3)
    with pytest.raises(IndexError):
        minidl.tensor(x).diagonal(0, 0, 3)


def test_einsum_diagonal_values_and_errors(torch):
    a = np.arange(9.0).reshape(3, 3)
    assert float(minidl.einsum("ii", minidl.tensor(a))) == 12.0
    np.testing.assert_array_equal(minidl.einsum("ii->i", minidl.tensor(a)).numpy(), [0, 4, 8])
    with pytest.raises(RuntimeError, match="size"):
        minidl.einsum("ii->i", minidl.ones(2, 3))


@pytest.mark.parametrize("op", ["std", "var"])
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
def test_std_var_constant_input_gradient_is_zero(op, dim, rng, torch):
    """PyTorch masks the division by a zero std: a constant line gets gradient 0."""
    constant = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]])
    if dim is None:
        constant = np.full((2, 3), 1.5)

    def fn(x):
        result = getattr(x, op)() if dim is None else getattr(x, op)(dim, keepdim=True)
        return result

    compare_with_torch(torch, fn, fn, [constant], rng)
    x = leaf(constant)
    fn(x).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_std_double_backward_matches_torch(rng, torch):
    array = rng.standard_normal((2, 4))
    x, t = leaf(array), torch.tensor(array, requires_grad=True)
    (grad,) = minidl.autograd.grad(x.std(1).sum(), x, create_graph=True)
    (grad_t,) = torch.autograd.grad(t.std(1).sum(), t, create_graph=True)
    (second,) = minidl.autograd.grad((grad * grad).sum(), x)
    (second_t,) = torch.autograd.grad((grad_t * grad_t).sum(), t)
    np.testing.assert_allclose(second.numpy(), second_t.numpy(), rtol=1e-9, atol=1e-12)
