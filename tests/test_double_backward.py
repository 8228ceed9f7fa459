"""``create_graph=True``: gradients that are differentiated again (gradient penalties).

WGAN-GP and R1 penalties through a small conv critic (also with layer, instance and group
norm, smooth activations, a sigmoid head), a generator's penalty through tanh, second
derivatives of an MLP and of each smooth elementwise op, softmax and reduction,
finite-difference checks, and the error an operation without a recorded backward gives;
the references are PyTorch's, from the same weights and inputs, in float64.
"""
import numpy as np
import pytest

import minidl

RTOL = 1e-9


def _critic(engine, rng, activation=None, pool=False, norm=None, last=None):
    """Conv2d 4x4/2, (norm), LeakyReLU(0.2), Conv2d 3x3, (AvgPool), Flatten, Linear,
    (last), in float64, with weights drawn from ``rng`` (so both engines get the same
    ones); ``norm`` and ``last`` make a layer from ``engine.nn``."""
    nn = engine.nn
    layers = [nn.Conv2d(3, 4, 4, 2, 1)] + ([norm(nn)] if norm else []) + [
        activation or nn.LeakyReLU(0.2), nn.Conv2d(4, 5, 3, 1, 1)]
    layers += [nn.AvgPool2d(2), nn.Flatten(), nn.Linear(5 * 2 * 2, 1)] if pool \
        else [nn.Flatten(), nn.Linear(5 * 4 * 4, 1)]
    layers += [last(nn)] if last else []
    critic = nn.Sequential(*layers).double()
    for p in critic.parameters():
        p.data = engine.tensor(rng.standard_normal(tuple(p.shape)) * 0.3,
                               dtype=engine.float64)
    return critic


def _grads(module):
    """Each parameter's gradient, None for one the penalty does not reach (a bias: d
    critic / d x does not depend on it)."""
    return [None if p.grad is None else p.grad.numpy() for p in module.parameters()]


def _numpy(tensor):
    return None if tensor is None else tensor.numpy()


def _close(mine, reference):
    """Equal gradients; None (not reached) counts as zeros: PyTorch's saved activations
    link some biases into the gradient's graph with a zero derivative."""
    if mine is None or reference is None:
        assert not np.any(mine if reference is None else reference)
    else:
        np.testing.assert_allclose(mine, reference, rtol=RTOL, atol=1e-12)


def _wgan_gp(engine, pool=False, **layers):
    rng = np.random.default_rng(7)
    critic = _critic(engine, rng, pool=pool, **layers)
    real = engine.tensor(rng.standard_normal((3, 3, 8, 8)), dtype=engine.float64)
    fake = engine.tensor(rng.standard_normal((3, 3, 8, 8)), dtype=engine.float64)
    alpha = engine.tensor(rng.random((3, 1, 1, 1)), dtype=engine.float64)
    interp = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    out = critic(interp)
    (g,) = engine.autograd.grad(out, interp, grad_outputs=engine.ones_like(out),
                                create_graph=True)
    penalty = ((g.view(g.size(0), -1).norm(2, dim=1) - 1) ** 2).mean()
    penalty.backward()
    return (penalty.item(), g.detach().numpy(),
            _grads(critic), _numpy(interp.grad))


@pytest.mark.parametrize("pool", [False, True])
def test_wgan_gp_penalty_matches_pytorch(torch, pool):
    ours, theirs = _wgan_gp(minidl, pool), _wgan_gp(torch, pool)
    assert np.isclose(ours[0], theirs[0], rtol=RTOL, atol=0)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=RTOL, atol=1e-12)
    assert len(ours[2]) == len(theirs[2]) == 6
    assert sum(g is not None for g in ours[2]) == 3   # the three weights
    for mine, reference in zip(ours[2], theirs[2]):
        _close(mine, reference)
    _close(ours[3], theirs[3])   # zero: no path from the penalty to the image but via g


def _r1(engine):
    rng = np.random.default_rng(11)
    critic = _critic(engine, rng)
    real = engine.tensor(rng.standard_normal((2, 3, 8, 8)), dtype=engine.float64,
                         requires_grad=True)
    (g,) = engine.autograd.grad(critic(real).sum(), real, create_graph=True)
    penalty = g.pow(2).reshape(g.shape[0], -1).sum(1).mean() * 5.0
    penalty.backward()
    return penalty.item(), _grads(critic), _numpy(real.grad)


def test_r1_penalty_matches_pytorch(torch):
    ours, theirs = _r1(minidl), _r1(torch)
    assert np.isclose(ours[0], theirs[0], rtol=RTOL, atol=0)
    for mine, reference in zip(ours[1], theirs[1]):
        _close(mine, reference)
    # the penalty's gradient with respect to the image itself: zero through a piecewise
    # linear critic, as in PyTorch (its second derivative in x vanishes)
    _close(ours[2], theirs[2])


def _mlp_second_derivatives(engine):
    rng = np.random.default_rng(3)
    nn = engine.nn
    model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3)).double()
    for p in model.parameters():
        p.data = engine.tensor(rng.standard_normal(tuple(p.shape)), dtype=engine.float64)
    x = engine.tensor(rng.standard_normal((5, 4)), dtype=engine.float64, requires_grad=True)
    scale = engine.tensor(rng.standard_normal((4,)), dtype=engine.float64,
                          requires_grad=True)
    y = model(x * scale)
    weights = engine.tensor(rng.standard_normal((5, 3)), dtype=engine.float64)
    (gx,) = engine.autograd.grad((y * weights).sum(), x, create_graph=True)
    first_weight = model[0].weight
    # grad of grad: d/d(W1, scale) of a function of dL/dx
    h = (gx * gx).sum() + (gx[:, :2] * 3.0).sum()
    g_w1, g_scale, g_w2 = engine.autograd.grad(h, [first_weight, scale, model[2].weight],
                                               create_graph=True)
    # and once more through backward(): a gradient of the second derivatives
    (g_w1.pow(2).sum() + (g_scale * g_scale).sum() + g_w2.sum()).backward()
    return ([t.detach().numpy() for t in (gx, g_w1, g_scale, g_w2)],
            _grads(model), scale.grad.numpy())


def test_mlp_grad_of_grad_matches_pytorch(torch):
    ours, theirs = _mlp_second_derivatives(minidl), _mlp_second_derivatives(torch)
    for mine, reference in zip(ours[0] + ours[1] + [ours[2]],
                               theirs[0] + theirs[1] + [theirs[2]]):
        _close(mine, reference)


def _backward_create_graph(engine):
    """tensor.backward(create_graph=True): the leaves' .grad are graph tensors, and a
    penalty on a weight gradient (a Conv2dWeightGradient node) differentiates again."""
    rng = np.random.default_rng(5)
    critic = _critic(engine, rng)
    x = engine.tensor(rng.standard_normal((2, 3, 8, 8)), dtype=engine.float64,
                      requires_grad=True)
    critic(x).sum().backward(create_graph=True)
    grads = [p.grad for p in critic.parameters()]
    flags = [g.requires_grad for g in grads] + [x.grad.requires_grad]
    penalty = sum((g * g).sum() for g in grads) + (x.grad * x.grad).sum()
    for p in critic.parameters():
        p.grad = None
    x.grad = None
    penalty.backward()
    return penalty.item(), _grads(critic), x.grad.numpy(), flags


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")
def test_backward_create_graph_matches_pytorch(torch):
    ours, theirs = _backward_create_graph(minidl), _backward_create_graph(torch)
    assert ours[3] == theirs[3] and sum(ours[3]) >= 4   # which .grad are graph tensors
    assert np.isclose(ours[0], theirs[0], rtol=RTOL, atol=0)
    for mine, reference in zip(ours[1] + [ours[2]], theirs[1] + [theirs[2]]):
        _close(mine, reference)


def _small_ops(engine):
    """Shape, pooling, padding and arithmetic nodes on the path of a penalty."""
    rng = np.random.default_rng(9)
    F = engine.nn.functional
    w = engine.tensor(rng.standard_normal((4, 2, 3, 3)) * 0.5, dtype=engine.float64,
                      requires_grad=True)
    v = engine.tensor(rng.standard_normal((4,)), dtype=engine.float64, requires_grad=True)
    x = engine.tensor(rng.standard_normal((2, 2, 6, 6)), dtype=engine.float64,
                      requires_grad=True)
    h = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="reflect"), w)
    h = F.max_pool2d(F.leaky_relu(h, 0.1), 2) + F.avg_pool2d(F.pad(h, (0, 2, 0, 2)), 2, 1)[
        :, :, :3, :3]
    h = engine.cat([h, h.permute(0, 1, 3, 2) * 0.5], dim=1).sum(dim=(2, 3))
    y = (h.unsqueeze(-1).expand(2, 8, 3).transpose(1, 2)[:, :, :4] / 2.0 - v).sum() \
        + (F.relu(h[:, 4:]) * v).mean()
    (gx,) = engine.autograd.grad(y, x, create_graph=True)
    penalty = (gx.flatten(1) ** 2).sum() + gx.mean() * 3
    penalty.backward()
    return penalty.item(), w.grad.numpy(), v.grad.numpy()


def test_shape_pool_pad_ops_match_pytorch(torch):
    ours, theirs = _small_ops(minidl), _small_ops(torch)
    assert np.isclose(ours[0], theirs[0], rtol=RTOL, atol=0)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=RTOL, atol=1e-12)


def _products_of_computed(engine):
    """mul, div and pow of computed tensors: their inputs rebuilt on the nodes that
    computed them, so the second derivative keeps every term."""
    x = engine.tensor([0.5, -1.5, 2.0], dtype=engine.float64, requires_grad=True)
    w = engine.tensor([1.5, 0.25, -0.75], dtype=engine.float64, requires_grad=True)
    a, b = x * w, x + 2.0 * w
    y = (a * b / (b * b + 1.0) + (a - w) ** 3 + engine.stack([a, b]).sum(0) * a).sum()
    gx, gw = engine.autograd.grad(y, [x, w], create_graph=True)
    (gx * gx + gw * x).sum().backward()
    return [t.detach().numpy() for t in (gx, gw, x.grad, w.grad)]


def test_products_of_computed_tensors_match_pytorch(torch):
    for mine, reference in zip(_products_of_computed(minidl), _products_of_computed(torch)):
        np.testing.assert_allclose(mine, reference, rtol=RTOL, atol=1e-12)


def test_penalty_gradient_matches_finite_differences():
    rng = np.random.default_rng(21)
    critic = _critic(minidl, rng, pool=True)
    x = minidl.tensor(rng.standard_normal((2, 3, 8, 8)), dtype=minidl.float64)

    def penalty():
        return _unit_gradient_penalty(critic, x)

    _check_against_finite_differences(
        penalty, (critic[0].weight, critic[2].weight, critic[5].weight), rng, 4)


def _unit_gradient_penalty(critic, x):
    """WGAN-GP's (‖∇ₓ critic(x)‖ - 1)², averaged over the batch, its gradient recorded."""
    interp = x.clone().requires_grad_(True)
    out = critic(interp)
    (g,) = minidl.autograd.grad(out, interp, grad_outputs=minidl.ones_like(out),
                                create_graph=True)
    return ((g.view(g.size(0), -1).norm(2, dim=1) - 1) ** 2).mean()


def _check_against_finite_differences(penalty, weights, rng, samples):
    """penalty().backward()'s gradient of each weight, at ``samples`` random entries,
    against central differences of the penalty."""
    penalty().backward()
    for p in weights:
        analytic = p.grad.numpy().ravel()
        flat = p.data.numpy().reshape(-1)      # a view: changing it changes the weight
        for i in rng.choice(flat.size, size=samples, replace=False):
            eps = 1e-6
            kept = flat[i]
            flat[i] = kept + eps
            up = penalty().item()
            flat[i] = kept - eps
            down = penalty().item()
            flat[i] = kept
            assert np.isclose((up - down) / (2 * eps), analytic[i], rtol=1e-5, atol=1e-8)


class _Cube(minidl.autograd.Function):
    """A PyTorch-style Function (no ``backward_graph``): x³."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x ** 2


class _CubeLayer(minidl.nn.Module):
    def forward(self, x):
        return _Cube.apply(x)


def test_unsupported_operation_raises_with_its_name():
    rng = np.random.default_rng(2)
    critic = _critic(minidl, rng, activation=_CubeLayer())
    x = minidl.tensor(rng.standard_normal((2, 3, 8, 8)), dtype=minidl.float64,
                      requires_grad=True)
    with pytest.raises(NotImplementedError, match=r"create_graph=True through .*_CubeBackw"):
        minidl.autograd.grad(critic(x).sum(), x, create_graph=True)
    with pytest.raises(NotImplementedError, match=r"create_graph=True through .*_CubeBackw"):
        critic(x).sum().backward(create_graph=True)
    # without create_graph the same critic runs as before
    (g,) = minidl.autograd.grad(critic(x).sum(), x)
    assert not g.requires_grad and g.shape == x.shape


def test_grad_with_create_graph_only_walks_paths_to_the_inputs():
    """The weight of a node whose other input is computed (a custom Function's output) is
    not on the path to x, so autograd.grad with respect to x never needs that node's
    missing term."""
    x = minidl.tensor([0.5, -1.0], dtype=minidl.float64, requires_grad=True)
    w = minidl.tensor([2.0, 3.0], dtype=minidl.float64, requires_grad=True)
    y = _Cube.apply(x * w).sum() + (x * w).sum()
    with pytest.raises(NotImplementedError, match="_CubeBackw"):
        minidl.autograd.grad(y, x, create_graph=True)
    (g,) = minidl.autograd.grad(((x * w) * 2).sum(), x, create_graph=True)
    assert g.requires_grad
    (gw,) = minidl.autograd.grad(g.sum(), w)
    np.testing.assert_array_equal(gw.numpy(), [2.0, 2.0])


_NORMALIZED_CRITICS = {
    "layer_norm": {"norm": lambda nn: nn.LayerNorm([4, 4, 4])},
    "instance_norm_affine": {"norm": lambda nn: nn.InstanceNorm2d(4, affine=True)},
    "instance_norm": {"norm": lambda nn: nn.InstanceNorm2d(4)},
    "group_norm": {"norm": lambda nn: nn.GroupNorm(2, 4)},
    "sigmoid_head": {"last": lambda nn: nn.Sigmoid()},
    "smooth": {"activation_name": "SiLU", "last": lambda nn: nn.Tanh()},
}


@pytest.mark.parametrize("name", sorted(_NORMALIZED_CRITICS))
def test_wgan_gp_penalty_through_norms_and_smooth_layers_matches_pytorch(torch, name):
    layers = dict(_NORMALIZED_CRITICS[name])
    activation = layers.pop("activation_name", None)

    def run(engine):
        chosen = {} if activation is None else {"activation": getattr(engine.nn, activation)()}
        return _wgan_gp(engine, **layers, **chosen)

    ours, theirs = run(minidl), run(torch)
    assert np.isclose(ours[0], theirs[0], rtol=RTOL, atol=0)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=RTOL, atol=1e-12)
    assert len(ours[2]) == len(theirs[2])
    for mine, reference in zip(ours[2], theirs[2]):
        _close(mine, reference)
    _close(ours[3], theirs[3])


def _generator_penalty(engine):
    """A generator block (Linear, ConvTranspose2d, GELU, Tanh): the gradient of its image
    with respect to the latent, penalized (as path-length regularization does)."""
    rng = np.random.default_rng(5)
    nn = engine.nn
    generator = nn.Sequential(nn.Linear(6, 2 * 4 * 4), nn.ELU(), nn.Unflatten(1, (2, 4, 4)),
                              nn.ConvTranspose2d(2, 3, 4, 2, 1), nn.GELU(approximate="tanh"),
                              nn.Conv2d(3, 3, 3, 1, 1), nn.Tanh()).double()
    for p in generator.parameters():
        p.data = engine.tensor(rng.standard_normal(tuple(p.shape)) * 0.4,
                               dtype=engine.float64)
    z = engine.tensor(rng.standard_normal((3, 6)), dtype=engine.float64, requires_grad=True)
    weights = engine.tensor(rng.standard_normal((3, 3, 8, 8)), dtype=engine.float64)
    (g,) = engine.autograd.grad((generator(z) * weights).sum(), z, create_graph=True)
    penalty = ((g.norm(2, dim=1) - 1) ** 2).mean()
    penalty.backward()
    return penalty.item(), g.detach().numpy(), _grads(generator), _numpy(z.grad)


def test_generator_penalty_through_tanh_matches_pytorch(torch):
    ours, theirs = _generator_penalty(minidl), _generator_penalty(torch)
    assert np.isclose(ours[0], theirs[0], rtol=RTOL, atol=0)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=RTOL, atol=1e-12)
    for mine, reference in zip(ours[2] + [ours[3]], theirs[2] + [theirs[3]]):
        _close(mine, reference)


# name -> f(engine, x), applied to x * w and differentiated twice; arguments kept where
# the function is smooth (positive for log and sqrt)
_SMOOTH_OPS = {
    "tanh": lambda e, x: x.tanh(),
    "sigmoid": lambda e, x: x.sigmoid(),
    "exp": lambda e, x: x.exp(),
    "log": lambda e, x: (x * x + 0.5).log(),
    "sqrt": lambda e, x: (x * x + 0.5).sqrt(),
    "log1p": lambda e, x: (x * x).log1p(),
    "expm1": lambda e, x: x.expm1(),
    "sin": lambda e, x: x.sin(),
    "cos": lambda e, x: x.cos(),
    "tan": lambda e, x: (x * 0.3).tan(),
    "erf": lambda e, x: e.erf(x),
    "softplus": lambda e, x: e.nn.functional.softplus(x),
    "softplus_beta": lambda e, x: e.nn.functional.softplus(x * 8, beta=2.0, threshold=5.0),
    "elu": lambda e, x: e.nn.functional.elu(x, alpha=0.7),
    "gelu": lambda e, x: e.nn.functional.gelu(x),
    "gelu_tanh": lambda e, x: e.nn.functional.gelu(x, approximate="tanh"),
    "silu": lambda e, x: e.nn.functional.silu(x),
    "softmax": lambda e, x: e.softmax(x, dim=1),
    "softmax_first": lambda e, x: e.softmax(x, dim=0),
    "log_softmax": lambda e, x: e.log_softmax(x, dim=-1),
    "var": lambda e, x: x.var(dim=1, keepdim=True) * x,
    "std": lambda e, x: x.std(dim=0),
    "norm": lambda e, x: x.norm(2, dim=1) * x.sum(),
    "norm_p3": lambda e, x: x.norm(3, dim=0, keepdim=True) * x,
    "amax": lambda e, x: x.amax(dim=1) * x.sum(),
    "amin_keepdim": lambda e, x: x.amin(dim=0, keepdim=True) * x,
    "max_values": lambda e, x: x.max(dim=1).values * x.sum(),
    "cumsum": lambda e, x: x.cumsum(1) * x,
    "logsumexp": lambda e, x: e.logsumexp(x, dim=1) * x.sum(),
    "logsumexp_keepdim": lambda e, x: e.logsumexp(x * x, dim=0, keepdim=True) * x,
    "instance_norm": lambda e, x: e.nn.functional.instance_norm(x.reshape(1, 3, 4)),
    "batch_norm_eval": lambda e, x: e.nn.functional.batch_norm(
        x.reshape(1, 3, 4), e.tensor([0.1, -0.2, 0.3], dtype=e.float64),
        e.tensor([0.5, 1.5, 2.0], dtype=e.float64), x[0, :3] * 0.5, None),
}


def _grad_of_grad(engine, name):
    rng = np.random.default_rng(3)
    x = engine.tensor(rng.standard_normal((3, 4)), dtype=engine.float64, requires_grad=True)
    w = engine.tensor(rng.standard_normal((3, 4)), dtype=engine.float64, requires_grad=True)
    c = engine.tensor(rng.standard_normal((3, 4)), dtype=engine.float64)
    y = _SMOOTH_OPS[name](engine, x * w)
    y = (y * c.reshape(-1)[:y.numel()].reshape(y.shape)).sum()
    gx, gw = engine.autograd.grad(y, [x, w], create_graph=True)
    (gx * gx + gw * x.cos()).sum().backward()
    return [t.detach().numpy() for t in (gx, gw, x.grad, w.grad)]


@pytest.mark.parametrize("name", sorted(_SMOOTH_OPS))
def test_grad_of_grad_of_smooth_ops_matches_pytorch(torch, name):
    for mine, reference in zip(_grad_of_grad(minidl, name), _grad_of_grad(torch, name)):
        np.testing.assert_allclose(mine, reference, rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("norm", ["layer_norm", "instance_norm_affine"])
def test_normalized_critic_penalty_matches_finite_differences(norm):
    rng = np.random.default_rng(23)
    critic = _critic(minidl, rng, **_NORMALIZED_CRITICS[norm])
    x = minidl.tensor(rng.standard_normal((2, 3, 8, 8)), dtype=minidl.float64)

    def penalty():
        return _unit_gradient_penalty(critic, x)

    _check_against_finite_differences(
        penalty, (critic[0].weight, critic[1].weight, critic[3].weight, critic[5].weight),
        rng, 3)
