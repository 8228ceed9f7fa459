"""``minidl.onnx.export``: every study model exported and run by onnxruntime gives minidl's
outputs at the example's batch size and at others; dynamic spatial axes; each converter
on its own; the export arguments; and the errors for what cannot be exported."""
import inspect
import io

import numpy as np
import pytest
from model_cases import CASES, outputs_of, randomize_statistics

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl.models import MODELS

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from minidl.onnx import ExportError, export  # noqa: E402  (after the skips)

TOLERANCE = 1e-5  # float32, absolute; the outputs are of order 1


def _session(proto):
    return ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])


def _run_both(model, session, inputs, names):
    """(onnxruntime's outputs, minidl's outputs) for the same inputs."""
    with minidl.no_grad():
        expected = outputs_of(model(*inputs))
    got = session.run(None, {name: x.numpy() for name, x in zip(names, inputs)})
    return got, expected


def _deviation(got, expected) -> float:
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.shape == e.shape and g.dtype == e.dtype
    return max(float(np.abs(g - e).max()) for g, e in zip(got, expected))


def _forward_names(model, count):
    return list(inspect.signature(model.forward).parameters)[:count]


def test_cases_cover_every_study_model():
    assert {type(factory()) for factory, _ in CASES.values()} == set(MODELS.values())


@pytest.mark.parametrize("case", CASES)
def test_every_study_model_exports_and_matches_under_onnxruntime(case, rng, tmp_path):
    factory, shapes = CASES[case]
    model = factory()
    randomize_statistics({k: v.array for k, v in model.state_dict().items()}, rng)
    example = [minidl.tensor(rng.standard_normal(s).astype(np.float32)) for s in shapes]
    names = _forward_names(model, len(example))
    path = tmp_path / f"{case}.onnx"
    model.train()  # export evaluates, and restores the mode
    export(model, tuple(example), path, dynamic_axes={n: {0: "batch"} for n in names})
    assert model.training and all(m.training for m in model.modules())
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    assert [i.name for i in proto.graph.input] == names
    assert all(i.type.tensor_type.shape.dim[0].dim_param == "batch" for i in proto.graph.input)
    assert all(o.type.tensor_type.shape.dim[0].dim_param == "batch"
               for o in proto.graph.output)
    session = _session(proto)
    model.eval()
    deviations = {}
    for batch in (2, 3, 1):
        inputs = [minidl.tensor(rng.standard_normal((batch, *s[1:])).astype(np.float32))
                  for s in shapes]
        deviations[batch] = _deviation(*_run_both(model, session, inputs, names))
    print(f"{case}: max |onnxruntime - minidl| by batch size {deviations}")
    assert max(deviations.values()) <= TOLERANCE


@pytest.mark.parametrize("case,sizes", [
    ("lab-attention", [(1, 1, 24, 40), (3, 1, 8, 8)]),   # reshapes back to (N, C, H, W)
    ("iizuka-joint", [(3, 1, 24, 40)]),                  # the fusion layer's expand
    ("unet-classify", [(1, 1, 12, 20)]),                 # transposed convolutions
])
def test_fully_convolutional_models_export_with_dynamic_height_and_width(case, sizes, rng):
    factory, shapes = CASES[case]
    model = factory()
    example = minidl.tensor(rng.standard_normal(shapes[0]).astype(np.float32))
    axes = {"x": {0: "batch", 2: "height", 3: "width"}}
    proto = export(model, example, io.BytesIO(), dynamic_axes=axes)
    dims = [d.dim_param for d in proto.graph.input[0].type.tensor_type.shape.dim]
    assert dims == ["batch", "", "height", "width"]
    session = _session(proto)
    model.eval()
    for size in sizes:
        x = minidl.tensor(rng.standard_normal(size).astype(np.float32))
        assert _deviation(*_run_both(model, session, [x], ["x"])) <= TOLERANCE


# -- converters one at a time, through small modules -----------------------------------
class Lambda(nn.Module):
    def __init__(self, function, *layers):
        super().__init__()
        self.function = function
        self.layers = nn.ModuleList(layers)

    def forward(self, *inputs):
        return self.function(self, *inputs)


OPERATIONS = {
    "arithmetic": lambda m, x: (2.0 - x) * x / (x.abs() + 1) + x ** 2 - (-x) ** 3,
    "elementwise": lambda m, x: (x.abs() + 0.5).sqrt().log() + x.exp() * 0.01 +
    x.clamp(-0.5, 0.5) + x.clamp(min=0.1) + F.leaky_relu(x, 0.1),
    "activations": lambda m, x: x.sigmoid() + x.tanh() + x.relu() + F.softmax(x, dim=1) +
    F.log_softmax(x, dim=-1),
    "reductions": lambda m, x: x - x.mean(dim=(2, 3), keepdim=True) + x.sum(dim=1,
                                                                           keepdim=True) +
    x.amax(dim=-1, keepdim=True) + x.amin(dim=2, keepdim=True) + x.var(dim=(1, 3),
                                                                      keepdim=True),
    "indexing": lambda m, x: minidl.cat([x[:, :1, ::2, 1:4], x[..., 1:3, :-1:2],
                                         x[:, -1][:, None, :2, :3], x[:, 1:2, -2:, 5:2:-1]],
                                        dim=1),
    "integer-array-index": lambda m, x: x[:, :, minidl.tensor([0, 2, 2, 1])],
    "stack-permute-gather": lambda m, x: minidl.stack(
        [x[..., :4], x.permute(0, 1, 3, 2)[..., :4, :]], dim=2).flatten(2).gather(
        2, minidl.tensor(np.tile(np.array([3, 0, 31]), (2, 3, 1)))),
    "matmul-where": lambda m, x: (x @ x.transpose(2, 3)).masked_fill(
        minidl.tensor(np.eye(4, dtype=bool)), 0.0),
    "pooling": lambda m, x: minidl.cat([
        F.max_pool2d(x, 3, stride=2, padding=1), F.max_pool2d(x[..., :3, :5], 2,
                                                               ceil_mode=True),
        F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
        F.avg_pool2d(x, 2), F.adaptive_avg_pool2d(x, (2, 3)),
        F.adaptive_avg_pool2d(x, 1).expand(2, 3, 2, 3)], dim=1),
    "convolutions": lambda m, x: m.layers[1](m.layers[0](x)) + F.interpolate(
        x, scale_factor=(1, 2))[:, :1, :2, :8].expand(2, 6, 2, 8),
    "batch-norm-1d-and-linear": lambda m, x: m.layers[1](m.layers[0](x.flatten(1))),
}
LAYERS = {
    "convolutions": lambda: (nn.Conv2d(3, 6, (3, 2), stride=(2, 1), padding="valid",
                                       dilation=(1, 2)),
                             nn.ConvTranspose2d(6, 6, 3, stride=2, padding=1,
                                                output_padding=1, groups=3, dilation=1)),
    "batch-norm-1d-and-linear": lambda: (nn.Linear(3 * 4 * 6, 5), nn.BatchNorm1d(5)),
}


@pytest.mark.parametrize("name", OPERATIONS)
@pytest.mark.parametrize("opset", [13, 17, 18])
def test_each_operation_converts(name, opset, rng):
    layers = LAYERS.get(name, tuple)()
    model = Lambda(OPERATIONS[name], *layers)
    randomize_statistics({k: v.array for k, v in model.state_dict().items()}, rng)
    x = minidl.tensor(rng.uniform(-1, 1, (2, 3, 4, 6)).astype(np.float32))
    model.eval()
    proto = export(model, x, io.BytesIO(), opset_version=opset)
    assert proto.opset_import[0].version == opset
    got, expected = _run_both(model, _session(proto), [x], ["input_0"])
    assert _deviation(got, expected) <= TOLERANCE


def test_float64_models_export_as_double(rng):
    model = SelfAttention(8, 2).double()  # onnxruntime has no float64 Conv kernel
    x = minidl.tensor(rng.standard_normal((2, 5, 8)))
    proto = export(model, x, io.BytesIO())
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    assert _deviation(*_run_both(model, _session(proto), [x], ["x"])) <= 1e-12


class SelfAttention(nn.Module):
    def __init__(self, embed_dim, heads):
        super().__init__()
        self.attention = nn.MultiheadAttention(embed_dim, heads)

    def forward(self, x):
        output, weights = self.attention(x, x, x)  # sequence first; weights averaged
        return output, weights


# -- the export arguments --------------------------------------------------------------
def test_names_parameters_folding_and_files(rng, tmp_path):
    model = MODELS["multidigit-cnn"](image_size=22)
    x = minidl.tensor(rng.standard_normal((1, 1, 22, 22)).astype(np.float32))
    proto = export(model, (x,), str(tmp_path / "m.onnx"), input_names=["digits"],
                   output_names=["logits"], dynamic_axes={"digits": [0], "logits": [0]})
    assert [i.name for i in proto.graph.input] == ["digits"]
    assert [o.name for o in proto.graph.output] == ["logits"]
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == \
        "digits_dynamic_axes_1"
    initializers = {t.name for t in proto.graph.initializer}
    assert "features.0.weight" in initializers  # named as in state_dict()
    # Linear's weight.T is folded into an initializer: no Transpose node is left
    assert "Transpose" not in {n.op_type for n in proto.graph.node}
    assert onnx.load(tmp_path / "m.onnx") == proto
    unfolded = export(model, x, io.BytesIO(), do_constant_folding=False)
    assert "Transpose" in {n.op_type for n in unfolded.graph.node}

    bare = export(model, x, io.BytesIO(), export_params=False)
    assert not any(t.name == "features.0.weight" for t in bare.graph.initializer)
    inputs = {i.name for i in bare.graph.input}
    assert {"x", "features.0.weight", "classifier.1.bias"} <= inputs
    feeds = {"x": x.numpy(), **{k: v.numpy() for k, v in model.state_dict().items()
                                if k in inputs}}
    model.eval()
    got = _session(bare).run(None, feeds)
    assert _deviation(got, outputs_of(model(x))) <= TOLERANCE
    listed = export(model, x, io.BytesIO(), keep_initializers_as_inputs=True)
    assert "features.0.weight" in {i.name for i in listed.graph.input}


def test_verbose_prints_the_graph(rng, capsys):
    export(MODELS["lab-basic"](), minidl.zeros(1, 1, 4, 4), io.BytesIO(), verbose=True)
    printed = capsys.readouterr().out
    assert "layers.0.0.weight: [64, 1, 3, 3]" in printed and "= Conv <" in printed


class ReturnsInputAndRepeats(nn.Module):
    def forward(self, x):
        y = x.relu()
        return x, y, y


def test_outputs_that_are_inputs_or_repeated_come_out_under_their_names(rng):
    model = ReturnsInputAndRepeats()
    x = minidl.tensor(rng.standard_normal((2, 3)).astype(np.float32))
    proto = export(model, x, io.BytesIO(), output_names=["same", "relu", "again"],
                   dynamic_axes={"x": {0: "n"}})
    assert [o.name for o in proto.graph.output] == ["same", "relu", "again"]
    assert all(o.type.tensor_type.shape.dim[0].dim_param == "n" for o in proto.graph.output)
    got, expected = _run_both(model, _session(proto), [x], ["x"])
    assert _deviation(got, expected) == 0


class ChangesInPlace(nn.Module):
    """In-place changes as PyTorch models make them: layers with inplace=True, ``+=`` of a
    skip connection, an in-place method, and an in-place change of the returned tensor."""

    def __init__(self):
        super().__init__()
        self.first, self.second = nn.Linear(3, 4), nn.Linear(4, 4)
        self.act, self.drop = nn.ReLU(inplace=True), nn.Dropout(0.5, inplace=True)

    def forward(self, x):
        h = self.act(self.first(x))
        skip = h
        h = self.drop(F.leaky_relu(self.second(h), 0.1, inplace=True))
        h += skip
        return h.tanh_(), skip.mul_(2)


def test_in_place_changes_export_as_the_values_they_compute(rng):
    model = ChangesInPlace().eval()
    x = minidl.tensor(rng.standard_normal((5, 3)).astype(np.float32))
    proto = export(model, x, io.BytesIO(), dynamic_axes={"x": {0: "n"}})
    for batch in (5, 2):
        inputs = [minidl.tensor(rng.standard_normal((batch, 3)).astype(np.float32))]
        got, expected = _run_both(model, _session(proto), inputs, ["x"])
        assert _deviation(got, expected) <= TOLERANCE


# -- what cannot be exported -----------------------------------------------------------
class MakesBatchSizedTensor(nn.Module):
    def forward(self, x):
        return x + minidl.ones(x.shape[0], 1)


class Squeezes(nn.Module):
    def forward(self, x):
        return x.squeeze().relu()


@pytest.mark.parametrize("model,args,kwargs,message", [
    (Lambda(lambda m, x: F.binary_cross_entropy(x.sigmoid(), x.sigmoid())), (2, 3), {},
     r"BinaryCrossEntropy in the model's own forward \(Lambda\) has no ONNX conversion"),
    (Lambda(lambda m, x: F.max_pool2d(x, 2, return_indices=True)[1]), (1, 1, 2, 2), {},
     "MaxPool2d in .*: return_indices=True cannot be exported"),
    (Lambda(lambda m, x: m.layers[0](x), nn.BatchNorm1d(3, track_running_stats=False)),
     (2, 3), {}, r"BatchNormTrain in layer 'layers.0' \(BatchNorm1d\): batch norm with "),
    (MakesBatchSizedTensor(), (2, 3), {"dynamic_axes": {"x": [0]}},
     r"Add in the model's own forward .* changes with the input's size"),
    (Squeezes(), (1, 3), {"dynamic_axes": {"x": [0]}},
     "runs a different number of operations at different input sizes"),
    (MODELS["colorized-mnist-cnn"](), (1, 3, 28, 28), {"dynamic_axes": {"x": [2]}},
     r"dynamic axis 'x_dynamic_axes_1': the model fails .*ColorizedMNISTNet: expected"),
    (MODELS["lab-basic"](), (1, 1, 4, 4), {"dynamic_axes": {"y": [0]}},
     r"dynamic_axes names \['y'\]"),
    (Lambda(lambda m, x: x.relu().__setitem__((0, 0), 2.0)), (2, 3), {},
     "item assignment in 'the model' overwrites a tensor in place with values no tensor "
     "operation computed"),
    (MODELS["lab-basic"](), (1, 1, 4, 4), {"opset_version": 9}, "opset_version must be"),
    (MODELS["lab-basic"](), (1, 1, 4, 4), {"input_names": ["a", "b"]},
     "input_names has 2 names but the model has 1"),
    (MODELS["lab-basic"](), (1, 1, 4, 4), {"input_names": ["layers.2.bias"]},
     "the name 'layers.2.bias' is given to two values"),
    (MODELS["lab-basic"](), (1, 1, 4, 4), {"input_names": ["a"], "output_names": ["a"]},
     "the name 'a' is given to two values"),
])
def test_what_cannot_be_exported_is_one_clear_error(model, args, kwargs, message):
    with pytest.raises(ExportError, match=message):
        export(model, minidl.randn(*args), io.BytesIO(), **kwargs)


def test_export_refuses_what_is_not_a_model_or_an_input():
    with pytest.raises(TypeError, match="model must be an nn.Module"):
        export(lambda x: x, minidl.zeros(1), io.BytesIO())
    with pytest.raises(ExportError, match="args holds no Tensor"):
        export(MODELS["lab-basic"](), (3,), io.BytesIO())
