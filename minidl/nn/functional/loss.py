"""Loss functions with PyTorch's names, arguments and ``reduction`` options.

``reduction="mean"`` averages the per-element losses, ``"sum"`` adds them and ``"none"``
returns them unreduced (the deprecated ``size_average`` and ``reduce``, where PyTorch
still takes them, map onto it with PyTorch's warning).  The element-wise regression
losses (MSE, L1, smooth L1, Huber) broadcast a target of another shape against the input
with PyTorch's warning (a (N, 1) prediction against a (N,) target is almost always a bug:
it makes an N x N loss); the binary cross-entropies require the input's shape and a
floating point target, as PyTorch.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ...backend import array_module
from ...creation import where
from ...ops.loss import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, SmoothL1
from ...tensor import Tensor
from .activation import log_softmax, logsigmoid, softplus
from .distance import pairwise_distance

REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def legacy_reduction(size_average, reduce, reduction: str) -> str:
    """``reduction``, or what the deprecated ``size_average`` and ``reduce`` (None: True)
    ask for when either is given: both true "mean", ``reduce`` alone "sum", else "none"."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  "reduction='mean', 'sum' or 'none' instead.", UserWarning, stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _check(name: str, input, target, reduction: str, same_shape: bool = True) -> None:
    if not isinstance(input, Tensor) or not isinstance(target, Tensor):
        raise TypeError(f"{name}: input and target must be Tensors, got "
                        f"{type(input).__name__} and {type(target).__name__}")
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    if input.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating point tensor, got {input.dtype}")
    if same_shape and input.shape != target.shape:
        raise ValueError(f"{name}: target shape {target.shape} must equal input shape "
                         f"{input.shape}")


def _check_elementwise(name: str, input, target, reduction: str) -> tuple[Tensor, Tensor]:
    """``_check`` for the element-wise regression losses: a target of another shape
    broadcasts, with PyTorch's warning; (input, target) expanded to one shape."""
    _check(name, input, target, reduction, same_shape=False)
    if input.shape == target.shape:
        return input, target
    try:
        shape = np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise RuntimeError(f"{name}: the target's shape {target.shape} does not broadcast "
                           f"against the input's {input.shape}") from None
    warnings.warn(f"{name}: using a target size ({target.shape}) that is different to the "
                  f"input size ({input.shape}). This will likely lead to incorrect results "
                  f"due to broadcasting. Please ensure they have the same size.",
                  UserWarning, stacklevel=3)
    return input.expand(*shape), target.expand(*shape)


def _check_binary(name: str, input, target, reduction: str) -> None:
    """``_check`` for the binary cross-entropies: the input's shape, a float target."""
    _check(name, input, target, reduction)
    if target.dtype.kind != "f":
        raise RuntimeError(f"{name}: target must be a floating point tensor (the "
                           f"probability of class 1), got {target.dtype}; convert it with "
                           f"target.float()")


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """(x - y)² per element."""
    input, target = _check_elementwise("mse_loss", input, target, reduction)
    diff = input - target
    return _reduce(diff * diff, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """|x - y| per element."""
    input, target = _check_elementwise("l1_loss", input, target, reduction)
    return _reduce((input - target).abs(), reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """(x - y)²/(2β) where |x - y| < β, else |x - y| - β/2 (β = 0: the L1 loss)."""
    input, target = _check_elementwise("smooth_l1_loss", input, target, reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction)
    return _reduce(SmoothL1.apply(input, target, beta=float(beta)), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",
               delta: float = 1.0) -> Tensor:
    """(x - y)²/2 where |x - y| < δ, else δ(|x - y| - δ/2): δ × smooth_l1_loss with β = δ."""
    input, target = _check_elementwise("huber_loss", input, target, reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    return _reduce(SmoothL1.apply(input, target, beta=float(delta), scale=float(delta)),
                   reduction)


def _class_targets(name: str, input: Tensor, target: Tensor, ignore_index: int):
    """Check integer class targets: shape (N, d1, ...) for input (N, C, d1, ...)."""
    if target.dtype.kind not in "iu":
        raise TypeError(f"{name}: class-index targets must be integers (int64), got "
                        f"{target.dtype}; float targets must have the input's shape "
                        f"{input.shape} (class probabilities)")
    expected = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if target.shape != expected:
        raise ValueError(f"{name}: input of shape {input.shape} needs a target of shape "
                         f"{expected}, got {target.shape}")
    classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    t = target.array
    bad = (t != ignore_index) & ((t < 0) | (t >= classes))
    if bad.any():
        value = int(t[bad].reshape(-1)[0])
        raise IndexError(f"{name}: target {value} is out of bounds for {classes} classes")


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """-w[t] · input[n, t] for log-probabilities ``input`` (N, C, ...) and class indices
    ``target`` (N, ...); ``mean`` divides by the summed weights of the counted targets."""
    _check("nll_loss", input, target, reduction, same_shape=False)
    _class_targets("nll_loss", input, target, ignore_index)
    if input.ndim == 1:  # unbatched: one sample
        loss = nll_loss(input.unsqueeze(0), target.unsqueeze(0), weight, ignore_index,
                        reduction)
        return loss.squeeze(0) if reduction == "none" else loss
    xp = array_module(input.array)
    valid = target.array != ignore_index
    safe_target = xp.where(valid, target.array, 0)
    picked = input.gather(1, xp.expand_dims(safe_target, 1)).squeeze(1)
    sample_weight = valid.astype(input.dtype)
    if weight is not None:
        if weight.shape != (input.shape[1],):
            raise ValueError(f"nll_loss: weight must have shape ({input.shape[1]},), one per "
                             f"class, got {weight.shape}")
        sample_weight = weight.array[safe_target] * sample_weight
    losses = -picked * sample_weight
    if reduction == "mean":
        if not valid.any():  # every target ignored: NaN (0/0), with PyTorch's zero gradient
            return losses.sum() + math.nan
        return losses.sum() / sample_weight.sum()
    return _reduce(losses, reduction)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """nll_loss(log_softmax(input, dim=1), target): input (N, C, ...) of raw scores.

    ``target`` holds class indices (N, ...) or class probabilities (same shape as input).
    ``label_smoothing`` ε mixes the target with the uniform distribution:
    loss = (1 - ε)·nll + ε·mean over classes of -w_c·log p_c (PyTorch's formula).
    """
    _check("cross_entropy", input, target, reduction, same_shape=False)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got "
                         f"{label_smoothing}")
    class_dim = 1 if input.ndim > 1 else 0
    classes = input.shape[class_dim]
    logp = log_softmax(input, dim=class_dim)
    weight_shape = (classes,) + (1,) * (input.ndim - class_dim - 1)
    if target.dtype.kind == "f":
        if target.shape != input.shape:
            raise ValueError(f"cross_entropy: probability targets must have the input's "
                             f"shape {input.shape}, got {target.shape}")
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / classes
        weighted = logp * target if weight is None else logp * target * weight.reshape(
            weight_shape)
        losses = -weighted.sum(class_dim)
        if reduction == "mean":
            return losses.sum() / (input.numel() // classes)
        return _reduce(losses, reduction)
    nll = nll_loss(logp, target, weight, ignore_index, reduction)
    if label_smoothing == 0:
        return nll
    xp = array_module(input.array)
    smooth = -(logp if weight is None else logp * weight.reshape(weight_shape)).sum(class_dim)
    valid = Tensor._from_array((target.array != ignore_index).astype(input.dtype))
    smooth = smooth * valid
    if reduction == "mean":
        if not valid.array.any():  # every target ignored: NaN with a zero gradient
            smooth = smooth.sum() + math.nan
        elif weight is None:
            smooth = smooth.sum() / valid.sum()
        else:
            safe = xp.where(target.array != ignore_index, target.array, 0)
            smooth = smooth.sum() / (weight.array[safe] * valid.array).sum()
    else:
        smooth = _reduce(smooth, reduction)
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / classes)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         reduction: str = "mean") -> Tensor:
    """For probabilities ``input`` in [0, 1] and targets of the same shape."""
    _check_binary("binary_cross_entropy", input, target, reduction)
    x = input.array
    if ((x < 0) | (x > 1)).any():
        raise ValueError("binary_cross_entropy: all elements of input must be between 0 and "
                         "1 (apply sigmoid first, or use binary_cross_entropy_with_logits)")
    losses = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """sigmoid + binary cross-entropy in one numerically stable step, on raw logits."""
    _check_binary("binary_cross_entropy_with_logits", input, target, reduction)
    pw = None
    if pos_weight is not None:
        pw = pos_weight.array if isinstance(pos_weight, Tensor) else pos_weight
        try:
            np.broadcast_shapes(tuple(pw.shape), input.shape[-1:])
        except ValueError:
            raise ValueError(f"binary_cross_entropy_with_logits: pos_weight of shape "
                             f"{tuple(pw.shape)} must broadcast over the class dimension "
                             f"of input {input.shape}") from None
    losses = BinaryCrossEntropyWithLogits.apply(input, target, pos_weight=pw)
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction)


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence for log-probabilities ``input``: per element
    y (ln y - x), 0 where y = 0 (``log_target``: the target is ln y, e^y (y - x)).
    ``"batchmean"`` divides the sum by input.shape[0], the true KL divergence per sample;
    ``"mean"`` divides by the number of elements, with PyTorch's warning."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in REDUCTIONS + ("batchmean",):
        raise ValueError(f"kl_div: reduction must be one of {REDUCTIONS + ('batchmean',)}, "
                         f"got {reduction!r}")
    _check("kl_div", input, target, "sum", same_shape=False)  # broadcasts, as PyTorch
    if log_target:
        losses = target.exp() * (target - input)
    else:
        positive = target > 0
        safe = where(positive, target, 1.0)
        losses = where(positive, target * safe.log(), 0.0) - target * input
    if reduction == "batchmean":
        return losses.sum() / (input.shape[0] if input.ndim else 1)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                      "the support size. 'batchmean' divides only by the batch size, and "
                      "aligns with the KL div math definition. 'mean' will be changed to "
                      "behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=2)
    return _reduce(losses, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """ln(1 + e^(-y x)) per element, for targets y in {-1, 1}."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    input, target = _check_elementwise("soft_margin_loss", input, target, reduction)
    return _reduce(softplus(-input * target, threshold=math.inf), reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """max(0, -y (x1 - x2) + margin): y = 1 asks for x1 ranked above x2, y = -1 below."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check("margin_ranking_loss", input1, input2, reduction, same_shape=False)
    if not input1.ndim == input2.ndim == target.ndim:
        raise ValueError(f"margin_ranking_loss: all input tensors should have the same "
                         f"number of dimensions, got shapes {input1.shape}, {input2.shape} "
                         f"and {target.shape}")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1 (for distances x)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    input, target = _check_elementwise("hinge_embedding_loss", input, target, reduction)
    below_margin = where(target != 1, (margin - input).clamp_min(0), 0.0)
    return _reduce(below_margin + where(target != -1, input, 0.0), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                        swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """max(0, d(a, p) - d(a, n) + margin), d the ``pairwise_distance`` of order ``p``
    along the last dimension; ``swap`` uses min(d(a, n), d(p, n)) as the negative's
    distance (Balntas et al., 2016).  Inputs (N, D) or unbatched (D,)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check("triplet_margin_loss", anchor, positive, reduction, same_shape=False)
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise ValueError(f"triplet_margin_loss: the anchor, positive, and negative tensors "
                         f"are expected to have the same number of dimensions, got shapes "
                         f"{anchor.shape}, {positive.shape} and {negative.shape}")
    d_positive = pairwise_distance(anchor, positive, p, eps)
    d_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_negative = d_negative.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_positive - d_negative).clamp_min(0), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor,
                          margin: float = 0.0, size_average=None, reduce=None,
                          reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1, with
    cos = x1·x2 / √((‖x1‖² + ε)(‖x2‖² + ε)), ε = 1e-12, along the last dimension of
    inputs (N, D) with targets (N,), or (D,) with a 0-d target."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check("cosine_embedding_loss", input1, input2, reduction)
    if input1.ndim not in (1, 2) or target.ndim != input1.ndim - 1:
        raise ValueError(f"cosine_embedding_loss: expects inputs (N, D) with a target (N,) "
                         f"or inputs (D,) with a 0-d target, got inputs {input1.shape} and "
                         f"a target {target.shape}")
    dim = input1.ndim - 1
    squares = ((input1 * input1).sum(dim) + 1e-12) * ((input2 * input2).sum(dim) + 1e-12)
    cos = (input1 * input2).sum(dim) / squares.sqrt()
    losses = where(target == 1, 1 - cos, 0.0) + where(target == -1,
                                                      (cos - margin).clamp_min(0), 0.0)
    return _reduce(losses, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True,
                     full: bool = False, size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under Poisson(λ): e^x - y x for x = ln λ
    (``log_input``), else x - y ln(x + eps) for x = λ.  ``full`` adds Stirling's
    y ln y - y + ln(2π y)/2 where y > 1."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    input, target = _check_elementwise("poisson_nll_loss", input, target, reduction)
    if log_input:
        losses = input.exp() - target * input
    else:
        losses = input - target * (input + eps).log()
    if full:  # differentiable in the target, as PyTorch's: d/dy = ln y + 1/(2y) where y > 1
        above = target.detach() > 1
        safe = where(above, target, 1.0)
        stirling = safe * safe.log() - safe + (safe * (2 * math.pi)).log() / 2
        losses = losses + where(above, stirling, 0.0)
    return _reduce(losses, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under N(input, var):
    (ln max(var, eps) + (x - y)² / max(var, eps)) / 2, plus ln(2π)/2 with ``full``.
    ``var`` has the input's shape, or one dimension of size 1 (or the last one missing)
    for a variance shared along it, or is a float; the clamp at eps passes the gradient
    unchanged (PyTorch clamps under no_grad)."""
    _check("gaussian_nll_loss", input, target, reduction, same_shape=False)
    if isinstance(var, float | int):
        if var < 0:
            raise ValueError("gaussian_nll_loss: var has negative entry/entries")
        var = input.new_full(input.shape, float(var))
    elif bool((var.array < 0).any()):
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    if var.shape != input.shape:
        if var.shape == input.shape[:-1]:
            var = var.unsqueeze(-1)
        elif not (var.ndim == input.ndim and sum(
                v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError(f"gaussian_nll_loss: var is of incorrect size {var.shape} for "
                             f"an input of shape {input.shape}")
    var = var + (var.detach().clamp_min(eps) - var.detach())
    losses = (var.log() + (input - target) ** 2 / var) / 2
    if full:
        losses = losses + math.log(2 * math.pi) / 2
    return _reduce(losses, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """-(y ln σ(x) + (1 - y) ln σ(-x)), times ``weight``, averaged over the classes (the
    last dimension) of input (N, C) or (C,) with targets in {0, 1}."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check("multilabel_soft_margin_loss", input, target, reduction)
    losses = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        losses = losses * weight
    return _reduce(losses.mean(input.ndim - 1), reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss of scores (N, C) or (C,) and class indices (N,) or ():
    the sum over i != y of w[y] · max(0, margin - x[y] + x[i])^p, divided by C (p 1 or 2)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check("multi_margin_loss", input, target, reduction, same_shape=False)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if input.ndim not in (1, 2) or target.ndim != input.ndim - 1 or (
            input.ndim == 2 and target.shape[0] != input.shape[0]):
        raise ValueError(f"multi_margin_loss: expects an input (N, C) with a target (N,) or "
                         f"an input (C,) with a 0-d target, got {input.shape} and "
                         f"{target.shape}")
    if input.ndim == 1:
        loss = multi_margin_loss(input.unsqueeze(0), target.unsqueeze(0), p, margin, weight,
                                 reduction=reduction)
        return loss.squeeze(0) if reduction == "none" else loss
    classes = input.shape[1]
    if target.dtype.kind not in "iu":
        raise TypeError(f"multi_margin_loss: target must hold class indices (int64), got "
                        f"{target.dtype}")
    t = target.array
    if ((t < 0) | (t >= classes)).any():
        raise IndexError(f"multi_margin_loss: target out of range for {classes} classes")
    if weight is not None and weight.shape != (classes,):
        raise ValueError(f"multi_margin_loss: weight must have shape ({classes},), got "
                         f"{weight.shape}")
    xp = array_module(input.array)
    picked = input.gather(1, xp.expand_dims(t, 1))
    z = margin - picked + input
    other = xp.arange(classes)[None, :] != t[:, None]
    active = Tensor._from_array(((z.array > 0) & other))
    h = z if p == 1 else z * z
    h = where(active, h, 0.0)
    if weight is not None:
        h = h * weight.gather(0, Tensor._from_array(t)).unsqueeze(1)
    return _reduce(h.sum(1) / classes, reduction)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """Multi-label hinge loss of scores (N, C) or (C,): ``target`` (same shape) lists the
    sample's classes, ended by the first -1; the sum over listed j and unlisted i of
    max(0, 1 - (x[j] - x[i])), divided by C."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check("multilabel_margin_loss", input, target, reduction, same_shape=False)
    if input.ndim not in (1, 2) or target.shape != input.shape:
        raise ValueError(f"multilabel_margin_loss: expects an input (N, C) or (C,) and a "
                         f"target of the same shape, got {input.shape} and {target.shape}")
    if target.dtype.kind not in "iu":
        raise TypeError(f"multilabel_margin_loss: target must hold class indices (int64), "
                        f"got {target.dtype}")
    if input.ndim == 1:
        loss = multilabel_margin_loss(input.unsqueeze(0), target.unsqueeze(0),
                                      reduction=reduction)
        return loss.squeeze(0) if reduction == "none" else loss
    n, classes = input.shape
    t = target.array
    t = t.get() if hasattr(t, "get") else np.asarray(t)  # the index lists, on the host
    listed = (t >= 0).cumprod(axis=1).astype(bool)  # up to the first -1
    if ((t >= classes) & listed).any():
        raise IndexError(f"multilabel_margin_loss: target out of range for {classes} "
                         f"classes")
    counts = np.zeros((n, classes))
    is_target = np.zeros((n, classes), dtype=bool)
    rows, cols = np.nonzero(listed)
    np.add.at(counts, (rows, t[rows, cols]), 1.0)
    is_target[rows, t[rows, cols]] = True
    pairs = counts[:, :, None] * (~is_target)[:, None, :]        # [n, j listed, i not]
    xp = array_module(input.array)
    z = 1 - input.unsqueeze(2) + input.unsqueeze(1)               # 1 - x[j] + x[i]
    active = (z.array > 0) & (xp.asarray(pairs) > 0)
    weights = Tensor._from_array(xp.where(active, xp.asarray(pairs), 0).astype(input.dtype))
    return _reduce((z * weights).sum((1, 2)) / classes, reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function=None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)) for any ``distance_function`` (default
    ``pairwise_distance``); ``swap`` uses min(d(a, n), d(p, n))."""
    if margin <= 0:
        raise ValueError(f"triplet_margin_with_distance_loss: expected margin to be greater "
                         f"than 0, got {margin} instead")
    if reduction not in REDUCTIONS:
        raise ValueError(f"triplet_margin_with_distance_loss: reduction must be one of "
                         f"{REDUCTIONS}, got {reduction!r}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {anchor.ndim}D, "
                           f"positive {positive.ndim}D, and negative {negative.ndim}D inputs")
    distance = pairwise_distance if distance_function is None else distance_function
    d_positive = distance(anchor, positive)
    d_negative = distance(anchor, negative)
    if swap:
        d_negative = d_negative.minimum(distance(positive, negative))
    return _reduce((margin + d_positive - d_negative).clamp_min(0), reduction)
