"""nn.functional: float64 gradient checks and PyTorch parity for activations and losses."""
import numpy as np
import pytest
from helpers import compare_with_torch, leaf, untied

import minidl
import minidl.nn.functional as F
from minidl import gradcheck

ACTIVATIONS = [
    ("relu", lambda f, x: f.relu(x)),
    ("leaky_relu", lambda f, x: f.leaky_relu(x, 0.2)),
    ("sigmoid", lambda f, x: f.sigmoid(x)),
    ("tanh", lambda f, x: f.tanh(x)),
    ("softmax", lambda f, x: f.softmax(x, dim=1)),
    ("log_softmax", lambda f, x: f.log_softmax(x, dim=-1)),
]


@pytest.mark.parametrize("name,fn", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_gradcheck(name, fn, rng):
    assert gradcheck(lambda x: fn(F, x), (leaf(untied(rng, 3, 5, low=-3, high=3)),))


@pytest.mark.parametrize("name,fn", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_matches_torch(name, fn, rng, torch):
    values = untied(rng, 3, 5, low=-3, high=3)
    compare_with_torch(torch, lambda x: fn(F, x), lambda x: fn(torch.nn.functional, x),
                       [values], rng)


def test_softmax_and_log_softmax_are_stable_for_huge_inputs():
    x = minidl.tensor([[1000.0, 0.0, -1000.0]])
    np.testing.assert_allclose(F.softmax(x, dim=1).numpy(), [[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(F.log_softmax(x, dim=1).numpy(), [[0.0, -1000.0, -2000.0]])
    assert np.isfinite(F.sigmoid(minidl.tensor([-1000.0, 1000.0])).numpy()).all()


def test_linear_gradcheck_and_torch(rng, torch):
    x, w, b = untied(rng, 4, 3), untied(rng, 5, 3), untied(rng, 5)
    assert gradcheck(F.linear, (leaf(x), leaf(w), leaf(b)))
    compare_with_torch(torch, F.linear, torch.nn.functional.linear, [x, w, b], rng)


def test_dropout_train_and_eval():
    x = minidl.ones(2000)
    assert F.dropout(x, 0.3, training=False) is x
    y = F.dropout(x, 0.3, training=True).numpy()
    kept = y != 0
    assert 0.6 < kept.mean() < 0.8
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert (F.dropout(x, 1.0).numpy() == 0).all()


def test_dropout_gradient_uses_the_same_mask():
    x = minidl.ones(50, requires_grad=True)
    y = F.dropout(x, 0.5)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy())


@pytest.mark.parametrize("name,functional,layer", [
    ("relu", lambda x: F.relu(x, inplace=True), minidl.nn.ReLU(inplace=True)),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2, inplace=True),
     minidl.nn.LeakyReLU(0.2, inplace=True)),
    ("dropout", lambda x: F.dropout(x, 0.4, inplace=True), minidl.nn.Dropout(0.4, True)),
])
def test_inplace_overwrites_the_input_outside_a_graph(name, functional, layer, rng):
    values = untied(rng, 4, 6)
    minidl.manual_seed(5)
    expected = {"relu": np.maximum(values, 0), "leaky_relu": np.where(values > 0, values,
                                                                      0.2 * values),
                "dropout": F.dropout(minidl.tensor(values), 0.4).numpy()}[name]
    for run in (functional, layer):
        x = minidl.tensor(values)                   # requires no gradient: changed in place
        minidl.manual_seed(5)
        assert run(x) is x
        np.testing.assert_array_equal(x.numpy(), expected)
    x = leaf(values)
    with minidl.no_grad():                          # under no_grad, even a leaf is changed
        minidl.manual_seed(5)
        assert functional(x) is x
    np.testing.assert_array_equal(x.detach().numpy(), expected)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                           "in an in-place operation"):
        functional(leaf(values))                    # as PyTorch: a leaf is refused at once


INPLACE_IN_GRAPH = [
    ("relu", lambda f, x: f.relu(x, inplace=True), lambda f, x: f.relu(x)),
    ("leaky_relu", lambda f, x: f.leaky_relu(x, 0.2, inplace=True),
     lambda f, x: f.leaky_relu(x, 0.2)),
    ("elu", lambda f, x: f.elu(x, 0.7, inplace=True), lambda f, x: f.elu(x, 0.7)),
    ("silu", lambda f, x: f.silu(x, inplace=True), lambda f, x: f.silu(x)),
]


@pytest.mark.parametrize("name,inplace,plain", INPLACE_IN_GRAPH,
                         ids=[c[0] for c in INPLACE_IN_GRAPH])
def test_inplace_inside_a_graph_is_recorded_as_in_torch(name, inplace, plain, rng, torch):
    """y = 2x; z = 3y (recorded before the change); f(y, inplace=True); then y and z both
    feed the loss: the gradients are PyTorch's, z's path does not go through f, and the
    result is the input object itself."""
    values = untied(rng, 4, 6)
    grads = []
    for engine, functional in ((minidl, F), (torch, torch.nn.functional)):
        x = engine.tensor(values, requires_grad=True)
        y = x * 2
        z = y * 3
        assert inplace(functional, y) is y
        (y.sum() + (z * z).sum()).backward()
        grads.append(x.grad.detach().numpy())
        if engine is minidl:
            np.testing.assert_allclose(y.detach().numpy(),
                                       plain(F, minidl.tensor(values) * 2).numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-12)


def test_inplace_of_a_value_saved_for_backward_raises_in_backward_as_in_torch(torch):
    for engine in (minidl, torch):
        x = engine.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x.sigmoid()                             # sigmoid saves its output
        engine.nn.functional.relu(y, inplace=True)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_inplace_dropout_inside_a_graph_keeps_its_mask():
    values = np.full((50,), 2.0)
    minidl.manual_seed(3)
    expected = F.dropout(minidl.tensor(values), 0.5).numpy()
    x = leaf(values)
    y = x * 1
    minidl.manual_seed(3)
    assert F.dropout(y, 0.5, inplace=True) is y and minidl.nn.Dropout(0.5, True)(y * 1) is not y
    np.testing.assert_array_equal(y.detach().numpy(), expected)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), expected / 2.0)  # the kept ones, x2


def test_inplace_layers_print_like_torch(torch):
    for make in (lambda nn: nn.ReLU(inplace=True), lambda nn: nn.LeakyReLU(0.1, True),
                 lambda nn: nn.ReLU(), lambda nn: nn.LeakyReLU()):
        assert repr(make(minidl.nn)) == repr(make(torch.nn))


# -- losses -------------------------------------------------------------------------------
def _targets(rng, shape, classes, ignore=False):
    t = rng.integers(0, classes, size=shape)
    if ignore:
        t.reshape(-1)[::3] = -100
    return t


LOSS_CASES = {
    "mse": lambda f, x, y, reduction: f.mse_loss(x, y, reduction=reduction),
    "l1": lambda f, x, y, reduction: f.l1_loss(x, y, reduction=reduction),
    "bce_logits": lambda f, x, y, reduction: f.binary_cross_entropy_with_logits(
        x, y, reduction=reduction),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss", sorted(LOSS_CASES))
def test_regression_losses(loss, reduction, rng, torch):
    x, y = untied(rng, 3, 4), rng.uniform(0, 1, (3, 4))
    fn = LOSS_CASES[loss]
    assert gradcheck(lambda a, b: fn(F, a, b, reduction), (leaf(x), leaf(y)))
    compare_with_torch(torch, lambda a, b: fn(F, a, b, reduction),
                       lambda a, b: fn(torch.nn.functional, a, b, reduction), [x, y], rng)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy(reduction, rng, torch):
    x, y, w = rng.uniform(0.05, 0.95, (3, 4)), rng.uniform(0, 1, (3, 4)), rng.uniform(0.5, 2, 4)
    assert gradcheck(lambda a, b, c: F.binary_cross_entropy(a, b, c, reduction=reduction),
                     (leaf(x), leaf(y), leaf(w)))
    compare_with_torch(
        torch, lambda a, b, c: F.binary_cross_entropy(a, b, c, reduction=reduction),
        lambda a, b, c: torch.nn.functional.binary_cross_entropy(a, b, c, reduction=reduction),
        [x, y, w], rng, grad_inputs=(0, 1))


def test_binary_cross_entropy_at_the_edges_matches_torch(torch):
    x, y = np.array([0.0, 1.0, 1e-30, 0.5]), np.array([1.0, 0.0, 1.0, 0.5])
    ours = F.binary_cross_entropy(leaf(x, False), leaf(y, False), reduction="none").numpy()
    theirs = torch.nn.functional.binary_cross_entropy(torch.tensor(x), torch.tensor(y),
                                                      reduction="none").numpy()
    np.testing.assert_allclose(ours, theirs)


def test_bce_with_logits_weights_and_stability(rng, torch):
    x = np.array([[-800.0, -20.0, 0.3, 20.0, 800.0]])
    y = np.array([[1.0, 0.0, 1.0, 0.0, 0.0]])
    w, pw = rng.uniform(0.5, 2, (1, 5)), rng.uniform(0.5, 3, 5)
    tf = torch.nn.functional
    compare_with_torch(
        torch, lambda a, b, c, d: F.binary_cross_entropy_with_logits(a, b, c, pos_weight=d),
        lambda a, b, c, d: tf.binary_cross_entropy_with_logits(a, b, c, pos_weight=d),
        [x, y, w, pw], rng, grad_inputs=(0, 1))
    small = untied(rng, 2, 5)
    assert gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, minidl.tensor(w), pos_weight=minidl.tensor(pw)),
        (leaf(small), leaf(rng.uniform(0, 1, (2, 5)))))


CE_CASES = [
    ("plain", dict()),
    ("weight", dict(weight=True)),
    ("ignore_index", dict(ignore=True)),
    ("label_smoothing", dict(label_smoothing=0.2)),
    ("smoothing_weight_ignore", dict(weight=True, ignore=True, label_smoothing=0.1)),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,case", CE_CASES, ids=[c[0] for c in CE_CASES])
@pytest.mark.parametrize("shape", [(5, 4), (3, 4, 2, 3)], ids=["NC", "NCHW"])
def test_cross_entropy_matches_torch(name, case, reduction, shape, rng, torch):
    x = untied(rng, *shape)
    t = _targets(rng, shape[:1] + shape[2:], shape[1], case.get("ignore", False))
    w = rng.uniform(0.5, 2.0, shape[1]) if case.get("weight") else None
    options = dict(reduction=reduction, label_smoothing=case.get("label_smoothing", 0.0))
    ours = lambda a: F.cross_entropy(a, minidl.tensor(t), None if w is None else leaf(w, False),
                                     **options)
    theirs = lambda a: torch.nn.functional.cross_entropy(
        a, torch.tensor(t), None if w is None else torch.tensor(w), **options)
    compare_with_torch(torch, ours, theirs, [x], rng)
    assert gradcheck(ours, (leaf(x),))


def test_cross_entropy_with_probability_targets(rng, torch):
    x = untied(rng, 4, 3)
    p = rng.dirichlet(np.ones(3), size=4)
    for smoothing in (0.0, 0.3):
        compare_with_torch(
            torch, lambda a, b: F.cross_entropy(a, b, label_smoothing=smoothing),
            lambda a, b: torch.nn.functional.cross_entropy(a, b, label_smoothing=smoothing),
            [x, p], rng)
    assert gradcheck(lambda a, b: F.cross_entropy(a, b), (leaf(x), leaf(p)))


def test_nll_loss_unbatched_and_weighted(rng, torch):
    logp = np.log(rng.dirichlet(np.ones(4), size=3))
    t, w = np.array([0, 3, 1]), rng.uniform(0.5, 2, 4)
    compare_with_torch(
        torch, lambda a: F.nll_loss(a, minidl.tensor(t), leaf(w, False)),
        lambda a: torch.nn.functional.nll_loss(a, torch.tensor(t), torch.tensor(w)),
        [logp], rng)
    one = F.cross_entropy(leaf(logp[0], False), minidl.tensor(np.int64(2)))
    ref = torch.nn.functional.cross_entropy(torch.tensor(logp[0]), torch.tensor(2))
    np.testing.assert_allclose(one.item(), ref.item())
