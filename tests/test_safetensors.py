"""``minidl.save`` / ``minidl.load`` of ``.safetensors`` files: round trips of every dtype
the format shares with NumPy, the refusals on saving, atomic writes, and one clear
error for each kind of damaged or foreign file."""
import json
import os
import struct

import numpy as np
import pytest

import minidl
import minidl.nn as nn
from minidl.serialization import CheckpointError

safetensors_numpy = pytest.importorskip("safetensors.numpy")


def _write(path, header: dict, data: bytes = b"", length: int | None = None) -> None:
    """A safetensors file by hand: the header's length, the JSON header, the data."""
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text) if length is None else length) + text + data)


def test_every_shared_dtype_round_trips(tmp_path, rng):
    state = {f"{np.dtype(dtype).name}": minidl.tensor(rng.uniform(-3, 3, (2, 3)).astype(dtype))
             for dtype in (np.float16, np.float32, np.float64, np.int8, np.uint8, np.int16,
                           np.uint16, np.int32, np.uint32, np.int64, np.uint64, np.complex64)}
    state["bool"] = minidl.tensor(rng.random((4,)) > 0.5)
    state["scalar"] = minidl.tensor(np.int64(7))
    state["empty"] = minidl.zeros(0, 3)
    state["array"] = np.arange(6.0).reshape(3, 2)[:, ::-1]  # a NumPy array, not contiguous
    path = tmp_path / "all.safetensors"
    minidl.save(state, path)
    loaded = minidl.load(path)
    assert set(loaded) == set(state)
    for key, value in state.items():
        expected = value.numpy() if isinstance(value, minidl.Tensor) else value
        assert isinstance(loaded[key], minidl.Tensor)
        assert loaded[key].dtype == expected.dtype and loaded[key].shape == expected.shape
        np.testing.assert_array_equal(loaded[key].numpy(), expected)
    loaded["float32"].array[0, 0] = 100  # each tensor owns writable memory
    with safetensors_numpy.safe_open(str(path), framework="np") as file:
        assert file.metadata() == {"format": "pt"}  # PyTorch's layout, as readers expect
        np.testing.assert_array_equal(file.get_tensor("float32"), state["float32"].numpy())


def test_a_model_state_dict_round_trips_and_uppercase_suffixes_count(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4, 2))
    path = tmp_path / "weights.SafeTensors"
    minidl.save(model.state_dict(), str(path))
    assert path.read_bytes()[8:9] == b"{"  # not HDF5
    fresh = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4, 2))
    fresh.load_state_dict(minidl.load(path, map_location="cpu"))
    for (key, a), b in zip(model.state_dict().items(), fresh.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=key)


@pytest.mark.parametrize("obj,message", [
    ([minidl.zeros(2)], "a safetensors file holds a dict of named tensors .* got list"),
    ({"model": {"w": minidl.zeros(2)}}, r"obj\['model'\] is of type 'dict'; a safetensors "
                                        "file holds only tensors"),
    ({"epoch": 3}, r"obj\['epoch'\] is of type 'int'; .*save checkpoints with other values"),
    ({1: minidl.zeros(2)}, "key 1 is of type 'int'; safetensors names must be str"),
    ({"w": minidl.zeros(2, dtype=np.complex128)}, r"obj\['w'\] has dtype complex128, which "
                                                  "safetensors cannot hold"),
    ({"w": np.array(["a"])}, r"obj\['w'\] has dtype <U1"),
])
def test_what_cannot_be_saved_is_named_and_the_old_file_stays(obj, message, tmp_path):
    path = tmp_path / "weights.safetensors"
    minidl.save({"w": minidl.ones(3)}, path)
    before = path.read_bytes()
    with pytest.raises(CheckpointError, match=rf"save: cannot write '.*weights.safetensors': "
                                              rf"{message}"):
        minidl.save(obj, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["weights.safetensors"]


def test_an_interrupted_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "weights.safetensors"
    minidl.save({"w": minidl.ones(3)}, path)
    before = path.read_bytes()

    def fail(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(KeyboardInterrupt):
        minidl.save({"w": minidl.zeros(3)}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["weights.safetensors"]


def test_missing_files_and_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="load: checkpoint file '.*none.safetensors' "
                                                "does not exist"):
        minidl.load(tmp_path / "none.safetensors")
    with pytest.raises(FileNotFoundError, match="directory '.*missing' does not exist"):
        minidl.save({}, tmp_path / "missing" / "w.safetensors")
    (tmp_path / "dir.safetensors").mkdir()
    with pytest.raises(CheckpointError, match="is not a file"):
        minidl.load(tmp_path / "dir.safetensors")


GOOD_HEADER = {"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}


@pytest.mark.parametrize("damage,message", [
    (lambda p: p.write_bytes(b"\x10\x00"), r"is too short \(2 bytes\) to be a safetensors"),
    (lambda p: p.write_bytes(b"this is plain text, not weights"),
     "declares a header of .* bytes, more than the 100,000,000 the format allows"),
    (lambda p: _write(p, GOOD_HEADER, bytes(16), length=2**62),
     "declares a header of 4,611,686,018,427,387,904 bytes, more than the 100,000,000"),
    (lambda p: _write(p, GOOD_HEADER, bytes(16), length=10_000),
     "declares a header of 10,000 bytes but has only .* it is cut off"),
    (lambda p: _write(p, GOOD_HEADER, bytes(10)),  # the data cut off
     "is not a valid safetensors file .*: .*(incomplete|not fully covered|invalid offset)"),
    (lambda p: p.write_bytes(struct.pack("<Q", 4) + b"[1] "),
     r"is not a safetensors file \(its header is not a JSON object\)"),
    (lambda p: p.write_bytes(struct.pack("<Q", 5) + b"{oops"),
     "is not a valid safetensors file"),
    (lambda p: _write(p, {"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}},
                      bytes(4)),
     "holds tensor 'w' of dtype BF16, which NumPy cannot represent"),
    (lambda p: _write(p, {"w": {"dtype": "Q7", "shape": [2], "data_offsets": [0, 4]}},
                      bytes(4)), "is not a valid safetensors file .*Q7"),
    (lambda p: _write(p, {"w": {"dtype": "F32", "shape": [3, 2], "data_offsets": [0, 16]}},
                      bytes(16)), "is not a valid safetensors file"),
])
def test_damaged_or_foreign_files_are_one_clear_error(damage, message, tmp_path):
    path = tmp_path / "bad.safetensors"
    damage(path)
    with pytest.raises(CheckpointError, match=rf"load: '.*bad.safetensors' {message}"):
        minidl.load(path)


def test_an_hdf5_checkpoint_named_safetensors_is_refused(tmp_path):
    minidl.save({"w": minidl.ones(2)}, tmp_path / "checkpoint.h5")
    os.rename(tmp_path / "checkpoint.h5", tmp_path / "checkpoint.safetensors")
    with pytest.raises(CheckpointError, match="'.*checkpoint.safetensors' declares a header"):
        minidl.load(tmp_path / "checkpoint.safetensors")
