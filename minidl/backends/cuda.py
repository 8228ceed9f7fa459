"""``torch.backends.cuda``: the matmul flags PyTorch programs set.  They are kept but change
nothing: minidl's GPU matrix products go through CuPy, which uses TF32 only when the
environment sets ``CUPY_TF32=1``."""
from types import SimpleNamespace

matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True)


def is_built() -> bool:
    """Whether minidl has its GPU backend (CuPy installed)."""
    from ..backend import cupy_module
    return cupy_module() is not None
