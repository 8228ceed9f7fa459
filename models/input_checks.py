"""One clear error for an image batch a model can't take (shape, channels, size)."""
from __future__ import annotations


def check_image_batch(model: str, x, channels: int, size: int | None = None,
                      multiple: int = 1) -> None:
    """Raise ValueError unless ``x`` is (N, channels, H, W) with H = W = ``size`` (when
    given) and H, W divisible by ``multiple`` (the model's total downsampling)."""
    shape = tuple(x.shape)
    if size is not None:
        expected = f"(N, {channels}, {size}, {size})"
        if len(shape) != 4 or shape[1:] != (channels, size, size):
            raise ValueError(f"{model}: expected input {expected}, got shape {shape}")
        return
    if len(shape) != 4 or shape[1] != channels:
        raise ValueError(f"{model}: expected input (N, {channels}, H, W), got shape {shape}")
    if shape[2] % multiple or shape[3] % multiple:
        raise ValueError(f"{model}: input height and width must be multiples of {multiple} "
                         f"(the network downsamples by {multiple}), got shape {shape}")
