"""Batch, instance, group and layer normalization (``torch.nn.functional.batch_norm``,
``instance_norm``, ``group_norm``, ``layer_norm``)."""
from __future__ import annotations

import math
from numbers import Integral, Real

from ...backend import array_module
from ...ops.arguments import check_number
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


def _standardize(x: Tensor, dims: tuple, eps: float) -> Tensor:
    """(x - mean) / √(var + eps) over ``dims`` (the biased variance, as PyTorch's group and
    layer norm), composed of differentiable operations: the gradient comes with them."""
    centered = x - x.mean(dims, keepdim=True)
    variance = (centered * centered).mean(dims, keepdim=True)
    return centered / (variance + eps).sqrt()


def _check_affine(op: str, name: str, value, shape: tuple, input: Tensor) -> None:
    """``value`` is None or a tensor of ``shape`` on the input's device and of its dtype."""
    if value is None:
        return
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor or None, got {type(value).__name__}")
    if value.shape != shape:
        raise ValueError(f"{op}: {name} should have shape {shape} (input shape "
                         f"{input.shape}), got {value.shape}")
    if value.device != input.device:
        raise RuntimeError(f"{op}: {name} is on {value.device}, the input on {input.device}")


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Split the C channels of (N, C, ...) into ``num_groups`` groups of C/G channels and
    normalize each group of each sample over its channels and positions:

    y = (x - μ_ng) / √(σ²_ng + eps) · weight_c + bias_c

    with μ, σ² the mean and biased variance of sample n's group g; ``weight`` and ``bias``
    are (C,).  The output has the input's shape.
    """
    op = "group_norm"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(f"{op}: expected an input of at least 2 dimensions (N, C, ...), got "
                         f"shape {input.shape}")
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, got {input.dtype}")
    channels = input.shape[1]
    if isinstance(num_groups, bool) or not isinstance(num_groups, int) or num_groups < 1:
        raise ValueError(f"{op}: num_groups must be a positive int, got {num_groups!r}")
    if channels % num_groups:
        raise ValueError(f"{op}: the input's {channels} channels (shape {input.shape}) are "
                         f"not divisible by num_groups={num_groups}")
    check_number(op, "eps", eps, 0, low_open=True)
    for name, value in (("weight", weight), ("bias", bias)):
        _check_affine(op, name, value, (channels,), input)
    grouped = input.reshape(input.shape[0], num_groups,
                            math.prod(input.shape[1:]) // num_groups)
    output = _standardize(grouped, (2,), eps).reshape(input.shape)
    per_channel = (channels,) + (1,) * (input.ndim - 2)
    if weight is not None:
        output = output * weight.reshape(per_channel)
    if bias is not None:
        output = output + bias.reshape(per_channel)
    return output


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize each sample over its last len(normalized_shape) dimensions, which must
    equal ``normalized_shape`` (an int or a tuple):

    y = (x - μ) / √(σ² + eps) · weight + bias

    with μ, σ² the mean and biased variance over those dimensions; ``weight`` and ``bias``
    have shape ``normalized_shape``.  The output has the input's shape.
    """
    op = "layer_norm"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    shape = normalized_shape_tuple(op, normalized_shape)
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, got {input.dtype}")
    if input.ndim < len(shape) or input.shape[input.ndim - len(shape):] != shape:
        raise ValueError(f"{op}: the input's trailing dimensions must equal normalized_shape "
                         f"{shape}, got input of shape {input.shape}")
    check_number(op, "eps", eps, 0, low_open=True)
    for name, value in (("weight", weight), ("bias", bias)):
        _check_affine(op, name, value, shape, input)
    output = _standardize(input, tuple(range(input.ndim - len(shape), input.ndim)), eps)
    if weight is not None:
        output = output * weight
    if bias is not None:
        output = output + bias
    return output


def normalized_shape_tuple(owner: str, normalized_shape) -> tuple[int, ...]:
    """``normalized_shape`` (an int or a sequence of positive ints) as a non-empty tuple."""
    shape = (normalized_shape,) if isinstance(normalized_shape, Integral) \
        else tuple(normalized_shape) if isinstance(normalized_shape, tuple | list) else None
    if not shape or not all(isinstance(s, Integral) and not isinstance(s, bool) and int(s) > 0
                            for s in shape):
        raise ValueError(f"{owner}: normalized_shape must be a positive int or a non-empty "
                         f"sequence of them, got {normalized_shape!r}")
    return tuple(int(s) for s in shape)
