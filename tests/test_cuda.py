"""Device "cuda": kernels, functions, tensors, modules, checkpoints and training on the GPU.

GPU tests take the ``cuda`` or ``device`` fixture (conftest.py) and are skipped, with the
reason, where CuPy or a GPU is missing, so a CPU-only machine runs only the tests of the
errors minidl gives without CUDA.  On a GPU:

- every cuda kernel equals the reference kernels on the case tables of the kernel tests
  (test_conv_kernels.py, test_norm_pool_kernels.py, through their ``kernels`` fixture);
- every differentiable function gives, in float64, the CPU's values and gradients, and its
  GPU gradient passes a central-difference check on the GPU itself;
- tensors, modules, dropout, losses, optimizers and checkpoints behave as on the CPU,
  mixing devices is a clear error, and ``minidl train --device cuda`` trains every study.
"""
import importlib
import json
import types

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import assert_close, cuda_unavailable_reason, host, untied
from test_cli_train import (  # noqa: F401
    PHOTOS,
    RUN_FILES,
    STUDY_RUNS,
    TINY,
    _no_other_data,
    data_root,
    empty_cache,
    records,
)

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
import minidl.optim as optim
from minidl import backend
from minidl.backend import to_device
from minidl.cli.main import cli
from minidl.ops.arithmetic import Add

requires_no_cuda = pytest.mark.skipif(cuda_unavailable_reason() is None,
                                      reason="CUDA is available here")


# -- without CUDA: clear errors --------------------------------------------------------------
@requires_no_cuda
def test_asking_for_cuda_without_it_is_a_clear_error(tmp_path):
    path = tmp_path / "t.h5"
    minidl.save({"w": minidl.ones(2)}, path)
    attempts = [lambda: minidl.tensor([1.0], device="cuda"),
                lambda: minidl.zeros(2, device="cuda"),
                lambda: minidl.randn(2, 3, device="cuda"),
                lambda: minidl.ones(2).to("cuda"),
                lambda: minidl.ones(2).cuda(),
                lambda: nn.Linear(2, 3).to("cuda"),
                lambda: minidl.load(path, map_location="cuda")]
    for attempt in attempts:
        with pytest.raises(RuntimeError, match="device 'cuda' (needs CuPy|is not available)"):
            attempt()


def test_missing_cupy_or_gpu_messages(monkeypatch):
    monkeypatch.setattr(backend, "cupy_module", lambda: None)
    with pytest.raises(RuntimeError, match=r"device 'cuda' needs CuPy: pip install "
                                           r"'minidl\[cuda\]'"):
        minidl.zeros(2, device="cuda")

    def fake_cupy(device_count):
        runtime = types.SimpleNamespace(getDeviceCount=device_count)
        return types.SimpleNamespace(cuda=types.SimpleNamespace(runtime=runtime))

    monkeypatch.setattr(backend, "cupy_module", lambda: fake_cupy(lambda: 0))
    with pytest.raises(RuntimeError, match="device 'cuda' is not available: no GPU found"):
        minidl.tensor([1.0], device="cuda")

    def broken_driver():
        raise OSError("libcuda.so.1: cannot open shared object file")

    monkeypatch.setattr(backend, "cupy_module", lambda: fake_cupy(broken_driver))
    with pytest.raises(RuntimeError, match="device 'cuda' is not available: libcuda.so.1"):
        nn.Linear(2, 2).to("cuda")


@requires_no_cuda
def test_train_on_cuda_without_it_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["train", "--device", "cuda", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.output.startswith("Error: device 'cuda'")
    assert not any(tmp_path.iterdir())


def test_function_apply_checks_the_device_of_raw_array_inputs(monkeypatch):
    """Raw arrays passed to a Function count like tensors; here one array pretends to
    live on the GPU (the real case runs in test_mixing_devices_in_one_op_names_both)."""
    on_gpu = np.ones(3)
    function_module = importlib.import_module("minidl.autograd.function")
    monkeypatch.setattr(function_module, "array_device",
                        lambda value: "cuda" if value is on_gpu else backend.array_device(value))
    with pytest.raises(RuntimeError, match="Add: expected all tensors on one device, "
                                           "got cpu and cuda"):
        Add.apply(minidl.ones(3), on_gpu)
    with pytest.raises(RuntimeError, match="Add: expected all tensors on one device, "
                                           "got cuda and cpu"):
        Add.apply(on_gpu, np.ones(3))
    assert Add.apply(minidl.ones(3), np.ones(3)).device == "cpu"


# -- kernels ---------------------------------------------------------------------------------
# Every cuda kernel runs the case tables of test_conv_kernels.py and test_norm_pool_kernels.py
# (their ``kernels`` fixture); here only what is particular to the GPU.
def test_cuda_kernels_refuse_float16(cuda):
    cuda_kernels = importlib.import_module("minidl.kernels.cuda")
    with pytest.raises(TypeError, match="float32 and float64 arrays, got float16"):
        cuda_kernels.upsample_nearest2d_forward(to_device(np.ones((1, 1, 2, 2), np.float16),
                                                          "cuda"), 2, 2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_batched_product_calls_cublas_right(transpose_a, transpose_b, dtype, cuda, rng):
    """The convolutions' own cuBLAS call: every transpose, groups, accumulation and a sum
    split into parts, against NumPy."""
    linalg = importlib.import_module("minidl.kernels.cuda.linalg")
    for groups, (m, n, k), splits in [(3, (5, 7, 4), 1), (1, (6, 3, 40), 8), (1, (1, 1, 9), 3)]:
        a = rng.standard_normal((groups, k, m) if transpose_a else (groups, m, k)).astype(dtype)
        b = rng.standard_normal((groups, n, k) if transpose_b else (groups, k, n)).astype(dtype)
        want = (np.swapaxes(a, 1, 2) if transpose_a else a) @ (
            np.swapaxes(b, 1, 2) if transpose_b else b)
        got = linalg.batched_product(to_device(a, cuda), to_device(b, cuda), splits=splits,
                                     transpose_a=transpose_a, transpose_b=transpose_b)
        assert_close(host(got), want, dtype)
        total = to_device(np.ones_like(want), cuda)
        linalg.batched_product(to_device(a, cuda), to_device(b, cuda), splits=splits,
                               transpose_a=transpose_a, transpose_b=transpose_b, out=total)
        assert_close(host(total), want + 1, dtype)


def test_weight_gradient_sum_is_split_only_where_the_outputs_are_few(cuda):
    conv = importlib.import_module("minidl.kernels.cuda.conv")
    assert conv._sum_splits(1, 32, 9, 64) == 64            # 288 values: one part an image
    assert conv._sum_splits(1, 32, 576, 14) == 14
    assert conv._sum_splits(1, 32, 9, 7) == 7
    assert conv._sum_splits(1, 512, 4608, 64) == 1         # enough output tiles already
    assert conv._sum_splits(2, 32, 9, 64) == 1             # one batch dimension: groups
    assert 64 % conv._sum_splits(1, 64, 3 * 16, 64) == 0

# -- functions: float64 values and gradients on the GPU --------------------------------------
def _cross_entropy(logits):
    target = minidl.tensor([2, 0, 1, 2], device=logits.device)
    return F.cross_entropy(logits, target)


FUNCTIONS = {
    # name: (function of float64 tensors, input shapes)
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2),
                                        groups=2), [(2, 4, 7, 6), (6, 2, 3, 2), (6,)]),
    "conv_transpose2d": (lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                                            output_padding=1),
                         [(2, 3, 4, 5), (3, 2, 3, 3), (2,)]),
    "batch_norm_train": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                         [(3, 4, 5, 2), (4,), (4,)]),
    "batch_norm_eval": (lambda x, w, b: F.batch_norm(
        x, minidl.tensor(np.linspace(-1, 1, 4), device=x.device),
        minidl.tensor(np.linspace(0.5, 2, 4), device=x.device), w, b), [(3, 4, 5), (4,), (4,)]),
    "max_pool2d": (lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
                   [(2, 3, 7, 8)]),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, (3, 2), stride=2, padding=1,
                                          count_include_pad=False), [(2, 2, 7, 6)]),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (3, 4)), [(2, 2, 7, 9)]),
    "interpolate": (lambda x: F.interpolate(x, scale_factor=2), [(2, 3, 3, 4)]),
    "linear_tanh_softmax": (lambda x, w, b: F.softmax(F.linear(x, w, b).tanh(), dim=1),
                            [(4, 5), (3, 5), (3,)]),
    "elementwise": (lambda a, b: (a * b.sigmoid() - a.exp() / (b * b + 1)).relu().sum(0),
                    [(3, 4), (3, 4)]),
    "reductions_and_shapes": (lambda a: minidl.cat([a.mean(1, keepdim=True),
                                                    a.var(1, keepdim=True), a[:, [2, 0]],
                                                    (a @ a.T)[:, :2]], dim=1), [(4, 3)]),
    "losses": (lambda a, b: F.mse_loss(a, b) + F.l1_loss(a, b + 5)       # b + 5 > a: no kink
               + F.binary_cross_entropy_with_logits(a, b.sigmoid())
               + F.binary_cross_entropy(a.sigmoid(), b.sigmoid()) + _cross_entropy(a),
               [(4, 3), (4, 3)]),
}


def run_function(fn, arrays, device, grad):
    """fn's output and every input's gradient for the output gradient ``grad``, on host."""
    leaves = [minidl.tensor(a, device=device, requires_grad=True) for a in arrays]
    out = fn(*leaves)
    out.backward(minidl.tensor(grad, device=device))
    return [host(out)] + [host(leaf.grad) for leaf in leaves]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_values_and_gradients_equal_the_cpu(name, rng, cuda):
    fn, shapes = FUNCTIONS[name]
    arrays = [untied(rng, *shape) for shape in shapes]
    with minidl.no_grad():
        grad = rng.standard_normal(fn(*[minidl.tensor(a) for a in arrays]).shape)
    for on_gpu, on_cpu in zip(run_function(fn, arrays, cuda, grad),
                              run_function(fn, arrays, "cpu", grad), strict=True):
        assert_close(on_gpu, on_cpu, np.float64)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_gradients_pass_a_central_difference_check_on_the_gpu(name, rng, cuda):
    """For a random direction v and output weights u, the directional derivative
    d/dε Σ u·f(x + εv) at 0, by central differences on the GPU in float64, equals
    Σ_inputs <dL/dx, v> from one backward pass (L = Σ u·f).  The inputs are untied, so
    no ε-step crosses a kink of max, relu or abs."""
    fn, shapes = FUNCTIONS[name]
    arrays = [untied(rng, *shape) for shape in shapes]
    directions = [rng.standard_normal(shape) for shape in shapes]
    with minidl.no_grad():
        weights = rng.standard_normal(fn(*[minidl.tensor(a) for a in arrays]).shape)
    _, *grads = run_function(fn, arrays, cuda, weights)
    analytic = sum(float(np.sum(g * v)) for g, v in zip(grads, directions))

    def loss(step):
        with minidl.no_grad():
            moved = [minidl.tensor(a + step * v, device=cuda) for a, v in zip(arrays, directions)]
            return float(np.sum(host(fn(*moved)) * weights))

    eps = 1e-6
    numerical = (loss(eps) - loss(-eps)) / (2 * eps)
    assert numerical == pytest.approx(analytic, rel=1e-6, abs=1e-7)


# -- tensors, modules, checkpoints ------------------------------------------------------------
def test_tensors_move_between_devices(cuda):
    values = np.arange(6.0).reshape(2, 3)
    t = minidl.tensor(values, device=cuda, requires_grad=True)
    assert t.device == "cuda" and t.dtype == np.float64 and t.requires_grad
    for made in (minidl.zeros(2, device=cuda), minidl.ones(2, 3, device="cuda:0"),
                 minidl.randn(4, device=cuda), minidl.arange(3, device=cuda),
                 minidl.full((2,), 7.0, device=cuda), minidl.ones(2).to(cuda),
                 minidl.ones(2).cuda(), minidl.ones(2).to(cuda, np.float64)):
        assert made.device == "cuda"
    back = t.detach().cpu()
    assert back.device == "cpu" and np.array_equal(back.numpy(), values)
    assert "device='cuda'" in repr(t) and t.sum().item() == 15.0
    with pytest.raises(TypeError, match="use tensor.cpu"):
        t.detach().numpy()
    minidl.manual_seed(3)
    on_gpu = minidl.randn(5, device=cuda)
    minidl.manual_seed(3)
    np.testing.assert_array_equal(host(on_gpu), minidl.randn(5).numpy())   # drawn on the CPU
    index = minidl.tensor([1, 0])                       # indices may stay on the CPU
    assert host(t.detach()[index]).tolist() == [[3.0, 4.0, 5.0], [0.0, 1.0, 2.0]]
    assert host(t.detach()[:, [2, 0]]).tolist() == [[2.0, 0.0], [5.0, 3.0]]


def test_mixing_devices_in_one_op_names_both(cuda):
    on_gpu, on_cpu = minidl.ones(3, device=cuda), minidl.ones(3)
    cases = [lambda: on_gpu + on_cpu, lambda: on_cpu * on_gpu,
             lambda: on_gpu + np.ones(3), lambda: on_cpu + to_device(np.ones(3), "cuda"),
             lambda: on_gpu @ on_cpu, lambda: F.mse_loss(on_gpu, on_cpu),
             lambda: F.conv2d(minidl.ones(1, 1, 3, 3, device=cuda), minidl.ones(1, 1, 2, 2))]
    for case in cases:
        with pytest.raises(RuntimeError, match="expected all tensors on one device, got "
                                               "(cuda and cpu|cpu and cuda)"):
            case()
    with pytest.raises(RuntimeError, match="batch_norm: weight is on cpu, the input on cuda"):
        F.batch_norm(minidl.ones(2, 3, device=cuda), None, None, minidl.ones(3),
                     training=True)


def test_dropout_masks_on_the_device_like_the_cpu(cuda):
    x = minidl.ones(4, 50)
    minidl.manual_seed(7)
    on_cpu = F.dropout(x, 0.3)
    minidl.manual_seed(7)
    on_gpu = F.dropout(x.to(cuda), 0.3)
    assert on_gpu.device == "cuda"
    np.testing.assert_array_equal(host(on_gpu), on_cpu.numpy())


def small_network():
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Upsample(scale_factor=2),
                         nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1), nn.Flatten(),
                         nn.Dropout(0.0), nn.Linear(2 * 8 * 8, 3))


def test_a_model_trains_on_cuda_as_on_the_cpu(cuda, rng):
    minidl.manual_seed(0)
    model_cpu = small_network().double()
    model_gpu = small_network().double()
    model_gpu.load_state_dict(model_cpu.state_dict())
    assert model_gpu.to(cuda) is model_gpu
    assert all(p.device == "cuda" for p in model_gpu.parameters())
    assert all(b.device == "cuda" for b in model_gpu.state_dict().values())
    x, labels = rng.standard_normal((5, 3, 4, 4)), np.array([0, 2, 1, 1, 0])
    for model, device in ((model_cpu, "cpu"), (model_gpu, cuda)):
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)   # linear in the gradient
        for _ in range(3):
            opt.zero_grad()
            loss = F.cross_entropy(model(minidl.tensor(x, device=device)),
                                   minidl.tensor(labels, device=device))
            loss.backward()
            opt.step()
    for (key, a), b in zip(model_cpu.state_dict().items(), model_gpu.state_dict().values()):
        np.testing.assert_allclose(host(b), a.numpy(), rtol=1e-9, atol=1e-11, err_msg=key)


def test_cuda_model_checkpoint_round_trip_does_not_move_it(cuda, tmp_path):
    model = small_network().to(cuda)
    model(minidl.randn(2, 3, 4, 4, device=cuda))             # running statistics change
    path = tmp_path / "model.h5"
    minidl.save({"model": model.state_dict()}, path)
    assert all(v.device == "cuda" for v in model.state_dict().values())
    for location in ("cuda", "cpu", None):
        loaded = minidl.load(path, map_location=location)["model"]
        for key, value in model.state_dict().items():
            assert loaded[key].device == (location or "cpu")
            np.testing.assert_array_equal(host(loaded[key]), host(value), err_msg=key)
    on_cpu = small_network()
    on_cpu.load_state_dict(minidl.load(path, map_location="cuda")["model"])   # across devices
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(on_cpu.state_dict()[key].numpy(), host(value))


# -- minidl train --device cuda ---------------------------------------------------------------
def train(out, *args):
    result = CliRunner().invoke(cli, ["train", *[str(a) for a in args], "--out", str(out)])
    assert result.exit_code == 0, result.output
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    return result, run_dir


@pytest.mark.parametrize("name", STUDY_RUNS)
def test_every_study_trains_on_cuda(name, tmp_path, data_root, cuda):  # noqa: F811
    args, plot = STUDY_RUNS[name]
    tiny = PHOTOS if name == "lab-two-sizes" else TINY
    _, run_dir = train(tmp_path, *args, *tiny, "--device", cuda, "--data-dir", data_root)
    assert RUN_FILES | {plot} <= {p.name for p in run_dir.iterdir()}
    assert json.loads((run_dir / "config.json").read_text())["device"] == "cuda"
    (record,) = records(run_dir)
    assert np.isfinite(record["train_loss"]) and np.isfinite(record["val_loss"])
    checkpoint = minidl.load(run_dir / "checkpoint.h5")
    assert checkpoint["finished"]


def test_training_on_cuda_follows_the_cpu(tmp_path, cuda):
    """The same seed gives the same losses on both devices (float32, other sum orders)."""
    args = ("--limit", 24, "--epochs", 2, "--batch-size", 8)
    _, on_cpu = train(tmp_path / "cpu", *args)
    _, on_gpu = train(tmp_path / "gpu", *args, "--device", cuda)
    for a, b in zip(records(on_cpu), records(on_gpu), strict=True):
        assert b["train_loss"] == pytest.approx(a["train_loss"], rel=1e-3)
        assert b["val_loss"] == pytest.approx(a["val_loss"], rel=1e-3)
    result = CliRunner().invoke(cli, ["eval", str(on_gpu)])
    assert result.exit_code == 0, result.output
