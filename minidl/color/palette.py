"""A palette of k colours fitted by k-means, and the nearest-colour map it defines.

The 24-colour U-Net of the colorize-cifar study classifies every pixel into one of k
colours; those colours are the k-means cluster centres of the training pixels::

    palette = kmeans_palette(pixels, k=24, seed=0)   # pixels: (N, 3) RGB in [0, 1]
    classes = palette.assign(images, axis=1)         # (B, 3, H, W) -> (B, H, W) int64
    images  = palette.decode(classes, axis=1)        # (B, H, W) -> (B, 3, H, W)

k-means (Lloyd's algorithm) minimises the summed squared distance of each pixel to its
nearest centre, ``sum_i min_j ||x_i - c_j||^2``, alternating two steps until the centres
move less than ``tol``: assign every pixel to its nearest centre; move each centre to the
mean of its pixels. k-means++ (Arthur & Vassilvitskii, 2007) picks the starting centres:
the first uniformly at random, each next one with probability proportional to the squared
distance to the nearest centre chosen so far. A centre left with no pixels is moved to the
pixel farthest from its centre.
"""
from __future__ import annotations

import numpy as np

from .channels import as_unit_float, channels_last

# Distances are computed this many pixels at a time, to bound the memory (rows x k floats).
_CHUNK = 65536


class ColorPalette:
    """``colors``: (k, 3) float array; pixel values map to the index of the nearest colour."""

    def __init__(self, colors):
        colors = np.asarray(colors, dtype=np.float64)
        if colors.ndim != 2 or colors.shape[1] != 3 or len(colors) == 0:
            raise ValueError(f"ColorPalette: colors must have shape (k, 3), got {colors.shape}")
        self.colors = colors

    def __len__(self) -> int:
        return len(self.colors)

    def __repr__(self) -> str:
        return f"ColorPalette(k={len(self)})"

    def assign(self, image, axis: int = -1) -> np.ndarray:
        """Index (int64) of the nearest palette colour of every pixel; the colour axis is
        removed: ``(..., 3) -> (...)``, or ``(B, 3, H, W) -> (B, H, W)`` with ``axis=1``."""
        _, pixels, _ = channels_last(image, axis, "ColorPalette.assign")
        pixels = as_unit_float(np, pixels)
        flat = pixels.reshape(-1, 3)
        return nearest_center(flat, self.colors).reshape(pixels.shape[:-1])

    def decode(self, indices, axis: int = -1) -> np.ndarray:
        """Palette colours (float32) of an index array; a colour axis of size 3 is inserted
        at ``axis``: ``(B, H, W) -> (B, 3, H, W)`` with ``axis=1``."""
        indices = np.asarray(indices)
        if indices.dtype.kind not in "iu":
            raise TypeError(f"ColorPalette.decode: indices must be integers, got {indices.dtype}")
        if indices.size and (indices.min() < 0 or indices.max() >= len(self)):
            raise IndexError(f"ColorPalette.decode: indices must lie in [0, {len(self) - 1}], "
                             f"got values from {indices.min()} to {indices.max()}")
        rgb = self.colors[indices].astype(np.float32)
        return np.moveaxis(rgb, -1, axis)


def nearest_center(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """For (N, 3) points and (k, 3) centres: (N,) int64 index of the nearest centre, using
    ``||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2`` (``||x||^2`` is the same for every centre
    and is left out)."""
    return _nearest(points, centers)[0]


def _nearest(points, centers):
    """(index of the nearest centre, squared distance to it) for every point."""
    indices = np.empty(len(points), dtype=np.int64)
    distances = np.empty(len(points))
    center_norms = (centers ** 2).sum(axis=1)
    for start in range(0, len(points), _CHUNK):
        block = points[start:start + _CHUNK]
        partial = center_norms - 2.0 * block @ centers.T
        best = partial.argmin(axis=1)
        indices[start:start + _CHUNK] = best
        distances[start:start + _CHUNK] = np.maximum(
            partial[np.arange(len(block)), best] + (block ** 2).sum(axis=1), 0.0)
    return indices, distances


def kmeans_palette(pixels, k: int = 24, seed: int = 0, max_iter: int = 100,
                   tol: float = 1e-6, max_samples: int | None = 200_000,
                   axis: int = -1) -> ColorPalette:
    """Fit a k-colour palette to ``pixels`` (colours along ``axis``; uint8 or [0, 1]).

    ``max_samples`` pixels, drawn without replacement with ``seed``, are enough to place
    24 centres (None uses all). The same pixels and seed give the same palette. Raises a
    ValueError when there are fewer distinct colours than ``k``.
    """
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"kmeans_palette: k must be a positive int, got {k!r}")
    _, points, _ = channels_last(pixels, axis, "kmeans_palette")
    points = as_unit_float(np, points).reshape(-1, 3)
    rng = np.random.default_rng(seed)
    if max_samples is not None and len(points) > max_samples:
        points = points[rng.choice(len(points), size=max_samples, replace=False)]
    distinct = len(np.unique(points, axis=0))
    if distinct < k:
        raise ValueError(f"kmeans_palette: need at least k={k} distinct colours, the pixels "
                         f"hold {distinct}")
    centers = _kmeans_plus_plus(points, k, rng)
    for _ in range(max_iter):
        labels, distances = _nearest(points, centers)
        new_centers = _cluster_means(points, labels, centers, distances)
        shift = np.abs(new_centers - centers).max()
        centers = new_centers
        if shift < tol:
            break
    return ColorPalette(centers)


def _kmeans_plus_plus(points, k, rng):
    centers = [points[rng.integers(len(points))]]
    closest = ((points - centers[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        chosen = points[rng.choice(len(points), p=closest / closest.sum())]
        centers.append(chosen)
        closest = np.minimum(closest, ((points - chosen) ** 2).sum(axis=1))
    return np.array(centers)


def _cluster_means(points, labels, centers, distances):
    counts = np.bincount(labels, minlength=len(centers))
    sums = np.stack([np.bincount(labels, weights=points[:, c], minlength=len(centers))
                     for c in range(3)], axis=1)
    means = centers.copy()
    filled = counts > 0
    means[filled] = sums[filled] / counts[filled, None]
    for empty in np.flatnonzero(~filled):
        farthest = distances.argmax()
        means[empty] = points[farthest]
        distances[farthest] = 0.0
    return means
