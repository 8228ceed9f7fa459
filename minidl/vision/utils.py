"""Image grids (``torchvision.utils.make_grid`` / ``save_image``), torchvision's semantics.

    grid = make_grid(images, nrow=8, padding=2, normalize=True)   # (3, H', W') Tensor
    save_image(fake.detach(), "samples.png", normalize=True)

``make_grid`` lays a batch (N, C, H, W) out in rows of ``nrow`` images, ``padding``
pixels of ``pad_value`` around and between them:  the grid has C channels and is
rows·(H + padding) + padding high, min(N, nrow)·(W + padding) + padding wide.  One-channel
images are repeated to three (gray RGB).  ``normalize`` maps [low, high] to [0, 1]:
``value_range=(low, high)`` (values outside are clamped first), or each image's own min and
max (``scale_each``), or the min and max of the whole batch.
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image

from ..tensor import Tensor

__all__ = ["make_grid", "save_image"]


def _as_batch(tensor) -> np.ndarray:
    """A (N, C, H, W) float array from a Tensor (2-D, 3-D or 4-D) or a list of Tensors."""
    if isinstance(tensor, list | tuple):
        if not tensor or not all(isinstance(t, Tensor) for t in tensor):
            raise TypeError("make_grid: expected a Tensor or a non-empty list of Tensors")
        array = np.stack([t.detach().cpu().numpy() for t in tensor])
    elif isinstance(tensor, Tensor):
        array = tensor.detach().cpu().numpy()
    else:
        raise TypeError(f"make_grid: expected a Tensor or a list of Tensors, got "
                        f"{type(tensor).__name__}")
    if array.ndim == 2:
        array = array[None]
    if array.ndim == 3:
        array = (np.concatenate([array] * 3) if array.shape[0] == 1 else array)[None]
    if array.ndim != 4:
        raise ValueError(f"make_grid: expected images (N, C, H, W), (C, H, W) or (H, W), got "
                         f"shape {array.shape}")
    if array.shape[1] == 1:
        array = np.concatenate([array] * 3, axis=1)
    return array


def _normalized(batch: np.ndarray, value_range, scale_each: bool) -> np.ndarray:
    batch = batch.astype(np.result_type(batch.dtype, np.float32), copy=True)

    def rescale(images, low, high):
        np.clip(images, low, high, out=images)
        images -= low
        images /= max(high - low, 1e-5)

    if value_range is not None and (not isinstance(value_range, tuple | list)
                                    or len(value_range) != 2):
        raise ValueError(f"make_grid: value_range must be a (low, high) pair, got "
                         f"{value_range!r}")
    if scale_each:
        for image in batch:
            rescale(image, *(value_range or (float(image.min()), float(image.max()))))
    else:
        rescale(batch, *(value_range or (float(batch.min()), float(batch.max()))))
    return batch


def make_grid(tensor, nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range=None, scale_each: bool = False, pad_value: float = 0.0) -> Tensor:
    """The images of ``tensor`` in one (C, H', W') image (see the module docstring); a
    single image comes back unchanged (except for the gray-to-RGB repeat)."""
    if not isinstance(nrow, int) or nrow < 1:
        raise ValueError(f"make_grid: nrow must be a positive int, got {nrow!r}")
    batch = _as_batch(tensor)
    if normalize:
        batch = _normalized(batch, value_range, scale_each)
    if batch.shape[0] == 1:
        return Tensor._from_array(batch[0])
    count, channels, height, width = batch.shape
    columns = min(nrow, count)
    rows = math.ceil(count / columns)
    cell_h, cell_w = height + padding, width + padding
    grid = np.full((channels, rows * cell_h + padding, columns * cell_w + padding), pad_value,
                   dtype=batch.dtype)
    for k in range(count):
        top, left = (k // columns) * cell_h + padding, (k % columns) * cell_w + padding
        grid[:, top:top + height, left:left + width] = batch[k]
    return Tensor._from_array(grid)


def save_image(tensor, fp, format: str | None = None, **grid_options) -> None:
    """Write ``make_grid(tensor, **grid_options)`` as an image file: values in [0, 1]
    become bytes by round(255 · x) clamped to [0, 255] (torchvision's conversion)."""
    grid = make_grid(tensor, **grid_options).numpy()
    pixels = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    image = Image.fromarray(pixels[..., 0] if pixels.shape[2] == 1 else pixels)
    image.save(fp, format=format)
