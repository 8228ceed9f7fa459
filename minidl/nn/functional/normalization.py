"""Batch and instance normalization (``torch.nn.functional.batch_norm``,
``instance_norm``)."""
from __future__ import annotations

from numbers import Real

from ...backend import array_module
from ...ops.batchnorm import BatchNormEval, BatchNormTrain
from ...tensor import Tensor


def _check_per_channel(name: str, value, input: Tensor) -> None:
    """``value`` must be None or a (C,) tensor on the input's device."""
    if value is None:
        return
    channels = input.shape[1]
    if not isinstance(value, Tensor):
        raise TypeError(f"batch_norm: {name} must be a Tensor or None, got "
                        f"{type(value).__name__}")
    if value.shape != (channels,):
        raise ValueError(f"batch_norm: {name} should have shape ({channels},), one value per "
                         f"channel of the input (shape {input.shape}), got {value.shape}")
    if value.device != input.device:
        raise RuntimeError(f"batch_norm: {name} is on {value.device}, the input on "
                           f"{input.device}")


def _empty_batch(input: Tensor, weight, bias) -> Tensor:
    """An empty batch, as in PyTorch: an empty output, running statistics unchanged, and
    zero gradients for ``weight`` and ``bias`` (``input * weight + bias`` has them)."""
    per_channel = (input.shape[1],) + (1,) * (input.ndim - 2)
    if weight is not None:
        input = input * weight.reshape(per_channel)
    if bias is not None:
        input = input + bias.reshape(per_channel)
    return input


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel of (N, C, ...) to zero mean and unit variance, then scale by
    ``weight`` and shift by ``bias`` (both (C,)).

    training=True: use the batch's mean and biased variance, and update ``running_mean``
    and ``running_var`` in place (when given) with
    running = (1 - momentum)·running + momentum·batch statistic (unbiased variance).
    training=False: use ``running_mean`` and ``running_var``.
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of at least 2 dimensions "
                         f"(N, C, ...), got shape {input.shape}")
    if input.dtype.kind != "f":
        raise TypeError(f"batch_norm: input must be floating point, got {input.dtype}")
    for name, value in (("running_mean", running_mean), ("running_var", running_var),
                        ("weight", weight), ("bias", bias)):
        _check_per_channel(name, value, input)
    if (running_mean is None) != (running_var is None):
        raise ValueError("batch_norm: give both running_mean and running_var, or neither")
    if not eps > 0:
        raise ValueError(f"batch_norm: eps must be positive, got {eps}")
    if input.numel() == 0:
        return _empty_batch(input, weight, bias)
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var must be given in "
                             "evaluation mode (training=False)")
        return BatchNormEval.apply(input, weight, bias, eps=eps,
                                   running_mean=running_mean.array,
                                   running_var=running_var.array)
    if input.numel() // input.shape[1] == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {input.shape}")
    if running_mean is not None and (not isinstance(momentum, Real) or not 0 <= momentum <= 1):
        raise ValueError(f"batch_norm: momentum must be a number in [0, 1], got {momentum!r}")
    return BatchNormTrain.apply(
        input, weight, bias, eps=eps, momentum=momentum,
        running_mean=None if running_mean is None else running_mean.array,
        running_var=None if running_var is None else running_var.array)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel of each sample of (N, C, ...) on its own (over its spatial
    positions), then scale by ``weight`` and shift by ``bias`` (both (C,)).

    It is batch norm on the input seen as one sample of N·C channels, (1, N·C, ...), with
    weight and bias repeated for each sample (PyTorch's definition).  Running estimates,
    when given, move towards the statistics averaged over the N samples.
    ``use_input_stats=False`` normalizes with the running estimates instead.
    """
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected an input of at least 3 dimensions (N, C, "
                         f"...), got shape {input.shape}")
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum,
                          eps)
    batch, channels = input.shape[:2]
    for name, value in (("running_mean", running_mean), ("running_var", running_var),
                        ("weight", weight), ("bias", bias)):
        _check_per_channel(name, value, input)
    if input.numel() // (batch * channels) <= 1:
        raise ValueError(f"instance_norm: expected more than 1 spatial element per channel "
                         f"when using input statistics, got input of shape {input.shape}")
    if (running_mean is None) != (running_var is None):
        raise ValueError("instance_norm: give both running_mean and running_var, or neither")

    def per_sample(value: Tensor | None) -> Tensor | None:
        if value is None:
            return None
        return value.unsqueeze(0).expand(batch, channels).reshape(batch * channels)

    xp = array_module(input.array)
    running = (running_mean, running_var) if running_mean is not None \
        and running_var is not None else ()
    tiled = [Tensor._from_array(xp.tile(s.array, batch)) for s in running]
    output = batch_norm(input.reshape(1, batch * channels, *input.shape[2:]),
                        tiled[0] if tiled else None, tiled[1] if tiled else None,
                        per_sample(weight), per_sample(bias), True, momentum, eps)
    for estimate, updated in zip(running, tiled):
        estimate.array[...] = updated.array.reshape(batch, channels).mean(axis=0)
    return output.reshape(input.shape)
