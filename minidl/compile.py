"""``torch.compile`` and ``torch.compiler``: minidl runs every model eagerly, so compiling
is the identity.

PyTorch's contract for ``torch.compile`` is that the compiled model or function gives the
results of the original; minidl has no graph compiler, so it returns the model or
function itself, which meets that contract trivially (without the speed-up).  All of
PyTorch's forms work::

    model = torch.compile(model)
    model = torch.compile(model, mode="max-autotune", fullgraph=True)

    @torch.compile
    def step(x): ...

    @torch.compile(dynamic=True)
    def step(x): ...

``torch.compiler`` (:data:`compiler`) answers ``is_compiling()`` (False: nothing ever
runs under a compiler) and gives the identity decorators ``disable`` and
``allow_in_graph``, and a no-op ``reset``.
"""
from __future__ import annotations

import types

__all__ = ["compile", "compiler"]

_BACKENDS = ("inductor", "eager", "aot_eager", "cudagraphs")


def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend="inductor",  # noqa: A001
            mode=None, options=None, disable: bool = False):
    """``model`` itself (a module or a function): minidl runs it eagerly, with the same
    results a compiled one gives.  Without ``model``, a decorator that does the same."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if model is None:
        def decorator(fn):
            return compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                           mode=mode, options=options, disable=disable)
        return decorator
    if not callable(model):
        raise RuntimeError(f"torch.compile: expected a callable model or function, got "
                           f"{type(model).__name__}")
    return model


def _is_compiling() -> bool:
    """False: minidl never runs code under a compiler."""
    return False


def _disable(fn=None, recursive: bool = True, *, reason=None):
    """The identity decorator (``torch.compiler.disable``)."""
    if fn is None:
        return lambda f: f
    return fn


def _allow_in_graph(fn):
    return fn


def _reset() -> None:
    """Nothing to reset: minidl keeps no compiled code."""


def _list_backends(exclude_tags=("debug", "experimental")) -> list:
    return sorted(_BACKENDS)


compiler = types.ModuleType("minidl.compiler", "torch.compiler: minidl has no compiler; "
                            "is_compiling() is always False.")
_COMPILER_NAMES = {"is_compiling": _is_compiling, "is_dynamo_compiling": _is_compiling,
                   "disable": _disable, "allow_in_graph": _allow_in_graph, "reset": _reset,
                   "list_backends": _list_backends}
for _name, _value in _COMPILER_NAMES.items():
    setattr(compiler, _name, _value)
setattr(compiler, "__all__", sorted(_COMPILER_NAMES))  # noqa: B010  (a module built here)
