"""Upsampling and resizing as autograd Functions: nearest upsampling by whole factors (the
maths lives in ``minidl/kernels/reference/upsample.py``) and separable resampling by index
and weight arrays (``interpolation_taps.py``) for every other size and mode."""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module
from ..kernels import kernel
from .interpolation_taps import Taps


class UpsampleNearest2d(Function):
    """y[n, c, oh, ow] = x[n, c, ⌊oh/sH⌋, ⌊ow/sW⌋]: (N, C, H, W) -> (N, C, H·sH, W·sW);
    each input pixel's gradient is the sum of the gradient over its sH×sW block."""

    def forward(self, x, *, scale_h, scale_w):
        self.scales = (scale_h, scale_w)
        return kernel("upsample_nearest2d_forward", x)(x, scale_h, scale_w)

    def backward(self, grad):
        return kernel("upsample_nearest2d_backward", grad)(grad, *self.scales)


def _weight_along(weight, axis: int):
    """A (L,) weight shaped to broadcast along ``axis`` (-1 or -2) of an array."""
    return weight if axis == -1 else weight.reshape(-1, 1)


def _resample_axis(x, taps: Taps, axis: int):
    """y[..., j] = Σ_k w_k[j] · x[..., i_k[j]] along ``axis`` (-1 or -2):
    (..., L, ...) -> (..., len(i_k), ...)."""
    xp = array_module(x)
    if taps.weights is None:
        return xp.take(x, taps.indices[0], axis=axis)
    terms = [xp.take(x, index, axis=axis) * _weight_along(weight, axis)
             for index, weight in zip(taps.indices, taps.weights)]
    return sum(terms[1:], start=terms[0])


def _add_along(target, index, values, axis: int) -> None:
    """target[..., index[j], ...] += values[..., j, ...] along ``axis`` (-1 or -2) for a
    non-decreasing ``index`` with repeats: the j that share an index are split into rounds
    (the r-th of each run of equal indices in round r), so no round repeats an index and
    each is a plain indexed add."""
    xp = array_module(index)
    rank = xp.arange(len(index)) - xp.searchsorted(index, index, side="left")
    for round_ in range(int(rank.max()) + 1):
        chosen = xp.nonzero(rank == round_)[0]
        if axis == -1:
            target[..., index[chosen]] += xp.take(values, chosen, axis=-1)
        else:
            target[..., index[chosen], :] += xp.take(values, chosen, axis=-2)


def _resample_axis_backward(grad, taps: Taps, axis: int):
    """The adjoint of ``_resample_axis``: g_x[..., i] = Σ_k Σ_{j: i_k[j] = i} w_k[j] · g_y[..., j],
    (..., len(i_k), ...) -> (..., taps.size, ...), an add of each tap's weighted gradient."""
    xp = array_module(grad)
    shape = list(grad.shape)
    shape[axis] = taps.size
    grad_x = xp.zeros(shape, dtype=grad.dtype)
    weights = taps.weights or (None,) * len(taps.indices)
    for index, weight in zip(taps.indices, weights):
        values = grad if weight is None else grad * _weight_along(weight, axis)
        _add_along(grad_x, index, values, axis)
    return grad_x


class Resample2d(Function):
    """Separable resampling of the last two axes: (..., H, W) -> (..., OH, OW).

    y = R_rows · x · R_colsᵀ plane by plane, with R the (O, L) matrices of the ``Taps``
    (K taps per row: nearest K = 1, linear K = 2), computed as gathers: the columns first,
    then the rows (PyTorch's order of the sums).  ``rows`` or ``columns`` None leaves that
    axis as it is.  The gradient is the adjoint: g_x = R_rowsᵀ · g_y · R_cols, as
    scatter-adds.  ``copy_backward`` passes the gradient through unchanged instead, as
    PyTorch's bicubic backward does when the output is as large as the input (even where
    a scale factor moves the forward's source positions).
    """

    def forward(self, x, *, rows: Taps | None, columns: Taps | None,
                copy_backward: bool = False):
        self.rows, self.columns = rows, columns
        self.copy_backward = copy_backward
        if columns is not None:
            x = _resample_axis(x, columns, -1)
        if rows is not None:
            x = _resample_axis(x, rows, -2)
        return x

    def backward(self, grad):
        if self.copy_backward:  # PyTorch's bicubic backward at an unchanged size
            return grad
        if self.rows is not None:
            grad = _resample_axis_backward(grad, self.rows, -2)
        if self.columns is not None:
            grad = _resample_axis_backward(grad, self.columns, -1)
        return grad
