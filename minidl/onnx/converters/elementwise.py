"""Arithmetic, elementwise functions, activations, softmax, matrix products, reductions.

NumPy and ONNX broadcast alike, so binary operations map one to one; where NumPy
promoted mixed dtypes, the operands are cast to the output's dtype first.
"""
from __future__ import annotations

import numpy as np

from ...nn.functional.activation import LogSoftmax, Softmax
from ...ops import arithmetic as A
from ...ops import elementwise as E
from ...ops import linalg as L
from ...ops import reduction as R
from ..graph import tensor_type
from . import converts

BINARY = {A.Add: "Add", A.Sub: "Sub", A.Mul: "Mul", A.Div: "Div", A.Pow: "Pow"}
UNARY = {A.Neg: "Neg", E.Exp: "Exp", E.Log: "Log", E.Sqrt: "Sqrt", E.Abs: "Abs",
         E.ReLU: "Relu", E.Sigmoid: "Sigmoid", E.Tanh: "Tanh"}
# ReduceSum takes its axes as an input from opset 13, the others from opset 18
AXES_INPUT_SINCE = {"ReduceSum": 13, "ReduceMean": 18, "ReduceMax": 18, "ReduceMin": 18}


@converts(*BINARY)
def binary(graph, op):
    dtype = op.output.dtype
    a, b = (graph.cast(value, dtype, op.scope) for value in op.inputs)
    graph.node(BINARY[op.function], [a, b], [op.output.name], op.scope)


@converts(A.PowScalar)
def power_by_constant(graph, op):
    dtype = op.output.dtype
    exponent = graph.constant(np.asarray(op.option("exponent"), dtype=dtype), "exponent")
    graph.node("Pow", [graph.cast(op.inputs[0], dtype, op.scope), exponent],
               [op.output.name], op.scope)


@converts(*UNARY)
def unary(graph, op):
    graph.node(UNARY[op.function], [op.inputs[0].name], [op.output.name], op.scope)


@converts(E.LeakyReLU)
def leaky_relu(graph, op):
    graph.node("LeakyRelu", [op.inputs[0].name], [op.output.name], op.scope,
               alpha=float(op.option("negative_slope")))


@converts(E.Clamp)
def clamp(graph, op):
    x = op.inputs[0]
    bounds = [None if bound is None else graph.constant(np.asarray(bound, dtype=x.dtype),
                                                        "bound")
              for bound in (op.option("low"), op.option("high"))]
    graph.node("Clip", [x.name, *bounds], [op.output.name], op.scope)


@converts(E.Where)
def where(graph, op):
    condition, a, b = op.inputs
    dtype = op.output.dtype
    graph.node("Where", [graph.cast(condition, np.bool_, op.scope),
                         graph.cast(a, dtype, op.scope), graph.cast(b, dtype, op.scope)],
               [op.output.name], op.scope)


@converts(E.Cast)
def cast(graph, op):
    graph.node("Cast", [op.inputs[0].name], [op.output.name], op.scope,
               to=tensor_type(op.output.dtype))


@converts(L.MatMul)
def matmul(graph, op):
    graph.node("MatMul", [value.name for value in op.inputs], [op.output.name], op.scope)


@converts(Softmax, LogSoftmax)
def softmax(graph, op):
    graph.node(op.name, [op.inputs[0].name], [op.output.name], op.scope,
               axis=int(op.option("axis")))


def reduce(graph, op_type: str, input: str, axes, keepdim: bool, scope: str,
           output: str | None = None) -> str:
    """A Reduce* node over ``axes``, with the axes as an input or an attribute as the
    opset wants; returns the output's name."""
    axes = [int(axis) for axis in axes]
    if graph.opset >= AXES_INPUT_SINCE[op_type]:
        inputs, attributes = [input, graph.int64s(axes)], {}
    else:
        inputs, attributes = [input], {"axes": axes}
    if output is None:
        return graph.step(op_type, inputs, scope, keepdims=int(keepdim), **attributes)
    graph.node(op_type, inputs, [output], scope, keepdims=int(keepdim), **attributes)
    return output


@converts(R.Sum, R.Mean, R.Amax)
def reduction(graph, op):
    if op.function is R.Amax:
        op_type = "ReduceMax" if op.option("largest") else "ReduceMin"
    else:
        op_type = {R.Sum: "ReduceSum", R.Mean: "ReduceMean"}[op.function]
    # NumPy sums bools and small integers as int64: reduce in the output's dtype
    x = graph.cast(op.inputs[0], op.output.dtype, op.scope)
    reduce(graph, op_type, x, op.option("axes"), op.option("keepdim"), op.scope,
           op.output.name)


@converts(R.Var)
def variance(graph, op):
    """Σ (x - mean)² / (n - correction), n the number of reduced elements."""
    x = op.inputs[0]
    axes, keepdim = op.option("axes"), op.option("keepdim")
    counts = {int(np.prod([shape[axis] for axis in axes])) for shape in x.shapes}
    if len(counts) > 1:
        raise op.error("a variance over a dynamic axis cannot be exported (its divisor "
                       "would change with the input's size)")
    divisor = max(counts.pop() - op.option("correction"), 0)
    mean = reduce(graph, "ReduceMean", x.name, axes, True, op.scope)
    centred = graph.step("Sub", [x.name, mean], op.scope)
    squares = graph.step("Mul", [centred, centred], op.scope)
    total = reduce(graph, "ReduceSum", squares, axes, keepdim, op.scope)
    graph.node("Div", [total, graph.constant(np.asarray(divisor, dtype=x.dtype), "divisor")],
               [op.output.name], op.scope)
