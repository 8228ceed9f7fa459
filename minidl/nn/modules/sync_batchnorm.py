"""``SyncBatchNorm``: batch norm whose training statistics cover the whole batch of a
data-parallel job, every rank's share together (PyTorch's class).

With K ranks of b images each, plain batch norm normalizes each rank's b images with
their own mean and variance (noisier when b is small, and not what one process with K·b
images computes); SyncBatchNorm exchanges the per-channel statistics in the forward pass
and the two per-channel gradient sums in the backward pass (see
:mod:`minidl.ops.sync_batchnorm`), so K ranks compute what one process would. In
evaluation mode, or without a process group of more than one rank, it is plain batch norm.

    model = nn.SyncBatchNorm.convert_sync_batchnorm(model)   # every BatchNorm*d, in place
"""
from __future__ import annotations

from ...backend import array_module
from ...ops.sync_batchnorm import SyncBatchNormTrain
from ...tensor import Tensor
from .batchnorm import _BatchNorm
from .module import Module


class SyncBatchNorm(_BatchNorm):
    """Batch norm over (N, C, ...) inputs with statistics over all ranks' batches."""

    expected_dims = (2, 3, 4, 5)

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, process_group=None,
                 dtype=None):
        if process_group is not None:
            raise NotImplementedError("SyncBatchNorm: minidl has only the default process "
                                      "group; pass process_group=None")
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype)

    def forward(self, input):
        from ... import distributed
        if not (self.training and distributed.is_initialized()
                and distributed.get_world_size() > 1):
            return super().forward(input)
        self._check_input(input)
        factor = self._momentum_factor()
        return SyncBatchNormTrain.apply(
            input, self.weight, self.bias, eps=self.eps, momentum=factor,
            running_mean=None if self.running_mean is None else self.running_mean.array,
            running_var=None if self.running_var is None else self.running_var.array,
            all_gather=_all_gather, all_reduce=_all_reduce_sum)

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group=None) -> Module:
        """Replace every batch-norm layer in ``module`` by a SyncBatchNorm that keeps its
        parameters, buffers and mode; returns the module (a new one if ``module`` itself is
        a batch-norm layer)."""
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            converted = cls(module.num_features, module.eps, module.momentum, module.affine,
                            module.track_running_stats, process_group)
            for table in ("_parameters", "_buffers"):
                getattr(converted, table).update(getattr(module, table))
            converted.train(module.training)
            return converted
        for name, child in list(module.named_children()):
            replacement = cls.convert_sync_batchnorm(child, process_group)
            if replacement is not child:
                module.add_module(name, replacement)
        return module


def _all_gather(array):
    from ... import distributed
    parts = [Tensor._from_array(array.copy()) for _ in range(distributed.get_world_size())]
    distributed.all_gather(parts, Tensor._from_array(array))
    return array_module(array).stack([p.array for p in parts])


def _all_reduce_sum(array) -> None:
    from ... import distributed
    distributed.all_reduce(Tensor._from_array(array))
