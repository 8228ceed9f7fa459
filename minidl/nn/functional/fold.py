"""``unfold`` (im2col) and its adjoint ``fold`` (col2im), ``torch.nn.functional`` names.

``unfold`` lists the kh×kw blocks a sliding window visits in an (N, C, H, W) image:
column l = (oh, ow) of the output (N, C·kh·kw, L), row c·kh·kw + i·kw + j, holds
xₚ[n, c, oh·sh + i·dh, ow·sw + j·dw] of the zero-padded image xₚ, with L = OH·OW and
OH = ⌊(H + 2·ph - dh·(kh-1) - 1) / sh⌋ + 1.  Both read one table of those positions
(flat in the padded plane): ``unfold`` gathers them (``index_select``), ``fold`` adds
each column's values back there (``IndexAdd``, overlaps summing) and crops the padding.
Each is the other's gradient, so both are exact on any backend.
"""
from __future__ import annotations

import numpy as np

from ... import creation
from ...ops.arguments import pair
from ...ops.index_add import IndexAdd
from ...tensor import Tensor
from .padding import pad


def _geometry(op: str, kernel_size, dilation, padding, stride) -> tuple:
    """The four settings as checked (h, w) pairs."""
    settings = tuple(pair(value, name, op) for value, name in (
        (kernel_size, "kernel_size"), (dilation, "dilation"), (padding, "padding"),
        (stride, "stride")))
    for (name, least), values in zip((("kernel_size", 1), ("dilation", 1), ("padding", 0),
                                      ("stride", 1)), settings):
        if min(values) < least:
            raise ValueError(f"{op}: {name} must be {'positive' if least else 'non-negative'}"
                             f", got {values}")
    return settings


def _blocks(op: str, image_hw, kernel, dilation, padding, stride) -> tuple[int, int]:
    """(OH, OW): how many blocks fit along each axis (an error if none)."""
    counts = tuple((image_hw[a] + 2 * padding[a] - dilation[a] * (kernel[a] - 1) - 1)
                   // stride[a] + 1 for a in (0, 1))
    if min(counts) < 1:
        raise ValueError(f"{op}: no {kernel} block (dilation {dilation}) fits in the image "
                         f"{tuple(image_hw)} padded by {padding}")
    return counts


def _positions(image_hw, blocks, kernel, dilation, padding, stride) -> np.ndarray:
    """(kh·kw·OH·OW,) flat positions in the padded plane, row (i, j) by column (oh, ow)."""
    width = image_hw[1] + 2 * padding[1]
    rows = (np.arange(kernel[0])[:, None] * dilation[0]
            + np.arange(blocks[0])[None, :] * stride[0])           # (kh, OH)
    columns = (np.arange(kernel[1])[:, None] * dilation[1]
               + np.arange(blocks[1])[None, :] * stride[1])        # (kw, OW)
    table = rows[:, None, :, None] * width + columns[None, :, None, :]  # (kh, kw, OH, OW)
    return table.reshape(-1)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """(N, C, H, W) or (C, H, W) -> (N, C·kh·kw, L) or (C·kh·kw, L): the sliding blocks."""
    op = "unfold"
    if not isinstance(input, Tensor) or input.ndim not in (3, 4):
        raise ValueError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) tensor, got "
                         f"{getattr(input, 'shape', type(input).__name__)}")
    kernel, dilation, padding, stride = _geometry(op, kernel_size, dilation, padding, stride)
    image_hw = input.shape[-2:]
    blocks = _blocks(op, image_hw, kernel, dilation, padding, stride)
    table = creation.tensor(_positions(image_hw, blocks, kernel, dilation, padding, stride),
                            device=input.device)
    padded = pad(input, (padding[1], padding[1], padding[0], padding[0]))
    columns = padded.flatten(-2).index_select(input.ndim - 2, table)
    lead = input.shape[:-3]
    return columns.reshape(*lead, input.shape[-3] * kernel[0] * kernel[1],
                           blocks[0] * blocks[1])


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """(N, C·kh·kw, L) or (C·kh·kw, L) -> (N, C, H, W) or (C, H, W), (H, W) =
    ``output_size``: each column's block added back at its place, overlaps summed."""
    op = "fold"
    if not isinstance(input, Tensor) or input.ndim not in (2, 3):
        raise ValueError(f"{op}: expected a 2-D (C·kh·kw, L) or 3-D (N, C·kh·kw, L) tensor, "
                         f"got {getattr(input, 'shape', type(input).__name__)}")
    image_hw = pair(output_size, "output_size", op)
    kernel, dilation, padding, stride = _geometry(op, kernel_size, dilation, padding, stride)
    blocks = _blocks(op, image_hw, kernel, dilation, padding, stride)
    rows, length = input.shape[-2:]
    cells = kernel[0] * kernel[1]
    if rows % cells:
        raise ValueError(f"{op}: input's dimension -2 ({rows}) must be divisible by the "
                         f"kernel's size {kernel[0]}·{kernel[1]} = {cells}")
    if length != blocks[0] * blocks[1]:
        raise ValueError(f"{op}: input has {length} blocks (dimension -1) but output_size "
                         f"{image_hw} with kernel {kernel}, dilation {dilation}, padding "
                         f"{padding}, stride {stride} gives {blocks[0]}·{blocks[1]} = "
                         f"{blocks[0] * blocks[1]}")
    index = creation.tensor(_positions(image_hw, blocks, kernel, dilation, padding, stride),
                            device=input.device).array
    lead = input.shape[:-2]
    padded_hw = (image_hw[0] + 2 * padding[0], image_hw[1] + 2 * padding[1])
    planes = IndexAdd.apply(input.reshape(*lead, rows // cells, cells * length), index=index,
                            size=padded_hw[0] * padded_hw[1])
    image = planes.reshape(*lead, rows // cells, *padded_hw)
    return image[..., padding[0]:padding[0] + image_hw[0], padding[1]:padding[1] + image_hw[1]]
