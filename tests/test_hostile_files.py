"""Checkpoints that are damaged or built to attack whoever loads them.

Every case asserts the exact outcome: a ``CheckpointError`` naming the file and the
reason, and the file (and any file it points to) unchanged on disk; or, for a loadable
file, the same values.  The bit-flip sweep and the bombs run in a subprocess, so a crash
of the HDF5 library or an allocation past the memory limit fails the test instead of
killing pytest.
"""
import gzip
import json
import os
import re
import subprocess
import sys
import warnings
import zlib

import h5py
import numpy as np
import pytest
from data_files import huge_cifar_pickle, idx_bytes, png_bytes

import minidl
from minidl import checkpoint_format, hdf5_structure, serialization
from minidl.checkpoint_seal import USER_BLOCK_SIZE, seal
from minidl.serialization import CheckpointError, UnsealedCheckpointWarning


def forged(path, build, sealed=True):
    """A file with minidl's header whose ``object`` node ``build(file)`` makes, sealed
    (the seal is forged too: it detects damage, not forgery) or without a user block."""
    with h5py.File(path, "w", userblock_size=USER_BLOCK_SIZE if sealed else 0) as f:
        f.attrs["minidl_format"] = serialization.FORMAT_NAME
        f.attrs["minidl_format_version"] = serialization.FORMAT_VERSION
        f.attrs["minidl_version"] = minidl.__version__
        build(f)
    if sealed:
        seal(str(path))
    return path


def kind(node, name):
    node.attrs["kind"] = name
    return node


def refused(path, *others):
    """The message of the CheckpointError loading ``path`` raises; checks that neither
    ``path`` nor ``others`` changed on disk and that the message names ``path``."""
    before = {p: p.read_bytes() for p in (path, *others)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a refused file warns of nothing
        with pytest.raises(CheckpointError) as caught:
            minidl.load(path)
    assert {p: p.read_bytes() for p in before} == before
    message = str(caught.value)
    assert message.startswith(f"load: {str(path)!r} ")
    assert "\n" not in message
    return message


# -- crafted files, one per thing HDF5 allows and a checkpoint must not hold ---------------
@pytest.fixture
def outside(tmp_path):
    """Files outside the checkpoint that a hostile one points to."""
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["secret"] = np.arange(8.0)
    raw = tmp_path / "secret.bin"
    raw.write_bytes(np.arange(8.0).tobytes())
    return other, raw


def external_link(f, outside):
    f["object"] = h5py.ExternalLink(str(outside[0]), "/secret")


def external_link_deep_in_a_state_dict(f, outside):
    group = kind(f.create_group("object"), "dict")
    kind(group.create_dataset("0", data=np.ones(3)), "ndarray").attrs["key"] = "fine"
    group["1"] = h5py.ExternalLink(str(outside[0]), "/secret")


def soft_link(f, outside):
    kind(f.create_dataset("elsewhere", data=np.ones(3)), "ndarray")
    f["object"] = h5py.SoftLink("/elsewhere")


def external_storage(f, outside):
    kind(f.create_dataset("object", shape=(8,), dtype="f8",
                          external=[(str(outside[1]), 0, 64)]), "ndarray")


def virtual_dataset(f, outside):
    layout = h5py.VirtualLayout(shape=(8,), dtype="f8")
    layout[:] = h5py.VirtualSource(str(outside[0]), "secret", shape=(8,))
    kind(f.create_virtual_dataset("object", layout), "ndarray")


def gzip_filter(f, outside):
    kind(f.create_dataset("object", data=np.zeros(1000), compression="gzip"), "ndarray")


def shuffle_filter(f, outside):
    kind(f.create_dataset("object", data=np.zeros(1000), shuffle=True), "ndarray")


def unknown_filter(f, outside):
    kind(f.create_dataset("object", data=np.zeros(1000), chunks=(100,), compression=32123,
                          allow_unknown_filter=True), "ndarray")


def declares_16_gib(f, outside):
    kind(f.create_dataset("object", shape=(2**31,), dtype="f8"), "ndarray")


def declares_16_gib_chunked(f, outside):
    kind(f.create_dataset("object", shape=(2**31,), dtype="f8", chunks=(2**17,),
                          fletcher32=True), "ndarray")


def gzip_bomb(f, outside):
    """2 GiB of zeros in 2 MB: each 1 MiB chunk written pre-compressed."""
    chunk = 2**17
    dataset = kind(f.create_dataset("object", shape=(2**28,), dtype="f8", chunks=(chunk,),
                                    compression="gzip"), "ndarray")
    compressed = zlib.compress(bytes(8 * chunk), 9)
    for start in range(0, 2**28, chunk):
        dataset.id.write_direct_chunk((start,), compressed)


def group_containing_itself(f, outside):
    group = kind(f.create_group("object"), "list")
    group["0"] = group


def link_back_to_the_root(f, outside):
    group = kind(f.create_group("object"), "list")
    group["0"] = f


def one_dataset_linked_twice(f, outside):
    group = kind(f.create_group("object"), "list")
    kind(group.create_dataset("0", data=np.ones(2)), "ndarray")
    group["1"] = group["0"]


def nested_too_deep(f, outside):
    group = kind(f.create_group("object"), "list")
    for _ in range(checkpoint_format.MAX_DEPTH):
        group = kind(group.create_group("0"), "list")


def committed_datatype(f, outside):
    f["object"] = np.dtype("f8")


def array_attribute(f, outside):
    node = f.create_dataset("object", data=np.ones(2))
    node.attrs["kind"] = np.zeros(1000)


def many_attributes(f, outside):
    node = kind(f.create_dataset("object", data=np.ones(2)), "ndarray")
    for index in range(checkpoint_format.MAX_ATTRIBUTES):
        node.attrs[f"extra{index}"] = index


def chunks_larger_than_the_dataset(f, outside):
    dataset = f.create_dataset("object", shape=(4,), maxshape=(None,), chunks=(4096,),
                               dtype="f8", fletcher32=True)
    dataset[:] = 1.0
    kind(dataset, "ndarray")


def strings_array(f, outside):
    kind(f.create_dataset("object", data=["a", "b"], dtype=h5py.string_dtype()), "str")


HOSTILE = {
    "external link": (external_link, r"'/object' is an external link to '/secret' in the "
                                     r"file '.*other.h5'; loading never reads other files"),
    "external link in a dict": (external_link_deep_in_a_state_dict,
                                r"'/object/1' is an external link to '/secret'"),
    "soft link": (soft_link, r"'/object' is a soft link to '/elsewhere'; a checkpoint holds "
                             r"only hard links"),
    "external storage": (external_storage, r"node '/object' stores its values in the "
                                           r"external file '.*secret.bin'"),
    "virtual dataset": (virtual_dataset, r"node '/object' is a virtual dataset"),
    "gzip filter": (gzip_filter, r"node '/object' uses the HDF5 filter 'deflate' \(id 1\); "
                                 r"minidl writes only the Fletcher-32"),
    "shuffle filter": (shuffle_filter, r"uses the HDF5 filter 'shuffle' \(id 2\)"),
    "unknown filter": (unknown_filter, r"uses the HDF5 filter 'without a name' \(id 32123\)"),
    "16 GiB declared": (declares_16_gib, r"node '/object' declares 17,179,869,184 bytes of "
                                         r"values \(\(2147483648,\) float64\) but stores 0"),
    "16 GiB chunked": (declares_16_gib_chunked, r"declares 17,179,869,184 bytes .* stores 0"),
    "gzip bomb": (gzip_bomb, r"uses the HDF5 filter 'deflate'"),
    "group in itself": (group_containing_itself, r"node '/object' is reached through 2 links: "
                                                 r"a checkpoint is a tree"),
    "link to the root": (link_back_to_the_root, r"node '/' is reached through 2 links"),
    "shared dataset": (one_dataset_linked_twice, r"is reached through 2 links"),
    "too deep": (nested_too_deep, r"is a group 100 levels deep; a checkpoint holds groups at "
                                  r"most 99 levels deep"),
    "committed datatype": (committed_datatype, r"node '/object' is neither a group nor a "
                                               r"dataset"),
    "array attribute": (array_attribute, r"node '/object' has an attribute 'kind' of shape "
                                         r"\(1000,\)"),
    "many attributes": (many_attributes, r"node '/object' has 17 attributes; minidl writes at "
                                         r"most 16"),
    "oversized chunks": (chunks_larger_than_the_dataset, r"has chunks of shape \(4096,\), "
                                                         r"larger than its shape \(4,\)"),
    "array of strings": (strings_array, r"holds strings of shape \(2,\)"),
}


@pytest.mark.parametrize("sealed", [True, False], ids=["sealed", "unsealed"])
@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_structure_is_refused_before_reading(case, sealed, tmp_path, outside):
    build, reason = HOSTILE[case]
    path = forged(tmp_path / "hostile.h5", lambda f: build(f, outside), sealed)
    message = refused(path, *outside)
    assert "is refused: " in message
    assert re.search(reason, message), message


def test_the_gzip_bomb_is_small_and_really_expands(tmp_path, outside):
    path = forged(tmp_path / "bomb.h5", lambda f: gzip_bomb(f, outside))
    assert os.path.getsize(path) < 3 * 2**20
    with h5py.File(path, "r") as f:  # what h5py alone would do: decompress 2 GiB
        assert f["object"].shape == (2**28,) and f["object"][:4].tolist() == [0.0] * 4


def test_too_many_objects_are_refused_on_saving_and_loading(tmp_path, monkeypatch):
    path = tmp_path / "many.h5"
    minidl.save(list(range(60)), path)
    monkeypatch.setattr(serialization, "MAX_NODES", 50)
    monkeypatch.setattr(hdf5_structure, "MAX_NODES", 50)
    before = path.read_bytes()
    with pytest.raises(CheckpointError, match=r"obj\[48\] is value number 51; a checkpoint "
                                              r"holds at most 50 values"):
        minidl.save(list(range(60)), path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["many.h5"]
    assert "node '/object' has 60 links; a checkpoint holds at most 50 objects" in refused(path)
    monkeypatch.undo()
    minidl.save([[0] * 5 for _ in range(10)], path)  # 62 objects, at most 10 in a group
    monkeypatch.setattr(hdf5_structure, "MAX_NODES", 50)
    assert "is one object too many: a checkpoint holds at most 50 groups" in refused(path)


# -- damage: the seal catches every changed byte before HDF5 reads the file ------------------
SWEEP = r"""
import json, sys, warnings
import numpy as np
import minidl, minidl.nn as nn, minidl.optim as optim
from minidl.serialization import CheckpointError

path, flipped, flips, seed = sys.argv[1:5]
minidl.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                      nn.Linear(4 * 6 * 6, 3))
optimizer = optim.Adam(model.parameters())
model(minidl.randn(2, 1, 8, 8)).sum().backward()
optimizer.step()
original = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3,
            "name": "run", "lr": 0.1, "big": 2**70, "none": None, "flags": (True, False)}
minidl.save(original, path)
reference = minidl.load(path)
data = open(path, "rb").read()

def same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, minidl.Tensor):
        return (a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
                and np.array_equal(a.numpy(), b.numpy()))
    return a == b

rng = np.random.default_rng(int(seed))
cases = [("flip", int(rng.integers(0, 512)), int(rng.integers(8))) for _ in range(40)]
cases += [("flip", int(rng.integers(512, len(data))), int(rng.integers(8)))
          for _ in range(int(flips) - 40)]
cases += [("cut", int(rng.integers(0, len(data))), 0) for _ in range(20)]
outcomes = []
for what, position, bit in cases:
    damaged = bytearray(data)
    if what == "flip":
        damaged[position] ^= 1 << bit
    else:
        del damaged[position:]
    open(flipped, "wb").write(damaged)
    print(what, position, bit, file=sys.stderr, flush=True)  # the last case if it crashes
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            value = minidl.load(flipped)
        outcomes.append(["same" if same(value, reference) else "CHANGED", what, position, ""])
    except CheckpointError as error:
        outcomes.append(["error", what, position, str(error)])
    except Exception as error:
        outcomes.append([type(error).__name__, what, position, str(error)])
print(json.dumps({"size": len(data), "outcomes": outcomes}))
"""


def test_bit_flip_sweep_over_a_real_checkpoint_is_always_a_clean_error(tmp_path):
    path, flipped = tmp_path / "checkpoint.h5", tmp_path / "damaged.h5"
    result = subprocess.run([sys.executable, "-c", SWEEP, str(path), str(flipped), "200", "12"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    report = json.loads(result.stdout)
    outcomes = report["outcomes"]
    assert len(outcomes) == 220
    counts = {}
    for outcome, what, position, message in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
        assert outcome == "error", (outcome, what, position, message)
        assert message.startswith(f"load: {str(flipped)!r} ")
        if what == "cut" and position >= USER_BLOCK_SIZE:
            assert "is damaged: truncated" in message
        elif what == "flip" and position >= USER_BLOCK_SIZE:
            assert "does not match the SHA-256 recorded when it was saved" in message
        else:
            assert "damaged" in message or "not an HDF5 file" in message, message
    assert counts == {"error": 220}
    assert minidl.load(path)["epoch"] == 3  # the original, untouched


# -- bombs, under a memory limit --------------------------------------------------------------
BOMBS = r"""
import json, resource, sys
import minidl
from minidl.data.image_file import load_image
from minidl.datasets.cifar10 import read_batch
from minidl.datasets.idx import read_idx
from minidl.vision.io import decode_image, read_file

status = open("/proc/self/status").read().split("VmSize:")[1].split()[0]
limit = int(status) * 1024 + (256 << 20)   # what is mapped now + 256 MiB
resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
outcomes = {}
for path in sys.argv[1:]:
    reader = (minidl.load if path.endswith(".h5")
              else (lambda p: decode_image(read_file(p))) if path.endswith(".io.png")
              else load_image if path.endswith(".png")
              else read_idx if path.endswith(".gz") else read_batch)
    try:
        reader(path)
        outcomes[path] = ["loaded", ""]
    except Exception as error:
        outcomes[path] = [type(error).__name__, str(error)]
print(json.dumps(outcomes))
"""


def png_bomb(path, side=10_000):
    """A real side x side black PNG (100 megapixels in ~100 kB)."""
    compressor = zlib.compressobj(9)
    row = bytes(side + 1)  # filter byte + pixels
    rows = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    path.write_bytes(png_bytes(side, side, rows))
    return path


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc and RLIMIT_AS")
def test_bombs_are_refused_under_a_memory_limit(tmp_path, outside):
    files = {
        "declared.h5": forged(tmp_path / "declared.h5", lambda f: declares_16_gib(f, outside)),
        "gzip_bomb.h5": forged(tmp_path / "gzip_bomb.h5", lambda f: gzip_bomb(f, outside)),
        "pixels.png": png_bomb(tmp_path / "pixels.png"),
        "pixels.io.png": png_bomb(tmp_path / "pixels.io.png"),  # torchvision.io's decoder
    }
    header = idx_bytes(np.zeros((1, 1, 1), np.uint8))[:4]
    declared = header + np.array([2**16, 2**15, 1], ">u4").tobytes()
    files["idx.gz"] = tmp_path / "idx.gz"
    files["idx.gz"].write_bytes(gzip.compress(declared + bytes(2**20)))
    files["cifar_batch"] = tmp_path / "cifar_batch"
    files["cifar_batch"].write_bytes(huge_cifar_pickle())
    assert files["pixels.png"].stat().st_size < 200_000
    result = subprocess.run([sys.executable, "-c", BOMBS, *map(str, files.values())],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    outcomes = json.loads(result.stdout)
    expected = {"declared.h5": ("CheckpointError", "declares 17,179,869,184 bytes"),
                "gzip_bomb.h5": ("CheckpointError", "uses the HDF5 filter 'deflate'"),
                "pixels.png": ("ImageTooLargeError", "100,000,000 pixels is over the limit"),
                "pixels.io.png": ("ImageTooLargeError", "100,000,000 pixels is over the limit"),
                "idx.gz": ("IdxFormatError", "over the limit of 1,073,741,824 bytes"),
                "cifar_batch": ("CifarFormatError", "is larger than the whole file")}
    for name, (error, text) in expected.items():
        outcome, message = outcomes[str(files[name])]
        assert outcome == error and text in message, (name, outcome, message)


# -- saving refuses what loading would refuse; nothing on disk is lost -------------------------
def self_containing_list():
    items = [1, 2]
    items.append(items)
    return {"model": items}


def self_containing_dict():
    state = {"a": {}}
    state["a"]["b"] = [state]
    return state


def cycle_through_a_tuple():
    items = []
    items.append((items,))
    return items


def nested(depth):
    value = 0
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("value, message", [
    (self_containing_list(), r"obj\['model'\]\[2\] is obj\['model'\] itself: a structure that "
                             r"contains itself cannot be saved"),
    (self_containing_dict(), r"obj\['a'\]\['b'\]\[0\] is obj itself"),
    (cycle_through_a_tuple(), r"obj\[0\]\[0\] is obj itself"),
    (nested(100), r"obj(\[0\]){99} is a container 100 levels deep; a checkpoint holds "
                  r"containers at most 99 levels deep"),
], ids=["list", "dict", "tuple", "too deep"])
def test_save_refuses_structures_that_contain_themselves_or_nest_too_deep(value, message,
                                                                          tmp_path):
    path = tmp_path / "checkpoint.h5"
    minidl.save({"epoch": 1}, path)
    before = path.read_bytes()
    with pytest.raises(CheckpointError, match=rf"save: cannot write checkpoint '.*': {message}"):
        minidl.save(value, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["checkpoint.h5"]


def test_deepest_allowed_nesting_and_shared_values_round_trip(tmp_path):
    path = tmp_path / "checkpoint.h5"
    minidl.save(nested(99), path)
    assert minidl.load(path) == nested(99)
    shared = [1.5, 2.5]
    minidl.save({"a": shared, "b": shared}, path)  # shared, not cyclic: stored twice
    assert minidl.load(path) == {"a": [1.5, 2.5], "b": [1.5, 2.5]}


# -- checkpoints saved before the seal ---------------------------------------------------------
def test_unsealed_checkpoint_of_an_older_minidl_loads_with_a_warning(tmp_path):
    value = {"weight": minidl.randn(3, 4), "step": 7, "name": "run"}
    path = forged(tmp_path / "old.h5",
                  lambda f: serialization._TreeWriter().write(f, "object", value, "obj", 1),
                  sealed=False)
    with open(path, "rb") as file:
        assert file.read(8) == b"\x89HDF\r\n\x1a\n"  # HDF5 from byte 0: no user block
    with pytest.warns(UnsealedCheckpointWarning, match=rf"load: {str(path)!r} has no SHA-256 "
                                                       r"seal .* save it again to seal it"):
        loaded = minidl.load(path)
    assert loaded["step"] == 7 and loaded["name"] == "run"
    np.testing.assert_array_equal(loaded["weight"].numpy(), value["weight"].numpy())
    minidl.save(loaded, path)  # saved again: sealed, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert minidl.load(path)["step"] == 7


def test_a_file_with_a_foreign_user_block_is_not_taken_for_a_checkpoint(tmp_path):
    path = tmp_path / "foreign.h5"
    with h5py.File(path, "w", userblock_size=1024) as f:
        f["x"] = np.ones(2)
    with open(path, "r+b") as file:
        file.write(b"some other program's header")
    assert "is an HDF5 file but not a minidl checkpoint, or a damaged one" in refused(path)
