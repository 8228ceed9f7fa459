"""OneCycleLR, CyclicLR, LinearLR, ConstantLR, PolynomialLR, MultiplicativeLR,
CosineAnnealingWarmRestarts, SequentialLR and ChainedScheduler: PyTorch's rates (and
momenta) step by step, state dicts that resume a run, clear errors."""
import warnings

import pytest

import minidl
from minidl import optim
from minidl.optim import lr_scheduler

STEPS = 45
LRS = (0.1, 0.03)


def make_optimizer(library, kind="sgd", lrs=LRS):
    groups = [{"params": [library.ones(2, requires_grad=True)], "lr": lr} for lr in lrs]
    if kind == "sgd":
        return library.optim.SGD(groups, momentum=0.9)
    if kind == "adam":
        return library.optim.Adam(groups, betas=(0.9, 0.99))
    return library.optim.Adagrad(groups)


class Halving:
    """A callable object: its attributes go into the state dict."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x):
        return self.rate ** x


# name -> (optimizer kind, schedule built from a lr_scheduler module and an optimizer)
CASES = {
    "OneCycleLR-cos-sgd": ("sgd", lambda m, o: m.OneCycleLR(
        o, max_lr=[0.5, 0.2], total_steps=STEPS)),
    "OneCycleLR-linear-three-phase-adam": ("adam", lambda m, o: m.OneCycleLR(
        o, max_lr=0.4, epochs=5, steps_per_epoch=9, pct_start=0.25,
        anneal_strategy="linear", three_phase=True, div_factor=10.0,
        final_div_factor=100.0, base_momentum=[0.8, 0.7], max_momentum=0.93)),
    "OneCycleLR-no-momentum": ("sgd", lambda m, o: m.OneCycleLR(
        o, max_lr=0.3, total_steps=STEPS + 5, cycle_momentum=False, pct_start=0.4)),
    "CyclicLR-triangular-sgd": ("sgd", lambda m, o: m.CyclicLR(
        o, base_lr=[0.01, 0.002], max_lr=[0.1, 0.05], step_size_up=4, step_size_down=7)),
    "CyclicLR-triangular2-adam": ("adam", lambda m, o: m.CyclicLR(
        o, base_lr=0.001, max_lr=0.01, step_size_up=5, mode="triangular2")),
    "CyclicLR-exp_range": ("sgd", lambda m, o: m.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=3, mode="exp_range", gamma=0.97,
        base_momentum=0.85, max_momentum=[0.95, 0.9])),
    "CyclicLR-scale_fn-iterations": ("sgd", lambda m, o: m.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=6, scale_fn=Halving(0.98),
        scale_mode="iterations", cycle_momentum=False)),
    "LinearLR": ("sgd", lambda m, o: m.LinearLR(
        o, start_factor=0.25, end_factor=0.9, total_iters=10)),
    "LinearLR-defaults": ("sgd", lambda m, o: m.LinearLR(o)),
    "ConstantLR": ("sgd", lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=7)),
    "PolynomialLR": ("sgd", lambda m, o: m.PolynomialLR(o, total_iters=12, power=2.0)),
    "MultiplicativeLR": ("sgd", lambda m, o: m.MultiplicativeLR(
        o, [lambda epoch: 0.95, Halving(0.999)])),
    "CosineAnnealingWarmRestarts-Tmult2": ("sgd", lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=1e-3)),
    "CosineAnnealingWarmRestarts": ("sgd", lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=7)),
    "SequentialLR": ("sgd", lambda m, o: m.SequentialLR(o, [
        m.LinearLR(o, start_factor=0.1, total_iters=5), m.ExponentialLR(o, gamma=0.9),
        m.CosineAnnealingLR(o, T_max=8, eta_min=0.001)], milestones=[5, 15])),
    "SequentialLR-multiplicative-step": ("sgd", lambda m, o: m.SequentialLR(o, [
        m.ConstantLR(o, factor=0.2, total_iters=3), m.MultiplicativeLR(o, lambda e: 0.9),
        m.StepLR(o, step_size=4, gamma=0.5)], milestones=[6, 20])),
    "ChainedScheduler": ("sgd", lambda m, o: m.ChainedScheduler([
        m.ConstantLR(o, factor=0.5, total_iters=4), m.ExponentialLR(o, gamma=0.93)])),
    "ChainedScheduler-in-SequentialLR": ("sgd", lambda m, o: m.SequentialLR(o, [
        m.ChainedScheduler([m.LinearLR(o, start_factor=0.2, total_iters=4),
                            m.PolynomialLR(o, total_iters=30)]),
        m.CosineAnnealingWarmRestarts(o, T_0=6)], milestones=[8])),
}


def momenta(opt):
    return [group["betas"][0] if "betas" in group else group["momentum"]
            for group in opt.param_groups]


def assert_same(ours, theirs, opt, topt, when):
    assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12, abs=0), when
    assert [g["lr"] for g in opt.param_groups] == pytest.approx(
        [g["lr"] for g in topt.param_groups], rel=1e-12, abs=0), when
    assert momenta(opt) == pytest.approx(momenta(topt), rel=1e-12, abs=0), when


@pytest.mark.filterwarnings("ignore:Detected call of")  # PyTorch's, in a chain's first step
@pytest.mark.parametrize("name", list(CASES))
def test_schedule_matches_pytorch_step_by_step(name):
    torch = pytest.importorskip("torch")
    kind, make = CASES[name]
    opt, topt = make_optimizer(minidl, kind), make_optimizer(torch, kind)
    ours, theirs = make(lr_scheduler, opt), make(torch.optim.lr_scheduler, topt)
    assert_same(ours, theirs, opt, topt, "after construction")
    seen = set()
    for step in range(1, STEPS + 1):
        opt.step()
        topt.step()
        ours.step()
        theirs.step()
        assert_same(ours, theirs, opt, topt, f"step {step}")
        seen.add(round(ours.get_last_lr()[0], 12))
    assert len(seen) > 1  # the schedule did move


@pytest.mark.filterwarnings("ignore:Detected call of")  # a chain's first step, as above
@pytest.mark.parametrize("name", list(CASES))
def test_state_dict_round_trip_continues_like_an_uninterrupted_run(name):
    kind, make = CASES[name]
    opt = make_optimizer(minidl, kind)
    original = make(lr_scheduler, opt)
    for _ in range(20):
        opt.step()
        original.step()
    saved_optimizer, saved_scheduler = opt.state_dict(), original.state_dict()

    resumed_opt = make_optimizer(minidl, kind, lrs=(1.0, 1.0))
    resumed = make(lr_scheduler, resumed_opt)
    if name == "CyclicLR-scale_fn-iterations":
        resumed._scale_fn_custom.rate = 0.5  # restored from the state dict
    resumed_opt.load_state_dict(saved_optimizer)
    resumed.load_state_dict(saved_scheduler)
    for step in range(20, STEPS):
        opt.step()
        resumed_opt.step()
        original.step()
        resumed.step()
        assert resumed.get_last_lr() == original.get_last_lr(), f"step {step}"
        assert momenta(resumed_opt) == momenta(opt), f"step {step}"


def test_warm_restarts_with_fractional_epochs_match_pytorch():
    torch = pytest.importorskip("torch")
    opt, topt = make_optimizer(minidl), make_optimizer(torch)
    ours = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.01)
    theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(topt, T_0=3, T_mult=2,
                                                                   eta_min=0.01)
    batches = 4
    for epoch in range(12):
        for batch in range(batches):
            ours.step(epoch + batch / batches)
            theirs.step(epoch + batch / batches)
            assert_same(ours, theirs, opt, topt, f"epoch {epoch} batch {batch}")
            assert ours.last_epoch == theirs.last_epoch
    ours.step()  # and on from there, one epoch at a time
    theirs.step()
    assert_same(ours, theirs, opt, topt, "after a plain step")


@pytest.mark.parametrize("make", [
    lambda m, o: m.LinearLR(o, start_factor=0.2, total_iters=6),
    lambda m, o: m.PolynomialLR(o, total_iters=8, power=1.5),
    lambda m, o: m.ConstantLR(o, total_iters=4),
    lambda m, o: m.StepLR(o, step_size=3, gamma=0.5),
    lambda m, o: m.MultiStepLR(o, milestones=[2, 5, 5]),
    lambda m, o: m.ExponentialLR(o, gamma=0.8),
    lambda m, o: m.CosineAnnealingLR(o, T_max=5),
], ids=["LinearLR", "PolynomialLR", "ConstantLR", "StepLR", "MultiStepLR", "ExponentialLR",
        "CosineAnnealingLR"])
def test_step_with_an_epoch_uses_the_closed_form_like_pytorch(make):
    torch = pytest.importorskip("torch")
    opt, topt = make_optimizer(minidl), make_optimizer(torch)
    ours, theirs = make(lr_scheduler, opt), make(torch.optim.lr_scheduler, topt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in (3, 1, 7, 10, 4):
            theirs.step(epoch)
            with pytest.warns(UserWarning, match="epoch parameter"):
                ours.step(epoch)
            assert_same(ours, theirs, opt, topt, f"epoch {epoch}")


def test_one_cycle_refuses_to_step_past_total_steps_like_pytorch():
    torch = pytest.importorskip("torch")
    opt, topt = make_optimizer(minidl), make_optimizer(torch)
    ours = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    theirs = torch.optim.lr_scheduler.OneCycleLR(topt, max_lr=0.1, total_steps=10)
    for _ in range(10):  # PyTorch allows a step to last_epoch == total_steps
        opt.step()
        topt.step()
        ours.step()
        theirs.step()
    topt.step()
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        theirs.step()
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 11 times, but "
                                         "total_steps is 10"):
        ours.step()


def test_one_cycle_keeps_its_bounds_in_the_param_groups():
    opt = make_optimizer(minidl, "adam")
    lr_scheduler.OneCycleLR(opt, max_lr=[1.0, 0.5], total_steps=20, div_factor=4,
                            final_div_factor=10)
    group = opt.param_groups[1]
    assert (group["initial_lr"], group["max_lr"], group["min_lr"]) == (0.125, 0.5, 0.0125)
    assert (group["max_momentum"], group["base_momentum"]) == (0.95, 0.85)
    assert group["betas"] == (0.95, 0.99) and group["lr"] == 0.125


def test_sequential_lr_uses_the_right_scheduler_and_saves_theirs():
    opt = make_optimizer(minidl)
    warmup = lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
    decay = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    sequence = lr_scheduler.SequentialLR(opt, [warmup, decay], milestones=[3])
    lrs = [sequence.get_last_lr()[0]]
    for _ in range(5):
        opt.step()
        sequence.step()
        lrs.append(sequence.get_last_lr()[0])
    assert lrs == pytest.approx([0.05, 0.075, 0.1, 0.1, 0.05, 0.025], rel=1e-12)
    state = sequence.state_dict()
    assert [s["last_epoch"] for s in state["_schedulers"]] == [2, 2]
    assert "optimizer" not in state and state["last_epoch"] == 5


def other_scheduler(opt):
    return lr_scheduler.StepLR(make_optimizer(minidl), step_size=2)


@pytest.mark.parametrize("make, error, match", [
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1), ValueError,
     "OneCycleLR: give total_steps, or both epochs and steps_per_epoch"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=0), ValueError,
     "OneCycleLR: total_steps must be an integer >= 1, got 0"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, epochs=2, steps_per_epoch=2.5),
     ValueError, "OneCycleLR: steps_per_epoch must be an integer >= 1, got 2.5"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=9, pct_start=1.5),
     ValueError, r"OneCycleLR: pct_start must be a number in \[0, 1\], got 1.5"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=9,
                                       anneal_strategy="exp"), ValueError,
     "OneCycleLR: anneal_strategy must be 'cos' or 'linear', got 'exp'"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=[0.1], total_steps=9), ValueError,
     "OneCycleLR: max_lr has 1 values, the optimizer has 2 parameter groups"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=0.1),
     ValueError, "OneCycleLR: phase 0 of the schedule has no steps"),
    (lambda o: lr_scheduler.OneCycleLR(make_optimizer(minidl, "adagrad"), max_lr=0.1,
                                       total_steps=9), ValueError,
     "OneCycleLR: cycle_momentum=True needs an optimizer with 'momentum' or 'betas'"),
    (lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1, mode="sine"), ValueError,
     "CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range'"),
    (lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1, step_size_up=0), ValueError,
     "CyclicLR: step_size_up must be a number > 0, got 0"),
    (lambda o: lr_scheduler.CyclicLR(o, 0.01, [0.1, -0.1]), ValueError,
     r"CyclicLR: max_lr\[1\] must be a number >= 0.0, got -0.1"),
    (lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1, scale_mode="epochs"), ValueError,
     "CyclicLR: scale_mode must be 'cycle' or 'iterations', got 'epochs'"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=0), ValueError,
     r"LinearLR: start_factor must be a number in \(0, 1\], got 0"),
    (lambda o: lr_scheduler.LinearLR(o, end_factor=1.5), ValueError,
     r"LinearLR: end_factor must be a number in \[0, 1\], got 1.5"),
    (lambda o: lr_scheduler.ConstantLR(o, factor=2.0), ValueError,
     r"ConstantLR: factor must be a number in \[0, 1\], got 2.0"),
    (lambda o: lr_scheduler.PolynomialLR(o, total_iters=0), ValueError,
     "PolynomialLR: total_iters must be a number > 0, got 0"),
    (lambda o: lr_scheduler.MultiplicativeLR(o, 0.9), TypeError,
     "MultiplicativeLR: lr_lambda must be callable, got float"),
    (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0), ValueError,
     "CosineAnnealingWarmRestarts: T_0 must be an integer >= 1, got 0"),
    (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=1.5), ValueError,
     "CosineAnnealingWarmRestarts: T_mult must be an integer >= 1, got 1.5"),
    (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=3).step(-1), ValueError,
     "CosineAnnealingWarmRestarts.step: epoch must be a number >= 0, got -1"),
    (lambda o: lr_scheduler.SequentialLR(o, [], milestones=[]), ValueError,
     "SequentialLR: expected at least one scheduler, got none"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.StepLR(o, 2)], milestones=[3]),
     ValueError, r"SequentialLR: expected 0 milestones \(one fewer than the schedulers\), "
                 "got 1"),
    (lambda o: lr_scheduler.SequentialLR(o, [other_scheduler(o)], milestones=[]),
     ValueError, r"SequentialLR: schedulers\[0\] \(StepLR\) adjusts another optimizer"),
    (lambda o: lr_scheduler.ChainedScheduler([lr_scheduler.ReduceLROnPlateau(o)]),
     ValueError, r"ChainedScheduler: schedulers\[0\] is a ReduceLROnPlateau"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.StepLR(o, 2), lr_scheduler.
                                             ChainedScheduler([lr_scheduler.StepLR(o, 3)])],
                                         milestones=[4]), ValueError,
     r"SequentialLR: schedulers\[1\] is a ChainedScheduler, which cannot restart"),
    (lambda o: lr_scheduler.ChainedScheduler(["step"], optimizer=o), TypeError,
     r"ChainedScheduler: schedulers\[0\] must be a learning-rate scheduler, got str"),
])
def test_bad_arguments_raise_clear_errors(make, error, match):
    with pytest.raises(error, match=match):
        make(make_optimizer(minidl))


def test_stepping_the_scheduler_before_the_optimizer_warns_like_pytorch():
    opt = make_optimizer(minidl)
    scheduler = lr_scheduler.LinearLR(opt)
    with pytest.warns(UserWarning, match=r"call of `lr_scheduler.step\(\)` before "
                                         r"`optimizer.step\(\)`"):
        scheduler.step()
    opt = make_optimizer(minidl)
    scheduler = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        scheduler.step()
        scheduler.step()
    assert opt._opt_called


def test_exports_and_old_base_name():
    for name in lr_scheduler.__all__:
        assert hasattr(lr_scheduler, name), name
    assert lr_scheduler._LRScheduler is lr_scheduler.LRScheduler
    assert optim.lr_scheduler.OneCycleLR is lr_scheduler.OneCycleLR
