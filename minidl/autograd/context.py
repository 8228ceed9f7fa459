"""PyTorch's way of writing a custom autograd Function: static methods and a context.

    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x ** 2

    y = Cube.apply(x)

minidl's own Functions work on raw arrays with instance methods (:mod:`.function`).  A
subclass whose ``forward`` is a static method is PyTorch-style and runs through
:class:`ContextFunction`: its ``forward`` gets Tensors, with recording off (as in
PyTorch), and a :class:`FunctionCtx` to keep what backward needs; its ``backward`` gets
the output's gradient as a Tensor and returns one gradient Tensor (or None) per input.
Saved tensors changed in place before backward raise PyTorch's error, as for every node.
"""
from __future__ import annotations

from .function import Function
from .grad_mode import no_grad


class FunctionCtx:
    """The ``ctx`` of a PyTorch-style Function: what forward leaves for backward."""

    def __init__(self, needs_input_grad: tuple):
        self.needs_input_grad = needs_input_grad
        self.saved_tensors = ()

    def save_for_backward(self, *tensors) -> None:
        self.saved_tensors = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """Accepted; minidl records one output per Function, differentiable when floating."""

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted; backward always receives the gradient as a Tensor."""


class ContextFunction(Function):
    """The graph node for a PyTorch-style Function ``user`` (kept in a slot, so the node
    still prints its name after backward has released what it saved)."""

    __slots__ = ("user",)

    def forward(self, *arrays, user, inputs):
        from ..tensor import Tensor

        self.user = user
        self.ctx = FunctionCtx(self.needs_input_grad)
        with no_grad():
            output = user.forward(self.ctx, *inputs)
        if not isinstance(output, Tensor):
            raise TypeError(f"{user.__name__}.forward must return one Tensor, got "
                            f"{type(output).__name__} (minidl's Functions have one output)")
        self.save_for_backward(*(t.array for t in self.ctx.saved_tensors
                                 if isinstance(t, Tensor)))
        return output.array

    def backward(self, grad):
        from ..tensor import Tensor

        with no_grad():
            grads = self.user.backward(self.ctx, Tensor._from_array(grad))
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) != len(self.needs_input_grad):
            raise RuntimeError(f"{self.user.__name__}.backward returned {len(grads)} "
                               f"gradients, expected {len(self.needs_input_grad)} (one per "
                               "input of forward)")
        return tuple(g.array if isinstance(g, Tensor) else g for g in grads)

    def name(self) -> str:
        return f"{self.user.__name__}Backward"


def apply_with_context(user, inputs, options):
    """``user.apply(*inputs)`` for a PyTorch-style Function ``user``."""
    if options:
        raise TypeError(f"{user.__name__}.apply takes its inputs positionally, got keyword "
                        f"arguments {sorted(options)}")
    return ContextFunction.apply(*inputs, user=user, inputs=inputs)
