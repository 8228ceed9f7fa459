"""``export``: a minidl model as an ONNX file, with ``torch.onnx.export``'s arguments.

The model runs once on the example input in evaluation mode while every operation is
recorded (:mod:`.tracer`); for each dynamic axis it runs once more with the input
doubled along that axis, so that the sizes that follow the axis can be told from those
that do not (:mod:`.lowering`, :mod:`.converters`).  The graph is built with the onnx
package's helpers and checked with its checker (with shape inference).
"""
from __future__ import annotations

import inspect

import onnx
import onnx.printer
from onnx import helper

from .. import __version__
from ..backend import array_module
from ..nn import Module
from ..tensor import Tensor
from .errors import ExportError
from .graph import value_info
from .lowering import Lowering
from .tracer import trace

DEFAULT_OPSET = 17
MIN_OPSET = 13


def export(model: Module, args, f, export_params: bool = True, verbose: bool = False,
           input_names=None, output_names=None, opset_version: int | None = None,
           do_constant_folding: bool = True, dynamic_axes=None,
           keep_initializers_as_inputs: bool = False) -> onnx.ModelProto:
    """Export ``model`` to the ONNX file ``f`` (a path or a binary file object) by
    tracing ``model(*args)`` in evaluation mode; returns the ``onnx.ModelProto``.

    ``args``: the example input — a Tensor, or a tuple of forward arguments (Tensors
    become graph inputs; other values are passed as they are and frozen into the graph).
    ``input_names`` / ``output_names``: names of the graph's inputs and outputs (default:
    the forward's parameter names; ``output``, or a named tuple's field names).
    ``dynamic_axes``: ``{name: {axis: "label"}}`` or ``{name: [axes]}`` for the axes that
    may change size, typically ``{"x": {0: "batch"}}``; the model must accept the example
    doubled along each such axis.  ``opset_version``: 13 or newer (default 17).
    ``do_constant_folding``: compute at export time what depends only on the weights.
    ``export_params=False`` leaves the weights out (they become graph inputs, named as in
    ``state_dict()``); ``keep_initializers_as_inputs`` lists the weights as inputs too.
    ``verbose`` prints the graph.

    Batch norm, dropout and the other layers export as in evaluation mode; the model's
    own training mode is restored afterwards.  An operation minidl cannot express in
    ONNX is an :class:`ExportError` naming it and the layer that applied it.
    """
    if not isinstance(model, Module):
        raise TypeError(f"export: model must be an nn.Module, got {type(model).__name__}")
    args = _as_args(args)
    positions = [i for i, value in enumerate(args) if isinstance(value, Tensor)]
    if not positions:
        raise ExportError("export: args holds no Tensor; give the example input as a Tensor "
                          "or a tuple of them")
    opset = _opset(opset_version)
    input_names = _names(input_names, _default_input_names(model, args, positions),
                         "input_names")
    axes = _dynamic_axes(dynamic_axes)
    modes = [(module, module.training) for module in model.modules()]
    try:
        model.eval()
        traces = [trace(model, args)]
        for label, resized in _axes_by_label(axes, positions, input_names).items():
            traces.append(_trace_resized(model, args, resized, label))
    finally:
        for module, training in modes:
            module.train(training)
    output_names = _names(output_names, traces[0].output_names, "output_names")
    if any(len(t.outputs) != len(traces[0].outputs) for t in traces):
        raise ExportError("export: the model returns a different number of outputs at "
                          "different input sizes; export without dynamic_axes")
    unknown = set(axes) - set(input_names) - set(output_names)
    if unknown:
        raise ExportError(f"export: dynamic_axes names {sorted(unknown)}, which are neither "
                          f"inputs {input_names} nor outputs {output_names}")

    lowering = Lowering(model, traces, opset, do_constant_folding, export_params)
    inputs = [lowering.add_input(position, name)
              for position, name in zip(positions, input_names)]
    lowering.name_outputs(output_names)
    lowering.run()
    outputs = lowering.outputs(output_names)
    proto = _model(type(model).__name__, lowering, inputs, outputs, axes, opset,
                   keep_initializers_as_inputs)
    if verbose:
        print(_describe(proto.graph))
    onnx.save_model(proto, f)
    return proto


def _model(name: str, lowering: Lowering, inputs: list, outputs: list, axes: dict,
           opset: int, keep_initializers_as_inputs: bool) -> onnx.ModelProto:
    """The model: declared inputs and outputs (labels on the dynamic axes), the nodes, the
    initializers some node reads; checked by ONNX's checker with shape inference."""
    graph = lowering.graph
    declared = [value_info(v.name, v.dtype, _dims(v, axes.get(v.name, {}), inputs, axes))
                for v in inputs]
    declared += [value_info(v.name, v.dtype, list(v.shape)) for v in lowering.parameter_inputs]
    initializers = graph.initializer_tensors(graph.used_names([v.name for v in outputs]))
    if keep_initializers_as_inputs:
        declared += [value_info(t.name, helper.tensor_dtype_to_np_dtype(t.data_type),
                                list(t.dims)) for t in initializers]
    results = [value_info(v.name, v.dtype, _dims(v, axes.get(v.name, {}), inputs, axes))
               for v in outputs]
    body = helper.make_graph(graph.nodes, name, declared, results, initializer=initializers)
    opsets = [helper.make_opsetid("", opset)]
    proto = helper.make_model(body, opset_imports=opsets, producer_name="minidl",
                              producer_version=__version__,
                              ir_version=helper.find_min_ir_version_for(opsets))
    try:
        onnx.checker.check_model(proto, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as error:
        raise ExportError(f"export: the graph built for {name} fails ONNX's checker (a bug "
                          f"in minidl.onnx): {error}") from None
    return proto


def _describe(body: onnx.GraphProto) -> str:
    """The graph in ONNX's text syntax, the weights listed by name and shape only."""
    nodes = onnx.GraphProto()
    nodes.CopyFrom(body)
    del nodes.initializer[:]
    weights = [f"  {t.name}: {list(t.dims)}" for t in body.initializer]
    return "\n".join(["initializers:", *weights, onnx.printer.to_text(nodes)])


def _as_args(args) -> tuple:
    if isinstance(args, Tensor):
        return (args,)
    if isinstance(args, tuple | list):
        return tuple(args)
    raise TypeError(f"export: args must be a Tensor or a tuple of forward arguments, got "
                    f"{type(args).__name__}")


def _opset(opset_version) -> int:
    newest = onnx.defs.onnx_opset_version()
    if opset_version is None:
        return DEFAULT_OPSET
    if not isinstance(opset_version, int) or not MIN_OPSET <= opset_version <= newest:
        raise ExportError(f"export: opset_version must be an int from {MIN_OPSET} to "
                          f"{newest} (the installed onnx's newest), got {opset_version!r}")
    return opset_version


def _default_input_names(model: Module, args: tuple, positions: list) -> list[str]:
    """The forward's parameter names at the tensors' positions (``input_<i>`` where the
    forward takes ``*args``)."""
    parameters = [p for p in inspect.signature(model.forward).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return [parameters[i].name if i < len(parameters) else f"input_{i}" for i in positions]


def _names(given, defaults: list[str], argument: str) -> list[str]:
    """The names given (a list, possibly shorter than needed), completed by defaults."""
    if given is None:
        given = []
    if isinstance(given, str) or not all(isinstance(name, str) for name in given):
        raise ExportError(f"export: {argument} must be a list of str, got {given!r}")
    if len(given) > len(defaults):
        raise ExportError(f"export: {argument} has {len(given)} names but the model has "
                          f"{len(defaults)}")
    names = list(given) + defaults[len(given):]
    if len(set(names)) != len(names):
        raise ExportError(f"export: {argument} {names} repeats a name")
    return names


def _dynamic_axes(dynamic_axes) -> dict[str, dict[int, str]]:
    """``{name: {axis: label}}`` from torch's two spellings (a dict or a list of axes)."""
    if dynamic_axes is None:
        return {}
    if not isinstance(dynamic_axes, dict):
        raise ExportError(f"export: dynamic_axes must be a dict, got {dynamic_axes!r}")
    result = {}
    for name, axes in dynamic_axes.items():
        if isinstance(axes, list | tuple):
            axes = {axis: f"{name}_dynamic_axes_{i + 1}" for i, axis in enumerate(axes)}
        if not isinstance(axes, dict) or not all(
                isinstance(a, int) and isinstance(label, str) for a, label in axes.items()):
            raise ExportError(f"export: dynamic_axes[{name!r}] must map axes (int) to "
                              f"names (str), or list axes, got {axes!r}")
        result[name] = dict(axes)
    return result


def _axes_by_label(axes: dict, positions: list, input_names: list) -> dict:
    """``{label: [(position, axis, input name)]}``: the input axes that share a label
    have one size, so they change size together."""
    groups: dict = {}
    for position, name in zip(positions, input_names):
        for axis, label in axes.get(name, {}).items():
            groups.setdefault(label, []).append((position, axis, name))
    return groups


def _trace_resized(model: Module, args: tuple, resized: list, label: str):
    """Trace the model with each of the ``resized`` input axes doubled."""
    resized_args = list(args)
    for position, axis, name in resized:
        example = resized_args[position]
        if not -example.ndim <= axis < example.ndim:
            raise ExportError(f"export: dynamic axis {axis} of input {name!r} is out of "
                              f"range (shape {example.shape})")
        xp = array_module(example.array)
        resized_args[position] = Tensor._from_array(
            xp.concatenate([example.array] * 2, axis=axis))
    try:
        return trace(model, tuple(resized_args))
    except ExportError:
        raise
    except Exception as error:
        shapes = ", ".join(f"{name} {resized_args[position].shape}"
                           for position, _, name in resized)
        raise ExportError(f"export: dynamic axis {label!r}: the model fails on inputs of "
                          f"other sizes along it ({shapes}: {error}); leave it out of "
                          "dynamic_axes") from None


def _dims(value, labels: dict, inputs: list, axes: dict) -> list:
    """The declared dims of an input or output: a label for a dynamic axis (an output's
    axis that changes with an input's dynamic axis takes that axis's label), else the
    size."""
    dims = []
    for axis in range(value.ndim):
        sizes = value.sizes(axis)
        label = labels.get(axis, labels.get(axis - value.ndim))
        if label is None and len(set(sizes)) > 1:
            label = next((axes[v.name][a] for v in inputs for a in axes.get(v.name, {})
                          if v.sizes(a) == sizes), f"{value.name}_dim{axis}")
        dims.append(label if label is not None else sizes[0])
    return dims
