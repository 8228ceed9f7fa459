"""Elementwise functions: exp, log, trigonometry, sqrt, abs, clamp, maximum and the activations.

Each backward multiplies the incoming gradient by the derivative of the function at the
saved input (or output, when the derivative is cheaper in terms of it).  Their
``backward_graph`` (``create_graph=True``) writes the same derivative with recorded
operations on the input rebuilt by ``operand`` or the output rebuilt by ``output``.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.graph_backward import operand, output
from ..backend import array_module
from ..kernels.registry import kernel
from .arithmetic import sum_to_shape
from .graph_backward import diagonal, sum_to_shape_graph


class Exp(Function):
    """y = eˣ;  dy/dx = y."""

    def forward(self, x):
        y = array_module(x).exp(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        return grad * y

    def backward_graph(self, grad, needs):
        (y,) = self.saved_arrays
        return (grad * output(self, y),)


class Log(Function):
    """y = ln x;  dy/dx = 1/x."""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).log(x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        return grad / x

    def backward_graph(self, grad, needs):
        (x,) = self.saved_arrays
        return (grad / operand(self, 0, x),)


class Log1p(Function):
    """y = ln(1 + x), accurate for small x;  dy/dx = 1 / (1 + x)."""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).log1p(x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        return grad / (1 + x)

    def backward_graph(self, grad, needs):
        (x,) = self.saved_arrays
        return (grad / (operand(self, 0, x) + 1),)


class Expm1(Function):
    """y = eˣ - 1, accurate for small x;  dy/dx = eˣ = y + 1."""

    def forward(self, x):
        y = array_module(x).expm1(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        return grad * (y + 1)

    def backward_graph(self, grad, needs):
        (y,) = self.saved_arrays
        return (grad * (output(self, y) + 1),)


class Sin(Function):
    """y = sin x;  dy/dx = cos x."""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).sin(x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        return grad * array_module(x).cos(x)

    def backward_graph(self, grad, needs):
        (x,) = self.saved_arrays
        return (grad * Cos.apply(operand(self, 0, x)),)


class Cos(Function):
    """y = cos x;  dy/dx = -sin x."""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).cos(x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        return -grad * array_module(x).sin(x)

    def backward_graph(self, grad, needs):
        (x,) = self.saved_arrays
        return (-grad * Sin.apply(operand(self, 0, x)),)


class Tan(Function):
    """y = tan x;  dy/dx = 1 + y²."""

    def forward(self, x):
        y = array_module(x).tan(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        return grad * (1 + y * y)

    def backward_graph(self, grad, needs):
        (y,) = self.saved_arrays
        tangent = output(self, y)
        return (grad * (tangent * tangent + 1),)


class Sqrt(Function):
    """y = √x;  dy/dx = 1 / (2y)."""

    def forward(self, x):
        y = array_module(x).sqrt(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        return grad / (2 * y)

    def backward_graph(self, grad, needs):
        (y,) = self.saved_arrays
        return (grad / (output(self, y) * 2),)


class Abs(Function):
    """y = |x|;  dy/dx = sign(x) (0 at x = 0, as PyTorch)."""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).abs(x)

    def backward(self, grad):
        (x,) = self.saved_arrays
        return grad * array_module(x).sign(x)

    def backward_graph(self, grad, needs):
        (x,) = self.saved_arrays
        sign = array_module(x).sign(x)
        return (diagonal(grad, lambda g: g * sign),)


class Clamp(Function):
    """y = min(max(x, low), high);  dy/dx = 1 where low ≤ x ≤ high, else 0 (PyTorch)."""

    def forward(self, x, *, low=None, high=None):
        xp = array_module(x)
        inside = xp.ones(x.shape, dtype=bool)
        if low is not None:
            inside &= x >= low
        if high is not None:
            inside &= x <= high
        self.save_for_backward(inside)
        return xp.clip(x, low, high).astype(x.dtype, copy=False)

    def backward(self, grad):
        (inside,) = self.saved_arrays
        return grad * inside

    def backward_graph(self, grad, needs):
        (inside,) = self.saved_arrays
        return (diagonal(grad, lambda g: g * inside),)


class ReLU(Function):
    """y = max(x, 0);  dy/dx = 1 for x > 0, else 0 (the ``relu_forward`` and
    ``relu_backward`` kernels)."""

    def forward(self, x):
        y = kernel("relu_forward", x)(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        return kernel("relu_backward", y)(y, grad)

    def backward_graph(self, grad, needs):
        (y,) = self.saved_arrays
        return (diagonal(grad, lambda g: kernel("relu_backward", y)(y, g)),)


class LeakyReLU(Function):
    """y = x for x > 0, else s·x;  dy/dx = 1 or s."""

    def forward(self, x, *, negative_slope=0.01):
        self.negative_slope = negative_slope
        xp = array_module(x)
        positive = x > 0
        self.save_for_backward(positive)
        return xp.where(positive, x, x * x.dtype.type(negative_slope))

    def backward(self, grad):
        (positive,) = self.saved_arrays
        xp = array_module(grad)
        return xp.where(positive, grad, grad * grad.dtype.type(self.negative_slope))

    def backward_graph(self, grad, needs):
        (positive,) = self.saved_arrays
        slope = self.negative_slope
        xp = array_module(positive)
        return (diagonal(grad, lambda g: xp.where(positive, g, g * g.dtype.type(slope))),)


class Sigmoid(Function):
    """y = 1 / (1 + e⁻ˣ), computed without overflow;  dy/dx = y (1 - y)."""

    def forward(self, x):
        xp = array_module(x)
        e = xp.exp(-xp.abs(x))  # in (0, 1]: never overflows
        y = xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        return grad * y * (1 - y)

    def backward_graph(self, grad, needs):
        (y,) = self.saved_arrays
        sigmoid = output(self, y)
        return (grad * (sigmoid * (1 - sigmoid)),)


class Tanh(Function):
    """y = tanh x;  dy/dx = 1 - y²."""

    def forward(self, x):
        y = array_module(x).tanh(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        (y,) = self.saved_arrays
        return grad * (1 - y * y)

    def backward_graph(self, grad, needs):
        (y,) = self.saved_arrays
        tanh = output(self, y)
        return (grad * (1 - tanh * tanh),)


class Maximum(Function):
    """y = max(a, b) elementwise (min with ``largest=False``), broadcasting;  the gradient
    goes to the larger (smaller) input, half to each where they are equal (PyTorch)."""

    def forward(self, a, b, *, largest=True):
        self.largest, self.shapes = largest, (a.shape, b.shape)
        self.save_for_backward(a, b)
        xp = array_module(a)
        return xp.maximum(a, b) if largest else xp.minimum(a, b)

    def backward(self, grad):
        a, b = self.saved_arrays
        shape_a, shape_b = self.shapes
        wins = (a > b) if self.largest else (a < b)
        share_a = wins.astype(grad.dtype) + (a == b).astype(grad.dtype) * grad.dtype.type(0.5)
        return (sum_to_shape(grad * share_a, shape_a) if self.needs_input_grad[0] else None,
                sum_to_shape(grad * (1 - share_a), shape_b) if self.needs_input_grad[1]
                else None)

    def backward_graph(self, grad, needs):
        a, b = self.saved_arrays
        shape_a, shape_b = self.shapes
        wins = (a > b) if self.largest else (a < b)
        share_a = wins.astype(grad.dtype) + (a == b).astype(grad.dtype) * grad.dtype.type(0.5)
        share_b = 1 - share_a
        return (sum_to_shape_graph(diagonal(grad, lambda g: g * share_a), shape_a)
                if needs[0] else None,
                sum_to_shape_graph(diagonal(grad, lambda g: g * share_b), shape_b)
                if needs[1] else None)


class Where(Function):
    """y = a where cond else b;  the gradient goes to whichever input was chosen."""

    def forward(self, condition, a, b):
        self.condition = condition
        self.shapes = (a.shape, b.shape)
        return array_module(a).where(condition, a, b)

    def backward(self, grad):
        xp = array_module(grad)
        shape_a, shape_b = self.shapes
        zero = grad.dtype.type(0)
        grad_a = sum_to_shape(xp.where(self.condition, grad, zero), shape_a) \
            if self.needs_input_grad[1] else None
        grad_b = sum_to_shape(xp.where(self.condition, zero, grad), shape_b) \
            if self.needs_input_grad[2] else None
        return None, grad_a, grad_b

    def backward_graph(self, grad, needs):
        condition = self.condition
        shape_a, shape_b = self.shapes
        xp = array_module(condition)

        def pick_a(g):
            return xp.where(condition, g, g.dtype.type(0))

        def pick_b(g):
            return xp.where(condition, g.dtype.type(0), g)

        return (None,
                sum_to_shape_graph(diagonal(grad, pick_a), shape_a) if needs[1] else None,
                sum_to_shape_graph(diagonal(grad, pick_b), shape_b) if needs[2] else None)


class Cast(Function):
    """y = x converted to another floating dtype;  the gradient is converted back."""

    def forward(self, x, *, dtype):
        self.dtype = x.dtype
        return x.astype(dtype)

    def backward(self, grad):
        return grad.astype(self.dtype)

    def backward_graph(self, grad, needs):
        return (Cast.apply(grad, dtype=self.dtype),)
