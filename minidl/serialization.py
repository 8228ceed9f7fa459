"""``save`` and ``load``: checkpoints as HDF5 files, written atomically, read without pickle.

    minidl.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3},
                "run/checkpoint.h5")
    checkpoint = minidl.load("run/checkpoint.h5")            # tensors on "cpu"
    model.load_state_dict(checkpoint["model"])

What can be saved: dicts (keys ``str`` or ``int``; ``OrderedDict`` stays an OrderedDict),
lists, tuples, Tensors, NumPy arrays and NumPy scalars of numeric or bool dtype, and
Python ``int`` (any size), ``float``, ``bool``, ``str`` and ``None``, nested in any way.
Each comes back as the same type with the same value (a Tensor with its dtype, shape and
``requires_grad``; a Parameter comes back as a plain Tensor; other subclasses of dict and
tuple, such as ``defaultdict`` or a namedtuple, come back as dict and tuple).  Strings may
not contain the NUL character (HDF5 strings end at one).

The file layout
---------------
Plain HDF5, so ``h5py`` alone can read it::

    /                          root group; attributes:
                                 minidl_format          = "minidl checkpoint"
                                 minidl_format_version  = 1
                                 minidl_version         = version of minidl that wrote it
    /object                    the saved object (the node of the top-level value)

Every value is one *node*, an HDF5 group (containers) or dataset (everything else) whose
attribute ``kind`` says what it was:

    kind            node      contents
    "dict"          group     one child per entry, named "0", "1", ... in insertion order;
    "ordereddict"   group       each child carries attributes ``key`` (the key as text)
                                and ``key_type`` ("str" or "int")
    "list"          group     one child per item, named "0", "1", ...
    "tuple"         group     one child per item, named "0", "1", ...
    "tensor"        dataset   the tensor's values, dtype and shape (*); attribute
                                ``requires_grad`` (bool)
    "ndarray"       dataset   the array's values, dtype and shape (*)
    "numpy_scalar"  dataset   0-d dataset of the scalar's dtype
    "int"           dataset   0-d int64, or the decimal digits as a string when the
                                value does not fit in 64 bits
    "float"         dataset   0-d float64
    "bool"          dataset   0-d bool
    "str"           dataset   0-d variable-length UTF-8 string
    "none"          dataset   empty (no dataspace)

(*) Arrays with at least one element are stored chunked with HDF5's Fletcher-32 checksum
filter (HDF5 cannot checksum 0-d datasets or its metadata: the seal below covers those).

Children are named by position, not by key, because keys may be ints or contain "/"
(which HDF5 names cannot) and because HDF5 lists names alphabetically, not in insertion
order.  Reading a saved state dict with h5py alone (``node.values()`` comes in name order
"0", "1", "10", ..., the keys are right all the same)::

    import h5py
    with h5py.File("checkpoint.h5", "r") as f:
        node = f["object"]
        weights = {child.attrs["key"]: child[()] for child in node.values()}

The seal
--------
The file starts with a 512-byte HDF5 *user block* that holds the SHA-256 of everything
after it (:mod:`minidl.checkpoint_seal`).  ``load`` checks it before any HDF5 parser reads
the file, so a damaged file (a flipped bit anywhere, a cut-off copy) is one clean
:class:`CheckpointError`, never a crash of the HDF5 library or a silently changed value.
Checkpoints saved before the seal existed still load, with an
:class:`UnsealedCheckpointWarning`.

Files from outside are untrusted
--------------------------------
``load`` reads only numbers and UTF-8 text: nothing is unpickled and no ``object`` dtype
array is ever built, so loading never runs code stored in the file.  Before reading any
value it walks the file's metadata and refuses whatever :func:`save` does not write
(:mod:`minidl.hdf5_structure`): soft, external and user-defined links, external storage,
virtual datasets, any filter but Fletcher-32 (so no decompression bombs), datasets that
declare more bytes than they store or than the file holds, objects linked into a loop,
more than ``MAX_NODES`` objects or ``MAX_DEPTH`` levels of nesting.  So loading reads only
the file it was given, and at most its size.  Every refusal is a :class:`CheckpointError`
naming the file and the reason.  ``save`` refuses values that break those limits (too
many or too deeply nested values, a container that contains itself).  What no check
before parsing can rule out is a file forged to hit a bug in the HDF5 library's own
parser (HDF5 2.0 loops forever on a global-heap object whose size was forged): load
checkpoints from strangers knowing that.

Atomic writes
-------------
``save`` writes a hidden temporary file beside the target, flushes it to disk (fsync) and
then renames it over the target (``os.replace``, atomic on POSIX file systems).  A crash or
an error while writing leaves any existing checkpoint untouched; on an error the temporary
file is removed.  (If the process is killed outright, a ``.<name>.<random>.tmp`` file may
remain beside the checkpoint; it is never mistaken for the checkpoint.)  A binary file
object (``io.BytesIO``, an open file) gets the same sealed bytes written at once; the
atomic replacement is then the caller's business.  ``load`` reads such an object from
where it stands to its end, and checks the bytes as it checks a file.

``h5py`` is imported on first use, so ``import minidl`` stays fast.
"""
from __future__ import annotations

import io
import os
import uuid
import warnings
from collections import OrderedDict

import numpy as np

from .backend import module_for_device, normalize_device, to_device
from .checkpoint_format import (
    MAX_DEPTH,
    MAX_NODES,
    STORABLE_DTYPE_KINDS,
    CheckpointError,
    UnsealedCheckpointWarning,
)
from .checkpoint_seal import USER_BLOCK_SIZE, check_seal, sealed_bytes
from .tensor import Tensor

__all__ = ["save", "load", "CheckpointError", "UnsealedCheckpointWarning"]

FORMAT_NAME = "minidl checkpoint"
FORMAT_VERSION = 1
ROOT_NODE = "object"
INT64_RANGE = range(-2**63, 2**63)
SUPPORTED_TYPES = ("dict, OrderedDict, list, tuple, Tensor, numpy.ndarray, NumPy scalars, "
                   "int, float, bool, str, None")


def _h5py():
    """The ``h5py`` module, imported on first use (it takes ~0.2 s to import)."""
    import h5py
    return h5py


# -- saving ---------------------------------------------------------------------------------
def save(obj, path) -> None:
    """Write ``obj`` (state dicts, optimizer state, metadata ...) to the HDF5 file ``path``
    (a ``.safetensors`` path: a dict of tensors in that format, see
    :mod:`minidl.serialization_safetensors`).

    Tensors on "cuda" are copied to the host for writing; the tensors themselves stay
    where they are.  The write is atomic: ``path`` holds either its old contents or the
    complete new checkpoint, never a partial one.  The file is sealed with the SHA-256 of
    its content (see the module docstring).
    """
    if _is_file_object(path, "write"):
        path.write(_checkpoint_bytes(obj))
        return
    path = _as_path(path, "save")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"save: cannot write checkpoint {path!r}: directory "
                                f"{directory!r} does not exist")
    from .serialization_safetensors import is_safetensors_path, save_safetensors
    if is_safetensors_path(path):  # a flat dict of tensors, the format PyTorch shares
        return save_safetensors(obj, path)
    temporary = os.path.join(directory, f".{os.path.basename(path)}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        content = _checkpoint_bytes(obj)
        with open(temporary, "xb") as output:
            output.write(content)
        _fsync_file(temporary)
        os.replace(temporary, path)
    except CheckpointError as error:
        _remove_if_present(temporary)
        raise CheckpointError(f"save: cannot write checkpoint {path!r}: {error}") from None
    except BaseException:
        _remove_if_present(temporary)
        raise
    _fsync_directory(directory)


def _checkpoint_bytes(obj) -> bytes:
    """The sealed checkpoint of ``obj``.  The HDF5 file is built in memory and written
    with plain file I/O: a full disk is then one OSError, never an HDF5 library failure
    halfway through a file."""
    from . import __version__
    buffer = io.BytesIO()
    with _h5py().File(buffer, "w", userblock_size=USER_BLOCK_SIZE) as file:
        file.attrs["minidl_format"] = FORMAT_NAME
        file.attrs["minidl_format_version"] = FORMAT_VERSION
        file.attrs["minidl_version"] = __version__
        _TreeWriter().write(file, ROOT_NODE, obj, "obj", depth=1)
    return sealed_bytes(buffer.getbuffer())


def _is_file_object(value, method: str) -> bool:
    """Whether ``value`` is a file object (it has ``method``, "read" or "write"), not a
    path."""
    return not isinstance(value, str | os.PathLike) and callable(getattr(value, method, None))


class _TreeWriter:
    """Writes a value as a tree of nodes, refusing what :func:`load` would refuse: a
    container that contains itself, more than ``MAX_NODES`` nodes, deeper than
    ``MAX_DEPTH``."""

    def __init__(self):
        self.nodes = 1                  # the root group
        self.open_containers = {}       # id -> where, of the containers being written

    def write(self, parent, name: str, value, where: str, depth: int):
        """Store ``value`` as the node ``parent[name]``, ``depth`` levels below the root group
        and return that node.  ``where`` spells the value's place in the saved object
        (``obj['model'][0]``) for error messages."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise CheckpointError(f"{where} is value number {self.nodes:,}; a checkpoint "
                                  f"holds at most {MAX_NODES:,} values (store many "
                                  "numbers as one array)")
        if isinstance(value, dict | list | tuple):
            return self._write_container(parent, name, value, where, depth)
        return _write_leaf(parent, name, value, where)

    def _write_container(self, parent, name: str, value, where: str, depth: int):
        if id(value) in self.open_containers:
            raise CheckpointError(f"{where} is {self.open_containers[id(value)]} itself: a "
                                  "structure that contains itself cannot be saved")
        if depth >= MAX_DEPTH:
            raise CheckpointError(f"{where} is a container {depth} levels deep; a checkpoint "
                                  f"holds containers at most {MAX_DEPTH - 1} levels deep")
        self.open_containers[id(value)] = where
        group = parent.create_group(name)
        if isinstance(value, dict):
            for position, (key, item) in enumerate(value.items()):
                child = self.write(group, str(position), item, f"{where}[{key!r}]", depth + 1)
                child.attrs["key"], child.attrs["key_type"] = _storable_key(key, where)
            kind = "ordereddict" if isinstance(value, OrderedDict) else "dict"
        else:
            for position, item in enumerate(value):
                self.write(group, str(position), item, f"{where}[{position}]", depth + 1)
            kind = "list" if isinstance(value, list) else "tuple"
        del self.open_containers[id(value)]
        return _with_kind(group, kind)


def _write_leaf(parent, name: str, value, where: str):
    """Store a value that is not a container as the dataset ``parent[name]``."""
    if isinstance(value, Tensor):
        node = _write_array(parent, name, to_device(value.array, "cpu"), where)
        node.attrs["requires_grad"] = value.requires_grad
        return _with_kind(node, "tensor")
    if isinstance(value, np.ndarray):
        return _with_kind(_write_array(parent, name, value, where), "ndarray")
    if isinstance(value, np.generic):  # before float/int: np.float64 is a float subclass
        scalar = _storable_array(np.asarray(value), where)[()]
        return _with_kind(parent.create_dataset(name, data=scalar), "numpy_scalar")
    if value is None:
        return _with_kind(parent.create_dataset(name, data=_h5py().Empty("i1")), "none")
    if isinstance(value, bool):  # before int: bool is an int subclass
        return _with_kind(parent.create_dataset(name, data=np.bool_(value)), "bool")
    if isinstance(value, int):
        data = np.int64(value) if value in INT64_RANGE else str(value)
        return _with_kind(parent.create_dataset(name, data=data), "int")
    if isinstance(value, float):
        return _with_kind(parent.create_dataset(name, data=np.float64(value)), "float")
    if isinstance(value, str):
        return _with_kind(parent.create_dataset(name, data=_storable_text(value, where)), "str")
    raise CheckpointError(f"{where} is of type {type(value).__name__!r}, which cannot be "
                          f"saved; supported: {SUPPORTED_TYPES}")


def _with_kind(node, kind: str):
    node.attrs["kind"] = kind
    return node


def _write_array(parent, name: str, array: np.ndarray, where: str):
    """A dataset holding ``array``, with a Fletcher-32 checksum so that a damaged file is
    detected on loading (HDF5 checksums only chunked data: arrays with elements)."""
    checksum = array.ndim > 0 and array.size > 0
    return parent.create_dataset(name, data=_storable_array(array, where),
                                 fletcher32=checksum)


def _storable_array(array: np.ndarray, where: str) -> np.ndarray:
    if array.dtype.kind not in STORABLE_DTYPE_KINDS:
        raise CheckpointError(f"{where} has dtype {array.dtype}, which cannot be saved; "
                              "only bool, integer, float and complex arrays can")
    return array


def _storable_text(text: str, where: str) -> str:
    if "\0" in text:
        raise CheckpointError(f"{where}: strings containing the NUL character '\\0' cannot "
                              "be saved (HDF5 strings end at NUL)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise CheckpointError(f"{where}: string is not valid Unicode ({error})") from None
    return text


def _storable_key(key, where: str) -> tuple[str, str]:
    """The key as (text, key_type); only str and int keys (not bool) are allowed."""
    if isinstance(key, str):
        return _storable_text(key, f"{where} key {key!r}"), "str"
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key), "int"
    raise CheckpointError(f"{where} has a key {key!r} of type {type(key).__name__!r}; "
                          "dict keys must be str or int")


def _fsync_file(path: str) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX only: Windows cannot open a directory)."""
    if os.name == "posix":
        _fsync_file(directory)


def _remove_if_present(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


# -- loading --------------------------------------------------------------------------------
def load(path, map_location=None, weights_only: bool | None = None, *, mmap=None):
    """Read a checkpoint written by :func:`save` (or any ``.safetensors`` file).

    ``map_location`` ("cpu", "cuda", a ``minidl.device`` or None for "cpu") is the device
    the loaded tensors are put on; NumPy arrays stay NumPy arrays.  PyTorch's other forms
    work too (``_map_location``): a dict from saved to wanted devices, and a function
    ``f(storage, location)`` (``lambda storage, loc: storage``), called with each loaded
    tensor and "cpu", which returns the tensor to keep.  The file's seal and
    structure are checked before any value is read (see the module docstring); any problem
    with the file is a :class:`CheckpointError` naming it and the reason.

    ``weights_only`` and ``mmap`` are accepted for PyTorch programs (``torch.load(path,
    weights_only=True)``) and change nothing: minidl never unpickles, so loading a
    checkpoint can never run code, whatever ``weights_only`` says.
    """
    if weights_only not in (None, True, False):
        raise TypeError(f"load: weights_only must be a bool or None, got {weights_only!r}")
    if _is_file_object(path, "read"):
        return _load_bytes(path.read(), "the file object", map_location, weights_only)
    path = _as_path(path, "load")
    if callable(map_location) and not isinstance(map_location, str):
        return _map_tensors(load(path, "cpu", weights_only), map_location)
    device = normalize_device(_map_location(map_location))
    module_for_device(device)  # a clear error now if "cuda" is asked for but missing
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: checkpoint file {path!r} does not exist")
    if not os.path.isfile(path):
        raise CheckpointError(f"load: {path!r} is not a file")
    from .serialization_safetensors import is_safetensors_path, load_safetensors
    if is_safetensors_path(path):
        return load_safetensors(path, device)
    return _load_file(path, repr(path), os.path.getsize(path), device)


def _load_bytes(content, name: str, map_location, weights_only):
    """``load`` of a checkpoint's bytes, read from a file object called ``name``."""
    if not isinstance(content, bytes | bytearray | memoryview):
        raise TypeError(f"load: {name} gave {type(content).__name__}, expected bytes (open "
                        "the file in binary mode, 'rb')")
    if callable(map_location) and not isinstance(map_location, str):
        return _map_tensors(_load_bytes(content, name, "cpu", weights_only), map_location)
    device = normalize_device(_map_location(map_location))
    module_for_device(device)
    return _load_file(io.BytesIO(content), name, len(content), device)


def _load_file(source, name: str, size: int, device):
    """Check and read the checkpoint ``source`` (a path or a seekable binary file object at
    its start) of ``size`` bytes; ``name`` is how errors call it."""
    try:
        sealed = check_seal(source)
    except CheckpointError as error:  # its message says what is wrong with the file
        raise CheckpointError(f"load: {name} {error}") from None
    if hasattr(source, "seek"):
        source.seek(0)
    h5py = _h5py()
    try:
        file = h5py.File(source, "r")
    except OSError as error:
        raise CheckpointError(f"load: {name} is a damaged HDF5 file (truncated or "
                              f"corrupted): {error}") from None
    with file:
        try:
            _check_file(file, size)
            if not sealed:
                warnings.warn(f"load: {name} has no SHA-256 seal (saved by an older minidl or "
                              "another program), so damage to it cannot be detected; save it "
                              "again to seal it", UnsealedCheckpointWarning, stacklevel=3)
            return _read_node(file[ROOT_NODE], device)
        except CheckpointError as error:
            raise CheckpointError(f"load: {name} {error}") from None
        except Exception as error:  # whatever a damaged or hostile file makes h5py raise
            raise CheckpointError(f"load: {name} is damaged or was not written by "
                                  f"minidl: {error}") from None


def _map_location(map_location):
    """The one device a ``map_location`` names: itself, or for a dict ({"cuda:0": "cpu"})
    the device all its values name (minidl's checkpoints do not record where each tensor
    was, so one dict maps them all)."""
    if not isinstance(map_location, dict):
        return map_location
    targets = {normalize_device(target) for target in map_location.values()}
    if len(targets) != 1:
        raise ValueError(f"load: map_location {map_location!r} must map every device to one "
                         "device (minidl's checkpoints do not record each tensor's device)")
    return targets.pop()


def _map_tensors(value, function):
    """``value`` with each Tensor t in it (through dicts, lists and tuples) replaced by
    ``function(t, "cpu")``, a ``map_location`` function's answer, which must be a Tensor."""
    if isinstance(value, Tensor):
        mapped = function(value, "cpu")
        if not isinstance(mapped, Tensor):
            raise TypeError(f"load: map_location returned {type(mapped).__name__} for a "
                            "tensor; it must return the tensor (storage) it was given, "
                            "or a copy on a device")
        return mapped
    if isinstance(value, dict):
        return type(value)((key, _map_tensors(item, function)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return type(value)(_map_tensors(item, function) for item in value)
    return value


def _check_file(file, size: int) -> None:
    """Refuse a file whose structure :func:`save` would not write, then one that is not a
    minidl checkpoint of a version this minidl reads."""
    from .hdf5_structure import check_structure
    check_structure(file, size)
    _check_header(file)


def _check_header(file) -> None:
    if file.attrs.get("minidl_format") != FORMAT_NAME:
        raise CheckpointError("is an HDF5 file but not a minidl checkpoint (its root has "
                              f"no attribute minidl_format={FORMAT_NAME!r})")
    version = file.attrs.get("minidl_format_version")
    if not isinstance(version, np.integer) or not 1 <= version <= FORMAT_VERSION:
        raise CheckpointError(f"has checkpoint format version {version}; this minidl reads "
                              f"versions 1 to {FORMAT_VERSION} (was it written by a newer "
                              "minidl?)")
    if ROOT_NODE not in file:
        raise CheckpointError(f"is damaged: it has no {ROOT_NODE!r} node")


def _read_node(node, device: str):
    """The value stored at ``node`` (tensors are put on ``device``)."""
    kind = node.attrs.get("kind")
    if kind in ("dict", "ordereddict"):
        mapping = OrderedDict() if kind == "ordereddict" else {}
        for child in _children(node):
            mapping[_read_key(child)] = _read_node(child, device)
        return mapping
    if kind in ("list", "tuple"):
        items = [_read_node(child, device) for child in _children(node)]
        return items if kind == "list" else tuple(items)
    if kind == "tensor":
        array = to_device(_read_array(node), device)
        return Tensor._from_array(array).requires_grad_(bool(node.attrs["requires_grad"]))
    if kind == "ndarray":
        return _read_array(node)
    if kind == "numpy_scalar":
        return _read_array(node)[()]
    if kind == "none":
        return None
    if kind == "bool":
        return bool(_read_array(node))
    if kind == "int":
        is_text = _h5py().check_string_dtype(node.dtype) is not None
        return int(node.asstr()[()]) if is_text else int(_read_array(node))
    if kind == "float":
        return float(_read_array(node))
    if kind == "str":
        return node.asstr()[()]
    raise _damaged(node, f"has unknown kind {kind!r}")


def _children(group) -> list:
    """The children "0", "1", ... of a container group, in order."""
    if not isinstance(group, _h5py().Group):
        raise _damaged(group, "should be a group")
    return [group[str(position)] for position in range(len(group))]


def _read_key(node):
    key, key_type = node.attrs["key"], node.attrs["key_type"]
    if key_type == "str":
        return key
    if key_type == "int":
        return int(key)
    raise _damaged(node, f"has unknown key_type {key_type!r}")


def _read_array(node) -> np.ndarray:
    """A dataset's values as an array of a numeric or bool dtype (never ``object``)."""
    if not isinstance(node, _h5py().Dataset) or node.shape is None:
        raise _damaged(node, "should be a dataset with values")
    if node.dtype.kind not in STORABLE_DTYPE_KINDS:
        raise _damaged(node, f"has dtype {node.dtype}; expected bool, integer, float or "
                       "complex values")
    try:
        return np.asarray(node[()])
    except OSError as error:  # the Fletcher-32 filter fails on a checksum mismatch
        raise _damaged(node, f"has data that fail their checksum or cannot be read ({error})"
                       ) from None


def _damaged(node, problem: str) -> CheckpointError:
    """The error for a node that :func:`save` would not have written."""
    return CheckpointError(f"is damaged: node {node.name!r} {problem}")


def _as_path(path, caller: str) -> str:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"{caller}: path must be a file name (str or os.PathLike) or a "
                        f"binary file object, got {type(path).__name__}")
    return os.fspath(path)
