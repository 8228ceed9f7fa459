"""The activations, distances, losses, initializers and nn.utils that image models use:
float64 gradient checks, PyTorch parity (forward and backward, awkward shapes), the layers'
arguments and reprs, and clear errors."""
import warnings

import numpy as np
import pytest
from helpers import compare_with_torch, leaf, untied

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl import gradcheck


def check(torch, fn, arrays, rng, grad_inputs=None):
    """Gradient check in float64, then parity with torch (outputs and gradients)."""
    grad_inputs = range(len(arrays)) if grad_inputs is None else grad_inputs
    leaves = [leaf(a, i in grad_inputs) for i, a in enumerate(arrays)]
    assert gradcheck(lambda *x: fn(F, *x), tuple(leaves))
    compare_with_torch(torch, lambda *x: fn(F, *x), lambda *x: fn(torch.nn.functional, *x),
                       arrays, rng, grad_inputs=grad_inputs)


def check_rounded(torch, fn, values, rng):
    """Gradient check, and parity with torch to 1e-6: PyTorch's float64 backward of
    hardsigmoid and celu multiplies by float32 constants (1/6, 1/α), so its gradients are
    off by about 1e-7 relative; minidl's, exact to rounding, pass the gradient check."""
    assert gradcheck(lambda x: fn(F, x), (leaf(values),))
    ours, theirs = leaf(values), torch.tensor(values, requires_grad=True)
    out, ref = fn(F, ours), fn(torch.nn.functional, theirs)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
    seed = rng.standard_normal(tuple(ref.shape))
    out.backward(minidl.tensor(seed))
    ref.backward(torch.tensor(seed))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6, atol=1e-12)


# -- activations ---------------------------------------------------------------------------
ACTIVATIONS = {
    "relu6": lambda f, x: f.relu6(x),
    "hardtanh": lambda f, x: f.hardtanh(x, -1.5, 0.5),
    "hardsigmoid": lambda f, x: f.hardsigmoid(x),
    "hardswish": lambda f, x: f.hardswish(x),
    "mish": lambda f, x: f.mish(x),
    "softsign": lambda f, x: f.softsign(x),
    "threshold": lambda f, x: f.threshold(x, 0.3, -2.0),
    "logsigmoid": lambda f, x: f.logsigmoid(x),
    "softmin": lambda f, x: f.softmin(x, dim=1),
    "glu": lambda f, x: f.glu(x, dim=1),
    "glu_last": lambda f, x: f.glu(x[..., :2]),
    "celu": lambda f, x: f.celu(x, alpha=0.7),
    "selu": lambda f, x: f.selu(x),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("shape", [(1, 4, 3), (3, 6)])
def test_activation_gradcheck_and_torch(name, shape, rng, torch):
    values = untied(rng, *shape, low=-7, high=7, gap=0.05)
    if name in ("hardsigmoid", "celu"):
        check_rounded(torch, ACTIVATIONS[name], values, rng)
    else:
        check(torch, ACTIVATIONS[name], [values], rng)


def test_activations_at_large_magnitudes_match_torch(torch):
    values = np.array([-800.0, -40.0, -3.0, 3.0, 6.0, 40.0, 800.0])
    for name in ("mish", "logsigmoid", "softsign", "hardswish", "selu", "celu"):
        ours = ACTIVATIONS[name](F, minidl.tensor(values)).numpy()
        theirs = ACTIVATIONS[name](torch.nn.functional, torch.tensor(values)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-300, err_msg=name)


@pytest.mark.parametrize("shape,slopes", [((2, 3, 4, 5), 3), ((1, 5), 5), ((4, 2, 3), 1),
                                          ((7,), 1)])
def test_prelu_gradcheck_and_torch(shape, slopes, rng, torch):
    values = untied(rng, *shape, gap=0.01)
    weight = rng.uniform(-0.5, 0.5, slopes)
    check(torch, lambda f, x, w: f.prelu(x, w), [values, weight], rng)


def test_prelu_layer_learns_one_slope_per_channel(rng, torch):
    ours, theirs = nn.PReLU(3, init=0.1), torch.nn.PReLU(3, init=0.1)
    assert repr(ours) == repr(theirs) and [n for n, _ in ours.named_parameters()] == ["weight"]
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    out, ref = ours(minidl.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-6)
    out.sum().backward()
    ref.sum().backward()
    assert ours.weight.dtype == np.float32
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-5)


LAYERS = [("ReLU6", ()), ("ReLU6", (True,)), ("Hardtanh", (-2.0, 3.0)),
          ("Hardtanh", (-1.0, 1.0, True)), ("Hardswish", ()), ("Hardsigmoid", ()),
          ("Mish", ()), ("Softsign", ()), ("Threshold", (0.1, 20.0)), ("LogSigmoid", ()),
          ("Softmin", (1,)), ("GLU", ()), ("GLU", (0,)), ("CELU", (0.5,)), ("SELU", ()),
          ("ELU", (1.0, True)), ("SiLU", (True,)), ("CELU", (1.0, True))]


@pytest.mark.parametrize("layer,args", LAYERS)
def test_activation_layers_match_torch_in_float32(layer, args, rng, torch):
    values = rng.uniform(-8, 8, (4, 6)).astype(np.float32)
    ours, theirs = getattr(nn, layer)(*args), getattr(torch.nn, layer)(*args)
    assert repr(ours) == repr(theirs)
    out = ours(minidl.tensor(values))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), theirs(torch.tensor(values)).numpy(), rtol=1e-5,
                               atol=1e-6)


INPLACE = ["relu6", "hardtanh", "hardsigmoid", "hardswish", "mish", "celu", "selu"]


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_activations_overwrite_and_keep_the_gradient(name, rng):
    values = untied(rng, 3, 4, low=-7, high=7, gap=0.05)
    fn = getattr(F, name)
    x = leaf(values)
    expected = fn(x)
    (expected_grad,) = minidl.autograd.grad(expected.sum(), x)
    y = leaf(values)
    z = y * 1
    assert fn(z, inplace=True) is z
    np.testing.assert_allclose(z.detach().numpy(), expected.detach().numpy())
    z.sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), expected_grad.numpy())


def test_inplace_underscore_forms(rng, torch):
    values = untied(rng, 2, 5, low=-3, high=3)
    for name, args in [("hardtanh_", (-0.5, 0.5)), ("threshold_", (0.2, 9.0)), ("celu_", ()),
                       ("selu_", ()), ("elu_", ()), ("relu_", ()), ("leaky_relu_", (0.2,))]:
        ours = minidl.tensor(values.copy())
        assert getattr(F, name)(ours, *args) is ours
        theirs = torch.tensor(values.copy())
        getattr(torch.nn.functional, name)(theirs, *args)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("call,error,match", [
    (lambda x: F.hardtanh(x, 2.0, 1.0), ValueError, "min_val cannot be greater"),
    (lambda x: nn.Hardtanh(1.0, 1.0), ValueError, "max_val must be greater"),
    (lambda x: F.glu(x, 0), ValueError, "halving dimension must be even"),
    (lambda x: F.glu(x, 2), IndexError, "dimension out of range"),
    (lambda x: F.celu(x, 0.0), ValueError, "alpha must not be 0"),
    (lambda x: F.prelu(x, minidl.ones(4)), ValueError, "4 slopes need"),
    (lambda x: F.prelu(x, minidl.ones(2, 2)), ValueError, "must be 1-D"),
    (lambda x: nn.PReLU(0), ValueError, "positive int"),
])
def test_activation_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(minidl.ones(3, 2))


# -- distances -------------------------------------------------------------------------------
DISTANCES = {
    "normalize": (lambda f, x, y: f.normalize(x), [(3, 5), (3, 5)], [0]),
    "normalize_p1_dim0": (lambda f, x, y: f.normalize(x, p=1.0, dim=0), [(1, 4), (1, 4)], [0]),
    "normalize_p3_dim-1": (lambda f, x, y: f.normalize(x, 3.0, -1), [(2, 3, 5), (1,)], [0]),
    "cosine": (lambda f, x, y: f.cosine_similarity(x, y), [(3, 5), (3, 5)], None),
    "cosine_broadcast": (lambda f, x, y: f.cosine_similarity(x, y, dim=-1),
                         [(2, 1, 5), (3, 5)], None),
    "pairwise": (lambda f, x, y: f.pairwise_distance(x, y), [(1, 7), (1, 7)], None),
    "pairwise_p1_keepdim": (lambda f, x, y: f.pairwise_distance(x, y, 1.0, 1e-3, True),
                            [(4, 3), (3,)], None),
    "pairwise_1d": (lambda f, x, y: f.pairwise_distance(x, y, 3.0), [(5,), (5,)], None),
}


@pytest.mark.parametrize("name", DISTANCES)
def test_distance_gradcheck_and_torch(name, rng, torch):
    fn, shapes, grad_inputs = DISTANCES[name]
    check(torch, fn, [untied(rng, *s) for s in shapes], rng, grad_inputs)


def test_distance_layers_and_zero_vectors(torch):
    x, y = np.array([[0.0, 0.0], [1.0, 2.0]]), np.array([[1.0, 1.0], [0.0, 0.0]])
    for ours, theirs in [(nn.CosineSimilarity(), torch.nn.CosineSimilarity()),
                         (nn.PairwiseDistance(p=1.0, keepdim=True),
                          torch.nn.PairwiseDistance(p=1.0, keepdim=True))]:
        np.testing.assert_allclose(ours(minidl.tensor(x), minidl.tensor(y)).numpy(),
                                   theirs(torch.tensor(x), torch.tensor(y)).numpy())
    np.testing.assert_allclose(F.normalize(minidl.tensor(x)).numpy(),
                               torch.nn.functional.normalize(torch.tensor(x)).numpy())


def test_distance_errors():
    with pytest.raises(ValueError, match="do not broadcast"):
        F.cosine_similarity(minidl.ones(2, 3), minidl.ones(2, 4))
    with pytest.raises(IndexError, match="dimension out of range"):
        F.cosine_similarity(minidl.ones(2, 3), minidl.ones(2, 3), dim=2)
    with pytest.raises(TypeError, match="floating point"):
        F.normalize(minidl.ones(2, 3, dtype=minidl.int64))


# -- losses ----------------------------------------------------------------------------------
def signs(rng, *shape):
    return rng.choice([-1.0, 1.0], size=shape)


def positive(rng, *shape):
    return rng.uniform(0.2, 3.0, shape)


def probabilities(rng, *shape):
    p = rng.uniform(0.1, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


LOSSES = {
    "kl_div_batchmean": (lambda f, x, t: f.kl_div(x, t, reduction="batchmean"),
                         lambda r: [np.log(probabilities(r, 3, 5)), probabilities(r, 3, 5)]),
    "kl_div_sum_log_target": (lambda f, x, t: f.kl_div(x, t, reduction="sum",
                                                       log_target=True),
                              lambda r: [untied(r, 1, 4), untied(r, 1, 4)]),
    "kl_div_none": (lambda f, x, t: f.kl_div(x, t, reduction="none"),
                    lambda r: [untied(r, 2, 3), probabilities(r, 2, 3)]),
    "soft_margin": (lambda f, x, t: f.soft_margin_loss(x, t),
                    lambda r: [untied(r, 3, 5), signs(r, 3, 5)]),
    "margin_ranking": (lambda f, a, b, t: f.margin_ranking_loss(a, b, t, margin=0.1),
                       lambda r: [untied(r, 7), untied(r, 7), signs(r, 7)]),
    "hinge_embedding": (lambda f, x, t: f.hinge_embedding_loss(x, t, margin=0.5,
                                                               reduction="none"),
                        lambda r: [untied(r, 2, 5), signs(r, 2, 5)]),
    "triplet": (lambda f, a, p, n: f.triplet_margin_loss(a, p, n, margin=2.0),
                lambda r: [untied(r, 3, 4), untied(r, 3, 4), untied(r, 3, 4)]),
    "triplet_swap_p1": (lambda f, a, p, n: f.triplet_margin_loss(a, p, n, 2.0, 1.0,
                                                                 swap=True, reduction="sum"),
                        lambda r: [untied(r, 1, 5), untied(r, 1, 5), untied(r, 1, 5)]),
    "cosine_embedding": (lambda f, a, b, t: f.cosine_embedding_loss(a, b, t, margin=-0.3),
                         lambda r: [untied(r, 4, 3), untied(r, 4, 3), signs(r, 4)]),
    "cosine_embedding_1d": (lambda f, a, b, t: f.cosine_embedding_loss(a, b, t),
                            lambda r: [untied(r, 5), untied(r, 5), np.array(-1.0)]),
    "poisson_log": (lambda f, x, t: f.poisson_nll_loss(x, t),
                    lambda r: [untied(r, 3, 4), r.integers(0, 5, (3, 4)).astype(float)]),
    "poisson_full": (lambda f, x, t: f.poisson_nll_loss(x, t, log_input=False, full=True,
                                                        reduction="sum"),
                     lambda r: [positive(r, 2, 5), r.integers(0, 5, (2, 5)).astype(float)]),
    "gaussian": (lambda f, x, t, v: f.gaussian_nll_loss(x, t, v),
                 lambda r: [untied(r, 3, 4), untied(r, 3, 4), positive(r, 3, 4)]),
    "gaussian_shared_full": (lambda f, x, t, v: f.gaussian_nll_loss(x, t, v, full=True,
                                                                    reduction="none"),
                             lambda r: [untied(r, 2, 3), untied(r, 2, 3), positive(r, 2)]),
    "gaussian_one_dim": (lambda f, x, t, v: f.gaussian_nll_loss(x, t, v, reduction="sum"),
                         lambda r: [untied(r, 2, 3, 2), untied(r, 2, 3, 2),
                                    positive(r, 2, 1, 2)]),
    "multilabel": (lambda f, x, t: f.multilabel_soft_margin_loss(x, t),
                   lambda r: [untied(r, 3, 5), r.integers(0, 2, (3, 5)).astype(float)]),
    "multilabel_weight": (lambda f, x, t, w: f.multilabel_soft_margin_loss(x, t, w,
                                                                           reduction="none"),
                          lambda r: [untied(r, 1, 4), r.integers(0, 2, (1, 4)).astype(float),
                                     positive(r, 4)]),
}


@pytest.mark.parametrize("name", LOSSES)
def test_loss_gradcheck_and_torch(name, rng, torch):
    fn, make = LOSSES[name]
    arrays = make(rng)
    grad_inputs = [0, 1] if name.startswith(("kl_div", "gaussian")) else [0]
    if name.startswith(("margin_ranking", "cosine_embedding", "triplet")):
        grad_inputs = [0, 1] + ([2] if name.startswith("triplet") else [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(torch, fn, arrays, rng, grad_inputs)


LOSS_LAYERS = [
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True}, 2),
    ("SoftMarginLoss", {"reduction": "sum"}, 2), ("MarginRankingLoss", {"margin": 0.2}, 3),
    ("HingeEmbeddingLoss", {}, 2), ("CosineEmbeddingLoss", {"margin": 0.1}, 3),
    ("TripletMarginLoss", {"p": 1.0, "swap": True}, 3),
    ("PoissonNLLLoss", {"full": True}, 2), ("GaussianNLLLoss", {"eps": 1e-3}, 3),
    ("MultiLabelSoftMarginLoss", {"reduction": "none"}, 2),
]


@pytest.mark.parametrize("layer,kwargs,count", LOSS_LAYERS)
def test_loss_layers_match_torch(layer, kwargs, count, rng, torch):
    values = [rng.uniform(0.1, 2.0, (4, 3)) for _ in range(count)]
    if layer in ("MarginRankingLoss", "CosineEmbeddingLoss"):
        values[-1] = signs(rng, *values[-1].shape[:1 if layer.startswith("Cos") else 2])
    if layer in ("HingeEmbeddingLoss", "SoftMarginLoss"):
        values[-1] = signs(rng, 4, 3)
    ours = getattr(nn, layer)(**kwargs)(*[minidl.tensor(v) for v in values])
    theirs = getattr(torch.nn, layer)(**kwargs)(*[torch.tensor(v) for v in values])
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_kl_div_mean_warns_and_zero_targets_count_nothing(torch):
    x, t = np.log([[0.5, 0.5], [0.9, 0.1]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    with pytest.warns(UserWarning, match="batchmean"):
        ours = F.kl_div(minidl.tensor(x), minidl.tensor(t))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(t))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_legacy_size_average_and_reduce(torch):
    x, t = minidl.tensor([[0.5, -1.0]]), minidl.tensor([[1.0, -1.0]])
    with pytest.warns(UserWarning, match="size_average and reduce"):
        loss = nn.SoftMarginLoss(size_average=False)
    assert loss.reduction == "sum"
    with pytest.warns(UserWarning):
        assert F.soft_margin_loss(x, t, reduce=False).shape == (1, 2)


@pytest.mark.parametrize("call,error,match", [
    (lambda: F.kl_div(minidl.ones(2), minidl.ones(2), reduction="batch"), ValueError,
     "reduction must be one of"),
    (lambda: nn.KLDivLoss(reduction="avg"), ValueError, "reduction must be one of"),
    (lambda: nn.TripletMarginLoss(margin=0.0), ValueError, "greater than 0"),
    (lambda: F.triplet_margin_loss(minidl.ones(2, 3), minidl.ones(3), minidl.ones(2, 3)),
     ValueError, "same number of dimensions"),
    (lambda: F.margin_ranking_loss(minidl.ones(2), minidl.ones(2), minidl.ones(2, 1)),
     ValueError, "same number of dimensions"),
    (lambda: F.cosine_embedding_loss(minidl.ones(2, 3), minidl.ones(2, 3), minidl.ones(2, 1)),
     ValueError, "expects inputs"),
    (lambda: F.gaussian_nll_loss(minidl.ones(2, 3), minidl.ones(2, 3), minidl.ones(3, 3)),
     ValueError, "var is of incorrect size"),
    (lambda: F.gaussian_nll_loss(minidl.ones(2), minidl.ones(2), -minidl.ones(2)),
     ValueError, "negative"),
    (lambda: F.multilabel_soft_margin_loss(minidl.ones(2, 3), minidl.ones(2, 2)), ValueError,
     "must equal input shape"),
])
def test_loss_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- init ------------------------------------------------------------------------------------
def test_trunc_normal_stays_in_bounds_and_repeats_with_the_seed():
    w = minidl.empty(200, 50, dtype=minidl.float32)
    nn.init.trunc_normal_(w, mean=0.5, std=2.0, a=-1.0, b=1.5)
    values = w.numpy()
    assert values.dtype == np.float32 and values.min() >= -1.0 and values.max() <= 1.5
    assert abs(values.mean() - 0.28) < 0.03  # the mean of N(0.5, 4) cut to [-1, 1.5]
    minidl.manual_seed(0)
    again = nn.init.trunc_normal_(minidl.empty(200, 50), 0.5, 2.0, -1.0, 1.5).numpy()
    minidl.manual_seed(0)
    np.testing.assert_array_equal(again, nn.init.trunc_normal_(minidl.empty(200, 50), 0.5,
                                                               2.0, -1.0, 1.5).numpy())
    with pytest.raises(ValueError, match="a must be smaller than b"):
        nn.init.trunc_normal_(w, a=1.0, b=0.0)
    with pytest.raises(ValueError, match="rejection sampling"):
        nn.init.trunc_normal_(w, a=20.0, b=21.0)


def test_eye_dirac_sparse_match_torch(torch):
    np.testing.assert_array_equal(nn.init.eye_(minidl.empty(3, 5)).numpy(),
                                  torch.nn.init.eye_(torch.empty(3, 5)).numpy())
    for shape, groups in [((6, 2, 3, 3), 2), ((3, 5, 4), 1), ((4, 2, 3, 1, 2), 1)]:
        np.testing.assert_array_equal(
            nn.init.dirac_(minidl.empty(*shape), groups).numpy(),
            torch.nn.init.dirac_(torch.empty(*shape), groups).numpy(), err_msg=str(shape))
    w = nn.init.sparse_(minidl.empty(10, 7), sparsity=0.25).numpy()
    assert ((w == 0).sum(0) == 3).all() and np.abs(w).max() < 0.1
    with pytest.raises(ValueError, match="2 dimensions"):
        nn.init.eye_(minidl.empty(2, 2, 2))
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.init.dirac_(minidl.empty(3, 2, 3), groups=2)


def test_init_leaves_no_graph():
    layer = nn.Linear(4, 4)
    for init in (nn.init.eye_, nn.init.trunc_normal_, lambda w: nn.init.sparse_(w, 0.5)):
        init(layer.weight)
        assert layer.weight.is_leaf and layer.weight.requires_grad


# -- nn.utils --------------------------------------------------------------------------------
def test_parameters_to_vector_and_back():
    model = nn.Sequential(nn.Linear(3, 2), nn.Conv2d(1, 2, 3))
    vector = nn.utils.parameters_to_vector(model.parameters())
    sizes = [p.numel() for p in model.parameters()]
    assert vector.shape == (sum(sizes),)
    vector.sum().backward()  # differentiable
    assert all((p.grad.numpy() == 1).all() for p in model.parameters())
    new = minidl.arange(sum(sizes), dtype=minidl.float32)
    nn.utils.vector_to_parameters(new, model.parameters())
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(
        nn.utils.parameters_to_vector(model.parameters()).detach().numpy(), new.numpy())
    with pytest.raises(ValueError, match="must be 1-D with"):
        nn.utils.vector_to_parameters(minidl.ones(3), model.parameters())
    with pytest.raises(TypeError, match="expected a Tensor"):
        nn.utils.vector_to_parameters([1.0], model.parameters())


def copy_spectral_state(ours, theirs):
    for name in ("weight_orig", "weight_u", "weight_v", "bias"):
        getattr(ours, name).data = minidl.tensor(getattr(theirs, name).detach().numpy().copy())


@pytest.mark.parametrize("make,dim,shape", [
    (lambda e: e.nn.Linear(5, 3), None, (2, 5)),
    (lambda e: e.nn.Conv2d(2, 3, 3), None, (1, 2, 5, 4)),
    (lambda e: e.nn.ConvTranspose2d(2, 3, 2), None, (1, 2, 3, 3)),
    (lambda e: e.nn.Conv2d(2, 4, 3), 1, (2, 2, 4, 4)),
])
def test_spectral_norm_matches_torch_over_training_steps(make, dim, shape, rng, torch):
    torch.set_default_dtype(torch.float64)
    minidl.set_default_dtype(minidl.float64)
    try:
        theirs = torch.nn.utils.spectral_norm(make(torch), n_power_iterations=2, dim=dim)
        ours = nn.utils.spectral_norm(make(minidl), n_power_iterations=2, dim=dim)
    finally:
        torch.set_default_dtype(torch.float32)
        minidl.set_default_dtype(minidl.float32)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    copy_spectral_state(ours, theirs)
    for step in range(3):
        x = rng.standard_normal(shape)
        out, ref = ours(minidl.tensor(x)), theirs(torch.tensor(x))
        np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=f"step {step}")
        out.sum().backward()
        ref.sum().backward()
        np.testing.assert_allclose(ours.weight_orig.grad.numpy(),
                                   theirs.weight_orig.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.weight_u.numpy(), theirs.weight_u.numpy(), rtol=1e-10)
    ours.eval(), theirs.eval()
    u = ours.weight_u.numpy().copy()
    ours(minidl.tensor(rng.standard_normal(shape)))
    np.testing.assert_array_equal(ours.weight_u.numpy(), u)  # no power iteration in eval
    nn.utils.remove_spectral_norm(ours)
    torch.nn.utils.remove_spectral_norm(theirs)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(),
                               rtol=1e-10)


def test_spectral_norm_divides_by_the_largest_singular_value():
    layer = nn.utils.spectral_norm(nn.Linear(6, 4), n_power_iterations=30)
    layer(minidl.ones(1, 6))
    assert abs(np.linalg.svd(layer.weight.detach().numpy(), compute_uv=False)[0] - 1) < 1e-4
    with pytest.raises(RuntimeError, match="two spectral_norm hooks"):
        nn.utils.spectral_norm(layer)
    with pytest.raises(ValueError, match="has no parameter 'kernel'"):
        nn.utils.spectral_norm(nn.Linear(2, 2), name="kernel")
    with pytest.raises(ValueError, match="not found"):
        nn.utils.remove_spectral_norm(nn.Linear(2, 2))


@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm_matches_torch(dim, rng, torch):
    conv = torch.nn.Conv2d(2, 3, 3).double()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # torch prefers its parametrization
        theirs = torch.nn.utils.weight_norm(conv, dim=dim)
    ours = nn.Conv2d(2, 3, 3).double()
    ours.weight.data = minidl.tensor(conv.weight_v.detach().numpy().copy())
    ours.bias.data = minidl.tensor(conv.bias.detach().numpy().copy())
    ours = nn.utils.weight_norm(ours, dim=dim)
    assert ours.weight_g.shape == tuple(theirs.weight_g.shape)
    x = rng.standard_normal((1, 2, 4, 5))
    out, ref = ours(minidl.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10)
    out.sum().backward()
    ref.sum().backward()
    for name in ("weight_g", "weight_v"):
        np.testing.assert_allclose(getattr(ours, name).grad.numpy(),
                                   getattr(theirs, name).grad.numpy(), rtol=1e-9, atol=1e-12)
    nn.utils.remove_weight_norm(ours)
    assert [n for n, _ in ours.named_parameters()] == ["bias", "weight"]
