"""Spatial transformers (``torch.nn.functional.affine_grid`` and ``grid_sample``): the
grid of points an affine map sends each output pixel to, and the image read at those
points.  Argument checks here; the maths in ``minidl/ops/grid_sample.py``.

A spatial transformer network warps its input by a transform it predicts itself::

    theta = localization(x).view(-1, 2, 3)                    # (N, 2, 3)
    grid = F.affine_grid(theta, x.size(), align_corners=False)  # (N, H, W, 2)
    x = F.grid_sample(x, grid, align_corners=False)            # (N, C, H, W)
"""
from __future__ import annotations

import warnings
from numbers import Integral

from ...ops.grid_sample import AffineGrid2d, GridSample2d
from ...tensor import Tensor

MODES = ("bilinear", "nearest", "bicubic")
PADDING_MODES = ("zeros", "border", "reflection")
ALIGN_CORNERS_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False "
    "since 1.3.0. Please specify align_corners=True if the old behavior is desired. "
    "See the documentation of grid_sample for details.")
"""PyTorch's warning, word for word, when align_corners is left to its default."""
UNIT_SIZE_WARNING = (
    "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
    "align_corners=True. This is not an intended use case of affine_grid. See the "
    "documentation of affine_grid for details.")


def _align_corners(op: str, align_corners) -> bool:
    """None -> False with PyTorch's warning; otherwise a bool."""
    if align_corners is None:
        warnings.warn(ALIGN_CORNERS_WARNING, UserWarning, stacklevel=3)
        return False
    if not isinstance(align_corners, bool):
        raise TypeError(f"{op}: align_corners must be a bool or None, got {align_corners!r}")
    return align_corners


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """The sampling grid of a batch of 2-D affine maps: (N, 2, 3) -> (N, H, W, 2) for
    ``size`` = (N, C, H, W) (C is not used).

    grid[n, i, j] = θ[n] · [x_j, y_i, 1]ᵀ, where (x_j, y_i) is output pixel (i, j) in
    normalized coordinates (-1 .. 1 across the image): x_j = -1 + 2j/(W - 1) with
    ``align_corners=True`` (the first and last pixels' centres at ±1), and that times
    (W - 1)/W with False (the default: the image's outer edges at ±1, PyTorch's warning
    when not given).  The identity θ = [[1, 0, 0], [0, 1, 0]] gives the grid that
    ``grid_sample`` reads the input back unchanged with (same ``align_corners``).
    The gradient reaches θ: dL/dθ[n] = Σ_ij dL/dgrid[n, i, j] · [x_j, y_i, 1].

    5-D sizes (3-D transforms, θ (N, 3, 4)) are not implemented.
    """
    align_corners = _align_corners("affine_grid", align_corners)
    if not isinstance(theta, Tensor):
        raise TypeError(f"affine_grid: theta must be a Tensor, got {type(theta).__name__}")
    if theta.dtype.kind != "f":
        raise ValueError(f"affine_grid: expected theta to have floating point type, but got "
                         f"{theta.dtype}")
    size = _sizes(size)
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[1:]) != (2, 3):
            raise ValueError(f"affine_grid: expected a batch of 2D affine matrices of shape "
                             f"Nx2x3 for size {size}. Got {tuple(theta.shape)}.")
    elif len(size) == 5:
        if theta.ndim != 3 or tuple(theta.shape[1:]) != (3, 4):
            raise ValueError(f"affine_grid: expected a batch of 3D affine matrices of shape "
                             f"Nx3x4 for size {size}. Got {tuple(theta.shape)}.")
        raise NotImplementedError("affine_grid: 5-D sizes (3-D affine transforms, theta "
                                  "Nx3x4) are not implemented in minidl; only 4-D sizes "
                                  "(N, C, H, W) with theta Nx2x3")
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if align_corners and min(size[2:]) == 1:
        warnings.warn(UNIT_SIZE_WARNING, UserWarning, stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"affine_grid: expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"affine_grid: theta holds {theta.shape[0]} matrices (shape "
                           f"{tuple(theta.shape)}) but size asks for a batch of {size[0]} "
                           f"(size {size})")
    return AffineGrid2d.apply(theta, height=size[2], width=size[3],
                              align_corners=align_corners)


def _sizes(size) -> list[int]:
    """``size`` (a list, tuple or ``Tensor.size()``) as a list of ints."""
    values = list(size) if isinstance(size, tuple | list) else None
    if values is None or not all(isinstance(v, Integral) and not isinstance(v, bool)
                                 for v in values):
        raise TypeError(f"affine_grid: size must be a sequence of ints such as (N, C, H, W), "
                        f"got {size!r}")
    return [int(v) for v in values]


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """Sample ``input`` (N, C, H, W) at the points of ``grid`` (N, H_out, W_out, 2):
    out[n, c, i, j] = input[n, c] read at grid[n, i, j] = (gx, gy), (N, C, H_out, W_out).

    The points are normalized: gx = -1 is the left edge, +1 the right (gy: top, bottom);
    pixel column x = (gx + 1)/2 · (W - 1) with ``align_corners=True`` (±1 at the corner
    pixels' centres), x = ((gx + 1) · W - 1)/2 with False (±1 at the outer edges; the
    default, with PyTorch's warning when not given); rows likewise with H.

    - ``mode="bilinear"``: the four pixels around (x, y) blended by the areas of the
      opposite sub-rectangles, I[y0, x0]·(1 - dy)(1 - dx) + I[y0, x0 + 1]·(1 - dy)·dx
      + I[y0 + 1, x0]·dy·(1 - dx) + I[y0 + 1, x0 + 1]·dy·dx, with (x0, y0) = ⌊(x, y)⌋ and
      (dx, dy) = (x - x0, y - y0).  Differentiable in the input and in the grid.
    - ``mode="nearest"``: the pixel at (round(x), round(y)), halves rounded to even; the
      grid's gradient is 0.  ``"bicubic"`` is not implemented.
    - ``padding_mode``: what a point outside the image reads: ``"zeros"`` 0 for every
      pixel off the image, ``"border"`` the point clamped to the image, ``"reflection"``
      the point mirrored at the edges (the corner pixels' centres with
      ``align_corners=True``, the outer edges with False) until inside.

    5-D inputs (volumes) are not implemented.
    """
    op = "grid_sample"
    if mode not in MODES:
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in PADDING_MODES:
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    align_corners = _align_corners(op, align_corners)
    for name, value in (("input", input), ("grid", grid)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(value).__name__}")
    _check_shapes(input, grid)
    if mode == "bicubic":
        raise NotImplementedError("grid_sample: mode 'bicubic' is not implemented in minidl; "
                                  "use 'bilinear' or 'nearest'")
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, got {input.dtype}")
    if grid.dtype != input.dtype:
        raise RuntimeError(f"{op}: expected grid to have the input's dtype {input.dtype}, "
                           f"but got grid of dtype {grid.dtype}")
    if input.device != grid.device:
        raise RuntimeError(f"{op}: expected input and grid to be on the same device, but "
                           f"input is on {input.device} and grid is on {grid.device}")
    return GridSample2d.apply(input, grid, mode=mode, padding_mode=padding_mode,
                              align_corners=align_corners)


def _check_shapes(input: Tensor, grid: Tensor) -> None:
    """PyTorch's checks, in its order: equal ranks, equal batch sizes, grid's last
    dimension the number of spatial dimensions, non-empty spatial dimensions; then 4-D."""
    op, sizes = "grid_sample", f"input with sizes {tuple(input.shape)} and grid with " \
                               f"sizes {tuple(grid.shape)}"
    if input.ndim != grid.ndim:
        raise RuntimeError(f"{op}: expected grid and input to have same number of "
                           f"dimensions, but got {sizes}")
    if input.ndim < 3:
        raise RuntimeError(f"{op}: expected a 4-D input (N, C, H, W) and a 4-D grid "
                           f"(N, H_out, W_out, 2), but got {sizes}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"{op}: expected grid and input to have same batch size, but "
                           f"got {sizes}")
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(f"{op}: expected grid to have size {input.ndim - 2} in last "
                           f"dimension, but got grid with sizes {tuple(grid.shape)}")
    for dim in range(2, input.ndim):
        if input.shape[dim] <= 0:
            raise RuntimeError(f"{op}: expected input to have non-empty spatial dimensions, "
                               f"but input has sizes {tuple(input.shape)} with dimension "
                               f"{dim} being empty")
    if input.ndim == 5:
        raise NotImplementedError("grid_sample: 5-D inputs (N, C, D, H, W) with grids "
                                  "(N, D_out, H_out, W_out, 3) are not implemented in minidl; "
                                  "only 4-D inputs (N, C, H, W)")
    if input.ndim != 4:
        raise RuntimeError(f"{op}: expected 4D input and grid with same number of "
                           f"dimensions, but got {sizes}")
