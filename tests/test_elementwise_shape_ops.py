"""Rounding steps (floor, ceil, round, sign, trunc/fix, frac) recorded with PyTorch's
gradients, clamp with tensor bounds (ties at a bound go to the input), unflatten, unfold,
stride/storage_offset, H/mH/mT, short, ndimension, bitwise not and shifts: PyTorch parity of
values, dtypes, requires_grad flags and gradients on float64 inputs built from NumPy arrays,
awkward cases, float64 gradient checks and argument errors."""
import numpy as np
import pytest
from helpers import assert_close, leaf, untied

import minidl
from minidl import gradcheck
from minidl.elementwise_functions import (
    bitwise_left_shift,
    bitwise_not,
    bitwise_right_shift,
    fix,
    frac,
    trunc,
    unflatten,
)

# Halves (ties of round), whole numbers, negative zero, values near 0; float64.
ROUNDING_VALUES = np.array([[-2.5, -1.5, -0.5, 0.5, 1.5, 2.5],
                            [-2.0, -0.0, 0.0, 3.0, 0.25, -0.75],
                            [1.26, -1.26, 12.5, -15.0, 149.9, 0.049]])


def _pair(torch, array, requires_grad=True):
    array = np.asarray(array, dtype=np.float64)
    return (minidl.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


# -- rounding steps -------------------------------------------------------------------------
ROUNDING = [
    ("floor", lambda x: x.floor()),
    ("ceil", lambda x: x.ceil()),
    ("round", lambda x: x.round()),
    ("round_decimals_1", lambda x: x.round(decimals=1)),
    ("round_decimals_2", lambda x: x.round(decimals=2)),
    ("round_decimals_-1", lambda x: x.round(decimals=-1)),
    ("sign", lambda x: x.sign()),
    ("trunc", lambda x: x.trunc()),
    ("fix", lambda x: x.fix()),
    ("frac", lambda x: x.frac()),
]


@pytest.mark.parametrize("name,fn", ROUNDING, ids=[case[0] for case in ROUNDING])
def test_rounding_matches_torch(name, fn, rng, torch):
    """Values, requires_grad, the node's name, and the gradient (0, or 1 for frac) alone:
    ``x.floor().sum().backward()`` must work."""
    x, x_ref = _pair(torch, ROUNDING_VALUES)
    y, y_ref = fn(x), fn(x_ref)
    assert_close(y, y_ref.detach().numpy(), np.float64)
    assert y.requires_grad and y_ref.requires_grad
    assert y.grad_fn.name() == y_ref.grad_fn.name()
    grad = rng.standard_normal(ROUNDING_VALUES.shape)
    y.backward(minidl.tensor(grad))
    y_ref.backward(torch.tensor(grad))
    assert_close(x.grad, x_ref.grad.numpy(), np.float64)


@pytest.mark.parametrize("name,fn", ROUNDING, ids=[case[0] for case in ROUNDING])
def test_rounding_on_a_non_contiguous_view(name, fn, torch):
    x, x_ref = _pair(torch, ROUNDING_VALUES)
    y, y_ref = fn(x.t()[::2]), fn(x_ref.t()[::2])
    assert_close(y, y_ref.detach().numpy(), np.float64)
    y.sum().backward()
    y_ref.sum().backward()
    assert_close(x.grad, x_ref.grad.numpy(), np.float64)


def test_rounding_special_values(torch):
    """NaN and infinities: sign(NaN) is 0 in PyTorch, frac(inf) NaN."""
    values = np.array([np.nan, np.inf, -np.inf, 1.5])
    for fn in (lambda x: x.floor(), lambda x: x.ceil(), lambda x: x.round(), lambda x: x.sign(),
               lambda x: x.trunc(), lambda x: x.frac(), lambda x: x.round(decimals=1)):
        np.testing.assert_array_equal(fn(minidl.tensor(values)).array,
                                      fn(torch.tensor(values)).numpy())


def test_rounding_float32_and_no_grad(torch):
    values = ROUNDING_VALUES.astype(np.float32)
    for _, fn in ROUNDING:
        y = fn(minidl.tensor(values))
        assert y.dtype == np.float32 and not y.requires_grad and y.grad_fn is None
        assert_close(y, fn(torch.tensor(values)).numpy(), np.float32)
    x = minidl.tensor(values, requires_grad=True)
    with minidl.no_grad():
        assert not x.floor().requires_grad


def test_functions_and_exports(torch):
    x, x_ref = _pair(torch, ROUNDING_VALUES)
    for ours, theirs in ((trunc, torch.trunc), (fix, torch.fix), (frac, torch.frac)):
        y, y_ref = ours(x), theirs(x_ref)
        assert_close(y, y_ref.detach().numpy(), np.float64)
        assert y.requires_grad
    for name in ("trunc", "fix", "frac", "unflatten", "bitwise_not", "bitwise_left_shift",
                 "bitwise_right_shift"):
        if hasattr(minidl, name):  # exported by minidl/__init__.py
            assert getattr(minidl, name) is globals()[name]


def test_floor_alone_backward_and_create_graph():
    x = leaf([[1.5, -0.5], [2.0, 3.7]])
    x.floor().sum().backward()
    np.testing.assert_array_equal(x.grad.array, np.zeros((2, 2)))
    x.grad = None
    (x.frac() * x).sum().backward()  # d/dx (x·frac x) = frac x + x
    assert_close(x.grad, x.detach().frac().array + x.detach().array)
    (g,) = minidl.autograd.grad((x.round() * x).sum(), x, create_graph=True)
    assert_close(g, np.round(x.detach().array))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_rounding_integers_are_copies(dtype, torch):
    values = np.array([[3, 0, 7], [1, 2, 250 if dtype == np.uint8 else -5]], dtype=dtype)
    for name in ("floor", "ceil", "round", "trunc", "fix", "sign"):
        y = getattr(minidl.tensor(values), name)()
        y_ref = getattr(torch.tensor(values), name)()
        assert y.dtype == dtype
        np.testing.assert_array_equal(y.array, y_ref.numpy())
        assert not np.shares_memory(y.array, values)


def test_rounding_errors(torch):
    flags = minidl.tensor([True, False])
    for name in ("floor", "ceil", "round", "trunc"):
        with pytest.raises(NotImplementedError):
            getattr(flags, name)()
        with pytest.raises(NotImplementedError):
            getattr(torch.tensor([True, False]), name)()
    np.testing.assert_array_equal(flags.sign().array, [True, False])
    with pytest.raises(NotImplementedError):
        minidl.tensor([1, 2]).frac()
    with pytest.raises(NotImplementedError):
        minidl.tensor([1, 2]).round(decimals=1)
    with pytest.raises(TypeError):
        minidl.tensor([1.5]).round(decimals=1.0)


@pytest.mark.parametrize("name,args", [("floor_", ()), ("ceil_", ()), ("round_", ()),
                                       ("sign_", ()), ("trunc_", ()), ("fix_", ()),
                                       ("frac_", ())])
def test_in_place_rounding(name, args, rng, torch):
    x, x_ref = _pair(torch, ROUNDING_VALUES)
    y, y_ref = x * 2, x_ref * 2
    assert getattr(y, name)(*args) is y
    getattr(y_ref, name)(*args)
    assert_close(y, y_ref.detach().numpy(), np.float64)
    assert y.grad_fn.name() == y_ref.grad_fn.name()
    grad = rng.standard_normal(ROUNDING_VALUES.shape)
    (y * x).backward(minidl.tensor(grad))
    (y_ref * x_ref).backward(torch.tensor(grad))
    assert_close(x.grad, x_ref.grad.numpy(), np.float64)


def test_in_place_round_decimals_on_plain_tensor(torch):
    x = minidl.tensor(ROUNDING_VALUES.copy())
    x.round_(decimals=1)
    np.testing.assert_array_equal(x.array, torch.tensor(ROUNDING_VALUES).round(decimals=1))


def test_frac_gradcheck(rng):
    values = untied(rng, 3, 4, low=-2.9, high=2.9, gap=3e-2)
    values = np.where(np.abs(values - np.round(values)) < 0.05, values + 0.1, values)
    assert gradcheck(lambda x: x.frac() * x, (leaf(values),))


# -- clamp with tensor bounds ----------------------------------------------------------------
GRID = np.arange(-2.0, 2.5, 0.5)  # few values: ties of x and the bounds on purpose


def _grid(rng, *shape):
    return rng.choice(GRID, size=shape)


# (name, x shape, min shape or None, max shape or None); "" marks a 0-d bound.
CLAMP_CASES = [
    ("both_same_shape", (4, 5), (4, 5), (4, 5)),
    ("min_only", (4, 5), (4, 5), None),
    ("max_only", (4, 5), None, (4, 5)),
    ("both_broadcast_rows_columns", (4, 5), (4, 1), (5,)),
    ("bounds_broadcast_x", (5,), (3, 1), (3, 5)),
    ("zero_d_bounds", (3, 4), (), ()),
    ("min_only_broadcast", (2, 3, 4), (3, 1), None),
    ("max_only_broadcast", (2, 3, 4), None, (1, 4)),
]


def _clamp_both(torch, rng, x_shape, min_shape, max_shape):
    arrays = [_grid(rng, *x_shape)]
    arrays += [None if s is None else _grid(rng, *s) for s in (min_shape, max_shape)]
    mine = [None if a is None else minidl.tensor(a, requires_grad=True) for a in arrays]
    theirs = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    return mine, theirs


def _check_gradients(mine, theirs, out, out_ref, rng):
    grad = rng.standard_normal(tuple(out_ref.shape))
    out.backward(minidl.tensor(grad))
    out_ref.backward(out_ref.new_tensor(grad))
    for ours, ref in zip(mine, theirs):
        if ours is None:
            continue
        if ref.grad is None:
            assert ours.grad is None or not ours.grad.array.any()
        else:
            assert_close(ours.grad, ref.grad.numpy(), np.float64)


@pytest.mark.parametrize("name,x_shape,min_shape,max_shape", CLAMP_CASES,
                         ids=[case[0] for case in CLAMP_CASES])
def test_clamp_tensor_bounds_match_torch(name, x_shape, min_shape, max_shape, rng, torch):
    mine, theirs = _clamp_both(torch, rng, x_shape, min_shape, max_shape)
    out = mine[0].clamp(mine[1], mine[2])
    out_ref = theirs[0].clamp(theirs[1], theirs[2])
    assert out.requires_grad and out.grad_fn.name() == out_ref.grad_fn.name()
    assert_close(out, out_ref.detach().numpy(), np.float64)
    _check_gradients(mine, theirs, out, out_ref, rng)


def test_clamp_ties_go_to_the_input(torch):
    """x equal to min or max: the whole gradient to x, none to the bound (maximum and
    minimum would split it 50/50)."""
    x = leaf([1.0, 2.0, 3.0, 0.0, 4.0])
    low = leaf([1.0, 1.0, 1.0, 1.0, 1.0])
    high = leaf([3.0, 3.0, 3.0, 3.0, 3.0])
    x.clamp(low, high).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [1, 1, 1, 0, 0])
    np.testing.assert_array_equal(low.grad.array, [0, 0, 0, 1, 0])
    np.testing.assert_array_equal(high.grad.array, [0, 0, 0, 0, 1])


def test_clamp_min_above_max(rng, torch):
    """Where min > max the result is max, and max gets the gradient everywhere there."""
    x, x_ref = _pair(torch, _grid(rng, 3, 4))
    low, low_ref = _pair(torch, _grid(rng, 3, 4))
    high, high_ref = _pair(torch, _grid(rng, 3, 4))
    out, out_ref = minidl.clamp(x, low, high), torch.clamp(x_ref, low_ref, high_ref)
    assert_close(out, out_ref.detach().numpy(), np.float64)
    _check_gradients([x, low, high], [x_ref, low_ref, high_ref], out, out_ref, rng)


@pytest.mark.parametrize("which", ["min", "max"])
def test_clamp_min_max_with_tensors(which, rng, torch):
    x, x_ref = _pair(torch, _grid(rng, 4, 3))
    bound, bound_ref = _pair(torch, _grid(rng, 3))
    name = f"clamp_{which}"
    out, out_ref = getattr(x, name)(bound), getattr(x_ref, name)(bound_ref)
    assert out.grad_fn is not None
    assert_close(out, out_ref.detach().numpy(), np.float64)
    _check_gradients([x, bound], [x_ref, bound_ref], out, out_ref, rng)
    functional = getattr(minidl, name)(x.detach(), bound.detach())
    assert_close(functional, out_ref.detach().numpy(), np.float64)


def test_clamp_number_beside_tensor_is_a_zero_d_bound(rng, torch):
    """PyTorch refuses a number beside a tensor bound; minidl takes it as a 0-d tensor."""
    x, x_ref = _pair(torch, _grid(rng, 3, 4))
    low, low_ref = _pair(torch, _grid(rng, 4))
    out = x.clamp(low, 0.5)
    out_ref = x_ref.clamp(low_ref, torch.tensor(0.5, dtype=torch.float64))
    assert_close(out, out_ref.detach().numpy(), np.float64)
    _check_gradients([x, low], [x_ref, low_ref], out, out_ref, rng)
    high = minidl.tensor(_grid(rng, 4))
    out = x.detach().clamp(min=-0.5, max=high)
    assert_close(out, np.minimum(np.maximum(x.detach().array, -0.5), high.array))


def test_clamp_dtypes_and_in_place(torch):
    ints = np.array([1, 5, -3])
    out = minidl.tensor(ints).clamp(min=minidl.tensor([2.5, 0.0, 0.0]))
    out_ref = torch.tensor(ints).clamp(min=torch.tensor([2.5, 0.0, 0.0]))
    assert out.dtype == np.float32 and out_ref.dtype == torch.float32
    assert_close(out, out_ref.numpy(), np.float32)
    out = minidl.tensor(ints).clamp(max=minidl.tensor([0, 2, 0]))
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.array, [0, 2, -3])
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1
    y.clamp_(minidl.tensor([2.0, 2.0, 2.0]), minidl.tensor(2.5))
    y.sum().backward()
    np.testing.assert_array_equal(y.detach().array, [2.0, 2.0, 2.5])
    np.testing.assert_array_equal(x.grad.array, [0.0, 1.0, 0.0])


def test_clamp_scalar_bounds_unchanged(torch):
    x, x_ref = _pair(torch, [-2.0, -1.0, 0.0, 1.0, 2.0])
    x.clamp(-1.0, 1.0).sum().backward()
    x_ref.clamp(-1.0, 1.0).sum().backward()
    assert_close(x.grad, x_ref.grad.numpy(), np.float64)


def test_clamp_errors():
    x = minidl.tensor([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="At least one"):
        x.clamp()
    with pytest.raises(RuntimeError, match="broadcast"):
        x.clamp(minidl.tensor([1.0, 2.0]))


def test_clamp_gradcheck(rng):
    values = untied(rng, 3, 3, 4, gap=2e-2)  # no ties: min < x, x < max or the reverse
    x, low, high = (leaf(part) for part in values)
    assert gradcheck(lambda a, b, c: a.clamp(b, c), (x, low, high))
    assert gradcheck(lambda a, b: a.clamp(min=b), (leaf(untied(rng, 2, 5)),
                                                   leaf(untied(rng, 5) + 0.005)))


# -- unflatten, unfold ---------------------------------------------------------------------
UNFLATTEN_CASES = [((2, 12), 1, (3, 4)), ((2, 12), -1, (2, -1, 3)), ((6, 2), 0, (-1, 1, 2)),
                   ((6, 2), -2, [3, 2]), ((4,), 0, (4,)), ((2, 0), 1, (0, 5))]


@pytest.mark.parametrize("shape,dim,sizes", UNFLATTEN_CASES)
def test_unflatten_matches_torch(shape, dim, sizes, rng, torch):
    values = rng.standard_normal(shape)
    x, x_ref = _pair(torch, values)
    out, out_ref = x.unflatten(dim, sizes), x_ref.unflatten(dim, sizes)
    assert out.shape == tuple(out_ref.shape)
    assert_close(out, out_ref.detach().numpy(), np.float64)
    assert unflatten(x, dim, sizes).shape == out.shape
    grad = rng.standard_normal(tuple(out_ref.shape))
    out.backward(minidl.tensor(grad))
    out_ref.backward(torch.tensor(grad))
    assert_close(x.grad, x_ref.grad.numpy(), np.float64)


def test_unflatten_non_contiguous_and_view():
    base = minidl.tensor(np.arange(24.0).reshape(4, 6))
    out = base.t().unflatten(0, (2, 3))
    np.testing.assert_array_equal(out.array, np.arange(24.0).reshape(4, 6).T.reshape(2, 3, 4))
    view = base.unflatten(1, (3, 2))
    view[0, 0, 0] = -1.0
    assert base.array[0, 0] == -1.0


@pytest.mark.parametrize("sizes,error", [((5, -1), RuntimeError), ((3, 3), RuntimeError),
                                         ((-1, -1), RuntimeError), ((), RuntimeError)])
def test_unflatten_errors(sizes, error, torch):
    with pytest.raises(error):
        minidl.zeros(2, 12).unflatten(1, sizes)
    with pytest.raises(error):
        torch.zeros(2, 12).unflatten(1, sizes)


def test_unflatten_bad_dims():
    with pytest.raises(IndexError):
        minidl.tensor(1.0).unflatten(0, (1,))
    with pytest.raises((IndexError, RuntimeError)):
        minidl.zeros(2, 3).unflatten(2, (3, 1))


UNFOLD_CASES = [((7,), 0, 3, 2), ((7,), 0, 7, 1), ((7,), 0, 2, 5), ((2, 6, 3), 1, 2, 2),
                ((2, 6, 3), -1, 2, 1), ((2, 6, 3), 0, 1, 1), ((4, 5), -2, 3, 1),
                ((5,), 0, 0, 1), ((3, 4), 1, 4, 3)]


@pytest.mark.parametrize("shape,dim,size,step", UNFOLD_CASES)
def test_unfold_matches_torch(shape, dim, size, step, rng, torch):
    values = rng.standard_normal(shape)
    x, x_ref = _pair(torch, values)
    out, out_ref = x.unfold(dim, size, step), x_ref.unfold(dim, size, step)
    assert out.shape == tuple(out_ref.shape)
    assert out.stride() == out_ref.stride()
    assert_close(out, out_ref.detach().numpy(), np.float64)
    grad = rng.standard_normal(tuple(out_ref.shape))
    out.backward(minidl.tensor(grad))
    out_ref.backward(torch.tensor(grad))
    assert_close(x.grad, x_ref.grad.numpy(), np.float64)


def test_unfold_non_contiguous_zero_d_and_chained(rng, torch):
    values = rng.standard_normal((5, 8))
    x, x_ref = _pair(torch, values)
    ours = x.t()[1:].unfold(0, 3, 2).unfold(1, 2, 2)
    theirs = x_ref.t()[1:].unfold(0, 3, 2).unfold(1, 2, 2)
    assert ours.stride() == theirs.stride()
    assert ours.storage_offset() == theirs.storage_offset()
    assert_close(ours, theirs.detach().numpy(), np.float64)
    (ours * ours).sum().backward()
    (theirs * theirs).sum().backward()
    assert_close(x.grad, x_ref.grad.numpy(), np.float64)
    for size, step in ((1, 1), (1, 3), (0, 1)):
        zero_d = minidl.tensor(5.0).unfold(0, size, step)
        zero_d_ref = torch.tensor(5.0).unfold(0, size, step)
        assert zero_d.shape == tuple(zero_d_ref.shape)
        np.testing.assert_array_equal(zero_d.array, zero_d_ref.numpy())


def test_unfold_is_a_view():
    base = minidl.tensor(np.arange(6.0))
    windows = base.unfold(0, 2, 2)  # no overlap: writable, as in PyTorch
    windows[1, 0] = -1.0
    assert base.array[2] == -1.0
    base[5] = 9.0
    assert windows.array[2, 1] == 9.0


def test_unfold_gradcheck(rng):
    assert gradcheck(lambda x: x.unfold(1, 3, 2) * x.unfold(1, 3, 2),
                     (leaf(untied(rng, 2, 7)),))
    assert gradcheck(lambda x: x.unflatten(-1, (2, -1)).sum(1), (leaf(untied(rng, 3, 6)),))
    x = leaf(untied(rng, 6))
    (g,) = minidl.autograd.grad((x.unfold(0, 3, 1) ** 2).sum(), x, create_graph=True)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.array, 2 * np.array([1, 2, 3, 3, 2, 1.0]))


@pytest.mark.parametrize("args,error", [((0, 8, 1), RuntimeError), ((0, 2, 0), RuntimeError),
                                        ((1, 2, 1), IndexError), ((0, -1, 1), RuntimeError),
                                        ((-2, 1, 1), IndexError)])
def test_unfold_errors(args, error, torch):
    with pytest.raises(error):
        minidl.arange(7.0).unfold(*args)
    with pytest.raises(error):
        torch.arange(7.0).unfold(*args)
    with pytest.raises(RuntimeError):
        minidl.tensor(5.0).unfold(0, 2, 1)


# -- layout: stride, storage_offset --------------------------------------------------------
VIEWS = [
    ("contiguous", lambda z: z),
    ("unsqueeze", lambda z: z.unsqueeze(1)),
    ("slices_steps", lambda z: z[:, 1:3, ::2]),
    ("transpose", lambda z: z.transpose(0, 2)),
    ("integer_index", lambda z: z[1]),
    ("last_index", lambda z: z[..., 2]),
    ("reshape", lambda z: z.reshape(12, 5)),
    ("flatten", lambda z: z.flatten()),
    ("expand", lambda z: z[:, :1].expand(3, 4, 5)),
    ("permute_slice", lambda z: z.permute(2, 0, 1)[1:]),
    ("element", lambda z: z[2, 3, 4]),
    ("mT", lambda z: z.mT),
    ("mH_slice", lambda z: z.mH[1:]),
    ("narrow", lambda z: z.narrow(-1, 2, 3)),
    ("unfold_slice", lambda z: z[1:].unfold(-1, 2, 2)),
    ("detached_slice", lambda z: z[1:, 1:].detach()),
    ("split", lambda z: z.split(2, dim=1)[1]),
]


@pytest.mark.parametrize("name,fn", VIEWS, ids=[case[0] for case in VIEWS])
def test_stride_and_storage_offset_match_torch(name, fn, torch):
    ours, theirs = fn(minidl.zeros(3, 4, 5)), fn(torch.zeros(3, 4, 5))
    assert ours.stride() == theirs.stride()
    assert ours.storage_offset() == theirs.storage_offset()
    for dim in range(-ours.ndim, ours.ndim):
        assert ours.stride(dim) == theirs.stride(dim)


def test_stride_contiguous_shapes_and_errors(torch):
    for shape in [(3, 1, 4), (0, 3), (3, 0), (2, 0, 4), (), (2, 3, 4, 5)]:
        assert minidl.zeros(shape).stride() == torch.zeros(shape).stride()
        assert minidl.zeros(shape).storage_offset() == 0
    with pytest.raises(IndexError):
        minidl.tensor(1.0).stride(0)
    with pytest.raises(IndexError):
        minidl.zeros(3, 4, 5).stride(3)
    with pytest.raises(IndexError):
        minidl.zeros(3, 4, 5).stride(-4)


# -- H, mH, mT, short, ndimension ------------------------------------------------------------
def test_conjugate_transposes(rng, torch):
    values = rng.standard_normal((2, 3, 4))
    x, x_ref = _pair(torch, values)
    assert_close(x.mH, x_ref.mH.detach().numpy(), np.float64)
    assert_close(x.mT, x_ref.mT.detach().numpy(), np.float64)
    assert_close(x[0].H, x_ref[0].H.detach().numpy(), np.float64)
    x[0].H.sum().backward()
    assert x.grad.array[0].sum() == 12 and x.grad.array[1].sum() == 0
    assert minidl.tensor(3.0).H.item() == 3.0
    for attr in ("H", "mH", "mT"):
        with pytest.raises(RuntimeError):
            getattr(minidl.zeros(3), attr)
    with pytest.raises(RuntimeError, match="mH"):
        minidl.zeros(2, 3, 4).H


def test_short_and_ndimension(torch):
    values = np.array([[1.7, -2.2, 40000.0]])
    y = minidl.tensor(values).short()
    assert y.dtype == np.int16
    assert minidl.tensor(values).ndimension() == 2 == torch.tensor(values).ndimension()
    assert minidl.tensor(1.0).ndimension() == 0
    np.testing.assert_array_equal(y.array[:, :2], torch.tensor(values).short().numpy()[:, :2])


# -- bitwise not and shifts ------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint8, np.bool_])
def test_bitwise_not_matches_torch(dtype, torch):
    values = np.array([0, 1, 5, 127], dtype=dtype) if dtype != np.bool_ \
        else np.array([True, False])
    if dtype in (np.int64, np.int32, np.int8):
        values = np.append(values, np.array([-1, -8], dtype=dtype))
    ours = minidl.tensor(values).bitwise_not()
    theirs = torch.bitwise_not(torch.tensor(values))
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours.array, theirs.numpy())
    np.testing.assert_array_equal(bitwise_not(minidl.tensor(values)).array, theirs.numpy())
    x = minidl.tensor(values.copy())
    x.bitwise_not_()
    np.testing.assert_array_equal(x.array, theirs.numpy())


def test_bitwise_not_refuses_floats():
    with pytest.raises(NotImplementedError):
        minidl.tensor([1.5]).bitwise_not()


def test_invert_operator_on_integers(torch):
    values = np.array([0, 1, -2])
    np.testing.assert_array_equal((~minidl.tensor(values)).array,
                                  (~torch.tensor(values)).numpy())


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint8])
def test_shifts_match_torch(dtype, torch):
    bits = np.dtype(dtype).itemsize * 8
    if dtype == np.uint8:
        values = np.array([0, 1, 5, 200, 255], dtype=dtype)
    else:
        values = np.array([0, 1, -1, 5, -8, 100], dtype=dtype)
    x, x_ref = minidl.tensor(values), torch.tensor(values)
    amounts = [0, 1, 3, bits - 1, bits, bits + 5, -1] if dtype != np.uint8 \
        else [0, 1, 3, 7, 8, 13]
    for amount in amounts:
        for ours, theirs in ((x << amount, x_ref << amount), (x >> amount, x_ref >> amount),
                             (bitwise_left_shift(x, amount),
                              torch.bitwise_left_shift(x_ref, amount)),
                             (bitwise_right_shift(x, amount),
                              torch.bitwise_right_shift(x_ref, amount))):
            assert ours.dtype == dtype, amount
            np.testing.assert_array_equal(ours.array, theirs.numpy(), err_msg=str(amount))


def test_shift_tensor_amounts_promotion_and_reflected(torch):
    values = np.array([[1, -8, 5], [3, 7, -1]], dtype=np.int32)
    amounts = np.array([0, 2, 40])
    x, x_ref = minidl.tensor(values), torch.tensor(values)
    s, s_ref = minidl.tensor(amounts), torch.tensor(amounts)
    for ours, theirs in ((x << s, x_ref << s_ref), (x >> s, x_ref >> s_ref),
                         (2 << x.abs(), 2 << x_ref.abs()), (64 >> x.abs(), 64 >> x_ref.abs()),
                         (bitwise_left_shift(3, s), torch.bitwise_left_shift(3, s_ref)),
                         (bitwise_right_shift(-64, s), torch.bitwise_right_shift(-64, s_ref)),
                         (minidl.tensor([True, False]) << 2,
                          torch.tensor([True, False]) << 2)):
        assert ours.dtype == np.dtype(str(theirs.dtype).split(".")[-1])
        np.testing.assert_array_equal(ours.array, theirs.numpy())
    y = minidl.tensor(values.copy())
    y <<= 2
    y >>= minidl.tensor([1, 0, 3], dtype=minidl.int32)
    y_ref = torch.tensor(values)
    y_ref <<= 2
    y_ref >>= torch.tensor([1, 0, 3], dtype=torch.int32)
    np.testing.assert_array_equal(y.array, y_ref.numpy())


def test_shift_errors():
    with pytest.raises(NotImplementedError):
        minidl.tensor([1.5]) << 1
    with pytest.raises(NotImplementedError):
        minidl.tensor([1]) << 1.5
    with pytest.raises(RuntimeError, match="broadcast"):
        minidl.tensor([1, 2]) << minidl.tensor([1, 2, 3])
