"""The one-line errors for the parts of PyTorch that minidl does not have.

A PyTorch program run on minidl (``minidl run``) stops at the first name minidl lacks,
with a message that names it in PyTorch's terms::

    minidl does not implement torch.fft (yet)
    torch.jit is out of scope for minidl: models run eagerly, there is no JIT or graph compiler

(``torch.compile`` is not here: minidl provides it as the identity, ``minidl/compile.py``,
which meets PyTorch's contract that a compiled model gives the original's results.)

The error for an attribute is an ``AttributeError`` (so ``hasattr`` and ``getattr(obj,
name, default)`` keep working) that is also a ``NotImplementedError``; the error for a
module is a ``ModuleNotFoundError`` (so ``try: import ... except ImportError`` works).
"""
from __future__ import annotations

_NO_COMPILER = "models run eagerly, there is no JIT or graph compiler"
_NO_SPARSE = "tensors are dense NumPy/CuPy arrays, there are no sparse layouts"

# torch names (first component after the package) whose behaviour minidl leaves out by
# design, with the reason; everything else missing is "not implemented (yet)".
OUT_OF_SCOPE = {
    "torch.jit": _NO_COMPILER,
    "torch._dynamo": _NO_COMPILER,
    "torch.fx": _NO_COMPILER,
    "torch.export": _NO_COMPILER,
    "torch.sparse": _NO_SPARSE,
    "torch.sparse_coo_tensor": _NO_SPARSE,
    "torch.sparse_csr_tensor": _NO_SPARSE,
    "torch.Tensor.to_sparse": _NO_SPARSE,
    "torch.Tensor.is_sparse": _NO_SPARSE,
}


def missing_message(torch_name: str) -> str:
    """The one-line message for a PyTorch name that minidl does not provide."""
    for name, reason in OUT_OF_SCOPE.items():
        if torch_name == name or torch_name.startswith(name + "."):
            return f"{name} is out of scope for minidl: {reason}"
    return f"minidl does not implement {torch_name} (yet)"


class NotImplementedInMinidl(AttributeError, NotImplementedError):
    """A PyTorch attribute, function or class that minidl does not provide."""

    def __init__(self, torch_name: str):
        super().__init__(missing_message(torch_name))
        self.torch_name = torch_name


class TorchModuleNotInMinidl(ModuleNotFoundError):
    """A PyTorch module that minidl does not provide."""

    def __init__(self, torch_name: str):
        # no ``name``: ``from torchvision import models`` would otherwise swallow this
        # error and raise Python's vaguer "cannot import name 'models'" instead
        super().__init__(missing_message(torch_name))
        self.torch_name = torch_name
