"""``torch.backends.cuda``: the TF32 matmul flag PyTorch programs set (it changes nothing:
minidl's matrix products on the GPU are cuBLAS's defaults through CuPy)."""
from types import SimpleNamespace

matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True)


def is_built() -> bool:
    from ..backend import cupy_module
    return cupy_module() is not None
