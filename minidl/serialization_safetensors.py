"""Weights as safetensors files: the format PyTorch and Hugging Face share, through the
``safetensors`` package's NumPy API.

    minidl.save(model.state_dict(), "weights.safetensors")   # chosen by the suffix
    model.load_state_dict(minidl.load("weights.safetensors"))

A safetensors file holds a flat mapping of names to tensors — a JSON header (names,
dtypes, shapes, byte ranges) and the raw little-endian bytes — and nothing else, so it
is exactly a state dict.  minidl's parameter names and layouts are PyTorch's, so a state
dict saved by PyTorch (``safetensors.torch.save_file(model.state_dict(), ...)``) loads
into the same architecture built with minidl, and the other way round
(``safetensors.torch.load_file``).  The header's metadata says ``"format": "pt"`` (the
tensors are in PyTorch's layout), as the libraries that read these files expect.

Discipline as for the HDF5 checkpoints (:mod:`minidl.serialization`): writes are atomic
(a temporary file beside the target, fsync, rename); only tensors and NumPy arrays of
the dtypes both NumPy and safetensors have can be saved, under str keys, anything else
is a :class:`CheckpointError` naming the key; loading checks the header's declared size
against the file before the parser sees it, refuses dtypes NumPy cannot hold (bfloat16,
the float8 types) by name, and turns every parser error into one ``CheckpointError``
naming the file.  Nothing is ever unpickled.  (The format has no checksums: a flipped
bit inside the tensor data cannot be detected.)  Loaded values are Tensors (a saved NumPy
array comes back as a Tensor too), each a copy owning its memory.
"""
from __future__ import annotations

import os
import struct
import uuid
from collections import OrderedDict

import numpy as np

from .backend import to_device
from .serialization import CheckpointError, _fsync_directory, _fsync_file, _remove_if_present
from .tensor import Tensor

SUFFIX = ".safetensors"
HEADER_LENGTH_BYTES = 8  # the file starts with the header's length, a little-endian u64
MAX_HEADER_BYTES = 100_000_000  # the limit the safetensors library itself enforces
# the dtype names in the header that NumPy can hold, and the NumPy dtypes they become
NUMPY_DTYPES = {"BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "U16": np.uint16,
                "I16": np.int16, "U32": np.uint32, "I32": np.int32, "U64": np.uint64,
                "I64": np.int64, "F16": np.float16, "F32": np.float32, "F64": np.float64,
                "C64": np.complex64}
SAVABLE = {np.dtype(dtype) for dtype in NUMPY_DTYPES.values()}


def is_safetensors_path(path: str) -> bool:
    return path.lower().endswith(SUFFIX)


def _safetensors():
    try:
        import safetensors.numpy
    except ModuleNotFoundError:
        raise ModuleNotFoundError("reading and writing .safetensors files needs the "
                                  "safetensors package: pip install 'minidl[safetensors]'"
                                  ) from None
    return safetensors


# -- saving ---------------------------------------------------------------------------------
def _savable_arrays(obj) -> dict[str, np.ndarray]:
    """The NumPy arrays to write, by name; a CheckpointError for anything else."""
    if not isinstance(obj, dict):
        raise CheckpointError(f"a safetensors file holds a dict of named tensors (a state "
                              f"dict), got {type(obj).__name__}; save other objects as .h5")
    arrays = {}
    for key, value in obj.items():
        if not isinstance(key, str):
            raise CheckpointError(f"key {key!r} is of type {type(key).__name__!r}; "
                                  "safetensors names must be str")
        if isinstance(value, Tensor):
            array = to_device(value.array, "cpu")
        elif isinstance(value, np.ndarray):
            array = value
        else:
            raise CheckpointError(f"obj[{key!r}] is of type {type(value).__name__!r}; a "
                                  "safetensors file holds only tensors (save checkpoints "
                                  "with other values, such as optimizer state or the epoch, "
                                  "as .h5)")
        if array.dtype not in SAVABLE:
            raise CheckpointError(f"obj[{key!r}] has dtype {array.dtype}, which safetensors "
                                  f"cannot hold with NumPy; savable: "
                                  f"{', '.join(sorted(str(d) for d in SAVABLE))}")
        arrays[key] = np.require(array, requirements="C")  # keeps 0-d arrays 0-d
    return arrays


def save_safetensors(obj, path: str) -> None:
    """Write the dict of tensors ``obj`` to ``path`` atomically (see the module docstring;
    :func:`minidl.save` has checked the path)."""
    try:
        arrays = _savable_arrays(obj)
    except CheckpointError as error:
        raise CheckpointError(f"save: cannot write {path!r}: {error}") from None
    directory = os.path.dirname(os.path.abspath(path))
    data = _safetensors().numpy.save(arrays, metadata={"format": "pt"})
    temporary = os.path.join(directory, f".{os.path.basename(path)}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(temporary, "xb") as file:
            file.write(data)
        _fsync_file(temporary)
        os.replace(temporary, path)
    except BaseException:
        _remove_if_present(temporary)
        raise
    _fsync_directory(directory)


# -- loading --------------------------------------------------------------------------------
def _check_header_size(path: str) -> None:
    """The declared header must fit the file and the format's limit."""
    size = os.path.getsize(path)
    if size < HEADER_LENGTH_BYTES:
        raise CheckpointError(f"is too short ({size} bytes) to be a safetensors file, which "
                              f"starts with an {HEADER_LENGTH_BYTES}-byte header length")
    with open(path, "rb") as file:
        (length,) = struct.unpack("<Q", file.read(HEADER_LENGTH_BYTES))
        start = file.read(1)
    if length > MAX_HEADER_BYTES:
        raise CheckpointError(f"declares a header of {length:,} bytes, more than the "
                              f"{MAX_HEADER_BYTES:,} the format allows: it is not a "
                              "safetensors file, or it is damaged")
    if length > size - HEADER_LENGTH_BYTES:
        raise CheckpointError(f"declares a header of {length:,} bytes but has only "
                              f"{size - HEADER_LENGTH_BYTES:,} after the length: it is cut "
                              "off, or not a safetensors file")
    if start != b"{":
        raise CheckpointError("is not a safetensors file (its header is not a JSON object)")


def load_safetensors(path: str, device: str) -> OrderedDict:
    """Read the tensors of the safetensors file ``path`` (an existing file, checked by
    :func:`minidl.load`), by name, onto ``device``."""
    safetensors = _safetensors()
    try:
        _check_header_size(path)
        tensors = OrderedDict()
        with safetensors.safe_open(path, framework="np") as file:
            for key in file.keys():
                dtype = file.get_slice(key).get_dtype()
                if dtype not in NUMPY_DTYPES:
                    raise CheckpointError(f"holds tensor {key!r} of dtype {dtype}, which "
                                          "NumPy cannot represent; convert it where it was "
                                          "saved (e.g. to float32 with tensor.float())")
                array: np.ndarray = np.array(file.get_tensor(key), dtype=NUMPY_DTYPES[dtype])
                tensors[key] = Tensor._from_array(to_device(array, device))
        return tensors
    except CheckpointError as error:
        raise CheckpointError(f"load: {path!r} {error}") from None
    except (safetensors.SafetensorError, OSError, ValueError, TypeError, KeyError) as error:
        raise CheckpointError(f"load: {path!r} is not a valid safetensors file (damaged, cut "
                              f"off, or another format): {error}") from None
