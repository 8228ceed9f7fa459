"""The ONNX graph under construction: values, nodes, constants, and sizes known only when
the exported model runs.

Every value of the graph carries its shape in each trace (the example input's first,
then one per dynamic axis, traced at another size).  A size that is equal in all traces
is a constant of the graph; one that changes is read from a value at run time
(``Shape`` -> ``Gather``), so the exported model takes any size along the dynamic axes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import helper, numpy_helper

from .errors import ExportError

INT64_MAX = 2**63 - 1
INT64_MIN = -2**63
SMALL_CONSTANT = 16  # constants of at most this many elements are shared by value


@dataclass(eq=False)
class Value:
    """A value of the graph: its name, its shape in each trace, its dtype, and its
    contents when they are known at export time (a parameter, a literal, a folded
    computation on those)."""
    name: str
    shapes: tuple
    dtype: np.dtype
    constant: np.ndarray | None = None

    @property
    def shape(self) -> tuple:
        return self.shapes[0]

    @property
    def ndim(self) -> int:
        return len(self.shapes[0])

    def sizes(self, axis: int) -> tuple:
        """The size of ``axis`` in each trace."""
        return tuple(shape[axis] for shape in self.shapes)


def tensor_type(dtype) -> int:
    """ONNX's element type for a NumPy dtype."""
    return helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


class Graph:
    """Nodes and initializers in the order they are made, with unique names."""

    def __init__(self, opset: int):
        self.opset = opset
        self.nodes: list = []
        self.initializers: dict[str, np.ndarray] = {}
        self.runtime_values: list[Value] = []  # computed when the model runs, in order
        self._names: set[str] = set()
        self._shared_constants: dict = {}
        self._shapes: dict[str, str] = {}
        self._sizes: dict[tuple, str] = {}

    # -- names -----------------------------------------------------------------------------
    def unique(self, hint: str) -> str:
        name, count = hint, 0
        while name in self._names:
            count += 1
            name = f"{hint}_{count}"
        self._names.add(name)
        return name

    def reserve(self, name: str) -> None:
        """Claim a name that must stay as it is: an input or output name, a parameter's."""
        if name in self._names:
            raise ExportError(f"export: the name {name!r} is given to two values (input and "
                              "output names must differ from each other and from the "
                              "model's parameter names)")
        self._names.add(name)

    # -- nodes -----------------------------------------------------------------------------
    def node(self, op_type: str, inputs: list, outputs: list, scope: str,
             **attributes) -> None:
        """Append a node; an input None is an omitted optional input."""
        name = self.unique(f"/{scope}/{op_type}" if scope else f"/{op_type}")
        self.nodes.append(helper.make_node(op_type, ["" if i is None else i for i in inputs],
                                           outputs, name=name, **attributes))

    def step(self, op_type: str, inputs: list, scope: str, **attributes) -> str:
        """Append a node with one output under a new name; return that name."""
        output = self.unique(f"/{scope}/{op_type}_output" if scope else f"/{op_type}_output")
        self.node(op_type, inputs, [output], scope, **attributes)
        return output

    # -- constants -------------------------------------------------------------------------
    def initializer(self, name: str, array: np.ndarray) -> None:
        self.initializers[name] = np.require(array, requirements="C")  # keeps 0-d 0-d

    def constant(self, array, hint: str = "constant") -> str:
        """The name of an initializer holding ``array``; small ones are shared."""
        array = np.asarray(array)
        key = None
        if array.size <= SMALL_CONSTANT:
            key = (array.dtype.str, array.shape, array.tobytes())
            if key in self._shared_constants:
                return self._shared_constants[key]
        name = self.unique(hint)
        self.initializer(name, array)
        if key is not None:
            self._shared_constants[key] = name
        return name

    def int64s(self, values) -> str:
        return self.constant(np.asarray(values, dtype=np.int64).reshape(-1), "ints")

    def cast(self, value: Value, dtype, scope: str) -> str:
        """``value`` as ``dtype`` (a Cast node only when the dtypes differ)."""
        dtype = np.dtype(dtype)
        if value.dtype == dtype:
            return value.name
        if value.constant is not None:
            return self.constant(value.constant.astype(dtype), f"{value.name}_as_{dtype}")
        return self.step("Cast", [value.name], scope, to=tensor_type(dtype))

    # -- sizes known at run time -----------------------------------------------------------
    def size(self, sizes: tuple, scope: str, prefer: tuple = ()) -> str | None:
        """A 1-element int64 tensor holding a size that is ``sizes[t]`` in trace t: the
        size of an axis of some value computed at run time whose size is the same in
        every trace (the values in ``prefer`` are tried first, then every value in the
        order they were made, graph inputs first).  None when no value has it."""
        for value in (*prefer, *self.runtime_values):
            if value.constant is not None or len(value.shapes) != len(sizes):
                continue
            for axis in range(value.ndim):
                if value.sizes(axis) == tuple(sizes):
                    return self._size_of(value, axis, scope)
        return None

    def _size_of(self, value: Value, axis: int, scope: str) -> str:
        key = (value.name, axis)
        if key not in self._sizes:
            if value.name not in self._shapes:
                self._shapes[value.name] = self.step("Shape", [value.name], scope)
            self._sizes[key] = self.step("Gather", [self._shapes[value.name],
                                                    self.int64s([axis])], scope, axis=0)
        return self._sizes[key]

    def shape_tensor(self, entries: list, scope: str) -> str:
        """A 1-D int64 tensor from ``entries``: ints (constants) and names of 1-element
        int64 tensors (sizes read at run time)."""
        if all(isinstance(entry, int | np.integer) for entry in entries):
            return self.int64s(entries)
        pieces: list = []
        run: list = []
        for entry in entries:
            if isinstance(entry, str):
                if run:
                    pieces.append(self.int64s(run))
                    run = []
                pieces.append(entry)
            else:
                run.append(int(entry))
        if run:
            pieces.append(self.int64s(run))
        return self.step("Concat", pieces, scope, axis=0)

    # -- the model -------------------------------------------------------------------------
    def initializer_tensors(self, used: set) -> list:
        """The initializers that some node or output reads, as TensorProtos."""
        return [numpy_helper.from_array(array, name)
                for name, array in self.initializers.items() if name in used]

    def used_names(self, outputs: list[str]) -> set:
        names = set(outputs)
        for node in self.nodes:
            names.update(node.input)
        return names


def value_info(name: str, dtype, dims: list) -> onnx.ValueInfoProto:
    """A typed input/output declaration; a dim is an int or a symbolic name."""
    return helper.make_tensor_value_info(name, tensor_type(dtype), dims)
