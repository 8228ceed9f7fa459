"""``Tensor``: an n-dimensional array that remembers how it was computed.

A Tensor wraps a raw array (``tensor.array``: a NumPy array on "cpu", a CuPy array on
"cuda").  When it takes part in an operation while ``requires_grad`` is set, the result
records the operation (``result.grad_fn``), and ``result.backward()`` later walks those
records back to fill ``.grad`` of every leaf tensor that requires a gradient.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from . import random as _random
from .autograd import engine
from .autograd.grad_mode import is_grad_enabled
from .backend import (array_device, array_module, device_of, module_for_device,
                      normalize_device, to_device)
from .ops import arithmetic as A
from .ops import elementwise as E
from .ops import linalg as L
from .ops import reduction as R
from .ops import shape as S

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])

DEFAULT_FLOAT = np.dtype(np.float32)


def as_dtype(dtype) -> np.dtype | None:
    """Accept NumPy dtypes, their names ("float32") and Python types; ``None`` passes through."""
    if dtype is None:
        return None
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype: {dtype!r} is not a dtype") from None


class Tensor:
    """An array with an optional gradient and a link to the function that produced it."""

    __slots__ = ("array", "grad", "grad_fn", "_requires_grad", "__weakref__")
    __array_priority__ = 1000  # make ``ndarray + Tensor`` call Tensor.__radd__

    def __init__(self, data, dtype=None, device=None, requires_grad: bool = False):
        array = _to_array(data, as_dtype(dtype))
        if device is not None:
            array = to_device(array, device)
        self.array = array
        self.grad = None
        self.grad_fn = None
        self._requires_grad = False
        self.requires_grad = requires_grad

    @classmethod
    def _from_array(cls, array, requires_grad: bool = False, grad_fn=None) -> Tensor:
        """Wrap a raw array without copying or checking (used by Function.apply)."""
        tensor = object.__new__(cls)
        tensor.array = array
        tensor.grad = None
        tensor.grad_fn = grad_fn
        tensor._requires_grad = requires_grad
        return tensor

    # -- what a tensor is ---------------------------------------------------------------
    @property
    def data(self):
        """The raw array (``tensor.array``); to become a detached Tensor sharing storage."""
        return self.array

    @data.setter
    def data(self, array) -> None:
        self.array = array

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
    def shape(self) -> tuple:
        return tuple(self.array.shape)

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    @property
    def device(self) -> str:
        return device_of(self.array)

    @property
    def ndim(self) -> int:
        return self.array.ndim

    def dim(self) -> int:
        return self.array.ndim

    def size(self, dim: int | None = None):
        if dim is None:
            return self.shape
        return self.shape[R.normalize_dims(dim, self.ndim, "size")[0]]

    def numel(self) -> int:
        return int(self.array.size)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __repr__(self) -> str:
        body = np.array2string(self._host(), separator=", ", precision=4,
                               prefix="tensor(")
        extras = []
        if self.dtype != DEFAULT_FLOAT and self.dtype != np.int64 and self.dtype != bool:
            extras.append(f"dtype={self.dtype}")
        if self.device != "cpu":
            extras.append(f"device='{self.device}'")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name}Backward>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    __hash__ = object.__hash__  # tensors are keys by identity (optimizer state, ...)

    # -- leaving the graph, changing device or dtype -----------------------------------
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
        if self.numel() != 1:
            raise ValueError(f"item(): only one-element tensors can be converted to a "
                             f"Python number, this one has shape {self.shape}")
        return self._host().reshape(()).item()

    def tolist(self):
        return self._host().tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError(f"the truth value of a tensor of shape {self.shape} is "
                               "ambiguous; use .any() or .all()")
        return bool(self.item())

    def detach(self) -> Tensor:
        """The same data, cut off from the graph."""
        return Tensor._from_array(self.array)

    def clone(self) -> Tensor:
        """A copy of the data that stays in the graph."""
        return self * 1 if self.dtype.kind == "f" else Tensor._from_array(self.array.copy())

    def contiguous(self) -> Tensor:
        return self

    def to(self, *args, **kwargs) -> Tensor:
        """``to(device)``, ``to(dtype)`` or ``to(device, dtype)``; differentiable for dtype."""
        device = kwargs.pop("device", None)
        dtype = kwargs.pop("dtype", None)
        if kwargs:
            raise TypeError(f"to(): unexpected arguments {sorted(kwargs)}")
        for arg in args:
            if isinstance(arg, str) and (arg == "cpu" or arg.startswith("cuda")):
                device = arg
            else:
                dtype = arg
        result = self
        if dtype is not None and as_dtype(dtype) != self.dtype:
            result = result._cast(as_dtype(dtype))
        if device is not None and normalize_device(device) != result.device:
            target = normalize_device(device)
            module_for_device(target)
            result = Tensor._from_array(to_device(result.array, target),
                                        requires_grad=result.requires_grad and result.is_leaf)
            if self.requires_grad and not self.is_leaf:
                raise RuntimeError("to(device) on a tensor inside a graph is not supported; "
                                   "move the leaf tensors (or the model) instead")
        return result

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self) -> Tensor:
        return self.to("cuda")

    def _cast(self, dtype: np.dtype) -> Tensor:
        if self.requires_grad and dtype.kind == "f":
            return E.Cast.apply(self, dtype=dtype)
        return Tensor._from_array(self.array.astype(dtype))

    def float(self) -> Tensor:
        return self.to(np.float32)

    def double(self) -> Tensor:
        return self.to(np.float64)

    def long(self) -> Tensor:
        return self.to(np.int64)

    def int(self) -> Tensor:
        return self.to(np.int32)

    def bool(self) -> Tensor:
        return self.to(np.bool_)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

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
            engine.accumulate_into(self, grad, claimed={id(grad)})
            return
        engine.run_backward(self, grad, retain_graph=bool(retain_graph))

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor too during backward."""
        if self.grad_fn is not None:
            self.grad_fn.retained_output = self

    # -- in-place changes (outside the graph) ---------------------------------------------
    def _check_inplace(self, op: str) -> None:
        if is_grad_enabled() and self.requires_grad:
            kind = "a leaf tensor that requires grad" if self.is_leaf else "a tensor in a graph"
            raise RuntimeError(f"{op}: in-place change of {kind}; wrap it in "
                               "`with minidl.no_grad():`")

    def zero_(self) -> Tensor:
        self._check_inplace("zero_")
        self.array[...] = 0
        return self

    def fill_(self, value) -> Tensor:
        self._check_inplace("fill_")
        self.array[...] = value
        return self

    def copy_(self, source) -> Tensor:
        self._check_inplace("copy_")
        array = source.array if isinstance(source, Tensor) else source
        array = to_device(array_module(array).asarray(array), self.device)
        try:
            self.array[...] = array
        except ValueError:
            raise RuntimeError(f"copy_: source of shape {tuple(array.shape)} does not "
                               f"broadcast to {self.shape}") from None
        return self

    def uniform_(self, low: float = 0.0, high: float = 1.0) -> Tensor:
        return self.copy_(_random.generator().uniform(low, high, self.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        return self.copy_(_random.generator().normal(mean, std, self.shape))

    def __setitem__(self, index, value) -> None:
        self._check_inplace("item assignment")
        value = value.array if isinstance(value, Tensor) else value
        self.array[_index_arrays(index, self.device)] = value

    # -- arithmetic -----------------------------------------------------------------------
    def _operand(self, other):
        """``other`` as an operand: numbers become arrays of this tensor's device (Python
        numbers take its dtype), lists become tensors there; arrays stay where they are,
        so that an array of another device is ``Function.apply``'s clear error."""
        if isinstance(other, Tensor):
            return other
        xp = array_module(self.array)
        if isinstance(other, bool | int | float) and self.dtype.kind == "f":
            return xp.asarray(other, dtype=self.dtype)
        if isinstance(other, float):
            return xp.asarray(other, dtype=DEFAULT_FLOAT)
        if array_device(other) is not None:
            return Tensor._from_array(other)
        return Tensor(other, device=self.device) if not hasattr(other, "dtype") \
            else Tensor._from_array(xp.asarray(other))

    def _binary(self, function, other, reflected: bool = False):
        """Apply a broadcasting two-input function, with a clear error for bad shapes."""
        other = self._operand(other)
        a, b = (other, self) if reflected else (self, other)
        try:
            return function.apply(a, b)
        except ValueError:
            shape_a, shape_b = (tuple(getattr(v, "shape", ())) for v in (a, b))
            raise RuntimeError(f"{function.__name__.lower()}: shapes {shape_a} and {shape_b} "
                               "do not broadcast") from None

    def __add__(self, other):
        return self._binary(A.Add, other)

    def __radd__(self, other):
        return self._binary(A.Add, other, reflected=True)

    def __sub__(self, other):
        return self._binary(A.Sub, other)

    def __rsub__(self, other):
        return self._binary(A.Sub, other, reflected=True)

    def __mul__(self, other):
        return self._binary(A.Mul, other)

    def __rmul__(self, other):
        return self._binary(A.Mul, other, reflected=True)

    def __truediv__(self, other):
        return self._binary(A.Div, other)

    def __rtruediv__(self, other):
        return self._binary(A.Div, other, reflected=True)

    def __neg__(self):
        return A.Neg.apply(self)

    def __pos__(self):
        return self

    def __pow__(self, exponent):
        if isinstance(exponent, int | float) and not isinstance(exponent, bool):
            return A.PowScalar.apply(self, exponent=exponent)
        return self._binary(A.Pow, exponent)

    def __rpow__(self, base):
        return self._binary(A.Pow, base, reflected=True)

    def __matmul__(self, other):
        return self.matmul(other)

    def __rmatmul__(self, other):
        return _as_tensor(other, self).matmul(self)

    add = __add__
    sub = __sub__
    mul = __mul__
    div = __truediv__
    pow = __pow__

    def matmul(self, other) -> Tensor:
        other = _as_tensor(other, self)
        _check_matmul(self, other)
        return L.MatMul.apply(self, other)

    # -- comparisons (no gradient) --------------------------------------------------------
    def _compare(self, other, op):
        other = other.array if isinstance(other, Tensor) else other
        return Tensor._from_array(op(self.array, other))

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

    def __invert__(self):
        if self.dtype != bool:
            raise TypeError(f"~ needs a bool tensor, got {self.dtype}")
        return Tensor._from_array(~self.array)

    def __and__(self, other):
        return self._compare(other, lambda a, b: a & b)

    def __or__(self, other):
        return self._compare(other, lambda a, b: a | b)

    def any(self) -> Tensor:
        return Tensor._from_array(array_module(self.array).any(self.array))

    def all(self) -> Tensor:
        return Tensor._from_array(array_module(self.array).all(self.array))

    def isfinite(self) -> Tensor:
        return Tensor._from_array(array_module(self.array).isfinite(self.array))

    # -- elementwise functions ------------------------------------------------------------
    def exp(self):
        return E.Exp.apply(self)

    def log(self):
        return E.Log.apply(self)

    def sqrt(self):
        return E.Sqrt.apply(self)

    def abs(self):
        return E.Abs.apply(self)

    def clamp(self, min=None, max=None):
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        return E.Clamp.apply(self, low=min, high=max)

    clip = clamp

    def sigmoid(self):
        return E.Sigmoid.apply(self)

    def tanh(self):
        return E.Tanh.apply(self)

    def relu(self):
        return E.ReLU.apply(self)

    def softmax(self, dim: int):
        from .nn import functional as F
        return F.softmax(self, dim)

    def log_softmax(self, dim: int):
        from .nn import functional as F
        return F.log_softmax(self, dim)

    # -- reductions -----------------------------------------------------------------------
    def sum(self, dim=None, keepdim: bool = False):
        return R.Sum.apply(self, axes=R.normalize_dims(dim, self.ndim, "sum"), keepdim=keepdim)

    def mean(self, dim=None, keepdim: bool = False):
        if self.dtype.kind != "f":
            raise RuntimeError(f"mean(): needs a floating point tensor, got {self.dtype}")
        return R.Mean.apply(self, axes=R.normalize_dims(dim, self.ndim, "mean"),
                            keepdim=keepdim)

    def var(self, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: int | None = None):
        """Variance with Bessel's correction by default (``correction=1``), as PyTorch."""
        if correction is None:
            correction = 0 if unbiased is False else 1
        return R.Var.apply(self, axes=R.normalize_dims(dim, self.ndim, "var"),
                           keepdim=keepdim, correction=correction)

    def std(self, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: int | None = None):
        return self.var(dim, unbiased, keepdim, correction=correction).sqrt()

    def amax(self, dim=None, keepdim: bool = False):
        return R.Amax.apply(self, axes=R.normalize_dims(dim, self.ndim, "amax"),
                            keepdim=keepdim, largest=True)

    def amin(self, dim=None, keepdim: bool = False):
        return R.Amax.apply(self, axes=R.normalize_dims(dim, self.ndim, "amin"),
                            keepdim=keepdim, largest=False)

    def _extreme(self, dim, keepdim, largest: bool):
        if dim is None:
            return self.amax() if largest else self.amin()
        axis = R.normalize_dims(dim, self.ndim, "max" if largest else "min")[0]
        xp = array_module(self.array)
        pick = xp.argmax if largest else xp.argmin
        indices = xp.expand_dims(pick(self.array, axis=axis), axis)
        values = self.gather(axis, Tensor._from_array(indices))
        if not keepdim:
            values = values.squeeze(axis)
            indices = indices.squeeze(axis)
        return ValuesIndices(values, Tensor._from_array(indices.astype(np.int64)))

    def max(self, dim=None, keepdim: bool = False):
        """The largest element, or ``(values, indices)`` along ``dim`` (PyTorch)."""
        return self._extreme(dim, keepdim, largest=True)

    def min(self, dim=None, keepdim: bool = False):
        return self._extreme(dim, keepdim, largest=False)

    def argmax(self, dim=None, keepdim: bool = False):
        return self._arg(dim, keepdim, largest=True)

    def argmin(self, dim=None, keepdim: bool = False):
        return self._arg(dim, keepdim, largest=False)

    def _arg(self, dim, keepdim, largest):
        xp = array_module(self.array)
        pick = xp.argmax if largest else xp.argmin
        if dim is None:
            return Tensor._from_array(xp.asarray(pick(self.array), dtype=np.int64))
        axis = R.normalize_dims(dim, self.ndim, "argmax")[0]
        result = pick(self.array, axis=axis).astype(np.int64)
        return Tensor._from_array(xp.expand_dims(result, axis) if keepdim else result)

    # -- shapes ---------------------------------------------------------------------------
    def reshape(self, *shape):
        shape = _shape_args(shape)
        try:
            target = np.empty(self.shape, dtype=np.bool_).reshape(shape).shape
        except ValueError:
            raise RuntimeError(f"reshape: shape {list(shape)} is invalid for a tensor of "
                               f"{self.numel()} elements (shape {self.shape})") from None
        if target == self.shape:
            return self
        return S.Reshape.apply(self, shape=target)

    view = reshape

    def view_as(self, other: Tensor):
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        if self.ndim == 0:
            return self.reshape(1)
        start = R.normalize_dims(start_dim, self.ndim, "flatten")[0]
        end = R.normalize_dims(end_dim, self.ndim, "flatten")[0]
        if start > end:
            raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape[:start] + (-1,) + self.shape[end + 1:]
        return self.reshape(shape)

    def permute(self, *dims):
        dims = _shape_args(dims)
        if sorted(d % max(self.ndim, 1) for d in dims) != list(range(self.ndim)):
            raise RuntimeError(f"permute: dims {list(dims)} are not a permutation of the "
                               f"{self.ndim} dimensions of shape {self.shape}")
        return S.Permute.apply(self, dims=tuple(d % self.ndim for d in dims))

    def transpose(self, dim0: int, dim1: int):
        a, b = (R.normalize_dims(d, self.ndim, "transpose")[0] for d in (dim0, dim1))
        dims = list(range(self.ndim))
        dims[a], dims[b] = dims[b], dims[a]
        return S.Permute.apply(self, dims=tuple(dims))

    @property
    def T(self):
        return self.permute(*reversed(range(self.ndim)))

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t(): expects a tensor with <= 2 dimensions, got {self.ndim}")
        return self.T

    def squeeze(self, dim=None):
        if dim is None:
            shape = tuple(s for s in self.shape if s != 1)
        else:
            axes = R.normalize_dims(dim, self.ndim, "squeeze")
            shape = tuple(s for i, s in enumerate(self.shape) if not (i in axes and s == 1))
        return self.reshape(shape)

    def unsqueeze(self, dim: int):
        axis = R.normalize_dims(dim, self.ndim + 1, "unsqueeze")[0]
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
        return S.Expand.apply(self, shape=target)

    def expand_as(self, other: Tensor):
        return self.expand(other.shape)

    def __getitem__(self, index):
        index = _index_arrays(index, self.device)
        try:
            return S.GetItem.apply(self, index=index)
        except IndexError as error:
            raise IndexError(f"indexing a tensor of shape {self.shape}: {error}") from None

    def gather(self, dim: int, index: Tensor):
        axis = R.normalize_dims(dim, self.ndim, "gather")[0]
        index = index.array if isinstance(index, Tensor) else index
        if index.ndim != self.ndim or index.dtype.kind not in "iu":
            raise RuntimeError(f"gather: index must be an integer tensor with {self.ndim} "
                               f"dimensions, got {index.dtype} of shape {tuple(index.shape)}")
        return S.Gather.apply(self, index=index, axis=axis)

    def masked_fill(self, mask, value):
        mask = mask.array if isinstance(mask, Tensor) else mask
        xp = array_module(self.array)
        filler = xp.asarray(value, dtype=self.dtype)
        return E.Where.apply(mask, filler, self)


# -- construction ---------------------------------------------------------------------------
def _to_array(data, dtype):
    """Turn tensors, arrays, numbers and nested lists into an array.

    Arrays keep their dtype (float64 stays float64); Python floats become float32 and
    Python ints int64, as in PyTorch.
    """
    if isinstance(data, Tensor):
        array = data.array.copy()
    elif hasattr(data, "__cuda_array_interface__") or isinstance(data, np.ndarray | np.generic):
        array = data.copy() if isinstance(data, np.ndarray) else array_module(data).array(data)
    else:
        if isinstance(data, list | tuple) and any(isinstance(d, Tensor) for d in data):
            data = [d.detach().cpu().numpy() if isinstance(d, Tensor) else d for d in data]
        array = np.array(data)
        if array.dtype == np.float64:
            array = array.astype(DEFAULT_FLOAT)
        elif array.dtype.kind == "O" or array.dtype.kind == "U":
            raise TypeError(f"tensor(): can't make a tensor from {type(data).__name__} data")
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    return array


def _as_tensor(value, like: Tensor) -> Tensor:
    if isinstance(value, Tensor):
        return value
    return Tensor(value, device=like.device)


def _shape_args(shape: tuple) -> tuple:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    if len(shape) == 1 and isinstance(shape[0], list | tuple):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


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


def _check_matmul(a: Tensor, b: Tensor) -> None:
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"matmul: both arguments need at least 1 dimension, got shapes "
                           f"{a.shape} and {b.shape}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"matmul: expected both tensors to have the same dtype, got "
                           f"{a.dtype} and {b.dtype}")
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise RuntimeError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                           f"({inner_a} != {inner_b})")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(f"matmul: batch dimensions of {a.shape} and {b.shape} do not "
                           "broadcast") from None
