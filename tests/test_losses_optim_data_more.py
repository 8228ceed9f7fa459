"""Parity with PyTorch for: poisson_nll_loss's target gradient with ``full``, an all-ignored
cross entropy / nll loss, the margin losses, the optimizers' implementation switches,
tensor learning rates, ASGD and Rprop, the DataLoader's sampler attributes,
get_worker_info, StackDataset and ChainDataset."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl.data import (
    BatchSampler,
    ChainDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    StackDataset,
    TensorDataset,
    get_worker_info,
)

OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
              "RAdam", "ASGD", "Rprop"]


def leaves(lib, *arrays, requires_grad=True):
    return [lib.tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)
            for a in arrays]


# -- losses -------------------------------------------------------------------------------
@pytest.mark.parametrize("log_input", [False, True])
def test_poisson_nll_full_target_gradient(log_input):
    x, t = leaves(minidl, [0.5, 2, 1], [0.5, 3, 5])
    F.poisson_nll_loss(x, t, log_input=log_input, full=True, reduction="none").sum().backward()
    if not log_input:
        np.testing.assert_allclose(t.grad.numpy(), [0.69314716, 0.57213177, 1.7094379],
                                   rtol=1e-6)
    torch = pytest.importorskip("torch")
    tx, tt = leaves(torch, [0.5, 2, 1], [0.5, 3, 5])
    torch.nn.functional.poisson_nll_loss(tx, tt, log_input=log_input, full=True,
                                         reduction="none").sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("fn,kwargs", [
    ("cross_entropy", {}), ("cross_entropy", {"label_smoothing": 0.1}),
    ("cross_entropy", {"weight": [1.0, 2.0, 3.0, 4.0]}), ("nll_loss", {}),
    ("nll_loss", {"weight": [1.0, 2.0, 3.0, 4.0]})])
def test_all_targets_ignored_gives_nan_with_zero_gradient(fn, kwargs):
    kwargs = {k: (minidl.tensor(v, dtype=minidl.float64) if k == "weight" else v)
              for k, v in kwargs.items()}
    (x,) = leaves(minidl, np.random.default_rng(0).standard_normal((3, 4)))
    loss = getattr(F, fn)(x, minidl.tensor([-100, -100, -100]), **kwargs)
    loss.backward()
    assert np.isnan(loss.item())
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((3, 4)))


def test_partly_ignored_mean_is_unchanged():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).standard_normal((3, 4))
    (x,) = leaves(minidl, a)
    (tx,) = leaves(torch, a)
    loss = F.cross_entropy(x, minidl.tensor([-100, 2, 1]))
    tloss = torch.nn.functional.cross_entropy(tx, torch.tensor([-100, 2, 1]))
    loss.backward()
    tloss.backward()
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)


MARGIN_CASES = [
    ("multi_margin_loss", (5, 4), {}),
    ("multi_margin_loss", (5, 4), {"p": 2, "margin": 0.7}),
    ("multi_margin_loss", (5, 4), {"weight": True, "reduction": "sum"}),
    ("multi_margin_loss", (5, 4), {"p": 2, "weight": True, "reduction": "none"}),
    ("multi_margin_loss", (4,), {}),
    ("multilabel_margin_loss", (5, 4), {}),
    ("multilabel_margin_loss", (5, 4), {"reduction": "none"}),
    ("multilabel_margin_loss", (4,), {"reduction": "sum"}),
]


@pytest.mark.parametrize("fn,shape,kwargs", MARGIN_CASES)
def test_margin_losses_match_pytorch(fn, shape, kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a = rng.standard_normal(shape)
    if fn == "multi_margin_loss":
        t = rng.integers(0, shape[-1], shape[:-1])
    else:
        t = np.full(shape, -1)
        rows = t.reshape(-1, shape[-1])
        for row in rows:
            k = rng.integers(0, shape[-1])
            row[:k] = rng.permutation(shape[-1])[:k]
        rows[0, :3] = [2, 2, -1]  # a repeated class counts twice, as in PyTorch
        t = rows.reshape(shape)
    w = rng.uniform(0.5, 2, shape[-1])
    results = []
    for lib in (minidl, torch):
        kw = dict(kwargs)
        if kw.pop("weight", None):
            kw["weight"] = lib.tensor(w)
        (x,) = leaves(lib, a)
        out = getattr(lib.nn.functional, fn)(x, lib.tensor(t), **kw)
        out.backward(lib.ones_like(out))
        results.append((out.detach().numpy(), x.grad.numpy()))
    (ours, our_grad), (theirs, their_grad) = results
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(our_grad, their_grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("custom", [False, True])
def test_triplet_margin_with_distance_loss_matches_pytorch(swap, custom):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal((6, 3)) for _ in range(3)]
    results = []
    for lib in (minidl, torch):
        ts = leaves(lib, *arrays)
        distance = (lambda u, v: 1 - lib.nn.functional.cosine_similarity(u, v)) if custom \
            else None
        module = lib.nn.TripletMarginWithDistanceLoss(distance_function=distance,
                                                      margin=0.5, swap=swap)
        out = module(*ts)
        out.backward()
        results.append([out.item()] + [t.grad.numpy() for t in ts])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_margin_loss_modules():
    x = minidl.tensor([[0.1, 0.2, 0.4, 0.8]], dtype=minidl.float64)
    y = minidl.tensor([[3, 0, -1, 1]])
    np.testing.assert_allclose(nn.MultiLabelMarginLoss()(x, y).item(), 0.85, rtol=1e-12)
    np.testing.assert_allclose(nn.MultiMarginLoss()(x, minidl.tensor([3])).item(),
                               (0.3 + 0.4 + 0.6) / 4, rtol=1e-12)
    with pytest.raises(ValueError):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError):
        nn.TripletMarginWithDistanceLoss(margin=0)


# -- optimizers ---------------------------------------------------------------------------
def run_steps(lib, name, kwargs, steps=6):
    rng = np.random.default_rng(5)
    start = rng.standard_normal((3, 4))
    targets = [rng.standard_normal((3, 4)) for _ in range(steps)]
    (w,) = leaves(lib, start)
    opt = getattr(lib.optim, name)([w], **kwargs)
    for t in targets:
        opt.zero_grad()
        loss = ((w * w * w - lib.tensor(t)) ** 2).sum()
        loss.backward()
        opt.step()
    return w.detach().numpy(), opt


HINTS = {"foreach": None, "differentiable": False}
FUSED = {"SGD", "Adam", "AdamW", "Adagrad"}
CAPTURABLE = {"Adam", "AdamW", "RMSprop", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD",
              "Rprop"}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_speed_hints_are_accepted_and_stored(name):
    kwargs = dict(HINTS, maximize=False)
    if name in FUSED:
        kwargs["fused"] = None
    if name in CAPTURABLE:
        kwargs["capturable"] = False
    ours, opt = run_steps(minidl, name, kwargs)
    plain, _ = run_steps(minidl, name, {})
    np.testing.assert_array_equal(ours, plain)
    assert set(kwargs) <= set(opt.param_groups[0])
    torch = pytest.importorskip("torch")
    theirs, topt = run_steps(torch, name, kwargs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)
    assert sorted(opt.state_dict()["param_groups"][0]) == sorted(
        topt.state_dict()["param_groups"][0])
    assert sorted(opt.state_dict()["state"].get(0, {})) == sorted(
        topt.state_dict()["state"].get(0, {}))
    assert sorted(opt.defaults) == sorted(topt.defaults)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_fused_true_on_cpu(name):
    ours, _ = run_steps(minidl, name, {"fused": True})
    plain, _ = run_steps(minidl, name, {})
    np.testing.assert_array_equal(ours, plain)
    with pytest.raises(RuntimeError):
        run_steps(minidl, name, {"fused": True, "foreach": True})


@pytest.mark.parametrize("name", ["Adam", "SGD", "RMSprop", "ASGD", "Rprop"])
def test_tensor_learning_rate(name):
    ours, opt = run_steps(minidl, name, {"lr": minidl.tensor(0.01)})
    plain, _ = run_steps(minidl, name, {"lr": 0.01})
    np.testing.assert_allclose(ours, plain, rtol=1e-6)
    assert isinstance(opt.param_groups[0]["lr"], minidl.Tensor)
    opt.load_state_dict(opt.state_dict())


ALGORITHM_CASES = [
    ("ASGD", {}),
    ("ASGD", {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 2, "weight_decay": 0.1}),
    ("ASGD", {"lr": 0.002, "maximize": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.1, "etas": (0.3, 1.5), "step_sizes": (0.01, 0.2)}),
    ("Rprop", {"lr": 0.05, "maximize": True}),
]


@pytest.mark.parametrize("name,kwargs", ALGORITHM_CASES)
def test_asgd_rprop_match_pytorch(name, kwargs):
    torch = pytest.importorskip("torch")
    ours, opt = run_steps(minidl, name, kwargs, steps=8)
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # PyTorch keeps ASGD's eta in this dtype
    try:
        theirs, topt = run_steps(torch, name, kwargs, steps=8)
    finally:
        torch.set_default_dtype(default)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    ours_state, theirs_state = opt.state_dict()["state"][0], topt.state_dict()["state"][0]
    for key in ("ax", "prev", "step_size"):
        if key in theirs_state:
            np.testing.assert_allclose(ours_state[key].numpy(), theirs_state[key].numpy(),
                                       rtol=1e-12, atol=1e-14)
    assert float(ours_state["step"]) == float(theirs_state["step"])


def test_asgd_rprop_defaults_and_state_dict_round_trip():
    (w,) = leaves(minidl, np.ones(3))
    assert minidl.optim.ASGD([w]).defaults["lr"] == 0.01
    assert minidl.optim.ASGD([w]).defaults["t0"] == 1e6
    assert minidl.optim.Rprop([w]).defaults["etas"] == (0.5, 1.2)
    with pytest.raises(ValueError):
        minidl.optim.Rprop([w], etas=(1.5, 1.2))
    for name in ("ASGD", "Rprop"):
        first, opt = run_steps(minidl, name, {}, steps=3)
        (w2,) = leaves(minidl, first)
        again = getattr(minidl.optim, name)([w2])
        again.load_state_dict(opt.state_dict())
        assert sorted(again.state[w2]) == sorted(opt.state_dict()["state"][0])


# -- data ---------------------------------------------------------------------------------
def dataset(n=10):
    return TensorDataset(minidl.arange(n))


def test_default_sampler_and_batch_sampler():
    loader = DataLoader(dataset(), batch_size=3)
    assert isinstance(loader.sampler, SequentialSampler)
    assert isinstance(loader.batch_sampler, BatchSampler)
    assert len(loader.sampler) == 10 and len(loader.batch_sampler) == 4 == len(loader)
    assert loader.batch_sampler.batch_size == 3 and not loader.batch_sampler.drop_last
    assert loader.batch_sampler.sampler is loader.sampler
    shuffled = DataLoader(dataset(), batch_size=3, shuffle=True, drop_last=True)
    assert isinstance(shuffled.sampler, RandomSampler)
    assert len(shuffled.batch_sampler) == 3 and shuffled.batch_sampler.drop_last
    unbatched = DataLoader(dataset(), batch_size=None)
    assert unbatched.batch_sampler is None and len(unbatched.sampler) == 10
    mine = SequentialSampler(range(4))
    given = DataLoader(dataset(), sampler=mine, batch_size=2)
    assert given.sampler is mine and given.batch_sampler.sampler is mine
    assert [b[0].tolist() for b in given] == [[0, 1], [2, 3]]
    batches = BatchSampler(SequentialSampler(range(5)), 2, False)
    by_batch = DataLoader(dataset(), batch_sampler=batches)
    assert by_batch.batch_sampler is batches and by_batch.batch_size is None
    assert isinstance(by_batch.sampler, SequentialSampler)
    assert [b[0].tolist() for b in by_batch] == [[0, 1], [2, 3], [4]]


def test_default_attributes_match_pytorch():
    torch = pytest.importorskip("torch")
    data = torch.utils.data
    for kwargs in [{"batch_size": 3}, {"batch_size": 3, "shuffle": True, "drop_last": True},
                   {"batch_size": None}]:
        ours = DataLoader(dataset(), **kwargs)
        theirs = data.DataLoader(data.TensorDataset(torch.arange(10)), **kwargs)
        assert type(ours.sampler).__name__ == type(theirs.sampler).__name__
        assert type(ours.batch_sampler).__name__ == type(theirs.batch_sampler).__name__
        assert len(ours.sampler) == len(theirs.sampler)


class Stream(IterableDataset):
    """The usual sharding pattern: each worker takes its slice."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


class Recording(Dataset):
    def __init__(self):
        self.seen = {}
        self.lock = threading.Lock()

    def __len__(self):
        return 12

    def __getitem__(self, index):
        info = get_worker_info()
        with self.lock:
            self.seen[index] = info
        return index


def test_get_worker_info():
    assert get_worker_info() is None
    for workers in (0, 3):
        loader = DataLoader(Stream(7), batch_size=2, num_workers=workers)
        assert sorted(x for batch in loader for x in batch.tolist()) == list(range(7))
    data = Recording()
    assert [int(b) for b in DataLoader(data, batch_size=None)] == list(range(12))
    assert all(info is None for info in data.seen.values())
    data = Recording()
    inits = []
    loader = DataLoader(data, batch_size=2, num_workers=3,
                        worker_init_fn=lambda i: inits.append((i, get_worker_info().id)))
    assert [x for b in loader for x in b.tolist()] == list(range(12))
    assert all(i == j for i, j in inits)
    infos = list(data.seen.values())
    assert all(info is not None and info.num_workers == 3 and 0 <= info.id < 3
               and info.dataset is data for info in infos)
    assert len({info.seed - info.id for info in infos}) == 1
    with pytest.raises(RuntimeError):
        infos[0].id = 5
    assert get_worker_info() is None


def test_stack_dataset():
    a, b = TensorDataset(minidl.arange(4)), [10, 11, 12, 13]
    stacked = StackDataset(a, b)
    assert len(stacked) == 4 and stacked[1][1] == 11 and stacked[1][0][0].item() == 1
    named = StackDataset(x=a, y=b)
    assert named[2]["y"] == 12
    assert named.__getitems__([0, 3])[1]["y"] == 13
    batch = next(iter(DataLoader(named, batch_size=4)))
    assert batch["y"].tolist() == [10, 11, 12, 13]
    with pytest.raises(ValueError):
        StackDataset(a, [1, 2])
    with pytest.raises(ValueError):
        StackDataset(a, y=b)


def test_chain_dataset():
    chained = ChainDataset([Stream(3), Stream(2)])
    assert list(chained) == [0, 1, 2, 0, 1]
    assert [b.tolist() for b in DataLoader(chained, batch_size=2)] == [[0, 1], [2, 0], [1]]
    with pytest.raises(AssertionError):
        list(ChainDataset([dataset(2)]))
