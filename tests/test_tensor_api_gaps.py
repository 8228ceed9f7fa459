"""Tensor methods PyTorch programs use that minidl lacked: ordering (sort, argsort, topk),
running sums and products, flip/roll/narrow/movedim/index_select, lerp, rounded division
and remainder, all/any/nonzero/where(cond), isinf, Python floats kept in double precision,
``generator=`` on the random functions, a 0-d scatter index, and the one-line error for a
Tensor attribute minidl does not have.  Float64 gradient checks, PyTorch parity (forward
and backward), result dtypes and errors."""
import numpy as np
import pytest
from helpers import assert_close, compare_with_torch, leaf, untied

import minidl
from minidl import gradcheck
from minidl.compat.missing import NotImplementedInMinidl

INDEX = np.array([2, 0, 2])

# (name, function of one tensor of shape (2, 3, 4), the same in PyTorch's spelling or None)
UNARY = [
    ("topk", lambda x: x.topk(2, dim=1).values, None),
    ("topk_smallest", lambda x: x.topk(3, largest=False).values, None),
    ("sort", lambda x: x.sort(dim=0).values, None),
    ("sort_descending", lambda x: x.sort(-1, descending=True).values, None),
    ("cumsum", lambda x: x.cumsum(1), None),
    ("cumsum_last", lambda x: x.cumsum(-1), None),
    ("prod_dim", lambda x: x.prod(1), None),
    ("prod_keepdim", lambda x: x.prod(-1, keepdim=True), None),
    ("prod_all", lambda x: x[0, :2].prod(), None),
    ("flip", lambda x: x.flip(0, 2) * 1.5, None),
    ("roll", lambda x: x.roll((1, -1), (1, 2)), None),
    ("roll_flat", lambda x: x.roll(5), None),
    ("narrow", lambda x: x.narrow(2, -3, 2), None),
    ("movedim", lambda x: x.movedim((0, 1), (2, 0)) * 1.5, None),
    ("index_select", lambda x: x.index_select(1, minidl.tensor(INDEX)),
     lambda torch: lambda x: x.index_select(1, torch.tensor(INDEX))),
    ("lerp_small_weight", lambda x: x.lerp(x.detach() * 0 + 1.5, 0.25), None),
    ("lerp_large_weight", lambda x: x.lerp(x.detach() * 0 + 1.5, 0.75), None),
    ("remainder", lambda x: x % 0.7, None),
    ("clamp_min", lambda x: x.clamp_min(0.1), None),
    ("clamp_max", lambda x: x.clamp_max(0.1), None),
]


@pytest.mark.parametrize("name,fn,twin", UNARY, ids=[u[0] for u in UNARY])
def test_unary_gradcheck(name, fn, twin, rng):
    x = leaf(untied(rng, 2, 3, 4, low=-1.3, high=1.3, gap=2e-2))
    assert gradcheck(fn, (x,))


@pytest.mark.parametrize("name,fn,twin", UNARY, ids=[u[0] for u in UNARY])
def test_unary_matches_torch(name, fn, twin, rng, torch):
    values = untied(rng, 2, 3, 4, low=-1.3, high=1.3, gap=2e-2)
    compare_with_torch(torch, fn, twin(torch) if twin else fn, [values], rng)


ZEROS = [[1.5, 0.0, 3.0, -2.0], [0.0, 0.5, 0.0, 2.0], [1.0, 2.0, -1.0, 0.5]]


@pytest.mark.parametrize("dim", [0, 1, None])
def test_prod_with_zeros_gradcheck_and_torch(dim, rng, torch):
    """One zero in a product: only its own gradient is non-zero; two: all are 0."""
    def product(x):
        return x.prod() if dim is None else x.prod(dim)
    assert gradcheck(product, (leaf(ZEROS),))
    compare_with_torch(torch, product, product, [ZEROS], rng)


# (name, function of three tensors of shape (3, 4), inputs PyTorch differentiates)
BINARY = [
    ("lerp_tensor_weight", lambda a, b, w: a.lerp(b, w), (0, 1, 2)),
    ("lerp_function", lambda a, b, w: minidl.lerp(a, b, w * 2), (0, 1, 2)),
    ("remainder", lambda a, b, w: a % (b.abs() + 2) * w, (0, 2)),  # PyTorch: none for b
]


@pytest.mark.parametrize("name,fn,differentiated", BINARY, ids=[b[0] for b in BINARY])
def test_three_input_gradcheck_and_torch(name, fn, differentiated, rng, torch):
    a, b = untied(rng, 3, 4), untied(rng, 3, 4)
    w = rng.uniform(0.05, 0.95, (3, 4))
    assert gradcheck(fn, (leaf(a), leaf(b), leaf(w)))
    twin = {"lerp_function": lambda a, b, w: torch.lerp(a, b, w * 2)}.get(name, fn)
    compare_with_torch(torch, fn, twin, [a, b, w], rng, grad_inputs=differentiated)


def test_lerp_weight_one_gives_end_exactly_and_checks_dtypes():
    start, end = minidl.tensor([0.1, 0.7]), minidl.tensor([0.3, 1e-3])
    assert start.lerp(end, 1.0).equal(end)
    with pytest.raises(RuntimeError, match="lerp"):
        start.lerp(end.double(), 0.5)
    x = minidl.zeros(2)
    assert x.lerp_(minidl.ones(2), 0.25) is x and x.tolist() == [0.25, 0.25]


# -- ordering ----------------------------------------------------------------------------------
def test_sort_ties_and_nan_like_torch(torch):
    values = np.array([[3.0, np.nan, 1.0, 3.0, 1.0], [2.0, 2.0, -np.inf, 0.0, 2.0]])
    for descending in (False, True):
        ours = minidl.tensor(values).sort(dim=1, descending=descending, stable=True)
        theirs = torch.tensor(values).sort(dim=1, descending=descending, stable=True)
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    # topk: PyTorch's indices among ties follow no rule; the values and the picks agree
    ours, theirs = minidl.topk(minidl.tensor(values), 2), torch.topk(torch.tensor(values), 2)
    np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
    np.testing.assert_array_equal(np.take_along_axis(values, ours.indices.numpy(), 1),
                                  theirs.values.numpy())


def test_ordering_dtypes_functions_and_0d():
    x = minidl.tensor([[3, 1, 2], [0, 5, 4]], dtype=minidl.int32)
    values, indices = minidl.sort(x, descending=True)
    assert values.dtype == np.int32 and indices.dtype == np.int64
    assert values.tolist() == [[3, 2, 1], [5, 4, 0]]
    assert minidl.argsort(x, dim=0).tolist() == [[1, 0, 0], [0, 1, 1]]
    assert x.topk(1, dim=0).indices.tolist() == [[0, 1, 1]]
    scalar = minidl.tensor(2.5)
    assert scalar.sort().values.shape == () and scalar.topk(1).indices.item() == 0
    assert minidl.tensor([True, False, True]).argsort().tolist() == [1, 0, 2]


# -- running sums, products, reductions to bool --------------------------------------------------
def test_cumsum_prod_result_dtypes_like_torch(torch):
    for dtype in ("int32", "uint8", "bool", "float64"):
        values = np.array([[1, 0, 2], [3, 1, 1]]).astype(dtype)
        for op in ("cumsum", "prod"):
            ours = getattr(minidl.tensor(values), op)(1)
            theirs = getattr(torch.tensor(values), op)(1)
            assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), (dtype, op)
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert minidl.prod(minidl.tensor([2, 3, 4])).item() == 24
    assert minidl.cumsum(minidl.tensor([1.0, 2.0]), 0, dtype=minidl.float64).dtype == np.float64


def test_all_any_with_dims_and_torch_functions():
    m = minidl.tensor([[True, False], [True, True]])
    assert m.all(1).tolist() == [False, True] and m.any(dim=0).tolist() == [True, True]
    assert minidl.all(m, 1, keepdim=True).shape == (2, 1)
    assert minidl.any(m).item() is True and minidl.all(m).item() is False
    assert minidl.tensor([1.0, 0.5]).all().item() is True


def test_nonzero_where_one_argument_and_isinf(torch):
    a = np.array([[1.0, 7.0], [9.0, 2.0]])
    rows, cols = minidl.where(minidl.tensor(a) > 5)
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0] and rows.dtype == np.int64
    assert minidl.nonzero(minidl.tensor(a) > 5).tolist() == [[0, 1], [1, 0]]
    assert minidl.tensor(1.0).nonzero().shape == (1, 0)
    assert [t.tolist() for t in minidl.tensor(1.0).nonzero(as_tuple=True)] == [[0]]
    values = np.array([np.inf, -np.inf, np.nan, 1.0])
    assert minidl.isinf(minidl.tensor(values)).tolist() == torch.isinf(
        torch.tensor(values)).tolist()
    with pytest.raises(TypeError, match="where"):
        minidl.where(minidl.tensor([True]), minidl.zeros(1))


# -- rounded division and remainder ----------------------------------------------------------------
DIVISION_CASES = [
    (np.array([7, -7, 6, -1]), np.array([2, 2, -4, 3])),
    (np.array([7.5, -7.5, 0.0, 5.0]), np.array([2.0, 2.0, -3.0, -0.5])),
    (np.array([7, -7, 4, -9], dtype=np.int32), 2),
    (np.array([7, -7], dtype=np.int64), 2.5),
    (np.array([5.5, -5.5], dtype=np.float32), np.array([2, -2])),
]


@pytest.mark.parametrize("left,right", DIVISION_CASES)
def test_floor_division_remainder_and_rounding_modes_like_torch(left, right, torch):
    def both(value, module):
        return module.tensor(value) if isinstance(value, np.ndarray) else value
    for name, op in [("floordiv", lambda a, b, m: a // b), ("mod", lambda a, b, m: a % b),
                     ("rfloordiv", lambda a, b, m: 9 // a), ("rmod", lambda a, b, m: 9 % a),
                     ("floor", lambda a, b, m: m.div(a, b, rounding_mode="floor")),
                     ("trunc", lambda a, b, m: m.div(a, b, rounding_mode="trunc")),
                     ("floor_divide", lambda a, b, m: m.floor_divide(a, b)),
                     ("remainder", lambda a, b, m: m.remainder(a, b))]:
        if name.startswith("r") and name != "remainder" and (left == 0).any():
            continue
        ours = op(both(left, minidl), both(right, minidl), minidl)
        theirs = op(both(left, torch), both(right, torch), torch)
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), name
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, err_msg=name)


def test_rounded_division_in_place_and_errors():
    x = minidl.tensor([7, -7])
    x //= 2
    assert x.tolist() == [3, -4]
    x %= 3
    assert x.tolist() == [0, 2]
    y = minidl.tensor([7.0, -7.0])
    assert y.div_(2, rounding_mode="trunc").tolist() == [3.0, -3.0]
    assert (minidl.tensor([7.0]) // 0).tolist() == [float("inf")]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        minidl.tensor([7]) // 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        minidl.tensor([7]) % minidl.tensor([0])
    with pytest.raises(RuntimeError, match="bool"):
        minidl.tensor([True]) // minidl.tensor([True])
    with pytest.raises(RuntimeError, match="broadcast"):
        minidl.ones(2) % minidl.ones(3)
    with pytest.raises(ValueError, match="rounding_mode"):
        minidl.div(minidl.ones(2), 2, rounding_mode="round")
    with pytest.raises(RuntimeError, match="can't be cast"):
        minidl.tensor([7]).floor_divide_(2.5)
    rounded = minidl.tensor([1.5], requires_grad=True) // 1
    assert not rounded.requires_grad  # a step function: PyTorch's gradient is 0


# -- shapes ------------------------------------------------------------------------------------
def test_shape_functions_match_torch(torch):
    values = np.arange(24.0).reshape(2, 3, 4)
    cases = [lambda m: m.flip(values_t(m), [2]), lambda m: m.roll(values_t(m), 1),
             lambda m: m.roll(values_t(m), (1, -2), (0, 2)),
             lambda m: m.narrow(values_t(m), 1, 1, 2),
             lambda m: m.movedim(values_t(m), -1, 0), lambda m: m.moveaxis(values_t(m), 0, 1),
             lambda m: m.index_select(values_t(m), 2, m.tensor([3, 3, 0])),
             lambda m: m.clamp_min(values_t(m), 5.5), lambda m: m.clamp_max(values_t(m), 5),
             lambda m: values_t(m).mT]

    def values_t(module):
        return module.tensor(values)
    for i, case in enumerate(cases):
        assert_close(case(minidl), case(torch).numpy(), err_msg=str(i))


def test_narrow_is_a_view_and_flip_a_copy():
    x = minidl.zeros(4)
    x.narrow(0, 1, 2).fill_(1)
    x.flip(0).fill_(5)
    assert x.tolist() == [0, 1, 1, 0]


@pytest.mark.parametrize("call,match", [
    (lambda x: x.topk(4, dim=1), "topk"),
    (lambda x: x.roll((1, 2), 0), "roll"),
    (lambda x: x.roll((1, 2)), "roll"),
    (lambda x: x.narrow(1, 2, 2), "narrow"),
    (lambda x: x.movedim((0, 0), (1, 0)), "movedim"),
    (lambda x: x.index_select(0, minidl.tensor([[0]])), "index_select"),
    (lambda x: x.flip(2), "flip"),
    (lambda x: x.prod((0, 1)), "prod"),
    (lambda x: x.lerp(x, "a"), "lerp"),
])
def test_bad_arguments_name_the_function(call, match):
    with pytest.raises((RuntimeError, IndexError, TypeError), match=match):
        call(minidl.ones(2, 3))


# -- Python floats in double precision -----------------------------------------------------------
def test_python_floats_keep_double_precision_for_float64():
    assert minidl.tensor(0.1, dtype=minidl.float64).item() == 0.1
    assert minidl.tensor([0.1, 2], dtype=minidl.float64).tolist() == [0.1, 2.0]
    assert minidl.tensor([[0.1], [0.3]], dtype=minidl.float64).tolist() == [[0.1], [0.3]]
    assert minidl.as_tensor([0.1], dtype=minidl.float64).tolist() == [0.1]
    assert minidl.full((2,), 0.1, dtype=minidl.float64).tolist() == [0.1, 0.1]
    assert minidl.DoubleTensor([0.1]).tolist() == [0.1]
    w = minidl.tensor([0.5, -0.3], dtype=minidl.float64)
    assert (5 * (w * 2) ** 2 - 1).tolist() == [4.0, 5 * (-0.3 * 2) ** 2 - 1]
    assert (w * 0.1).tolist() == [0.5 * 0.1, -0.3 * 0.1]
    assert minidl.tensor(0.1).dtype == np.float32  # no dtype: still the default float type
    assert minidl.tensor(0.1, dtype=minidl.float16).item() == float(np.float16(0.1))


# -- generators ---------------------------------------------------------------------------------
def _draws(g) -> list:
    """One draw of each random function from generator ``g``."""
    return [minidl.randn(3, generator=g), minidl.rand(2, generator=g),
            minidl.randint(0, 10, (4,), generator=g), minidl.randperm(5, generator=g),
            minidl.normal(0.0, 2.0, (3,), generator=g),
            minidl.normal(minidl.zeros(2, dtype=minidl.float64), 1.0, generator=g)]


def test_generator_streams_are_repeatable_and_separate():
    g = minidl.Generator().manual_seed(7)
    assert g.initial_seed() == 7
    first = _draws(g)
    state = g.get_state()
    again = minidl.randn(2, generator=g)
    g.set_state(state)
    assert minidl.randn(2, generator=g).equal(again)
    g.manual_seed(7)
    minidl.manual_seed(1)
    minidl.randn(10)  # the global stream does not move g's
    for a, b in zip(first, _draws(g)):
        assert a.dtype == b.dtype and a.equal(b)
    assert first[-1].dtype == np.float64 and first[2].dtype == np.int64


def test_manual_seed_returns_the_default_generator():
    g = minidl.manual_seed(3)
    assert g is minidl.default_generator and g.initial_seed() == minidl.initial_seed() == 3
    first = minidl.randn(4)
    minidl.manual_seed(3)
    assert minidl.randn(4).equal(first)
    assert minidl.zeros(3).normal_(generator=minidl.Generator().manual_seed(0)).equal(
        minidl.zeros(3).normal_(generator=minidl.Generator().manual_seed(0)))
    with pytest.raises(TypeError, match="randn: generator"):
        minidl.randn(2, generator=np.random.default_rng(0))
    with pytest.raises(TypeError, match="manual_seed"):
        minidl.manual_seed(1.5)


def test_normal_shapes_and_errors():
    assert minidl.normal(minidl.zeros(2, 1), minidl.ones(3)).shape == (2, 3)
    with pytest.raises(TypeError, match="size"):
        minidl.normal(0.0, 1.0)
    with pytest.raises(RuntimeError, match="broadcast"):
        minidl.normal(minidl.zeros(2), minidl.ones(3))


# -- scatter with a 0-d index; unknown attributes ----------------------------------------------
def test_scatter_and_gather_take_a_0d_index_on_a_1d_tensor(torch):
    ours = minidl.zeros(10).scatter_(0, minidl.tensor(3), value=1)
    theirs = torch.zeros(10).scatter_(0, torch.tensor(3), value=1)
    assert ours.tolist() == theirs.tolist()
    assert minidl.arange(5).gather(0, minidl.tensor(2)).tolist() == [2]


def test_unknown_tensor_attribute_is_a_one_line_attribute_error():
    x = minidl.zeros(2)
    with pytest.raises(NotImplementedInMinidl,
                       match=r"^minidl does not implement torch.Tensor.frobnicate \(yet\)$"):
        x.frobnicate()
    assert not hasattr(x, "frobnicate") and getattr(x, "frobnicate", 3) == 3
    with pytest.raises(NotImplementedInMinidl, match="torch.Tensor.to_sparse is out of scope"):
        x.to_sparse()
    with pytest.raises(AttributeError) as private:
        x._no_such_thing
    assert type(private.value) is AttributeError
