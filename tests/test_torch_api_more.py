"""PyTorch behaviours programs rely on, found missing or different by side-by-side probes:
parameter assignment, grad-mode decorators on generators, forward hooks with keyword
arguments, state_dict/named_parameters options, backward(inputs=), autograd.backward,
creation with size=, bitwise xor, the directional splits and flips."""
import numpy as np
import pytest

import minidl
import minidl.nn as nn


def _torch():
    return pytest.importorskip("torch")


def test_a_plain_tensor_cannot_replace_a_parameter_as_in_pytorch():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign .* as parameter 'weight' "
                                        r"\(torch.nn.Parameter or None expected\)"):
        layer.weight = minidl.ones(2, 2)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    layer.bias = None                                   # None keeps the slot, empty
    assert layer.bias is None and list(layer.state_dict()) == ["weight"]
    layer.weight = nn.Parameter(minidl.zeros(2, 2))     # a Parameter replaces it
    assert float(layer.weight.sum()) == 0.0
    model = nn.Sequential(nn.Linear(1, 1))
    with pytest.raises(TypeError, match="as child module '0'"):
        setattr(model, "0", 3)


def test_no_grad_on_a_generator_holds_inside_each_step_only():
    @minidl.no_grad()
    def doubled(x):
        yield x * 2
        assert not minidl.is_grad_enabled()
        yield x * 3

    x = minidl.ones(3, requires_grad=True)
    steps = doubled(x)
    assert not next(steps).requires_grad and minidl.is_grad_enabled()
    assert not next(steps).requires_grad


def test_no_grad_and_enable_grad_decorate_without_parentheses():
    @minidl.no_grad
    def frozen(x):
        return x * 2

    @minidl.enable_grad
    def recorded(x):
        return x * 2

    x = minidl.ones(2, requires_grad=True)
    assert not frozen(x).requires_grad and frozen.__name__ == "frozen"
    with minidl.no_grad():
        assert recorded(x).requires_grad


def test_forward_hooks_with_kwargs_and_prepend():
    layer = nn.Linear(2, 2)
    seen = []
    layer.register_forward_pre_hook(lambda module, args: seen.append("plain"))
    layer.register_forward_pre_hook(
        lambda module, args, kwargs: (seen.append(("kwargs", dict(kwargs))), None)[1],
        with_kwargs=True, prepend=True)
    layer.register_forward_hook(lambda module, args, kwargs, output: output * 0,
                                with_kwargs=True)
    out = layer(minidl.ones(1, 2))
    assert seen == [("kwargs", {}), "plain"] and float(out.abs().sum()) == 0.0


def test_state_dict_keep_vars_and_named_parameters_with_duplicates():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, shared)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in model.named_parameters(remove_duplicate=False)] == [
        "0.weight", "0.bias", "1.weight", "1.bias"]
    kept = model.state_dict(keep_vars=True)
    assert kept["0.weight"] is shared.weight
    assert model.state_dict()["0.weight"] is not shared.weight


def test_backward_into_chosen_inputs_and_autograd_backward(rng):
    torch = _torch()
    values = rng.standard_normal((2, 3))
    x, y = (minidl.tensor(values, requires_grad=True) for _ in range(2))
    (x * y * 3).sum().backward(inputs=[x])
    assert y.grad is None
    np.testing.assert_allclose(x.grad.numpy(), 3 * values)
    a = minidl.tensor(values, requires_grad=True)
    ta = torch.tensor(values, requires_grad=True)
    weights = rng.standard_normal((2, 3))
    minidl.autograd.backward([a * 2, a.exp()], [minidl.ones(2, 3), minidl.tensor(weights)])
    torch.autograd.backward([ta * 2, ta.exp()], [torch.ones(2, 3, dtype=torch.float64),
                                                 torch.tensor(weights)])
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-12)


def test_creation_takes_size_as_a_keyword_and_layout_hints():
    assert tuple(minidl.zeros(size=(2, 3)).shape) == (2, 3)
    assert tuple(minidl.ones(size=[4]).shape) == (4,)
    assert tuple(minidl.empty(2, pin_memory=False).shape) == (2,)
    with pytest.raises(TypeError, match="either as arguments or as size="):
        minidl.zeros(2, size=(2,))
    x = minidl.ones(2, 2)
    assert x.pin_memory() is x and not x.is_pinned()
    assert minidl.equal(x.clone(memory_format=minidl.contiguous_format), x)


def test_xor_and_the_bitwise_functions_as_pytorch():
    torch = _torch()
    for engine in (minidl, torch):
        a, b = engine.tensor([5, 3, -2]), engine.tensor([1, 6, 7])
        yield_values = [(a ^ b).tolist(), (a ^ 1).tolist(), (1 ^ a).tolist(),
                        engine.bitwise_and(a, b).tolist(), engine.bitwise_or(a, 2).tolist(),
                        (engine.tensor([True, False]) ^ engine.tensor([True, True])).tolist()]
        if engine is minidl:
            ours = yield_values
        else:
            assert ours == yield_values


def test_directional_splits_flips_and_shape_aliases_as_pytorch():
    torch = _torch()
    results = []
    for engine in (minidl, torch):
        x = engine.arange(24.0).reshape(2, 3, 4)
        results.append([
            [tuple(p.shape) for p in engine.hsplit(x, 3)],
            [tuple(p.shape) for p in engine.vsplit(x, [1])],
            [tuple(p.shape) for p in engine.dsplit(x, 2)],
            engine.fliplr(x)[0, 0].tolist(), engine.flipud(x)[0, 0].tolist(),
            tuple(x.ravel().shape), tuple(engine.ravel(x).shape),
            tuple(x.reshape_as(engine.ones(4, 6)).shape), tuple(x.swapaxes(0, 2).shape),
            tuple(engine.swapdims(x, 1, 2).shape)])
    assert results[0] == results[1]
    with pytest.raises(RuntimeError, match="not divisible"):
        minidl.hsplit(minidl.ones(2, 3), 2)


@pytest.mark.parametrize("name", ["uniform_", "normal_", "xavier_uniform_", "xavier_normal_",
                                  "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
                                  "trunc_normal_"])
def test_init_functions_draw_from_a_given_generator(name):
    fill = getattr(nn.init, name)
    first, second = minidl.empty(3, 4), minidl.empty(3, 4)
    fill(first, generator=minidl.Generator().manual_seed(7))
    minidl.manual_seed(0)
    fill(second, generator=minidl.Generator().manual_seed(7))
    assert minidl.equal(first, second)


def test_sequential_item_assignment_and_deletion_as_pytorch():
    model = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3))
    model[-1] = nn.Linear(2, 5)
    assert model[2].out_features == 5
    del model[1]
    assert [name for name, _ in model.named_children()] == ["0", "1"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_integer_powers_with_negative_exponents_and_float_draws_as_pytorch():
    torch = _torch()
    bases, exponents = [2, 3, 1, -1, -1, 0, -2], [-1, 2, -3, -3, -2, -1, -1]
    ours = minidl.pow(minidl.tensor(bases), minidl.tensor(exponents))
    theirs = torch.pow(torch.tensor(bases), torch.tensor(exponents))
    assert ours.tolist() == theirs.tolist() and ours.dtype == minidl.int64
    with pytest.raises(NotImplementedError, match="floating point"):
        minidl.rand(2, dtype=minidl.int64)
