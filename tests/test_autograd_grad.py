"""``minidl.autograd.grad`` (``torch.autograd.grad``): gradients returned, ``.grad`` left
alone."""
import numpy as np
import pytest

import minidl


def _gradients(engine):
    x = engine.tensor([1.0, 2.0, 3.0], dtype=engine.float64, requires_grad=True)
    w = engine.tensor([0.5, -1.0, 2.0], dtype=engine.float64, requires_grad=True)
    w.grad = engine.ones(3, dtype=engine.float64)
    h = x * w
    y = (h * h).sum()
    gx, gh = engine.autograd.grad(y, (x, h), retain_graph=True)
    (gw,) = engine.autograd.grad([h, y], [w], grad_outputs=[
        engine.tensor([1.0, 0.0, 2.0], dtype=engine.float64),
        engine.tensor(3.0, dtype=engine.float64)])
    unused = engine.tensor([1.0], requires_grad=True)
    missing = engine.autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)[1]
    zeros = engine.autograd.grad((x * 2).sum(), [unused], materialize_grads=True)[0]
    return ([g.tolist() for g in (gx, gh, gw, zeros)], w.grad.tolist(), x.grad, missing)


def test_grad_matches_pytorch_and_leaves_grad_alone(torch):
    ours, theirs = _gradients(minidl), _gradients(torch)
    assert ours == theirs
    assert ours[1] == [1.0, 1.0, 1.0] and ours[2] is None and ours[3] is None


def test_grad_errors():
    x = minidl.ones(3, requires_grad=True)
    unused = minidl.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        minidl.autograd.grad((x * 2).sum(), [unused])
    with pytest.raises(RuntimeError, match="implicitly created only for scalar"):
        minidl.autograd.grad(x * 2, [x])
    with pytest.raises(NotImplementedError, match="create_graph=True through Prod"):
        minidl.autograd.grad(x.prod(0), [x], create_graph=True)
    (g,) = minidl.autograd.grad((x * x).sum(), x)
    np.testing.assert_array_equal(g.numpy(), [2.0, 2.0, 2.0])
    assert x.grad is None
