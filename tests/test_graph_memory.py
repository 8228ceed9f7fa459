"""What the autograd graph keeps alive: only what backward needs, as in PyTorch.

A node keeps of a computed input its shape and dtype, not its values; a node does not keep
its own output; what it saved for backward is freed once its backward has run (unless
``retain_graph``).  Checked with weak references (an array is freed when nothing holds it),
never with timings.
"""
import gc
import weakref

import numpy as np
import pytest

import minidl
import minidl.nn.functional as F


def _alive(reference) -> bool:
    gc.collect()
    return reference() is not None


def test_an_intermediate_that_backward_does_not_need_is_freed_after_forward(torch):
    x = minidl.randn(64, 64, requires_grad=True)
    h = x * 2.0  # multiplying by a number saves nothing of x
    freed = weakref.ref(h.array)
    loss = (h + 1.0).sum()  # adding saves nothing of h either
    del h
    assert not _alive(freed)
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((64, 64), 2.0, np.float32))


def test_an_intermediate_that_backward_needs_stays_until_its_node_has_run():
    x = minidl.randn(32, 32, requires_grad=True)
    h = x + 1.0
    kept = weakref.ref(h.array)
    loss = (h * h).sum()  # the product saves both its inputs
    del h
    assert _alive(kept)
    loss.backward()  # the product's node has run: what it saved is released
    assert not _alive(kept)
    assert loss.grad_fn.next_functions[0][0].next_functions[0][0] is not None


def test_a_chain_of_layers_keeps_only_what_backward_reads():
    """A linear layer's output feeds a sigmoid that saves its own output: the linear output
    (not saved by any node) is freed as soon as the Python name is gone."""
    layer = minidl.nn.Linear(16, 16)
    x = minidl.randn(8, 16)
    pre = layer(x)
    freed = weakref.ref(pre.array)
    out = pre.sigmoid()
    kept = weakref.ref(out.array)
    loss = out.sum()
    del pre, out
    assert not _alive(freed)
    assert _alive(kept)  # the sigmoid's saved output
    loss.backward()
    assert not _alive(kept)
    assert layer.weight.grad is not None


def test_retain_graph_keeps_saved_values_for_a_second_backward(torch):
    grads = []
    for engine in (minidl, torch):
        x = engine.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
        h = x.exp()
        loss = (h * h).sum()
        del h
        loss.backward(retain_graph=True)
        loss.backward()
        grads.append(x.grad.numpy().copy())
        with pytest.raises(RuntimeError):
            loss.backward()
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


def test_next_functions_and_shapes_survive_the_freed_inputs(torch):
    names = []
    for engine in (minidl, torch):
        x = engine.ones(3, 4, requires_grad=True)
        loss = (x.exp() * 2.0).sum()
        mul = loss.grad_fn.next_functions[0][0]
        exp = mul.next_functions[0][0]
        leaf = exp.next_functions[0][0]
        names.append([type(node).__name__ if engine is torch else node.name()
                      for node in (mul, exp)] + [leaf.variable is x])
    assert names[0] == names[1]


def test_changing_a_freed_computed_input_that_was_saved_still_raises():
    """The node no longer holds the input Tensor, but its saved view of the input's memory
    is still recognised as that input."""
    x = minidl.randn(4, 6, requires_grad=True)
    h = x + 1.0
    loss = (h.view(24) * h.view(24)).sum()
    with pytest.raises(RuntimeError, match=r"\[float32 tensor of shape \[24\]\], which is "
                                           r"input 0 of MulBackward0"):
        h.add_(1.0)
        loss.backward()


def test_changing_a_computed_input_that_backward_does_not_read_is_allowed(torch):
    results = []
    for engine in (minidl, torch):
        x = engine.tensor([1.0, -2.0, 3.0], requires_grad=True)
        h = x * 3.0
        y = h + 2.0  # saves nothing of h
        h.mul_(5.0)
        y.sum().backward()
        results.append(x.grad.numpy().copy())
    np.testing.assert_array_equal(results[0], results[1])


def test_a_convolution_step_frees_activations_it_does_not_save():
    """conv -> relu -> conv: the first convolution's output is not kept by the graph (the
    relu saves its own output, which the second convolution saves too)."""
    minidl.manual_seed(0)
    first = minidl.nn.Conv2d(3, 8, 3, padding=1)
    second = minidl.nn.Conv2d(8, 4, 3, padding=1)
    x = minidl.randn(4, 3, 10, 10)
    c = first(x)
    freed = weakref.ref(c.array)
    loss = second(F.relu(c)).mean()
    del c
    assert not _alive(freed)
    loss.backward()
    assert first.weight.grad is not None and second.weight.grad is not None


def test_leaf_gradients_never_share_memory_when_views_of_one_array_reach_them(torch):
    """Reshaped-back views of one gradient reach two weights; a view of all of an array is
    taken without a copy only by the first (the second gets a copy)."""
    w1 = minidl.randn(3, 4, requires_grad=True)
    w2 = minidl.randn(3, 4, requires_grad=True)
    x = minidl.randn(5, 4, requires_grad=True)
    loss = ((w1.view(12) + w2.view(12)) * 2.0).sum() + (x.view(20) * 3.0).sum()
    loss.backward()
    grads = [w1.grad.numpy(), w2.grad.numpy(), x.grad.numpy()]
    assert not np.shares_memory(grads[0], grads[1])
    np.testing.assert_array_equal(grads[0], np.full((3, 4), 2.0, np.float32))
    np.testing.assert_array_equal(grads[1], np.full((3, 4), 2.0, np.float32))
    np.testing.assert_array_equal(grads[2], np.full((5, 4), 3.0, np.float32))
    w1.grad.mul_(0.0)  # clipping one gradient in place leaves the other alone
    np.testing.assert_array_equal(w2.grad.numpy(), np.full((3, 4), 2.0, np.float32))


def test_a_linear_layers_weight_gradient_is_c_contiguous_and_matches_torch(torch):
    rng = np.random.default_rng(0)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in [(2, 6, 5), (3, 5), (3,)])
    grads = []
    for engine, functional in ((minidl, F), (torch, torch.nn.functional)):
        weight = engine.tensor(w, requires_grad=True)
        bias = engine.tensor(b, requires_grad=True)
        functional.linear(engine.tensor(x), weight, bias).square().sum().backward()
        grads.append((weight.grad.numpy(), bias.grad.numpy()))
    assert grads[0][0].flags.c_contiguous
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
