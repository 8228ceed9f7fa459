"""Helpers shared by the tests: one closeness rule, PyTorch parity, awkward random inputs,
kernel backends and CUDA availability."""
import numpy as np

import minidl
from minidl.backend import array_module, module_for_device, to_device

TOLERANCE = {np.dtype(np.float64): 1e-12, np.dtype(np.float32): 2e-5}
"""How close two results of one computation must be, by dtype: relative to each value and
to the largest magnitude expected (at least 1), since a sum's rounding error scales with
its largest terms, not with each result.  Two implementations of one kernel, the GPU and
the CPU, minidl and PyTorch: all meet it.  Other dtypes (indices, masks) must be equal."""


def host(value) -> np.ndarray:
    """A tensor's or an array's values as a NumPy array (copied from the GPU if there)."""
    if isinstance(value, minidl.Tensor):
        value = value.detach().array
    return to_device(value, "cpu") if array_module(value) is not np else np.asarray(value)


def assert_close(actual, expected, dtype=None, err_msg: str = "") -> None:
    """``actual`` equals ``expected`` (tensors or arrays, any device) in shape and to the
    tolerance of ``dtype`` (default: the expected's dtype); with ``dtype`` given, both
    must have it."""
    actual, expected = host(actual), host(expected)
    if dtype is not None:
        assert actual.dtype == dtype and expected.dtype == dtype, (actual.dtype, expected.dtype)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    tolerance = TOLERANCE.get(np.dtype(dtype or expected.dtype), 0.0)
    scale = max(1.0, float(np.abs(expected).max())) if expected.size else 1.0
    np.testing.assert_allclose(actual, expected, rtol=tolerance, atol=tolerance * scale,
                               err_msg=err_msg)


def compare_with_torch(torch, ours, theirs, arrays, rng, dtype=np.float64, grad_inputs=None):
    """``ours(*minidl leaves)`` and ``theirs(*torch leaves)`` on the same ``arrays``: equal
    outputs and, for one random output gradient, equal gradients of every input in
    ``grad_inputs`` (default: all), in ``dtype``."""
    grad_inputs = range(len(arrays)) if grad_inputs is None else grad_inputs
    arrays = [np.asarray(a, dtype=dtype) for a in arrays]
    mine = [minidl.tensor(a, requires_grad=i in grad_inputs) for i, a in enumerate(arrays)]
    reference = [torch.tensor(a, requires_grad=i in grad_inputs) for i, a in enumerate(arrays)]
    out, out_ref = ours(*mine), theirs(*reference)
    assert_close(out, out_ref.detach().numpy(), dtype, "output")
    grad = rng.standard_normal(tuple(out_ref.shape)).astype(dtype)
    out.backward(minidl.tensor(grad))
    out_ref.backward(torch.tensor(grad))
    for i in grad_inputs:
        assert_close(mine[i].grad, reference[i].grad.numpy(), dtype, f"gradient of input {i}")


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


def strided(values: np.ndarray, xp=np):
    """``values`` as a non-contiguous array of module ``xp``: every other element of the
    last axis of an array twice as wide (a 0-d array stays as it is)."""
    if values.ndim == 0:
        return xp.asarray(values)
    wide = xp.zeros(values.shape[:-1] + (2 * values.shape[-1],), values.dtype)
    view = wide[..., ::2]
    view[...] = xp.asarray(values)
    return view


def random_array(rng, shape, dtype=np.float64):
    """Standard normal values of ``shape`` in ``dtype``, as a non-contiguous view: kernels
    meet views (transposes, slices) in real use, so the kernel tests feed them by default."""
    return strided(rng.standard_normal(shape).astype(dtype))


class KernelBackend:
    """The fast kernels of one device ("cpu": Numba, "cuda": CuPy), called on NumPy
    arguments: ``backend.run(name, *args)`` copies the array arguments to the device
    (views stay views), runs kernel ``name`` and returns its outputs on the host."""

    def __init__(self, device: str):
        import importlib
        self.device = device
        self.module = importlib.import_module(f"minidl.kernels.{device}")
        self.xp = module_for_device(device)

    def to_device(self, value):
        if not isinstance(value, np.ndarray):
            return value
        if self.device == "cpu":
            return value
        return strided(value, self.xp) if not value.flags.c_contiguous \
            else to_device(value, self.device)

    def run(self, name, *args):
        result = getattr(self.module, name)(*[self.to_device(a) for a in args])
        outputs = result if isinstance(result, tuple) else (result,)
        assert all(out is None or array_module(out) is self.xp for out in outputs), name
        outputs = tuple(None if out is None else host(out) for out in outputs)
        return outputs if isinstance(result, tuple) else outputs[0]


def cuda_unavailable_reason() -> str | None:
    """Why device "cuda" can't be used here (CuPy or a GPU missing), or None if it can."""
    try:
        module_for_device("cuda")
    except RuntimeError as error:
        return str(error)
    return None
