"""``torch.utils.checkpoint``: activation checkpointing, under PyTorch's names.

    out = checkpoint(block, x, use_reentrant=False)
    out = checkpoint_sequential(model, 2, x, use_reentrant=False)

PyTorch's checkpoint trades compute for memory: it drops the activations of ``function``
after the forward pass and recomputes them during backward.  Its contract is that the
results and gradients are those of calling ``function`` directly, and that is what minidl
gives: it runs ``function`` once, normally, and keeps its graph (no memory is saved; the
saving is an optimisation minidl leaves out).  So ``preserve_rng_state`` has nothing to
do (random operations run once), and the gradients are exactly those of the plain call.

As in PyTorch, ``use_reentrant`` should be passed (a warning otherwise, and the default is
the reentrant variant); with ``use_reentrant=True`` extra keyword arguments are an error,
and when no tensor argument requires grad the output records no graph (PyTorch's warning
"None of the inputs have requires_grad=True. Gradients will be None").
"""
from __future__ import annotations

import warnings

__all__ = ["checkpoint", "checkpoint_sequential"]


def _warn_use_reentrant(name: str) -> None:
    warnings.warn(f"{name}: the use_reentrant parameter should be passed explicitly. "
                  "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will "
                  "raise an exception. use_reentrant=False is recommended, but if you need "
                  "to preserve the current default behavior, you can pass "
                  "use_reentrant=True. Refer to docs for more details on the differences "
                  "between the two variants.", stacklevel=3)


def checkpoint(function, *args, use_reentrant=None, context_fn=None,
               determinism_check: str = "default", debug: bool = False, **kwargs):
    """``function(*args, **kwargs)``, with the same results and gradients (see the module
    docstring: minidl runs it once and keeps its graph)."""
    from ..autograd.grad_mode import is_grad_enabled, no_grad
    from ..tensor import Tensor

    if use_reentrant is None:
        _warn_use_reentrant("torch.utils.checkpoint")
        use_reentrant = True
    kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not None or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        if is_grad_enabled() and not any(isinstance(a, Tensor) and a.requires_grad
                                         for a in args):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be "
                          "None", stacklevel=2)
            with no_grad():
                return function(*args)
        return function(*args)
    if context_fn is not None:
        forward_context, recompute_context = context_fn()
        with forward_context:
            return function(*args, **kwargs)
    return function(*args, **kwargs)


def checkpoint_sequential(functions, segments: int, input, use_reentrant=None, **kwargs):
    """Run the modules of ``functions`` (an ``nn.Sequential`` or a list) in order, the first
    ``segments - 1`` segments each through :func:`checkpoint`, as PyTorch splits them."""
    from ..nn import Sequential

    if use_reentrant is None:
        _warn_use_reentrant("torch.utils.checkpoint.checkpoint_sequential")
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start, end, functions):
        def forward(input):
            for j in range(start, end + 1):
                input = functions[j](input)
            return input
        return forward

    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input,
                           use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
