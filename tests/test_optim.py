"""Optimizers: PyTorch parity step by step, state dicts, parameter groups, clear errors."""
import numpy as np
import pytest

import minidl
from minidl import optim
from minidl.backend import module_for_device

SHAPES = [(3,), (2, 4), (2, 1, 3)]
UNUSED_SHAPE = (2, 2)  # a parameter the loss never touches: its grad stays None
STEPS = 8

SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.1, momentum=0.9, dampening=0.3),
    dict(lr=0.1, momentum=0.9, nesterov=True),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.05, momentum=0.5, weight_decay=0.2, nesterov=True, maximize=True),
]
ADAM_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.1, betas=(0.9, 0.6), amsgrad=True),
    dict(lr=0.1, maximize=True),
    dict(lr=0.1, betas=(0.9, 0.6), amsgrad=True, weight_decay=0.05, maximize=True),
]
ADADELTA_CASES = [
    dict(),
    dict(lr=0.5, rho=0.8),
    dict(weight_decay=0.1),
    dict(eps=1e-3, maximize=True),
]
RMSPROP_CASES = [
    dict(),
    dict(lr=0.05, alpha=0.9, eps=1e-6),
    dict(lr=0.05, momentum=0.8),
    dict(lr=0.05, centered=True),
    dict(lr=0.02, alpha=0.7, momentum=0.5, centered=True, weight_decay=0.1, maximize=True),
]
ADAGRAD_CASES = [
    dict(),
    dict(lr=0.3, lr_decay=0.1),
    dict(lr=0.2, initial_accumulator_value=0.5, eps=1e-6),
    dict(lr=0.1, weight_decay=0.2, lr_decay=0.05, maximize=True),
]
CASES = ([("SGD", kw) for kw in SGD_CASES] + [("Adam", kw) for kw in ADAM_CASES]
         + [("AdamW", kw) for kw in ADAM_CASES] + [("Adadelta", kw) for kw in ADADELTA_CASES]
         + [("RMSprop", kw) for kw in RMSPROP_CASES] + [("Adagrad", kw) for kw in ADAGRAD_CASES])
# Adagrad (as PyTorch's) keeps state for every parameter from the start
EAGER_STATE = {"Adagrad"}


def case_id(case):
    name, kwargs = case
    return name + "-" + ",".join(f"{k}={v}" for k, v in kwargs.items())


# -- a small problem computed the same way in both engines -------------------------------
def problem(dtype=np.float64):
    """Initial values, targets and weights of a coupled quadratic, plus an unused start."""
    rng = np.random.default_rng(7)
    starts = [rng.standard_normal(s).astype(dtype) for s in SHAPES + [UNUSED_SHAPE]]
    targets = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    weights = [rng.uniform(0.5, 2.0, s).astype(dtype) for s in SHAPES]
    return starts, targets, weights


def loss_of(params, targets, weights):
    """sum_i sum(w_i * (p_i - t_i)^2) + 0.3 * sum(p_0) * sum(p_1): works on minidl and torch
    tensors alike (the last parameter is left out on purpose)."""
    total = 0.3 * params[0].sum() * params[1].sum()
    for p, t, w in zip(params, targets, weights):
        total = total + (w * (p - t) ** 2).sum()
    return total


def minidl_setup(dtype=np.float64):
    starts, targets, weights = problem(dtype)
    params = [minidl.tensor(s, requires_grad=True) for s in starts]
    return params, [minidl.tensor(t) for t in targets], [minidl.tensor(w) for w in weights]


def torch_setup(torch, dtype=np.float64):
    starts, targets, weights = problem(dtype)
    params = [torch.tensor(s, requires_grad=True) for s in starts]
    return params, [torch.tensor(t) for t in targets], [torch.tensor(w) for w in weights]


def groups_of(params, kwargs):
    """Two groups; the second runs at half the learning rate."""
    lr = kwargs.get("lr", 1.0)
    return [{"params": params[:2]}, {"params": params[2:], "lr": lr / 2}]


def train_step(optimizer, params, targets, weights):
    optimizer.zero_grad()
    loss_of(params, targets, weights).backward()
    optimizer.step()


def to_numpy(value):
    return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)


# -- parity with PyTorch -----------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_matches_pytorch_step_by_step_in_float64(case):
    torch = pytest.importorskip("torch")
    name, kwargs = case
    params, targets, weights = minidl_setup()
    tparams, ttargets, tweights = torch_setup(torch)
    ours = getattr(optim, name)(groups_of(params, kwargs), **kwargs)
    theirs = getattr(torch.optim, name)(groups_of(tparams, kwargs), **kwargs)
    for step in range(STEPS):
        train_step(ours, params, targets, weights)
        train_step(theirs, tparams, ttargets, tweights)
        for p, tp in zip(params, tparams):
            np.testing.assert_allclose(p.array, to_numpy(tp), rtol=1e-12, atol=1e-14,
                                       err_msg=f"after step {step + 1}")
    assert params[-1].grad is None and (params[-1] in ours.state) == (name in EAGER_STATE)
    np.testing.assert_array_equal(params[-1].array, problem()[0][-1])  # never updated

    our_dict, their_dict = ours.state_dict(), theirs.state_dict()
    expected = {0, 1, 2} if name != "SGD" or kwargs.get("momentum") else set()
    assert set(our_dict["state"]) == set(their_dict["state"]) == (
        expected | {3} if name in EAGER_STATE else expected)
    for index, state in our_dict["state"].items():
        assert set(state) == set(their_dict["state"][index])
        for key, value in state.items():
            np.testing.assert_allclose(to_numpy(value), to_numpy(their_dict["state"][index][key]),
                                       rtol=1e-12, atol=1e-14, err_msg=key)
        if "max_exp_avg_sq" in state and not kwargs.get("maximize"):
            # descending, the gradients shrink: the running maximum took over somewhere
            assert np.any(state["max_exp_avg_sq"].array > state["exp_avg_sq"].array)
    for ours_group, their_group in zip(our_dict["param_groups"], their_dict["param_groups"]):
        for key, value in ours_group.items():
            assert their_group[key] == value, key


@pytest.mark.parametrize("case", [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
                                  ("Adam", dict(lr=0.1, amsgrad=True)),
                                  ("AdamW", dict(lr=0.1)),
                                  ("Adadelta", dict(weight_decay=0.1)),
                                  ("RMSprop", dict(lr=0.05, momentum=0.5, centered=True)),
                                  ("Adagrad", dict(lr=0.3, lr_decay=0.1))], ids=case_id)
def test_matches_pytorch_in_float32(case):
    torch = pytest.importorskip("torch")
    name, kwargs = case
    params, targets, weights = minidl_setup(np.float32)
    tparams, ttargets, tweights = torch_setup(torch, np.float32)
    ours = getattr(optim, name)(groups_of(params, kwargs), **kwargs)
    theirs = getattr(torch.optim, name)(groups_of(tparams, kwargs), **kwargs)
    for _ in range(STEPS):
        train_step(ours, params, targets, weights)
        train_step(theirs, tparams, ttargets, tweights)
    for p, tp in zip(params, tparams):
        assert p.dtype == np.float32
        np.testing.assert_allclose(p.array, to_numpy(tp), rtol=1e-5, atol=1e-6)
    for state in ours.state.values():
        assert all(v.dtype == np.float32 for v in state.values() if hasattr(v, "dtype"))


# -- state dicts ---------------------------------------------------------------------------
ROUND_TRIP_CASES = [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
                    ("Adam", dict(lr=0.1, betas=(0.9, 0.6), amsgrad=True)),
                    ("AdamW", dict(lr=0.1, weight_decay=0.1)),
                    ("Adadelta", dict(lr=0.5)),
                    ("RMSprop", dict(lr=0.05, momentum=0.9, centered=True)),
                    ("Adagrad", dict(lr=0.3, lr_decay=0.1, initial_accumulator_value=0.1))]


@pytest.mark.parametrize("case", ROUND_TRIP_CASES, ids=case_id)
def test_state_dict_round_trip_continues_like_an_uninterrupted_run(case):
    name, kwargs = case
    params, targets, weights = minidl_setup()
    original = getattr(optim, name)(groups_of(params, kwargs), **kwargs)
    for _ in range(3):
        train_step(original, params, targets, weights)
    saved = original.state_dict()
    assert [g["params"] for g in saved["param_groups"]] == [[0, 1], [2, 3]]
    assert saved["param_groups"][1]["lr"] == kwargs["lr"] / 2

    copies = [minidl.tensor(p.array, requires_grad=True) for p in params]
    # built with other hyper-parameters: loading must bring back the saved ones
    resumed = getattr(optim, name)([{"params": copies[:2]}, {"params": copies[2:]}], lr=7.0)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[1]["lr"] == kwargs["lr"] / 2
    for _ in range(3):
        train_step(original, params, targets, weights)
        train_step(resumed, copies, targets, weights)
    for p, q in zip(params, copies):
        np.testing.assert_array_equal(p.array, q.array)


@pytest.mark.parametrize("case", [("SGD", dict(lr=0.1, momentum=0.9, dampening=0.2)),
                                  ("Adam", dict(lr=0.1, betas=(0.9, 0.6), amsgrad=True)),
                                  ("Adadelta", dict(rho=0.8)),
                                  ("RMSprop", dict(lr=0.05, momentum=0.5, centered=True)),
                                  ("Adagrad", dict(lr=0.3, lr_decay=0.1))], ids=case_id)
def test_loads_a_pytorch_state_dict_and_continues_like_pytorch(case):
    torch = pytest.importorskip("torch")
    name, kwargs = case
    tparams, ttargets, tweights = torch_setup(torch)
    theirs = getattr(torch.optim, name)(groups_of(tparams, kwargs), **kwargs)
    for _ in range(3):
        train_step(theirs, tparams, ttargets, tweights)
    their_dict = theirs.state_dict()
    converted = {  # torch tensors become NumPy arrays; the 0-d step counts become numbers
        "state": {index: {key: to_numpy(value) for key, value in state.items()}
                  for index, state in their_dict["state"].items()},
        "param_groups": their_dict["param_groups"],
    }
    _, targets, weights = minidl_setup()
    params = [minidl.tensor(to_numpy(tp), requires_grad=True) for tp in tparams]
    ours = getattr(optim, name)(groups_of(params, kwargs), **kwargs)
    ours.load_state_dict(converted)
    for _ in range(3):
        train_step(ours, params, targets, weights)
        train_step(theirs, tparams, ttargets, tweights)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.array, to_numpy(tp), rtol=1e-12, atol=1e-14)


def test_load_state_dict_copies_state_into_the_parameters_dtype():
    p = minidl.tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    opt = optim.Adam([p])
    saved_avg = np.full((2, 3), 0.5)  # float64
    opt.load_state_dict({"state": {0: {"step": np.array(4.0), "exp_avg": saved_avg,
                                       "exp_avg_sq": minidl.tensor(saved_avg)}},
                         "param_groups": [{"lr": 0.01, "params": [0]}]})
    state = opt.state[p]
    assert state["step"] == 4.0 and isinstance(state["step"], float)
    assert state["exp_avg"].dtype == np.float32 and state["exp_avg_sq"].dtype == np.float32
    saved_avg[...] = 9.0
    assert np.all(state["exp_avg"].array == 0.5)  # a copy, not a view of the saved array
    assert opt.param_groups[0]["lr"] == 0.01
    assert opt.param_groups[0]["betas"] == (0.9, 0.999)  # left out: the default


def two_group_optimizer():
    a = minidl.tensor(np.ones(3), requires_grad=True)
    b = minidl.tensor(np.ones((2, 2)), requires_grad=True)
    return optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1, momentum=0.9), a, b


@pytest.mark.parametrize("state_dict, match", [
    ("checkpoint.h5", "SGD.load_state_dict: expected a dict, got str"),
    ({"state": {}}, r"expected a dict with keys 'state' and 'param_groups', got \['state'\]"),
    ({"state": {}, "param_groups": [{"lr": 0.1, "params": [0, 1]}]},
     "the state dict has 1 parameter groups, this optimizer has 2"),
    ({"state": {}, "param_groups": [{"lr": 0.1, "params": [0]},
                                    {"lr": 0.1, "params": [1, 2]}]},
     "parameter group 1 has 2 parameters in the state dict, 1 in this optimizer"),
    ({"state": {0: {"momentum_buffer": np.zeros(4)}},
      "param_groups": [{"lr": 0.1, "params": [0]}, {"lr": 0.1, "params": [1]}]},
     r"state 'momentum_buffer' of parameter 0 has shape \(4,\), the parameter has "
     r"shape \(3,\)"),
    ({"state": {5: {"momentum_buffer": np.zeros(3)}},
      "param_groups": [{"lr": 0.1, "params": [0]}, {"lr": 0.1, "params": [1]}]},
     "state for parameter 5, which none of its parameter groups lists"),
    ({"state": {0: {"momentum_buffer": "zeros"}},
      "param_groups": [{"lr": 0.1, "params": [0]}, {"lr": 0.1, "params": [1]}]},
     "state 'momentum_buffer' of parameter 0 is a str"),
    ({"state": {}, "param_groups": [{"lr": -1.0, "params": [0]},
                                    {"lr": 0.1, "params": [1]}]},
     "SGD: lr must be a number >= 0, got -1.0"),
])
def test_load_state_dict_rejects_mismatched_dicts_and_changes_nothing(state_dict, match):
    opt, a, _ = two_group_optimizer()
    with pytest.raises((ValueError, TypeError), match=match):
        opt.load_state_dict(state_dict)
    assert opt.state == {} and opt.param_groups[0]["lr"] == 0.1


# -- parameters, groups, gradients -----------------------------------------------------------
def test_params_from_a_generator_a_list_or_dicts_with_defaults_filled_in():
    a = minidl.tensor(np.ones(3), requires_grad=True)
    b = minidl.nn.Parameter(minidl.tensor(np.ones(2)))
    assert optim.SGD(p for p in [a, b]).param_groups[0]["params"] == [a, b]
    opt = optim.SGD([{"params": a}, {"params": [b], "momentum": 0.5}], lr=0.2, momentum=0.9)
    assert [g["params"] for g in opt.param_groups] == [[a], [b]]
    assert [(g["lr"], g["momentum"]) for g in opt.param_groups] == [(0.2, 0.9), (0.2, 0.5)]
    c = minidl.tensor(np.ones(4), requires_grad=True)
    opt.add_param_group({"params": [c], "lr": 0.01})
    assert opt.param_groups[2]["lr"] == 0.01 and opt.param_groups[2]["nesterov"] is False


def test_grad_from_autograd_drives_the_update_and_none_grads_are_skipped():
    w = minidl.tensor(np.array([1.0, -2.0]), requires_grad=True)
    idle = minidl.tensor(np.array([3.0]), requires_grad=True)
    opt = optim.SGD([w, idle], lr=0.25)
    (w * w).sum().backward()  # grad 2w
    opt.step()
    np.testing.assert_array_equal(w.array, [0.5, -1.0])
    np.testing.assert_array_equal(idle.array, [3.0])
    assert idle not in opt.state


def test_zero_grad_sets_none_or_fills_zeros():
    p = minidl.tensor(np.ones(3), requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = minidl.tensor(np.full(3, 2.0))
    grad = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad and np.all(grad.array == 0)
    opt.zero_grad()
    assert p.grad is None


def test_step_calls_the_closure_with_gradients_on_and_returns_its_loss():
    p = minidl.tensor(np.array([2.0]), requires_grad=True)
    opt = optim.SGD([p], lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with minidl.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0
    np.testing.assert_array_equal(p.array, [0.0])  # 2 - 0.5 * (2 * 2)


@pytest.mark.parametrize("make, error, match", [
    (lambda: optim.SGD([], lr=0.1), ValueError, "SGD: got an empty parameter list"),
    (lambda: optim.SGD(minidl.ones(3, requires_grad=True)), TypeError,
     r"params must be an iterable of tensors or of dicts, got a single Tensor of shape \(3,\)"),
    (lambda: optim.SGD(3), TypeError,
     "params must be an iterable of tensors or of dicts, got int"),
    (lambda: optim.Adam([minidl.ones(3)]), ValueError,
     r"Adam: parameter 0 of group 0 \(shape \(3,\)\) does not require grad"),
    (lambda: optim.Adam([minidl.ones(3, requires_grad=True) * 2]), ValueError,
     "parameter 0 of group 0 .* is not a leaf tensor"),
    (lambda: optim.SGD([np.ones(3)]), TypeError,
     "SGD: parameter 0 of group 0 is a ndarray, expected a Tensor"),
    (lambda: optim.SGD([{"lr": 0.1}]), ValueError, "parameter group 0 has no 'params' key"),
    (lambda: optim.SGD([{"params": {minidl.ones(2, requires_grad=True)}}]), TypeError,
     "the parameters of group 0 are a set"),
])
def test_bad_parameters_raise_clear_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_a_parameter_may_appear_only_once():
    p = minidl.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match="parameter group 0 lists a parameter more than once"):
        optim.SGD([p, p])
    opt = optim.SGD([p])
    with pytest.raises(ValueError, match="some parameters of group 1 already belong to"):
        opt.add_param_group({"params": [p]})
    with pytest.raises(TypeError, match="a parameter group must be a dict, got list"):
        opt.add_param_group([p])


@pytest.mark.parametrize("grad, error, match", [
    (minidl.tensor(np.ones(4)), RuntimeError,
     r"the grad of parameter 0 of group 0 has shape \(4,\), expected the parameter's "
     r"shape \(3,\)"),
    (minidl.tensor(np.ones(3, dtype=np.float32)), RuntimeError,
     "has dtype float32, expected the parameter's dtype float64"),
    (np.ones(3), TypeError, "the grad of parameter 0 of group 0 is a ndarray"),
])
def test_a_gradient_that_does_not_fit_its_parameter_is_an_error(grad, error, match):
    p = minidl.tensor(np.ones(3), requires_grad=True)
    opt = optim.Adam([p])
    p.grad = grad
    with pytest.raises(error, match=match):
        opt.step()


@pytest.mark.parametrize("make, match", [
    (lambda p: optim.SGD(p, lr=-0.1), r"SGD: lr must be a number >= 0, got -0.1"),
    (lambda p: optim.SGD(p, lr="fast"), r"SGD: lr must be a number >= 0, got 'fast'"),
    (lambda p: optim.SGD(p, momentum=-0.5), "SGD: momentum must be a number >= 0, got -0.5"),
    (lambda p: optim.SGD(p, dampening=2.0),
     r"SGD: dampening must be a number in \[0, 1\], got 2.0"),
    (lambda p: optim.SGD(p, weight_decay=-1e-4), "SGD: weight_decay must be a number >= 0"),
    (lambda p: optim.SGD(p, nesterov=True), "SGD: nesterov=True needs momentum > 0 and "
                                            "dampening = 0, got momentum=0.0, dampening=0.0"),
    (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
     "nesterov=True needs momentum > 0 and dampening = 0"),
    (lambda p: optim.SGD([{"params": p, "lr": float("nan")}]),
     "SGD: lr must be a number >= 0, got nan"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.999)),
     r"Adam: betas\[0\] must be a number in \[0, 1\), got 1.0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)),
     r"Adam: betas\[1\] must be a number in \[0, 1\), got -0.1"),
    (lambda p: optim.Adam(p, betas=0.9), r"Adam: betas must be a pair \(beta1, beta2\), got 0.9"),
    (lambda p: optim.Adam(p, eps=-1e-8), "Adam: eps must be a number >= 0, got -1e-08"),
    (lambda p: optim.Adam(p, lr=-1), "Adam: lr must be a number >= 0, got -1"),
    (lambda p: optim.AdamW(p, weight_decay=-0.01), "AdamW: weight_decay must be a number >= 0"),
    (lambda p: optim.Adadelta(p, rho=1.5), r"Adadelta: rho must be a number in \[0, 1\], got 1.5"),
    (lambda p: optim.Adadelta(p, eps=-1.0), "Adadelta: eps must be a number >= 0, got -1.0"),
    (lambda p: optim.Adadelta(p, lr=-1.0), "Adadelta: lr must be a number >= 0"),
    (lambda p: optim.RMSprop(p, alpha=-0.1), "RMSprop: alpha must be a number >= 0, got -0.1"),
    (lambda p: optim.RMSprop(p, momentum=-1), "RMSprop: momentum must be a number >= 0"),
    (lambda p: optim.Adagrad(p, lr_decay=-1), "Adagrad: lr_decay must be a number >= 0"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1),
     "Adagrad: initial_accumulator_value must be a number >= 0"),
])
def test_bad_hyperparameters_name_the_argument_and_value(make, match):
    params = [minidl.ones(3, requires_grad=True)]
    with pytest.raises(ValueError, match=match):
        make(params)


def test_a_bad_hyperparameter_in_an_added_group_is_an_error():
    opt = optim.SGD([minidl.ones(3, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="SGD: momentum must be a number >= 0, got -1"):
        opt.add_param_group({"params": [minidl.ones(2, requires_grad=True)], "momentum": -1})
    assert len(opt.param_groups) == 1


# -- CuPy ------------------------------------------------------------------------------------
@pytest.fixture
def cuda():
    try:
        module_for_device("cuda")
    except RuntimeError as error:
        pytest.skip(str(error))
    return "cuda"


@pytest.mark.parametrize("case", ROUND_TRIP_CASES, ids=case_id)
def test_updates_on_cuda_match_the_cpu_and_loading_moves_state_there(case, cuda):
    name, kwargs = case
    params, targets, weights = minidl_setup()
    gpu_params = [p.detach().to(cuda).requires_grad_() for p in params]
    gpu_targets = [t.to(cuda) for t in targets]
    gpu_weights = [w.to(cuda) for w in weights]
    cpu_opt = getattr(optim, name)(groups_of(params, kwargs), **kwargs)
    gpu_opt = getattr(optim, name)(groups_of(gpu_params, kwargs), **kwargs)
    for _ in range(3):
        train_step(cpu_opt, params, targets, weights)
        train_step(gpu_opt, gpu_params, gpu_targets, gpu_weights)
    for p, q in zip(params, gpu_params):
        np.testing.assert_allclose(p.array, q.array.get(), rtol=1e-12, atol=1e-14)

    resumed = getattr(optim, name)(groups_of(gpu_params, kwargs), **kwargs)
    resumed.load_state_dict(cpu_opt.state_dict())
    for state in resumed.state.values():
        assert all(v.device == cuda for v in state.values() if isinstance(v, minidl.Tensor))


# -- the fused update kernels ------------------------------------------------------------------
def _adam(backend, arrays, amsgrad, step):
    param, grad, exp_avg, exp_avg_sq, max_sq = arrays
    backend.adam_update(param, grad, exp_avg, exp_avg_sq, max_sq if amsgrad else None,
                        beta1=0.9, beta2=0.99, step_size=0.01 / (1 - 0.9 ** step),
                        bias2_sqrt=np.sqrt(1 - 0.99 ** step), eps=1e-8)


def _adadelta(backend, arrays, amsgrad, step):
    param, grad, _, square_avg, acc_delta = arrays
    backend.adadelta_update(param, grad, square_avg, acc_delta, rho=0.9, eps=1e-6, lr=0.5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("update, amsgrad", [(_adam, False), (_adam, True),
                                             (_adadelta, False)])
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_fused_update_kernels_match_the_reference(dtype, update, amsgrad, layout):
    """The CPU kernels (one parallel pass; above the parallel threshold here) against the
    reference's NumPy expressions: equal to float rounding; other layouts take the
    reference's path and are equal exactly."""
    from minidl.kernels import cpu, reference

    rng = np.random.default_rng(3)
    shape = (300, 200)
    start = [rng.standard_normal(shape), rng.standard_normal(shape),
             0.1 * rng.standard_normal(shape), np.abs(rng.standard_normal(shape)),
             np.abs(rng.standard_normal(shape))]
    start = [a.astype(dtype) for a in start]
    if layout == "transposed":
        start = [a.T for a in start]
    results = []
    for backend in (cpu, reference):
        arrays = [a.copy(order="K") for a in start]
        for step in (1, 2, 3):
            update(backend, arrays, amsgrad, step)
        results.append(arrays)
    ulp = np.finfo(dtype).eps
    for ours, theirs in zip(*results):
        assert ours.dtype == dtype and np.isfinite(ours).all()
        if layout == "transposed":
            np.testing.assert_array_equal(ours, theirs)
        else:
            np.testing.assert_allclose(ours, theirs, rtol=4 * ulp, atol=4 * ulp)
    assert not np.array_equal(results[0][0], start[0])  # the parameter moved


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_kernel_keeps_subnormals_and_divides_by_zero_like_the_reference(amsgrad):
    """A dead unit's running mean decays to the smallest subnormals and stays there; the
    compiled loop must keep them as NumPy does (no flush to zero), and a zero denominator
    (eps 0, nothing seen yet) gives nan or inf as in NumPy, never ZeroDivisionError."""
    from minidl.kernels import cpu, reference

    tiny = np.finfo(np.float32).smallest_subnormal
    size = 70_000   # above the split threshold
    start = [np.ones(size, np.float32), np.zeros(size, np.float32),
             np.full(size, tiny, np.float32), np.zeros(size, np.float32),
             np.zeros(size, np.float32)]
    start[3][::2] = 1e-12       # half the units have seen gradients
    start[2][1::4] = 0.0        # and a quarter have nothing at all: 0 / 0
    results = []
    for backend in (cpu, reference):
        param, grad, exp_avg, exp_avg_sq, max_sq = (a.copy() for a in start)
        with np.errstate(divide="ignore", invalid="ignore"):
            backend.adam_update(param, grad, exp_avg, exp_avg_sq, max_sq if amsgrad else None,
                                beta1=0.9, beta2=0.999, step_size=1e-3, bias2_sqrt=1.0,
                                eps=0.0)
        results.append((param, exp_avg, exp_avg_sq))
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)
    param, exp_avg, _ = results[0]
    assert (exp_avg[::2] == tiny).all()          # subnormals kept, not flushed
    assert np.isnan(param[1::4]).all() and np.isfinite(param[::2]).all()
