"""Reverse-mode differentiation: walk the graph from an output back to the leaves.

The graph is made of Function nodes (``tensor.grad_fn``) linked through their input
Tensors.  ``run_backward`` orders the nodes so that each is visited only after every node
that uses its output (a topological order), then applies the chain rule node by node,
summing the gradients that reach one tensor along several paths.
"""
from __future__ import annotations


def topological_order(root_fn) -> list:
    """The Function nodes reachable from ``root_fn``, each after all nodes that consume it."""
    post_order = []
    visited = set()
    stack = [(root_fn, False)]
    while stack:
        fn, expanded = stack.pop()
        if expanded:
            post_order.append(fn)
            continue
        if id(fn) in visited:
            continue
        visited.add(id(fn))
        stack.append((fn, True))
        for value in fn.inputs:
            child = getattr(value, "grad_fn", None)
            if child is not None and id(child) not in visited:
                stack.append((child, False))
    post_order.reverse()
    return post_order


def _accumulate_into(tensor, grad) -> None:
    """``tensor.grad += grad``, creating ``tensor.grad`` (a fresh array) the first time."""
    from ..tensor import Tensor

    if grad.dtype != tensor.dtype:
        grad = grad.astype(tensor.dtype)
    if tensor.grad is None:
        tensor.grad = Tensor._from_array(grad.copy())
    else:
        tensor.grad = Tensor._from_array(tensor.grad.data + grad)


def run_backward(root, grad, retain_graph: bool = False) -> None:
    """Propagate ``grad`` (dL/d root, a raw array) to every leaf that requires a gradient."""
    pending = {id(root.grad_fn): grad}
    for fn in topological_order(root.grad_fn):
        grad_output = pending.pop(id(fn), None)
        if grad_output is None:
            continue
        if fn._released:
            raise RuntimeError(
                f"backward through {fn.name} a second time: its saved values were freed "
                "after the first backward; pass retain_graph=True to the first backward")
        if fn.retained_output is not None:
            _accumulate_into(fn.retained_output, grad_output)
        grads = fn.backward(grad_output)
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) != len(fn.inputs):
            raise RuntimeError(f"{fn.name}.backward returned {len(grads)} gradients "
                               f"for {len(fn.inputs)} inputs")
        for value, needed, g in zip(fn.inputs, fn.needs_input_grad, grads):
            if not needed or g is None:
                continue
            if g.shape != value.shape:
                raise RuntimeError(f"{fn.name}.backward returned a gradient of shape "
                                   f"{tuple(g.shape)} for an input of shape {value.shape}")
            if value.grad_fn is None:
                _accumulate_into(value, g)
            else:
                key = id(value.grad_fn)
                pending[key] = g if key not in pending else pending[key] + g
        if not retain_graph:
            fn.release()
