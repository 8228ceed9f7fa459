"""The three explanation methods (see the package docstring for the maths)."""
from __future__ import annotations

import numpy as np

from ..autograd.grad_mode import enable_grad, no_grad
from ..creation import tensor
from ..tensor import Tensor


def _check(images: Tensor, target) -> np.ndarray:
    if not isinstance(images, Tensor) or images.ndim != 4:
        shape = getattr(images, "shape", None)
        raise ValueError(f"explain: images must be a Tensor (N, C, H, W), got shape {shape}")
    target = np.asarray(target).reshape(-1)
    if len(target) != images.shape[0]:
        raise ValueError(f"explain: target has {len(target)} entries for "
                         f"{images.shape[0]} images")
    return target


def _target_score(scores: Tensor, target: np.ndarray) -> Tensor:
    """Σ_n scores[n, target[n]]: one backward pass gives every image's gradient (the
    images do not interact in eval mode)."""
    if scores.ndim != 2:
        raise ValueError(f"explain: scores must be (N, K), got shape {scores.shape}")
    if target.min() < 0 or target.max() >= scores.shape[1]:
        raise ValueError(f"explain: target classes must be in [0, {scores.shape[1]}), "
                         f"got {target.tolist()}")
    return scores[np.arange(len(target)), target].sum()


def saliency(scores_fn, images: Tensor, target) -> np.ndarray:
    """|d score[target] / d images|, the largest over the channels: (N, H, W)."""
    target = _check(images, target)
    x = images.detach().requires_grad_(True)
    with enable_grad():
        _target_score(scores_fn(x), target).backward()
    if x.grad is None:
        raise ValueError("saliency: the scores do not depend on the images")
    return np.abs(x.grad.numpy()).max(axis=1)


def grad_cam(scores_fn, model, images: Tensor, target, layer=None):
    """Grad-CAM maps (N, H, W) in [0, 1] and the channel weights α (N, K) of ``layer``'s
    output (default: the last feature map (N, K, h, w) that the scores depend on, in the
    order the layers ran: the deepest spatial features, as Grad-CAM prescribes)."""
    target = _check(images, target)
    layers = [layer] if layer is not None else [m for m in model.modules() if m is not model]
    activations = []  # [output, its gradient]: the 4-D outputs, in the order the layers ran

    def keep(module, args, output):
        if isinstance(output, Tensor) and output.ndim == 4 and output.requires_grad:
            entry = [output, None]
            output.register_hook(lambda grad: entry.__setitem__(1, grad))
            activations.append(entry)

    handles = [m.register_forward_hook(keep) for m in layers]
    try:
        with enable_grad():
            x = images.detach()
            _target_score(scores_fn(x), target).backward()
    finally:
        for handle in handles:
            handle.remove()
    used = [entry for entry in activations if entry[1] is not None]
    if not used:
        raise ValueError(f"grad_cam: the scores of {type(model).__name__} depend on no "
                         "feature map (N, K, h, w) of its layers")
    output, grad = used[-1]
    activation = output.detach().numpy()                  # (N, K, h, w)
    weights = grad.numpy().mean(axis=(2, 3))              # α (N, K)
    cam = np.maximum((weights[:, :, None, None] * activation).sum(axis=1), 0.0)
    cam = _resize(cam, images.shape[2:])
    peak = cam.max(axis=(1, 2), keepdims=True)
    return np.divide(cam, peak, out=np.zeros_like(cam), where=peak > 0), weights


def occlusion(scores_fn, images: Tensor, target, patch: int = 4, stride: int = 2,
              baseline: float | None = None, batch_size: int = 256) -> np.ndarray:
    """Mean drop of softmax(scores)[target] over the patches covering each pixel: (N, H, W).

    ``baseline``: the value a patch is filled with (default: each image's mean)."""
    target = _check(images, target)
    if patch < 1 or stride < 1:
        raise ValueError(f"occlusion: patch and stride must be >= 1, got {patch}, {stride}")
    x = images.detach().numpy()
    n, _, height, width = x.shape
    tops = _starts(height, patch, stride)
    lefts = _starts(width, patch, stride)
    with no_grad():
        reference = _probability(scores_fn, x, target)
        drops = np.zeros((n, height, width))
        covered = np.zeros((height, width))
        windows = [(t, l) for t in tops for l in lefts]
        for i in range(n):
            fill = x[i].mean() if baseline is None else baseline
            for start in range(0, len(windows), batch_size):
                chunk = windows[start:start + batch_size]
                occluded = np.repeat(x[i:i + 1], len(chunk), axis=0)
                for j, (t, l) in enumerate(chunk):
                    occluded[j, :, t:t + patch, l:l + patch] = fill
                probability = _probability(scores_fn, occluded, np.full(len(chunk), target[i]))
                for (t, l), p in zip(chunk, probability):
                    drops[i, t:t + patch, l:l + patch] += reference[i] - p
                    if i == 0:
                        covered[t:t + patch, l:l + patch] += 1
    return drops / np.maximum(covered, 1)


def stroke_share(maps: np.ndarray, strokes: np.ndarray) -> np.ndarray:
    """The share of each map's (positive) mass on the stroke pixels: (N,) in [0, 1].
    A map that ignored the strokes gives 0; one spread evenly gives the strokes' area."""
    mass = np.maximum(maps, 0.0)
    total = mass.sum(axis=(1, 2))
    on_strokes = (mass * strokes).sum(axis=(1, 2))
    return np.divide(on_strokes, total, out=np.zeros_like(total), where=total > 0)


def _probability(scores_fn, x: np.ndarray, target: np.ndarray) -> np.ndarray:
    scores = scores_fn(tensor(x)).numpy().astype(np.float64)
    scores -= scores.max(axis=1, keepdims=True)
    probabilities = np.exp(scores)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    return probabilities[np.arange(len(target)), target]


def _starts(size: int, patch: int, stride: int) -> list[int]:
    """Window starts covering 0..size-1 (the last window flush with the edge)."""
    last = max(size - patch, 0)
    starts = list(range(0, last + 1, stride))
    if starts[-1] != last:
        starts.append(last)
    return starts


def _resize(maps: np.ndarray, size) -> np.ndarray:
    """Bilinear resize of (N, h, w) maps to (N, H, W) (pixel centres aligned)."""
    n, h, w = maps.shape
    height, width = size
    ys = np.clip((np.arange(height) + 0.5) * h / height - 0.5, 0, h - 1)
    xs = np.clip((np.arange(width) + 0.5) * w / width - 0.5, 0, w - 1)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    top = maps[:, y0][:, :, x0] * (1 - fx) + maps[:, y0][:, :, x1] * fx
    bottom = maps[:, y1][:, :, x0] * (1 - fx) + maps[:, y1][:, :, x1] * fx
    return top * (1 - fy) + bottom * fy
