"""``torch.autograd.grad``: the gradients of outputs with respect to chosen inputs,
returned instead of added into ``.grad``.

    (dx,) = minidl.autograd.grad(loss, x)          # d loss / d x, x.grad untouched

One backward pass from the root r = Σ_i Σ (outputs_i ⊙ grad_outputs_i) (so several
outputs, each with its own incoming gradient, are one pass: dr/dx = Σ_i J_iᵀ g_i).  The
gradient reaching each requested input is caught on the way: a computed input's node
hands its summed gradient to a catcher (the slot ``retain_grad`` uses), a leaf's
accumulation lands in its ``.grad`` for the pass; every leaf of the graph has its
``.grad`` put back as it was afterwards, so nothing but the return value changes.

``create_graph=True`` (gradients that can themselves be differentiated, as a gradient
penalty needs) takes another walk (``graph_backward.py``): the gradients are recorded
Tensors, only the nodes on a path to a requested input run, and an operation without a
recorded backward raises NotImplementedError.
"""
from __future__ import annotations

from .engine import topological_order


class _Catcher:
    """Stands where ``retain_grad`` keeps a tensor: the engine adds the gradient of a
    computed input into ``.grad`` here."""

    __slots__ = ("dtype", "grad")

    def __init__(self, dtype):
        self.dtype, self.grad = dtype, None


def _as_tuple(value, name: str) -> tuple:
    from ..tensor import Tensor

    values = (value,) if isinstance(value, Tensor) else tuple(value)
    if not all(isinstance(v, Tensor) for v in values):
        raise TypeError(f"grad: {name} must be a Tensor or a sequence of Tensors")
    return values


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused=None, is_grads_batched: bool = False,
         materialize_grads: bool = False) -> tuple:
    """d(outputs)/d(inputs) as a tuple of Tensors, one per input (None for an input the
    outputs do not depend on, with ``allow_unused``; zeros with ``materialize_grads``)."""
    from ..tensor import Tensor

    if is_grads_batched:
        raise NotImplementedError("minidl.autograd.grad: is_grads_batched is not supported")
    outputs, inputs = _as_tuple(outputs, "outputs"), _as_tuple(inputs, "inputs")
    if not outputs:
        raise ValueError("grad: outputs must hold at least one Tensor")
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    else:
        grad_outputs = (grad_outputs,) if isinstance(grad_outputs, Tensor) \
            else tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for x in inputs:
        if not x.requires_grad:
            raise RuntimeError("grad: one of the differentiated Tensors does not require grad")
    root = None
    for output, incoming in zip(outputs, grad_outputs):
        if not output.requires_grad:
            raise RuntimeError("grad: element of outputs does not require grad and does "
                               "not have a grad_fn")
        if incoming is None:
            if output.numel() != 1:
                raise RuntimeError(f"grad: grad can be implicitly created only for scalar "
                                   f"outputs, this one has shape {output.shape}")
        elif tuple(incoming.shape) != output.shape:
            raise RuntimeError(f"grad: grad_outputs of shape {tuple(incoming.shape)} "
                               f"for an output of shape {output.shape}")
        if create_graph:
            continue
        term = output.sum() if incoming is None else (output * incoming.detach()).sum()
        root = term if root is None else root + term
    if create_graph:
        return _finish(inputs, _grad_graph(outputs, grad_outputs, inputs, retain_graph),
                       allow_unused, materialize_grads)
    assert root is not None                       # outputs is not empty
    leaves = _leaves(root)
    saved_grads = [(leaf, leaf.grad) for leaf in leaves]
    catchers = []
    for x in inputs:
        if x.grad_fn is not None:
            catchers.append((x.grad_fn, x.grad_fn.retained_output))
            x.grad_fn.retained_output = _Catcher(x.dtype)
    try:
        for leaf in leaves:
            leaf.grad = None
        root.backward(retain_graph=bool(retain_graph))
        in_graph = {id(leaf) for leaf in leaves}
        results = [x.grad_fn.retained_output.grad if x.grad_fn is not None
                   else x.grad if id(x) in in_graph else None for x in inputs]
    finally:
        for node, kept in catchers:
            node.retained_output = kept
        for leaf, kept in saved_grads:
            leaf.grad = kept
    return _finish(inputs, results, allow_unused, materialize_grads)


def _grad_graph(outputs, grad_outputs, inputs, retain_graph) -> list:
    """``create_graph=True``: the gradients as recorded Tensors, from one walk over the
    outputs' graph (each output starts with its own incoming gradient, not detached)."""
    from ..backend import array_module
    from ..tensor import Tensor
    from . import views
    from .graph_backward import run_backward_graph

    grads = []
    for output, incoming in zip(outputs, grad_outputs):
        if incoming is None:
            incoming = Tensor._from_array(
                array_module(output.array).ones(output.array.shape, dtype=output.dtype))
        elif incoming.dtype != output.dtype:
            incoming = incoming.to(output.dtype)
        grads.append(incoming)
    return run_backward_graph([views.current(output) for output in outputs], grads,
                              targets=list(inputs), retain_graph=retain_graph is not False)


def _finish(inputs, results, allow_unused, materialize_grads) -> tuple:
    answer = []
    for x, result in zip(inputs, results):
        if result is None:
            if not (allow_unused or materialize_grads):
                raise RuntimeError("grad: one of the differentiated Tensors appears to not "
                                   "have been used in the graph. Set allow_unused=True if "
                                   "this is the desired behavior.")
            result = x.new_zeros(x.shape) if materialize_grads else None
        answer.append(result)
    return tuple(answer)


def _leaves(root) -> list:
    """The leaves requiring grad that backward from ``root`` adds into."""
    leaves, seen = [], set()
    for fn in topological_order(root.grad_fn):
        for value, node, needed in zip(fn.inputs, fn.input_nodes, fn.needs_input_grad):
            if needed and node is None and id(value) not in seen:
                seen.add(id(value))
                leaves.append(value)
    return leaves


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             inputs=None) -> None:
    """``torch.autograd.backward``: the gradients of several outputs, each with its own
    incoming gradient (None for a one-element output), summed into the leaves' ``.grad``
    (or only into ``inputs``')."""
    from ..tensor import Tensor

    tensors = (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
    if not tensors:
        raise RuntimeError("backward: no tensors to differentiate")
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"backward: got {len(grad_tensors)} grad_tensors for "
                           f"{len(tensors)} tensors")
    if len(tensors) == 1:
        tensors[0].backward(grad_tensors[0], retain_graph, create_graph, inputs)
        return
    # Σ_i <t_i, g_i> has the gradient Σ_i J_iᵀ g_i: one pass over the joined graph
    terms = [tensor.sum() if weight is None else (tensor * weight).sum()
             for tensor, weight in zip(tensors, grad_tensors)]
    sum(terms[1:], terms[0]).backward(None, retain_graph, create_graph, inputs)

