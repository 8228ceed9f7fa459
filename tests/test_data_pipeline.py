"""minidl.data: datasets, splits, the DataLoader (order, seeds, workers) and transforms."""
import collections
import threading

import numpy as np
import pytest
from PIL import Image

import minidl
from minidl.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
    sample_generator,
    transforms,
)
from minidl.data import functional as F


class RandomNoise(Dataset):
    """Sample i: its index and a number drawn from the per-sample generator, plus the name
    of the thread that built it."""

    def __init__(self, n):
        self.n = n
        self.threads = set()

    def __getitem__(self, index):
        self.threads.add(threading.current_thread().name)
        return np.full(2, index, dtype=np.float32), float(sample_generator().random())

    def __len__(self):
        return self.n


def _epoch(loader):
    return [tuple(t.numpy().copy() for t in batch) for batch in loader]


# -- datasets and splits ---------------------------------------------------------------
def test_tensor_dataset_and_subset():
    data = TensorDataset(np.arange(10).reshape(5, 2), minidl.arange(5))
    assert len(data) == 5
    row, label = data[3]
    assert row.tolist() == [6, 7] and label == 3
    subset = Subset(data, [4, 0])
    assert len(subset) == 2 and subset[0][1] == 4
    with pytest.raises(ValueError, match="same first dimension"):
        TensorDataset(np.zeros(3), np.zeros(4))
    with pytest.raises(IndexError, match=r"Subset: indices must lie in \[0, 4\]"):
        Subset(data, [5])


def test_random_split_counts_and_fractions():
    items = range(721)
    train, val = random_split(items, [0.9, 0.1], generator=0)
    assert (len(train), len(val)) == (649, 72)  # the NCD split of the Iizuka study
    assert sorted(np.concatenate([train.indices, val.indices]).tolist()) == list(items)
    again, _ = random_split(items, [0.9, 0.1], generator=0)
    assert np.array_equal(train.indices, again.indices)
    parts = random_split(range(10), [3, 3, 4], generator=np.random.default_rng(1))
    assert [len(p) for p in parts] == [3, 3, 4]
    with pytest.raises(ValueError, match="must be non-negative and sum to the dataset's length 10"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="fractions summing to 1"):
        random_split(range(10), [0.5, 0.2])


def test_random_split_follows_manual_seed():
    minidl.manual_seed(7)
    first = random_split(range(50), [25, 25])[0].indices
    minidl.manual_seed(7)
    assert np.array_equal(random_split(range(50), [25, 25])[0].indices, first)


# -- the loader ----------------------------------------------------------------------------
def test_batches_shapes_dtypes_and_length():
    images = np.random.default_rng(0).random((10, 3, 4, 4)).astype(np.float32)
    data = [(images[i], i % 3) for i in range(10)]
    loader = DataLoader(data, batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    x, y = batches[0]
    assert isinstance(x, minidl.Tensor) and x.shape == (4, 3, 4, 4) and x.dtype == np.float32
    assert y.dtype == np.int64 and y.tolist() == [0, 1, 2, 0]
    assert batches[-1][0].shape == (2, 3, 4, 4)
    dropped = DataLoader(data, batch_size=4, drop_last=True)
    assert len(dropped) == len(list(dropped)) == 2


def test_shuffle_is_a_seeded_permutation_per_epoch():
    data = TensorDataset(np.arange(20))
    loader = DataLoader(data, batch_size=6, shuffle=True, generator=5)
    first = np.concatenate([b[0].numpy() for b in loader])
    second = np.concatenate([b[0].numpy() for b in loader])
    assert sorted(first.tolist()) == list(range(20)) and sorted(second.tolist()) == list(range(20))
    assert not np.array_equal(first, second)
    replay = DataLoader(data, batch_size=6, shuffle=True, generator=5)
    assert np.array_equal(np.concatenate([b[0].numpy() for b in replay]), first)


def test_loader_without_generator_follows_manual_seed():
    data = RandomNoise(12)
    minidl.manual_seed(3)
    first = _epoch(DataLoader(data, batch_size=5, shuffle=True))
    minidl.manual_seed(3)
    second = _epoch(DataLoader(data, batch_size=5, shuffle=True))
    for a, b in zip(first, second):
        assert all(np.array_equal(u, v) for u, v in zip(a, b))


@pytest.mark.parametrize("workers", [1, 3])
def test_workers_give_the_same_batches_and_run_in_background(workers):
    data = RandomNoise(23)
    serial = _epoch(DataLoader(data, batch_size=4, shuffle=True, generator=11))
    data.threads.clear()
    threaded = _epoch(DataLoader(data, batch_size=4, shuffle=True, generator=11,
                                 num_workers=workers, prefetch_factor=2))
    assert len(serial) == len(threaded) == 6
    for a, b in zip(serial, threaded):
        assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert data.threads and all(name.startswith("minidl-data") for name in data.threads)


def test_random_transforms_are_identical_with_and_without_workers():
    images = np.random.default_rng(0).integers(0, 256, (16, 12, 12, 3), dtype=np.uint8)
    augment = transforms.Compose([transforms.RandomHorizontalFlip(),
                                  transforms.RandomRotation(30), transforms.ToTensor()])

    class Augmented(Dataset):
        def __getitem__(self, index):
            return augment(images[index])

        def __len__(self):
            return len(images)

    serial = [b.numpy() for b in DataLoader(Augmented(), batch_size=5, generator=2)]
    threaded = [b.numpy() for b in DataLoader(Augmented(), batch_size=5, generator=2,
                                              num_workers=2)]
    assert all(np.array_equal(a, b) for a, b in zip(serial, threaded))
    assert not np.array_equal(serial[0][0], images[0].transpose(2, 0, 1) / 255)


class BatchedNoise(RandomNoise):
    """RandomNoise that also builds whole batches (``__getitems__``), counting its calls."""

    def __init__(self, n):
        super().__init__(n)
        self.batch_calls = 0

    def __getitems__(self, indices):
        self.batch_calls += 1
        noise = sample_generator().random(len(indices))
        return [(np.full(2, i, dtype=np.float32), float(x)) for i, x in zip(indices, noise)]


@pytest.mark.parametrize("workers", [0, 2])
def test_a_dataset_that_builds_batches_is_called_once_per_batch(workers):
    data = BatchedNoise(23)
    first = _epoch(DataLoader(Subset(data, np.arange(22, -1, -1)), batch_size=4,
                              shuffle=True, generator=11, num_workers=workers))
    assert data.batch_calls == 6 and not data.threads           # never one by one
    assert sorted(np.concatenate([b[0][:, 0] for b in first]).tolist()) == list(range(23))
    again = _epoch(DataLoader(Subset(data, np.arange(22, -1, -1)), batch_size=4,
                              shuffle=True, generator=11, num_workers=workers))
    for a, b in zip(first, again):                               # draws fixed by the seed
        assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert len({float(x) for batch in first for x in batch[1]}) == 23


def test_a_subset_builds_batches_only_when_its_dataset_does():
    assert hasattr(Subset(BatchedNoise(5), [4, 1]), "__getitems__")
    assert Subset(BatchedNoise(5), [4, 1]).__getitems__([1, 0])[0][0].tolist() == [1, 1]
    assert not hasattr(Subset(RandomNoise(5), [4, 1]), "__getitems__")


def test_stopping_early_and_errors_from_workers():
    loader = DataLoader(TensorDataset(np.arange(100)), batch_size=2, num_workers=2)
    for i, _ in enumerate(loader):
        if i == 1:
            break

    class Broken(Dataset):
        def __getitem__(self, index):
            if index == 5:
                raise ValueError("sample 5 is broken")
            return np.zeros(2)

        def __len__(self):
            return 8

    with pytest.raises(ValueError, match="sample 5 is broken"):
        list(DataLoader(Broken(), batch_size=2, num_workers=2))


def test_loader_argument_errors():
    with pytest.raises(ValueError, match="DataLoader: batch_size must be an int >= 1, got 0"):
        DataLoader([1, 2], batch_size=0)
    with pytest.raises(ValueError, match="num_workers must be an int >= 0"):
        DataLoader([1, 2], num_workers=-1)
    with pytest.raises(TypeError, match="DataLoader: generator must be None, an int seed"):
        DataLoader([1, 2], generator="seed")
    with pytest.raises(TypeError, match="dataset must support len"):
        DataLoader(iter([1, 2]))


def test_collate_structures_and_errors():
    samples = [{"image": np.ones((2, 2), np.float32), "name": f"n{i}", "scale": 0.5,
                "flag": True, "digits": np.array([1, 2, 3])} for i in range(3)]
    batch = default_collate(samples)
    assert batch["image"].shape == (3, 2, 2) and batch["name"] == ["n0", "n1", "n2"]
    assert batch["scale"].dtype == np.float64 and batch["flag"].dtype == np.bool_
    assert batch["digits"].shape == (3, 3) and batch["digits"].dtype == np.int64
    assert default_collate([np.float64(1.0), np.float64(2.0)]).dtype == np.float64
    assert default_collate([np.zeros(2), np.ones(2)]).dtype == np.float64
    images, labels = pairs = default_collate([(np.zeros(3, np.float32), 1)] * 2)
    assert isinstance(pairs, list) and images.dtype == np.float32 and labels.dtype == np.int64
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but "
                                           r"got \(2, 2\) at entry 0 and \(3, 3\) at entry 1"):
        default_collate([np.zeros((2, 2)), np.zeros((3, 3))])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        default_collate([(1, 2), (3,)])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy "
                                        "arrays, numbers, dicts or lists; found <class 'object'>"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="found <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(TypeError, match="expected Tensor as element 1"):
        default_collate([minidl.zeros(2), np.zeros(2)])


Point = collections.namedtuple("Point", "x y")
COLLATE_CASES = {
    "python floats": lambda m: [1.5, 2.5],
    "python ints": lambda m: [1, 2],
    "python bools": lambda m: [True, False],
    "ints then a float": lambda m: [1, 2.5],
    "bool then an int": lambda m: [True, 2],
    "strings": lambda m: ["a", "b"],
    "bytes": lambda m: [b"x", b"y"],
    "numpy float32 scalars": lambda m: [np.float32(1), np.float32(2)],
    "numpy int32 scalars": lambda m: [np.int32(1), np.int32(2)],
    "numpy mixed scalars": lambda m: [np.int32(1), np.float32(2), 3],
    "numpy and python float": lambda m: [np.float64(1.5), 2.5],
    "numpy uint8 and int8": lambda m: [np.uint8(1), np.int8(2)],
    "numpy bools": lambda m: [np.bool_(True), np.bool_(False)],
    "float64 arrays": lambda m: [np.arange(6.0).reshape(2, 3), np.ones((2, 3))],
    "float32 arrays": lambda m: [np.ones(4, np.float32), np.zeros(4, np.float32)],
    "0-d arrays": lambda m: [np.array(3.0), np.array(4.0)],
    "mixed arrays": lambda m: [np.arange(2), np.ones(2, np.float32)],
    "tensors": lambda m: [m.ones(2, 3), m.zeros(2, 3)],
    "mixed tensors": lambda m: [m.ones(2), m.zeros(2, dtype=m.float64)],
    "tuple samples": lambda m: [(np.ones((1, 2), np.float32), 3, 0.5, "a"),
                                (np.zeros((1, 2), np.float32), 4, 1.5, "b")],
    "list samples": lambda m: [[1, 2.0], [3, 4.0]],
    "namedtuples": lambda m: [Point(1, 2.0), Point(3, 4.0)],
    "dicts": lambda m: [{"image": np.ones(2), "label": 1, "name": "a"},
                        {"image": np.zeros(2), "label": 2, "name": "b"}],
    "ordered dicts": lambda m: [collections.OrderedDict(a=1.5, b=[1, 2]),
                                collections.OrderedDict(a=2.5, b=[3, 4])],
    "nested": lambda m: [({"a": (1, np.float64(2))}, [np.ones(2, np.float32)]),
                         ({"a": (3, np.float64(4))}, [np.zeros(2, np.float32)])],
    "mismatched shapes": lambda m: [np.zeros((2, 2)), np.zeros((3, 3))],
    "mismatched tensors": lambda m: [m.zeros(2), m.zeros(3)],
    "mismatched lengths": lambda m: [(1, 2), (3,)],
    "objects": lambda m: [object(), object()],
    "nones": lambda m: [None, None],
    "string arrays": lambda m: [np.array(["a"]), np.array(["b"])],
}


def _described(value, tensor_type):
    """A batch as comparable plain data: tensors as (dtype name, shape, values), containers
    as (class name, items), anything else as (class name, value)."""
    if isinstance(value, tensor_type):
        array = value.detach().numpy()
        return "tensor", str(array.dtype), array.shape, array.tolist()
    if isinstance(value, dict):
        return type(value).__name__, {k: _described(v, tensor_type) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return type(value).__name__, [_described(v, tensor_type) for v in value]
    return type(value).__name__, value


def _outcome(collate, batch, tensor_type):
    try:
        return _described(collate(batch), tensor_type)
    except (RuntimeError, TypeError) as error:
        return "error", type(error).__name__


@pytest.mark.parametrize("case", COLLATE_CASES)
def test_collate_matches_torch(case, torch):
    ours = _outcome(default_collate, COLLATE_CASES[case](minidl), minidl.Tensor)
    theirs = _outcome(torch.utils.data.default_collate, COLLATE_CASES[case](torch),
                      torch.Tensor)
    assert ours == theirs


def test_loader_batches_have_torch_types(torch):
    """A dataset of (float64 array, int, float) samples: minidl's DataLoader and PyTorch's
    give batches of the same types and values."""
    rows = np.random.default_rng(3).standard_normal((6, 2))
    samples = [(rows[i], i, float(i) / 2) for i in range(6)]
    ours = [_described(b, minidl.Tensor) for b in DataLoader(samples, batch_size=4)]
    theirs = [_described(b, torch.Tensor)
              for b in torch.utils.data.DataLoader(samples, batch_size=4)]
    assert ours == theirs
    assert ours[0][1][0][1] == "float64" and ours[0][1][2][1] == "float64"


# -- transforms -----------------------------------------------------------------------------
def test_to_tensor_layout_and_range(rng):
    image = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    tensor = transforms.ToTensor()(image)
    assert tensor.shape == (3, 5, 7) and tensor.dtype == np.float32
    np.testing.assert_allclose(tensor[:, 2, 4], image[2, 4] / 255, rtol=1e-6)
    assert transforms.ToTensor()(Image.fromarray(image[..., 0])).shape == (1, 5, 7)
    with pytest.raises(TypeError, match="to_tensor: expected a uint8 or floating image"):
        F.to_tensor(np.zeros((2, 2), dtype=np.int32))


def test_resize_arrays_and_pillow(rng):
    image = rng.integers(0, 256, (20, 40, 3), dtype=np.uint8)
    assert transforms.Resize(10)(image).shape == (10, 20, 3)  # shorter side, aspect kept
    assert transforms.Resize((8, 6))(image).shape == (8, 6, 3)
    as_pillow = np.asarray(transforms.Resize((8, 6))(Image.fromarray(image)))
    assert np.abs(as_pillow.astype(int) - transforms.Resize((8, 6))(image)).max() <= 1
    floats = rng.random((6, 6, 2)).astype(np.float32)
    resized = F.resize(floats, (12, 12), "nearest")
    assert resized.dtype == np.float32 and np.array_equal(resized[::2, ::2], floats)
    with pytest.raises(ValueError, match="resize: size must be a positive int"):
        F.resize(image, (0, 5))


def test_flips(rng):
    image = rng.integers(0, 256, (4, 5, 3), dtype=np.uint8)
    assert np.array_equal(transforms.RandomHorizontalFlip(p=1.0)(image), image[:, ::-1])
    assert np.array_equal(transforms.RandomVerticalFlip(p=1.0)(image), image[::-1])
    assert np.array_equal(transforms.RandomHorizontalFlip(p=0.0)(image), image)
    flipped = transforms.RandomHorizontalFlip(p=1.0)(Image.fromarray(image))
    assert np.array_equal(np.asarray(flipped), image[:, ::-1])
    with pytest.raises(ValueError, match=r"RandomHorizontalFlip: p must lie in \[0, 1\]"):
        transforms.RandomHorizontalFlip(p=2)


def test_rotation_is_counter_clockwise_and_matches_pillow(rng):
    mark = np.zeros((5, 5), dtype=np.uint8)
    mark[2, 4] = 255  # right edge, middle row
    turned = F.rotate(mark, 90, interpolation="nearest")
    assert turned[0, 2] == 255 and turned.sum() == 255  # now at the top
    image = rng.integers(0, 256, (9, 13, 3), dtype=np.uint8)
    pillow = np.asarray(Image.fromarray(image).rotate(33, resample=Image.Resampling.BILINEAR))
    assert np.abs(F.rotate(image, 33).astype(int) - pillow).max() <= 1
    always_90 = transforms.RandomRotation((90, 90), interpolation="nearest")
    assert np.array_equal(always_90(mark), turned)


def test_affine_shift_scale_and_fill():
    mark = np.zeros((7, 7), dtype=np.float32)
    mark[3, 3] = 1.0
    shifted = F.affine(mark, translate=(2, -1), interpolation="nearest")
    assert shifted[2, 5] == 1.0 and shifted.sum() == 1.0
    grown = F.affine(mark, scale=3.0, interpolation="nearest")
    assert grown[2:5, 2:5].sum() == 9.0
    shrunk = F.affine(np.ones((6, 6, 3), np.uint8) * 9, scale=0.5, fill=(1, 2, 3),
                      interpolation="nearest")
    assert shrunk[0, 0].tolist() == [1, 2, 3] and shrunk[3, 3].tolist() == [9, 9, 9]
    with pytest.raises(ValueError, match="affine: scale must be positive"):
        F.affine(mark, scale=0)


def test_random_affine_draws_within_bounds():
    image = np.zeros((20, 20), dtype=np.float32)
    image[10, 10] = 1.0
    shift = transforms.RandomAffine(0, translate=(0.2, 0.2), interpolation="nearest",
                                    generator=4)
    for _ in range(5):
        rows, cols = np.nonzero(shift(image))
        assert abs(rows[0] - 10) <= 4 and abs(cols[0] - 10) <= 4
    with pytest.raises(ValueError, match=r"RandomAffine: scale must be \(low, high\)"):
        transforms.RandomAffine(0, scale=(2.0, 1.0))
    with pytest.raises(ValueError, match="RandomRotation: degrees must be non-negative"):
        transforms.RandomRotation(-5)


def test_crops(rng):
    image = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    assert np.array_equal(transforms.CenterCrop((2, 4))(image), image[2:4, 2:6])
    crop = transforms.RandomCrop(4, padding=2, fill=7, generator=0)
    for _ in range(5):
        window = crop(image)
        assert window.shape == (4, 4, 3)
    padded = F.pad(image, 2, fill=7)
    found = crop(image)
    assert any(np.array_equal(found, padded[t:t + 4, l:l + 4])
               for t in range(7) for l in range(9))
    with pytest.raises(ValueError, match=r"crop: window top=0, left=0, 9x9 does not fit"):
        F.crop(image, 0, 0, 9, 9)
    with pytest.raises(ValueError, match="RandomCrop: size .* is larger than"):
        transforms.RandomCrop(10)(image)


def test_normalize(rng):
    tensor = rng.random((3, 4, 4)).astype(np.float32)
    out = transforms.Normalize([0.5, 0.4, 0.3], [0.5, 0.2, 0.1])(tensor)
    np.testing.assert_allclose(out[1], (tensor[1] - 0.4) / 0.2, rtol=1e-5)
    with pytest.raises(ValueError, match="normalize: the image has 3 channels but mean has 2"):
        transforms.Normalize([0.5, 0.5], [1.0, 1.0])(tensor)
    with pytest.raises(ValueError, match=r"normalize: expected a \(C, H, W\) float array"):
        transforms.Normalize([0.5], [0.5])(np.zeros((4, 4, 3), np.uint8))


def test_random_transforms_follow_manual_seed(rng):
    image = rng.integers(0, 256, (8, 8), dtype=np.uint8)
    rotate = transforms.RandomRotation(45)
    minidl.manual_seed(9)
    first = [rotate(image) for _ in range(3)]
    minidl.manual_seed(9)
    assert all(np.array_equal(a, rotate(image)) for a in first)
    assert not np.array_equal(first[0], first[1])


def test_tensor_dataset_gives_tensors_and_shares_memory():
    images = np.arange(12, dtype=np.float32).reshape(4, 3)
    data = TensorDataset(minidl.tensor(images), np.arange(4))
    row, label = data[2]
    assert isinstance(row, minidl.Tensor) and isinstance(label, minidl.Tensor)
    assert row.tolist() == [6.0, 7.0, 8.0] and label.dtype == np.int64
    assert [t.shape for t in data.tensors] == [(4, 3), (4,)]
    batch, _ = data[1:3]
    assert batch.shape == (2, 3)


def test_dataloader_accepts_pytorchs_extra_arguments():
    started = []
    lock = threading.Lock()

    def note_worker(worker_id):
        with lock:
            started.append(worker_id)

    loader = DataLoader(TensorDataset(np.arange(12)), batch_size=3, shuffle=None,
                        num_workers=2, pin_memory=True, persistent_workers=True,
                        worker_init_fn=note_worker, timeout=30, prefetch_factor=None)
    assert [b[0].tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]]
    assert sorted(started) in ([0], [0, 1])
    with pytest.raises(ValueError, match="persistent_workers=True needs num_workers > 0"):
        DataLoader(TensorDataset(np.arange(3)), persistent_workers=True)
    with pytest.raises(TypeError, match="worker_init_fn must be callable"):
        DataLoader(TensorDataset(np.arange(3)), num_workers=1, worker_init_fn=3)
    with pytest.raises(ValueError, match="timeout must be a number >= 0"):
        DataLoader(TensorDataset(np.arange(3)), timeout=-1)


def test_dataloader_timeout_is_an_error_naming_the_wait():
    class Slow(Dataset):
        def __getitem__(self, index):
            threading.Event().wait(0.5)
            return index

        def __len__(self):
            return 2

    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.05 seconds"):
        list(DataLoader(Slow(), num_workers=1, timeout=0.05))


def test_a_torch_style_generator_drives_random_split_and_the_loader():
    items = range(50)
    first = random_split(items, [0.8, 0.2], generator=minidl.Generator().manual_seed(42))
    again = random_split(items, [0.8, 0.2], generator=minidl.Generator().manual_seed(42))
    assert list(first[1].indices) == list(again[1].indices)
    generator = minidl.Generator()
    assert generator.manual_seed(3) is generator and generator.initial_seed() == 3
    state = generator.get_state()
    loader = DataLoader(TensorDataset(np.arange(8)), batch_size=8, shuffle=True,
                        generator=generator)
    order = next(iter(loader))[0].tolist()
    generator.set_state(state)
    assert next(iter(loader))[0].tolist() == order
    with pytest.raises(TypeError, match="seed must be an int"):
        generator.manual_seed(1.5)
