"""Hooks: functions a Module calls around its forward pass, with handles to remove them.

    handle = layer.register_forward_hook(lambda module, args, output: print(output.shape))
    model(x)          # prints the layer's output shape
    handle.remove()   # or: with layer.register_forward_hook(...): ...

PyTorch's rules: a forward pre-hook ``hook(module, args)`` runs before ``forward`` and
may return new positional arguments (a tuple, or one value); a forward hook
``hook(module, args, output)`` runs after it and may return a new output. Hooks run in
the order they were registered.
"""
from __future__ import annotations

from ...autograd.function import Function
from ...autograd.hooks import RemovableHandle

KWARGS_HOOKS = "_hooks_with_kwargs"
"""The attribute of a module holding the ids of its forward hooks registered with
``with_kwargs=True`` (the hook tables themselves hold the hooks as given)."""


def register_hook(module, table: dict, hook, prepend: bool, with_kwargs: bool):
    """Add ``hook`` to ``table`` (a module's forward or forward-pre hooks): last, or first
    with ``prepend``; noted as taking the keyword arguments with ``with_kwargs``."""
    handle = RemovableHandle(table, hook)
    if prepend:
        entries = list(table.items())
        table.clear()
        table[handle.id] = hook
        table.update((key, value) for key, value in entries if key != handle.id)
    if with_kwargs:
        module.__dict__.setdefault(KWARGS_HOOKS, set()).add(handle.id)
    return handle


def run_forward_pre_hooks(module, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    with_kwargs = module.__dict__.get(KWARGS_HOOKS, ())
    for key, hook in tuple(module._forward_pre_hooks.items()):
        if key in with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError("forward pre-hook must return None or a tuple of "
                                       f"(new_args, new_kwargs), but got {result}.")
                args, kwargs = result
            continue
        result = hook(module, args)
        if result is not None:
            args = result if isinstance(result, tuple) else (result,)
    return args, kwargs


def run_forward_hooks(module, args: tuple, kwargs: dict, output):
    with_kwargs = module.__dict__.get(KWARGS_HOOKS, ())
    for key, hook in tuple(module._forward_hooks.items()):
        result = (hook(module, args, kwargs, output) if key in with_kwargs
                  else hook(module, args, output))
        if result is not None:
            output = result
    return output


# -- backward hooks ------------------------------------------------------------------------
# ``register_full_backward_pre_hook(hook(module, grad_output))`` runs when the gradient with
# respect to the module's output is known and may return a new one; then
# ``register_full_backward_hook(hook(module, grad_input, grad_output))`` runs when the
# gradients with respect to its positional tensor inputs are known and may return new ones.
# As in PyTorch, the module's inputs and output pass through identity nodes
# (``BackwardHookIdentity``) whose backward calls the hooks: the output's node sees
# grad_output first, the input's node grad_input later.  A module whose inputs need no
# gradient gets its hooks with ``grad_input`` all None, as soon as grad_output is known.


class BackwardHookState:
    """One call of a hooked module: what its two identity nodes share."""

    def __init__(self, module, input_count: int, input_index: int | None):
        self.module = module
        self.input_count = input_count    # positional arguments of the call
        self.input_index = input_index    # the one that needs a gradient (None: none does)
        self.grad_output: tuple = ()

    def output_reached(self, grad):
        """The gradient with respect to the output: pre-hooks, then (if no input needs a
        gradient) the hooks themselves."""
        module = self.module
        for hook in tuple(module._backward_pre_hooks.values()):
            result = hook(module, (grad,))
            if result is not None:
                grad = _one_gradient(result, grad, hook)
        self.grad_output = (grad,)
        if self.input_index is None:
            self.call_hooks((None,) * self.input_count)
        return grad

    def input_reached(self, grad):
        """The gradient with respect to the input: the hooks, which may replace it."""
        grad_input = tuple(grad if i == self.input_index else None
                           for i in range(self.input_count))
        replaced = self.call_hooks(grad_input)
        return grad if replaced is None else replaced[self.input_index]

    def call_hooks(self, grad_input: tuple):
        module, replaced = self.module, None
        for hook in tuple(module._backward_hooks.values()):
            result = hook(module, grad_input, self.grad_output)
            if result is None:
                continue
            result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
            if len(result) != len(grad_input):
                raise RuntimeError(f"backward hook {getattr(hook, '__name__', hook)!r} of "
                                   f"{type(module).__name__} returned {len(result)} "
                                   f"gradients, expected {len(grad_input)} (one per "
                                   "positional input, None where there is none)")
            if self.input_index is not None:
                original = grad_input[self.input_index]
                new = _one_gradient(result[self.input_index], original, hook)
                result = tuple(new if i == self.input_index else r
                               for i, r in enumerate(result))
            grad_input = replaced = result
        return replaced


def _one_gradient(value, grad, hook):
    """A hook's replacement for ``grad`` (a Tensor): a Tensor of the same shape."""
    from ...tensor import Tensor

    value = value[0] if isinstance(value, (tuple, list)) and len(value) == 1 else value
    if not isinstance(value, Tensor) or value.shape != grad.shape:
        raise RuntimeError(f"backward hook {getattr(hook, '__name__', hook)!r} returned "
                           f"{type(value).__name__} "
                           f"{getattr(value, 'shape', '')}, expected a Tensor of shape "
                           f"{tuple(grad.shape)}")
    return value


def run_with_backward_hooks(module, args: tuple, kwargs: dict):
    """``module.forward(*args, **kwargs)`` with its inputs and output passed through the
    identity nodes that call its backward hooks."""
    from ...tensor import Tensor

    needing = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    if len(needing) > 1:
        raise NotImplementedError(
            f"{type(module).__name__}: minidl's full backward hooks support modules whose "
            f"positional inputs include at most one tensor that requires grad; this call has "
            f"{len(needing)} (arguments {needing})")
    state = BackwardHookState(module, len(args), needing[0] if needing else None)
    if needing:
        i = needing[0]
        args = args[:i] + (BackwardHookIdentity.apply(args[i], on_backward=state.input_reached),) \
            + args[i + 1:]
    output = module.forward(*args, **kwargs)
    if not isinstance(output, Tensor):
        raise NotImplementedError(
            f"{type(module).__name__}: minidl's full backward hooks support modules that "
            f"return one Tensor; this one returned {type(output).__name__}")
    if not output.requires_grad:
        return output
    return BackwardHookIdentity.apply(output, on_backward=state.output_reached)


class BackwardHookIdentity(Function):
    """``y = x``; backward hands the incoming gradient (as a Tensor) to ``on_backward`` and
    passes on what it returns."""

    def forward(self, x, on_backward):
        self.on_backward = on_backward
        return x.view()

    def backward(self, grad):
        from ...tensor import Tensor

        return self.on_backward(Tensor._from_array(grad)).array
