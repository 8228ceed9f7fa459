"""Learning-rate schedulers: PyTorch's values over many epochs, state dicts, clear errors."""
import math

import numpy as np
import pytest

import minidl
from minidl import optim
from minidl.optim import lr_scheduler

EPOCHS = 40
LRS = (0.1, 0.05)


def minidl_optimizer(lrs=LRS):
    groups = [{"params": [minidl.ones(2, requires_grad=True)], "lr": lr} for lr in lrs]
    return optim.SGD(groups, momentum=0.9)


def torch_optimizer(torch, lrs=LRS):
    groups = [{"params": [torch.ones(2, requires_grad=True)], "lr": lr} for lr in lrs]
    return torch.optim.SGD(groups, momentum=0.9)


class Warmup:
    """A callable object: its attributes go into LambdaLR's state dict."""

    def __init__(self, epochs):
        self.epochs = epochs

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.epochs)


SCHEDULES = {
    "StepLR": lambda m, opt: m.StepLR(opt, step_size=3, gamma=0.5),
    "MultiStepLR": lambda m, opt: m.MultiStepLR(opt, milestones=[9, 2, 5, 5], gamma=0.3),
    "ExponentialLR": lambda m, opt: m.ExponentialLR(opt, gamma=0.9),
    "CosineAnnealingLR": lambda m, opt: m.CosineAnnealingLR(opt, T_max=7, eta_min=1e-3),
    "CosineAnnealingLR-T1": lambda m, opt: m.CosineAnnealingLR(opt, T_max=1),
    "LambdaLR": lambda m, opt: m.LambdaLR(opt, lambda epoch: 1 / (epoch + 1)),
    "LambdaLR-per-group": lambda m, opt: m.LambdaLR(
        opt, [lambda epoch: 0.95 ** epoch, Warmup(5)]),
}


def assert_same_lrs(ours, theirs, opt, topt, when):
    expected = theirs.get_last_lr()
    assert ours.get_last_lr() == pytest.approx(expected, rel=1e-13, abs=0), when
    assert [g["lr"] for g in opt.param_groups] == pytest.approx(
        [g["lr"] for g in topt.param_groups], rel=1e-13, abs=0), when


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule_matches_pytorch_over_many_epochs(name):
    torch = pytest.importorskip("torch")
    opt, topt = minidl_optimizer(), torch_optimizer(torch)
    ours = SCHEDULES[name](lr_scheduler, opt)
    theirs = SCHEDULES[name](torch.optim.lr_scheduler, topt)
    assert_same_lrs(ours, theirs, opt, topt, "after construction")
    seen = set()
    for epoch in range(1, EPOCHS + 1):
        opt.step()
        topt.step()
        ours.step()
        theirs.step()
        assert ours.last_epoch == theirs.last_epoch == epoch
        assert_same_lrs(ours, theirs, opt, topt, f"epoch {epoch}")
        seen.add(round(ours.get_last_lr()[0], 12))
    assert len(seen) > 1  # the schedule did move


PLATEAU_CASES = [
    dict(mode="min", factor=0.5, patience=2),
    dict(mode="min", factor=0.5, patience=1, threshold=0.05, threshold_mode="abs", cooldown=2),
    dict(mode="max", factor=0.3, patience=0, threshold=0.01, min_lr=[0.01, 0.02]),
    dict(mode="max", patience=3, threshold=0.02, threshold_mode="abs", cooldown=1,
         min_lr=1e-3, eps=1e-4),
]


def metric_sequence(mode):
    """Improvements, plateaus and noise: a loss that falls (mode min) or an accuracy that
    rises (mode max)."""
    rng = np.random.default_rng(3)
    trend = np.concatenate([np.linspace(1.0, 0.6, 8), np.full(10, 0.6),
                            np.linspace(0.6, 0.5, 6), np.full(16, 0.5)])
    values = trend + rng.normal(0.0, 0.01, trend.size)
    return values.tolist() if mode == "min" else (1 - values).tolist()


@pytest.mark.parametrize("kwargs", PLATEAU_CASES, ids=lambda kw: ",".join(map(str, kw.values())))
def test_reduce_on_plateau_matches_pytorch_on_a_metric_sequence(kwargs):
    torch = pytest.importorskip("torch")
    opt, topt = minidl_optimizer(), torch_optimizer(torch)
    ours = lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
    reductions = 0
    for epoch, metric in enumerate(metric_sequence(kwargs["mode"]), 1):
        before = opt.param_groups[0]["lr"]
        as_tensor = epoch % 2  # a one-element (float32) tensor every other epoch
        ours.step(minidl.tensor(metric) if as_tensor else metric)
        theirs.step(torch.tensor(metric) if as_tensor else metric)
        reductions += opt.param_groups[0]["lr"] < before
        assert_same_lrs(ours, theirs, opt, topt, f"epoch {epoch}")
        assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter, ours.last_epoch) == (
            theirs.best, theirs.num_bad_epochs, theirs.cooldown_counter, theirs.last_epoch)
    assert reductions >= 2


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "LambdaLR-per-group",
                                  "ReduceLROnPlateau"])
def test_state_dict_round_trip_continues_like_an_uninterrupted_run(name):
    def make(opt):
        if name == "ReduceLROnPlateau":
            return lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1)
        return SCHEDULES[name](lr_scheduler, opt)

    def advance(scheduler, opt, epochs):
        for epoch in epochs:
            opt.step()
            scheduler.step(*([metrics[epoch]] if name == "ReduceLROnPlateau" else []))

    metrics = metric_sequence("min")
    opt = minidl_optimizer()
    original = make(opt)
    advance(original, opt, range(10))
    saved_optimizer, saved_scheduler = opt.state_dict(), original.state_dict()

    resumed_opt = minidl_optimizer(lrs=(1.0, 1.0))
    resumed = make(resumed_opt)  # before loading the optimizer: building sets the rates
    if name == "LambdaLR-per-group":
        resumed.lr_lambdas[1].epochs = 99  # restored from the state dict
    resumed_opt.load_state_dict(saved_optimizer)
    resumed.load_state_dict(saved_scheduler)
    if name == "LambdaLR-per-group":
        assert saved_scheduler["lr_lambdas"] == [None, {"epochs": 5}]
        assert resumed.lr_lambdas[1].epochs == 5
    for epoch in range(10, 30):
        advance(original, opt, [epoch])
        advance(resumed, resumed_opt, [epoch])
        assert resumed.get_last_lr() == original.get_last_lr()


def test_resuming_with_last_epoch_continues_the_schedule_like_pytorch():
    torch = pytest.importorskip("torch")
    opt, topt = minidl_optimizer(), torch_optimizer(torch)
    for group, tgroup in zip(opt.param_groups, topt.param_groups):
        group["initial_lr"] = tgroup["initial_lr"] = group["lr"] * 2
    ours = lr_scheduler.CosineAnnealingLR(opt, T_max=6, last_epoch=4)
    theirs = torch.optim.lr_scheduler.CosineAnnealingLR(topt, T_max=6, last_epoch=4)
    assert ours.base_lrs == [0.2, 0.1]
    for epoch in range(12):
        assert_same_lrs(ours, theirs, opt, topt, f"epoch {epoch}")
        opt.step()
        topt.step()
        ours.step()
        theirs.step()


def test_get_last_lr_is_a_copy_and_state_dict_leaves_out_the_optimizer():
    opt = minidl_optimizer()
    scheduler = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    scheduler.get_last_lr().append(1.0)
    assert scheduler.get_last_lr() == [0.1, 0.05]
    state = scheduler.state_dict()
    assert "optimizer" not in state
    assert state["base_lrs"] == [0.1, 0.05] and state["last_epoch"] == 0
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]


@pytest.mark.parametrize("make, error, match", [
    (lambda opt: lr_scheduler.StepLR("sgd", step_size=2), TypeError,
     "StepLR: expected an Optimizer, got str"),
    (lambda opt: lr_scheduler.StepLR(opt, step_size=0), ValueError,
     "StepLR: step_size must be an integer >= 1, got 0"),
    (lambda opt: lr_scheduler.StepLR(opt, step_size=2, gamma=-0.1), ValueError,
     "StepLR: gamma must be a number > 0, got -0.1"),
    (lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[3, 1.5]), ValueError,
     r"MultiStepLR: milestones\[1\] must be an integer >= 0, got 1.5"),
    (lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0), ValueError,
     "ExponentialLR: gamma must be a number > 0, got 0"),
    (lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=0), ValueError,
     "CosineAnnealingLR: T_max must be an integer >= 1, got 0"),
    (lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=5, eta_min=-1.0), ValueError,
     "CosineAnnealingLR: eta_min must be a number >= 0, got -1.0"),
    (lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=5, last_epoch=3), KeyError,
     r"resuming at last_epoch=3 needs 'initial_lr' in param_groups\[0\]"),
    (lambda opt: lr_scheduler.LambdaLR(opt, [lambda e: 1.0]), ValueError,
     "LambdaLR: got 1 lr_lambdas for 2 parameter groups"),
    (lambda opt: lr_scheduler.LambdaLR(opt, 0.5), TypeError,
     "LambdaLR: lr_lambda must be callable, got float"),
    (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, factor=1.0), ValueError,
     r"ReduceLROnPlateau: factor must be a number in \[0, 1\), got 1.0"),
    (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, mode="lowest"), ValueError,
     "ReduceLROnPlateau: mode must be 'min' or 'max', got 'lowest'"),
    (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="pct"), ValueError,
     "threshold_mode must be 'rel' or 'abs', got 'pct'"),
    (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, patience=-1), ValueError,
     "ReduceLROnPlateau: patience must be an integer >= 0, got -1"),
    (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1]), ValueError,
     "min_lr has 1 values, the optimizer has 2 parameter groups"),
    (lambda opt: lr_scheduler.ReduceLROnPlateau(opt).step("low"), TypeError,
     "ReduceLROnPlateau.step: metrics must be a number or a one-element tensor, got 'low'"),
])
def test_bad_arguments_raise_clear_errors(make, error, match):
    with pytest.raises(error, match=match):
        make(minidl_optimizer())


def test_load_state_dict_of_another_scheduler_is_an_error():
    saved = lr_scheduler.StepLR(minidl_optimizer(), step_size=2).state_dict()
    cosine = lr_scheduler.CosineAnnealingLR(minidl_optimizer(), T_max=4)
    with pytest.raises(ValueError, match=r"missing keys \['T_max', 'eta_min'\], unexpected "
                                         r"keys \['gamma', 'step_size'\]"):
        cosine.load_state_dict(saved)
    assert cosine.T_max == 4


def test_a_group_added_after_the_scheduler_is_an_error_at_step():
    opt = minidl_optimizer()
    scheduler = lr_scheduler.StepLR(opt, step_size=2)
    opt.add_param_group({"params": [minidl.ones(1, requires_grad=True)]})
    with pytest.raises(RuntimeError, match="the optimizer has 3 parameter groups, the "
                                           "scheduler was made for 2"):
        scheduler.step()


def test_cosine_values_follow_the_closed_form_within_a_period():
    opt = minidl_optimizer(lrs=(1.0,))
    scheduler = lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.1)
    for t in range(1, 11):
        opt.step()              # before the schedule's step, as PyTorch asks
        scheduler.step()
        closed_form = 0.1 + 0.9 * (1 + math.cos(math.pi * t / 10)) / 2
        assert scheduler.get_last_lr()[0] == pytest.approx(closed_form, rel=1e-12)
