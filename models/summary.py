"""A Keras-style layer summary of any model: each layer's output shape and parameter count.

    >>> print(summary(LabColorizerBatch(), (1, 1, 200, 200)))

The summary runs one forward pass on zeros of the given shape.  To see each layer's output
it temporarily replaces the ``forward`` of every *layer* — a module that owns parameters
itself or has no sub-modules — by a recording wrapper (an instance attribute, which
``Module.__call__`` finds before the class's method), and removes the wrappers afterwards,
whatever happens.  The pass runs in evaluation mode under ``no_grad`` so it changes nothing:
no batch-norm running statistics move, no graph is kept, and each module's train/eval
mode is restored.

Parameter counts follow Keras, so the seeds' figures can be compared: "trainable" are the
parameters that require gradients; "non-trainable" are the frozen ones plus the
floating-point buffers (batch norm's running mean and variance; its integer batch counter
is not a parameter).  A layer called twice is listed twice, its parameters counted once.
"""
from __future__ import annotations

from minidl.autograd import no_grad
from minidl.creation import zeros
from minidl.nn import Module
from minidl.tensor import Tensor


def _is_shape(value) -> bool:
    return isinstance(value, tuple | list) and len(value) > 0 and \
        all(isinstance(s, int) and s > 0 for s in value)


def _example_inputs(model: Module, inputs) -> tuple:
    """The forward arguments: a Tensor, a shape (zeros of it), or a tuple/list of these."""
    if isinstance(inputs, Tensor) or _is_shape(inputs):
        inputs = (inputs,)
    if not isinstance(inputs, tuple | list) or not inputs or \
            not all(isinstance(x, Tensor) or _is_shape(x) for x in inputs):
        raise TypeError(f"summary: input must be a shape such as (1, 3, 28, 28), a Tensor, "
                        f"or a tuple of these (one per forward argument), got {inputs!r}")
    reference = next(iter(model.parameters()), None)
    dtype = None if reference is None else reference.dtype
    device = "cpu" if reference is None else reference.device
    return tuple(x if isinstance(x, Tensor) else zeros(*x, dtype=dtype, device=device)
                 for x in inputs)


def _layers(module: Module, prefix: str = "", seen: set | None = None):
    """(name, module) for each layer: a module that owns parameters itself or has no
    children.  A layer reachable twice (shared) comes once, under its first name."""
    seen = set() if seen is None else seen
    if id(module) in seen:
        return
    seen.add(id(module))
    owns_parameters = any(True for _ in module.named_parameters(recurse=False))
    children = list(module.named_children())
    if owns_parameters or not children:
        yield prefix or type(module).__name__, module
        return
    for name, child in children:
        yield from _layers(child, f"{prefix}.{name}" if prefix else name, seen)


def parameter_counts(module: Module) -> tuple[int, int]:
    """(trainable, non-trainable) counts, Keras style (see the module docstring)."""
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in module.parameters() if not p.requires_grad)
    statistics = sum(b.numel() for b in module.buffers() if b.dtype.kind == "f")
    return trainable, frozen + statistics


def _shape_text(output) -> str:
    if isinstance(output, Tensor):
        return str(tuple(output.shape))
    if isinstance(output, tuple | list):
        return ", ".join(_shape_text(o) for o in output if o is not None)
    return type(output).__name__


def _record_layer_outputs(model: Module, inputs: tuple) -> list[tuple[str, str, int]]:
    """Run the model once and return (layer name (type), output shape, parameters) rows."""
    rows, counted = [], set()

    def recording(name: str, layer: Module):
        original = layer.forward  # the class's method, bound

        def forward(*args, **kwargs):
            output = original(*args, **kwargs)
            count = 0 if id(layer) in counted else sum(parameter_counts(layer))
            counted.add(id(layer))
            rows.append((f"{name} ({type(layer).__name__})", _shape_text(output), count))
            return output
        return forward

    layers = list(_layers(model))
    modes = [(module, module.training) for module in model.modules()]
    wrapped = []
    try:
        for name, layer in layers:
            layer.forward = recording(name, layer)
            wrapped.append(layer)
        model.eval()
        with no_grad():
            model(*inputs)
    finally:
        for layer in wrapped:
            del layer.forward  # the class's forward shows through again
        for module, training in modes:  # parents before children: each ends as it was
            module.train(training)
    return rows


def summary(model: Module, input) -> str:
    """The table of layers (name and type, output shape, parameters) and the totals.

    ``input``: the shape of one batch including the batch size, e.g. ``(1, 1, 200, 200)``;
    or an example Tensor; or a tuple of shapes/Tensors for a model whose forward takes
    several inputs.
    """
    if not isinstance(model, Module):
        raise TypeError(f"summary: model must be an nn.Module, got {type(model).__name__}")
    inputs = _example_inputs(model, input)
    rows = _record_layer_outputs(model, inputs)
    trainable, non_trainable = parameter_counts(model)
    header = ("Layer (type)", "Output Shape", "Param #")
    table = [header] + [(name, shape, f"{count:,}") for name, shape, count in rows]
    widths = [max(len(row[i]) for row in table) + 3 for i in range(3)]
    rule_width = sum(widths)

    def line(row):
        return "".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()

    inputs_text = ", ".join(str(tuple(x.shape)) for x in inputs)
    lines = [f'Model: "{type(model).__name__}"  (input {inputs_text})', "_" * rule_width,
             line(header), "=" * rule_width]
    lines += [line(row) for row in table[1:]]
    lines += ["=" * rule_width,
              f"Total params: {trainable + non_trainable:,}",
              f"Trainable params: {trainable:,}",
              f"Non-trainable params: {non_trainable:,}",
              "_" * rule_width]
    return "\n".join(lines)


class Summarizable:
    """Mixed into every study model: ``model.summary()`` returns :func:`summary` for the
    model's ``example_input_shape`` (one image of the size its study uses), or for the
    ``input`` given."""

    example_input_shape: tuple[int, ...]

    def summary(self, input=None) -> str:
        return summary(self, self.example_input_shape if input is None else input)
