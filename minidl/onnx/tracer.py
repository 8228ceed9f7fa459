"""Tracing: run a model once and record every ``Function`` it applies.

``trace(model, args)`` runs ``model(*args)`` in evaluation mode under ``no_grad`` while
``minidl.autograd.function.observe_applies`` reports each operation: its Function class,
the inputs as given to ``apply`` (Tensors, raw arrays, numbers, None), its keyword
options and the output Tensor.  Each record also names the layer that applied it (its
path in ``model.named_modules()``): for the duration of the run every module's
``forward`` is wrapped (an instance attribute, found before the class's method) by one
that pushes and pops its name, and the wrappers are removed afterwards, whatever
happens.

An in-place change (``nn.ReLU(inplace=True)``, ``x += y``) is reported too: from then on
the changed tensor stands for the tensor computed for it, so later operations and the
outputs read the new value.  A tensor overwritten with values no operation computed
(numbers or arrays assigned into it) is refused.

What the tracer cannot see, it cannot export — as with PyTorch's tracing exporter:
Python control flow on tensor values, and arithmetic done on raw arrays outside
minidl's operations (``.numpy()``, comparisons, ``argmax``), become constants of the
trace.  The exporter compares such constants between traces at different input sizes
and refuses the model when they differ.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..autograd import no_grad
from ..autograd.function import InPlaceChange, observe_applies
from ..nn import Module
from ..tensor import Tensor
from .errors import ExportError


@dataclass
class Call:
    """One ``Function.apply``: what ran, on what, and in which layer."""
    function: type
    inputs: tuple
    options: dict
    output: Tensor
    scope: str


@dataclass
class Trace:
    """The calls of one forward pass, its input tensors and its output tensors (the
    forward's result flattened: a tuple, list or named tuple of tensors, None left out),
    with a default name for each output."""
    inputs: tuple
    calls: list
    outputs: list
    output_names: list


def _flatten(output, name: str, names: list, tensors: list) -> None:
    """Collect the tensors of ``output`` depth first, with names: a named tuple's field
    names, ``name_0``, ``name_1``... for other sequences."""
    if output is None:
        return
    if isinstance(output, Tensor):
        tensors.append(output)
        names.append(name)
        return
    if isinstance(output, tuple | list):
        fields = getattr(output, "_fields", None)
        for position, item in enumerate(output):
            _flatten(item, fields[position] if fields else f"{name}_{position}", names,
                     tensors)
        return
    raise ExportError(f"the model returned a {type(output).__name__}; only tensors and "
                    "(named) tuples or lists of tensors can be graph outputs")


def trace(model: Module, args: tuple) -> Trace:
    """Run ``model(*args)`` once (the caller puts it in evaluation mode) and record it."""
    calls: list[Call] = []
    scopes = [""]

    # id of a max pooling's indices tensor -> (the pooling's layer, the tensor: kept alive
    # so that its id is not reused by a later tensor)
    indices_of: dict = {}
    # id of a tensor changed in place -> the tensor whose values it now holds
    replaced_by: dict = {}

    def current(value):
        return replaced_by.get(id(value), value)

    def record(function, inputs, options, output):
        if function is InPlaceChange:
            (source,) = inputs
            if source is None:
                raise ExportError(f"{options['op']} in {scopes[-1] or 'the model'!r} "
                                  "overwrites a tensor in place with values no tensor "
                                  "operation computed; an exported graph cannot hold that. "
                                  "Compute the new value with tensor operations")
            replaced_by[id(output)] = current(source)
            return
        inputs = tuple(current(value) for value in inputs)
        for value in inputs:
            if id(value) in indices_of:
                raise ExportError(f"MaxPool2d in {indices_of[id(value)][0]!r}: "
                                  f"return_indices=True cannot be exported (its indices "
                                  f"feed {function.__name__})")
        if isinstance(output, tuple):  # max pooling: (values, indices); values exported
            indices_of.update((id(extra), (scopes[-1], extra)) for extra in output[1:])
            output = output[0]
        calls.append(Call(function, inputs, dict(options), output, scopes[-1]))

    def scoped(name: str, forward):
        def forward_in_scope(*inner_args, **kwargs):
            scopes.append(name)
            try:
                return forward(*inner_args, **kwargs)
            finally:
                scopes.pop()
        return forward_in_scope

    wrapped = []
    try:
        for name, module in model.named_modules():
            wrapped.append((module, module.__dict__.get("forward")))
            module.forward = scoped(name, module.forward)
        with observe_applies(record), no_grad():
            output = model(*args)
    finally:
        for module, previous in wrapped:
            if previous is None:
                del module.forward  # the class's forward shows through again
            else:
                module.forward = previous
    names: list[str] = []
    tensors: list[Tensor] = []
    _flatten(output, "output", names, tensors)
    tensors = [current(tensor) for tensor in tensors]
    for tensor in tensors:
        if id(tensor) in indices_of:
            raise ExportError(f"MaxPool2d in {indices_of[id(tensor)][0]!r}: return_indices=True "
                              "cannot be exported (the model returns its indices)")
    return Trace(tuple(args), calls, tensors, names)


def scope_text(scope: str, model: Module) -> str:
    """How an error names a layer: ``layer 'features.0.0' (Conv2d)``."""
    if not scope:
        return f"the model's own forward ({type(model).__name__})"
    module = dict(model.named_modules()).get(scope)
    kind = f" ({type(module).__name__})" if module is not None else ""
    return f"layer '{scope}'{kind}"
