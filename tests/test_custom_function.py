"""PyTorch-style custom autograd Functions (static forward/backward with a ctx)."""
import numpy as np
import pytest
from helpers import leaf, untied

import minidl
from minidl import gradcheck
from minidl.autograd import Function


def cubic(engine):
    """The same user code for both engines: y = x³ - 2·x·w with a hand-written backward."""

    class Cubic(engine.autograd.Function):
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(x, w)
            return x ** 3 - 2 * x * w

        @staticmethod
        def backward(ctx, grad_output):
            x, w = ctx.saved_tensors
            grad_x = grad_output * (3 * x ** 2 - 2 * w) if ctx.needs_input_grad[0] else None
            grad_w = (grad_output * -2 * x).sum(0) if ctx.needs_input_grad[1] else None
            return grad_x, grad_w

    return Cubic


def test_static_forward_and_backward_with_a_context_match_torch(rng, torch):
    x, w = untied(rng, 4, 3), untied(rng, 3)
    ours = cubic(minidl)
    assert gradcheck(ours.apply, (leaf(x), leaf(w)))
    mx, mw = leaf(x), leaf(w)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    out, tout = ours.apply(mx, mw), cubic(torch).apply(tx, tw)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
    assert out.grad_fn.name() == "CubicBackward"
    seed = rng.standard_normal((4, 3))
    (out * minidl.tensor(seed)).sum().backward()
    (tout * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(mw.grad.numpy(), tw.grad.numpy(), rtol=1e-12)


def test_forward_runs_without_recording_and_inputs_without_grad_get_none():
    seen = {}

    class Double(Function):
        @staticmethod
        def forward(ctx, x, scale):
            seen["recording"] = minidl.is_grad_enabled()
            seen["needs"] = ctx.needs_input_grad
            return x * scale

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 2, None

    x = minidl.ones(3, requires_grad=True)
    Double.apply(x, minidl.tensor(2.0)).sum().backward()
    assert seen == {"recording": False, "needs": (True, False)}
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
    with minidl.no_grad():
        assert Double.apply(x, 2.0).grad_fn is None


def test_a_saved_tensor_changed_in_place_and_bad_backward_results_are_errors():
    x = minidl.ones(3, requires_grad=True)
    y = x * 1
    out = cubic(minidl).apply(y, minidl.ones(3))
    with minidl.no_grad():
        y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()

    class OneGradient(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    with pytest.raises(RuntimeError, match="returned 1 gradients, expected 2"):
        OneGradient.apply(minidl.ones(2, requires_grad=True), minidl.ones(2)).sum().backward()

    class Pair(Function):
        @staticmethod
        def forward(ctx, a):
            return a, a

    with pytest.raises(TypeError, match="must return one Tensor, got tuple"):
        Pair.apply(minidl.ones(2, requires_grad=True))
