"""Layers and functions that PyTorch programs use: float64 gradient checks, PyTorch parity
(forward and backward), the layers' arguments, and clear errors."""
import numpy as np
import pytest
from helpers import leaf, untied

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl import gradcheck


def compare(torch, ours, theirs, arrays, rng, grad_inputs=None, rtol=1e-10):
    """Both engines on the same float64 arrays: outputs and input gradients agree."""
    grad_inputs = range(len(arrays)) if grad_inputs is None else grad_inputs
    mine = [leaf(a, i in grad_inputs) for i, a in enumerate(arrays)]
    ref = [torch.tensor(np.asarray(a), requires_grad=i in grad_inputs)
           for i, a in enumerate(arrays)]
    out, tout = ours(*mine), theirs(*ref)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=rtol,
                               atol=1e-12)
    seed = rng.standard_normal(tuple(tout.shape))
    out.backward(minidl.tensor(seed))
    tout.backward(torch.tensor(seed))
    for i in grad_inputs:
        np.testing.assert_allclose(mine[i].grad.numpy(), ref[i].grad.numpy(), rtol=1e-9,
                                   atol=1e-12, err_msg=f"gradient of input {i}")


# -- smooth activations ------------------------------------------------------------------
ACTIVATIONS = [
    ("elu", lambda f, x: f.elu(x, alpha=0.7)),
    ("softplus", lambda f, x: f.softplus(x)),
    ("softplus_beta_threshold", lambda f, x: f.softplus(x, beta=2.0, threshold=3.0)),
    ("gelu", lambda f, x: f.gelu(x)),
    ("gelu_tanh", lambda f, x: f.gelu(x, approximate="tanh")),
    ("silu", lambda f, x: f.silu(x)),
]


@pytest.mark.parametrize("name,fn", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_gradcheck_and_torch(name, fn, rng, torch):
    values = untied(rng, 3, 5, low=-4, high=4)
    assert gradcheck(lambda x: fn(F, x), (leaf(values),))
    compare(torch, lambda x: fn(F, x), lambda x: fn(torch.nn.functional, x), [values], rng)


@pytest.mark.parametrize("layer,kwargs", [("ELU", {"alpha": 0.5}), ("GELU", {}),
                                          ("GELU", {"approximate": "tanh"}), ("SiLU", {}),
                                          ("Softplus", {"beta": 0.5, "threshold": 10.0})])
def test_activation_layers_match_torch_in_float32(layer, kwargs, rng, torch):
    values = rng.uniform(-30, 30, (4, 6)).astype(np.float32)
    ours = getattr(nn, layer)(**kwargs)(minidl.tensor(values))
    assert ours.dtype == np.float32
    theirs = getattr(torch.nn, layer)(**kwargs)(torch.tensor(values))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)


def test_gelu_and_softplus_errors():
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh'"):
        F.gelu(minidl.ones(2), approximate="fast")
    with pytest.raises(ValueError, match="softplus: beta must be non-zero"):
        F.softplus(minidl.ones(2), beta=0)


# -- padding -------------------------------------------------------------------------------
PADS = [((2, 3, 4, 5), (1, 2, 3, 0)), ((3, 4, 5), (2, 1)), ((2, 3, 4, 5), (3, 3, 2, 2)),
        ((1, 2, 3, 4, 5), (1, 0, 2, 1, 0, 2))]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", PADS)
def test_pad_gradcheck_and_torch(mode, shape, pad, rng, torch):
    values = untied(rng, *shape)
    kwargs = {"value": 0.5} if mode == "constant" else {}
    ours = lambda x: F.pad(x, pad, mode, **kwargs)
    theirs = lambda x: torch.nn.functional.pad(x, pad, mode=mode, **kwargs)
    assert gradcheck(ours, (leaf(values),))
    compare(torch, ours, theirs, [values], rng)


def test_constant_pad_with_negative_amounts_crops(rng, torch):
    values = untied(rng, 2, 3, 4, 5)
    pad = (-1, 2, 1, -2)
    assert gradcheck(lambda x: F.pad(x, pad), (leaf(values),))
    compare(torch, lambda x: F.pad(x, pad, value=3.0),
            lambda x: torch.nn.functional.pad(x, pad, value=3.0), [values], rng)


@pytest.mark.parametrize("layer,padding", [
    ("ZeroPad2d", 2), ("ZeroPad2d", (1, 0, 2, 3)), ("ReflectionPad2d", (1, 2, 0, 2)),
    ("ReplicationPad2d", 3), ("CircularPad2d", (1, 2, 2, 1)), ("ReflectionPad1d", (2, 1)),
    ("ReplicationPad1d", 2), ("ConstantPad1d", (1, 3)), ("ConstantPad2d", 1)])
def test_padding_layers_match_torch(layer, padding, rng, torch):
    values = untied(rng, 2, 3, 5, 6)
    if layer.endswith("1d"):
        values = values[0]
    args = (padding, 1.5) if layer.startswith("Constant") else (padding,)
    ours = getattr(nn, layer)(*args)
    theirs = getattr(torch.nn, layer)(*args)
    np.testing.assert_allclose(ours(minidl.tensor(values)).numpy(),
                               theirs(torch.tensor(values)).numpy())
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("call, match", [
    (lambda x: F.pad(x, (1,), "constant"), "pad must be an even number of ints"),
    (lambda x: F.pad(x, (1, 1), "mirror"), "mode must be one of"),
    (lambda x: F.pad(x, (4, 0), "reflect"), "reflect padding .* must be smaller than"),
    (lambda x: F.pad(x, (5, 0), "circular"), "circular padding .* must be at most"),
    (lambda x: F.pad(x, (1, 1), "reflect", value=2.0), "value is only used by mode"),
    (lambda x: F.pad(x, (1, 1, 1, 1, 1, 1, 1, 1), "constant"), "pads 4 dimensions but"),
    (lambda x: F.pad(x, (1, 1, 1, 1, 1, 1), "replicate"), "pads the last 1, 2 or 3"),
    (lambda x: F.pad(x, (-3, -2), "constant"), "leaves a negative size"),
    (lambda x: F.pad(x, (-1, 0), "replicate"), "needs non-negative amounts"),
])
def test_pad_errors_name_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call(minidl.ones(2, 3, 4))


# -- pixel shuffle ------------------------------------------------------------------------
def test_pixel_shuffle_and_unshuffle_gradcheck_and_torch(rng, torch):
    x = untied(rng, 2, 8, 3, 2)
    assert gradcheck(lambda t: F.pixel_shuffle(t, 2), (leaf(x),))
    compare(torch, lambda t: F.pixel_shuffle(t, 2),
            lambda t: torch.nn.functional.pixel_shuffle(t, 2), [x], rng)
    y = untied(rng, 2, 2, 6, 9)
    assert gradcheck(lambda t: F.pixel_unshuffle(t, 3), (leaf(y),))
    compare(torch, lambda t: F.pixel_unshuffle(t, 3),
            lambda t: torch.nn.functional.pixel_unshuffle(t, 3), [y], rng)
    round_trip = nn.PixelUnshuffle(2)(nn.PixelShuffle(2)(minidl.tensor(x)))
    np.testing.assert_array_equal(round_trip.numpy(), x)
    batched = untied(rng, 2, 3, 9, 2, 2)  # any number of leading dimensions
    compare(torch, lambda t: F.pixel_shuffle(t, 3),
            lambda t: torch.nn.functional.pixel_shuffle(t, 3), [batched], rng)


def test_pixel_shuffle_errors():
    with pytest.raises(ValueError, match="5 channels .* divisible by upscale_factor² = 4"):
        F.pixel_shuffle(minidl.ones(1, 5, 2, 2), 2)
    with pytest.raises(ValueError, match="must be divisible by downscale_factor = 2"):
        F.pixel_unshuffle(minidl.ones(1, 1, 3, 4), 2)
    with pytest.raises(ValueError, match="positive int"):
        F.pixel_shuffle(minidl.ones(1, 4, 2, 2), 0)


# -- instance norm ----------------------------------------------------------------------------
def test_instance_norm_gradcheck_and_torch(rng, torch):
    x, w, b = untied(rng, 2, 3, 4, 5), rng.uniform(0.5, 2, 3), rng.standard_normal(3)
    assert gradcheck(lambda t, wt, bt: F.instance_norm(t, weight=wt, bias=bt),
                     (leaf(x), leaf(w), leaf(b)))
    compare(torch, lambda t, wt, bt: F.instance_norm(t, weight=wt, bias=bt),
            lambda t, wt, bt: torch.nn.functional.instance_norm(t, weight=wt, bias=bt),
            [x, w, b], rng)


@pytest.mark.parametrize("layer,shape", [("InstanceNorm2d", (3, 4, 5, 6)),
                                         ("InstanceNorm2d", (4, 5, 6)),
                                         ("InstanceNorm1d", (3, 4, 7))])
@pytest.mark.parametrize("affine,track", [(False, False), (True, False), (True, True),
                                          (False, True)])
def test_instance_norm_layers_match_torch_in_train_and_eval(layer, shape, affine, track, rng,
                                                            torch):
    channels = shape[1] if len(shape) == (4 if layer.endswith("2d") else 3) else shape[0]
    ours = getattr(nn, layer)(channels, momentum=0.3, affine=affine,
                              track_running_stats=track, dtype=np.float64)
    theirs = getattr(torch.nn, layer)(channels, momentum=0.3, affine=affine,
                                      track_running_stats=track, dtype=torch.float64)
    if affine:
        weight = rng.uniform(0.5, 2, channels)
        ours.weight.array[...] = weight
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(weight))
    for step in range(2):
        x = untied(rng, *shape)
        mine, ref = leaf(x), torch.tensor(x, requires_grad=True)
        out, tout = ours(mine), theirs(ref)
        np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)
        seed = rng.standard_normal(shape)
        out.backward(minidl.tensor(seed))
        tout.backward(torch.tensor(seed))
        np.testing.assert_allclose(mine.grad.numpy(), ref.grad.numpy(), rtol=1e-9, atol=1e-12)
    if affine:
        np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(),
                                   rtol=1e-9)
    ours_state, their_state = ours.state_dict(), theirs.state_dict()
    assert list(ours_state) == list(their_state)
    for key in ("running_mean", "running_var"):
        if key in ours_state:
            np.testing.assert_allclose(ours_state[key].numpy(), their_state[key].numpy(),
                                       rtol=1e-12)
    ours.eval()
    theirs.eval()
    x = untied(rng, *shape)
    np.testing.assert_allclose(ours(leaf(x, False)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12)


def test_instance_norm_errors():
    with pytest.raises(ValueError, match="expected 3D \\(unbatched\\) or 4D input"):
        nn.InstanceNorm2d(3)(minidl.ones(3, 4))
    with pytest.raises(ValueError, match="input has 2 channels .* num_features=3"):
        nn.InstanceNorm2d(3, affine=True)(minidl.ones(1, 2, 4, 4))
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        F.instance_norm(minidl.ones(2, 3, 1, 1))


# -- dropout2d ------------------------------------------------------------------------------
def test_dropout2d_zeroes_whole_channels_and_scales_the_rest():
    x = minidl.ones(40, 50, 3, 4, requires_grad=True)
    y = F.dropout2d(x, 0.3)
    maps = y.detach().numpy().reshape(40, 50, 12)
    assert np.all((maps == 0).all(axis=2) | np.isclose(maps, 1 / 0.7).all(axis=2))
    assert 0.6 < np.isclose(maps[:, :, 0], 1 / 0.7).mean() < 0.8
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy())
    layer = nn.Dropout2d(0.5).eval()
    assert layer(x) is x
    with pytest.warns(UserWarning, match="3-D input is taken as \\(N, C, L\\)"):
        three = F.dropout2d(minidl.ones(30, 40, 5), 0.5).numpy()
    assert np.all((three == 0).all(axis=2) | (three == 2).all(axis=2))
    with pytest.raises(ValueError, match="expected a 4-D"):
        F.dropout2d(minidl.ones(3, 4), 0.5)


# -- smooth L1 and Huber ------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss,kwargs", [("smooth_l1_loss", {}), ("smooth_l1_loss",
                                                                  {"beta": 0.4}),
                                         ("huber_loss", {}), ("huber_loss", {"delta": 2.5})])
def test_smooth_l1_and_huber_gradcheck_and_torch(loss, kwargs, reduction, rng, torch):
    x, y = untied(rng, 3, 4, low=-3, high=3), rng.uniform(-1, 1, (3, 4))

    def ours(a, b):
        return getattr(F, loss)(a, b, reduction=reduction, **kwargs)

    def theirs(a, b):
        return getattr(torch.nn.functional, loss)(a, b, reduction=reduction, **kwargs)

    assert gradcheck(ours, (leaf(x), leaf(y)))
    compare(torch, ours, theirs, [x, y], rng)
    layer = {"smooth_l1_loss": "SmoothL1Loss", "huber_loss": "HuberLoss"}[loss]
    np.testing.assert_allclose(
        getattr(nn, layer)(reduction=reduction, **kwargs)(leaf(x), leaf(y)).detach().numpy(),
        getattr(torch.nn, layer)(reduction=reduction, **kwargs)(
            torch.tensor(x), torch.tensor(y)).numpy(), rtol=1e-12)


def test_smooth_l1_with_beta_zero_is_l1_and_bad_arguments_are_errors():
    x, y = minidl.tensor([0.5, -2.0]), minidl.tensor([0.0, 0.0])
    assert F.smooth_l1_loss(x, y, beta=0.0).item() == pytest.approx(1.25)
    with pytest.raises(ValueError, match="beta must be non-negative"):
        F.smooth_l1_loss(x, y, beta=-1.0)
    with pytest.raises(ValueError, match="delta must be positive"):
        F.huber_loss(x, y, delta=0.0)
    with pytest.raises(RuntimeError, match=r"target's shape \(3,\) does not broadcast"):
        F.huber_loss(x, minidl.zeros(3))


# -- one_hot and embedding ---------------------------------------------------------------------
def test_one_hot_matches_torch(torch):
    labels = np.array([[0, 3], [2, 1]])
    np.testing.assert_array_equal(F.one_hot(minidl.tensor(labels)).numpy(),
                                  torch.nn.functional.one_hot(torch.tensor(labels)).numpy())
    coded = F.one_hot(minidl.tensor(labels), num_classes=6)
    assert coded.shape == (2, 2, 6) and coded.dtype == np.int64
    with pytest.raises(IndexError, match="holds 3, out of range for 2 classes"):
        F.one_hot(minidl.tensor(labels), 2)
    with pytest.raises(TypeError, match="must hold integers"):
        F.one_hot(minidl.tensor([0.0, 1.0]))


def test_embedding_gradcheck_and_torch(rng, torch):
    index = np.array([[1, 4, 1], [0, 2, 4]])
    table = rng.standard_normal((5, 3))

    def ours(w):
        return F.embedding(minidl.tensor(index), w, padding_idx=4)

    def theirs(w):
        return torch.nn.functional.embedding(torch.tensor(index), w, padding_idx=4)

    # the padding row gets no gradient by design, so the finite differences run without it
    assert gradcheck(lambda w: F.embedding(minidl.tensor(index), w), (leaf(table),))
    compare(torch, ours, theirs, [table], rng)


def test_embedding_layer_init_and_errors():
    layer = nn.Embedding(10, 4, padding_idx=-1)
    assert layer.padding_idx == 9 and layer.weight.shape == (10, 4)
    weight = layer.weight.detach().numpy()
    assert np.all(weight[9] == 0) and weight.std() > 0.5
    frozen = nn.Embedding.from_pretrained(minidl.ones(3, 2))
    assert not frozen.weight.requires_grad
    assert frozen(minidl.tensor([2, 0])).shape == (2, 2)
    with pytest.raises(IndexError, match="holds 10, out of range for 10 embeddings"):
        layer(minidl.tensor([10]))
    with pytest.raises(ValueError, match="max_norm=1.0 is not supported"):
        nn.Embedding(3, 2, max_norm=1.0)(minidl.tensor([0]))


# -- init.orthogonal_ ------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(3, 7), (7, 3), (4, 2, 3, 3), (5, 5)])
def test_orthogonal_init_gives_orthonormal_rows_or_columns(shape):
    weight = minidl.empty(*shape, dtype=np.float64)
    nn.init.orthogonal_(weight, gain=1.5)
    matrix = weight.numpy().reshape(shape[0], -1)
    small = min(matrix.shape)
    gram = matrix @ matrix.T if matrix.shape[0] == small else matrix.T @ matrix
    np.testing.assert_allclose(gram, 1.5 ** 2 * np.eye(small), atol=1e-12)
    minidl.manual_seed(3)
    again = nn.init.orthogonal_(minidl.empty(*shape, dtype=np.float64), gain=1.5)
    minidl.manual_seed(3)
    np.testing.assert_array_equal(again.numpy(), nn.init.orthogonal_(
        minidl.empty(*shape, dtype=np.float64), gain=1.5).numpy())
    with pytest.raises(ValueError, match="2 or more dimensions"):
        nn.init.orthogonal_(minidl.empty(3))


# -- DataParallel ---------------------------------------------------------------------------------
def test_data_parallel_runs_the_module_and_prefixes_state_dict_keys(torch):
    inner = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    wrapped = nn.DataParallel(inner, device_ids=[0], output_device=0)
    x = minidl.randn(5, 3)
    np.testing.assert_array_equal(wrapped(x).detach().numpy(), inner(x).detach().numpy())
    theirs = torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(),
                                                       torch.nn.Linear(4, 2)))
    assert list(wrapped.state_dict()) == list(theirs.state_dict())
    assert wrapped.module is inner
    functional = nn.parallel.data_parallel(inner, x, device_ids=[0])
    np.testing.assert_array_equal(functional.detach().numpy(), inner(x).detach().numpy())
    with pytest.raises(TypeError, match="module must be a Module"):
        nn.DataParallel(lambda t: t)


# -- device= and dtype= on every layer with parameters ----------------------------------------
FACTORY_LAYERS = [
    lambda **kw: nn.Linear(3, 2, **kw), lambda **kw: nn.Conv2d(2, 3, 3, **kw),
    lambda **kw: nn.ConvTranspose2d(2, 3, 3, **kw), lambda **kw: nn.BatchNorm1d(3, **kw),
    lambda **kw: nn.BatchNorm2d(3, **kw), lambda **kw: nn.InstanceNorm2d(3, affine=True, **kw),
    lambda **kw: nn.Embedding(5, 2, **kw), lambda **kw: nn.MultiheadAttention(4, 2, **kw),
]


@pytest.mark.parametrize("make", FACTORY_LAYERS)
def test_layers_accept_device_and_dtype(make, device):
    layer = make(device=device, dtype=np.float64)
    floats = [t for t in list(layer.parameters()) + list(layer.buffers()) if t.dtype.kind == "f"]
    assert floats and all(t.dtype == np.float64 and t.device == device for t in floats)


# -- the same functions on the GPU -------------------------------------------------------------
CUDA_CASES = [
    ("pad_reflect", lambda x: F.pad(x, (1, 2, 2, 1), "reflect")),
    ("pad_circular", lambda x: F.pad(x, (2, 1, 1, 0), "circular")),
    ("pad_constant", lambda x: F.pad(x, (1, -1, 0, 2), value=0.5)),
    ("gelu", F.gelu), ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh")),
    ("elu", F.elu), ("softplus", F.softplus), ("silu", F.silu),
    ("pixel_shuffle", lambda x: F.pixel_shuffle(x, 2)),
    ("instance_norm", F.instance_norm),
    ("smooth_l1", lambda x: F.smooth_l1_loss(x, x.detach() * 0.5, reduction="none")),
]


@pytest.mark.parametrize("name,fn", CUDA_CASES, ids=[c[0] for c in CUDA_CASES])
def test_functions_on_cuda_match_the_cpu(name, fn, cuda, rng):
    values = untied(rng, 2, 4, 5, 6)
    x, gx = leaf(values), leaf(values).detach().to(cuda).requires_grad_()
    out, gout = fn(x), fn(gx)
    assert gout.device == cuda
    np.testing.assert_allclose(gout.detach().cpu().numpy(), out.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    seed = rng.standard_normal(out.shape)
    out.backward(minidl.tensor(seed))
    gout.backward(minidl.tensor(seed).to(cuda))
    np.testing.assert_allclose(gx.grad.cpu().numpy(), x.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_embedding_and_one_hot_on_cuda(cuda):
    table = nn.Embedding(6, 3, padding_idx=0, device=cuda)
    index = minidl.tensor([[0, 5, 5], [2, 0, 1]]).to(cuda)
    table(index).sum().backward()
    counts = np.zeros(6)
    np.add.at(counts, [5, 5, 2, 1], 1)
    np.testing.assert_array_equal(table.weight.grad.cpu().numpy(), counts[:, None] * np.ones(3))
    assert F.one_hot(index, 6).device == cuda
