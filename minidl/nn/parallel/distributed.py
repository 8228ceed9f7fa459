"""``DistributedDataParallel``: the same model on every rank, trained on each rank's shard
of the data, kept identical by averaging the gradients (PyTorch's class and arguments).

    model = DistributedDataParallel(model)      # after init_process_group, on every rank
    loss = loss_fn(model(x_shard), y_shard)     # the forward of this rank's batch
    loss.backward()                             # grads <- their average over the ranks
    optimizer.step()                            # the same step on every rank

Construction broadcasts rank 0's parameters and buffers, so every rank starts from the
same model. In training (``backward`` after a forward under grad mode), gradients are
averaged in buckets that start while backward still runs (:mod:`.reducer`); with
``broadcast_buffers`` (default) every such forward first copies rank 0's buffers (batch-norm
running statistics) to the others. The average over K ranks of the mean loss over b samples
each is the mean loss over the K·b samples, so K ranks with b samples per step train like
one process with K·b (batch norm aside: it normalizes each rank's batch on its own unless
converted to :class:`~minidl.nn.SyncBatchNorm`).

``state_dict()`` keys carry the ``module.`` prefix (save ``model.module.state_dict()`` to
load it into the bare model). ``with model.no_sync():`` accumulates gradients locally; the
first backward after it averages everything accumulated.
"""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from ...autograd.grad_mode import is_grad_enabled
from ...backend import array_module
from ...tensor import Tensor
from ..modules.module import Module
from .reducer import Reducer

MIB = 1024 * 1024
FIRST_BUCKET_BYTES = 1 * MIB   # PyTorch's first bucket
BROADCAST_BUCKET_BYTES = 250 * MIB


class DistributedDataParallel(Module):
    """Wrap ``module`` for data-parallel training (see the module docstring).

    Args:
        module: the model, built the same way on every rank.
        broadcast_buffers: copy rank 0's buffers to every rank at each training forward.
        bucket_cap_mb: the most MiB of gradients in one all_reduce.
        find_unused_parameters: allow parameters without a gradient in a backward pass.
        device_ids, output_device, dim, process_group, gradient_as_bucket_view,
        static_graph: accepted for PyTorch's signature; one device per process and the
            default group are what minidl does.
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool = True, process_group=None,
                 bucket_cap_mb: float = 25, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False):
        from ... import distributed
        super().__init__()
        group = distributed.default_group()
        if group is None:
            raise RuntimeError("DistributedDataParallel: the default process group is not "
                               "initialized; call minidl.distributed.init_process_group() "
                               "first")
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be an nn.Module, got "
                            f"{type(module).__name__}")
        if process_group is not None and process_group is not group:
            raise NotImplementedError("DistributedDataParallel: minidl has only the default "
                                      "process group; pass process_group=None")
        if not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, got "
                             f"{bucket_cap_mb!r}")
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.bucket_cap_mb = bucket_cap_mb
        self.require_backward_grad_sync = True
        named = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
        check_same_model(module, group)
        broadcast_coalesced([p for p in module.parameters()] + list(module.buffers()))
        self.reducer = None
        if group.size > 1 and named:
            cap = int(bucket_cap_mb * MIB)
            self.reducer = Reducer([p for _, p in named], {id(p): n for n, p in named}, group,
                                   cap, min(cap, FIRST_BUCKET_BYTES), find_unused_parameters)
        self.world_size = group.size

    def forward(self, *inputs, **kwargs):
        training_pass = is_grad_enabled() and self.require_backward_grad_sync
        if training_pass and self.world_size > 1:
            if self.broadcast_buffers:
                broadcast_coalesced(list(self.module.buffers()))
            if self.reducer is not None:
                self.reducer.expecting_backward = True
        return self.module(*inputs, **kwargs)

    @contextmanager
    def no_sync(self):
        """Inside: backward accumulates gradients on this rank only."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def extra_repr(self) -> str:
        return f"world_size={self.world_size}, bucket_cap_mb={self.bucket_cap_mb}"


def check_same_model(module: Module, group) -> None:
    """Every rank must hold a model of the same parameter shapes (a clear error, not a
    hang or a silent mix of mismatched gradients)."""
    from ... import distributed
    if group.size == 1:
        return
    shapes = [p.shape for p in module.parameters()]
    signature = np.array([len(shapes), sum(int(np.prod(s)) for s in shapes),
                          hash(tuple(shapes)) % (2 ** 62)], dtype=np.int64)
    gathered = [Tensor._from_array(np.zeros(3, dtype=np.int64)) for _ in range(group.size)]
    distributed.all_gather(gathered, Tensor._from_array(signature))
    for rank, other in enumerate(gathered):
        if not np.array_equal(other.array, gathered[0].array):
            count, values = other.array[:2].tolist()
            count0, values0 = gathered[0].array[:2].tolist()
            raise ValueError(f"DistributedDataParallel: rank {rank} has {count} parameters "
                             f"({values} values) of other shapes than rank 0's {count0} "
                             f"({values0}); every rank must build the same model")


def broadcast_coalesced(tensors: list, src: int = 0) -> None:
    """Every rank's ``tensors`` take rank ``src``'s values: tensors of one dtype travel
    together in flat arrays of at most BROADCAST_BUCKET_BYTES."""
    from ... import distributed
    if distributed.get_world_size() == 1:
        return
    groups: dict = {}
    for t in tensors:
        groups.setdefault((t.dtype, t.device), []).append(t)
    for members in groups.values():
        for chunk in _chunks(members):
            xp = array_module(chunk[0].array)
            flat = xp.concatenate([t.array.reshape(-1) for t in chunk])
            distributed.broadcast(Tensor._from_array(flat), src)
            start = 0
            for t in chunk:
                t.array[...] = flat[start:start + t.numel()].reshape(t.shape)
                start += t.numel()


def _chunks(tensors: list):
    chunk: list = []
    size = 0
    for t in tensors:
        nbytes = t.numel() * t.dtype.itemsize
        if chunk and size + nbytes > BROADCAST_BUCKET_BYTES:
            yield chunk
            chunk, size = [], 0
        chunk.append(t)
        size += nbytes
    if chunk:
        yield chunk
