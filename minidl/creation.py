"""Making tensors: from data, filled with constants, random, ranges; joining tensors."""
from __future__ import annotations

import numpy as np

from . import random as _random
from .backend import array_module, module_for_device, normalize_device, to_device
from .dtypes import as_dtype, get_default_dtype, promote_types, result_type
from .ops.arguments import normalize_dims
from .ops.elementwise import Where
from .ops.shape import Cat, Stack
from .tensor import Tensor, _shape_args


def to_array(data, dtype=None):
    """Turn tensors, arrays, numbers and nested lists into a new array (on the CPU unless
    ``data`` is a CuPy array or a cuda tensor).

    Arrays keep their dtype (float64 stays float64); Python floats become the default float
    type (float32), Python ints int64 and bools bool, as in PyTorch.  With ``dtype`` given,
    Python floats go to it directly from their double value (``tensor(0.1,
    dtype=float64)`` holds the double 0.1, not 0.1 rounded to float32 first).  Anything but numbers
    (text, bytes, None, objects) is refused with a ``TypeError``, a ragged nested list with
    a ``ValueError``.
    """
    if isinstance(data, Tensor):
        array = data.array.copy()
    elif hasattr(data, "__cuda_array_interface__") or isinstance(data, np.ndarray | np.generic):
        array = data.copy() if isinstance(data, np.ndarray) else array_module(data).array(data)
    else:
        if isinstance(data, list | tuple) and any(isinstance(d, Tensor) for d in data):
            data = [d.detach().cpu().numpy() if isinstance(d, Tensor) else d for d in data]
        try:
            array = np.array(data)
        except ValueError:
            raise ValueError(f"tensor(): the nested {type(data).__name__} is ragged (rows of "
                             "different lengths); a tensor needs every row of a dimension "
                             "to have the same length") from None
        if dtype is None and array.dtype.kind in "fc" and array.dtype.itemsize in (8, 16) \
                and not _holds_numpy_doubles(data):
            # Python floats (and complex numbers) take the default type, as in PyTorch;
            # NumPy float64 (complex128) scalars in the list keep the list float64
            array = array.astype(get_default_dtype() if array.dtype.kind == "f"
                                 else np.result_type(get_default_dtype(), np.complex64))
    if array.dtype.kind not in "biufc":
        raise TypeError(f"tensor(): can't make a tensor from {_description(data, array)}; "
                        "tensors hold bool, integer, float or complex numbers")
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    return array


def _description(data, array) -> str:
    """What non-numeric ``data`` is, for an error: ``a list holding str ('a')``."""
    if isinstance(data, list | tuple):
        odd = [item for item in _leaves(data) if not isinstance(item, int | float | complex)]
        if odd:
            return (f"a {type(data).__name__} holding {type(odd[0]).__name__} values "
                    f"({odd[0]!r:.40})")
    if isinstance(data, np.ndarray):
        return f"an array of dtype {array.dtype}"
    return f"{type(data).__name__} data ({data!r:.40})"


def _holds_numpy_doubles(data) -> bool:
    """Whether nested lists hold a NumPy float64 or complex128 scalar (or array), which
    makes PyTorch's inferred dtype float64 (complex128)."""
    if not isinstance(data, list | tuple):
        return False
    return any(getattr(leaf, "dtype", None) in (np.float64, np.complex128)
               for leaf in _leaves(data))


def _leaves(nested):
    """The items of nested lists and tuples, depth first."""
    for item in nested:
        if isinstance(item, list | tuple):
            yield from _leaves(item)
        else:
            yield item


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (float64 arrays stay float64; Python floats
    become float32)."""
    array = to_array(data, as_dtype(dtype))
    if device is not None:
        array = to_device(array, device)
    return Tensor._from_array(array).requires_grad_(requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, sharing memory when it already is a tensor or an array of the
    asked dtype and device, copying otherwise."""
    dtype = as_dtype(dtype)
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtype == data.dtype) \
            and normalize_device(device) == "cpu":
        return Tensor._from_array(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor._from_array(array)


# -- filled with one value -------------------------------------------------------------------
def _filled(fill, size, dtype, device, requires_grad):
    xp = module_for_device(normalize_device(device))
    shape = _shape_args(size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"size must be non-negative, got {list(shape)}")
    array = fill(xp, shape, as_dtype(dtype) or get_default_dtype())
    return Tensor._from_array(array).requires_grad_(requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False, **options) -> Tensor:
    return _filled(lambda xp, s, d: xp.zeros(s, dtype=d), _size_argument(size, options, "zeros"),
                   dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, **options) -> Tensor:
    return _filled(lambda xp, s, d: xp.ones(s, dtype=d), _size_argument(size, options, "ones"),
                   dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, **options) -> Tensor:
    """A tensor of that size (zero-filled; PyTorch leaves it uninitialized)."""
    return zeros(*_size_argument(size, options, "empty"), dtype=dtype, device=device,
                 requires_grad=requires_grad)


def _size_argument(size: tuple, options: dict, op: str) -> tuple:
    """The sizes given as arguments or as PyTorch's ``size=`` keyword (``zeros(size=(2,
    3))``); ``pin_memory``, ``layout`` and ``memory_format`` are accepted (one layout, no
    pinned memory: they change nothing)."""
    shape = options.pop("size", None)
    for accepted in ("pin_memory", "layout", "memory_format"):
        options.pop(accepted, None)
    if options:
        raise TypeError(f"{op}() got unexpected keyword arguments {sorted(options)}")
    if shape is not None:
        if size:
            raise TypeError(f"{op}(): give the sizes either as arguments or as size=, "
                            "not both")
        return (tuple(shape),) if not isinstance(shape, int) else (shape,)
    return size


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor filled with ``fill_value``, of its type by default (bool, int64 or the
    default float type), as in PyTorch."""
    dtype = as_dtype(dtype) or result_type(fill_value)
    return _filled(lambda xp, s, d: xp.full(s, fill_value, dtype=d), (size,), dtype, device,
                   requires_grad)


def _like(make, other: Tensor, dtype, device, requires_grad, *args):
    """``make(*args, shape, ...)`` with ``other``'s shape, dtype and device by default."""
    return make(*args, dtype=dtype or other.dtype,
                device=other.device if device is None else device,
                requires_grad=requires_grad)


def zeros_like(input: Tensor, dtype=None, device=None, requires_grad=False) -> Tensor:  # noqa: A002
    return _like(zeros, input, dtype, device, requires_grad, input.shape)


def ones_like(input: Tensor, dtype=None, device=None, requires_grad=False) -> Tensor:  # noqa: A002
    return _like(ones, input, dtype, device, requires_grad, input.shape)


def empty_like(input: Tensor, dtype=None, device=None, requires_grad=False) -> Tensor:  # noqa: A002
    return _like(empty, input, dtype, device, requires_grad, input.shape)


def full_like(input: Tensor, fill_value, dtype=None, device=None,  # noqa: A002
              requires_grad=False) -> Tensor:
    return _like(full, input, dtype, device, requires_grad, input.shape, fill_value)


# -- random ------------------------------------------------------------------------------------
def _random_tensor(op, draw, size, dtype, device, requires_grad, generator=None,
                   floating: bool = True):
    """Draw on the CPU from ``generator`` (a ``minidl.Generator``; the global stream by
    default), so that a seed gives the same numbers on every device, then move.  A
    ``floating`` draw (uniform, normal) refuses an integer ``dtype``, as PyTorch does."""
    shape = _shape_args(size)
    target = as_dtype(dtype) or get_default_dtype()
    if floating and np.dtype(target).kind not in "fc":  # not silently a tensor of zeros
        raise NotImplementedError(f"{op}: draws floating point numbers, not {target} "
                                  "(randint draws integers)")
    array = draw(_random.stream(generator, op), shape).astype(target)
    return Tensor._from_array(to_device(array, normalize_device(device))).requires_grad_(
        requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Samples of the standard normal distribution."""
    return _random_tensor("randn", lambda g, s: g.standard_normal(s), size, dtype, device,
                          requires_grad, generator)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Samples of the uniform distribution on [0, 1)."""
    return _random_tensor("rand", lambda g, s: g.random(s), size, dtype, device,
                          requires_grad, generator)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False) -> Tensor:
    """Samples of the normal distribution N(mean, std²): ``normal(mean, std, size)`` with
    numbers, or ``normal(mean, std)`` with a tensor mean and/or std (one sample per
    element of their broadcast shape, of their dtype and device), as ``torch.normal``.
    x = mean + std · z with z standard normal (a constant: no gradient flows to mean or
    std)."""
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal: with a number mean and std, give the size of the "
                            "result: normal(mean, std, size)")
        return _random_tensor("normal", lambda g, s: g.normal(mean, std, s), (size,), dtype,
                              device, requires_grad, generator)
    try:
        shape = np.broadcast_shapes(*(tuple(t.shape) for t in tensors))
    except ValueError:
        raise RuntimeError(f"normal: the shapes of mean and std, "
                           f"{[tuple(t.shape) for t in tensors]}, do not broadcast") from None
    if size is not None and _shape_args((size,)) != shape:
        raise RuntimeError(f"normal: size {list(_shape_args((size,)))} does not match "
                           f"the shape of mean and std, {list(shape)}")
    kind = result_type(*tensors)
    z = randn(shape, generator=generator, dtype=kind, device=tensors[0].device).array
    raw = [v.detach().array if isinstance(v, Tensor) else v for v in (mean, std)]
    sample = Tensor._from_array((raw[0] + raw[1] * z).astype(kind, copy=False))
    return sample.to(dtype=dtype, device=device).requires_grad_(requires_grad)


def randint(*args, size=None, low=None, high=None, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers drawn uniformly
    from [low, high) (low is 0 by default), int64 unless ``dtype`` says otherwise."""
    numbers = list(args)
    if size is None and numbers and not np.isscalar(numbers[-1]):
        size = numbers.pop()
    elif size is None and len(numbers) == 3:
        size = (numbers.pop(),)
    if high is None and numbers:
        high = numbers.pop()
    if low is None:
        low = numbers.pop() if numbers else 0
    if numbers or high is None or size is None:
        raise TypeError(f"randint: expected randint(high, size) or randint(low, high, size), "
                        f"got arguments {args}")
    if not low < high:
        raise RuntimeError(f"randint: expected low < high, got low={low}, high={high}")
    return _random_tensor("randint", lambda g, s: g.integers(low, high, s), (size,),
                          dtype or np.int64, device, requires_grad, generator, floating=False)


def randn_like(input: Tensor, dtype=None, device=None, requires_grad=False) -> Tensor:  # noqa: A002
    return _like(randn, input, dtype, device, requires_grad, input.shape)


def rand_like(input: Tensor, dtype=None, device=None, requires_grad=False) -> Tensor:  # noqa: A002
    return _like(rand, input, dtype, device, requires_grad, input.shape)


def randint_like(input: Tensor, low, high=None, dtype=None, device=None,  # noqa: A002
                 requires_grad=False) -> Tensor:
    """``randint_like(input, high)`` or ``randint_like(input, low, high)``."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype,
                   device=input.device if device is None else device,
                   requires_grad=requires_grad)


def randperm(n: int, dtype=None, device=None, *, generator=None) -> Tensor:
    """0, ..., n-1 in a random order (int64 by default)."""
    array = _random.stream(generator, "randperm").permutation(n).astype(
        as_dtype(dtype) or np.int64)
    return Tensor._from_array(to_device(array, normalize_device(device)))


# -- ranges ------------------------------------------------------------------------------------
def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Like ``torch.arange``: int64 for integer arguments, the default float type otherwise."""
    if end is None:
        start, end = 0, start
    values = np.arange(start, end, step)
    if dtype is None:
        dtype = np.int64 if values.dtype.kind in "iu" else get_default_dtype()
    return tensor(values, dtype=dtype, device=device, requires_grad=requires_grad)


def linspace(start, end, steps: int, dtype=None, device=None, requires_grad=False) -> Tensor:
    return tensor(np.linspace(start, end, steps), dtype=as_dtype(dtype) or get_default_dtype(),
                  device=device, requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype=None, device=None, requires_grad=False) -> Tensor:
    return tensor(np.eye(n, m), dtype=as_dtype(dtype) or get_default_dtype(), device=device,
                  requires_grad=requires_grad)


# -- joining and choosing ----------------------------------------------------------------------
def _joinable(op: str, tensors, axis_in_result: int, new_axis: bool) -> list:
    """The tensors, checked and converted to their promoted dtype (PyTorch)."""
    if not isinstance(tensors, list | tuple) or not tensors:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    if not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError(f"{op}: expected a list of tensors, got "
                        f"{[type(t).__name__ for t in tensors]}")
    first = tensors[0]
    dtype = first.dtype
    for i, t in enumerate(tensors[1:], 1):
        a, b = list(first.shape), list(t.shape)
        if not new_axis and len(a) == len(b):
            a.pop(axis_in_result), b.pop(axis_in_result)
        if a != b:
            rule = ("equal shapes" if new_axis
                    else f"equal shapes except in dimension {axis_in_result}")
            raise RuntimeError(f"{op}: tensors need {rule}; tensor 0 has shape {first.shape}, "
                               f"tensor {i} has shape {t.shape}")
        dtype = promote_types(dtype, t.dtype)
    return [t if t.dtype == dtype else t._cast(dtype) for t in tensors]


def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension.  Empty 1-D tensors (shape (0,)) among
    tensors of more dimensions are skipped, as in PyTorch (its legacy rule, which code
    that grows a result from ``torch.tensor([])`` relies on)."""
    tensors = list(tensors)
    if any(isinstance(t, Tensor) and t.ndim > 1 for t in tensors):
        tensors = [t for t in tensors if not (isinstance(t, Tensor) and t.shape == (0,))]
    if tensors and isinstance(tensors[0], Tensor) and tensors[0].ndim == 0:
        raise RuntimeError("cat: zero-dimensional tensors cannot be concatenated")
    axis = normalize_dims(dim, tensors[0].ndim if tensors else 1, "cat")[0]
    return Cat.apply(*_joinable("cat", tensors, axis, new_axis=False), axis=axis)


def stack(tensors, dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new dimension."""
    axis = normalize_dims(dim, (tensors[0].ndim if tensors else 0) + 1, "stack")[0]
    return Stack.apply(*_joinable("stack", tensors, axis, new_axis=True), axis=axis)


def where(condition, input=None, other=None) -> Tensor:  # noqa: A002  (PyTorch's names)
    """``input`` where ``condition`` holds, else ``other`` (their promoted dtype);
    differentiable in both.  ``where(condition)`` alone is
    ``condition.nonzero(as_tuple=True)``: the indices of the true elements, one tensor per
    dimension."""
    if input is None and other is None:
        condition = condition if isinstance(condition, Tensor) else tensor(condition)
        return condition.nonzero(as_tuple=True)
    if input is None or other is None:
        raise TypeError("where: give both input and other (where(condition, input, other)), "
                        "or neither (where(condition))")
    condition = condition.array if isinstance(condition, Tensor) else condition
    like = input if isinstance(input, Tensor) else other
    if not isinstance(like, Tensor):
        like = tensor(input)
    chosen = [like._operand(v, "where") for v in (input, other)]
    dtype = result_type(*chosen)
    return Where.apply(condition, *(like._converted(v, dtype) for v in chosen))
