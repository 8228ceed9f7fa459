"""PyTorch's dtype names (``minidl.float32`` ...) as NumPy's dtype objects.

Not NumPy's scalar types (``numpy.float32`` the class): ``tensor.dtype`` is a dtype object,
and the two compare equal but hash apart, so ``x.dtype in {torch.float32}`` or a dict keyed
by dtypes would silently miss.  With these, ``x.dtype is minidl.float32`` holds.
"""
import numpy as np

bool = np.dtype(np.bool_)  # noqa: A001
float16, float32, float64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
int8, int16, int32, int64 = np.dtype(np.int8), np.dtype(np.int16), np.dtype(np.int32), \
    np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
