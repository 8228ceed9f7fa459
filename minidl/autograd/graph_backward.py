"""Backward with ``create_graph=True``: gradients that can be differentiated again.

A gradient penalty (WGAN-GP, R1) differentiates a gradient: g = d critic(x) / dx is
itself the output of a graph whose second backward reaches the critic's weights.  The
ordinary backward (:mod:`.engine`) runs on raw arrays and records nothing, so with
``create_graph=True`` a second walk over the same nodes runs instead: the gradients are
Tensors and each node's ``backward_graph(grad, needs)`` computes its inputs' gradients
with recorded minidl operations (which are in turn differentiable).

``needs[i]`` says whether input i's gradient is wanted in this pass (``autograd.grad``
asks only for what reaches the requested inputs, so a node never computes a term it
cannot build).  A node that needs one of its inputs' values as a differentiable Tensor
gets it with :func:`operand`: a leaf or a constant is kept in ``fn.inputs``; a computed
input is rebuilt from the array the node saved, linked to the node that computed it
(what PyTorch does when it unpacks a saved variable), so the second backward flows on
through that node to the leaves.  A Function without ``backward_graph`` stops the pass
with a NotImplementedError naming it: a missing term would be a silently wrong gradient.
"""
from __future__ import annotations

import numpy as np

from .engine import check_node_usable, topological_order
from .grad_mode import enable_grad
from .hooks import CallbackQueue, grad_hooks, post_accumulate_hooks


class _Roots:
    """A stand-in node whose inputs are the roots' nodes (one walk for several outputs)."""

    def __init__(self, nodes):
        self.input_nodes = tuple(nodes)


def unsupported(fn) -> NotImplementedError:
    return NotImplementedError(
        f"create_graph=True through {type(fn).__name__} ({fn.name()}) is not supported yet")


def operand(fn, i: int, array):
    """Input ``i`` of node ``fn`` as a Tensor for a gradient graph, given ``array``, the
    value the node saved for it: the leaf or constant Tensor the node kept, a constant
    for a raw array or number, or for a computed input a Tensor on ``array`` whose
    ``grad_fn`` is the node that computed it."""
    from ..tensor import Tensor

    node = fn.input_nodes[i]
    if node is not None:
        if array is None:
            raise unsupported(fn)
        return Tensor._from_array(array, True, node)
    value = fn.inputs[i]
    if isinstance(value, Tensor):
        return value
    return Tensor._from_array(array)


def output(fn, array):
    """The output of node ``fn`` as a Tensor for a gradient graph, given ``array``, the
    output it saved: a Tensor on it whose ``grad_fn`` is ``fn`` itself (PyTorch's saved
    result), so a derivative written in terms of y = f(x) (tanh: 1 - y²) is differentiated
    again through ``fn`` to x."""
    from ..tensor import Tensor

    if array is None:
        raise unsupported(fn)
    return Tensor._from_array(array, True, fn)


def _apply_hooks(table, grad):
    """``grad`` (a Tensor) through the hooks of ``table``; a returned Tensor replaces it."""
    for hook in list((table or {}).values()):
        result = hook(grad)
        if result is not None:
            if tuple(result.shape) != tuple(grad.shape):
                raise RuntimeError(f"gradient hook {getattr(hook, '__name__', hook)!r} "
                                   f"returned a Tensor of shape {tuple(result.shape)}, "
                                   f"expected {tuple(grad.shape)}")
            grad = result
    return grad


def _useful_nodes(order, target_leaves: dict, target_nodes: dict) -> set:
    """The ids of the nodes whose backward leads to a requested input."""
    useful: set = set()
    for fn in reversed(order):  # every node after the nodes of its inputs
        for value, node, needed in zip(fn.inputs, fn.input_nodes, fn.needs_input_grad):
            if needed and _reaches(value, node, useful, target_leaves, target_nodes):
                useful.add(id(fn))
                break
    return useful


def _reaches(value, node, useful, target_leaves, target_nodes) -> bool:
    if node is None:
        return id(value) in target_leaves
    return id(node) in useful or id(node) in target_nodes


def run_backward_graph(roots, grads, targets=None, retain_graph: bool = True):
    """Propagate the Tensors ``grads`` (d L / d root, one per root) with recorded
    operations.  With ``targets`` None, every leaf that requires grad gets its gradient
    added into ``.grad`` (``tensor.backward(create_graph=True)``); otherwise the gradients
    of the ``targets`` are returned (None where none arrives) and ``.grad`` is untouched."""
    with enable_grad(), np.errstate(all="ignore"), CallbackQueue() as callbacks:
        result = _propagate(roots, grads, targets, retain_graph)
        while callbacks:
            callbacks.pop(0)()
    return result


def _propagate(roots, grads, targets, retain_graph: bool):
    pending: dict = {}
    leaf_grads: dict = {}  # id(leaf) -> [leaf, summed gradient]
    for root, grad in zip(roots, grads):
        if root.grad_fn is None:  # a leaf output: d root / d root = 1
            _add_leaf_grad(leaf_grads, root, grad)
            continue
        key = id(root.grad_fn)
        pending[key] = grad if key not in pending else pending[key] + grad
    order = topological_order(_Roots([root.grad_fn for root in roots
                                      if root.grad_fn is not None]))[1:]
    target_leaves: dict = {}
    target_nodes: dict = {}
    useful = None
    if targets is not None:
        for index, x in enumerate(targets):
            table = target_leaves if x.grad_fn is None else target_nodes
            table.setdefault(id(x if x.grad_fn is None else x.grad_fn), []).append(index)
        useful = _useful_nodes(order, target_leaves, target_nodes)
    caught: dict = {}      # id(target node) -> its gradient
    for fn in order:
        grad = pending.pop(id(fn), None)
        if grad is None:
            continue
        check_node_usable(fn)
        if grad_hooks(fn):
            grad = _apply_hooks(grad_hooks(fn), grad)
        if targets is None:
            if fn.retained_output is not None:
                _accumulate(fn.retained_output, grad)
        elif id(fn) in target_nodes:
            caught[id(fn)] = grad
        if useful is not None and id(fn) not in useful:
            continue
        _apply_node(fn, grad, pending, leaf_grads, useful, target_leaves, target_nodes)
        if not retain_graph:
            fn.release()
    if targets is None:
        for leaf, grad in leaf_grads.values():
            _accumulate(leaf, _apply_hooks(grad_hooks(leaf), grad))
            for hook in list((post_accumulate_hooks(leaf) or {}).values()):
                hook(leaf)
        return None
    answer: list = [None] * len(targets)
    for table, found in ((target_leaves, {k: v[1] for k, v in leaf_grads.items()}),
                         (target_nodes, caught)):
        for key, indices in table.items():
            for index in indices:
                answer[index] = found.get(key)
    return answer


def _apply_node(fn, grad, pending, leaf_grads, useful, target_leaves, target_nodes):
    backward_graph = getattr(fn, "backward_graph", None)
    if backward_graph is None:
        raise unsupported(fn)
    if useful is None:
        needs = tuple(fn.needs_input_grad)
    else:
        needs = tuple(bool(needed) and _reaches(value, node, useful, target_leaves,
                                                target_nodes)
                      for value, node, needed in zip(fn.inputs, fn.input_nodes,
                                                     fn.needs_input_grad))
    grads = backward_graph(grad, needs)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(fn.inputs):
        raise RuntimeError(f"{fn.name()} returned {len(grads)} gradients "
                           f"for {len(fn.inputs)} inputs")
    for value, node, needed, g in zip(fn.inputs, fn.input_nodes, needs, grads):
        if not needed or g is None:
            continue
        if tuple(g.shape) != tuple(value.shape):
            raise RuntimeError(f"{fn.name()} returned a gradient of shape "
                               f"{tuple(g.shape)} for an input of shape {value.shape}")
        if g.dtype != value.dtype:
            g = g.to(value.dtype)
        if node is None:
            _add_leaf_grad(leaf_grads, value, g)
        else:
            key = id(node)
            pending[key] = g if key not in pending else pending[key] + g


def _add_leaf_grad(leaf_grads: dict, leaf, grad) -> None:
    entry = leaf_grads.get(id(leaf))
    if entry is None:
        leaf_grads[id(leaf)] = [leaf, grad]
    else:
        entry[1] = entry[1] + grad


def _accumulate(tensor, grad) -> None:
    """``tensor.grad`` becomes ``grad`` (a graph Tensor), or the recorded sum with it."""
    if grad.dtype != tensor.dtype:
        grad = grad.to(tensor.dtype)
    tensor.grad = grad if tensor.grad is None else tensor.grad + grad
