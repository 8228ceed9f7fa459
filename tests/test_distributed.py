"""Data parallelism without starting MPI: DistributedSampler's index lists against
PyTorch's, the shards of K ranks against one process's batches, post-accumulate gradient
hooks, SyncBatchNorm's maths (float64 gradient check, PyTorch parity), clear errors and
the names a PyTorch program imports under `minidl run`.
The runs on several ranks are in test_distributed_mpi.py."""
import itertools

import numpy as np
import pytest
from helpers import leaf, torch_leaf

import minidl
import minidl.distributed as dist
import minidl.nn as nn
from minidl import gradcheck
from minidl.autograd.hooks import queue_callback
from minidl.data import DataLoader, DistributedSampler, TensorDataset, sample_generator
from minidl.data.randperm import torch_randperm
from minidl.ops.sync_batchnorm import SyncBatchNormTrain
from minidl.training import data_parallel


# -- DistributedSampler ------------------------------------------------------------------
@pytest.mark.parametrize("n, seed", [(0, 1), (1, 2), (2, 5), (17, 0), (1000, 42),
                                     (60000, 7), (9, 2 ** 32 + 5), (33, -1)])
def test_torch_randperm_is_pytorchs(n, seed, torch):
    generator = torch.Generator()
    generator.manual_seed(seed)
    assert torch_randperm(n, seed).tolist() == torch.randperm(n, generator=generator).tolist()


@pytest.mark.parametrize("n, replicas", [(10, 1), (10, 3), (11, 2), (5, 4), (2, 5), (12, 4)])
@pytest.mark.parametrize("shuffle, drop_last", list(itertools.product([True, False], repeat=2)))
def test_distributed_sampler_gives_pytorchs_index_lists(n, replicas, shuffle, drop_last,
                                                        torch):
    from torch.utils.data import DistributedSampler as TorchSampler
    data = list(range(n))
    for rank, epoch in itertools.product(range(replicas), (0, 3)):
        ours = DistributedSampler(data, replicas, rank, shuffle=shuffle, seed=11,
                                  drop_last=drop_last)
        theirs = TorchSampler(data, replicas, rank, shuffle=shuffle, seed=11,
                              drop_last=drop_last)
        ours.set_epoch(epoch)
        theirs.set_epoch(epoch)
        assert list(ours) == list(theirs), (rank, epoch)
        assert len(ours) == len(theirs)


def test_distributed_sampler_refuses_bad_ranks_and_needs_a_group_for_defaults():
    with pytest.raises(ValueError,
                       match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="num_replicas must be an int >= 1"):
        DistributedSampler(range(4), num_replicas=0, rank=0)
    with pytest.raises(RuntimeError, match="init_process_group"):
        DistributedSampler(range(4))


class IndexAndNoise:
    """Item i: (i, a number from the per-sample generator): shows which sample a batch
    holds and which random augmentation it got."""

    def __getitem__(self, index):
        return np.float64(index), float(sample_generator().random())

    def __len__(self):
        return 27


@pytest.mark.parametrize("ranks", [2, 3])
def test_shards_of_k_ranks_hold_the_samples_of_one_process_step_by_step(ranks):
    """Step s of K ranks with b samples each == step s of one process with K*b samples:
    the same samples, augmented alike (item randomness follows the dataset index)."""
    data, b = IndexAndNoise(), 4

    def steps(replicas, rank):
        sampler = DistributedSampler(data, replicas, rank, seed=3, drop_last=True)
        sampler.set_epoch(2)
        loader = DataLoader(data, batch_size=b * ranks // replicas, sampler=sampler,
                            drop_last=True, generator=9)
        return [dict(zip(*(t.numpy().tolist() for t in batch))) for batch in loader]
    one = steps(1, 0)
    shards = [steps(ranks, rank) for rank in range(ranks)]
    assert len(one) == 27 // (b * ranks) and all(len(s) == len(one) for s in shards)
    for step, whole in enumerate(one):
        together = {}
        for shard in shards:
            together.update(shard[step])
        assert together == whole


def test_data_loader_takes_a_sampler():
    data = TensorDataset(np.arange(10))
    loader = DataLoader(data, batch_size=3, sampler=[9, 1, 4, 4])
    assert len(loader) == 2
    assert [b[0].tolist() for b in loader] == [[9, 1, 4], [4]]
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(data, sampler=[1], shuffle=True)
    with pytest.raises(TypeError, match="sampler must be an iterable of indices"):
        DataLoader(data, sampler=5)


def test_training_batch_must_split_over_the_ranks(monkeypatch):
    monkeypatch.setattr(data_parallel, "ranks", lambda: (0, 3))
    config = {"batch_size": 8, "seed": 0, "workers": 0}
    with pytest.raises(ValueError, match="batch_size 8 does not split over 3 ranks"):
        data_parallel.training_loader(config, list(range(20)))
    config["batch_size"] = 9
    loader = data_parallel.training_loader(config, list(range(20)))
    assert loader.batch_size == 3 and len(loader) == 2


# -- post-accumulate gradient hooks ------------------------------------------------------
def test_post_accumulate_hook_runs_once_with_the_whole_gradient():
    w1, w2 = leaf([1.0, 2.0]), leaf([3.0, -1.0])
    seen = []
    w1.register_post_accumulate_grad_hook(lambda t: seen.append(("w1", t.grad.tolist())))
    handle = w2.register_post_accumulate_grad_hook(
        lambda t: seen.append(("w2", t.grad.tolist())))
    w2.register_post_accumulate_grad_hook(
        lambda t: queue_callback(lambda: seen.append("end")))
    x = leaf([2.0, 5.0], requires_grad=False)
    ((w2 * (w1 * x)).sum() + (w1 * w1).sum()).backward()  # w1 used twice
    # w2's gradient is complete before w1's; the callback runs after the pass
    assert seen == [("w2", [2.0, 10.0]), ("w1", [8.0, -1.0]), "end"]
    seen.clear()
    handle.remove()
    (w2 * 2).sum().backward()
    assert seen == ["end"]


def test_post_accumulate_hook_on_a_leaf_root_and_errors():
    w = leaf([1.0])
    seen = []
    w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    w.backward(minidl.tensor([3.0], dtype="float64"))
    assert seen == [[3.0]]
    with pytest.raises(RuntimeError, match="only be registered on leaf tensors"):
        (w * 2).register_post_accumulate_grad_hook(print)
    with pytest.raises(RuntimeError, match="does not require grad"):
        minidl.ones(2).register_post_accumulate_grad_hook(print)
    with pytest.raises(RuntimeError, match="no backward pass is running"):
        queue_callback(print)


# -- SyncBatchNorm -----------------------------------------------------------------------
def one_rank(function_inputs, eps=1e-5, momentum=0.1, running=None):
    """SyncBatchNormTrain over a single rank (the collectives change nothing)."""
    mean, var = running if running is not None else (None, None)
    return SyncBatchNormTrain.apply(*function_inputs, eps=eps, momentum=momentum,
                                    running_mean=mean, running_var=var,
                                    all_gather=lambda a: a[None], all_reduce=lambda a: None)


@pytest.mark.parametrize("shape", [(5, 3), (3, 2, 4), (2, 3, 2, 3)])
def test_sync_batch_norm_gradcheck(shape, rng):
    x = rng.normal(2.0, 3.0, shape)
    weight, bias = rng.normal(size=shape[1]), rng.normal(size=shape[1])
    assert gradcheck(lambda *inputs: one_rank(inputs), (leaf(x), leaf(weight), leaf(bias)))
    assert gradcheck(lambda t: one_rank((t, None, None)), (leaf(x),))


def test_sync_batch_norm_on_one_rank_is_torchs_batch_norm(rng, torch):
    x, weight, bias = rng.normal(1.0, 2.0, (6, 3, 4)), rng.normal(size=3), rng.normal(size=3)
    grad = rng.normal(size=x.shape)
    ours = [leaf(a) for a in (x, weight, bias)]
    theirs = [torch_leaf(torch, a) for a in (x, weight, bias)]
    running = (np.zeros(3), np.ones(3))
    running_torch = (torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64))
    y = one_rank(ours, momentum=0.3, running=running)
    y_torch = torch.nn.functional.batch_norm(theirs[0], *running_torch, theirs[1], theirs[2],
                                             training=True, momentum=0.3)
    np.testing.assert_allclose(y.detach().numpy(), y_torch.detach().numpy(), atol=1e-12)
    y.backward(minidl.tensor(grad))
    y_torch.backward(torch.tensor(grad))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-12)
    for a, b in zip(running, running_torch):
        np.testing.assert_allclose(a, b.numpy(), atol=1e-12)


def test_convert_sync_batchnorm_keeps_parameters_buffers_and_mode():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2),
                          nn.Sequential(nn.Flatten(), nn.BatchNorm1d(8)))
    model[2][1].eval()
    weight, running = model[1].weight, model[2][1].running_mean
    keys = list(model.state_dict())
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert converted is model
    assert isinstance(model[1], nn.SyncBatchNorm) and isinstance(model[2][1], nn.SyncBatchNorm)
    assert model[1].weight is weight and model[2][1].running_mean is running
    assert model[1].training and not model[2][1].training
    assert list(model.state_dict()) == keys
    lone = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm2d(4))
    assert isinstance(lone, nn.SyncBatchNorm)
    # no process group: plain batch norm
    x = minidl.randn(4, 2, 5, 5)
    np.testing.assert_allclose(model[1](x).detach().numpy(),
                               nn.BatchNorm2d(2)(x).detach().numpy(), atol=1e-6)


# -- without a process group -------------------------------------------------------------
def test_the_api_says_what_is_missing():
    assert not dist.is_initialized()
    for call in (dist.get_rank, dist.get_world_size, dist.barrier,
                 lambda: dist.all_reduce(minidl.ones(2))):
        with pytest.raises(RuntimeError, match="init_process_group"):
            call()
    with pytest.raises(ValueError, match="backend must be 'mpi' or 'nccl'"):
        dist.init_process_group("gloo")
    with pytest.raises(ValueError, match="start the processes with mpirun"):
        dist.init_process_group("mpi", init_method="tcp://10.0.0.1:23456")
    with pytest.raises(RuntimeError, match="init_process_group"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
    assert data_parallel.ranks() == (0, 1)


def test_nccl_backend_says_what_it_needs():
    """The nccl backend (CuPy + NCCL, one GPU per rank) can't run without a GPU; without
    CuPy it says what to install before touching MPI."""
    if dist.is_nccl_available():
        pytest.skip("CuPy with NCCL is installed: the nccl backend runs under mpiexec")
    with pytest.raises(ImportError, match="the nccl backend needs"):
        dist.init_process_group("nccl")
    assert not dist.is_initialized()


def test_a_pytorch_program_finds_the_distributed_names():
    """Under ``minidl run`` (the torch import hook) a data-parallel PyTorch program's
    imports give minidl's process group, sampler, DistributedDataParallel and SyncBatchNorm."""
    from minidl.compat.importer import torch_is_minidl
    with torch_is_minidl():
        import torch
        import torch.distributed as torch_dist
        from torch.nn.parallel import DistributedDataParallel
        from torch.utils.data.distributed import DistributedSampler as Sampler
        assert torch_dist.init_process_group is dist.init_process_group
        assert torch_dist.ReduceOp.SUM is dist.ReduceOp.SUM
        assert torch_dist.is_available() and not torch_dist.is_initialized()
        assert DistributedDataParallel is nn.parallel.DistributedDataParallel
        assert Sampler is DistributedSampler
        assert torch.nn.SyncBatchNorm is nn.SyncBatchNorm
