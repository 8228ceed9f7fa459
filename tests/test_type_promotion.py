"""PyTorch's type promotion: result dtypes (and values) of mixed-dtype operations."""
import operator

import numpy as np
import pytest

import minidl
from minidl.dtypes import promote_types, result_type

DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]

BINARY = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul,
    "truediv": operator.truediv, "pow": operator.pow, "eq": operator.eq, "lt": operator.lt,
    "maximum": lambda a, b: a.maximum(b) if hasattr(a, "maximum") else None,
}


def _values(dtype: str, shape) -> np.ndarray:
    if dtype == "bool":
        return (np.arange(int(np.prod(shape))) % 2 == 0).reshape(shape)
    return (np.arange(int(np.prod(shape))) % 3 + 1).reshape(shape).astype(dtype)


def _both(torch, array):
    return minidl.tensor(array), torch.tensor(array)


def _check_same(mine_fn, theirs_fn, label):
    """Both engines raise, or both give the same dtype and values."""
    try:
        theirs = theirs_fn()
    except (RuntimeError, TypeError):
        with pytest.raises((RuntimeError, TypeError)):
            mine_fn()
        return
    mine = mine_fn()
    assert str(mine.dtype) == str(theirs.dtype).replace("torch.", ""), label
    np.testing.assert_allclose(mine.numpy().astype(np.float64),
                               theirs.numpy().astype(np.float64), rtol=2e-3, err_msg=label)


@pytest.mark.filterwarnings("ignore:divide by zero", "ignore:invalid value")
def test_tensor_tensor_promotion_matches_torch(torch):
    """Every pair of dtypes, as two dimensioned tensors, then as tensor and 0-dim tensor."""
    for left in DTYPES:
        for right in DTYPES:
            for right_shape in ((2, 3), ()):
                a, ta = _both(torch, _values(left, (2, 3)))
                b, tb = _both(torch, _values(right, right_shape))
                for name, op in BINARY.items():
                    if name == "pow" and "bool" in (left, right):
                        continue  # PyTorch's bool powers are a corner left out
                    if name == "maximum":
                        mine, theirs = (lambda: a.maximum(b)), (lambda: torch.maximum(ta, tb))
                    else:
                        mine, theirs = (lambda: op(a, b)), (lambda: op(ta, tb))
                    _check_same(mine, theirs, f"{left} {name} {right}{list(right_shape)}")


@pytest.mark.filterwarnings("ignore:divide by zero")
def test_python_numbers_do_not_widen_tensors(torch):
    for dtype in DTYPES:
        for number in (True, 2, 2.5):
            for name in ("add", "mul", "truediv", "lt"):
                op = BINARY[name]
                a, ta = _both(torch, _values(dtype, (3,)))
                label = f"{dtype} {name} {number!r}"
                _check_same(lambda: op(a, number), lambda: op(ta, number), label)
                _check_same(lambda: op(number, a), lambda: op(number, ta), "reflected " + label)


def test_promotion_examples_from_the_issue():
    x = minidl.ones(2, 3)  # float32
    assert (x * minidl.tensor([1, 2, 3])).dtype == np.float32  # int64 does not widen
    assert (x * 0.1).dtype == np.float32
    assert (x + minidl.tensor(np.float64(2.0))).dtype == np.float32  # 0-dim float64
    assert (minidl.tensor([1, 2]) * 2.5).dtype == np.float32  # int tensor, float number
    assert (x @ minidl.ones(3, 2) * minidl.arange(2)).dtype == np.float32
    assert (minidl.arange(3) + minidl.tensor(2.5, dtype=minidl.float64)).dtype == np.float64
    assert (minidl.tensor([True, False]) + 1).dtype == np.int64
    assert (minidl.tensor([1, 2]) / minidl.tensor([2, 4])).tolist() == [0.5, 0.5]


def test_promote_types_and_result_type_match_torch(torch):
    for left in DTYPES:
        for right in DTYPES:
            expected = str(torch.promote_types(getattr(torch, left), getattr(torch, right)))
            assert str(promote_types(left, right)) == expected.replace("torch.", "")
    t = minidl.tensor([1, 2], dtype=minidl.int32)
    assert result_type(t, 1) == np.int32 and result_type(t, 1.0) == np.float32
    assert result_type(t, minidl.tensor(1.0, dtype=minidl.float64)) == np.float64


def test_default_dtype_decides_python_floats():
    minidl.set_default_dtype(minidl.float64)
    try:
        assert minidl.tensor([1.5]).dtype == np.float64
        assert (minidl.tensor([1, 2]) * 0.5).dtype == np.float64
        assert minidl.zeros(2).dtype == np.float64 and minidl.get_default_dtype() == np.float64
    finally:
        minidl.set_default_dtype(minidl.float32)
    with pytest.raises(TypeError, match="only float32 and float64"):
        minidl.set_default_dtype(minidl.int64)


@pytest.mark.filterwarnings("ignore:divide by zero")
def test_functions_of_integers_give_floats_and_sums_give_int64(torch):
    for dtype in ("bool", "uint8", "int32", "int64"):
        a, ta = _both(torch, _values(dtype, (2, 3)))
        for name in ("exp", "log", "sqrt", "sin", "cos", "sigmoid", "tanh", "log1p"):
            _check_same(lambda: getattr(minidl, name)(a), lambda: getattr(torch, name)(ta),
                        f"{name}({dtype})")
        _check_same(lambda: a.sum(), lambda: ta.sum(), f"sum({dtype})")
        _check_same(lambda: a.sum(0), lambda: ta.sum(0), f"sum({dtype}, 0)")
        if dtype != "bool":
            _check_same(lambda: a.abs(), lambda: ta.abs(), f"abs({dtype})")
            _check_same(lambda: a.clamp(1.5), lambda: ta.clamp(1.5), f"clamp({dtype}, 1.5)")
        with pytest.raises(RuntimeError):
            a.mean()


def test_joining_and_choosing_promote(torch):
    f32, tf32 = _both(torch, np.ones(2, np.float32))
    f64, tf64 = _both(torch, np.ones(2, np.float64))
    i64, ti64 = _both(torch, np.arange(2))
    _check_same(lambda: minidl.cat([f32, f64]), lambda: torch.cat([tf32, tf64]), "cat")
    _check_same(lambda: minidl.stack([i64, f32]), lambda: torch.stack([ti64, tf32]), "stack")
    mask, tmask = _both(torch, np.array([True, False]))
    _check_same(lambda: minidl.where(mask, i64, 1.5), lambda: torch.where(tmask, ti64, 1.5),
                "where int/float")
    _check_same(lambda: minidl.where(mask, f32, f64), lambda: torch.where(tmask, tf32, tf64),
                "where f32/f64")


def test_mixed_dtypes_keep_gradients_in_each_input_dtype():
    a = minidl.tensor([1.0, 2.0], requires_grad=True)  # float32
    b = minidl.tensor(np.array([3.0, 4.0]), requires_grad=True)  # float64
    out = a * b
    assert out.dtype == np.float64
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    assert a.grad.tolist() == [3.0, 4.0] and b.grad.tolist() == [1.0, 2.0]
