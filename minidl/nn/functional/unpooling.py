"""Max unpooling: the partial inverse of max pooling (``torch.nn.functional`` names).

``max_unpool2d(y, indices, ...)`` puts each pooled value back where ``max_pool2d(...,
return_indices=True)`` found it -- at the flat position ``indices`` = h·W + w of its plane
-- and zeros everywhere else: a ``scatter`` into zeros, so its gradient is the gather of
the output gradient at ``indices``.  The 1-D form does the same along L.
"""
from __future__ import annotations

from ...ops.arguments import pair
from ...tensor import Tensor
from .signals import single


def unpool_output_size(op: str, input_sizes, kernel, stride, padding, output_size) -> tuple:
    """PyTorch's ``_unpool_output_size``: (size - 1)·stride - 2·padding + kernel per axis,
    or ``output_size`` (the spatial sizes, or the (N, C, …) shape), which must lie strictly
    within ``stride`` of that default."""
    default = tuple((size - 1) * s - 2 * p + k
                    for size, k, s, p in zip(input_sizes, kernel, stride, padding))
    if output_size is None:
        return default
    sizes = tuple(output_size)
    dims = len(default)
    if len(sizes) == dims + 2:
        sizes = sizes[2:]
    if len(sizes) != dims:
        raise ValueError(f"{op}: output_size should be a sequence of {dims} or {dims + 2} "
                         f"elements, got {output_size!r}")
    for size, expected, s in zip(sizes, default, stride):
        if not expected - s < size < expected + s:
            raise ValueError(f"{op}: invalid output_size {tuple(output_size)} (dim sizes "
                             f"must be between {tuple(d - s + 1 for d, s in zip(default, stride))}"
                             f" and {tuple(d + s - 1 for d, s in zip(default, stride))})")
    return sizes


def _unpool(op: str, input, indices, dims: int, kernel, stride, padding, output_size):
    """Scatter the last ``dims`` axes of ``input`` into zeros of the output size."""
    for name, value in (("input", input), ("indices", indices)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(value).__name__}")
    if input.ndim not in (dims + 1, dims + 2):
        raise ValueError(f"{op}: expected a {dims + 1}-D or {dims + 2}-D input, got shape "
                         f"{input.shape}")
    if indices.shape != input.shape or indices.dtype.kind not in "iu":
        raise ValueError(f"{op}: indices must be an integer tensor of the input's shape "
                         f"{input.shape}, got {indices.dtype} of shape {indices.shape}")
    for name, values, least in (("kernel_size", kernel, 1), ("stride", stride, 1),
                                ("padding", padding, 0)):
        if min(values) < least:
            raise ValueError(f"{op}: {name} must be {'positive' if least else 'non-negative'}"
                             f", got {values}")
    sizes = unpool_output_size(op, input.shape[-dims:], kernel, stride, padding, output_size)
    plane = 1
    for size in sizes:
        plane *= size
    flat_indices = indices.flatten(-dims)
    if indices.numel() and not 0 <= int(flat_indices.min()) <= int(flat_indices.max()) < plane:
        raise ValueError(f"{op}: found an invalid max index (indices must lie in [0, {plane}) "
                         f"for output size {tuple(sizes)})")
    lead = input.shape[:-dims]
    zeros = input.new_zeros(*lead, plane)
    return zeros.scatter(-1, flat_indices, input.flatten(-dims)).reshape(*lead, *sizes)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """(N, C, H, W) or (C, H, W) pooled values and their indices -> (N, C, OH, OW) zeros
    but for out[n, c].flat[indices[n, c, i, j]] = input[n, c, i, j];
    OH = (H - 1)·stride - 2·padding + kernel_size unless ``output_size`` says otherwise."""
    op = "max_unpool2d"
    kernel = pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None else pair(stride, "stride", op)
    return _unpool(op, input, indices, 2, kernel, stride, pair(padding, "padding", op),
                   output_size)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """(N, C, L) or (C, L) -> (N, C, OL) zeros but for out[n, c, indices[n, c, t]] =
    input[n, c, t]; OL = (L - 1)·stride - 2·padding + kernel_size unless ``output_size``."""
    op = "max_unpool1d"
    kernel = single(kernel_size, "kernel_size", op)
    stride = kernel if stride is None else single(stride, "stride", op)
    return _unpool(op, input, indices, 1, (kernel,), (stride,),
                   (single(padding, "padding", op),), output_size)
