"""The torch namespace minidl offers: function forms, new ops, Python protocols, Size, device,
cuda/accelerator/backends, random creation and autograd's node API, against PyTorch."""
import math
import operator

import numpy as np
import pytest
from helpers import leaf, untied

import minidl
from minidl import gradcheck

# (name, function of the engine module ``e`` and the inputs, input ranges); the same code
# runs with e = minidl and e = torch
FUNCTIONS = [
    ("exp", lambda e, x: e.exp(x), (-2, 2)),
    ("log", lambda e, x: e.log(x), (0.2, 3)),
    ("log1p", lambda e, x: e.log1p(x), (-0.5, 2)),
    ("expm1", lambda e, x: e.expm1(x), (-2, 2)),
    ("sin", lambda e, x: e.sin(x), (-3, 3)),
    ("cos", lambda e, x: e.cos(x), (-3, 3)),
    ("tan", lambda e, x: e.tan(x), (-1.2, 1.2)),
    ("sqrt", lambda e, x: e.sqrt(x), (0.2, 3)),
    ("rsqrt", lambda e, x: e.rsqrt(x), (0.2, 3)),
    ("square", lambda e, x: e.square(x), (-2, 2)),
    ("reciprocal", lambda e, x: e.reciprocal(x), (0.3, 2)),
    ("abs", lambda e, x: e.abs(x), (-2, 2)),
    ("neg", lambda e, x: e.neg(x), (-2, 2)),
    ("sigmoid", lambda e, x: e.sigmoid(x), (-4, 4)),
    ("tanh", lambda e, x: e.tanh(x), (-3, 3)),
    ("relu", lambda e, x: e.relu(x), (-2, 2)),
    ("softmax", lambda e, x: e.softmax(x, 1), (-2, 2)),
    ("log_softmax", lambda e, x: e.log_softmax(x, -1), (-2, 2)),
    ("clamp", lambda e, x: e.clamp(x, -0.5, 0.8), (-2, 2)),
    ("clamp_max", lambda e, x: e.clamp(x, max=0.3), (-2, 2)),
    ("pow", lambda e, x: e.pow(x, 3), (-2, 2)),
    ("add_alpha", lambda e, x: e.add(x, x * x, alpha=0.5), (-2, 2)),
    ("sub_number", lambda e, x: e.sub(2.0, x), (-2, 2)),
    ("mul_div", lambda e, x: e.div(e.mul(x, 3.0), x * x + 1), (-2, 2)),
    ("sum", lambda e, x: e.sum(x), (-2, 2)),
    ("sum_dim", lambda e, x: e.sum(x, 1, keepdim=True), (-2, 2)),
    ("mean_dims", lambda e, x: e.mean(x, (0, 2)), (-2, 2)),
    ("std", lambda e, x: e.std(x, 1), (-2, 2)),
    ("var", lambda e, x: e.var(x), (-2, 2)),
    ("norm", lambda e, x: e.norm(x), (-2, 2)),
    ("norm_dim", lambda e, x: x.norm(dim=1, keepdim=True), (-2, 2)),
    ("norm_p1", lambda e, x: e.norm(x, p=1, dim=(0, 2)), (-2, 2)),
    ("norm_p3", lambda e, x: x.norm(p=3, dim=-1), (-2, 2)),
    ("norm_inf", lambda e, x: x.norm(p=float("inf")), (-2, 2)),
    ("max_all", lambda e, x: e.max(x), (-2, 2)),
    ("max_dim", lambda e, x: e.max(x, 1)[0], (-2, 2)),
    ("min_dim", lambda e, x: e.min(x, dim=2, keepdim=True).values, (-2, 2)),
    ("max_pair", lambda e, x: e.max(x, x.flip(0) if e is not minidl else x[::-1]), (-2, 2)),
    ("maximum", lambda e, x: e.maximum(x, x * 0.5 + 0.3), (-2, 2)),
    ("minimum", lambda e, x: e.minimum(x, x * 0.5 + 0.3), (-2, 2)),
    ("amax", lambda e, x: e.amax(x, (0, 1)), (-2, 2)),
    ("matmul", lambda e, x: e.matmul(x, x.transpose(1, 2)), (-2, 2)),
    ("bmm", lambda e, x: e.bmm(x, e.transpose(x, 1, 2)), (-2, 2)),
    ("mm", lambda e, x: e.mm(x[0], x[1].t()), (-2, 2)),
    ("dot", lambda e, x: e.dot(x[0, 0], x[1, 1]), (-2, 2)),
    ("flatten", lambda e, x: e.flatten(x, 1) * 2, (-2, 2)),
    ("reshape", lambda e, x: e.reshape(x, (4, -1)) * 2, (-2, 2)),
    ("squeeze", lambda e, x: e.squeeze(e.unsqueeze(x, 1), 1) * 2, (-2, 2)),
    ("permute", lambda e, x: e.permute(x, (2, 0, 1)) * 2, (-2, 2)),
    ("cat_stack", lambda e, x: e.cat([x, e.stack([x[0], x[1]])], dim=2), (-2, 2)),
    ("where", lambda e, x: e.where(x > 0, x, x * x), (-2, 2)),
    ("gather", lambda e, x: e.gather(x, 1, e.zeros(2, 1, 4, dtype=e.int64)), (-2, 2)),
    ("masked_fill", lambda e, x: e.masked_fill(x, x > 1, 0.0), (-2, 2)),
    ("tril", lambda e, x: e.tril(x, -1) * 3, (-2, 2)),
    ("diag_of_matrix", lambda e, x: e.diag(x[0], 1) * 3, (-2, 2)),
    ("diag_below", lambda e, x: e.diag(x[1].t(), -1) * 3, (-2, 2)),
    ("diag_matrix_of_vector", lambda e, x: e.diag(x[0, 0], -2) * 3, (-2, 2)),
    ("triu", lambda e, x: e.triu(x) * 3, (-2, 2)),
    ("split", lambda e, x: e.split(x, [1, 2], dim=1)[1] * 2, (-2, 2)),
    ("split_size", lambda e, x: e.cat(e.split(x, 3, dim=2)[::-1], 2), (-2, 2)),
    ("chunk", lambda e, x: e.chunk(x, 3, dim=-1)[-1] * 2, (-2, 2)),
    ("unbind", lambda e, x: e.unbind(x, 1)[2] * 2, (-2, 2)),
    ("setitem", lambda e, x: _set_row(x * 1, x[0, 0] * 2), (-2, 2)),
    ("repeat", lambda e, x: x.repeat(2, 1, 3) * 2, (-2, 2)),
    ("repeat_new_dims", lambda e, x: x[0].repeat(2, 2, 1), (-2, 2)),
    ("scatter", lambda e, x: x.scatter(1, e.tensor([[[0, 2, 1, 0]], [[1, 1, 2, 2]]]),
                                       x[:, 1:2] * 3), (-2, 2)),
    ("scatter_value", lambda e, x: (x * 1).scatter_(2, e.tensor([[[0], [1], [3]]] * 2), 0.5),
     (-2, 2)),
    ("t_", lambda e, x: (x[0] * 1).t_() * 2, (-2, 2)),
]


def _set_row(y, row):
    y[1, 2] = row
    return y


@pytest.mark.parametrize("name,fn,domain", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_function_forms_match_torch_and_gradcheck(name, fn, domain, rng, torch):
    values = untied(rng, 2, 3, 4, low=domain[0], high=domain[1])
    x, tx = leaf(values), torch.tensor(values, requires_grad=True)
    out, tout = fn(minidl, x), fn(torch, tx)
    assert out.shape == tuple(tout.shape) and str(out.dtype) == "float64"
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12,
                               atol=1e-12)
    grad = rng.standard_normal(tuple(tout.shape))
    out.backward(minidl.tensor(grad))
    tout.backward(torch.tensor(grad))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert gradcheck(lambda t: fn(minidl, t), (leaf(values),))


def test_one_hot_by_scatter_and_in_place_transpose(torch):
    for e in (minidl, torch):
        labels = e.tensor([2, 0, 1])
        one_hot = e.zeros(3, 4).scatter_(1, labels.unsqueeze(1), 1)
        assert one_hot.tolist() == [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]
        x = e.arange(6.0).reshape(2, 3)
        assert x.t_() is x and x.shape == (3, 2) and x[0].tolist() == [0.0, 3.0]
        assert not x.is_xpu and x._version == 1


def test_norm_at_zero_and_maximum_ties_share_gradients_like_torch(torch):
    for engine in (minidl, torch):
        z = engine.zeros(3, dtype=engine.float64, requires_grad=True)
        z.norm().backward()
        assert z.grad.tolist() == [0.0, 0.0, 0.0]
        a = engine.tensor([1.0, 2.0], requires_grad=True)
        b = engine.tensor([1.0, 3.0], requires_grad=True)
        engine.maximum(a, b).sum().backward()
        assert a.grad.tolist() == [0.5, 0.0] and b.grad.tolist() == [0.5, 1.0]


def test_python_protocols_match_torch(torch):
    for e in (minidl, torch):
        three, half = e.tensor(3), e.tensor(0.5)
        assert operator.index(three) == 3 and list(range(5))[three] == 3
        assert [10, 20, 30, 40][e.tensor([1])] == 20
        with pytest.raises(TypeError, match="only integer tensors of a single element"):
            operator.index(half)
        assert f"{half:.3f}" == "0.500" and f"{three:>4}" == "   3"
        assert f"{e.ones(2)}" == str(e.ones(2))
        with pytest.raises(TypeError):
            f"{e.ones(2):.2f}"
        with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
            bool(e.ones(2))
        with pytest.raises(RuntimeError, match="with no values is ambiguous"):
            bool(e.ones(0))
        assert bool(e.tensor([2.0])) and not bool(e.tensor(0))
        assert len(e.zeros(4, 2)) == 4
        with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
            len(three)
        assert three.item() == 3 and type(three.item()) is int
        assert type(e.tensor(True).item()) is bool and type(half.item()) is float
        with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted"):
            e.ones(2).item()
        with pytest.raises(ValueError, match="only one element tensors can be converted"):
            float(e.ones(2))
        assert e.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]] and half.tolist() == 0.5
        assert int(e.tensor([7.9])) == 7 and float(three) == 3.0


def test_size_behaves_like_torch_size(torch):
    size, tsize = minidl.zeros(2, 3, 4).shape, torch.zeros(2, 3, 4).shape
    assert size == tsize == (2, 3, 4) and isinstance(size, tuple)
    assert size.numel() == tsize.numel() == 24
    assert isinstance(size[1:], minidl.Size) and size[1:] == (3, 4) and size[-1] == 4
    assert repr(size) == "minidl.Size([2, 3, 4])" and minidl.zeros(2).size(0) == 2
    assert minidl.zeros(size).shape == size and minidl.Size([5]) + (6,) == (5, 6)


def test_device_objects():
    cpu = minidl.device("cpu")
    assert cpu == "cpu" and cpu.type == "cpu" and cpu.index is None
    assert repr(cpu) == "device(type='cpu')"
    gpu = minidl.device("cuda", 0)
    assert gpu == minidl.device("cuda:0") == "cuda:0" and gpu.type == "cuda" and gpu.index == 0
    assert repr(gpu) == "device(type='cuda', index=0)"
    x = minidl.ones(2)
    assert x.device == cpu and x.device.type == "cpu" and not x.is_cuda and x.get_device() == -1
    assert x.to(cpu) is x and x.to(minidl.device("cpu"), minidl.float64).dtype == np.float64
    with pytest.raises(ValueError, match="'cpu' or 'cuda'"):
        minidl.device("mps")
    with pytest.raises(ValueError, match="one cuda device"):
        minidl.device("cuda:1")


def test_cuda_and_accelerator_answers_are_truthful():
    from minidl.backend import module_for_device
    try:
        module_for_device("cuda")
        works = True
    except RuntimeError:
        works = False
    assert minidl.cuda.is_available() is works
    assert minidl.cuda.device_count() == int(works)
    assert minidl.accelerator.is_available() is works
    expected = minidl.device("cuda") if works else None
    assert minidl.accelerator.current_accelerator(check_available=True) == expected
    built = minidl.backend.cupy_module() is not None
    assert minidl.accelerator.current_accelerator() == (minidl.device("cuda") if built else None)
    assert minidl.backends.mps.is_available() is False
    assert minidl.backends.cudnn.is_available() is False
    minidl.backends.cudnn.benchmark = True  # settable, as programs do
    minidl.backends.cudnn.deterministic = True
    assert minidl.backends.cudnn.benchmark and minidl.backends.cudnn.deterministic
    minidl.cuda.manual_seed(1)  # nothing to seed beyond minidl.manual_seed
    if not works:
        with pytest.raises(RuntimeError, match="cuda"):
            minidl.cuda.synchronize()


def test_dtype_aliases_and_conversions(torch):
    for name, expected in [("float", np.float32), ("double", np.float64), ("half", np.float16),
                           ("long", np.int64), ("int", np.int32), ("short", np.int16),
                           ("bool", np.bool_), ("uint8", np.uint8), ("int8", np.int8)]:
        assert getattr(minidl, name) == expected
        assert str(np.dtype(getattr(minidl, name))) == str(getattr(torch, name)).split(".")[1]
    x, tx = minidl.ones(2), torch.ones(2)
    for method in ("float", "double", "half", "long", "int", "bool", "byte"):
        assert str(getattr(x, method)().dtype) == str(getattr(tx, method)().dtype).split(".")[1]
    assert x.type() == tx.type() == "torch.FloatTensor"
    assert x.long().type() == tx.long().type() == "torch.LongTensor"
    assert x.type(minidl.float64).dtype == np.float64
    assert x.type("torch.LongTensor").dtype == np.int64
    assert x.is_floating_point() and not x.long().is_floating_point()
    assert x.element_size() == 4 and x.nelement() == 2
    assert minidl.is_tensor(x) and not minidl.is_tensor(np.ones(2))
    assert minidl.numel(minidl.zeros(3, 4)) == 12


def test_legacy_constructors(torch):
    for e in (minidl, torch):
        assert e.Tensor(2, 3).shape == (2, 3) and e.Tensor(2, 3).dtype == e.float32
        assert e.Tensor([1, 2]).dtype == e.float32 and e.Tensor([1, 2]).tolist() == [1.0, 2.0]
        assert e.LongTensor([2 ** 40 + 1]).tolist() == [2 ** 40 + 1]
        assert e.FloatTensor(3).shape == (3,)
        assert isinstance(e.zeros(2), e.FloatTensor) and not isinstance(e.zeros(2),
                                                                        e.LongTensor)
        assert e.Tensor().shape == (0,)
        p = e.nn.Parameter(e.Tensor(4, 3))  # the old way to declare a weight
        assert p.shape == (4, 3) and p.requires_grad


def test_random_creation_forms(torch):
    for args, kwargs, low, high, shape in [((10, (3, 4)), {}, 0, 10, (3, 4)),
                                           ((5, 9, (200,)), {}, 5, 9, (200,)),
                                           ((3,), {"size": (2,)}, 0, 3, (2,)),
                                           ((), {"low": 2, "high": 4, "size": [5]}, 2, 4, (5,))]:
        r = minidl.randint(*args, **kwargs)
        assert r.shape == tuple(torch.randint(*args, **kwargs).shape) == shape
        assert r.dtype == np.int64 and low <= r.min().item() and r.max().item() < high
    assert minidl.randint(0, 5, (3,), dtype=minidl.float32).dtype == np.float32
    with pytest.raises(RuntimeError, match="expected low < high"):
        minidl.randint(5, 5, (2,))
    with pytest.raises(TypeError, match="randint"):
        minidl.randint(5)
    x = minidl.ones(2, 3, dtype=minidl.float64)
    for like in (minidl.randn_like, minidl.rand_like, minidl.zeros_like, minidl.ones_like,
                 minidl.empty_like):
        made = like(x)
        assert made.shape == (2, 3) and made.dtype == np.float64
    assert minidl.full_like(x, 7).tolist() == [[7.0] * 3] * 2
    assert minidl.randint_like(x, 3).dtype == np.float64
    assert minidl.full((2,), 3).dtype == torch_dtype_name(torch.full((2,), 3))
    assert minidl.full((2,), True).dtype == np.bool_ and minidl.full((2,), 1.5).dtype == np.float32
    assert x.new_zeros(4).dtype == np.float64 and x.new_ones((1, 2)).shape == (1, 2)
    assert x.new_tensor([1, 2]).dtype == np.float64 and x.new_full((2,), 5.0).tolist() == [5, 5]


def torch_dtype_name(value) -> str:
    return str(value.dtype).split(".")[1]


def test_grad_fn_nodes_name_and_next_functions(torch):
    for e in (minidl, torch):
        w = e.tensor([1.0, 2.0], requires_grad=True)
        y = (w * 2).exp()
        assert y.grad_fn.name() == "ExpBackward0"
        (mul_node, index), = y.grad_fn.next_functions
        assert mul_node.name() == "MulBackward0" and index == 0
        (accumulate, _), (constant, _) = mul_node.next_functions
        assert accumulate.variable is w and constant is None
        assert "AccumulateGrad" in accumulate.name() and accumulate.next_functions == ()
        assert w.grad_fn is None
        assert "grad_fn=<ExpBackward0>" in repr(y)


def test_to_checks_its_arguments_before_copying():
    x = minidl.ones(2)
    with pytest.raises(TypeError, match="unexpected arguments"):
        x.to("cpu", colour="red")
    with pytest.raises(TypeError, match="not a dtype"):
        x.to(object())
    with pytest.raises(ValueError, match="'cpu' or 'cuda'"):
        x.to("tpu")
    y = minidl.ones(2, requires_grad=True) * 2
    if not minidl.cuda.is_available():
        with pytest.raises(RuntimeError, match="cuda"):
            y.to("cuda")
    assert x.to(minidl.zeros(1, dtype=minidl.float64)).dtype == np.float64
    assert x.to(copy=True) is not x and x.to("cpu") is x
    assert math.isclose(x.to(minidl.float16).sum().item(), 2.0)


def test_print_options_set_digits_summaries_and_notation(torch):
    try:
        minidl.set_printoptions(precision=2)
        torch.set_printoptions(precision=2)
        assert repr(minidl.tensor([1.23456])) == "tensor([1.23])" == repr(torch.tensor([1.23456]))
        minidl.set_printoptions(sci_mode=True)
        assert "1.23e+00" in repr(minidl.tensor([1.23456]))
        minidl.set_printoptions(threshold=5, edgeitems=2)
        assert "..." in repr(minidl.arange(10)) and "..." not in repr(minidl.arange(4))
        minidl.set_printoptions(profile="full")
        assert "..." not in repr(minidl.arange(2000))
        with pytest.raises(ValueError, match="profile"):
            minidl.set_printoptions(profile="long")
    finally:
        minidl.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert repr(minidl.tensor([1.23456])) == "tensor([1.2346])"


def test_float_tensors_print_as_pytorch_prints_them(torch):
    """Fixed 4 decimals unless every value is whole; scientific notation for wide ranges."""
    for values in ([1.5, 2.0], [1.0, 2.0], [0.1], 0.25, [1e-5, 1.0], [1e9, 1.0],
                   [float("nan"), 1.5], [[1.25, -3.5], [100.0, 0.001]], [3.14159265], []):
        assert repr(minidl.tensor(values)) == repr(torch.tensor(values)), values
