"""Tensor.register_hook and Module.register_full_backward_(pre_)hook, against PyTorch."""
import numpy as np
import pytest

import minidl
from minidl import nn


def _graph_with_hooks(lib, x0, calls):
    """A small graph with hooks on a leaf, on a computed tensor and a retained gradient."""
    x = lib.tensor(x0, requires_grad=True)
    x.register_hook(lambda g: calls.append(("x", g.clone())) or g * 2)
    y = x * 3
    y.register_hook(lambda g: calls.append(("y", g.clone())) or g + 1)
    y.retain_grad()
    z = y * y + lib.sin(x)  # x reaches the loss along two paths: its hook sees the sum once
    (z.sum() + x.sum()).backward()
    return x, y


def test_tensor_hooks_match_pytorch(torch, rng):
    x0 = rng.standard_normal((2, 3))
    results = {}
    for lib in (torch, minidl):
        calls = []
        x, y = _graph_with_hooks(lib, x0, calls)
        results[lib.__name__] = (x.grad.numpy(), y.grad.numpy(),
                                 [(name, g.numpy()) for name, g in calls])
    (tx, ty, tcalls), (mx, my, mcalls) = results["torch"], results["minidl"]
    np.testing.assert_allclose(mx, tx, rtol=1e-12)
    np.testing.assert_allclose(my, ty, rtol=1e-12)  # retain_grad sees the hooked gradient
    assert [name for name, _ in mcalls] == [name for name, _ in tcalls] == ["y", "x"]
    for (_, m), (_, t) in zip(mcalls, tcalls):
        np.testing.assert_allclose(m, t, rtol=1e-12)


def test_hook_handles_remove_and_leaf_backward():
    x = minidl.ones(3, requires_grad=True)
    handle = x.register_hook(lambda g: g * 10)
    x.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [10, 10, 10])
    handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2, 2, 2])
    x.grad = None
    with x.register_hook(lambda g: g + 1):
        x.backward(minidl.ones(3))  # backward on the leaf itself runs its hooks too
    np.testing.assert_array_equal(x.grad.numpy(), [2, 2, 2])


def test_hook_errors_name_the_problem():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        minidl.ones(2).register_hook(lambda g: g)
    x = minidl.ones(2, requires_grad=True)
    x.register_hook(lambda g: minidl.ones(3))
    with pytest.raises(RuntimeError, match=r"shape \(3,\).*shape \(2,\)"):
        (x * 2).sum().backward()


def _twins(torch):
    """The same small conv net in both libraries (PyTorch's weights copied)."""
    tnet = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, padding=1), torch.nn.ReLU(),
                               torch.nn.Conv2d(3, 1, 2, stride=2)).double()
    mnet = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(3, 1, 2, stride=2)).double()
    mnet.load_state_dict({k: minidl.tensor(v.detach().numpy())
                          for k, v in tnet.state_dict().items()})
    return tnet, mnet


@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_full_backward_hooks_match_pytorch(torch, rng, input_requires_grad):
    x0 = rng.standard_normal((2, 2, 5, 5))
    seen = {}
    for lib, net in zip((torch, minidl), _twins(torch)):
        log = []

        def pre(module, grad_output, log=log):
            log.append(("pre", grad_output[0].numpy().copy()))
            return (grad_output[0] * 0.5,)

        def full(module, grad_input, grad_output, log=log):
            log.append(("full", [None if g is None else g.numpy().copy() for g in grad_input],
                        grad_output[0].numpy().copy()))
            return None if grad_input[0] is None else (grad_input[0] * 3,)

        net[2].register_full_backward_pre_hook(pre)
        handle = net[0].register_full_backward_hook(full)
        x = lib.tensor(x0, requires_grad=input_requires_grad)
        net(x).square().sum().backward()
        seen[lib.__name__] = (log, x.grad.numpy() if input_requires_grad else None,
                              net[0].weight.grad.numpy())
        handle.remove()
        net.zero_grad()
        net(lib.tensor(x0)).sum().backward()
        assert [entry[0] for entry in log] == ["pre", "full", "pre"]  # removed: no "full"
    (tlog, tgrad, tweight), (mlog, mgrad, mweight) = seen["torch"], seen["minidl"]
    np.testing.assert_allclose(mlog[0][1], tlog[0][1], rtol=1e-10)
    for m, t in zip(mlog[1][1], tlog[1][1]):
        assert (m is None) == (t is None)
        if m is not None:
            np.testing.assert_allclose(m, t, rtol=1e-10)
    np.testing.assert_allclose(mlog[1][2], tlog[1][2], rtol=1e-10)
    np.testing.assert_allclose(mweight, tweight, rtol=1e-10)
    if input_requires_grad:
        np.testing.assert_allclose(mgrad, tgrad, rtol=1e-10)  # hook's x3 reached the input


def test_full_backward_hook_limits_are_clear():
    class Add(nn.Module):
        def forward(self, a, b):
            return a + b
    add = Add()
    add.register_full_backward_hook(lambda m, gi, go: None)
    a, b = minidl.ones(2, requires_grad=True), minidl.ones(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match="at most one tensor that requires grad"):
        add(a, b)
    assert add(a, minidl.ones(2)).requires_grad  # one input needing a gradient is fine
