"""From traces to an ONNX graph: every recorded operation becomes nodes.

The traces (the example's first, then one per dynamic axis) ran the same operations in
the same order; operation k of every trace becomes one graph value.  Each input of an
operation is, in every trace alike, one of:

- a graph input (a tensor handed to ``export``),
- the output of an earlier operation,
- a parameter or buffer of the model: an initializer named as in ``state_dict()``,
- anything else (a raw array, a tensor made inside ``forward``): a constant, which must
  be the same in every trace — a value computed from the input outside minidl's
  operations changes with it and is refused, not silently frozen.

With constant folding on, an operation whose inputs are all known at export time
(``weight.T``, a slice of a parameter) is not converted: its traced output becomes an
initializer.
"""
from __future__ import annotations

from itertools import chain

import numpy as np

from ..backend import to_device
from ..tensor import Tensor
from .converters import CONVERTERS, Operation
from .errors import ExportError
from .graph import Graph, Value
from .tracer import scope_text


def _as_array(obj) -> np.ndarray:
    """A constant operand as a NumPy array."""
    if isinstance(obj, Tensor):
        obj = obj.array
    if hasattr(obj, "shape"):
        return to_device(obj, "cpu")
    return np.asarray(obj)


class Lowering:
    """Walks aligned traces and fills a :class:`Graph`."""

    def __init__(self, model, traces: list, opset: int, fold: bool, export_params: bool):
        self.model = model
        self.traces = traces
        self.graph = Graph(opset)
        self.fold = fold
        self.export_params = export_params
        self.known: list[dict] = [{} for _ in traces]  # per trace: id(tensor) -> Value
        self.state: dict = {}  # id(parameter or buffer, or its raw array) -> (name, tensor)
        for name, tensor in chain(model.named_parameters(), model.named_buffers()):
            self.state.setdefault(id(tensor), (name, tensor))
            self.state.setdefault(id(tensor.array), (name, tensor))
        self.state_values: dict[str, Value] = {}
        self.parameter_inputs: list[Value] = []
        self.output_names: dict[int, str] = {}
        self.requested: set[str] = set()

    # -- inputs ----------------------------------------------------------------------------
    def add_input(self, position: int, name: str) -> Value:
        """The graph input for the ``position``-th tensor argument of every trace."""
        tensors = [trace.inputs[position] for trace in self.traces]
        value = Value(name, tuple(t.shape for t in tensors), tensors[0].dtype)
        self.graph.reserve(name)
        self.graph.runtime_values.append(value)
        for known, tensor in zip(self.known, tensors):
            known[id(tensor)] = value
        return value

    def _state_value(self, name: str, tensor: Tensor) -> Value:
        """The initializer (or, without ``export_params``, the graph input) holding a
        parameter or buffer."""
        if name not in self.state_values:
            array = to_device(tensor.array, "cpu")
            self.graph.reserve(name)
            shapes = (array.shape,) * len(self.traces)
            if self.export_params:
                self.graph.initializer(name, array)
                self.state_values[name] = Value(name, shapes, array.dtype, constant=array)
            else:
                self.state_values[name] = Value(name, shapes, array.dtype)
                self.parameter_inputs.append(self.state_values[name])
        return self.state_values[name]

    def operand(self, objects: list, op_name: str, where: str, scope: str) -> Value | None:
        """The graph value of one operand, given as it was in each trace."""
        if all(obj is None for obj in objects):
            return None
        values = []
        for known, obj in zip(self.known, objects):
            value = known.get(id(obj))
            if value is None and id(obj) in self.state:
                value = self._state_value(*self.state[id(obj)])
            values.append(value)
        if values[0] is not None:
            if any(value is not values[0] for value in values):
                raise ExportError(f"{op_name} in {where} reads different tensors in the "
                                  "traces at different input sizes; export without "
                                  "dynamic_axes")
            return values[0]
        if any(value is not None for value in values):
            raise ExportError(f"{op_name} in {where} reads a constant at one input size "
                              "and a computed tensor at another; export without "
                              "dynamic_axes")
        arrays = [_as_array(obj) for obj in objects]
        for array in arrays[1:]:
            if array.shape != arrays[0].shape or not np.array_equal(array, arrays[0]):
                raise ExportError(
                    f"{op_name} in {where} reads a tensor made outside minidl's operations "
                    f"(created in forward, or computed from the input through .numpy(), "
                    f"comparisons or Python code) that changes with the input's size "
                    f"(shape {arrays[0].shape} vs {array.shape}); an exported graph can "
                    "only hold it as a constant.  Compute it with tensor operations from "
                    "the input, or export without dynamic_axes")
        name = self.graph.constant(arrays[0], f"/{scope}/constant" if scope else "/constant")
        return Value(name, (arrays[0].shape,) * len(self.traces), arrays[0].dtype,
                     constant=arrays[0])

    # -- operations ------------------------------------------------------------------------
    def run(self) -> None:
        counts = {len(trace.calls) for trace in self.traces}
        if len(counts) > 1:
            raise ExportError(
                "the model runs a different number of operations at different input sizes "
                f"({sorted(counts)}): its forward takes another path when a dynamic axis "
                "changes size; export without dynamic_axes")
        for calls in zip(*(trace.calls for trace in self.traces)):
            self.lower(calls)

    def lower(self, calls: tuple) -> None:
        """Convert one operation (the same call in every trace)."""
        first = calls[0]
        where = scope_text(first.scope, self.model)
        name = first.function.__name__
        if any(c.function is not first.function or c.scope != first.scope or
               len(c.inputs) != len(first.inputs) for c in calls):
            raise ExportError(f"the model runs different operations at different input sizes "
                              f"({name} in {where} at the example's size); export without "
                              "dynamic_axes")
        inputs = [self.operand([c.inputs[i] for c in calls], name, where, first.scope)
                  for i in range(len(first.inputs))]
        output_name = self.output_names.pop(id(first.output), None)
        if output_name is None:
            hint = f"/{first.scope}/{name}_output" if first.scope else f"/{name}_output"
            output_name = self.graph.unique(hint)
        output = Value(output_name, tuple(c.output.shape for c in calls), first.output.dtype)
        present = [value for value in inputs if value is not None]
        foldable = self.fold and output_name not in self.requested and \
            all(value.constant is not None for value in present) and \
            len({(c.output.shape, _as_array(c.output).tobytes()) for c in calls}) == 1
        if foldable:
            output.constant = _as_array(first.output)
            self.graph.initializer(output_name, output.constant)
        else:
            converter = CONVERTERS.get(first.function)
            if converter is None:
                raise ExportError(f"{name} in {where} has no ONNX conversion; minidl.onnx "
                                  f"exports {', '.join(sorted(f.__name__ for f in CONVERTERS))}")
            converter(self.graph, Operation(first.function, first.scope, where, inputs,
                                            [c.options for c in calls], output,
                                            self.resolve))
            self.graph.runtime_values.append(output)
        for known, call in zip(self.known, calls):
            known[id(call.output)] = output

    def resolve(self, objects: list, op: Operation) -> Value | None:
        """An option holding a tensor (per trace) as a graph value."""
        return self.operand(objects, op.name, op.where, op.scope)

    # -- outputs ---------------------------------------------------------------------------
    def name_outputs(self, names: list[str]) -> None:
        """Give the operations whose outputs the model returns the output names (a tensor
        returned twice is named once; the other names get an Identity)."""
        self.requested = set(names)
        for name in names:
            self.graph.reserve(name)
        for tensor, name in zip(self.traces[0].outputs, names):
            self.output_names.setdefault(id(tensor), name)

    def outputs(self, names: list[str]) -> list[Value]:
        """The output values, named; after :meth:`run`."""
        values = []
        for position, name in enumerate(names):
            objects = [trace.outputs[position] for trace in self.traces]
            value = self.operand(objects, "the model's output", f"output {name!r}", "")
            assert value is not None  # a traced output is a tensor, never None
            if value.name != name:
                self.graph.node("Identity", [value.name], [name], "")
                value = Value(name, value.shapes, value.dtype)
            values.append(value)
        return values
