"""Programs that tests/test_distributed_mpi.py runs on several ranks under mpiexec:

    mpiexec -n 2 python tests/mpi_programs.py CASE [ARGS...]

``collectives``  the collectives, DistributedDataParallel against one process training on
                 the whole batch (float64), SyncBatchNorm against BatchNorm2d, and the
                 ranks agreeing to skip or stop on a non-finite step seen by one rank
``hang``, ``raise``, ``kill``
                 rank 1 stops answering / raises / is killed in the middle of training;
                 rank 0 must not wait forever
``train ARGS``   ``minidl train ARGS`` with the plots left out (matplotlib's drawing is
                 not under test and would be most of the time)

A failed check raises, and an exception on any rank ends every rank with a non-zero code.
"""
import os
import signal
import sys
import time
from types import SimpleNamespace

import numpy as np

import minidl
import minidl.distributed as dist
import minidl.nn as nn
import minidl.nn.functional as F
from minidl import optim
from minidl.nn.parallel import DistributedDataParallel


def close(a, b, what, tol=1e-12):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and np.allclose(a, b, rtol=tol, atol=tol), \
        f"{what}: max difference {np.abs(a - b).max()}"


def check_collectives(rank, size):
    t = minidl.tensor(np.arange(4.0) + rank)
    dist.all_reduce(t)
    close(t.numpy(), size * np.arange(4.0) + size * (size - 1) / 2, "all_reduce sum")
    for op, expected in ((dist.ReduceOp.AVG, np.arange(4.0) + (size - 1) / 2),
                         (dist.ReduceOp.MAX, np.arange(4.0) + size - 1),
                         (dist.ReduceOp.MIN, np.arange(4.0)),
                         (dist.ReduceOp.PRODUCT, np.prod([np.arange(4.0) + r
                                                          for r in range(size)], axis=0))):
        t = minidl.tensor(np.arange(4.0) + rank)
        dist.all_reduce(t, op=op)
        close(t.numpy(), expected, f"all_reduce {op.name}")
    strided = minidl.tensor(np.arange(12.0).reshape(3, 4))
    column = strided[:, 1]  # not contiguous
    work = dist.all_reduce(column, async_op=True)
    work.wait()
    t = minidl.tensor(np.full(3, rank, dtype=np.int64))
    dist.broadcast(t, src=size - 1)
    assert t.tolist() == [size - 1] * 3, t
    parts = [minidl.zeros(2) for _ in range(size)]
    dist.all_gather(parts, minidl.tensor([rank, 10 * rank], dtype="float32"))
    assert [p.tolist() for p in parts] == [[r, 10 * r] for r in range(size)], parts
    shared = [{"rank": rank}]
    dist.broadcast_object_list(shared, src=0)
    assert shared == [{"rank": 0}]
    dist.barrier()


def mlp():
    return nn.Sequential(nn.Linear(5, 40), nn.Tanh(), nn.Linear(40, 30), nn.Tanh(),
                         nn.Linear(30, 3)).double()


def check_data_parallel(rank, size):
    """K ranks with b samples each train exactly like one process with K*b samples."""
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(4 * size, 5)), rng.integers(0, 3, 4 * size)
    mine = slice(4 * rank, 4 * rank + 4)
    minidl.manual_seed(0)
    reference = mlp()
    minidl.manual_seed(0 if rank == 0 else rank + 7)  # other starts elsewhere: rank 0's wins
    model = DistributedDataParallel(mlp(), bucket_cap_mb=0.004)  # several buckets
    assert len(model.reducer.buckets) >= 3, len(model.reducer.buckets)
    assert next(iter(model.state_dict())) == "module.0.weight"
    opt, opt_ref = optim.SGD(model.parameters(), lr=0.5), optim.SGD(reference.parameters(), lr=0.5)
    for step in range(3):
        opt.zero_grad()
        if step == 1:  # two half-batches, the first without averaging
            half = slice(4 * rank, 4 * rank + 2), slice(4 * rank + 2, 4 * rank + 4)
            with model.no_sync():
                (F.cross_entropy(model(minidl.tensor(x[half[0]])),
                                 minidl.tensor(y[half[0]])) / 2).backward()
            (F.cross_entropy(model(minidl.tensor(x[half[1]])),
                             minidl.tensor(y[half[1]])) / 2).backward()
        else:
            F.cross_entropy(model(minidl.tensor(x[mine])), minidl.tensor(y[mine])).backward()
        opt.step()
        opt_ref.zero_grad()
        F.cross_entropy(reference(minidl.tensor(x)), minidl.tensor(y)).backward()
        opt_ref.step()
        for (name, p), q in zip(reference.named_parameters(), model.module.parameters()):
            close(q.detach().numpy(), p.detach().numpy(), f"step {step} {name}")


class TwoHeads(nn.Module):
    """Head b runs only when asked."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(3, 2), nn.Linear(3, 2)

    def forward(self, x, use_b):
        return self.a(x).sum() + (self.b(x).sum() if use_b else 0)


def check_unused_parameters(rank, size):
    """A layer that only rank 0 uses: its gradient is rank 0's / K on every rank."""
    minidl.manual_seed(0)
    net = TwoHeads().double()
    model = DistributedDataParallel(net, find_unused_parameters=True)
    model(minidl.tensor(np.ones((2, 3))), use_b=rank == 0).backward()
    close(net.a.weight.grad.numpy(), np.full((2, 3), 2.0), "used everywhere")
    close(net.b.weight.grad.numpy(), np.full((2, 3), 2.0 / size), "used by rank 0 only")


def check_sync_batchnorm(rank, size):
    """SyncBatchNorm on K shards == BatchNorm2d on the whole batch: outputs, gradients of
    the input, the parameters (after DDP's average) and the running statistics."""
    rng = np.random.default_rng(2)
    x, g = rng.normal(3.0, 2.0, (3 * size, 3, 4, 5)), rng.normal(size=(3 * size, 3, 4, 5))
    mine = slice(3 * rank, 3 * rank + 3)

    def net():
        minidl.manual_seed(0)
        return nn.Sequential(nn.Conv2d(3, 3, 1), nn.BatchNorm2d(3)).double()
    reference, synced = net(), nn.SyncBatchNorm.convert_sync_batchnorm(net())
    assert isinstance(synced[1], nn.SyncBatchNorm)
    model = DistributedDataParallel(synced)
    whole = minidl.tensor(x, requires_grad=True)
    expected = reference(whole)
    (expected * minidl.tensor(g)).sum().backward()
    shard = minidl.tensor(x[mine], requires_grad=True)
    out = model(shard)
    close(out.detach().numpy(), expected.detach().numpy()[mine], "output", 1e-10)
    (out * minidl.tensor(g[mine]) * size).sum().backward()  # each rank's loss, scaled
    close(shard.grad.numpy() / size, whole.grad.numpy()[mine], "input gradient", 1e-10)
    for (name, p), q in zip(reference.named_parameters(), synced.parameters()):
        close(q.grad.numpy(), p.grad.numpy(), f"gradient of {name}", 1e-10)
    for (name, b), c in zip(reference.named_buffers(), synced.buffers()):
        close(c.numpy(), b.numpy(), name, 1e-10)


def check_nonfinite_agreement(rank, size):
    """At step 2 only the last rank's loss grows past the divergence bound (its gradients
    stay finite): with on_nonfinite "skip" every rank leaves that step out and the replicas
    stay equal; with "stop" every rank stops there, the others saying another rank did."""
    from minidl.training.data_parallel import DataParallel
    from minidl.training.nonfinite import NonFiniteError, NonFiniteGuard
    any_rank = DataParallel(SimpleNamespace(models={}), seed=0).any_rank
    x = minidl.tensor(np.ones((4, 5)))
    for policy in ("skip", "stop"):
        minidl.manual_seed(0)
        model = DistributedDataParallel(mlp())
        opt = optim.SGD(model.parameters(), lr=0.1)
        guard = NonFiniteGuard(policy, any_rank)
        taken, stopped = [], None
        for step in range(4):
            guard.start_batch(f"step {step}", {"model": model})
            opt.zero_grad()
            loss = model(x).sum() * (1e9 if rank == size - 1 and step == 2 else 1.0)
            loss.backward()
            try:
                taken.append(guard.allows_step("model", model, loss))
            except NonFiniteError as error:
                stopped = (step, str(error))
                break
            guard.end_batch()
            if taken[-1]:
                opt.step()
        if policy == "skip":
            assert taken == [True, True, False, True], taken
            weights = minidl.tensor(np.concatenate([p.detach().numpy().ravel()
                                                    for p in model.parameters()]))
            copies = [minidl.zeros(weights.shape, dtype=weights.dtype) for _ in range(size)]
            dist.all_gather(copies, weights)
            for other in copies[1:]:
                close(other.numpy(), copies[0].numpy(), "replicas after a skipped step", 0)
        else:
            assert stopped is not None and stopped[0] == 2, stopped
            expected = "times its first value" if rank == size - 1 else "on another rank"
            assert expected in stopped[1], stopped


def collectives():
    dist.init_process_group("mpi", timeout=60)
    rank, size = dist.get_rank(), dist.get_world_size()
    check_collectives(rank, size)
    check_data_parallel(rank, size)
    check_unused_parameters(rank, size)
    check_sync_batchnorm(rank, size)
    check_nonfinite_agreement(rank, size)
    dist.barrier()
    dist.destroy_process_group()
    if rank == 0:
        print(f"all checks passed on {size} ranks", flush=True)


def failure(mode):
    """Training steps in which rank 1 fails at the third step, in the way ``mode`` says
    (a short timeout only where rank 0 must find out by itself)."""
    dist.init_process_group("mpi", timeout=2 if mode == "hang" else 60)
    rank = dist.get_rank()
    minidl.manual_seed(0)
    model = DistributedDataParallel(mlp())
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = minidl.tensor(np.ones((4, 5)))
    for step in range(100):
        if rank == 1 and step == 3:
            if mode == "hang":
                time.sleep(60)
            elif mode == "raise":
                raise RuntimeError("rank 1 failed on purpose")
            else:
                os.kill(os.getpid(), signal.SIGKILL)
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()
    print(f"rank {rank} finished all steps", flush=True)


def train_without_plots(args):
    from minidl.cli.main import cli
    from minidl.studies import runner
    from minidl.training import trainer
    trainer.Trainer.write_plots = lambda self, evaluation: []
    runner_evaluate = runner.evaluate_split

    def evaluate_without_plots(run, config, task, *rest, **options):
        task.write_plots = lambda *args, **kwargs: []
        return runner_evaluate(run, config, task, *rest, **options)
    runner.evaluate_split = evaluate_without_plots
    cli.main(["train", *args], standalone_mode=True)


if __name__ == "__main__":
    case, rest = sys.argv[1], sys.argv[2:]
    if case == "collectives":
        collectives()
    elif case == "train":
        train_without_plots(rest)
    else:
        failure(case)
