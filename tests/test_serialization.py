"""minidl.save / minidl.load: round trips, the HDF5 layout, atomic writes, clear errors."""
import os
from collections import OrderedDict, namedtuple

import h5py
import numpy as np
import pytest

import minidl
import minidl.nn as nn
from minidl import serialization
from minidl.backend import module_for_device
from minidl.checkpoint_seal import seal
from minidl.serialization import CheckpointError


def tamper_with(path, change):
    """Apply ``change`` to the open HDF5 file ``path``, then seal it again, as a program
    forging a checkpoint would: the seal catches damage, not forgery."""
    with h5py.File(path, "r+") as f:
        change(f)
    seal(path)


def round_trip(obj, tmp_path):
    path = tmp_path / "checkpoint.h5"
    minidl.save(obj, path)
    return minidl.load(path)


def assert_same_tensor(loaded, original):
    assert type(loaded) is minidl.Tensor
    assert loaded.dtype == original.dtype
    assert loaded.shape == original.shape
    assert loaded.device == "cpu"
    assert loaded.requires_grad == original.requires_grad
    np.testing.assert_array_equal(loaded.detach().numpy(), original.detach().cpu().numpy())


# -- round trips --------------------------------------------------------------------------
@pytest.mark.parametrize("array", [
    np.array([[1.5, -2.25, 3.0]], dtype=np.float32),
    np.arange(12, dtype=np.float64).reshape(2, 3, 2) / 7,
    np.array([2**62, -5, 0], dtype=np.int64),
    np.array([[True, False], [False, True]]),
    np.array([0, 7, 255], dtype=np.uint8),
    np.array(3.25, dtype=np.float32),  # 0-d
    np.zeros((0, 3), dtype=np.float32),  # empty
], ids=["float32", "float64", "int64", "bool", "uint8", "0-d", "empty"])
def test_tensor_round_trip_keeps_dtype_shape_and_values(array, tmp_path):
    tensor = minidl.from_numpy(array)
    assert_same_tensor(round_trip(tensor, tmp_path), tensor)


def test_tensor_requires_grad_and_non_contiguous_data_round_trip(tmp_path):
    leaf = minidl.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    transposed = minidl.from_numpy(np.arange(6.0).reshape(2, 3).T)
    loaded_leaf, loaded_transposed = round_trip((leaf, transposed), tmp_path)
    assert_same_tensor(loaded_leaf, leaf)
    assert loaded_leaf.is_leaf
    assert_same_tensor(loaded_transposed, transposed)


def test_ndarrays_and_numpy_scalars_keep_their_types(tmp_path):
    obj = [np.arange(5, dtype=np.int32), np.float32(1.5), np.int64(-3), np.bool_(True),
           np.uint8(200), np.complex64(1 - 2j)]
    loaded = round_trip(obj, tmp_path)
    assert type(loaded[0]) is np.ndarray and loaded[0].dtype == np.int32
    np.testing.assert_array_equal(loaded[0], obj[0])
    for value, original in zip(loaded[1:], obj[1:]):
        assert type(value) is type(original)
        assert value == original


def test_python_scalars_strings_and_none(tmp_path):
    obj = {"int": 7, "negative": -12, "huge": 2**100, "huge_negative": -(3**50),
           "float": 0.1, "inf": float("inf"), "true": True, "false": False, "none": None,
           "text": "naïve café — 学习 ✓ 🙂", "empty": ""}
    loaded = round_trip(obj, tmp_path)
    assert loaded == obj
    for key, value in obj.items():
        assert type(loaded[key]) is type(value), key
    nan = round_trip(float("nan"), tmp_path)
    assert type(nan) is float and nan != nan


def test_containers_keep_type_order_and_int_keys(tmp_path):
    keys = [f"layer{i}.weight" for i in range(12)][::-1]  # not alphabetical, > 10 entries
    obj = OrderedDict((key, i) for i, key in enumerate(keys))
    obj["nested"] = {3: [1, (2, 3), []], -1: (), 2**70: "big key", "a/b.c": [None]}
    loaded = round_trip(obj, tmp_path)
    assert type(loaded) is OrderedDict
    assert list(loaded) == list(obj)
    assert loaded == obj
    nested = loaded["nested"]
    assert type(nested) is dict and list(nested) == [3, -1, 2**70, "a/b.c"]
    assert type(nested[3]) is list and type(nested[3][1]) is tuple
    assert type(nested[-1]) is tuple
    plain = round_trip({"b": 1, "a": 2}, tmp_path)
    assert type(plain) is dict and list(plain) == ["b", "a"]


def test_dict_and_tuple_subclasses_load_as_their_base_type(tmp_path):
    Pair = namedtuple("Pair", ["left", "right"])
    loaded = round_trip([Pair(1, 2)], tmp_path)
    assert type(loaded[0]) is tuple and loaded[0] == (1, 2)


def test_top_level_scalar_and_path_as_str(tmp_path):
    path = str(tmp_path / "scalar.h5")
    minidl.save(42, path)
    assert minidl.load(path) == 42


# -- real state dicts -----------------------------------------------------------------------
class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(minidl.randn(3, 2))
        self.bias = nn.Parameter(minidl.zeros(3))
        self.register_buffer("steps", minidl.tensor(np.array(0, dtype=np.int64)))
        self.register_buffer("running_mean", minidl.randn(3))
        self.register_buffer("scratch", minidl.ones(2), persistent=False)


def test_module_state_dict_loads_into_a_fresh_module(tmp_path):
    minidl.manual_seed(0)
    trained = TinyNet()
    with minidl.no_grad():
        trained.steps.fill_(17)
    path = tmp_path / "model.h5"
    minidl.save({"model": trained.state_dict(), "epoch": 3}, path)
    checkpoint = minidl.load(path)
    assert list(checkpoint["model"]) == ["weight", "bias", "steps", "running_mean"]
    minidl.manual_seed(1)
    fresh = TinyNet()
    fresh.load_state_dict(checkpoint["model"])
    for key, value in trained.state_dict().items():
        assert_same_tensor(fresh.state_dict()[key], value)
    assert isinstance(fresh.weight, nn.Parameter) and fresh.weight.requires_grad
    assert checkpoint["epoch"] == 3


def test_optimizer_style_state_round_trips(tmp_path):
    state = {"state": {0: {"step": minidl.tensor(np.array(5.0)),
                           "exp_avg": minidl.randn(2, 2)},
                       1: {"momentum_buffer": None}},
             "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1],
                               "nesterov": False}]}
    loaded = round_trip(state, tmp_path)
    assert list(loaded["state"]) == [0, 1]
    assert_same_tensor(loaded["state"][0]["exp_avg"], state["state"][0]["exp_avg"])
    assert loaded["param_groups"] == state["param_groups"]


def test_file_is_readable_with_plain_h5py(tmp_path):
    path = tmp_path / "model.h5"
    weight = minidl.randn(2, 3)
    minidl.save(OrderedDict([("fc.weight", weight), ("fc.bias", minidl.zeros(2))]), path)
    with h5py.File(path, "r") as f:
        assert f.attrs["minidl_format"] == "minidl checkpoint"
        assert f.attrs["minidl_format_version"] == 1
        assert f.attrs["minidl_version"] == minidl.__version__
        node = f["object"]
        assert node.attrs["kind"] == "ordereddict"
        first = node["0"]
        assert (first.attrs["kind"], first.attrs["key"], first.attrs["key_type"]) == \
            ("tensor", "fc.weight", "str")
        np.testing.assert_array_equal(first[()], weight.numpy())


# -- atomic writes ----------------------------------------------------------------------------
def test_crash_while_writing_keeps_the_old_checkpoint_and_leaves_no_temporary(
        tmp_path, monkeypatch):
    path = tmp_path / "checkpoint.h5"
    minidl.save({"epoch": 1}, path)
    original_bytes = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(serialization, "_fsync_file", crash)  # after the data is written
    with pytest.raises(OSError, match="disk full"):
        minidl.save({"epoch": 2, "weights": minidl.randn(50, 50)}, path)
    assert path.read_bytes() == original_bytes
    assert os.listdir(tmp_path) == ["checkpoint.h5"]
    assert minidl.load(path) == {"epoch": 1}


def test_interrupt_in_the_middle_of_the_tree_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "checkpoint.h5"
    minidl.save([1, 2], path)
    write_leaf = serialization._write_leaf
    calls = []

    def interrupted(parent, name, value, where):
        calls.append(where)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return write_leaf(parent, name, value, where)

    monkeypatch.setattr(serialization, "_write_leaf", interrupted)
    with pytest.raises(KeyboardInterrupt):
        minidl.save([10, 20, 30, 40], path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["checkpoint.h5"]
    assert minidl.load(path) == [1, 2]


def test_unsupported_value_keeps_the_old_checkpoint(tmp_path):
    path = tmp_path / "checkpoint.h5"
    minidl.save("old", path)
    with pytest.raises(CheckpointError, match=r"obj\['config'\]\['fn'\] is of type 'function'"):
        minidl.save({"weights": minidl.ones(3), "config": {"fn": lambda x: x}}, path)
    assert os.listdir(tmp_path) == ["checkpoint.h5"]
    assert minidl.load(path) == "old"


# -- clear errors -------------------------------------------------------------------------------
@pytest.mark.parametrize("value, message", [
    ({"a": {1, 2}}, r"obj\['a'\] is of type 'set', which cannot be saved"),
    ([lambda: 0], r"obj\[0\] is of type 'function'"),
    ({1.5: 0}, r"key 1.5 of type 'float'; dict keys must be str or int"),
    ({True: 0}, r"key True of type 'bool'"),
    (np.array(["a", "b"]), r"dtype <U1, which cannot be saved"),
    (np.array([None]), r"dtype object, which cannot be saved"),
    ("a\0b", r"NUL character"),
    ({"k\0": 1}, r"NUL character"),
])
def test_unsupported_values_are_named(value, message, tmp_path):
    path = tmp_path / "bad.h5"
    with pytest.raises(CheckpointError, match=rf"save: cannot write checkpoint '.*bad.h5': "
                                              rf".*{message}"):
        minidl.save(value, path)
    assert os.listdir(tmp_path) == []


def test_checkpoint_error_is_a_value_error():
    assert issubclass(CheckpointError, ValueError)


def test_other_objects_and_missing_directories_are_refused(tmp_path):
    with pytest.raises(TypeError, match="path must be a file name .* or a binary file "
                                        "object, got int"):
        minidl.save({}, 3)
    with pytest.raises(FileNotFoundError, match="directory '.*missing' does not exist"):
        minidl.save({}, tmp_path / "missing" / "checkpoint.h5")


def test_file_objects_round_trip_and_are_checked_as_files(tmp_path):
    """torch.save(obj, buffer) / torch.load(buffer): the same sealed bytes as a file
    (a file written through a path loads through a file object and back), read from
    where the object stands; damage found the same way."""
    import io
    obj = {"weight": minidl.arange(6.0).reshape(2, 3), "step": 7, "names": ["a", None]}
    buffer = io.BytesIO(b"prefix")
    buffer.seek(6)
    minidl.save(obj, buffer)
    buffer.seek(6)
    loaded = minidl.load(buffer, map_location="cpu")
    assert loaded["step"] == 7 and loaded["names"] == ["a", None]
    assert minidl.equal(loaded["weight"], obj["weight"])
    minidl.save(obj, tmp_path / "c.pt")
    with open(tmp_path / "c.pt", "rb") as file:
        assert minidl.equal(minidl.load(file)["weight"], obj["weight"])
    with open(tmp_path / "d.pt", "wb") as file:
        minidl.save(obj, file)
    assert minidl.load(tmp_path / "d.pt")["step"] == 7
    damaged = bytearray(buffer.getvalue()[6:])
    damaged[-3] ^= 1
    with pytest.raises(CheckpointError, match="load: the file object is damaged"):
        minidl.load(io.BytesIO(bytes(damaged)))
    with pytest.raises(TypeError, match="expected bytes .*binary mode"):
        minidl.load(io.StringIO("text"))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="checkpoint file '.*nowhere.h5' does not exist"):
        minidl.load(tmp_path / "nowhere.h5")


def test_directory_is_not_a_checkpoint(tmp_path):
    with pytest.raises(CheckpointError, match="is not a file"):
        minidl.load(tmp_path)


def test_truncated_file(tmp_path):
    path = tmp_path / "checkpoint.h5"
    minidl.save({"weights": minidl.randn(64, 64), "epoch": 3}, path)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(CheckpointError, match=r"'.*checkpoint.h5' is damaged: truncated \("
                                              rf"{len(data) // 2 - 512} bytes after the seal, "
                                              rf"{len(data) - 512} when it was saved\)"):
        minidl.load(path)
    path.write_bytes(data[:4])
    with pytest.raises(CheckpointError, match="is not an HDF5 file.*cut off before its header"):
        minidl.load(path)


def test_random_bytes_file(tmp_path):
    path = tmp_path / "noise.h5"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(CheckpointError, match="'.*noise.h5' is not an HDF5 file"):
        minidl.load(path)


def test_foreign_hdf5_file(tmp_path):
    path = tmp_path / "foreign.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("images", data=np.zeros((2, 2)))
    with pytest.raises(CheckpointError, match="'.*foreign.h5' is an HDF5 file but not a "
                                              "minidl checkpoint"):
        minidl.load(path)


def flip_bit_in_tensor_data(path):
    with h5py.File(path, "r") as f:
        offset = f["object/0"].id.get_chunk_info(0).byte_offset
    data = bytearray(path.read_bytes())
    data[offset + 5] ^= 0x10
    path.write_bytes(bytes(data))


def test_flipped_bit_in_tensor_data_is_caught_by_the_seal(tmp_path):
    path = tmp_path / "checkpoint.h5"
    minidl.save({"weight": minidl.randn(8, 8)}, path)
    flip_bit_in_tensor_data(path)
    with pytest.raises(CheckpointError, match="'.*checkpoint.h5' is damaged: its content does "
                                              "not match the SHA-256 recorded when it was saved"):
        minidl.load(path)


def test_flipped_bit_under_a_renewed_seal_is_caught_by_the_fletcher32_checksum(tmp_path):
    path = tmp_path / "checkpoint.h5"
    minidl.save({"weight": minidl.randn(8, 8)}, path)
    flip_bit_in_tensor_data(path)
    seal(path)
    with pytest.raises(CheckpointError, match="'.*checkpoint.h5' is damaged: node "
                                              "'/object/0' has data that fail their checksum"):
        minidl.load(path)


def test_newer_format_version_is_refused(tmp_path):
    path = tmp_path / "future.h5"
    minidl.save([1], path)
    tamper_with(path, lambda f: f.attrs.__setitem__("minidl_format_version", 99))
    with pytest.raises(CheckpointError, match="format version 99; this minidl reads "
                                              "versions 1 to 1"):
        minidl.load(path)


def replace_with_text_dataset(f):
    attrs = dict(f["object/0"].attrs)
    del f["object/0"]
    f.create_dataset("object/0", data=np.array([b"x"], dtype=object),
                     dtype=h5py.string_dtype())
    f["object/0"].attrs.update(attrs)


@pytest.mark.parametrize("tamper, message", [
    (lambda f: f["object/0"].attrs.__setitem__("kind", "pickle"),
     "damaged: node '/object/0' has unknown kind 'pickle'"),
    (replace_with_text_dataset,
     "refused: node '/object/0' holds strings of shape \\(1,\\); minidl writes one string"),
    (lambda f: f["object/1"].__delitem__("0"),
     "damaged or was not written by minidl"),
], ids=["unknown kind", "object dtype", "missing child"])
def test_tampered_nodes_are_reported_as_damage(tamper, message, tmp_path):
    path = tmp_path / "tampered.h5"
    minidl.save({"a": minidl.ones(2), "b": [1, 2]}, path)
    tamper_with(path, tamper)
    with pytest.raises(CheckpointError, match=rf"load: '.*tampered.h5' is {message}"):
        minidl.load(path)


def test_bad_map_location(tmp_path):
    path = tmp_path / "checkpoint.h5"
    minidl.save([1], path)
    with pytest.raises(ValueError, match="device must be 'cpu' or 'cuda', got 'tpu'"):
        minidl.load(path, map_location="tpu")
    assert minidl.load(path, map_location="cpu") == [1]


# -- GPU ------------------------------------------------------------------------------------------
def test_saving_cuda_tensors_does_not_move_them_and_map_location_places_them(tmp_path):
    try:
        module_for_device("cuda")
    except RuntimeError as error:
        pytest.skip(str(error))
    tensor = minidl.randn(3, 4).to("cuda")
    path = tmp_path / "gpu.h5"
    minidl.save({"w": tensor}, path)
    assert tensor.device == "cuda"
    on_cpu = minidl.load(path)["w"]
    on_gpu = minidl.load(path, map_location="cuda")["w"]
    assert on_cpu.device == "cpu" and on_gpu.device == "cuda"
    np.testing.assert_array_equal(on_cpu.numpy(), tensor.cpu().numpy())
    np.testing.assert_array_equal(on_gpu.cpu().numpy(), tensor.cpu().numpy())


@pytest.mark.parametrize("weights_only", [None, True, False])
def test_load_accepts_pytorchs_arguments_and_never_unpickles(tmp_path, weights_only):
    path = tmp_path / "model.pth"
    minidl.save(nn.Linear(2, 3).state_dict(), path)
    state = minidl.load(path, map_location=minidl.device("cpu"), weights_only=weights_only,
                        mmap=False)
    assert list(state) == ["weight", "bias"] and state["weight"].shape == (3, 2)
    with pytest.raises(TypeError, match="weights_only must be a bool or None"):
        minidl.load(path, weights_only="yes")


def test_load_takes_pytorchs_map_location_forms(tmp_path):
    """``lambda storage, loc: storage`` (the common idiom), a function moving tensors, and
    a dict of devices; a function returning something else is a clear error."""
    path = str(tmp_path / "checkpoint.pt")
    minidl.save({"model": minidl.nn.Linear(2, 3).state_dict(), "epoch": 3,
                 "history": [minidl.ones(2)]}, path)
    kept = minidl.load(path, map_location=lambda storage, loc: storage)
    assert list(kept["model"]) == ["weight", "bias"] and kept["epoch"] == 3
    assert kept["history"][0].tolist() == [1.0, 1.0]
    doubled = minidl.load(path, map_location=lambda storage, loc: storage * 2)
    assert doubled["history"][0].tolist() == [2.0, 2.0]
    assert minidl.load(path, map_location={"cuda:0": "cpu"})["model"]["bias"].device.type \
        == "cpu"
    with pytest.raises(TypeError, match="map_location returned int for a tensor"):
        minidl.load(path, map_location=lambda storage, loc: 3)
    with pytest.raises(ValueError, match="must map every device to one device"):
        minidl.load(path, map_location={"cuda:0": "cpu", "cuda:1": "cuda"})
