"""Sampling an image at arbitrary points (``grid_sample``) and the grid of an affine map
(``affine_grid``) as autograd Functions: the two halves of a spatial transformer.

Coordinates.  A grid holds, for each output pixel, a point (gx, gy) of the input in
normalized coordinates: -1 is the left (top) edge of the image, +1 the right (bottom) one.
Along an axis of ``size`` pixels the point becomes a pixel coordinate

- align_corners=True:  x = (gx + 1) / 2 · (size - 1)    (-1 and +1: the centres of the first
  and last pixels)
- align_corners=False: x = (gx + 1) / 2 · size - ½       (-1 and +1: the outer edges of the
  first and last pixels)

and then, for points outside the image, the padding mode decides what is read:
``zeros`` reads 0 outside, ``border`` clamps x to [0, size - 1], ``reflection`` mirrors x
at the image's edges (at the first and last centres with align_corners=True, at the outer
edges with False) until it lands inside, then clamps.  Each step is a piecewise-linear map
of gx, so dx/dgx is a constant per piece: size/2 or (size - 1)/2, its sign flipped by each
reflection, 0 where a clamp holds the point still.

Bilinear sampling.  The point (x, y) lies in the cell of four pixels around it; with
x0 = ⌊x⌋, y0 = ⌊y⌋, and the fractions w = x - x0 (the distance from the west column) and
n = y - y0 (from the north row), e = 1 - w and s = 1 - n::

    out = I[y0, x0]·s·e + I[y0, x0+1]·s·w + I[y0+1, x0]·n·e + I[y0+1, x0+1]·n·w
            (nw)            (ne)            (sw)             (se)

a weighted mean whose weights sum to 1 (a corner outside the image reads 0).  Its
derivatives: d out / dI[corner] = that corner's weight (the input's gradient scatters
g·weight back to the four pixels), and

    d out / dx = (I_ne - I_nw)·s + (I_se - I_sw)·n,   d out / dy = (I_sw - I_nw)·e + (I_se - I_ne)·w

which the chain rule multiplies by dx/dgx and dy/dgy.  ``nearest`` reads the one pixel at
(round(x), round(y)) (halves to even, like C's nearbyint); its output is piecewise constant
in the grid, whose gradient is therefore 0.

Every array is (N, C, H, W) for images and (N, H_out, W_out, 2) for grids, and the work is
whole-array gathers and one bincount per backward pass (no loop over pixels), in the
input array's own module (NumPy or CuPy).  The arithmetic follows PyTorch's CPU kernel
step for step, so float64 results agree to the last bits or nearly; where one ulp would
change which pixel is read (x = (gx + 1)·size/2 - ½ landing on a half for ``nearest``, the
pixel centres of ``affine_grid``), it is rounded once, as the kernel's fused multiply-adds
round it (``fused_multiply_add``).
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import array_module
from .fused_multiply_add import fused_multiply_add

BILINEAR_CORNERS = ((0, 0), (0, 1), (1, 0), (1, 1))
"""(dy, dx) of the nw, ne, sw and se corners from the point's cell origin (y0, x0)."""


def source_coordinates(coords, size: int, padding_mode: str, align_corners: bool):
    """Pixel coordinates of normalized ones along an axis of ``size`` pixels, and dx/dg.

    ``coords``: any shape, normalized (-1 .. 1 spans the image).  Returns (x, dx_dg) of the
    same shape: x unnormalized (see the module docstring), then reflected and/or clamped by
    ``padding_mode``; dx_dg the derivative of that map at each point (0 where clamped).
    """
    xp = array_module(coords)
    if align_corners:
        scale = (size - 1) / 2
        x = (coords + 1) * scale
    else:
        scale = size / 2
        x = fused_multiply_add(coords + 1, scale, -0.5)  # rounded once, as PyTorch's kernel
    slope = xp.full_like(x, scale)
    if padding_mode == "zeros":
        return x, slope
    if padding_mode == "reflection":
        x, flip = _reflect(x, size, align_corners)
        slope = slope * flip
    inside = (x > 0) & (x < size - 1)     # a clamp at either end has slope 0, as in PyTorch
    x = xp.where(x > 0, x, 0)              # (x > 0) is False for NaN: NaN reads pixel 0
    x = xp.where(x < size - 1, x, size - 1)
    return x.astype(coords.dtype, copy=False), slope * inside


def _reflect(x, size: int, align_corners: bool):
    """Mirror x into [low, low + span] (a triangle wave): low = 0 and span = size - 1 with
    align_corners=True, low = -½ and span = size without.  Returns (x, ±1 slope)."""
    xp = array_module(x)
    low, twice_span = (0.0, 2 * (size - 1)) if align_corners else (-0.5, 2 * size)
    if twice_span == 0:                    # one pixel with aligned corners: always pixel 0
        return xp.zeros_like(x), xp.zeros_like(x)
    shifted = x - low
    distance = xp.abs(shifted)
    extra = distance - xp.trunc(distance / twice_span) * twice_span  # distance mod 2·span
    mirrored = twice_span - extra
    once_more = extra > mirrored          # in the second half of the period: one more flip
    folded = xp.where(once_more, mirrored, extra) + low
    flip = xp.where(once_more != (shifted < 0), -1.0, 1.0).astype(x.dtype, copy=False)
    return folded, flip


def _whole(values, size: int):
    """Whole pixel numbers (already floored or rounded) as int64, limited to -2 .. size + 1
    (still outside the image where they were; NaN becomes -2), safe to cast."""
    xp = array_module(values)
    values = xp.where(xp.isnan(values), -2, values)
    return xp.clip(values, -2, size + 1).astype(xp.int64)


def _pixel(rows, columns, height: int, width: int):
    """The flat index row·W + column of each pixel, 0 where it lies outside the image, and
    the mask of those inside: (N, P) each."""
    xp = array_module(rows)
    inside = (rows >= 0) & (rows < height) & (columns >= 0) & (columns < width)
    return xp.where(inside, rows * width + columns, 0), inside


def _gather(planes, index, inside):
    """planes[n, c, index[n, p]] where ``inside``, else 0, for (N, C, H·W) planes and
    (N, P) index and mask: (N, C, P)."""
    xp = array_module(planes)
    values = xp.take_along_axis(planes, index[:, None, :], axis=2)
    return xp.where(inside[:, None, :], values, 0)


class _Taps:
    """The pixels a grid reads and how much of each, the same in forward and backward.

    ``index`` (K, N, P): flat pixel numbers row·W + column for the K taps of each of the
    P = H_out·W_out points (K = 4 bilinear corners nw, ne, sw, se; K = 1 nearest pixel),
    0 where the tap is outside the image; ``inside`` (K, N, P) the taps inside;
    ``weight`` (K, N, P) the bilinear weights s·e, s·w, n·e, n·w (None for nearest: 1);
    ``fractions`` (n, s, w, e) and ``slope_x``, ``slope_y`` (dx/dgx, dy/dgy), (N, P) each,
    for the grid's gradient.
    """

    def __init__(self, grid, height: int, width: int, mode: str, padding_mode: str,
                 align_corners: bool):
        xp = array_module(grid)
        points = grid.reshape(grid.shape[0], grid.shape[1] * grid.shape[2], 2)  # (N, P, 2)
        x, self.slope_x = source_coordinates(points[..., 0], width, padding_mode,
                                             align_corners)
        y, self.slope_y = source_coordinates(points[..., 1], height, padding_mode,
                                             align_corners)
        self.weight = None
        if mode == "nearest":
            index, inside = _pixel(_whole(xp.rint(y), height), _whole(xp.rint(x), width),
                                   height, width)
            self.index, self.inside = index[None], inside[None]
            return
        west, north = xp.floor(x), xp.floor(y)
        w, n = x - west, y - north          # distances from the west column, the north row
        e, s = 1 - w, 1 - n
        self.fractions = (n, s, w, e)
        x0, y0 = _whole(west, width), _whole(north, height)
        taps = [_pixel(y0 + dy, x0 + dx, height, width) for dy, dx in BILINEAR_CORNERS]
        self.index = xp.stack([index for index, _ in taps])
        self.inside = xp.stack([inside for _, inside in taps])
        self.weight = xp.stack([s * e, s * w, n * e, n * w])


class GridSample2d(Function):
    """out[n, c, i, j] = the input plane (n, c) sampled at grid[n, i, j] = (gx, gy):
    (N, C, H, W) and (N, H_out, W_out, 2) -> (N, C, H_out, W_out).

    mode "bilinear" or "nearest", padding_mode "zeros", "border" or "reflection"; the maths
    is in this module's docstring.  Backward: the input's gradient is the scatter-add of
    g·weight to each tap's pixel, the grid's gradient (bilinear) the chain rule through the
    corner weights and the coordinate map; zero for nearest.
    """

    def forward(self, image, grid, *, mode: str, padding_mode: str, align_corners: bool):
        self.options = (mode, padding_mode, align_corners)
        self.save_for_backward(image, grid)
        n, c, height, width = image.shape
        taps = _Taps(grid, height, width, *self.options)
        planes = image.reshape(n, c, height * width)
        values = [_gather(planes, index, inside)
                  for index, inside in zip(taps.index, taps.inside)]
        if taps.weight is None:                         # nearest: the one pixel
            out = values[0]
        else:                                           # nw + ne + sw + se, PyTorch's order
            out = values[0] * taps.weight[0][:, None, :]
            for value, weight in zip(values[1:], taps.weight[1:]):
                out = out + value * weight[:, None, :]
        return out.reshape(n, c, *grid.shape[1:3])

    def backward(self, grad):
        image, grid = self.saved_arrays
        xp = array_module(grad)
        n, c, height, width = image.shape
        taps = _Taps(grid, height, width, *self.options)
        grads = grad.reshape(n, c, grid.shape[1] * grid.shape[2])  # (N, C, P)
        grad_image = grad_grid = None
        if self.needs_input_grad[0]:
            grad_image = self._scatter(grads, taps, image.shape)
        if self.needs_input_grad[1]:
            if taps.weight is None:                     # nearest: piecewise constant
                grad_grid = xp.zeros_like(grid)
            else:
                grad_grid = self._grid_gradient(grads, taps, image, grid.shape)
        return grad_image, grad_grid

    @staticmethod
    def _scatter(grads, taps: _Taps, shape):
        """g_I[n, c, pixel] = Σ over the taps that read that pixel of g[n, c, p]·weight,
        as one bincount over the numbers (n·C + c)·H·W + pixel: (N, C, P) -> (N, C, H, W)."""
        xp = array_module(grads)
        n, c, height, width = shape
        plane = height * width
        base = (xp.arange(n)[:, None, None] * c + xp.arange(c)[None, :, None]) * plane
        weights = taps.weight if taps.weight is not None else (None,) * len(taps.index)
        numbers, shares = [], []
        for index, inside, weight in zip(taps.index, taps.inside, weights):
            numbers.append((base + index[:, None, :]).ravel())
            share = grads if weight is None else grads * weight[:, None, :]
            shares.append(xp.where(inside[:, None, :], share, 0).ravel())
        total = xp.bincount(xp.concatenate(numbers), weights=xp.concatenate(shares),
                            minlength=n * c * plane)
        return total.astype(grads.dtype, copy=False).reshape(shape)

    @staticmethod
    def _grid_gradient(grads, taps: _Taps, image, grid_shape):
        """dL/dgx = Σ_c g·((I_ne - I_nw)·s + (I_se - I_sw)·n) · dx/dgx and
        dL/dgy = Σ_c g·((I_sw - I_nw)·e + (I_se - I_ne)·w) · dy/dgy: (N, H_out, W_out, 2)."""
        xp = array_module(grads)
        n, c, height, width = image.shape
        planes = image.reshape(n, c, height * width)
        nw, ne, sw, se = (_gather(planes, index, inside)
                          for index, inside in zip(taps.index, taps.inside))
        north, south, west, east = (f[:, None, :] for f in taps.fractions)
        grad_x = (((ne - nw) * south + (se - sw) * north) * grads).sum(axis=1)
        grad_y = (((sw - nw) * east + (se - ne) * west) * grads).sum(axis=1)
        return xp.stack([grad_x * taps.slope_x, grad_y * taps.slope_y],
                        axis=-1).reshape(grid_shape)


def linspace_from_minus_one(steps: int, align_corners: bool, dtype) -> np.ndarray:
    """``steps`` normalized positions of pixel centres along an axis: (steps,).

    With ``align_corners=True`` PyTorch's linspace from -1 to 1: with step = 2 / (steps - 1),
    -1 + step·k for the first half and 1 - step·(steps - 1 - k) for the second (each half
    counted from its own end, so both ends are exact), each rounded once (a fused
    multiply-add, as PyTorch's kernel).  With False the same values times
    (steps - 1) / steps: the outer edges at ±1 instead of the centres.  One step sits at 0.
    """
    if steps <= 1:
        return np.zeros(max(steps, 0), dtype)
    step = np.array(2, dtype) / np.array(steps - 1, dtype)
    k = np.arange(steps).astype(dtype)
    values = np.where(k < steps // 2, fused_multiply_add(k, step, -1),
                      fused_multiply_add(steps - 1 - k, -step, 1)).astype(dtype)
    if not align_corners:
        values = (values * np.array(steps - 1, dtype)) / np.array(steps, dtype)
    return values


def base_grid(height: int, width: int, align_corners: bool, dtype) -> np.ndarray:
    """The (H·W, 3) rows [x_j, y_i, 1] of an H×W grid of pixel centres, row-major, with
    x_j and y_i from ``linspace_from_minus_one``."""
    rows = np.empty((height, width, 3), dtype)
    rows[..., 0] = linspace_from_minus_one(width, align_corners, dtype)[None, :]
    rows[..., 1] = linspace_from_minus_one(height, align_corners, dtype)[:, None]
    rows[..., 2] = 1
    return rows.reshape(height * width, 3)


class AffineGrid2d(Function):
    """grid[n, i, j] = θ[n] · [x_j, y_i, 1]ᵀ: (N, 2, 3) -> (N, H, W, 2), the points of the
    output's pixel centres (``base_grid``) mapped by each 2×3 affine matrix.

    As a product: grid (N, H·W, 2) = B (H·W, 3) · θᵀ, so dL/dθ = (dL/dgrid)ᵀ · B, (N, 2, 3).
    """

    def forward(self, theta, *, height: int, width: int, align_corners: bool):
        xp = array_module(theta)
        self.base = xp.asarray(base_grid(height, width, align_corners, theta.dtype))
        grid = xp.matmul(self.base, theta.transpose(0, 2, 1))   # (N, H·W, 2)
        return grid.reshape(theta.shape[0], height, width, 2)

    def backward(self, grad):
        xp = array_module(grad)
        points = grad.reshape(grad.shape[0], grad.shape[1] * grad.shape[2], 2)  # (N, H·W, 2)
        return xp.matmul(points.transpose(0, 2, 1), self.base)   # (N, 2, 3)
