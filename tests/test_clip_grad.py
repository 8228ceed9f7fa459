"""Gradient clipping: PyTorch parity for clip_grad_norm_ / clip_grad_value_, clear errors."""
import math

import numpy as np
import pytest

import minidl
from minidl.nn.utils import clip_grad_norm_, clip_grad_value_

SHAPES = [(3,), (2, 4), (1, 3, 2)]


def gradients(dtype=np.float64, scale=1.0):
    rng = np.random.default_rng(11)
    return [(scale * rng.standard_normal(s)).astype(dtype) for s in SHAPES]


def minidl_params(grads):
    """Parameters with the given gradients, plus one without a gradient."""
    params = []
    for g in grads:
        p = minidl.tensor(np.zeros_like(g), requires_grad=True)
        p.grad = minidl.tensor(g)
        params.append(p)
    return params + [minidl.tensor(np.zeros(2, dtype=grads[0].dtype), requires_grad=True)]


def torch_params(torch, grads):
    params = []
    for g in grads:
        p = torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype, requires_grad=True)
        p.grad = torch.from_numpy(g.copy())
        params.append(p)
    return params + [torch.zeros(2, dtype=params[0].dtype, requires_grad=True)]


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 1e-6)])
@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])  # clips / leaves the gradients alone
def test_clip_grad_norm_matches_pytorch(norm_type, max_norm, dtype, rtol):
    torch = pytest.importorskip("torch")
    grads = gradients(dtype)
    params, tparams = minidl_params(grads), torch_params(torch, grads)
    norm_type = float(norm_type)
    total = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(tparams, max_norm, norm_type=norm_type)
    assert isinstance(total, minidl.Tensor) and total.shape == () and total.dtype == dtype
    np.testing.assert_allclose(total.item(), expected.item(), rtol=rtol)
    for p, tp in zip(params[:-1], tparams):
        np.testing.assert_allclose(p.grad.array, tp.grad.numpy(), rtol=rtol, atol=rtol * 1e-3)
    assert params[-1].grad is None
    clipped = [p.grad.array for p in params[:-1]]
    if max_norm < total.item():
        joint = clip_grad_norm_(params, 1e9, norm_type=norm_type).item()  # measure only
        assert joint == pytest.approx(max_norm, rel=1e-5)
    else:
        for g, c in zip(grads, clipped):
            np.testing.assert_array_equal(g, c)


def test_clip_grad_norm_of_one_tensor_and_of_nothing():
    p = minidl.tensor(np.zeros(2), requires_grad=True)
    p.grad = minidl.tensor(np.array([3.0, 4.0]))
    assert clip_grad_norm_(p, 1.0).item() == 5.0
    np.testing.assert_allclose(p.grad.array, np.array([3.0, 4.0]) / (5.0 + 1e-6))
    nothing = clip_grad_norm_([minidl.zeros(2, requires_grad=True)], 1.0)
    assert isinstance(nothing, minidl.Tensor) and nothing.item() == 0.0


def test_clip_grad_norm_after_backward_through_autograd():
    w = minidl.tensor(np.array([1.0, 2.0, 2.0]), requires_grad=True)
    (w * w).sum().backward()  # grad 2w = [2, 4, 4], norm 6
    assert clip_grad_norm_([w], 3.0).item() == pytest.approx(6.0)
    np.testing.assert_allclose(w.grad.array, [1.0, 2.0, 2.0], rtol=1e-6)


def test_a_nonfinite_norm_raises_when_asked_and_spreads_like_pytorch_otherwise():
    torch = pytest.importorskip("torch")
    grads = gradients()
    grads[1][0, 2] = np.nan
    params = minidl_params(grads)
    with pytest.raises(RuntimeError, match=r"clip_grad_norm_: the total norm of order 2.0 "
                                           r"of the gradients is nan"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(params[0].grad.array, grads[0])  # untouched
    total = clip_grad_norm_(params, 1.0)
    expected = torch.nn.utils.clip_grad_norm_(torch_params(torch, grads), 1.0)
    assert math.isnan(total.item()) and math.isnan(expected.item())
    assert np.all(np.isnan(params[0].grad.array))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_clip_grad_value_matches_pytorch(dtype):
    torch = pytest.importorskip("torch")
    grads = gradients(dtype, scale=2.0)
    params, tparams = minidl_params(grads), torch_params(torch, grads)
    assert clip_grad_value_(params, 1.5) is None
    torch.nn.utils.clip_grad_value_(tparams, 1.5)
    for p, tp in zip(params[:-1], tparams):
        np.testing.assert_array_equal(p.grad.array, tp.grad.numpy())
    assert max(np.abs(p.grad.array).max() for p in params[:-1]) == 1.5


@pytest.mark.parametrize("call, match", [
    (lambda ps: clip_grad_norm_(ps, -1.0),
     "clip_grad_norm_: max_norm must be a number >= 0, got -1.0"),
    (lambda ps: clip_grad_norm_(ps, 1.0, norm_type=0),
     "norm_type must be a positive number or inf, got 0"),
    (lambda ps: clip_grad_norm_(ps, 1.0, norm_type=-2),
     "norm_type must be a positive number or inf, got -2"),
    (lambda ps: clip_grad_norm_(ps, 1.0, norm_type="fro"),
     "norm_type must be a positive number or inf, got 'fro'"),
    (lambda ps: clip_grad_value_(ps, -0.5),
     "clip_grad_value_: clip_value must be a number >= 0, got -0.5"),
])
def test_bad_arguments_raise_clear_errors(call, match):
    params = minidl_params(gradients())
    with pytest.raises(ValueError, match=match):
        call(params)
