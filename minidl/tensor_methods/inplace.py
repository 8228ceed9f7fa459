"""In-place changes of a Tensor: ``x.add_(y)``, ``x += y``, ``x.copy_(y)``, ``x.clamp_()``, ...

The memory changes and its version counter moves on (``autograd/saved.py``).  With grad mode
on and the tensor or an operand requiring grad, the change is recorded: the op is computed out
of place from a copy of the old value, and the tensor takes the result's place in the graph
(``_inplace``; through a view, ``autograd/views.py``).  ``x[i] = v`` (``Tensor.__setitem__``,
in ``tensor.py``) and the random fills (``sampling.py``) go through the same machinery.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..autograd import views
from ..autograd.function import notify_in_place
from ..autograd.grad_mode import is_grad_enabled
from ..backend import array_module, to_device
from ..dtypes import can_cast
from ..ops.elementwise import Where
from .base import TensorMethods, _as_tensor

if TYPE_CHECKING:
    from ..tensor import Tensor  # bound at run time by bind(), in __init__.py


class InPlaceMethods(TensorMethods):
    """Changing a tensor's memory in place, recorded in the graph when needed."""

    __slots__ = ()

    def _bump_version(self) -> None:
        """Note that the memory was changed in place (optimizers call this after a step)."""
        self._version_counter.bump()

    def _records(self, *operands) -> bool:
        """Whether an in-place change of self with ``operands`` goes into the graph."""
        return is_grad_enabled() and (self.requires_grad or any(
            isinstance(o, Tensor) and o.requires_grad for o in operands))

    def _check_recordable(self) -> None:
        """PyTorch's refusals of in-place changes that the graph can't take."""
        if self.is_leaf and self.requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        base = self._base
        if base is not None and base.is_leaf and base.requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used "
                               "in an in-place operation.")

    def _old_value(self) -> Tensor:
        """A copy of self's value in self's place in the graph: what a recorded in-place op
        reads (and may save for backward) before self takes the result's place."""
        return Tensor._from_array(self.array.copy(), self.requires_grad, self.grad_fn)

    def _write(self, op: str, store, source: Tensor | None = None) -> None:
        """``store(self.array)`` changes the memory; then the version counter moves on.
        ``source``: the tensor whose values self now holds, when one does (for a tracer
        watching the operations; see ``notify_in_place``)."""
        if not getattr(self.array.flags, "writeable", True):
            raise RuntimeError(f"{op}: this tensor's memory is read-only (an expanded view, "
                               "whose elements share memory, or a read-only NumPy array); "
                               "clone() it first")
        try:
            store(self.array)
        except ValueError as error:
            raise RuntimeError(f"{op}: {error}") from None
        self._version_counter.bump()
        notify_in_place(op, self, source)

    def _inplace(self, op: str, compute, *operands) -> Tensor:
        """Make ``compute(self)`` (the op's result, computed out of place) self's new value.

        When the change is recorded (grad mode on, and self or an operand requires grad),
        ``compute`` reads a copy of the old self and self then takes the result's place in
        the graph, so backward goes through the op, as in PyTorch.
        """
        records = self._records(*operands)
        if records:
            self._check_recordable()
            views.current(self)
        result = compute(self._old_value() if records else self)
        if not can_cast(result.dtype, self.dtype):
            raise RuntimeError(f"{op}: result type {result.dtype} can't be cast to the "
                               f"desired output type {self.dtype}")
        if result.shape != self.shape:
            raise RuntimeError(f"{op}: output with shape {list(self.shape)} doesn't match "
                               f"the broadcast shape {list(result.shape)}")
        if result.dtype != self.dtype:
            result = result._cast(self.dtype)
        self._write(op, lambda array: array.__setitem__(Ellipsis, result.array), result)
        if records and result.requires_grad:
            old_node = self.grad_fn
            if self._base is not None:          # base and self rebased (``views.py``)
                views.record_write_through_view(self, result)
            else:
                self.grad_fn, self._requires_grad = result.grad_fn, True
            if old_node is not None and old_node.retained_output is self:  # retain_grad()
                old_node.retained_output, self.grad_fn.retained_output = None, self
            self._version_counter.rewritten = self._version_counter.value
        return self

    def copy_(self, source, non_blocking: bool = False) -> Tensor:
        """Copy ``source`` (broadcast, converted to self's dtype, from any device) into self;
        differentiable with respect to ``source``."""
        if not self._records(source):
            array = source.array if isinstance(source, Tensor) else source
            array = to_device(array_module(array).asarray(array), self.device)
            whole = isinstance(source, Tensor) and source.shape == self.shape \
                and source.dtype == self.dtype
            self._write("copy_", lambda target: target.__setitem__(Ellipsis, array),
                        source if whole else None)
            return self
        source = source if isinstance(source, Tensor) else _as_tensor(source, self)
        source = source if source.dtype == self.dtype else source._cast(self.dtype)
        everywhere = array_module(self.array).asarray(True)
        # recorded as where(True, source, self): the gradient goes to source, none to old self
        return self._inplace("copy_", lambda old: Where.apply(everywhere, source, old), source)

    def fill_(self, value) -> Tensor:
        if isinstance(value, Tensor) and value.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.ndim} dimensions")
        return self.copy_(value)

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def add_(self, other, alpha=1) -> Tensor:
        if isinstance(alpha, Tensor):  # the old form add_(alpha, other)
            other, alpha = alpha, other
        return self._inplace("add_", lambda t: t.add(other, alpha=alpha), other)

    def sub_(self, other, alpha=1) -> Tensor:
        return self._inplace("sub_", lambda t: t.sub(other, alpha=alpha), other)

    def mul_(self, other) -> Tensor:
        return self._inplace("mul_", lambda t: t * other, other)

    def div_(self, other, *, rounding_mode=None) -> Tensor:
        return self._inplace("div_", lambda t: t.div(other, rounding_mode=rounding_mode),
                             other)

    def floor_divide_(self, other) -> Tensor:
        return self._inplace("floor_divide_", lambda t: t // other, other)

    def remainder_(self, other) -> Tensor:
        return self._inplace("remainder_", lambda t: t % other, other)

    def lerp_(self, end, weight) -> Tensor:
        return self._inplace("lerp_", lambda t: t.lerp(end, weight), end, weight)

    def pow_(self, exponent) -> Tensor:
        return self._inplace("pow_", lambda t: t ** exponent, exponent)

    def addcmul_(self, tensor1, tensor2, value=1) -> Tensor:
        """self += value * tensor1 * tensor2"""
        return self._inplace("addcmul_", lambda t: t + tensor1 * tensor2 * value,
                             tensor1, tensor2)

    def addcdiv_(self, tensor1, tensor2, value=1) -> Tensor:
        """self += value * tensor1 / tensor2"""
        return self._inplace("addcdiv_", lambda t: t + tensor1 / tensor2 * value,
                             tensor1, tensor2)

    def clamp_(self, min=None, max=None) -> Tensor:  # noqa: A002  (PyTorch's names)
        return self._inplace("clamp_", lambda t: t.clamp(min, max))

    clip_ = clamp_

    def clamp_min_(self, min) -> Tensor:  # noqa: A002
        return self.clamp_(min=min)

    def clamp_max_(self, max) -> Tensor:  # noqa: A002
        return self.clamp_(max=max)

    def masked_fill_(self, mask, value) -> Tensor:
        return self._inplace("masked_fill_", lambda t: t.masked_fill(mask, value), value)

    def neg_(self) -> Tensor:
        return self._inplace("neg_", lambda t: -t)

    def abs_(self) -> Tensor:
        return self._inplace("abs_", lambda t: t.abs())

    def exp_(self) -> Tensor:
        return self._inplace("exp_", lambda t: t.exp())

    def log_(self) -> Tensor:
        return self._inplace("log_", lambda t: t.log())

    def sqrt_(self) -> Tensor:
        return self._inplace("sqrt_", lambda t: t.sqrt())

    def sigmoid_(self) -> Tensor:
        return self._inplace("sigmoid_", lambda t: t.sigmoid())

    def tanh_(self) -> Tensor:
        return self._inplace("tanh_", lambda t: t.tanh())

    def relu_(self) -> Tensor:
        return self._inplace("relu_", lambda t: t.relu())

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __ifloordiv__(self, other):
        return self.floor_divide_(other)

    def __imod__(self, other):
        return self.remainder_(other)

    def __ipow__(self, exponent):
        return self.pow_(exponent)

    def scatter_(self, dim: int, index: Tensor, src=None, value=None, *,
                 reduce=None) -> Tensor:
        return self._inplace("scatter_",
                             lambda t: t.scatter(dim, index, src, value, reduce=reduce), src)

    def t_(self) -> Tensor:
        """Transpose a tensor of at most 2 dimensions in place (PyTorch's ``t_``)."""
        records = self._records()
        if records:
            self._check_recordable()
        result = (self._old_value() if records else self).t()
        self.array = result.array
        if records:
            self.grad_fn = result.grad_fn
        self._version_counter.bump()
        notify_in_place("t_", self, result)
        return self
