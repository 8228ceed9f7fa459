"""``torch.autograd.functional`` (jacobian, hessian, vjp, jvp, hvp, vhp), anomaly mode,
``torch.utils.checkpoint``, the weight_norm parametrization and ``torch.compile``, against
PyTorch in float64 where it is installed."""
import warnings

import numpy as np
import pytest
from helpers import assert_close

import minidl
import minidl.autograd.functional as functional
from minidl.utils.checkpoint import checkpoint, checkpoint_sequential

RNG = np.random.default_rng(7)
A = RNG.standard_normal(3)
B = RNG.standard_normal((2, 3))
V = RNG.standard_normal(3)


def _products(engine, F):
    x, w = engine.tensor(A), engine.tensor(B)

    def two_outputs(x, w):
        return (engine.tanh(w @ x) * x.sum()).exp(), (x * x).sum()

    return {
        "jacobian tuple": F.jacobian(two_outputs, (x, w)),
        "jacobian single": F.jacobian(lambda x: engine.sin(x) * 2, x),
        "jacobian unused input": F.jacobian(lambda x, w: x * 3, (x, w)),
        "hessian tuple": F.hessian(lambda x, w: (engine.tanh(w @ x) ** 2).sum(), (x, w)),
        "hessian single": F.hessian(lambda x: (x ** 3).sum() * x[0], x),
        "vjp": F.vjp(lambda x: engine.sin(x) * x, x, engine.tensor(V)),
        "vjp scalar": F.vjp(lambda x: (x * x).sum(), x),
        "jvp": F.jvp(lambda x, w: w @ engine.exp(x), (x, w),
                     (engine.tensor(V), engine.tensor(B))),
        "hvp": F.hvp(lambda x: (x.exp() * x).sum(), x, engine.tensor(V)),
        "vhp": F.vhp(lambda x: (x.exp() * x).sum(), x, engine.tensor(V)),
    }


def _structure(value):
    if isinstance(value, (tuple, list)):
        return tuple(_structure(v) for v in value)
    return tuple(value.shape)


def _compare(ours, theirs):
    assert _structure(ours) == _structure(theirs)
    if isinstance(ours, (tuple, list)):
        for a, b in zip(ours, theirs):
            _compare(a, b)
    else:
        assert not ours.requires_grad
        assert_close(ours, theirs.detach().numpy(), np.float64)


def test_functional_matches_pytorch(torch):
    ours = _products(minidl, functional)
    theirs = _products(torch, torch.autograd.functional)
    for key in ours:
        _compare(ours[key], theirs[key])


def test_jacobian_create_graph_is_differentiable(torch):
    def run(engine, F):
        x = engine.tensor(A, requires_grad=True)
        jac = F.jacobian(lambda t: t.exp() * t, x, create_graph=True)
        assert jac.requires_grad
        jac.sum().backward()
        return x.grad.numpy()

    assert_close(run(minidl, functional), run(torch, torch.autograd.functional))


def test_functional_strict_and_errors():
    x = minidl.tensor(A)
    with pytest.raises(RuntimeError, match="independent of input 1"):
        functional.jacobian(lambda x, w: x * 3, (x, minidl.tensor(B)), strict=True)
    with pytest.raises(RuntimeError, match="single element"):
        functional.hessian(lambda x: x * 2, x)
    with pytest.raises(RuntimeError, match="v can only be None"):
        functional.vjp(lambda x: x * 2, x)
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple"):
        functional.jacobian(lambda x: x, [1.0])
    assert not x.requires_grad


def test_anomaly_mode_api_and_nan_error():
    assert not minidl.autograd.is_anomaly_enabled()
    x = minidl.tensor([0.0, 1.0], dtype=minidl.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with minidl.autograd.detect_anomaly():
            assert minidl.autograd.is_anomaly_enabled()
            y = x.sqrt()
            with pytest.raises(RuntimeError, match=r"Function 'SqrtBackward0' returned nan "
                                                   r"values in its 0th output\."):
                (y * 0).sum().backward()
    assert not minidl.autograd.is_anomaly_enabled()
    (x.sqrt() * 0).sum().backward()            # off again: no check, PyTorch's NaN
    assert np.isnan(x.grad.numpy()[0])
    minidl.autograd.set_detect_anomaly(True)
    try:
        assert minidl.autograd.is_anomaly_enabled()
        with minidl.autograd.set_detect_anomaly(False):
            assert not minidl.autograd.is_anomaly_enabled()
        assert minidl.autograd.is_anomaly_enabled()
        x.grad = None
        (x * 2).sum().backward()               # no NaN: runs as usual
        assert x.grad.tolist() == [2.0, 2.0]
    finally:
        minidl.autograd.set_detect_anomaly(False)
    assert not minidl.autograd.is_anomaly_enabled()


def test_anomaly_matches_pytorch_message(torch):
    x = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.autograd.detect_anomaly():
            with pytest.raises(RuntimeError, match=r"Function 'SqrtBackward0' returned nan "
                                                   r"values in its 0th output\."):
                (x.sqrt() * 0).sum().backward()


def _block(engine):
    return engine.nn.Sequential(engine.nn.Linear(3, 4), engine.nn.Tanh(),
                                engine.nn.Linear(4, 4), engine.nn.Tanh(),
                                engine.nn.Linear(4, 2)).double()


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_gradients_equal_direct(use_reentrant):
    model = _block(minidl)
    x = minidl.tensor(RNG.standard_normal((5, 3)), requires_grad=True)

    def gradients(run):
        model.zero_grad()
        x.grad = None
        out = run()
        (out ** 2).sum().backward()
        return [out.detach().numpy(), x.grad.numpy()] + \
            [p.grad.numpy() for p in model.parameters()]

    direct = gradients(lambda: model(x))
    for run in (lambda: checkpoint(model, x, use_reentrant=use_reentrant),
                lambda: checkpoint_sequential(model, 2, x, use_reentrant=use_reentrant)):
        for got, expected in zip(gradients(run), direct):
            assert_close(got, expected)


def test_checkpoint_arguments():
    x = minidl.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed"):
        checkpoint(lambda t: t * 2, x)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: scale"):
        checkpoint(lambda t, scale=1: t * scale, x, use_reentrant=True, scale=2)
    out = checkpoint(lambda t, scale=1: t * scale, x, use_reentrant=False, scale=3)
    assert out.tolist() == [3.0, 3.0] and out.requires_grad
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        out = checkpoint(_block(minidl), minidl.ones(1, 3, dtype=minidl.float64),
                         use_reentrant=True)
    assert not out.requires_grad


def test_checkpoint_matches_pytorch(torch):
    def run(engine, ckpt):
        engine.manual_seed(0)
        model = _block(engine)
        with engine.no_grad():
            for i, p in enumerate(model.parameters()):
                p.copy_(engine.tensor(np.random.default_rng(i).standard_normal(p.shape)))
        x = engine.tensor(A.reshape(1, 3), requires_grad=True)
        out = ckpt.checkpoint(model, x, use_reentrant=False)
        out.sum().backward()
        return [out.detach().numpy(), x.grad.numpy()]

    import torch.utils.checkpoint as torch_checkpoint

    import minidl.utils.checkpoint as ours
    for got, expected in zip(run(minidl, ours), run(torch, torch_checkpoint)):
        assert_close(got, expected)


def _weight_norm_run(engine, dim):
    rng = np.random.default_rng(3)
    layer = engine.nn.Linear(3, 4).double()
    with engine.no_grad():
        layer.weight.copy_(engine.tensor(rng.standard_normal((4, 3))))
        layer.bias.copy_(engine.tensor(rng.standard_normal(4)))
    engine.nn.utils.parametrizations.weight_norm(layer, dim=dim)
    out = layer(engine.tensor(rng.standard_normal((5, 3))))
    (out ** 2).sum().backward()
    weights = layer.parametrizations.weight
    state = layer.state_dict()
    return {"out": out.detach().numpy(), "g": weights.original0.detach().numpy(),
            "v": weights.original1.detach().numpy(), "g grad": weights.original0.grad.numpy(),
            "v grad": weights.original1.grad.numpy(), "weight": layer.weight.detach().numpy(),
            "keys": list(state), "shapes": [tuple(t.shape) for t in state.values()],
            "class": type(layer).__name__,
            "parameters": [name for name, _ in layer.named_parameters()]}


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_parametrization_matches_pytorch(torch, dim):
    ours, theirs = _weight_norm_run(minidl, dim), _weight_norm_run(torch, dim)
    for key, value in ours.items():
        if isinstance(value, np.ndarray):
            assert_close(value, theirs[key], np.float64, key)
        else:
            assert value == theirs[key], key


def test_parametrize_register_remove_and_state_dict():
    parametrize = minidl.nn.utils.parametrize

    class Symmetric(minidl.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).t()

    layer = minidl.nn.Linear(3, 3)
    original = layer.weight.detach().numpy().copy()
    parametrize.register_parametrization(layer, "weight", Symmetric())
    assert parametrize.is_parametrized(layer) and parametrize.is_parametrized(layer, "weight")
    assert not parametrize.is_parametrized(layer, "bias")
    weight = layer.weight.detach().numpy()
    np.testing.assert_array_equal(weight, weight.T)
    np.testing.assert_array_equal(np.triu(weight), np.triu(original))
    assert list(layer.state_dict()) == ["bias", "parametrizations.weight.original"]
    parametrize.remove_parametrizations(layer, "weight")
    assert type(layer) is minidl.nn.Linear and not parametrize.is_parametrized(layer)
    np.testing.assert_array_equal(layer.weight.detach().numpy(), weight)
    assert sorted(layer.state_dict()) == ["bias", "weight"]

    normed = minidl.nn.utils.parametrizations.weight_norm(minidl.nn.Linear(3, 2))
    copy = minidl.nn.utils.parametrizations.weight_norm(minidl.nn.Linear(3, 2))
    copy.load_state_dict(normed.state_dict())
    np.testing.assert_allclose(copy.weight.detach().numpy(), normed.weight.detach().numpy())
    parametrize.remove_parametrizations(normed, "weight")
    np.testing.assert_allclose(normed.weight.detach().numpy(), copy.weight.detach().numpy())


def test_compile_is_the_identity():
    from minidl.compile import compile as compile_
    from minidl.compile import compiler

    model = minidl.nn.Linear(3, 2)
    assert compile_(model) is model
    assert compile_(model, mode="max-autotune", fullgraph=True, dynamic=True) is model

    def step(x):
        return x * 2

    assert compile_(step) is step

    @compile_
    def bare(x):
        return x + 1

    @compile_(mode="reduce-overhead")
    def configured(x):
        return x - 1

    x = minidl.ones(2)
    assert bare(x).tolist() == [2.0, 2.0] and configured(x).tolist() == [0.0, 0.0]
    assert compiler.is_compiling() is False
    with pytest.raises(RuntimeError, match="Either mode or options"):
        compile_(model, mode="default", options={})
