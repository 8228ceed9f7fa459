"""Samplers, batch samplers, unbatched loading, ConcatDataset and IterableDataset, as in
``torch.utils.data``."""
import numpy as np
import pytest

import minidl
from minidl.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
)


def test_deterministic_samplers_and_batch_sampler_match_pytorch(torch):
    data = list(range(10))
    for engine_data in (minidl.data, torch.utils.data):
        batches = list(engine_data.BatchSampler(engine_data.SequentialSampler(data), 3, False))
        assert batches == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
        dropped = engine_data.BatchSampler(engine_data.SequentialSampler(data), 3, True)
        assert len(dropped) == 3 and list(dropped)[-1] == [6, 7, 8]


def test_random_samplers_draw_permutations_and_follow_the_seed():
    data = list(range(20))
    minidl.manual_seed(3)
    first = list(RandomSampler(data))
    minidl.manual_seed(3)
    assert list(RandomSampler(data)) == first and sorted(first) == data
    assert first != data                                    # 20! orders: not the identity
    seeded = RandomSampler(data, generator=minidl.Generator().manual_seed(5))
    assert sorted(seeded) == data and len(seeded) == 20
    more = RandomSampler(data, num_samples=45)
    drawn = list(more)
    assert len(drawn) == 45 and sorted(drawn[:20]) == data and sorted(drawn[20:40]) == data
    with_replacement = list(RandomSampler(data, replacement=True, num_samples=7))
    assert len(with_replacement) == 7 and all(0 <= i < 20 for i in with_replacement)
    subset = list(SubsetRandomSampler([2, 5, 11, 13], generator=1))
    assert sorted(subset) == [2, 5, 11, 13]


def test_weighted_sampler_follows_the_weights():
    sampler = WeightedRandomSampler(minidl.tensor([0.0, 1.0, 3.0]), 4000, generator=0)
    counts = np.bincount(list(sampler), minlength=3)
    assert counts[0] == 0 and 2.6 < counts[2] / counts[1] < 3.4 and len(sampler) == 4000
    unique = list(WeightedRandomSampler([1.0, 2.0, 3.0, 4.0], 4, replacement=False,
                                        generator=0))
    assert sorted(unique) == [0, 1, 2, 3]
    with pytest.raises(RuntimeError, match="cannot draw 3 samples without replacement"):
        WeightedRandomSampler([1.0, 0.0, 2.0], 3, replacement=False)
    with pytest.raises(ValueError, match="non-negative"):
        WeightedRandomSampler([1.0, -1.0], 2)


def test_loader_with_a_sampler_a_batch_sampler_or_no_batching(torch):
    data = np.arange(10, dtype=np.float32) * 10
    results = []
    for engine, engine_data in ((minidl, minidl.data), (torch, torch.utils.data)):
        dataset = engine_data.TensorDataset(engine.tensor(data))
        sampled = [b[0].tolist() for b in engine_data.DataLoader(
            dataset, batch_size=4, sampler=engine_data.SequentialSampler(dataset))]
        batches = [b[0].tolist() for b in engine_data.DataLoader(
            dataset, batch_sampler=[[3, 1], [0, 9, 2]])]
        single = [s[0].tolist() for s in engine_data.DataLoader(dataset, batch_size=None)]
        results.append((sampled, batches, single))
        with pytest.raises(ValueError, match="mutually exclusive"):
            engine_data.DataLoader(dataset, batch_size=2, batch_sampler=[[0, 1]])
    assert results[0] == results[1]
    assert len(DataLoader(TensorDataset(data), batch_size=None)) == 10
    assert len(DataLoader(TensorDataset(data), batch_sampler=BatchSampler(range(10), 4,
                                                                          True))) == 2


def test_concat_dataset_and_adding_datasets(torch):
    for engine, engine_data in ((minidl, minidl.data), (torch, torch.utils.data)):
        a = engine_data.TensorDataset(engine.arange(3))
        b = engine_data.TensorDataset(engine.arange(10, 15))
        both = a + b
        assert isinstance(both, engine_data.ConcatDataset) and len(both) == 8
        assert [int(both[i][0]) for i in (0, 2, 3, 7, -1, -8)] == [0, 2, 10, 14, 14, 0]
        assert both.cumulative_sizes == [3, 8]
    with pytest.raises(IndexError):
        ConcatDataset([TensorDataset(np.arange(3))])[3]


def test_iterable_dataset_is_read_in_order_and_batched():
    class Squares(IterableDataset):
        def __iter__(self):
            return iter([np.float32(i * i) for i in range(7)])

    batches = [b.tolist() for b in DataLoader(Squares(), batch_size=3)]
    assert batches == [[0.0, 1.0, 4.0], [9.0, 16.0, 25.0], [36.0]]
    assert [b.tolist() for b in DataLoader(Squares(), batch_size=3, drop_last=True)] == \
        [[0.0, 1.0, 4.0], [9.0, 16.0, 25.0]]
    with pytest.raises(ValueError, match="gives its own order"):
        DataLoader(Squares(), shuffle=True)
    with pytest.raises(TypeError, match="has no len"):
        len(DataLoader(Squares()))
    assert [float(s) for s in DataLoader(Squares(), batch_size=None)][:3] == [0.0, 1.0, 4.0]


def test_sampler_module_name_of_pytorch_resolves():
    from minidl.data.sampler import SubsetRandomSampler as fromModule
    assert fromModule is SubsetRandomSampler and SequentialSampler([1]).__len__() == 1
