"""``Tensor``: an n-dimensional array that remembers how it was computed.

A Tensor wraps a raw array (``tensor.array``: a NumPy array on "cpu", a CuPy array on
"cuda").  When it takes part in an operation while ``requires_grad`` is set, the result
records the operation (``result.grad_fn``), and ``result.backward()`` later walks those
records back to fill ``.grad`` of every leaf tensor that requires a gradient.

Semantics follow PyTorch:

* ``tensor.data`` is another Tensor on the same memory that does not require grad;
* in-place operations (``x.add_(y)``, ``x += y``, ``x[i] = v``) change the memory and add one
  to its version counter, which lets backward detect that a value it saved was changed
  since (``autograd/saved.py``).  With grad mode on, a leaf that requires grad refuses them;
  on any other tensor they are recorded when the tensor or an operand requires grad: the
  tensor becomes the op's output in the graph.  An in-place change of a *view* rewrites
  its base's history too, as PyTorch's CopySlices does (``autograd/views.py``).  Under
  ``no_grad`` nothing is recorded;
* results take PyTorch's dtypes (``dtypes.py``).

This module holds the core: what a tensor is, Python numbers and lists, leaving the graph and
changing device or dtype, new tensors like this one, gradients, indexing, the arithmetic
operators (with PyTorch's type promotion) and the dtype conversions.  The other methods come
from mixins in ``minidl/tensor_methods/``, one idea a module: in-place changes, comparisons,
elementwise functions, reductions, sorting, shapes, selection by index or mask, matrices and
random draws.
"""
from __future__ import annotations

import numpy as np

from . import tensor_methods
from .autograd import engine, function, graph_backward, hooks, views
from .autograd.saved import VersionCounter
from .backend import (
    array_device,
    array_module,
    device_of,
    module_for_device,
    normalize_device,
    to_device,
)
from .compat.missing import NotImplementedInMinidl
from .dtypes import (
    FLOATING,
    as_dtype,
    binary_result_type,
    category,
    get_default_dtype,
    is_number,
    result_type,
)
from .memory_format import check_memory_format
from .ops.arguments import normalize_dims
from .ops.arithmetic import Add, Div, Mul, Neg, Pow, PowScalar, Sub
from .ops.copy import ContiguousCopy
from .ops.elementwise import Cast
from .ops.rounded_division import Remainder, floor_divide, trunc_divide
from .ops.shape import GetItem, IndexPut
from .printing import array_text
from .size import Size
from .tensor_methods import (
    ComparisonMethods,
    ElementwiseMethods,
    InPlaceMethods,
    MatrixMethods,
    ReductionMethods,
    SamplingMethods,
    SelectionMethods,
    ShapeMethods,
    SortingMethods,
)
from .tensor_methods.base import ValuesIndices as ValuesIndices  # minidl.tensor.ValuesIndices
from .tensor_methods.base import _as_tensor, _shape_args

# PyTorch's legacy type names (``tensor.type()``), by dtype
_TYPE_NAMES = {np.dtype(np.float32): "FloatTensor", np.dtype(np.float64): "DoubleTensor",
               np.dtype(np.float16): "HalfTensor", np.dtype(np.int64): "LongTensor",
               np.dtype(np.int32): "IntTensor", np.dtype(np.int16): "ShortTensor",
               np.dtype(np.int8): "CharTensor", np.dtype(np.uint8): "ByteTensor",
               np.dtype(np.bool_): "BoolTensor"}


class Tensor(InPlaceMethods, ComparisonMethods, ElementwiseMethods, ReductionMethods,
             SortingMethods, ShapeMethods, SelectionMethods, MatrixMethods, SamplingMethods):
    """An array with an optional gradient and a link to the function that produced it."""

    __slots__ = ("array", "grad", "grad_fn", "_requires_grad", "_version_counter", "_base",
                 "_post_accumulate_grad_hooks", "_grad_hooks", "__weakref__")
    __array_priority__ = 1000  # make ``ndarray + Tensor`` call Tensor.__radd__

    def __init__(self, *data, device=None):
        """PyTorch's legacy constructor: ``Tensor(2, 3)`` is a (2, 3) tensor (zero-filled;
        PyTorch leaves it uninitialized), ``Tensor(data)`` a copy of data as the default float
        type.  ``minidl.tensor(data)`` is the constructor to prefer: it keeps data's dtype."""
        self._wrap(legacy_array(data, get_default_dtype(), device))

    def _wrap(self, array, requires_grad: bool = False, grad_fn=None) -> None:
        if isinstance(array, np.generic):  # NumPy reductions give scalars: keep 0-d arrays
            array = np.asarray(array)
        self.array = array
        self.grad = None
        self.grad_fn = grad_fn
        self._requires_grad = requires_grad
        self._version_counter = VersionCounter()
        self._base = None

    def __getattr__(self, name: str):
        """Only called for names the class lacks: a Tensor method of PyTorch's that minidl
        does not have ends the program with one line, "minidl does not implement
        torch.Tensor.X (yet)", still an AttributeError (``hasattr`` answers False).  Private
        names and names the class has (a property that failed) get Python's usual error."""
        if name.startswith("_") or hasattr(type(self), name):
            raise AttributeError(f"'Tensor' object has no attribute {name!r}")
        raise NotImplementedInMinidl(f"torch.Tensor.{name}")

    @classmethod
    def _from_array(cls, array, requires_grad: bool = False, grad_fn=None) -> Tensor:
        """Wrap a raw array without copying or checking (used by Function.apply)."""
        tensor = object.__new__(cls)
        tensor._wrap(array, requires_grad, grad_fn)
        return tensor

    # -- what a tensor is ---------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """A Tensor on the same memory that does not require grad, as in PyTorch: changing it
        changes this tensor, unseen by autograd (it has a version counter of its own)."""
        return Tensor._from_array(self.array)

    @data.setter
    def data(self, value: Tensor) -> None:
        """``p.data = t``: this tensor takes over t's memory (shape and dtype included)."""
        if not isinstance(value, Tensor):
            raise TypeError(f"data: expected a Tensor, got {type(value).__name__} (the raw "
                            "array is tensor.array)")
        self.array = value.array

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self.array.dtype.kind != "f":
            raise RuntimeError("only floating point tensors can require gradients, "
                               f"got dtype {self.array.dtype}")
        if not value and self.grad_fn is not None:
            raise RuntimeError("requires_grad can only be switched off on a leaf tensor; "
                               "use .detach() on a computed one")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's memory has had (PyTorch's ``_version``)."""
        return self._version_counter.value

    @property
    def shape(self) -> Size:
        return tuple.__new__(Size, self.array.shape)

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    @property
    def device(self):
        """``minidl.device("cpu")`` or ``minidl.device("cuda")`` (equal to those strings)."""
        return device_of(self.array)

    @property
    def is_cuda(self) -> bool:
        return self.device == "cuda"

    is_xpu = is_mps = is_meta = False  # devices minidl does not have

    def get_device(self) -> int:
        """-1 on the CPU, the GPU's index (0) on "cuda"."""
        return 0 if self.is_cuda else -1

    @property
    def ndim(self) -> int:
        return self.array.ndim

    def dim(self) -> int:
        return self.array.ndim

    def size(self, dim: int | None = None):
        if dim is None:
            return self.shape
        return self.shape[normalize_dims(dim, self.ndim, "size")[0]]

    def numel(self) -> int:
        return int(self.array.size)

    nelement = numel

    def element_size(self) -> int:
        return self.array.itemsize

    def is_floating_point(self) -> bool:
        return self.dtype.kind == "f"

    def is_contiguous(self, memory_format=None) -> bool:
        check_memory_format(memory_format, "is_contiguous")
        return bool(self.array.flags.c_contiguous)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __repr__(self) -> str:
        body = array_text(self._host(), prefix="tensor(")
        extras = []
        if self.array.size == 0 and self.ndim != 1:  # "[]" alone does not say the shape
            extras.append(f"size={tuple(self.shape)}")
        if self.dtype not in (get_default_dtype(), np.int64, np.bool_):
            extras.append(f"dtype={self.dtype}")
        if self.device != "cpu":
            extras.append(f"device='{self.device}'")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    def __format__(self, spec: str) -> str:
        """A 0-dim tensor formats as its number (``f"{loss:.4f}"``); others only as str()."""
        if self.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    __hash__ = object.__hash__  # tensors are keys by identity (optimizer state, ...)

    # -- Python numbers and lists ---------------------------------------------------------
    def _host(self) -> np.ndarray:
        return to_device(self.array, "cpu")

    def numpy(self) -> np.ndarray:
        """The data as a NumPy array (shared with the tensor on "cpu")."""
        if self.requires_grad:
            raise RuntimeError("can't call numpy() on a tensor that requires grad; "
                               "use tensor.detach().numpy()")
        if self.device != "cpu":
            raise TypeError("can't convert a 'cuda' tensor to NumPy; use tensor.cpu() first")
        return self.array

    def __array__(self, dtype=None, copy=None):
        array = self.detach().cpu().numpy()
        return array if dtype is None else array.astype(dtype)

    def item(self):
        """The one element as a Python number (float, int or bool)."""
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted "
                               "to Scalar")
        return self._host().reshape(()).item()

    def tolist(self):
        """The elements as nested Python lists (a number for a 0-dim tensor)."""
        return self._host().tolist()

    def _scalar(self):
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __float__(self):
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def __index__(self):
        """Lets a one-element integer tensor stand where Python wants an int (``range(t)``,
        ``list[t]``)."""
        if self.numel() != 1 or self.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to "
                            "an index")
        return int(self.item())

    def __bool__(self):
        if self.numel() == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        if self.numel() > 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is "
                               "ambiguous")
        return bool(self.item())

    # -- leaving the graph, changing device or dtype -----------------------------------
    def detach(self) -> Tensor:
        """The same memory (and version counter), cut off from the graph."""
        detached = Tensor._from_array(self.array)
        detached._version_counter = self._version_counter
        return detached

    def detach_(self) -> Tensor:
        """Cut this tensor off the graph: it becomes a leaf that does not require grad."""
        self.grad_fn, self._requires_grad = None, False
        return self

    def clone(self, *, memory_format=None) -> Tensor:
        """A copy of the data that stays in the graph (``memory_format`` changes nothing:
        minidl keeps one layout)."""
        check_memory_format(memory_format, "clone")
        if self.requires_grad:
            return self * 1
        return Tensor._from_array(self.array.copy())

    def pin_memory(self) -> Tensor:
        """Self: pinned (page-locked) host memory only speeds up copies to a GPU, which
        minidl's CuPy copies do not use."""
        return self

    def is_pinned(self) -> bool:
        return False

    def contiguous(self, memory_format=None) -> Tensor:
        """Self if its memory is C-contiguous, else a C-contiguous copy (differentiable:
        the copy's gradient is the gradient).  minidl keeps one memory format, so
        ``memory_format`` is checked and otherwise changes nothing."""
        check_memory_format(memory_format, "contiguous")
        if self.array.flags.c_contiguous:
            return self
        return ContiguousCopy.apply(self)

    def to(self, *args, **kwargs) -> Tensor:
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)`` or ``to(other)`` (other's
        device and dtype); ``copy=True`` copies even when nothing changes.  Differentiable
        for float dtypes."""
        target_device, target_dtype, copy = _to_arguments(args, kwargs)
        moves = target_device is not None and target_device != self.device
        if moves and self.requires_grad and not self.is_leaf:
            raise RuntimeError("to(device) on a tensor inside a graph is not supported; "
                               "move the leaf tensors (or the model) instead")
        result = self
        if target_dtype is not None and target_dtype != self.dtype:
            result = result._cast(target_dtype)
        if moves:
            result = Tensor._from_array(to_device(result.array, target_device),
                                        requires_grad=result.requires_grad and result.is_leaf)
        if copy and result is self:
            result = self.clone()
        return result

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device=None) -> Tensor:
        return self.to("cuda" if device is None else device)

    def _cast(self, dtype: np.dtype) -> Tensor:
        if self.requires_grad and dtype.kind == "f":
            return Cast.apply(self, dtype=dtype)
        return Tensor._from_array(self.array.astype(dtype))

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def type(self, dtype=None):
        """Without an argument, PyTorch's type name (``"torch.FloatTensor"``,
        ``"torch.cuda.LongTensor"``); with a dtype or such a name, the converted tensor."""
        if dtype is None:
            prefix = "torch.cuda." if self.is_cuda else "torch."
            return prefix + _TYPE_NAMES[self.dtype]
        if isinstance(dtype, str) and dtype.startswith("torch."):
            by_name = {name: key for key, name in _TYPE_NAMES.items()}
            kind = dtype.rsplit(".", 1)[-1]
            if kind not in by_name:
                raise ValueError(f"type(): unknown tensor type {dtype!r}")
            where = "cuda" if dtype.startswith("torch.cuda.") else "cpu"
            return self.to(where, by_name[kind])
        return self.to(as_dtype(dtype))

    # -- new tensors like this one ---------------------------------------------------------
    def _new(self, fill, size, dtype) -> Tensor:
        xp = array_module(self.array)
        return Tensor._from_array(fill(xp, _shape_args(size), as_dtype(dtype) or self.dtype))

    def new_zeros(self, *size, dtype=None) -> Tensor:
        return self._new(lambda xp, s, d: xp.zeros(s, dtype=d), size, dtype)

    def new_ones(self, *size, dtype=None) -> Tensor:
        return self._new(lambda xp, s, d: xp.ones(s, dtype=d), size, dtype)

    new_empty = new_zeros

    def new_full(self, size, fill_value, dtype=None) -> Tensor:
        return self._new(lambda xp, s, d: xp.full(s, fill_value, dtype=d), (size,), dtype)

    def new_tensor(self, data, dtype=None) -> Tensor:
        from .creation import tensor  # creation builds on Tensor
        return tensor(data, dtype=dtype or self.dtype, device=self.device)

    # -- gradients ------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs=None) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires a gradient, into ``leaf.grad``.

        ``gradient`` is d(loss)/d(self); it may be left out only when self has one element.
        The graph is freed afterwards unless ``retain_graph=True``.  With
        ``create_graph=True`` the gradients are recorded Tensors that can be differentiated
        again (``autograd/graph_backward.py``), and the graph is kept unless
        ``retain_graph=False``.  ``inputs`` (a Tensor or a sequence): only these tensors'
        ``.grad`` receive the gradient (leaves or not), as in PyTorch.
        """
        if inputs is not None:
            self._backward_into(inputs, gradient, retain_graph, create_graph)
            return
        if not self.requires_grad:
            raise RuntimeError("backward(): this tensor does not require grad and has no "
                               "grad_fn (did an input set requires_grad=True? was it "
                               "computed under no_grad?)")
        xp = array_module(self.array)
        if gradient is None:
            if self.numel() != 1:
                raise RuntimeError(f"backward(): grad can be implicitly created only for "
                                   f"one-element outputs, this one has shape {self.shape}; "
                                   "pass a gradient of that shape")
            grad = xp.ones(self.array.shape, dtype=self.dtype)
        else:
            grad = gradient.array if isinstance(gradient, Tensor) else xp.asarray(gradient)
            if tuple(grad.shape) != self.shape:
                raise RuntimeError(f"backward(): gradient has shape {tuple(grad.shape)}, "
                                   f"expected the output's shape {self.shape}")
            grad = grad.astype(self.dtype, copy=False)
        if self.grad_fn is None:  # a leaf: d self / d self = 1
            engine.accumulate_into_leaf(self, grad)
            return
        if create_graph:
            given = gradient if isinstance(gradient, Tensor) else Tensor._from_array(grad)
            if given.dtype != self.dtype:
                given = given.to(self.dtype)
            graph_backward.run_backward_graph([views.current(self)], [given],
                                              retain_graph=retain_graph is not False)
            return
        engine.run_backward(views.current(self), grad, retain_graph=bool(retain_graph))

    def _backward_into(self, inputs, gradient, retain_graph, create_graph) -> None:
        """``backward(inputs=...)``: d(self)/d(each input), added into its ``.grad``."""
        from .autograd.gradients import grad as gradients_of
        targets = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
        if not targets:
            raise RuntimeError("backward(): 'inputs' argument to backward() cannot be empty")
        found = gradients_of(self, targets, gradient, retain_graph=retain_graph,
                             create_graph=create_graph, allow_unused=True)
        for target, found_grad in zip(targets, found):
            if found_grad is None:
                continue
            found_grad = found_grad if create_graph else found_grad.detach()
            target.grad = found_grad if target.grad is None else target.grad + found_grad

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(self)`` in every backward pass once this leaf's gradient for the
        pass has been added into ``self.grad``; returns a handle with ``remove()``."""
        if self.grad_fn is not None:
            raise RuntimeError("register_post_accumulate_grad_hook: post accumulate grad "
                               "hooks can only be registered on leaf tensors")
        if not self.requires_grad:
            raise RuntimeError("register_post_accumulate_grad_hook: this tensor does not "
                               "require grad, so no gradient is ever accumulated into it")
        return hooks.add_post_accumulate_hook(self, hook)

    def register_hook(self, hook):
        """Call ``hook(grad)`` each time the gradient with respect to this tensor is computed,
        before it is used; a hook that returns a Tensor replaces the gradient.  Returns a
        handle with ``remove()``."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that "
                               "doesn't require gradient")
        return hooks.add_grad_hook(self.grad_fn if self.grad_fn is not None else self, hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor too during backward."""
        if self.grad_fn is not None:
            self.grad_fn.retained_output = self

    # -- indexing --------------------------------------------------------------------------
    def __getitem__(self, index):
        index = _index_arrays(index, self.device)
        stages = _torch_index_stages(index)
        if stages is not None:  # integers first, then the arrays (PyTorch's order)
            first, rest = stages
            return self[first][rest]
        parts = index if isinstance(index, tuple) else (index,)
        if all(isinstance(p, int | np.integer) and not isinstance(p, bool) for p in parts):
            index = (*parts, Ellipsis)  # x[i, j] a 0-d view (NumPy would copy to a scalar)
        try:
            return GetItem.apply(self, index=index)
        except IndexError as error:
            raise IndexError(f"indexing a tensor of shape {self.shape}: {error}") from None

    def __setitem__(self, index, value) -> None:
        index = _index_arrays(index, self.device)
        stages = _torch_index_stages(index)
        if stages is not None:  # into the view the integers select (PyTorch's order)
            first, rest = stages
            self[first][rest] = value
            return
        if not self._records(value):
            array = to_device(value.array, self.device) if isinstance(value, Tensor) else value
            self._write("item assignment", lambda target: target.__setitem__(index, array))
            return
        value = value if isinstance(value, Tensor) else _as_tensor(value, self)
        value = value if value.dtype == self.dtype else value._cast(self.dtype)
        self._inplace("item assignment", lambda old: IndexPut.apply(old, value, index=index),
                      value)

    # -- arithmetic, with PyTorch's type promotion --------------------------------------------
    def _binary(self, function, other, reflected: bool = False, dtype=None, **options):
        """Apply a broadcasting two-input function on operands converted to the promoted
        dtype, with a clear error for bad shapes."""
        other = self._operand(other, function)
        a, b = (other, self) if reflected else (self, other)
        dtype = dtype or binary_result_type(self, other)
        if function is Sub and (self.dtype == np.bool_ or isinstance(other, bool | np.bool_)
                                or getattr(other, "dtype", None) == np.bool_):
            raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not "
                               "supported; to invert a mask, use ~ or logical_not()")
        a, b = self._converted(a, dtype), self._converted(b, dtype)
        try:
            return function.apply(a, b, **options)
        except ValueError:
            shape_a, shape_b = (tuple(getattr(v, "shape", ())) for v in (a, b))
            raise RuntimeError(f"{function.__name__.lower()}: shapes {shape_a} and {shape_b} "
                               "do not broadcast") from None

    def _operand(self, other, op):
        """``other`` as an operand: tensors, raw arrays and numbers as they are, lists as
        tensors on this tensor's device.  ``op`` (a name or a Function) is for the error."""
        if isinstance(other, Tensor) or is_number(other) or array_device(other) is not None:
            return other
        if isinstance(other, list | tuple):
            return _as_tensor(other, self)
        name = getattr(op, "__name__", op).lower()
        raise TypeError(f"{name}: unsupported operand of type {type(other).__name__}")

    def _converted(self, value, dtype):
        """An operand as a Tensor or raw array of ``dtype`` (numbers on this tensor's device)."""
        if isinstance(value, Tensor):
            return value if value.array.dtype == dtype else value._cast(dtype)
        if is_number(value):
            if np.dtype(dtype).kind in "iu" and isinstance(value, int | np.integer):
                value = _wrapped_integer(int(value), dtype)
            return array_module(self.array).asarray(value, dtype=dtype)
        return value.astype(dtype, copy=False)

    def __add__(self, other):
        return self._binary(Add, other)

    def __radd__(self, other):
        return self._binary(Add, other, reflected=True)

    def __sub__(self, other):
        return self._binary(Sub, other)

    def __rsub__(self, other):
        return self._binary(Sub, other, reflected=True)

    def __mul__(self, other):
        return self._binary(Mul, other)

    def __rmul__(self, other):
        return self._binary(Mul, other, reflected=True)

    def _division_dtype(self, other):
        dtype = binary_result_type(self, self._operand(other, "div"))
        return dtype if category(dtype) == FLOATING else get_default_dtype()

    def __truediv__(self, other):
        return self._binary(Div, other, dtype=self._division_dtype(other))

    def __rtruediv__(self, other):
        return self._binary(Div, other, reflected=True, dtype=self._division_dtype(other))

    def _rounding_operands(self, op: str, other, reflected: bool):
        """The operands of a rounded division or remainder, converted to their promoted
        dtype (left, right), after PyTorch's refusals: bool operands, integer division by
        zero, shapes that do not broadcast."""
        other = self._operand(other, op)
        dtype = binary_result_type(self, other)
        if dtype == np.bool_:
            raise RuntimeError(f"{op}: not implemented for bool tensors")
        a, b = (self._converted(v, dtype) for v in ((other, self) if reflected
                                                     else (self, other)))
        divisor = b.array if isinstance(b, Tensor) else b
        if dtype.kind in "iu" and bool((divisor == 0).any()):
            raise RuntimeError(f"{op}: ZeroDivisionError (integer division by zero)")
        shapes = [tuple(getattr(v, "shape", ())) for v in (a, b)]
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            raise RuntimeError(f"{op}: shapes {shapes[0]} and {shapes[1]} do not "
                               "broadcast") from None
        return a, b

    def _rounded_division(self, other, rounding_mode: str, reflected: bool = False):
        """self / other rounded down ("floor") or towards zero ("trunc"): a constant (its
        gradient is 0, as in PyTorch)."""
        a, b = self._rounding_operands("div", other, reflected)
        a, b = (v.array if isinstance(v, Tensor) else v for v in (a, b))
        rounded = floor_divide(a, b) if rounding_mode == "floor" else trunc_divide(a, b)
        return Tensor._from_array(rounded)

    def __floordiv__(self, other):
        return self._rounded_division(other, "floor")

    def __rfloordiv__(self, other):
        return self._rounded_division(other, "floor", reflected=True)

    def __mod__(self, other):
        return Remainder.apply(*self._rounding_operands("remainder", other, False))

    def __rmod__(self, other):
        return Remainder.apply(*self._rounding_operands("remainder", other, True))

    def div(self, other, *, rounding_mode=None):
        """self / other: true division (a float result), or rounded with ``rounding_mode``
        "floor" (towards -inf) or "trunc" (towards 0), in the operands' promoted dtype."""
        if rounding_mode is None:
            return self / other
        if rounding_mode not in ("floor", "trunc"):
            raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or "
                             f"'floor' but found {rounding_mode!r}")
        return self._rounded_division(other, rounding_mode)

    divide = div
    floor_divide = __floordiv__
    remainder = __mod__

    def __neg__(self):
        if self.dtype == np.bool_:
            raise RuntimeError("negation, the `-` operator, on a bool tensor is not "
                               "supported; use ~ or logical_not() instead")
        return Neg.apply(self)

    def __pos__(self):
        return self

    def __pow__(self, exponent):
        if is_number(exponent) and not isinstance(exponent, bool | np.bool_):
            dtype = result_type(self, exponent)
            base = self if self.dtype == dtype else self._cast(dtype)
            return PowScalar.apply(base, exponent=exponent)
        return self._binary(Pow, exponent)

    def __rpow__(self, base):
        return self._binary(Pow, base, reflected=True)

    def __matmul__(self, other):
        return self.matmul(other)

    def __rmatmul__(self, other):
        return _as_tensor(other, self).matmul(self)

    def add(self, other, alpha=1):
        """self + alpha * other"""
        return self + (other if alpha == 1 else self._operand(other, "add") * alpha)

    def sub(self, other, alpha=1):
        """self - alpha * other"""
        return self - (other if alpha == 1 else self._operand(other, "sub") * alpha)

    mul = __mul__
    multiply = __mul__
    true_divide = __truediv__
    pow = __pow__
    neg = __neg__
    negative = __neg__

    # -- dtype conversions (last: their names, float, int, bool, would shadow the builtins
    # in the annotations of the class body) --------------------------------------------------
    def float(self) -> Tensor:
        return self.to(np.float32)

    def double(self) -> Tensor:
        return self.to(np.float64)

    def half(self) -> Tensor:
        return self.to(np.float16)

    def long(self) -> Tensor:
        return self.to(np.int64)

    def int(self) -> Tensor:
        return self.to(np.int32)

    def bool(self) -> Tensor:
        return self.to(np.bool_)

    def byte(self) -> Tensor:
        return self.to(np.uint8)


tensor_methods.bind(Tensor)  # the groups' methods name the class (tensor_methods/__init__.py)
function.bind(Tensor)  # so does Function.apply


# -- helpers --------------------------------------------------------------------------------
def legacy_array(data: tuple, dtype, device):
    """The array of PyTorch's legacy constructors (``Tensor(...)``, ``LongTensor(...)``):
    zeros of the given sizes, or a copy of one piece of data, as ``dtype``."""
    from .creation import to_array  # creation builds on Tensor

    if all(isinstance(d, int | np.integer) for d in data):
        return module_for_device(normalize_device(device)).zeros(data or (0,), dtype=dtype)
    if len(data) == 1:
        return to_device(to_array(data[0], dtype), normalize_device(device))
    raise TypeError(f"Tensor(): expected sizes or one sequence of data, got {data!r}")


def _to_arguments(args: tuple, kwargs: dict):
    """Check ``Tensor.to``'s arguments before anything is copied: (device or None, dtype or
    None, copy)."""
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    check_memory_format(kwargs.pop("memory_format", None), "to")  # one layout: no change
    if kwargs:
        raise TypeError(f"to(): unexpected arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, str) and not _names_dtype(arg):
            device = arg
        elif isinstance(arg, bool):
            continue  # PyTorch's positional non_blocking
        else:
            dtype = arg
    if device is not None:
        device = normalize_device(device)
        module_for_device(device)  # a clear error now if it is not available
    return device, as_dtype(dtype), copy


def _names_dtype(name: str) -> bool:
    try:
        np.dtype(name)
    except TypeError:
        return False
    return True


def _wrapped_integer(value: int, dtype) -> int:
    """A Python int as an integer dtype holds it: wrapped around modulo 2^bits, as PyTorch
    computes ``uint8 tensor + 300`` (NumPy refuses the out-of-range scalar)."""
    info = np.iinfo(dtype)
    if info.min <= value <= info.max:
        return value
    return (value - info.min) % (info.max - info.min + 1) + info.min


def _index_arrays(index, device: str):
    """Replace Tensors and lists inside an index by raw arrays on ``device`` (as in
    PyTorch, index tensors may live on the CPU whatever the indexed tensor's device);
    uint8 arrays are masks, as PyTorch's (deprecated) rule has it."""
    def convert(part):
        if isinstance(part, Tensor):
            part = part.array
        elif isinstance(part, list):
            part = np.asarray(part)
        if array_device(part) is not None:
            part = to_device(part, device)
            return part.astype(bool) if part.dtype == np.uint8 else part
        return part
    if isinstance(index, tuple):
        return tuple(convert(p) for p in index)
    return convert(index)


def _is_integer_index(part) -> bool:
    """An int (not a bool) or a 0-d integer array: PyTorch selects with it first."""
    if isinstance(part, bool | np.bool_):
        return False
    if isinstance(part, int | np.integer):
        return True
    return getattr(part, "ndim", None) == 0 and part.dtype.kind in "iu"


def _torch_index_stages(index):
    """``(integers, rest)`` when an index mixes integers with index arrays, else None.

    PyTorch applies an index's integers first (each selects, removing its dimension) and
    its arrays afterwards, on the dimensions left; NumPy counts integers among the arrays,
    which moves the result's dimensions: ``x[0, :, [1, 2]]`` of a (2, 3, 4) x is (3, 2) in
    PyTorch and (2, 3) in NumPy.  The first stage keeps the integers in their places
    (every other part a whole slice over the dimensions it covers, None dropped); the
    second is the index without them."""
    if not isinstance(index, tuple):  # one part cannot mix integers with arrays
        return None
    parts = index
    if not any(_is_integer_index(p) for p in parts) or not any(
            getattr(p, "ndim", None) is not None and (p.ndim > 0 or p.dtype == np.bool_)
            for p in parts):
        return None
    first, rest = [], []
    for part in parts:
        if _is_integer_index(part):
            first.append(int(part))
        elif part is None:
            rest.append(part)
        elif part is Ellipsis:
            first.append(part)
            rest.append(part)
        else:
            covered = part.ndim if getattr(part, "dtype", None) == np.bool_ else 1
            first.extend([slice(None)] * covered)
            rest.append(part)
    return tuple(first), tuple(rest)
