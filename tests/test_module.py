"""nn.Module: registration, traversal, modes, state dicts, initialization and layers."""
import math

import numpy as np
import pytest
from helpers import leaf, untied

import minidl
import minidl.nn as nn
from minidl import gradcheck


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
        self.head = nn.Linear(8, 3)
        self.scale = nn.Parameter(minidl.ones(1))
        self.register_buffer("steps", minidl.zeros(1))
        self.register_buffer("scratch", minidl.zeros(2), persistent=False)

    def forward(self, x):
        return self.head(self.encoder(x)) * self.scale


def test_registration_and_traversal():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "encoder.0.weight", "encoder.0.bias", "head.weight", "head.bias"]
    assert [n for n, _ in net.named_buffers()] == ["steps", "scratch"]
    assert list(net.state_dict()) == names[:1] + ["steps"] + names[1:]
    assert [n for n, _ in net.named_modules()] == ["", "encoder", "encoder.0", "encoder.1",
                                                   "head"]
    assert len(list(net.children())) == 2
    assert sum(p.numel() for p in net.parameters()) == 1 + 4 * 8 + 8 + 8 * 3 + 3


def test_shared_parameter_counted_once():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2


def test_train_eval_reaches_every_submodule():
    net = Net()
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="mode must be a bool"):
        net.train("no")


def test_zero_grad_and_requires_grad():
    net = Net()
    net(minidl.randn(2, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not net(minidl.randn(2, 4)).requires_grad


def test_state_dict_round_trip_and_independent_copy():
    a, b = Net(), Net()
    b.load_state_dict(a.state_dict())
    x = minidl.randn(5, 4)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())
    with minidl.no_grad():
        a.head.weight.fill_(0.0)
    assert b.head.weight.abs().sum().item() > 0  # b holds its own copy


def test_load_state_dict_errors_name_keys_and_shapes():
    net = Net()
    state = net.state_dict()
    del state["head.bias"]
    state["extra.weight"] = minidl.ones(1)
    # RuntimeError, as PyTorch raises (programs catch it by that name)
    with pytest.raises(RuntimeError, match=r"Missing key\(s\) in state_dict: \['head.bias'\].*"
                                           r"Unexpected key\(s\) in state_dict: "
                                           r"\['extra.weight'\]"):
        net.load_state_dict(state)
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["head.bias"] and result.unexpected_keys == ["extra.weight"]
    assert repr(net.load_state_dict(Net().state_dict())) == "<All keys matched successfully>"
    wrong = Net().state_dict()
    wrong["head.weight"] = minidl.ones(2, 8)
    with pytest.raises(RuntimeError, match=r"head.weight: checkpoint has shape \(2, 8\), "
                                           r"model has \(3, 8\)"):
        net.load_state_dict(wrong)
    with pytest.raises(TypeError, match="expected state_dict to be dict-like, got list"):
        net.load_state_dict([1, 2])


def test_state_dict_names_a_shared_module_under_each_path(torch):
    for engine in (minidl, torch):
        shared = engine.nn.Linear(2, 2)
        net = engine.nn.Sequential(shared, engine.nn.ReLU(), shared)
        assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
        assert len(list(net.parameters())) == 2
        net.load_state_dict(net.state_dict())


def test_module_to_dtype_and_repr():
    net = Net().to(minidl.float64)
    assert all(p.dtype == np.float64 for p in net.parameters())
    assert "Linear(in_features=8, out_features=3, bias=True)" in repr(net)


def test_module_needs_super_init():
    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)
    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_linear_default_init_matches_torch_bounds():
    layer = nn.Linear(50, 20)
    bound = 1 / math.sqrt(50)
    for p in (layer.weight, layer.bias):
        values = p.detach().numpy()
        assert values.min() >= -bound and values.max() <= bound
        assert values.std() > bound / 3  # really spread over the interval


def test_linear_layer_gradcheck_and_torch_parity(rng, torch):
    layer = nn.Linear(3, 2).double()
    x = leaf(untied(rng, 4, 3))
    assert gradcheck(lambda x, w, b: nn.functional.linear(x, w, b),
                     (x, layer.weight, layer.bias))
    twin = torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        twin.weight.copy_(torch.tensor(layer.weight.detach().numpy()))
        twin.bias.copy_(torch.tensor(layer.bias.detach().numpy()))
    np.testing.assert_allclose(layer(x).detach().numpy(),
                               twin(torch.tensor(x.detach().numpy())).detach().numpy())


@pytest.mark.parametrize("scheme,expected_std", [
    ("xavier_uniform_", math.sqrt(2 / (30 + 40))),
    ("xavier_normal_", math.sqrt(2 / (30 + 40))),
    ("kaiming_uniform_", math.sqrt(2 / 30) / math.sqrt(1.0)),
    ("kaiming_normal_", math.sqrt(2 / 30)),
])
def test_init_schemes_have_the_documented_spread(scheme, expected_std):
    w = minidl.empty(40, 30)
    if scheme.startswith("kaiming"):
        getattr(nn.init, scheme)(w, nonlinearity="relu")
    else:
        getattr(nn.init, scheme)(w)
    assert abs(w.numpy().std() / expected_std - 1) < 0.1
    assert abs(w.numpy().mean()) < 0.05


def test_init_fan_of_conv_shaped_weights_and_constants():
    w = minidl.empty(16, 3, 5, 5)
    assert nn.init._calculate_fan_in_and_fan_out(w) == (75, 400)
    nn.init.zeros_(w)
    assert w.abs().sum().item() == 0
    nn.init.ones_(w)
    assert w.sum().item() == w.numel()
    assert nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        nn.init.xavier_uniform_(minidl.empty(3))
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        nn.init.calculate_gain("swish")


def test_containers():
    seq = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[1], nn.Tanh) and len(seq[:2]) == 2
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    holder = nn.Module()
    holder.layers = layers
    assert len(list(holder.parameters())) == 6
    heads = nn.ModuleDict({"a": nn.Linear(2, 1), "b": nn.Linear(2, 2)})
    assert set(heads) == {"a", "b"} and heads["b"].out_features == 2
    with pytest.raises(TypeError, match="Sequential: layer 0 is a int"):
        nn.Sequential(3)
    assert nn.Flatten()(minidl.ones(2, 3, 4)).shape == (2, 12)
    assert nn.Unflatten(1, (3, 4))(minidl.ones(2, 12)).shape == (2, 3, 4)


def test_loss_modules_match_functions():
    x, t = minidl.randn(4, 3), minidl.tensor([0, 2, 1, 1])
    assert nn.CrossEntropyLoss()(x, t).item() == nn.functional.cross_entropy(x, t).item()
    y = minidl.rand(4, 3)
    assert nn.MSELoss(reduction="sum")(x, y).item() == pytest.approx(
        ((x - y) ** 2).sum().item())
    with pytest.raises(ValueError, match="MSELoss: reduction must be one of"):
        nn.MSELoss(reduction="avg")


def test_members_by_dotted_name_half_and_missing_module_methods(torch):
    for engine in (minidl, torch):
        net = engine.nn.Sequential(engine.nn.Conv2d(1, 2, 3), engine.nn.BatchNorm2d(2))
        assert net.get_submodule("1") is net[1] and net.get_submodule("") is net
        assert net.get_parameter("0.weight") is net[0].weight
        assert net.get_buffer("1.running_mean") is net[1].running_mean
        with pytest.raises(AttributeError):
            net.get_submodule("2.conv")
        with pytest.raises(AttributeError):
            net.get_parameter("0.nothing")
        assert net.half()[0].weight.dtype == engine.float16
    with pytest.raises(AttributeError, match=r"minidl does not implement "
                                             r"torch.nn.Module.bfloat16 \(yet\)"):
        Net().bfloat16()
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'typo'"):
        Net().typo
