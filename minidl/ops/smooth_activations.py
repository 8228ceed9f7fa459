"""Smooth activations: ELU, Softplus, GELU and SiLU (the rectifiers without a hard kink).

Each backward multiplies the incoming gradient by the derivative at the saved input;
``backward_graph`` (``create_graph=True``) writes that derivative with recorded operations
on the input rebuilt by ``operand`` (or the output, by ``output``).
"""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..autograd.graph_backward import operand, output
from ..backend import array_module
from ..kernels import kernel
from .elementwise import Exp, Sigmoid, Tanh
from .erf import Erf
from .graph_backward import diagonal


class ELU(Function):
    """y = x for x > 0, else α(eˣ - 1);  dy/dx = 1 for x > 0, else α eˣ = y + α."""

    def forward(self, x, *, alpha=1.0):
        xp = array_module(x)
        positive = x > 0
        alpha = x.dtype.type(alpha)
        y = xp.where(positive, x, alpha * xp.expm1(xp.minimum(x, 0)))
        self.alpha = alpha
        self.save_for_backward(positive, y)
        return y

    def backward(self, grad):
        positive, y = self.saved_arrays
        return array_module(grad).where(positive, grad, grad * (y + self.alpha))

    def backward_graph(self, grad, needs):
        positive, y = self.saved_arrays
        negative = ~positive
        return (diagonal(grad, lambda g: g * positive)
                + diagonal(grad * (output(self, y) + float(self.alpha)),
                           lambda g: g * negative),)


class Softplus(Function):
    """y = ln(1 + e^(βx)) / β, and y = x where βx > threshold (PyTorch's switch to the
    identity, where the two agree to rounding);  dy/dx = σ(βx), or 1 past the threshold.

    ln(1 + eᶻ) = max(z, 0) + ln(1 + e^-|z|) never overflows.
    """

    def forward(self, x, *, beta=1.0, threshold=20.0):
        xp = array_module(x)
        z = x * x.dtype.type(beta)
        linear = z > threshold
        self.beta = beta
        soft = (xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))) / x.dtype.type(beta)
        self.save_for_backward(z, linear)
        return xp.where(linear, x, soft).astype(x.dtype, copy=False)

    def backward(self, grad):
        z, linear = self.saved_arrays
        xp = array_module(z)
        e = xp.exp(-xp.abs(z))
        sigmoid = xp.where(z >= 0, 1 / (1 + e), e / (1 + e))
        return xp.where(linear, grad, grad * sigmoid)

    def backward_graph(self, grad, needs):
        z, linear = self.saved_arrays
        beta = self.beta
        soft = ~linear
        x = operand(self, 0, z / z.dtype.type(beta))  # the input (itself when a leaf)
        sigmoid = Sigmoid.apply(x * beta)
        return (diagonal(grad, lambda g: g * linear)
                + diagonal(grad * sigmoid, lambda g: g * soft),)


class GELU(Function):
    """y = x Φ(x), Φ the standard normal CDF: Φ(x) = (1 + erf(x/√2)) / 2;
    dy/dx = Φ(x) + x φ(x), φ(x) = e^(-x²/2) / √(2π).

    ``approximate="tanh"``: y = x (1 + tanh u) / 2 with u = √(2/π) (x + 0.044715 x³);
    dy/dx = (1 + tanh u) / 2 + x (1 - tanh² u) u' / 2,  u' = √(2/π) (1 + 3·0.044715 x²).
    """

    CUBIC = 0.044715

    def forward(self, x, *, approximate="none"):
        xp = array_module(x)
        self.approximate = approximate
        if approximate == "tanh":
            scale = x.dtype.type(math.sqrt(2 / math.pi))
            t = xp.tanh(scale * (x + x.dtype.type(self.CUBIC) * x ** 3))
            self.save_for_backward(x, t)
            return x * (1 + t) / 2
        cdf = (1 + kernel("erf", x)(x * x.dtype.type(1 / math.sqrt(2)))) / 2
        self.save_for_backward(x, cdf)
        return x * cdf

    def backward(self, grad):
        x, saved = self.saved_arrays
        xp = array_module(x)
        if self.approximate == "tanh":
            scale = x.dtype.type(math.sqrt(2 / math.pi))
            du = scale * (1 + x.dtype.type(3 * self.CUBIC) * x * x)
            return grad * ((1 + saved) / 2 + x * (1 - saved * saved) * du / 2)
        pdf = xp.exp(-x * x / 2) * x.dtype.type(1 / math.sqrt(2 * math.pi))
        return grad * (saved + x * pdf)

    def backward_graph(self, grad, needs):
        x, _ = self.saved_arrays
        x = operand(self, 0, x)
        if self.approximate == "tanh":
            scale = math.sqrt(2 / math.pi)
            t = Tanh.apply((x + x ** 3 * self.CUBIC) * scale)
            du = (x * x * (3 * self.CUBIC) + 1) * scale
            return (grad * ((t + 1) / 2 + x * (1 - t * t) * du / 2),)
        cdf = (Erf.apply(x * (1 / math.sqrt(2))) + 1) / 2
        pdf = Exp.apply(-(x * x) / 2) * (1 / math.sqrt(2 * math.pi))
        return (grad * (cdf + x * pdf),)


class SiLU(Function):
    """y = x σ(x) (swish);  dy/dx = σ(x) (1 + x (1 - σ(x)))."""

    def forward(self, x):
        xp = array_module(x)
        e = xp.exp(-xp.abs(x))
        sigmoid = xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        self.save_for_backward(x, sigmoid)
        return x * sigmoid

    def backward(self, grad):
        x, sigmoid = self.saved_arrays
        return grad * sigmoid * (1 + x * (1 - sigmoid))

    def backward_graph(self, grad, needs):
        x, _ = self.saved_arrays
        x = operand(self, 0, x)
        sigmoid = Sigmoid.apply(x)
        return (grad * (sigmoid * (x * (1 - sigmoid) + 1)),)
