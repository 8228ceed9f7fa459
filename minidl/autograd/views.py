"""In-place changes and views: keeping the graph right when memory is shared.

``v = base.reshape(...)`` (or a slice, a transpose, ...) shares base's memory, so
``v.relu_()`` changes base too, and ``base.mul_(3)`` changes v.  PyTorch keeps the graph
right in both cases; so does minidl, the same way.

**A change made through a view** (PyTorch's ``CopySlices``).  With r = op(v_old) the op's
result and P (v's shape) the flat index in base of each element of v, the graph gets

    base_new = base_old with its elements at P replaced by r        (``WriteThroughView``)
    v_new    = base_new's elements at P, in v's shape                (``ViewOfBase``)

and backward follows the chain rule through them:

    dL/dbase_old = dL/dbase_new, 0 at P   (those values were replaced)
    dL/dr        = dL/dbase_new at P
    dL/dbase_new = what later uses of base send, + dL/dv_new scattered to P.

**Views made before a change** (of base, or through another view) still hold the node that
computed them from the old value.  Each records node notes the memory's version when it
made the view; once a recorded in-place change has moved the memory on, the next operation
that reads the view first gives it a fresh node, ``ViewOfBase`` of base as it is now
(``current``).

P is found from the arrays' memory (``view_positions``): each element's address (start +
Σ index·stride) in the view is looked up among base's addresses, so any view works,
whatever operations made it.
"""
from __future__ import annotations

from ..backend import array_module
from .function import Function, stale_view

STALE_VIEW_MESSAGE = ("minidl could not relate this view's elements to its base tensor's "
                      "memory; compute the new value out of place (torch.where, "
                      "masked_fill, torch.cat)")


def _addresses(xp, array):
    """The byte address of each element of ``array``, as int64, in array's shape."""
    start = array.data.ptr if hasattr(array.data, "ptr") else \
        array.__array_interface__["data"][0]
    total = xp.full(array.shape, start, dtype=xp.int64)
    for axis, (size, stride) in enumerate(zip(array.shape, array.strides)):
        along = [size if k == axis else 1 for k in range(array.ndim)]
        total += xp.arange(size, dtype=xp.int64).reshape(along) * stride
    return total


def view_positions(view, base):
    """For each element of ``view`` (an array on ``base``'s memory), the flat index, in C
    order, of the element of ``base`` it is: an int64 array of view's shape, or None when
    some element of view is no element of base."""
    xp = array_module(base)
    base_addresses = _addresses(xp, base).reshape(-1)
    order = xp.argsort(base_addresses)          # the addresses are distinct: any sort
    ordered = base_addresses[order]
    wanted = _addresses(xp, view)
    if ordered.size == 0:
        return None if view.size else xp.zeros(view.shape, dtype=xp.int64)
    found = xp.clip(xp.searchsorted(ordered, wanted), 0, ordered.size - 1)
    if not bool(xp.all(ordered[found] == wanted)):
        return None
    return order[found]


class WriteThroughView(Function):
    """base_new = base_old with base_new.flat[positions] = result (``positions`` distinct,
    of result's shape)."""

    def forward(self, base, result, *, positions):
        self.positions = positions
        new = base.copy()                      # C order: flat indices are positions
        new.reshape(-1)[positions.reshape(-1)] = result.reshape(-1)
        return new

    def backward(self, grad):
        grad_base = grad_result = None
        if self.needs_input_grad[0]:
            grad_base = grad.copy()
            grad_base.reshape(-1)[self.positions.reshape(-1)] = 0
        if self.needs_input_grad[1]:
            grad_result = grad.reshape(-1)[self.positions]
        return grad_base, grad_result


class ViewOfBase(Function):
    """v = base.flat[positions], in positions' shape; dL/dbase = dL/dv scattered back to
    ``positions``, zero elsewhere."""

    def forward(self, base, *, positions):
        self.positions, self.base_shape = positions, base.shape
        return base.reshape(-1)[positions]

    def backward(self, grad):
        grad_base = array_module(grad).zeros(self.base_shape, dtype=grad.dtype)
        grad_base.reshape(-1)[self.positions.reshape(-1)] = grad.reshape(-1)
        return (grad_base,)


def note_view(node, counter) -> None:
    """Note on ``node``, which has just made a view, the version of the view's memory."""
    node.view_version = counter.value


def current(tensor):
    """``tensor``, with a fresh node (``ViewOfBase`` of its base as it is now) if it is a
    stale view (``function.stale_view``)."""
    if stale_view(tensor):
        _take_node_from_base(tensor)
    return tensor


def _take_node_from_base(view) -> None:
    """Make ``view``'s node ViewOfBase(base) (the base's current node as its input)."""
    base = view._base
    positions = view_positions(view.array, base.array)
    if positions is None:
        raise RuntimeError(STALE_VIEW_MESSAGE)
    fresh = ViewOfBase.apply(base, positions=positions)
    note_view(fresh.grad_fn, view._version_counter)
    view.grad_fn, view._requires_grad = fresh.grad_fn, True


def record_write_through_view(view, result) -> None:
    """After ``view``'s memory took ``result``'s values (an in-place op on the view,
    recorded): base takes WriteThroughView(base_old, result)'s place in the graph, and
    ``view`` ViewOfBase(base)'s."""
    from ..tensor import Tensor

    base = view._base
    positions = view_positions(view.array, base.array)
    if positions is None:
        raise RuntimeError(STALE_VIEW_MESSAGE)
    old_base = Tensor._from_array(base.array, base.requires_grad, base.grad_fn)
    new_base = WriteThroughView.apply(old_base, result, positions=positions)
    base.grad_fn, base._requires_grad = new_base.grad_fn, True
    _take_node_from_base(view)
