"""Checking analytic gradients against central finite differences, in float64.

For a function f of tensors x₁ … xₖ with output y, the analytic Jacobian row for output
element j comes from one backward pass with a one-hot gradient eⱼ; the numerical column for
input element i is (f(x + ε eᵢ) - f(x - ε eᵢ)) / 2ε, whose error is O(ε²).  Both must agree
to within ``atol + rtol * |numerical|`` at every element.
"""
from __future__ import annotations

import numpy as np

from .autograd.grad_mode import no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree."""


def _as_output_array(value) -> np.ndarray:
    if not isinstance(value, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(value).__name__}")
    return np.array(value.detach().cpu().array, dtype=np.float64)  # a copy, never a view


def _numerical_jacobian(fn, inputs, index: int, eps: float, output_size: int) -> np.ndarray:
    """d output / d inputs[index] by central differences: shape (input size, output size)."""
    x = inputs[index].array
    flat = x.reshape(-1)  # a view: perturbing it perturbs the input in place
    jacobian = np.zeros((flat.size, output_size))
    with no_grad():
        for i in range(flat.size):
            original = flat[i].item()
            flat[i] = original + eps
            plus = _as_output_array(fn(*inputs)).reshape(-1)
            flat[i] = original - eps
            minus = _as_output_array(fn(*inputs)).reshape(-1)
            flat[i] = original
            jacobian[i] = (plus - minus) / (2 * eps)
    return jacobian


def _analytic_jacobians(fn, inputs, checked) -> tuple[list[np.ndarray], int]:
    """d output / d input for each checked input, one backward pass per output element."""
    for x in inputs:
        x.grad = None
    output = fn(*inputs)
    output_array = _as_output_array(output)
    size = output_array.size
    jacobians = [np.zeros((inputs[k].numel(), size)) for k in checked]
    if not output.requires_grad:
        return jacobians, size
    for j in range(size):
        seed = np.zeros(size, dtype=output.dtype)
        seed[j] = 1
        for k in checked:
            inputs[k].grad = None
        output.backward(Tensor._from_array(seed.reshape(output.shape)), retain_graph=True)
        for column, k in enumerate(checked):
            grad = inputs[k].grad
            if grad is not None:
                jacobians[column][:, j] = np.asarray(grad.cpu().array, dtype=np.float64).ravel()
    for x in inputs:
        x.grad = None
    return jacobians, size


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """Compare ``fn``'s analytic gradients with central differences.

    ``inputs`` is a Tensor or a sequence of Tensors; those with ``requires_grad=True`` are
    checked and must be float64.  On disagreement raises :class:`GradcheckError` naming the
    input, the worst element's index, both values and the error (or returns ``False`` when
    ``raise_exception=False``).
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    checked = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True")
    for k in checked:
        if inputs[k].dtype != np.float64:
            raise TypeError(f"gradcheck: input {k} is {inputs[k].dtype}; finite differences "
                            "need float64 inputs")
        if inputs[k].device != "cpu":
            raise ValueError(f"gradcheck: input {k} is on {inputs[k].device}; run the check "
                             "on 'cpu' tensors (move results inside fn if needed)")
    analytic, size = _analytic_jacobians(fn, inputs, checked)
    for column, k in enumerate(checked):
        numerical = _numerical_jacobian(fn, inputs, k, eps, size)
        error = np.abs(analytic[column] - numerical)
        excess = error - (atol + rtol * np.abs(numerical))
        if excess.size and excess.max() > 0:
            flat_in, flat_out = np.unravel_index(int(excess.argmax()), excess.shape)
            where_in = np.unravel_index(flat_in, inputs[k].shape)
            message = (f"gradcheck: gradient of input {k} (shape {inputs[k].shape}) is wrong "
                       f"at input index {tuple(int(i) for i in where_in)}, output element "
                       f"{int(flat_out)}: analytic {analytic[column][flat_in, flat_out]:.8g}, "
                       f"numerical {numerical[flat_in, flat_out]:.8g} "
                       f"(error {error[flat_in, flat_out]:.3g}, allowed "
                       f"{atol + rtol * abs(numerical[flat_in, flat_out]):.3g})")
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True
