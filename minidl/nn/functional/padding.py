"""``pad``: add values around the last dimensions of a tensor (``torch.nn.functional.pad``)."""
from __future__ import annotations

from numbers import Integral

from ...ops.padding import MODES, ConstantPad, PadByIndex
from ...tensor import Tensor


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions of ``input``.

    ``pad`` lists (before, after) amounts from the last dimension backwards:
    ``(left, right)`` pads the last dimension, ``(left, right, top, bottom)`` the last two,
    and so on.  ``mode``:

    - ``"constant"``: pad with ``value`` (default 0), any number of dimensions; a negative
      amount removes that many elements instead;
    - ``"reflect"``: mirror without repeating the edge (each amount < the dimension's size);
    - ``"replicate"``: repeat the edge value;
    - ``"circular"``: wrap around (each amount ≤ the dimension's size).

    The last three pad 1, 2 or 3 dimensions of an input with one or two more dimensions
    (batch and channels), as in PyTorch.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pad: input must be a Tensor, got {type(input).__name__}")
    if mode not in MODES:
        raise ValueError(f"pad: mode must be one of {MODES}, got {mode!r}")
    amounts = tuple(pad)
    if len(amounts) % 2 or not all(isinstance(a, Integral) for a in amounts):
        raise ValueError(f"pad: pad must be an even number of ints (before, after) per "
                         f"dimension, got {pad!r}")
    padded = len(amounts) // 2
    if padded > input.ndim:
        raise ValueError(f"pad: pad {pad!r} pads {padded} dimensions but the input has only "
                         f"{input.ndim} (shape {input.shape})")
    per_axis = {input.ndim - 1 - k: (int(amounts[2 * k]), int(amounts[2 * k + 1]))
                for k in range(padded)}
    if mode == "constant":
        for axis, (before, after) in per_axis.items():
            if input.shape[axis] + before + after < 0:
                raise ValueError(f"pad: padding {(before, after)} of dimension {axis} (size "
                                 f"{input.shape[axis]}) leaves a negative size")
        widths = tuple(per_axis.get(axis, (0, 0)) for axis in range(input.ndim))
        return ConstantPad.apply(input, widths=widths, value=0 if value is None else value)
    if value not in (None, 0):
        raise ValueError(f"pad: value is only used by mode 'constant', got value={value} "
                         f"with mode {mode!r}")
    if padded > 3 or input.ndim not in (padded + 1, padded + 2):
        raise ValueError(f"pad: mode {mode!r} pads the last 1, 2 or 3 dimensions of an input "
                         f"with 1 or 2 more (batch, channels); got pad {pad!r} for input of "
                         f"shape {input.shape}")
    for axis, (before, after) in per_axis.items():
        size = input.shape[axis]
        if min(before, after) < 0:
            raise ValueError(f"pad: mode {mode!r} needs non-negative amounts, got {pad!r}")
        if mode == "reflect" and max(before, after) >= size:
            raise ValueError(f"pad: reflect padding {(before, after)} must be smaller than "
                             f"the dimension it pads (dimension {axis} of input shape "
                             f"{input.shape})")
        if mode == "circular" and max(before, after) > size:
            raise ValueError(f"pad: circular padding {(before, after)} must be at most the "
                             f"size of the dimension it pads (dimension {axis} of input "
                             f"shape {input.shape})")
    axis_widths = tuple((axis, per_axis[axis]) for axis in sorted(per_axis))
    return PadByIndex.apply(input, widths=axis_widths, mode=mode)
