"""Collate: turn a list of samples into one batch of Tensors.

A sample is a (nested) tuple, list or dict of NumPy arrays, Tensors, numbers and strings.
The batch has the same structure, with each leaf stacked along a new first axis:

* arrays and Tensors of shape S -> a Tensor of shape (B, *S), dtype kept
  (images from ``transforms.ToTensor`` are float32);
* Python ints -> int64 Tensor (B,) (class labels), Python floats -> float32, bools -> bool;
  NumPy scalars keep their dtype;
* strings -> a list of B strings (e.g. file names).
"""
from __future__ import annotations

import numbers

import numpy as np

from ..creation import from_numpy
from ..tensor import Tensor


def default_collate(samples: list):
    """Stack a list of samples into a batch (see the module docstring)."""
    first = samples[0]
    if isinstance(first, tuple | list):
        if any(len(s) != len(first) for s in samples):
            raise ValueError(f"default_collate: samples have different lengths "
                             f"{sorted({len(s) for s in samples})}")
        return type(first)(default_collate(list(field)) for field in zip(*samples))
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, str):
        return list(samples)
    if isinstance(first, np.ndarray | Tensor):
        return from_numpy(_stack([np.asarray(s) for s in samples]))
    if isinstance(first, bool | np.bool_):
        return from_numpy(np.array(samples, dtype=bool))
    if isinstance(first, np.generic):
        return from_numpy(np.array(samples, dtype=first.dtype))
    if isinstance(first, numbers.Integral):
        return from_numpy(np.array(samples, dtype=np.int64))
    if isinstance(first, numbers.Real):
        return from_numpy(np.array(samples, dtype=np.float32))
    raise TypeError(f"default_collate: can't batch samples of type {type(first).__name__}; "
                    "return arrays, Tensors, numbers, strings, or tuples/lists/dicts of them")


def _stack(arrays: list) -> np.ndarray:
    shape = arrays[0].shape
    for i, array in enumerate(arrays):
        if array.shape != shape:
            raise ValueError(f"default_collate: sample {i} has shape {array.shape}, sample 0 "
                             f"has {shape}; batched samples need one shape (resize images "
                             "to one size, e.g. with transforms.Resize)")
    return np.stack(arrays)


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
