"""minidl.profiler.profile: what it records, that the times add up, and that it leaves
no trace when closed."""
import json

import pytest

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl.autograd.function import Function
from minidl.profiler import profile


def small_cnn():
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 4 * 4, 5))


def test_records_ops_backward_and_kernels_with_backends_and_shapes():
    model = small_cnn()
    x, y = minidl.randn(4, 3, 8, 8), minidl.randint(0, 5, (4,))
    with profile(record_shapes=True) as prof:
        F.cross_entropy(model(x), y).backward()
    rows = {(r.key, r.kind, r.backend): r for r in prof.key_averages()}
    assert rows[("Conv2d", "op", "")].count == 1
    assert rows[("Conv2dBackward0", "backward", "")].count == 1
    assert rows[("conv2d_forward", "kernel", "cpu")].count == 1
    assert rows[("conv2d_backward_weight", "kernel", "cpu")].count == 1
    conv_kernel = next(e for e in prof.events if e.name == "conv2d_forward")
    assert conv_kernel.shapes[:2] == ((4, 3, 8, 8), (8, 3, 3, 3))
    # the kernel ran inside the Conv2d op: the op's self time excludes it
    conv_op = rows[("Conv2d", "op", "")]
    assert conv_op.cpu_time_total >= rows[("conv2d_forward", "kernel", "cpu")].cpu_time_total
    assert conv_op.self_cpu_time_total < conv_op.cpu_time_total
    by_shape = prof.key_averages(group_by_input_shape=True)
    assert any(r.key == "conv2d_forward" and r.shapes for r in by_shape)


def test_reference_backend_is_named():
    from minidl.kernels import use_backend
    with use_backend("reference"), profile() as prof:
        F.max_pool2d(minidl.randn(1, 2, 4, 4), 2)
    assert ("max_pool2d_forward", "reference") in {(e.name, e.backend) for e in prof.events}


def test_self_times_add_up_to_the_wall_time():
    """Sum of self times = time inside operations <= wall time of the block, and the
    self times of all events add up to the totals of the outermost ones (nothing counted
    twice, nothing lost)."""
    model = small_cnn()
    x, y = minidl.randn(16, 3, 8, 8), minidl.randint(0, 5, (16,))
    F.cross_entropy(model(x), y).backward()  # compile and warm up outside the profile
    with profile() as prof:
        for _ in range(3):
            F.cross_entropy(model(x), y).backward()
    inside = prof.self_time_total()
    assert 0 < inside <= prof.wall_time
    # and the totals of the outermost events equal the self times summed
    assert abs(sum(e.total for e in prof.events if _is_outermost(e, prof.events))
               - inside) < 1e-6


def _is_outermost(event, events):
    return not any(o is not event and o.start <= event.start and event.end <= o.end
                   for o in events)


def test_table_and_chrome_trace(tmp_path):
    with profile() as prof:
        (minidl.randn(3, 3, requires_grad=True) @ minidl.randn(3, 3)).sum().backward()
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=2)
    lines = table.splitlines()
    assert "Name" in lines[1] and "# Calls" in lines[1]
    assert len([line for line in lines if line.startswith(("MatMul", "Sum"))]) <= 2
    assert "Wall time of the profiled block" in table
    with pytest.raises(ValueError, match="sort_by"):
        prof.key_averages().table(sort_by="nonsense")
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(path)
    trace = json.loads(path.read_text())["traceEvents"]
    assert {e["ph"] for e in trace} == {"X"} and len(trace) == len(prof.events)
    assert all(e["dur"] >= 0 and e["ts"] >= 0 for e in trace)


def test_closed_profile_restores_everything_and_profiles_do_not_nest():
    from minidl.kernels import cpu
    from minidl.ops.arithmetic import Mul
    originals = (Function.__dict__["apply"], Mul.__dict__["backward"], cpu.conv2d_forward)
    with profile():
        with pytest.raises(RuntimeError, match="already open"):
            with profile():
                pass
    with pytest.raises(ZeroDivisionError):
        with profile():
            1 / 0
    assert (Function.__dict__["apply"], Mul.__dict__["backward"], cpu.conv2d_forward) == \
        originals
    with profile() as prof:  # a profile can be opened again after one failed
        minidl.randn(2, requires_grad=True).sum()
    assert [e.name for e in prof.events] == ["Sum"]


def test_pytorch_style_function_shows_its_own_name_once_and_still_differentiates():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x ** 2

    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    with profile() as prof:
        Cube.apply(x).sum().backward()
    names = [(e.name, e.kind) for e in prof.events if e.kind != "kernel"]
    assert names.count(("Cube", "op")) == 1 and names.count(("CubeBackward", "backward")) == 1
    assert not any("ContextFunction" in name for name, _ in names)
    assert x.grad.tolist() == [3.0, 12.0]
    assert isinstance(Cube.__dict__["backward"], staticmethod)  # put back as it was
