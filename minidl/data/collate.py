"""Collate: turn a list of samples into one batch, as ``torch.utils.data.default_collate``.

A sample is a (nested) tuple, list or dict of NumPy arrays, Tensors, numbers and strings.
The batch has the same structure with each leaf batched along a new first axis, with
PyTorch's types:

* Tensors of shape S -> a Tensor (B, *S), stacked (a shared dtype: PyTorch's promotion);
* NumPy arrays of shape S -> a Tensor (B, *S) of their dtype (float64 stays float64;
  images from ``transforms.ToTensor`` are float32); arrays of strings or objects: an error;
* NumPy scalars -> a Tensor (B,) of their dtype;
* Python floats -> float64 Tensor (B,), ints -> int64, bools -> bool (a batch starting
  with an int takes ``tensor(batch)``'s type: int64, or float32 if floats follow);
* strings and bytes -> the B strings as they were gathered (a list, or a tuple for a field
  of tuple samples, as in PyTorch);
* a tuple or a list of fields -> a **list** of the batched fields (PyTorch turns tuple
  samples into lists; a list subclass stays its class), a namedtuple -> the namedtuple;
* a dict -> a dict (its class kept) of the batched values of each of the first
  sample's keys.
Errors: samples of different shapes or lengths raise ``RuntimeError`` (PyTorch's), other
types ``TypeError`` (PyTorch's message).
"""
from __future__ import annotations

import collections.abc
import copy
from functools import reduce

import numpy as np

from ..creation import from_numpy, stack, tensor
from ..dtypes import get_default_dtype, promote_types
from ..tensor import Tensor

ERROR_FORMAT = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts "
                "or lists; found {}")
"""PyTorch's message for what cannot be batched."""
NUMPY_SCALARS = (np.bool_, np.number, np.object_)


def default_collate(batch):
    """Batch a list of samples (see the module docstring)."""
    first = batch[0]
    if isinstance(first, Tensor):
        return _stack_tensors(batch)
    if isinstance(first, np.ndarray):
        if first.dtype.kind in "SaUO":
            raise TypeError(ERROR_FORMAT.format(first.dtype))
        return from_numpy(_stack_arrays([np.asarray(sample) for sample in batch]))
    if isinstance(first, NUMPY_SCALARS):
        dtype = reduce(promote_types, [_scalar_dtype(value) for value in batch])
        return from_numpy(np.array(batch, dtype=dtype))
    if isinstance(first, float):
        return tensor(batch, dtype=np.float64)
    if isinstance(first, int):
        return tensor(batch)
    if isinstance(first, str | bytes):
        return batch
    if isinstance(first, collections.abc.Mapping):
        return _collate_mapping(batch)
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple
        return type(first)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(first, collections.abc.Sequence):
        return _collate_sequence(batch)
    raise TypeError(ERROR_FORMAT.format(type(first)))


def _scalar_dtype(value) -> np.dtype:
    """What a number contributes to the type of ``torch.as_tensor`` of a list of them:
    a NumPy scalar its dtype, a Python bool bool, an int int64, a float the default."""
    if isinstance(value, np.generic):
        return value.dtype
    if isinstance(value, bool):
        return np.dtype(np.bool_)
    return np.dtype(np.int64) if isinstance(value, int) else np.dtype(get_default_dtype())


def _check_shapes(shapes: list) -> None:
    """PyTorch's error for samples of different shapes, with minidl's hint."""
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise RuntimeError(f"default_collate: stack expects each tensor to be equal size, "
                               f"but got {tuple(shapes[0])} at entry 0 and {tuple(shape)} at "
                               f"entry {i} (batched samples need one shape: resize images to "
                               "one size, e.g. with transforms.Resize)")


def _stack_tensors(batch) -> Tensor:
    for i, sample in enumerate(batch):
        if not isinstance(sample, Tensor):
            raise TypeError(f"default_collate: expected Tensor as element {i} of the batch, "
                            f"but got {type(sample).__name__} (the first sample is a Tensor)")
    _check_shapes([sample.shape for sample in batch])
    return stack(list(batch))


def _stack_arrays(arrays) -> np.ndarray:
    """The arrays stacked on a new first axis, in their promoted dtype (PyTorch's rule)."""
    _check_shapes([array.shape for array in arrays])
    dtype = reduce(promote_types, [array.dtype for array in arrays])
    return np.stack([array.astype(dtype, copy=False) for array in arrays])


def _collate_mapping(batch):
    """A dict of the batched values of each of the first sample's keys, of its class."""
    first = batch[0]
    values = {key: default_collate([sample[key] for sample in batch]) for key in first}
    try:
        if isinstance(first, collections.abc.MutableMapping):
            clone = copy.copy(first)       # keeps a subclass's own state (defaultdict ...)
            clone.update(values)
            return clone
        return type(first)(values)
    except TypeError:
        return values


def _collate_sequence(batch):
    """A tuple's or a list's fields batched one by one: a list for tuples, a list of the
    first sample's class for lists."""
    first = batch[0]
    if any(len(sample) != len(first) for sample in batch):
        raise RuntimeError("default_collate: each element in list of batch should be of equal "
                           f"size; got lengths {sorted({len(sample) for sample in batch})}")
    fields = [default_collate(field) for field in zip(*batch)]  # each field a tuple
    if isinstance(first, tuple):
        return fields
    try:
        if isinstance(first, collections.abc.MutableSequence):
            clone = copy.copy(first)
            for i, field in enumerate(fields):
                clone[i] = field
            return clone
        return type(first)(fields)
    except TypeError:
        return fields


def default_convert(sample):
    """One sample without batching (``DataLoader(batch_size=None)``): its NumPy arrays
    become Tensors, through tuples, lists and dicts; numbers, strings and Tensors stay."""
    if isinstance(sample, np.ndarray) and sample.dtype.kind in "biuf":
        return from_numpy(sample)
    if isinstance(sample, tuple | list):
        return type(sample)(default_convert(item) for item in sample)
    if isinstance(sample, dict):
        return {key: default_convert(value) for key, value in sample.items()}
    return sample
