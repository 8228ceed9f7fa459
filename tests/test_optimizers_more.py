"""Adamax, NAdam and RAdam: PyTorch's parameters after 20 steps (float64), state dicts
that resume a run, schedulers that cycle their beta1, clear errors."""
import numpy as np
import pytest

import minidl
from minidl import optim

STEPS = 20
CASES = [
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.05, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, weight_decay=0.05, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.05, betas=(0.85, 0.9), momentum_decay=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.01, maximize=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.05, betas=(0.9, 0.9), weight_decay=0.1)),  # rectified from step 6
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.8), weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.02, betas=(0.9, 0.7), eps=1e-6, maximize=True)),
]


def case_id(case):
    name, kwargs = case
    return name + "-" + ",".join(f"{k}={v}" for k, v in kwargs.items())


def setup(library):
    """Three parameters of a coupled least-squares problem, in two groups (the second at
    a third of the rate), and a function computing the loss."""
    rng = np.random.default_rng(11)
    starts = [rng.standard_normal(shape) for shape in [(4, 3), (3,), (2, 2)]]
    inputs, targets = rng.standard_normal((6, 4)), rng.standard_normal((6, 3))
    params = [library.tensor(s, requires_grad=True) for s in starts]
    x, y = library.tensor(inputs), library.tensor(targets)

    def loss():
        error = x @ params[0] + params[1] - y
        return (error * error).sum() + (params[2] * params[2]).sum() * params[1].sum()

    return params, loss


def groups_of(params, kwargs):
    return [{"params": params[:2]}, {"params": params[2:], "lr": kwargs.get("lr", 1e-3) / 3}]


def train(optimizer, loss, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        loss().backward()
        optimizer.step()


def to_numpy(value):
    return value.detach().numpy() if hasattr(value, "detach") else np.asarray(value)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_twenty_steps_match_pytorch_in_float64(case):
    torch = pytest.importorskip("torch")
    name, kwargs = case
    params, loss = setup(minidl)
    tparams, tloss = setup(torch)
    ours = getattr(optim, name)(groups_of(params, kwargs), **kwargs)
    theirs = getattr(torch.optim, name)(groups_of(tparams, kwargs), **kwargs)
    train(ours, loss, STEPS)
    train(theirs, tloss, STEPS)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.array, to_numpy(tp), rtol=1e-6, atol=1e-9)
    assert not np.allclose(params[0].array, setup(minidl)[0][0].array)  # it did move
    our_dict, their_dict = ours.state_dict(), theirs.state_dict()
    for index, state in our_dict["state"].items():
        assert set(state) == set(their_dict["state"][index])
        for key, value in state.items():
            np.testing.assert_allclose(to_numpy(value), to_numpy(their_dict["state"][index][key]),
                                       rtol=1e-6, atol=1e-9, err_msg=key)
    for our_group, their_group in zip(our_dict["param_groups"], their_dict["param_groups"]):
        assert {key: value for key, value in our_group.items() if key != "params"} == {
            key: their_group[key] for key in our_group if key != "params"}


@pytest.mark.parametrize("name", ["Adamax", "NAdam", "RAdam"])
def test_state_dict_round_trip_continues_like_an_uninterrupted_run(name):
    kwargs = dict(lr=0.05, weight_decay=0.1)
    params, loss = setup(minidl)
    original = getattr(optim, name)(groups_of(params, kwargs), **kwargs)
    train(original, loss, 8)
    saved = original.state_dict()

    copies, copy_loss = setup(minidl)
    for p, q in zip(params, copies):
        q.array[...] = p.array
    resumed = getattr(optim, name)(groups_of(copies, {}), lr=3.0)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[1]["lr"] == pytest.approx(0.05 / 3)
    train(original, loss, 8)
    train(resumed, copy_loss, 8)
    for p, q in zip(params, copies):
        np.testing.assert_array_equal(p.array, q.array)


@pytest.mark.parametrize("name", ["Adamax", "NAdam", "RAdam"])
def test_one_cycle_cycles_beta1_like_pytorch(name):
    torch = pytest.importorskip("torch")
    params, loss = setup(minidl)
    tparams, tloss = setup(torch)
    ours = getattr(optim, name)(groups_of(params, {}))
    theirs = getattr(torch.optim, name)(groups_of(tparams, {}))
    schedule = minidl.optim.lr_scheduler.OneCycleLR(ours, max_lr=0.05, total_steps=STEPS)
    tschedule = torch.optim.lr_scheduler.OneCycleLR(theirs, max_lr=0.05, total_steps=STEPS)
    for _ in range(STEPS):
        train(ours, loss, 1)
        train(theirs, tloss, 1)
        schedule.step()
        tschedule.step()
        assert ours.param_groups[0]["betas"] == pytest.approx(theirs.param_groups[0]["betas"])
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.array, to_numpy(tp), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("make, match", [
    (lambda p: optim.Adamax(p, lr=-1.0), "Adamax: lr must be a number >= 0, got -1.0"),
    (lambda p: optim.Adamax(p, betas=(0.9,)),
     r"Adamax: betas must be a pair \(beta1, beta2\), got \(0.9,\)"),
    (lambda p: optim.NAdam(p, betas=(1.0, 0.9)),
     r"NAdam: betas\[0\] must be a number in \[0, 1\), got 1.0"),
    (lambda p: optim.NAdam(p, momentum_decay=-0.1),
     "NAdam: momentum_decay must be a number >= 0, got -0.1"),
    (lambda p: optim.RAdam(p, eps=-1e-8), "RAdam: eps must be a number >= 0, got -1e-08"),
    (lambda p: optim.RAdam([{"params": p, "weight_decay": -0.5}]),
     "RAdam: weight_decay must be a number >= 0, got -0.5"),
])
def test_bad_hyperparameters_raise_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make(setup(minidl)[0])
