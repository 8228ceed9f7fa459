"""Helpers shared by the tests: float64 leaves, tie-free random inputs, CUDA availability."""
import numpy as np

import minidl
from minidl.backend import module_for_device


def leaf(array, requires_grad=True):
    """A float64 minidl leaf tensor (for gradient checks)."""
    return minidl.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def torch_leaf(torch, array, requires_grad=True):
    return torch.tensor(np.asarray(array), requires_grad=requires_grad)


def untied(rng, *shape, low=-2.0, high=2.0, gap=1e-2):
    """Random values with no two closer than ``gap`` and none within ``gap`` of 0 (no ties,
    no kinks of relu/abs/max at the sample), as float64."""
    n = int(np.prod(shape)) if shape else 1
    grid = np.linspace(low, high, max(int((high - low) / gap), 4 * n))
    grid = grid[np.abs(grid) > gap]
    return rng.choice(grid, size=n, replace=False).reshape(shape)


def cuda_unavailable_reason() -> str | None:
    """Why device "cuda" can't be used here (CuPy or a GPU missing), or None if it can."""
    try:
        module_for_device("cuda")
    except RuntimeError as error:
        return str(error)
    return None
