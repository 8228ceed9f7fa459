"""Reverse-mode differentiation: walk the graph from an output back to the leaves.

The graph is made of Function nodes (``tensor.grad_fn``), each linked to the nodes that
computed its inputs when it ran (``fn.input_nodes``; None for a leaf).  ``run_backward``
orders the nodes so that each is visited only after every node that uses its output (a
topological order), then applies the chain rule node by node, summing the gradients that
reach one tensor along several paths.

Hooks (:mod:`.hooks`): a node's gradient hooks (``tensor.register_hook`` on the tensor it
computed) run on the summed gradient before the node's backward; a leaf's gradient hooks
and post-accumulate hooks run once its last incoming edge has been processed, i.e. when its
gradient for this pass is complete; the callbacks queued during the pass run when it ends.
"""
from __future__ import annotations

import numpy as np

from .hooks import CallbackQueue, grad_hooks, post_accumulate_hooks, run_grad_hooks
from .saved import memory_owner


def topological_order(root_fn) -> list:
    """The Function nodes reachable from ``root_fn``, each after all nodes that consume it.

    A depth-first search that lists a node once every node it reaches is listed (post
    order); reversed, that puts each node before the nodes that produced its inputs.  The
    search keeps its own stack instead of recursing, so a graph deeper than Python's
    recursion limit (a long loop of small operations, an unrolled RNN) is fine.  Each
    stack entry is ``(node, expanded)``: popped the first time (``expanded`` False) a node
    is marked visited and pushed back with ``expanded`` True, above its inputs' nodes;
    popped the second time, all those nodes below it are done, so it goes to the list.
    """
    post_order = []
    visited = set()
    stack = [(root_fn, False)]
    while stack:
        fn, expanded = stack.pop()
        if expanded:  # every node reachable from fn is in post_order already
            post_order.append(fn)
            continue
        if id(fn) in visited:  # pushed twice (shared by two consumers): listed once
            continue
        visited.add(id(fn))
        stack.append((fn, True))  # comes back after the nodes pushed next
        for child in fn.input_nodes:
            if child is not None and id(child) not in visited:
                stack.append((child, False))
    post_order.reverse()
    return post_order


def accumulate_into(tensor, grad, claimed: set) -> None:
    """``tensor.grad += grad``; the first time, ``tensor.grad`` becomes ``grad`` itself.

    ``grad`` is copied unless it has its memory to itself: it is the array that owns that
    memory, or a C-contiguous view of all of it (a reshaped or transposed-back product),
    and no other tensor received that memory in this pass (``claimed`` holds the ids of
    the owning arrays already handed out).  So no two ``.grad`` arrays ever share memory,
    and an in-place change of one (gradient clipping) cannot leak into another.
    """
    from ..tensor import Tensor

    if grad.dtype != tensor.dtype:
        grad = grad.astype(tensor.dtype)
    if tensor.grad is not None:
        tensor.grad = Tensor._from_array(tensor.grad.array + grad)
        return
    owner = memory_owner(grad)
    if id(owner) in claimed or not (owner is grad or (
            grad.flags.c_contiguous and grad.nbytes == owner.nbytes)):
        grad = owner = grad.copy()
    claimed.add(id(owner))
    tensor.grad = Tensor._from_array(grad)


def hooked_leaves(order) -> dict:
    """``{id(leaf): [leaf, number of edges into it, summed gradient]}`` for the leaves with
    hooks (gradient or post-accumulate) that the nodes of ``order`` feed.  A leaf with
    gradient hooks collects its gradients here until its last edge is done, so its hooks
    see the pass's whole gradient once, as in PyTorch."""
    waiting: dict = {}
    for fn in order:
        for value, node, needed in zip(fn.inputs, fn.input_nodes, fn.needs_input_grad):
            if needed and node is None and (post_accumulate_hooks(value)
                                            or grad_hooks(value)):
                waiting.setdefault(id(value), [value, 0, None])[1] += 1
    return waiting


def run_post_accumulate_hooks(tensor) -> None:
    for hook in list((post_accumulate_hooks(tensor) or {}).values()):
        hook(tensor)


def accumulate_into_leaf(tensor, grad) -> None:
    """``backward()`` called on a leaf: its gradient is ``grad``, and its hooks run."""
    if grad_hooks(tensor):
        grad = run_grad_hooks(grad_hooks(tensor), grad)
    accumulate_into(tensor, grad, claimed={id(memory_owner(grad))})
    if post_accumulate_hooks(tensor):
        run_post_accumulate_hooks(tensor)


def count_down_leaves(fn, waiting: dict, reached: set, claimed: set) -> None:
    """``fn`` is done: its edges into hooked leaves are spent; a leaf whose last edge this
    was has its complete gradient: its gradient hooks run on it, it is added into
    ``.grad``, and the post-accumulate hooks run (if a gradient reached it)."""
    for value, needed in zip(fn.inputs, fn.needs_input_grad):
        entry = waiting.get(id(value)) if needed else None
        if entry is None:
            continue
        entry[1] -= 1
        if entry[1] == 0:
            del waiting[id(value)]
            if entry[2] is not None:
                accumulate_into(value, run_grad_hooks(grad_hooks(value), entry[2]), claimed)
            if id(value) in reached and post_accumulate_hooks(value):
                run_post_accumulate_hooks(value)


def run_backward(root, grad, retain_graph: bool = False) -> None:
    """Propagate ``grad`` (dL/d root, a raw array) to every leaf that requires a gradient.
    NumPy's floating point warnings are off meanwhile: an inf or NaN the forward pass made
    flows through the gradients without a word, as in PyTorch (a GradScaler run then
    skips the step)."""
    with np.errstate(all="ignore"):
        _propagate(root, grad, retain_graph)


def _propagate(root, grad, retain_graph: bool) -> None:
    pending = {id(root.grad_fn): grad}
    claimed = {id(memory_owner(grad))}  # the caller's memory: handed out only as a copy
    order = topological_order(root.grad_fn)
    waiting = hooked_leaves(order)
    reached: set = set()  # the leaves a gradient has reached in this pass
    with CallbackQueue() as callbacks:
        for fn in order:
            grad_output = pending.pop(id(fn), None)
            if grad_output is not None:
                apply_node(fn, grad_output, pending, claimed, reached, waiting)
                if not retain_graph:
                    fn.release()
            if waiting:
                count_down_leaves(fn, waiting, reached, claimed)
        while callbacks:
            callbacks.pop(0)()


def check_node_usable(fn) -> None:
    """Errors before a node's backward runs (either walk): its saved values freed by an
    earlier backward, or changed in place since it saved them."""
    if fn._released:
        raise RuntimeError(
            f"backward through {fn.name()} a second time: its saved values were freed "
            "after the first backward; pass retain_graph=True to the first backward")
    fn.check_saved_versions()


def apply_node(fn, grad_output, pending: dict, claimed: set, reached: set,
               waiting: dict) -> None:
    """The chain rule at one node: the gradient hooks of its output first, then its
    inputs' gradients, into ``pending`` (computed inputs), ``.grad`` (leaves, noted in
    ``reached``) or ``waiting`` (leaves whose gradient hooks wait for the whole sum)."""
    check_node_usable(fn)
    if grad_hooks(fn):
        grad_output = run_grad_hooks(grad_hooks(fn), grad_output)
    if fn.retained_output is not None:
        accumulate_into(fn.retained_output, grad_output, claimed)
    grads = fn.backward(grad_output)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(fn.inputs):
        raise RuntimeError(f"{fn.name()} returned {len(grads)} gradients "
                           f"for {len(fn.inputs)} inputs")
    for value, node, needed, g in zip(fn.inputs, fn.input_nodes, fn.needs_input_grad,
                                      grads):
        if not needed or g is None:
            continue
        if g.shape != value.shape:
            raise RuntimeError(f"{fn.name()} returned a gradient of shape "
                               f"{tuple(g.shape)} for an input of shape {value.shape}")
        if node is None:  # a leaf
            entry = waiting.get(id(value))
            if entry is not None and grad_hooks(value):
                entry[2] = g if entry[2] is None else entry[2] + g
            else:
                accumulate_into(value, g, claimed)
            reached.add(id(value))
        else:
            key = id(node)
            pending[key] = g if key not in pending else pending[key] + g
