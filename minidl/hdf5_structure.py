"""What a checkpoint's HDF5 file may ask for, checked before any value is read.

HDF5 can make a file reach outside itself (links to other files, values stored in other
files or gathered from them), run filters that expand a few bytes into gigabytes, declare
arrays far larger than the file, or link a group into itself.  A checkpoint is a tree of
groups and datasets written by :func:`minidl.save`, so :func:`check_structure` walks the
whole file, reading only metadata, and accepts nothing else:

* links: hard links only (no soft, external or user-defined links), and every object
  reached through exactly one of them (a tree: no loops, no shared objects); objects are
  groups and datasets (no committed datatypes);
* counts: at most ``MAX_NODES`` objects, nested at most ``MAX_DEPTH`` deep, each with at
  most ``MAX_ATTRIBUTES`` attributes, all scalars of numbers or text;
* datasets: compact, contiguous or chunked layout (not virtual), no external storage, no
  filter but Fletcher-32 (the only one minidl writes: no decompression, so no bombs);
  values of bool, integer, float or complex dtype, or one string;
* sizes: every declared byte is stored (a dataset may not declare more than it stores,
  which would come from decompression or from fill values), no chunk is larger than its
  dataset, and all stored data together fit in the file.

So reading the values afterwards reads only this file, and at most its size.  Every
refusal is a :class:`CheckpointError` whose reason names the node.  The limits are in
:mod:`minidl.checkpoint_format`.

(This module imports ``h5py``; :mod:`minidl.serialization` imports it on first use.)
"""
from __future__ import annotations

import h5py

from .checkpoint_format import (
    MAX_ATTRIBUTES,
    MAX_DEPTH,
    MAX_NODES,
    STORABLE_DTYPE_KINDS,
    CheckpointError,
)


def check_structure(file, file_size: int) -> None:
    """Walk every object of the open ``h5py.File`` and refuse anything :func:`minidl.save`
    does not write; ``file_size`` (bytes) bounds the data all datasets together store."""
    visited, stored = set(), 0
    pending = [(file, 0)]   # (object, depth), depth-first
    while pending:
        node, depth = pending.pop()
        info = h5py.h5o.get_info(node.id)
        if info.addr in visited or info.rc != 1:
            raise _refused(node, f"is reached through {max(info.rc, 2)} links: a checkpoint "
                                 "is a tree, this file links objects into a loop or shares them")
        visited.add(info.addr)
        if len(visited) > MAX_NODES:
            raise _refused(node, f"is one object too many: a checkpoint holds at most "
                                 f"{MAX_NODES:,} groups and datasets")
        _check_attributes(node, info.num_attrs)
        if info.type == h5py.h5o.TYPE_GROUP:
            if depth >= MAX_DEPTH:
                raise _refused(node, f"is a group {depth} levels deep; a checkpoint holds "
                                     f"groups at most {MAX_DEPTH - 1} levels deep")
            pending += [(child, depth + 1) for child in _hard_linked_children(node)]
        elif info.type == h5py.h5o.TYPE_DATASET:
            stored += _checked_storage(node)
            if stored > file_size:
                raise _refused(node, f"brings the data stored in the file to {stored:,} "
                                     f"bytes, more than the file's {file_size:,} bytes")
        else:
            raise _refused(node, "is neither a group nor a dataset (a committed datatype?)")


def _hard_linked_children(group) -> list:
    """The objects the links of ``group`` lead to; any link but a hard link is refused."""
    count = group.id.get_num_objs()
    if count > MAX_NODES:
        raise _refused(group, f"has {count:,} links; a checkpoint holds at most "
                              f"{MAX_NODES:,} objects")
    children = []
    for name in group.id:
        link = group.id.links.get_info(name)
        where = f"{group.name.rstrip('/')}/{name.decode(errors='replace')}"
        if link.type == h5py.h5l.TYPE_SOFT:
            target = group.id.links.get_val(name).decode(errors="replace")
            raise CheckpointError(f"is refused: {where!r} is a soft link to {target!r}; a "
                                  "checkpoint holds only hard links")
        if link.type == h5py.h5l.TYPE_EXTERNAL:
            other, target = (part.decode(errors="replace")
                             for part in group.id.links.get_val(name))
            raise CheckpointError(f"is refused: {where!r} is an external link to {target!r} "
                                  f"in the file {other!r}; loading never reads other files")
        if link.type != h5py.h5l.TYPE_HARD:
            raise CheckpointError(f"is refused: {where!r} is a user-defined link (type "
                                  f"{link.type}); a checkpoint holds only hard links")
        children.append(group[name])
    return children


def _check_attributes(node, count: int) -> None:
    """At most ``MAX_ATTRIBUTES`` attributes, each a scalar number or string."""
    if count > MAX_ATTRIBUTES:
        raise _refused(node, f"has {count} attributes; minidl writes at most {MAX_ATTRIBUTES}")
    for index in range(count):
        attribute = h5py.h5a.open(node.id, index=index)
        if attribute.shape != () or not _plain_dtype(attribute.dtype):
            name = attribute.name.decode(errors="replace")
            raise _refused(node, f"has an attribute {name!r} of shape {attribute.shape} and "
                                 f"dtype {attribute.dtype}; minidl writes only scalar numbers "
                                 "and strings")


def _checked_storage(dataset) -> int:
    """The bytes ``dataset`` stores, after checking its layout, filters, dtype and sizes."""
    plist = dataset.id.get_create_plist()
    layout = plist.get_layout()
    if layout == h5py.h5d.VIRTUAL:
        raise _refused(dataset, "is a virtual dataset (its values come from other datasets "
                                "or files); loading never reads outside the file")
    if plist.get_external_count():
        other = plist.get_external(0)[0].decode(errors="replace")
        raise _refused(dataset, f"stores its values in the external file {other!r}; loading "
                                "never reads other files")
    if layout not in (h5py.h5d.COMPACT, h5py.h5d.CONTIGUOUS, h5py.h5d.CHUNKED):
        raise _refused(dataset, f"has an unknown storage layout ({layout})")
    for index in range(plist.get_nfilters()):
        code, _, _, name = plist.get_filter(index)
        if code != h5py.h5z.FILTER_FLETCHER32:
            label = name.decode(errors="replace") or "without a name"
            raise _refused(dataset, f"uses the HDF5 filter {label!r} (id {code}); minidl "
                                    "writes only the Fletcher-32 checksum filter, so nothing "
                                    "is decompressed on loading")
    dtype = dataset.dtype
    if h5py.check_string_dtype(dtype) is not None:
        if dataset.shape != ():
            raise _refused(dataset, f"holds strings of shape {dataset.shape}; minidl writes "
                                    "one string per dataset")
        return 0   # the text lives in the file's heap, which HDF5 reads within the file
    if dtype.kind not in STORABLE_DTYPE_KINDS:
        raise _refused(dataset, f"has dtype {dtype}; expected bool, integer, float or "
                                "complex values")
    if dataset.shape is None:   # an empty dataspace (None)
        return 0
    declared = dtype.itemsize * _volume(dataset.shape)
    stored = dataset.id.get_storage_size()
    if declared > stored:
        raise _refused(dataset, f"declares {declared:,} bytes of values ({dataset.shape} "
                                f"{dtype}) but stores {stored:,}; minidl stores every value")
    if layout == h5py.h5d.CHUNKED:
        chunk = plist.get_chunk()
        if len(chunk) != len(dataset.shape) or any(
                c > max(s, 1) for c, s in zip(chunk, dataset.shape)):
            raise _refused(dataset, f"has chunks of shape {chunk}, larger than its shape "
                                    f"{dataset.shape}")
    return stored


def _plain_dtype(dtype) -> bool:
    return dtype.kind in STORABLE_DTYPE_KINDS or h5py.check_string_dtype(dtype) is not None


def _volume(shape) -> int:
    volume = 1
    for side in shape:
        volume *= int(side)
    return volume


def _refused(node, problem: str) -> CheckpointError:
    return CheckpointError(f"is refused: node {node.name!r} {problem}")
