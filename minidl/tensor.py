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
  tensor becomes the op's output in the graph.  One case is not supported yet: recording
  an in-place change of a *view* of another tensor (PyTorch then rewrites the base's
  history); it raises an error that says so.  Under ``no_grad`` nothing is recorded;
* results take PyTorch's dtypes (``dtypes.py``).
"""
from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from . import random as _random
from .autograd import engine, hooks, views
from .autograd.function import notify_in_place
from .autograd.grad_mode import is_grad_enabled
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
    can_cast,
    category,
    get_default_dtype,
    is_number,
    result_type,
)
from .ops.arguments import check_matmul, normalize_dims, softmax_dim
from .ops.arithmetic import Add, Div, Mul, Neg, Pow, PowScalar, Sub
from .ops.cumprod import Cumprod
from .ops.cumulative import Cumsum, Prod
from .ops.elementwise import (
    Abs,
    Cast,
    Clamp,
    Cos,
    Exp,
    Expm1,
    Log,
    Log1p,
    Maximum,
    ReLU,
    Sigmoid,
    Sin,
    Sqrt,
    Tan,
    Tanh,
    Where,
)
from .ops.erf import Erf
from .ops.fmod import Fmod
from .ops.hyperbolic import Cosh, Sinh
from .ops.inverse_trigonometry import Acos, Asin, Atan
from .ops.linalg import MatMul
from .ops.logarithms import LogBase
from .ops.logsumexp import LogSumExp
from .ops.ordering import sort_order
from .ops.polar import Atan2, Hypot
from .ops.rearrange import Flip, Roll
from .ops.reduction import Amax, Mean, Norm, Sum, Var
from .ops.rounded_division import Remainder, floor_divide, trunc_divide
from .ops.shape import Cat, Expand, Gather, GetItem, IndexPut, Permute, Reshape, Scatter
from .ops.softmax import LogSoftmax, Softmax, normalize_along
from .printing import array_text
from .size import Size

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])

# PyTorch's legacy type names (``tensor.type()``), by dtype
_TYPE_NAMES = {np.dtype(np.float32): "FloatTensor", np.dtype(np.float64): "DoubleTensor",
               np.dtype(np.float16): "HalfTensor", np.dtype(np.int64): "LongTensor",
               np.dtype(np.int32): "IntTensor", np.dtype(np.int16): "ShortTensor",
               np.dtype(np.int8): "CharTensor", np.dtype(np.uint8): "ByteTensor",
               np.dtype(np.bool_): "BoolTensor"}


class Tensor:
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

    def is_contiguous(self) -> bool:
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

    def clone(self) -> Tensor:
        """A copy of the data that stays in the graph."""
        if self.requires_grad:
            return self * 1
        return Tensor._from_array(self.array.copy())

    def contiguous(self) -> Tensor:
        return self

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
    def backward(self, gradient=None, retain_graph: bool | None = None) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires a gradient, into ``leaf.grad``.

        ``gradient`` is d(loss)/d(self); it may be left out only when self has one element.
        The graph is freed afterwards unless ``retain_graph=True``.
        """
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
        engine.run_backward(views.current(self), grad, retain_graph=bool(retain_graph))

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

    # -- in-place changes -------------------------------------------------------------------
    def _bump_version(self) -> None:
        """Note that the memory was changed in place (optimizers call this after a step)."""
        self._version_counter.bump()

    def _records(self, *operands) -> bool:
        """Whether an in-place change of self with ``operands`` goes into the graph."""
        return is_grad_enabled() and (self.requires_grad or any(
            isinstance(o, Tensor) and o.requires_grad for o in operands))

    def _check_recordable(self) -> None:
        """PyTorch's refusals of in-place changes that the graph can't take."""
        if self.is_leaf and self.requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        base = self._base
        if base is not None and base.is_leaf and base.requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used "
                               "in an in-place operation.")

    def _old_value(self) -> Tensor:
        """A copy of self's value in self's place in the graph: what a recorded in-place op
        reads (and may save for backward) before self takes the result's place."""
        return Tensor._from_array(self.array.copy(), self.requires_grad, self.grad_fn)

    def _write(self, op: str, store, source: Tensor | None = None) -> None:
        """``store(self.array)`` changes the memory; then the version counter moves on.
        ``source``: the tensor whose values self now holds, when one does (for a tracer
        watching the operations; see ``notify_in_place``)."""
        if not getattr(self.array.flags, "writeable", True):
            raise RuntimeError(f"{op}: this tensor's memory is read-only (an expanded view, "
                               "whose elements share memory, or a read-only NumPy array); "
                               "clone() it first")
        try:
            store(self.array)
        except ValueError as error:
            raise RuntimeError(f"{op}: {error}") from None
        self._version_counter.bump()
        notify_in_place(op, self, source)

    def _inplace(self, op: str, compute, *operands) -> Tensor:
        """Make ``compute(self)`` (the op's result, computed out of place) self's new value.

        When the change is recorded (grad mode on, and self or an operand requires grad),
        ``compute`` reads a copy of the old self and self then takes the result's place in
        the graph, so backward goes through the op, as in PyTorch.
        """
        records = self._records(*operands)
        if records:
            self._check_recordable()
            views.current(self)
        result = compute(self._old_value() if records else self)
        if not can_cast(result.dtype, self.dtype):
            raise RuntimeError(f"{op}: result type {result.dtype} can't be cast to the "
                               f"desired output type {self.dtype}")
        if result.shape != self.shape:
            raise RuntimeError(f"{op}: output with shape {list(self.shape)} doesn't match "
                               f"the broadcast shape {list(result.shape)}")
        if result.dtype != self.dtype:
            result = result._cast(self.dtype)
        self._write(op, lambda array: array.__setitem__(Ellipsis, result.array), result)
        if records and result.requires_grad:
            old_node = self.grad_fn
            if self._base is not None:          # base and self rebased (``views.py``)
                views.record_write_through_view(self, result)
            else:
                self.grad_fn, self._requires_grad = result.grad_fn, True
            if old_node is not None and old_node.retained_output is self:  # retain_grad()
                old_node.retained_output, self.grad_fn.retained_output = None, self
            self._version_counter.rewritten = self._version_counter.value
        return self

    def copy_(self, source, non_blocking: bool = False) -> Tensor:
        """Copy ``source`` (broadcast, converted to self's dtype, from any device) into self;
        differentiable with respect to ``source``."""
        if not self._records(source):
            array = source.array if isinstance(source, Tensor) else source
            array = to_device(array_module(array).asarray(array), self.device)
            whole = isinstance(source, Tensor) and source.shape == self.shape \
                and source.dtype == self.dtype
            self._write("copy_", lambda target: target.__setitem__(Ellipsis, array),
                        source if whole else None)
            return self
        source = source if isinstance(source, Tensor) else _as_tensor(source, self)
        source = source if source.dtype == self.dtype else source._cast(self.dtype)
        everywhere = array_module(self.array).asarray(True)
        # recorded as where(True, source, self): the gradient goes to source, none to old self
        return self._inplace("copy_", lambda old: Where.apply(everywhere, source, old), source)

    def fill_(self, value) -> Tensor:
        if isinstance(value, Tensor) and value.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.ndim} dimensions")
        return self.copy_(value)

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def uniform_(self, low: float = 0.0, high: float = 1.0, *, generator=None) -> Tensor:
        return self.copy_(_random.stream(generator, "uniform_").uniform(low, high, self.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
        return self.copy_(_random.stream(generator, "normal_").normal(mean, std, self.shape))

    def __setitem__(self, index, value) -> None:
        index = _index_arrays(index, self.device)
        if not self._records(value):
            array = to_device(value.array, self.device) if isinstance(value, Tensor) else value
            self._write("item assignment", lambda target: target.__setitem__(index, array))
            return
        value = value if isinstance(value, Tensor) else _as_tensor(value, self)
        value = value if value.dtype == self.dtype else value._cast(self.dtype)
        self._inplace("item assignment", lambda old: IndexPut.apply(old, value, index=index),
                      value)

    def add_(self, other, alpha=1) -> Tensor:
        if isinstance(alpha, Tensor):  # the old form add_(alpha, other)
            other, alpha = alpha, other
        return self._inplace("add_", lambda t: t.add(other, alpha=alpha), other)

    def sub_(self, other, alpha=1) -> Tensor:
        return self._inplace("sub_", lambda t: t.sub(other, alpha=alpha), other)

    def mul_(self, other) -> Tensor:
        return self._inplace("mul_", lambda t: t * other, other)

    def div_(self, other, *, rounding_mode=None) -> Tensor:
        return self._inplace("div_", lambda t: t.div(other, rounding_mode=rounding_mode),
                             other)

    def floor_divide_(self, other) -> Tensor:
        return self._inplace("floor_divide_", lambda t: t // other, other)

    def remainder_(self, other) -> Tensor:
        return self._inplace("remainder_", lambda t: t % other, other)

    def lerp_(self, end, weight) -> Tensor:
        return self._inplace("lerp_", lambda t: t.lerp(end, weight), end, weight)

    def pow_(self, exponent) -> Tensor:
        return self._inplace("pow_", lambda t: t ** exponent, exponent)

    def addcmul_(self, tensor1, tensor2, value=1) -> Tensor:
        """self += value * tensor1 * tensor2"""
        return self._inplace("addcmul_", lambda t: t + tensor1 * tensor2 * value,
                             tensor1, tensor2)

    def addcdiv_(self, tensor1, tensor2, value=1) -> Tensor:
        """self += value * tensor1 / tensor2"""
        return self._inplace("addcdiv_", lambda t: t + tensor1 / tensor2 * value,
                             tensor1, tensor2)

    def clamp_(self, min=None, max=None) -> Tensor:  # noqa: A002  (PyTorch's names)
        return self._inplace("clamp_", lambda t: t.clamp(min, max))

    clip_ = clamp_

    def clamp_min_(self, min) -> Tensor:  # noqa: A002
        return self.clamp_(min=min)

    def clamp_max_(self, max) -> Tensor:  # noqa: A002
        return self.clamp_(max=max)

    def masked_fill_(self, mask, value) -> Tensor:
        return self._inplace("masked_fill_", lambda t: t.masked_fill(mask, value), value)

    def neg_(self) -> Tensor:
        return self._inplace("neg_", lambda t: -t)

    def abs_(self) -> Tensor:
        return self._inplace("abs_", lambda t: t.abs())

    def exp_(self) -> Tensor:
        return self._inplace("exp_", lambda t: t.exp())

    def log_(self) -> Tensor:
        return self._inplace("log_", lambda t: t.log())

    def sqrt_(self) -> Tensor:
        return self._inplace("sqrt_", lambda t: t.sqrt())

    def sigmoid_(self) -> Tensor:
        return self._inplace("sigmoid_", lambda t: t.sigmoid())

    def tanh_(self) -> Tensor:
        return self._inplace("tanh_", lambda t: t.tanh())

    def relu_(self) -> Tensor:
        return self._inplace("relu_", lambda t: t.relu())

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __ifloordiv__(self, other):
        return self.floor_divide_(other)

    def __imod__(self, other):
        return self.remainder_(other)

    def __ipow__(self, exponent):
        return self.pow_(exponent)

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

    def matmul(self, other) -> Tensor:
        other = _as_tensor(other, self)
        check_matmul(self, other)
        return MatMul.apply(self, other)

    def mm(self, other) -> Tensor:
        """Matrix product of two 2-D tensors."""
        other = _as_tensor(other, self)
        if self.ndim != 2 or other.ndim != 2:
            raise RuntimeError(f"mm: expected two 2-D tensors, got shapes {self.shape} and "
                               f"{other.shape}")
        return self.matmul(other)

    def bmm(self, other) -> Tensor:
        """Batched matrix product: (b, n, k) @ (b, k, m) -> (b, n, m)."""
        other = _as_tensor(other, self)
        if self.ndim != 3 or other.ndim != 3 or self.shape[0] != other.shape[0]:
            raise RuntimeError(f"bmm: expected two 3-D tensors with the same batch size, "
                               f"got shapes {self.shape} and {other.shape}")
        return self.matmul(other)

    def dot(self, other) -> Tensor:
        """Inner product of two 1-D tensors of the same size."""
        other = _as_tensor(other, self)
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"dot: expected two 1-D tensors, got shapes {self.shape} and "
                               f"{other.shape}")
        return self.matmul(other)

    # -- comparisons (no gradient) --------------------------------------------------------
    def _compare(self, other, op):
        if not (isinstance(other, Tensor | list | tuple) or is_number(other)
                or array_device(other) is not None):
            return NotImplemented
        other = self._operand(other, "comparison")
        dtype = result_type(self, other)
        a, b = (self._converted(v, dtype) for v in (self, other))
        return Tensor._from_array(op(a.array, b.array if isinstance(b, Tensor) else b))

    def __eq__(self, other):
        return self._compare(other, lambda a, b: a == b)

    def __ne__(self, other):
        return self._compare(other, lambda a, b: a != b)

    def __lt__(self, other):
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other):
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other):
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other):
        return self._compare(other, lambda a, b: a >= b)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def equal(self, other: Tensor) -> bool:
        """True when both have the same shape and elements."""
        return self.shape == other.shape and bool((self == other).all())

    def allclose(self, other, rtol: float = 1e-5, atol: float = 1e-8,
                 equal_nan: bool = False) -> bool:
        other = _as_tensor(other, self)
        return bool(array_module(self.array).allclose(
            self.array, other.array, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def __invert__(self):
        if self.dtype != bool:
            raise TypeError(f"~ needs a bool tensor, got {self.dtype}")
        return Tensor._from_array(~self.array)

    def logical_not(self):
        return Tensor._from_array(array_module(self.array).logical_not(self.array))

    def __and__(self, other):
        return self._compare(other, lambda a, b: a & b)

    def __or__(self, other):
        return self._compare(other, lambda a, b: a | b)

    def any(self, dim=None, keepdim: bool = False) -> Tensor:
        """Whether any element is non-zero, over ``dim`` (all dimensions by default)."""
        axes = normalize_dims(dim, self.ndim, "any")
        return Tensor._from_array(array_module(self.array).any(self.array, axis=axes,
                                                               keepdims=keepdim))

    def all(self, dim=None, keepdim: bool = False) -> Tensor:
        """Whether every element is non-zero, over ``dim`` (all dimensions by default)."""
        axes = normalize_dims(dim, self.ndim, "all")
        return Tensor._from_array(array_module(self.array).all(self.array, axis=axes,
                                                               keepdims=keepdim))

    def isfinite(self) -> Tensor:
        return Tensor._from_array(array_module(self.array).isfinite(self.array))

    def isnan(self) -> Tensor:
        return Tensor._from_array(array_module(self.array).isnan(self.array))

    def isinf(self) -> Tensor:
        return Tensor._from_array(array_module(self.array).isinf(self.array))

    def nonzero(self, *, as_tuple: bool = False):
        """The indices of the non-zero elements: an int64 tensor of shape (count, ndim),
        one row per element in row-major order; with ``as_tuple``, one 1-D tensor per
        dimension (a 0-d tensor counts as 1-D there), as PyTorch."""
        xp = array_module(self.array)
        if as_tuple:
            found = xp.nonzero(self.array.reshape(-1) if self.ndim == 0 else self.array)
            return tuple(Tensor._from_array(i.astype(np.int64)) for i in found)
        if self.ndim == 0:
            count = int(bool(self.array))
            return Tensor._from_array(xp.zeros((count, 0), dtype=np.int64))
        found = xp.nonzero(self.array)
        return Tensor._from_array(xp.stack(found, axis=1).astype(np.int64))

    # -- elementwise functions ------------------------------------------------------------
    def _floating(self) -> Tensor:
        """Self, or self converted to the default float type if it holds bools or ints (the
        input of exp, log, sin, ... as in PyTorch)."""
        return self if self.dtype.kind == "f" else self._cast(get_default_dtype())

    def exp(self):
        return Exp.apply(self._floating())

    def expm1(self):
        return Expm1.apply(self._floating())

    def log(self):
        return Log.apply(self._floating())

    def log1p(self):
        return Log1p.apply(self._floating())

    def sqrt(self):
        return Sqrt.apply(self._floating())

    def sin(self):
        return Sin.apply(self._floating())

    def cos(self):
        return Cos.apply(self._floating())

    def tan(self):
        return Tan.apply(self._floating())

    def sigmoid(self):
        return Sigmoid.apply(self._floating())

    def tanh(self):
        return Tanh.apply(self._floating())

    def abs(self):
        return Abs.apply(self)

    def relu(self):
        return ReLU.apply(self)

    def square(self):
        return self * self

    def reciprocal(self):
        return 1 / self._floating()

    def rsqrt(self):
        return 1 / self.sqrt()

    def sign(self):
        """-1, 0 or 1 (a constant: its gradient is 0 everywhere)."""
        return Tensor._from_array(array_module(self.array).sign(self.array))

    def floor(self):
        return Tensor._from_array(array_module(self.array).floor(self.array))

    def ceil(self):
        return Tensor._from_array(array_module(self.array).ceil(self.array))

    def round(self, *, decimals: int = 0):
        """Halves round to even, as PyTorch (a constant: its gradient is 0 everywhere);
        ``decimals`` digits after the point (negative: to tens, hundreds ...)."""
        if not isinstance(decimals, int) or isinstance(decimals, bool):
            raise TypeError(f"round: decimals must be an int, got {decimals!r}")
        return Tensor._from_array(array_module(self.array).round(self.array, decimals))

    def clamp(self, min=None, max=None):  # noqa: A002  (PyTorch's names)
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        bounds = [b for b in (min, max) if b is not None]
        if any(isinstance(b, Tensor) for b in bounds):
            result = self if min is None else self.maximum(min)
            return result if max is None else result.minimum(max)
        dtype = result_type(self, *bounds)
        x = self if self.dtype == dtype else self._cast(dtype)
        return Clamp.apply(x, low=min, high=max)

    clip = clamp

    def clamp_min(self, min):  # noqa: A002
        return self.clamp(min=min)

    def clamp_max(self, max):  # noqa: A002
        return self.clamp(max=max)

    def lerp(self, end, weight):
        """self + weight · (end - self), computed as PyTorch does: from self where |weight|
        < 0.5, else as end - (end - self)·(1 - weight) (so weight 1 gives end exactly).
        ``end`` must have self's (floating) dtype; ``weight`` is a number or a tensor.
        Differentiable in all three: d/dself = 1 - weight, d/dend = weight,
        d/dweight = end - self."""
        end = _as_tensor(end, self)
        if self.dtype.kind != "f" or end.dtype != self.dtype:
            raise RuntimeError(f"lerp: expected end of self's floating point dtype, got self "
                               f"{self.dtype} and end {end.dtype}")
        difference = end - self
        if not isinstance(weight, Tensor):
            if not is_number(weight):
                raise TypeError(f"lerp: weight must be a number or a tensor, got "
                                f"{type(weight).__name__}")
            return (self + weight * difference if abs(weight) < 0.5
                    else end - difference * (1 - weight))
        weight = weight if weight.dtype == self.dtype else weight._cast(self.dtype)
        near_self = (weight.abs() < 0.5).array
        return Where.apply(near_self, self + weight * difference,
                           end - difference * (1 - weight))

    def maximum(self, other):
        """The larger of self and other, elementwise (ties share the gradient)."""
        return self._binary(Maximum, other)

    def minimum(self, other):
        return self._binary(Maximum, other, largest=False)

    def softmax(self, dim: int):
        return normalize_along(Softmax, self, softmax_dim(self, dim, "softmax"))

    def log_softmax(self, dim: int):
        return normalize_along(LogSoftmax, self, softmax_dim(self, dim, "log_softmax"))

    # -- reductions -----------------------------------------------------------------------
    def sum(self, dim=None, keepdim: bool = False, dtype=None):
        """Sum over ``dim`` (all by default); bools and integers sum as int64 (PyTorch)."""
        axes = normalize_dims(dim, self.ndim, "sum")
        source = self if dtype is None else self.to(dtype)
        if source.dtype.kind in "biu":
            return Tensor._from_array(source.array.sum(axis=axes, keepdims=keepdim,
                                                       dtype=np.int64))
        return Sum.apply(source, axes=axes, keepdim=keepdim)

    def _counting(self, dtype) -> Tensor:
        """Self as ``dtype``, or, by default, with bools and integers as int64: the input of
        running sums and products (PyTorch's result types)."""
        if dtype is not None:
            return self.to(dtype)
        return self._cast(np.dtype(np.int64)) if self.dtype.kind in "biu" else self

    def cumsum(self, dim: int, *, dtype=None):
        """The running sum along ``dim``: y_i = x_0 + ... + x_i (bools and integers as
        int64); differentiable."""
        axis = normalize_dims(dim, self.ndim, "cumsum")
        source = self._counting(dtype)
        if not axis:  # a 0-d tensor is its own running sum
            return source * 1
        return Cumsum.apply(source, axis=axis[0])

    def prod(self, dim=None, keepdim: bool = False, *, dtype=None):
        """The product of the elements, along ``dim`` (one dimension; all by default);
        bools and integers multiply as int64.  Differentiable, zeros included (see
        ``ops/cumulative.py``)."""
        source = self._counting(dtype)
        if dim is None:
            product = Prod.apply(source.reshape(-1), axis=0)
            return product.reshape((1,) * self.ndim) if keepdim else product
        if not isinstance(dim, int | np.integer):
            raise TypeError(f"prod: dim must be one int, got {dim!r}")
        axis = normalize_dims(int(dim), self.ndim, "prod")
        if not axis:
            return source * 1
        return Prod.apply(source, axis=axis[0], keepdim=keepdim)

    def mean(self, dim=None, keepdim: bool = False, dtype=None):
        source = self if dtype is None else self.to(dtype)
        if source.dtype.kind != "f":
            raise RuntimeError(f"mean(): needs a floating point tensor, got {source.dtype}")
        return Mean.apply(source, axes=normalize_dims(dim, self.ndim, "mean"), keepdim=keepdim)

    def var(self, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: int | None = None):
        """Variance with Bessel's correction by default (``correction=1``), as PyTorch."""
        if correction is None:
            correction = 0 if unbiased is False else 1
        return Var.apply(self, axes=normalize_dims(dim, self.ndim, "var"),
                         keepdim=keepdim, correction=correction)

    def std(self, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: int | None = None):
        return self.var(dim, unbiased, keepdim, correction=correction).sqrt()

    def norm(self, p="fro", dim=None, keepdim: bool = False):
        """The p-norm over ``dim`` (all elements by default): ``p`` a positive number,
        ``"fro"`` (2), ``inf`` (largest absolute value) or 0 (count of non-zeros)."""
        if p == "fro" or p is None:
            p = 2.0
        axes = normalize_dims(dim, self.ndim, "norm")
        x = self._floating()
        if p == float("inf"):
            return x.abs().amax(axes, keepdim=keepdim)
        if p == 0:
            return Tensor._from_array((x.array != 0).sum(axis=axes, keepdims=keepdim)
                                      .astype(x.dtype))
        if not is_number(p) or p < 0:
            raise ValueError(f"norm: p must be 'fro', inf or a number >= 0, got {p!r}")
        return Norm.apply(x, p=float(p), axes=axes, keepdim=keepdim)

    def _reducible(self, op: str, dim) -> tuple:
        """The axes a max/min-like reduction ``op`` runs over, refused as PyTorch refuses
        them when they hold no element (there is no largest of nothing)."""
        axes = normalize_dims(dim, self.ndim, op)
        if dim is None and self.numel() == 0:
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the "
                               "'dim' argument.")
        for axis in axes:
            if self.shape[axis] == 0:
                raise IndexError(f"{op}(): Expected reduction dim {axis} to have non-zero "
                                 f"size (input shape {self.shape}).")
        return axes

    def amax(self, dim=None, keepdim: bool = False):
        return Amax.apply(self, axes=self._reducible("amax", dim), keepdim=keepdim,
                          largest=True)

    def amin(self, dim=None, keepdim: bool = False):
        return Amax.apply(self, axes=self._reducible("amin", dim), keepdim=keepdim,
                          largest=False)

    def _extreme(self, dim, keepdim, largest: bool):
        if isinstance(dim, Tensor):  # max(other): the elementwise maximum
            return self.maximum(dim) if largest else self.minimum(dim)
        op = "max" if largest else "min"
        if dim is None:
            self._reducible(op, None)
            return self.amax() if largest else self.amin()
        axis = self._reducible(op, dim)[0]
        xp = array_module(self.array)
        pick = xp.argmax if largest else xp.argmin
        indices = xp.expand_dims(pick(self.array, axis=axis), axis)
        values = self.gather(axis, Tensor._from_array(indices))
        if not keepdim:
            values = values.squeeze(axis)
            indices = indices.squeeze(axis)
        return ValuesIndices(values, Tensor._from_array(indices.astype(np.int64)))

    def max(self, dim=None, keepdim: bool = False):
        """The largest element; ``(values, indices)`` along ``dim``; with a tensor, the
        elementwise maximum (PyTorch)."""
        return self._extreme(dim, keepdim, largest=True)

    def min(self, dim=None, keepdim: bool = False):
        return self._extreme(dim, keepdim, largest=False)

    def argmax(self, dim=None, keepdim: bool = False):
        return self._arg(dim, keepdim, largest=True)

    def argmin(self, dim=None, keepdim: bool = False):
        return self._arg(dim, keepdim, largest=False)

    def _ordered(self, op: str, dim: int, descending: bool, count: int | None = None):
        """The elements along ``dim`` in order (the first ``count`` only, if given) and their
        indices: values are gathered at the indices, so the gradient goes back to them."""
        line = self.reshape(1) if self.ndim == 0 else self
        axis = normalize_dims(dim, line.ndim, op)[0]
        order = sort_order(line.array, axis, descending)
        if count is not None:
            order = order[(slice(None),) * axis + (slice(0, count),)]
        indices = Tensor._from_array(order.astype(np.int64, copy=False))
        values = line.gather(axis, indices)
        if self.ndim == 0:
            values, indices = values.reshape(()), indices.reshape(())
        return ValuesIndices(values, indices)

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False):
        """``(values, indices)`` of the elements sorted along ``dim`` (ascending unless
        ``descending``; NaN counts as the largest).  Always stable: equal elements keep
        their order (PyTorch's ``stable=True``)."""
        return self._ordered("sort", dim, descending)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False):
        return self.sort(dim, descending).indices

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
        """``(values, indices)`` of the ``k`` largest elements along ``dim`` (the smallest
        with ``largest=False``), largest first (always sorted)."""
        size = self.shape[normalize_dims(dim, self.ndim, "topk")[0]] if self.ndim else 1
        if not isinstance(k, int | np.integer) or not 0 <= k <= size:
            raise RuntimeError(f"topk: selected index k={k} out of range: dimension {dim} of "
                               f"shape {self.shape} has {size} elements")
        return self._ordered("topk", dim, largest, int(k))

    def _arg(self, dim, keepdim, largest):
        xp = array_module(self.array)
        pick = xp.argmax if largest else xp.argmin
        op = "argmax" if largest else "argmin"
        if dim is None:
            self._reducible(op, None)
            return Tensor._from_array(xp.asarray(pick(self.array), dtype=np.int64))
        axis = self._reducible(op, dim)[0]
        result = pick(self.array, axis=axis).astype(np.int64)
        return Tensor._from_array(xp.expand_dims(result, axis) if keepdim else result)

    # -- shapes ---------------------------------------------------------------------------
    def reshape(self, *shape):
        target = _resolve_shape(_shape_args(shape), self.numel())
        if target == self.shape:
            return self
        return Reshape.apply(self, shape=target)

    view = reshape

    def view_as(self, other: Tensor):
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        if self.ndim == 0:
            return self.reshape(1)
        start = normalize_dims(start_dim, self.ndim, "flatten")[0]
        end = normalize_dims(end_dim, self.ndim, "flatten")[0]
        if start > end:
            raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        merged = math.prod(self.shape[start:end + 1])  # not -1: ambiguous with 0 elements
        return self.reshape(self.shape[:start] + (merged,) + self.shape[end + 1:])

    def permute(self, *dims):
        dims = _shape_args(dims)
        if sorted(d % max(self.ndim, 1) for d in dims) != list(range(self.ndim)):
            raise RuntimeError(f"permute: dims {list(dims)} are not a permutation of the "
                               f"{self.ndim} dimensions of shape {self.shape}")
        return Permute.apply(self, dims=tuple(d % self.ndim for d in dims))

    def transpose(self, dim0: int, dim1: int):
        a, b = (normalize_dims(d, self.ndim, "transpose")[0] for d in (dim0, dim1))
        dims = list(range(self.ndim))
        dims[a], dims[b] = dims[b], dims[a]
        return Permute.apply(self, dims=tuple(dims))

    @property
    def T(self):
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self):  # noqa: N802  (PyTorch's name)
        """The transpose of the last two dimensions (batches of matrices)."""
        if self.ndim < 2:
            raise RuntimeError(f"mT: expected a tensor with at least 2 dimensions, got shape "
                               f"{self.shape}")
        return self.transpose(-2, -1)

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t(): expects a tensor with <= 2 dimensions, got {self.ndim}")
        return self.T

    def squeeze(self, dim=None):
        if dim is None:
            shape = tuple(s for s in self.shape if s != 1)
        else:
            axes = normalize_dims(dim, self.ndim, "squeeze")
            shape = tuple(s for i, s in enumerate(self.shape) if not (i in axes and s == 1))
        return self.reshape(shape)

    def unsqueeze(self, dim: int):
        axis = normalize_dims(dim, self.ndim + 1, "unsqueeze")[0]
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def expand(self, *shape):
        shape = _shape_args(shape)
        extra = len(shape) - self.ndim
        if extra < 0:
            raise RuntimeError(f"expand: target shape {list(shape)} has fewer dimensions "
                               f"than the tensor's {self.shape}")
        target = tuple(self.shape[i - extra] if s == -1 else s for i, s in enumerate(shape))
        for i, s in enumerate(self.shape):
            if s != 1 and s != target[i + extra]:
                raise RuntimeError(f"expand: size {s} of dimension {i} of shape {self.shape} "
                                   f"can't be expanded to {target[i + extra]}")
        return Expand.apply(self, shape=target)

    def expand_as(self, other: Tensor):
        return self.expand(other.shape)

    def __getitem__(self, index):
        index = _index_arrays(index, self.device)
        parts = index if isinstance(index, tuple) else (index,)
        if all(isinstance(p, int | np.integer) and not isinstance(p, bool) for p in parts):
            index = (*parts, Ellipsis)  # x[i, j] a 0-d view (NumPy would copy to a scalar)
        try:
            return GetItem.apply(self, index=index)
        except IndexError as error:
            raise IndexError(f"indexing a tensor of shape {self.shape}: {error}") from None

    def split(self, split_size_or_sections, dim: int = 0) -> tuple:
        """Views of consecutive pieces along ``dim``: of ``split_size`` elements each (the
        last may be smaller), or of the listed sizes."""
        axis = normalize_dims(dim, self.ndim, "split")[0]
        length = self.shape[axis]
        if isinstance(split_size_or_sections, int):
            step = split_size_or_sections
            if step <= 0:
                raise RuntimeError(f"split: split_size must be positive, got {step}")
            sizes = [min(step, length - start) for start in range(0, length, step)] or [0]
        else:
            sizes = [int(size) for size in split_size_or_sections]
            if sum(sizes) != length:
                raise RuntimeError(f"split: sizes {sizes} do not add up to {length}, the "
                                   f"size of dimension {dim} of shape {self.shape}")
        starts = np.cumsum([0] + sizes[:-1])
        lead = (slice(None),) * axis
        return tuple(self[lead + (slice(int(start), int(start) + size),)]
                     for start, size in zip(starts, sizes))

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        """At most ``chunks`` views of equal size along ``dim`` (the last may be smaller)."""
        if chunks <= 0:
            raise RuntimeError(f"chunk: chunks must be positive, got {chunks}")
        length = self.shape[normalize_dims(dim, self.ndim, "chunk")[0]]
        return self.split(max(math.ceil(length / chunks), 1), dim)

    def unbind(self, dim: int = 0) -> tuple:
        """The slices along ``dim``, that dimension removed."""
        axis = normalize_dims(dim, self.ndim, "unbind")[0]
        lead = (slice(None),) * axis
        return tuple(self[lead + (i,)] for i in range(self.shape[axis]))

    def flip(self, *dims):
        """A copy with the order of the elements reversed along ``dims`` (ints, or one list
        of them); differentiable."""
        axes = normalize_dims(_shape_args(dims), self.ndim, "flip")
        return Flip.apply(self, axes=axes)

    def roll(self, shifts, dims=None):
        """The elements shifted cyclically by ``shifts`` along ``dims`` (an int or tuples
        of the same length); without ``dims``, along the flattened tensor (then reshaped
        back).  Differentiable."""
        shifts = (shifts,) if isinstance(shifts, int | np.integer) else tuple(shifts)
        if dims is None:
            if len(shifts) != 1:
                raise RuntimeError(f"roll: without dims, give one shift, got {list(shifts)}")
            flat = Roll.apply(self.reshape(-1), shifts=(int(shifts[0]),), axes=(0,))
            return flat.reshape(self.shape)
        dims = (dims,) if isinstance(dims, int | np.integer) else tuple(dims)
        if len(dims) != len(shifts):
            raise RuntimeError(f"roll: shifts {list(shifts)} and dims {list(dims)} must have "
                               "the same length")
        axes = tuple(normalize_dims(int(d), self.ndim, "roll")[0] for d in dims)
        return Roll.apply(self, shifts=tuple(int(s) for s in shifts), axes=axes)

    def narrow(self, dim: int, start, length: int):
        """The view of ``length`` elements from ``start`` along ``dim`` (a negative start
        counts from the end)."""
        axis = normalize_dims(dim, self.ndim, "narrow")[0]
        size, start = self.shape[axis], int(start)
        if -size <= start < 0:
            start += size
        if not 0 <= start <= size or length < 0 or start + length > size:
            raise RuntimeError(f"narrow: start {start} and length {length} exceed dimension "
                               f"{dim} of shape {self.shape} (size {size})")
        return self[(slice(None),) * axis + (slice(start, start + length),)]

    def movedim(self, source, destination):
        """The view with dimensions ``source`` moved to positions ``destination`` (ints or
        sequences of the same length), the others keeping their order."""
        source = (source,) if isinstance(source, int) else tuple(source)
        destination = (destination,) if isinstance(destination, int) else tuple(destination)
        if len(source) != len(destination):
            raise RuntimeError(f"movedim: source {list(source)} and destination "
                               f"{list(destination)} must have the same number of dimensions")
        moved = [normalize_dims(d, self.ndim, "movedim")[0] for d in source]
        places = [normalize_dims(d, self.ndim, "movedim")[0] for d in destination]
        if len(set(moved)) != len(moved) or len(set(places)) != len(places):
            raise RuntimeError(f"movedim: repeated dimension in source {list(source)} or "
                               f"destination {list(destination)}")
        order = [d for d in range(self.ndim) if d not in moved]
        for place, axis in sorted(zip(places, moved)):
            order.insert(place, axis)
        return self.permute(order)

    moveaxis = movedim

    def index_select(self, dim: int, index):
        """The slices at positions ``index`` (a 1-D or 0-d integer tensor) along ``dim``;
        differentiable (repeated positions add their gradients)."""
        axis = normalize_dims(dim, self.ndim, "index_select")[0]
        positions = index.array if isinstance(index, Tensor) else np.asarray(index)
        if positions.ndim > 1 or positions.dtype.kind not in "iu":
            raise RuntimeError(f"index_select: index must be a 1-D integer tensor, got "
                               f"{positions.dtype} of shape {tuple(positions.shape)}")
        return self[(slice(None),) * axis + (positions.reshape(-1),)]

    def _triangle(self, op: str, keep):
        if self.ndim < 2:
            raise RuntimeError(f"{op}: expected a tensor with at least 2 dimensions, got "
                               f"shape {self.shape}")
        xp = array_module(self.array)
        return self.masked_fill(~keep(xp.ones(self.shape[-2:], dtype=bool)), 0)

    def diag(self, diagonal: int = 0):
        """``torch.diag``: a 1-D tensor becomes the ``diagonal``-th diagonal of a square matrix
        (zeros elsewhere); a 2-D tensor gives its ``diagonal``-th diagonal as a 1-D tensor
        (above the main one for ``diagonal`` > 0, below for < 0)."""
        xp = array_module(self.array)
        above, below = max(diagonal, 0), max(-diagonal, 0)
        if self.ndim == 1:
            size = self.shape[0] + abs(diagonal)
            steps = xp.arange(self.shape[0])
            zeros = xp.zeros((size, size), dtype=self.dtype)
            return IndexPut.apply(zeros, self, index=(steps + below, steps + above))
        if self.ndim == 2:
            count = max(min(self.shape[0] - below, self.shape[1] - above), 0)
            steps = xp.arange(count)
            return self[steps + below, steps + above]
        raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, got shape {self.shape}")

    def tril(self, diagonal: int = 0):
        """The lower triangle of the last two dimensions (from ``diagonal`` down), zeros
        above."""
        return self._triangle("tril", lambda ones: array_module(ones).tril(ones, diagonal))

    def triu(self, diagonal: int = 0):
        return self._triangle("triu", lambda ones: array_module(ones).triu(ones, diagonal))

    def _line_index(self, index):
        """A gather or scatter index as a raw array; a 0-d one indexes a 1-D tensor as
        shape (1,) (PyTorch counts a 0-d tensor as 1-D there)."""
        index = index.array if isinstance(index, Tensor) else index
        return index.reshape(1) if index.ndim == 0 and self.ndim == 1 else index

    def gather(self, dim: int, index: Tensor):
        axis = normalize_dims(dim, self.ndim, "gather")[0]
        index = self._line_index(index)
        if index.ndim != self.ndim or index.dtype.kind not in "iu":
            raise RuntimeError(f"gather: index must be an integer tensor with {self.ndim} "
                               f"dimensions, got {index.dtype} of shape {tuple(index.shape)}")
        return Gather.apply(self, index=index, axis=axis)

    def scatter(self, dim: int, index: Tensor, src=None, value=None):
        """A copy with values written at ``index`` along ``dim`` (``torch.scatter``): for
        dim 0, ``out[index[i][j]][j] = src[i][j]``; ``src`` may be a number (or pass
        ``value``).  Differentiable with respect to self and a tensor ``src``."""
        axis = normalize_dims(dim, self.ndim, "scatter")[0]
        index = self._line_index(index)
        source = value if src is None else src
        if index.ndim != self.ndim or index.dtype.kind not in "iu" or source is None:
            raise RuntimeError(f"scatter: expected an integer index with {self.ndim} "
                               f"dimensions and a src or value, got index {index.dtype} of "
                               f"shape {tuple(index.shape)}")
        if isinstance(source, Tensor):
            if source.ndim and (source.ndim != index.ndim or any(
                    i > s for i, s in zip(index.shape, source.shape))):
                raise RuntimeError(f"scatter: index of shape {tuple(index.shape)} reaches "
                                   f"beyond src of shape {source.shape}")
            source = source if source.dtype == self.dtype else source._cast(self.dtype)
        else:
            source = array_module(self.array).asarray(source, dtype=self.dtype)
        return Scatter.apply(self, source, index=to_device(index, self.device), axis=axis)

    def scatter_(self, dim: int, index: Tensor, src=None, value=None) -> Tensor:
        return self._inplace("scatter_", lambda t: t.scatter(dim, index, src, value), src)

    def repeat(self, *sizes):
        """The tensor tiled ``sizes[d]`` times along each dimension d (extra leading
        sizes add dimensions), as ``torch.repeat``: an expand of the tensor's
        dimensions interleaved with size-1 ones, then a reshape."""
        sizes = _shape_args(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(f"repeat: {len(sizes)} sizes given for a tensor of "
                               f"{self.ndim} dimensions; give at least {self.ndim}")
        shape = (1,) * (len(sizes) - self.ndim) + tuple(self.shape)
        spread = self.reshape([n for size in shape for n in (1, size)])
        tiled = spread.expand([n for repeat, size in zip(sizes, shape) for n in (repeat, size)])
        return tiled.reshape([repeat * size for repeat, size in zip(sizes, shape)])

    def t_(self) -> Tensor:
        """Transpose a tensor of at most 2 dimensions in place (PyTorch's ``t_``)."""
        records = self._records()
        if records:
            self._check_recordable()
        result = (self._old_value() if records else self).t()
        self.array = result.array
        if records:
            self.grad_fn = result.grad_fn
        self._version_counter.bump()
        notify_in_place("t_", self, result)
        return self

    def masked_fill(self, mask, value):
        mask = mask.array if isinstance(mask, Tensor) else mask
        if isinstance(value, Tensor):
            value = value if value.dtype == self.dtype else value._cast(self.dtype)
            return Where.apply(mask, value, self)
        filler = array_module(self.array).asarray(value, dtype=self.dtype)
        return Where.apply(mask, filler, self)


    # -- more elementwise functions -------------------------------------------------------
    def log2(self):
        return LogBase.apply(self._floating(), base=2)

    def log10(self):
        return LogBase.apply(self._floating(), base=10)

    def sinh(self):
        return Sinh.apply(self._floating())

    def cosh(self):
        return Cosh.apply(self._floating())

    def asin(self):
        return Asin.apply(self._floating())

    def acos(self):
        return Acos.apply(self._floating())

    def atan(self):
        return Atan.apply(self._floating())

    def erf(self):
        return Erf.apply(self._floating())

    def atan2(self, other):
        """The angle of the point (other, self) in (-π, π] (``other`` the abscissa)."""
        return self._binary(Atan2, other, dtype=self._division_dtype(other))

    def hypot(self, other):
        """√(self² + other²) elementwise, without overflow."""
        return self._binary(Hypot, other, dtype=self._division_dtype(other))

    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2

    def fmod(self, other):
        """self - trunc(self / other)·other (the sign of self; ``%`` takes other's)."""
        return Fmod.apply(*self._rounding_operands("fmod", other, False))

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None,
                   neginf: float | None = None):
        """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default
        the dtype's largest and lowest values); the gradient passes where x was finite."""
        if self.dtype.kind != "f":
            return self.clone()
        xp = array_module(self.array)
        replaced = xp.nan_to_num(self.array, nan=nan, posinf=posinf, neginf=neginf)
        return Where.apply(~xp.isfinite(self.array), replaced, self)

    def isclose(self, other, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> Tensor:
        """|self - other| ≤ atol + rtol·|other| elementwise (a bool tensor)."""
        other = _as_tensor(other, self)
        return Tensor._from_array(array_module(self.array).isclose(
            self.array, other.array, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def _logical(self, other, name: str) -> Tensor:
        other = _as_tensor(other, self)
        return Tensor._from_array(getattr(array_module(self.array), name)(self.array,
                                                                          other.array))

    def logical_and(self, other) -> Tensor:
        return self._logical(other, "logical_and")

    def logical_or(self, other) -> Tensor:
        return self._logical(other, "logical_or")

    def logical_xor(self, other) -> Tensor:
        return self._logical(other, "logical_xor")

    # -- more reductions ------------------------------------------------------------------
    def logsumexp(self, dim, keepdim: bool = False):
        """log Σ exp(self) over ``dim``, computed without overflow (ops/logsumexp.py)."""
        return LogSumExp.apply(self._floating(), axes=normalize_dims(dim, self.ndim,
                                                                     "logsumexp"),
                               keepdim=keepdim)

    def cumprod(self, dim: int, *, dtype=None):
        """The running product along ``dim`` (bools and integers as int64); differentiable,
        zeros included (ops/cumprod.py)."""
        axis = normalize_dims(dim, self.ndim, "cumprod")
        source = self._counting(dtype)
        if not axis:
            return source * 1
        return Cumprod.apply(source, axis=axis[0])

    def nanmean(self, dim=None, keepdim: bool = False, *, dtype=None):
        """The mean of the non-NaN elements over ``dim`` (NaN where all are NaN)."""
        source = self if dtype is None else self.to(dtype)
        if source.dtype.kind != "f":
            raise RuntimeError(f"nanmean(): needs a floating point tensor, got {source.dtype}")
        missing = source.isnan()
        total = source.masked_fill(missing, 0).sum(dim, keepdim)
        return total / missing.logical_not().sum(dim, keepdim).to(source.dtype)

    def count_nonzero(self, dim=None) -> Tensor:
        axes = normalize_dims(dim, self.ndim, "count_nonzero")
        return Tensor._from_array((self.array != 0).sum(axis=axes).astype(np.int64))

    def median(self, dim=None, keepdim: bool = False):
        """The lower median (the ((n-1)//2)-th smallest value); with ``dim``, ``(values,
        indices)`` along it.  A line with NaN has median NaN (its first NaN's index)."""
        if dim is None:
            return self.reshape(-1).median(0).values
        line = self.reshape(1) if self.ndim == 0 else self
        axis = normalize_dims(dim, line.ndim, "median")[0]
        if line.shape[axis] == 0:
            raise IndexError(f"median(): dimension {dim} of shape {self.shape} is empty")
        xp = array_module(line.array)
        order = sort_order(line.array, axis, False)
        middle = (line.shape[axis] - 1) // 2
        chosen = order[(slice(None),) * axis + (slice(middle, middle + 1),)]
        nan = xp.isnan(line.array) if line.dtype.kind == "f" else None
        if nan is not None:
            first_nan = xp.argmax(nan, axis=axis, keepdims=True)
            chosen = xp.where(xp.any(nan, axis=axis, keepdims=True), first_nan, chosen)
        indices = Tensor._from_array(chosen.astype(np.int64))
        values = line.gather(axis, indices)
        if not keepdim or self.ndim == 0:
            values, indices = values.squeeze(axis), indices.squeeze(axis)
        return ValuesIndices(values.reshape(self.shape) if self.ndim == 0 else values,
                             indices.reshape(()) if self.ndim == 0 else indices)

    def quantile(self, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
        """The q-th quantiles along ``dim`` (of all elements by default): at rank
        q·(n-1) of the sorted values, between the two nearest ones by ``interpolation``
        ("linear", "lower", "higher", "midpoint", "nearest").  A tensor ``q`` (1-D) adds a
        first dimension, one per quantile.  NaN in a line gives NaN.  Differentiable
        (through the sort)."""
        if self.dtype.kind != "f":
            raise RuntimeError(f"quantile() input tensor must be float or double, got "
                               f"{self.dtype}")
        if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
            raise ValueError(f"quantile() interpolation must be one of linear, lower, higher, "
                             f"midpoint or nearest, got {interpolation!r}")
        scalar_q = not isinstance(q, Tensor)
        qs = np.asarray(to_device(q.array, "cpu") if isinstance(q, Tensor) else q,
                        dtype=np.float64).reshape(-1)
        if (isinstance(q, Tensor) and q.ndim > 1) or not ((qs >= 0) & (qs <= 1)).all():
            raise RuntimeError(f"quantile() q must be a number or a 1-D tensor of values in "
                               f"[0, 1], got {q!r}")
        x = self.reshape(-1) if dim is None else self
        axis = normalize_dims(-1 if dim is None else dim, x.ndim, "quantile")
        x = x.reshape(1) if x.ndim == 0 else x.movedim(axis[0], -1)
        if x.shape[-1] == 0:
            raise IndexError(f"quantile() input tensor must be non-empty, got shape "
                             f"{self.shape}")
        ranks = qs * (x.shape[-1] - 1)
        low, high = np.floor(ranks).astype(np.int64), np.ceil(ranks).astype(np.int64)
        ordered = x.sort(-1).values
        below, above = ordered[..., low], ordered[..., high]
        if interpolation == "lower":
            result = below
        elif interpolation == "higher":
            result = above
        elif interpolation == "nearest":
            result = ordered[..., np.round(ranks).astype(np.int64)]
        else:
            weight = 0.5 if interpolation == "midpoint" else ranks - low
            result = below + (above - below) * _as_tensor(weight, below).to(below.dtype)
        if x.dtype.kind == "f":
            result = result.masked_fill(x.isnan().any(-1, keepdim=True), float("nan"))
        result = result.movedim(-1, 0)  # (len(q), ...)
        if keepdim:
            kept = [1] * self.ndim if dim is None else list(self.shape)
            if dim is not None and self.ndim:
                kept[axis[0]] = 1
            result = result.reshape([len(qs)] + kept)
        return result[0] if scalar_q else result

    # -- more shapes ----------------------------------------------------------------------
    def diff(self, n: int = 1, dim: int = -1, prepend=None, append=None):
        """The n-th forward difference along ``dim`` (x[i+1] - x[i], n times; ``!=`` for
        bools), after joining ``prepend`` and ``append`` along ``dim``."""
        if self.ndim == 0:
            raise RuntimeError("diff expects input to be at least one-dimensional")
        axis = normalize_dims(dim, self.ndim, "diff")[0]
        parts = []
        for extra in (prepend, self, append):
            if extra is None:
                continue
            extra = _as_tensor(extra, self)
            if extra.ndim == 0:
                extra = extra.expand(self.shape[:axis] + (1,) + self.shape[axis + 1:])
            parts.append(extra if extra.dtype == self.dtype else extra._cast(self.dtype))
        x = Cat.apply(*parts, axis=axis) if len(parts) > 1 else self
        lead = (slice(None),) * axis
        for _ in range(n):
            later, earlier = x[lead + (slice(1, None),)], x[lead + (slice(None, -1),)]
            x = later != earlier if x.dtype == np.bool_ else later - earlier
        return x

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        """Each element (each slice along ``dim``; of the flattened tensor by default)
        repeated ``repeats`` times (an int, or a tensor of one count per slice).
        ``output_size``, PyTorch's hint that spares a device synchronisation, is not
        needed: the counts are read on the host."""
        x = self.reshape(-1) if dim is None else self
        axis = normalize_dims(0 if dim is None else dim, x.ndim, "repeat_interleave")[0]
        counts = np.asarray(repeats._host() if isinstance(repeats, Tensor) else repeats)
        size = x.shape[axis] if x.ndim else 1
        if counts.dtype.kind not in "iu" or counts.ndim > 1 or \
                (counts.ndim == 1 and counts.shape[0] not in (1, size)) or (counts < 0).any():
            raise RuntimeError(f"repeat_interleave: repeats must be a non-negative int or a "
                               f"1-D integer tensor of {size} counts, got {repeats!r}")
        positions = np.repeat(np.arange(size), counts.reshape(-1) if counts.ndim else counts)
        return x.index_select(axis, Tensor._from_array(positions))

    def trace(self):
        """The sum of the main diagonal of a 2-D tensor (integers as int64)."""
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a 2-D tensor, got shape {self.shape}")
        return self.diag().sum()

    def outer(self, vec2):
        """self[i] · vec2[j] of two 1-D tensors: shape (len(self), len(vec2))."""
        vec2 = _as_tensor(vec2, self)
        if self.ndim != 1 or vec2.ndim != 1:
            raise RuntimeError(f"outer: expected two 1-D tensors, got shapes {self.shape} "
                               f"and {vec2.shape}")
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    ger = outer

    def kron(self, other):
        """The Kronecker product: block (i, j, ...) is self[i, j, ...] · other, shape the
        product of the (left-padded) shapes."""
        other = _as_tensor(other, self)
        rank = max(self.ndim, other.ndim)
        a = (1,) * (rank - self.ndim) + tuple(self.shape)
        b = (1,) * (rank - other.ndim) + tuple(other.shape)
        spread = self.reshape([n for size in a for n in (size, 1)]) * \
            other.reshape([n for size in b for n in (1, size)])
        return spread.reshape([m * n for m, n in zip(a, b)])

    def take_along_dim(self, indices, dim=None):
        """The elements at ``indices`` along ``dim`` (of the flattened tensor without it);
        input and indices broadcast in the other dimensions."""
        if dim is None:
            return self.reshape(-1).gather(0, indices.reshape(-1))
        axis = normalize_dims(dim, self.ndim, "take_along_dim")[0]
        if indices.ndim != self.ndim:
            raise RuntimeError(f"take_along_dim: input of shape {self.shape} and indices of "
                               f"shape {indices.shape} need the same number of dimensions")
        ones = [list(t.shape) for t in (self, indices)]
        for shape in ones:
            shape[axis] = 1
        common = list(np.broadcast_shapes(*map(tuple, ones)))
        source = self.expand(common[:axis] + [self.shape[axis]] + common[axis + 1:])
        picked = indices.expand(common[:axis] + [indices.shape[axis]] + common[axis + 1:])
        return source.gather(axis, picked)

    def masked_select(self, mask) -> Tensor:
        """The elements where ``mask`` (broadcast with self) holds, as a 1-D tensor."""
        mask = _as_tensor(mask, self)
        if mask.dtype != np.bool_:
            raise RuntimeError(f"masked_select: expected a bool mask, got {mask.dtype}")
        shape = np.broadcast_shapes(tuple(self.shape), tuple(mask.shape))
        xp = array_module(self.array)
        return self.expand(shape)[xp.broadcast_to(mask.array, shape)]

    def broadcast_to(self, size):
        return self.expand(size)

    def tile(self, *dims):
        """The tensor repeated ``dims[d]`` times along each dimension d (missing leading
        counts are 1, extra ones add dimensions)."""
        dims = _shape_args(dims)
        return self.repeat(*((1,) * (self.ndim - len(dims)) + tuple(dims)))

    def tensor_split(self, indices_or_sections, dim: int = 0) -> tuple:
        """Views along ``dim``: ``sections`` pieces whose sizes differ by at most one (the
        larger first), or the pieces between the given ``indices``."""
        axis = normalize_dims(dim, self.ndim, "tensor_split")[0]
        split = indices_or_sections
        if isinstance(split, Tensor):
            split = split.item() if split.ndim == 0 else split.tolist()
        size = self.shape[axis]
        if isinstance(split, int | np.integer):
            if split <= 0:
                raise RuntimeError(f"tensor_split: number of sections must be positive, "
                                   f"got {split}")
            small, extra = divmod(size, int(split))
            bounds = [k * small + min(k, extra) for k in range(int(split) + 1)]
        else:
            bounds = [0, *[int(i) for i in split], size]
        lead = (slice(None),) * axis
        return tuple(self[lead + (slice(start, max(start, stop)),)]
                     for start, stop in zip(bounds, bounds[1:]))

    def rot90(self, k: int = 1, dims=(0, 1)):
        """The tensor turned by k·90° in the plane ``dims``, from the first dimension
        towards the second."""
        dims = tuple(dims)
        if len(dims) != 2 or self.ndim < 2:
            raise RuntimeError(f"rot90: expected two dims of a tensor of at least 2 "
                               f"dimensions, got dims {dims} and shape {self.shape}")
        first, second = (normalize_dims(d, self.ndim, "rot90")[0] for d in dims)
        if first == second:
            raise RuntimeError(f"rot90: dims must differ, got {dims}")
        k %= 4
        if k == 1:
            return self.flip(second).transpose(first, second)
        if k == 2:
            return self.flip(first, second)
        if k == 3:
            return self.flip(first).transpose(first, second)
        return self.clone()

    # -- counting and sampling (no gradient) ----------------------------------------------
    def unique(self, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
               return_counts: bool = False, dim=None):
        """The distinct elements in ascending order (always sorted), with, on request, the
        position of each input element among them (``inverse``, self's shape; along
        ``dim``, one per slice) and how often each occurs (``counts``), both int64."""
        xp = array_module(self.array)
        axis = None if dim is None else normalize_dims(dim, self.ndim, "unique")[0]
        found = xp.unique(self.array.reshape(-1) if axis is None else self.array,
                          return_inverse=True, return_counts=True, axis=axis)
        values, inverse, counts = found
        if axis is None:
            inverse = inverse.reshape(self.shape)
        results = [Tensor._from_array(values)]
        if return_inverse:
            results.append(Tensor._from_array(inverse.reshape(-1) if axis is not None
                                              else inverse).long())
        if return_counts:
            results.append(Tensor._from_array(counts).long())
        return results[0] if len(results) == 1 else tuple(results)

    def bincount(self, weights=None, minlength: int = 0) -> Tensor:
        """How often each value 0, 1, ... occurs in a 1-D non-negative integer tensor
        (int64), or the sums of ``weights`` there (float weights keep their dtype, others
        give float64); at least ``minlength`` bins."""
        xp = array_module(self.array)
        if self.ndim != 1 or self.dtype.kind not in "iu" or bool((self.array < 0).any()):
            raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs, "
                               f"got {self.dtype} of shape {self.shape}")
        if weights is None:
            return Tensor._from_array(xp.bincount(self.array, minlength=minlength)
                                      .astype(np.int64))
        weights = _as_tensor(weights, self)
        if weights.shape != self.shape:
            raise RuntimeError(f"bincount: weights of shape {weights.shape} must match the "
                               f"input's {self.shape}")
        dtype = weights.dtype if weights.dtype.kind == "f" else np.dtype(np.float64)
        return Tensor._from_array(xp.bincount(self.array, weights=weights.array,
                                              minlength=minlength).astype(dtype))

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator=None) -> Tensor:
        """Indices drawn from the categories of each row of non-negative weights (1-D:
        one row), ``num_samples`` per row, int64; without ``replacement`` no category
        repeats in a row.  Drawn on the CPU from ``generator`` (the global stream by
        default), so a seed gives the same indices on every device."""
        weights = np.asarray(self._host(), dtype=np.float64).reshape(-1, self.shape[-1]) \
            if self.ndim in (1, 2) else None
        if weights is None or self.dtype.kind != "f":
            raise RuntimeError(f"multinomial: expected a 1-D or 2-D floating point tensor "
                               f"of probabilities, got {self.dtype} of shape {self.shape}")
        totals = weights.sum(axis=1)
        if not np.isfinite(weights).all() or (weights < 0).any() or (totals <= 0).any():
            raise RuntimeError("multinomial: probabilities must be finite, non-negative and "
                               "have a positive sum in each row")
        positive = (weights > 0).sum(axis=1).min()
        if num_samples <= 0 or (not replacement and num_samples > positive):
            raise RuntimeError(f"multinomial: cannot draw {num_samples} samples "
                               f"{'with' if replacement else 'without'} replacement from "
                               f"{positive} categories of non-zero probability")
        draw = _random.stream(generator, "multinomial")
        rows = [draw.choice(len(row), size=num_samples, replace=replacement, p=row / total)
                for row, total in zip(weights, totals)]
        samples = np.stack(rows).astype(np.int64)
        return Tensor._from_array(to_device(samples.reshape(self.shape[:-1] + (num_samples,)),
                                            self.device))

    def bernoulli(self, p=None, *, generator=None) -> Tensor:
        """1 with probability ``p`` (self's values by default), else 0, in self's dtype."""
        chances = self if p is None else p
        values = chances._host() if isinstance(chances, Tensor) else chances
        if bool(np.any((np.asarray(values) < 0) | (np.asarray(values) > 1))):
            raise RuntimeError("bernoulli: probabilities must be in [0, 1]")
        uniform = _random.stream(generator, "bernoulli").random(tuple(self.shape))
        drawn = (uniform < values).astype(self.dtype)
        return Tensor._from_array(to_device(drawn, self.device))

    def bernoulli_(self, p=0.5, *, generator=None) -> Tensor:
        """Fill self with draws of 1 with probability ``p`` (a number or a tensor)."""
        return self.copy_(self.bernoulli(p, generator=generator).array)

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


def _as_tensor(value, like: Tensor) -> Tensor:
    """``value`` as a Tensor on ``like``'s device (data keeps its dtype)."""
    if isinstance(value, Tensor):
        return value
    from .creation import tensor  # creation builds on Tensor
    return tensor(value, device=like.device)


def _shape_args(shape: tuple) -> tuple:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    if len(shape) == 1 and isinstance(shape[0], list | tuple):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _resolve_shape(shape: tuple, numel: int) -> Size:
    """``shape`` for ``numel`` elements, its one ``-1`` (if any) replaced by the size that
    makes the element counts match (``reshape``'s rule)."""
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError(f"reshape: only one dimension can be inferred, got {list(shape)}")
    if any(s < -1 for s in shape):
        raise RuntimeError(f"reshape: invalid shape dimension in {list(shape)}")
    known = math.prod(s for s in shape if s != -1)
    if unknown and known != 0 and numel % known == 0:
        at = unknown[0]
        return Size(shape[:at] + (numel // known,) + shape[at + 1:])
    if unknown or known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return Size(shape)


def _to_arguments(args: tuple, kwargs: dict):
    """Check ``Tensor.to``'s arguments before anything is copied: (device or None, dtype or
    None, copy)."""
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
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
    PyTorch, index tensors may live on the CPU whatever the indexed tensor's device)."""
    def convert(part):
        if isinstance(part, Tensor):
            return to_device(part.array, device)
        if isinstance(part, list):
            return to_device(np.asarray(part), device)
        if array_device(part) is not None:
            return to_device(part, device)
        return part
    if isinstance(index, tuple):
        return tuple(convert(p) for p in index)
    return convert(index)
