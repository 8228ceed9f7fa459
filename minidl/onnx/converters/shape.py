"""Reshape, permute, expand, indexing, concatenation, stacking, gathering.

Reshape and expand record their target shapes as plain numbers; a target size that
changes between the traces (it follows a dynamic axis) is written so that the exported
graph works it out when it runs: ONNX Reshape's 0 ("keep this input size") where the
input has that size at the same position, -1 ("whatever is left") for one remaining
size, Expand's 1 ("keep the input's size"), or else the size read from a value that has
it in every trace (``Graph.size``).
"""
from __future__ import annotations

import numpy as np

from ...backend import to_device
from ...ops import shape as S
from ..graph import INT64_MAX, INT64_MIN
from . import converts


def _unresolvable(op, axis: int, sizes: tuple):
    return op.error(f"the size of dimension {axis} of its result ({' / '.join(map(str, sizes))}"
                    " in the traces) follows a dynamic axis in a way the graph cannot "
                    "reproduce; export without that dynamic axis")


@converts(S.Reshape)
def reshape(graph, op):
    x, out = op.inputs[0], op.output
    entries, open_axes = [], []
    for axis in range(out.ndim):
        sizes = out.sizes(axis)
        if len(set(sizes)) == 1:
            if sizes[0] == 0:
                raise op.error("reshaping to an empty dimension cannot be exported")
            entries.append(sizes[0])
        elif axis < x.ndim and x.sizes(axis) == sizes:
            entries.append(0)
        else:
            entries.append(None)
            open_axes.append(axis)
    if len(open_axes) == 1:
        entries[open_axes[0]] = -1
    else:
        for axis in open_axes:
            entries[axis] = graph.size(out.sizes(axis), op.scope, prefer=(x,))
            if entries[axis] is None:
                raise _unresolvable(op, axis, out.sizes(axis))
    graph.node("Reshape", [x.name, graph.shape_tensor(entries, op.scope)], [out.name],
               op.scope)


@converts(S.Expand)
def expand(graph, op):
    x, out = op.inputs[0], op.output
    offset = out.ndim - x.ndim
    entries = []
    for axis in range(out.ndim):
        sizes = out.sizes(axis)
        if len(set(sizes)) == 1:
            entries.append(sizes[0])
        elif axis >= offset and x.sizes(axis - offset) == sizes:
            entries.append(1)  # broadcasting keeps the input's size
        else:
            entries.append(graph.size(sizes, op.scope, prefer=(x,)))
            if entries[-1] is None:
                raise _unresolvable(op, axis, sizes)
    graph.node("Expand", [x.name, graph.shape_tensor(entries, op.scope)], [out.name],
               op.scope)


@converts(S.Permute)
def permute(graph, op):
    graph.node("Transpose", [op.inputs[0].name], [op.output.name], op.scope,
               perm=[int(d) for d in op.option("dims")])


@converts(S.Cat)
def cat(graph, op):
    graph.node("Concat", [value.name for value in op.inputs], [op.output.name], op.scope,
               axis=int(op.option("axis")))


@converts(S.Stack)
def stack(graph, op):
    axis = int(op.option("axis"))
    pieces = [graph.step("Unsqueeze", [value.name, graph.int64s([axis])], op.scope)
              for value in op.inputs]
    graph.node("Concat", pieces, [op.output.name], op.scope, axis=axis)


@converts(S.Gather)
def gather(graph, op):
    index = graph.constant(to_device(op.option("index"), "cpu").astype(np.int64), "index")
    graph.node("GatherElements", [op.inputs[0].name, index], [op.output.name], op.scope,
               axis=int(op.option("axis")))


def _is_int(part) -> bool:
    return isinstance(part, int | np.integer) and not isinstance(part, bool)


def _expand_ellipsis(index: tuple, ndim: int, op) -> tuple:
    """The index with ``...`` replaced by full slices."""
    ellipses = [i for i, part in enumerate(index) if part is Ellipsis]
    consumed = sum(1 for part in index if part is not None and part is not Ellipsis)
    if len(ellipses) > 1:
        raise op.error("an index can have only one ellipsis (...)")
    if consumed > ndim:
        raise op.error(f"too many indices for a tensor of {ndim} dimensions")
    fill = (slice(None),) * (ndim - consumed)
    if not ellipses:
        return index + fill
    at = ellipses[0]
    return index[:at] + fill + index[at + 1:]


@converts(S.GetItem)
def get_item(graph, op):
    """Basic indexing (ints, slices, None, ...) as Slice, Squeeze and Unsqueeze; one
    integer array (alone with slices) as Gather."""
    x = op.inputs[0]
    index = op.option("index")
    index = _expand_ellipsis(index if isinstance(index, tuple) else (index,), x.ndim, op)
    arrays = [part for part in index if hasattr(part, "dtype") and getattr(part, "ndim", 0)]
    if any(part.dtype == np.bool_ for part in arrays) or len(arrays) > 1 or (
            arrays and any(_is_int(part) or part is None for part in index)):
        raise op.error("only basic indexing (ints, slices, None, ...) and a single integer "
                       "array among slices can be exported; boolean masks and combined "
                       "advanced indices cannot")
    starts, ends, axes, strides = [], [], [], []
    squeeze, unsqueeze, gather = [], [], None
    axis = position = 0
    for part in index:
        if part is None:
            unsqueeze.append(position)
            position += 1
            continue
        if _is_int(part) or (hasattr(part, "ndim") and part.ndim == 0):
            part = int(part)
            starts.append(part)
            ends.append(part + 1 if part != -1 else INT64_MAX)
            axes.append(axis)
            strides.append(1)
            squeeze.append(axis)
        elif isinstance(part, slice):
            step = 1 if part.step is None else int(part.step)
            if part != slice(None):
                starts.append(int(part.start) if part.start is not None
                              else (0 if step > 0 else INT64_MAX))
                ends.append(int(part.stop) if part.stop is not None
                            else (INT64_MAX if step > 0 else INT64_MIN))
                axes.append(axis)
                strides.append(step)
            position += 1
        else:
            gather = (axis, to_device(part, "cpu").astype(np.int64))
            position += part.ndim
        axis += 1
    chain = []  # (op_type, inputs after the data, attributes)
    if starts:
        chain.append(("Slice", [graph.int64s(v) for v in (starts, ends, axes, strides)], {}))
    if gather is not None:
        chain.append(("Gather", [graph.constant(gather[1], "index")], {"axis": gather[0]}))
    if squeeze:
        chain.append(("Squeeze", [graph.int64s(squeeze)], {}))
    if unsqueeze:
        chain.append(("Unsqueeze", [graph.int64s(unsqueeze)], {}))
    if not chain:
        chain.append(("Identity", [], {}))
    result = x.name
    for op_type, inputs, attributes in chain[:-1]:
        result = graph.step(op_type, [result, *inputs], op.scope, **attributes)
    op_type, inputs, attributes = chain[-1]
    graph.node(op_type, [result, *inputs], [op.output.name], op.scope, **attributes)
