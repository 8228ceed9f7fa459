"""Binary cross-entropy on probabilities and on logits, and the smooth L1 (Huber) loss, as
graph nodes.

All work elementwise on an input x and a target t of one shape; the reductions and the
checks of shapes and ranges are ``minidl.nn.functional``'s.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import array_module


class BinaryCrossEntropy(Function):
    """l = -(t ln x + (1 - t) ln(1 - x)), each log clamped at -100 (PyTorch);
    dl/dx = (x - t) / max(x (1 - x), 1e-12),  dl/dt = ln(1 - x) - ln x (clamped)."""

    def forward(self, x, t):
        xp = array_module(x)
        with np.errstate(divide="ignore"):  # log 0 = -inf, clamped to -100
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log(1 - x), -100)
        self.save_for_backward(x, t, log_x, log_1mx)
        return -(t * log_x + (1 - t) * log_1mx)

    def backward(self, grad):
        x, t, log_x, log_1mx = self.saved_arrays
        xp = array_module(x)
        grad_x = grad_t = None
        if self.needs_input_grad[0]:
            grad_x = grad * (x - t) / xp.maximum(x * (1 - x), x.dtype.type(1e-12))
        if self.needs_input_grad[1]:
            grad_t = grad * (log_1mx - log_x)
        return grad_x, grad_t


class BinaryCrossEntropyWithLogits(Function):
    """l = (1 - t) x + w softplus(-x) for logits x and targets t, where
    w = 1 + (p - 1) t weights the positive term by the positive-class weight p, and
    softplus(-x) = max(-x, 0) + ln(1 + e^-|x|) = -ln σ(x): no overflow for any x.
    dl/dx = (1 - t) - w σ(-x);  dl/dt = -x + (p - 1) softplus(-x)."""

    def forward(self, x, t, *, pos_weight=None):
        xp = array_module(x)
        softplus_neg = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
        positive_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * t
        self.pos_weight = pos_weight
        self.save_for_backward(x, t, softplus_neg, positive_weight)
        return (1 - t) * x + positive_weight * softplus_neg

    def backward(self, grad):
        x, t, softplus_neg, positive_weight = self.saved_arrays
        xp = array_module(x)
        grad_x = grad_t = None
        if self.needs_input_grad[0]:
            e = xp.exp(-xp.abs(x))
            sigmoid_neg = xp.where(x >= 0, e / (1 + e), 1 / (1 + e))
            grad_x = grad * ((1 - t) - positive_weight * sigmoid_neg)
        if self.needs_input_grad[1]:
            p = self.pos_weight
            grad_t = grad * (-x + (0 if p is None else (p - 1) * softplus_neg))
        return grad_x, grad_t


class SmoothL1(Function):
    """Per element, with d = x - y and β > 0:  l = d²/(2β) where |d| < β, else |d| - β/2;
    dl/dx = d/β where |d| < β, else sign(d);  dl/dy = -dl/dx.  ``scale`` multiplies both
    (Huber's loss with δ is β·smooth-L1 with β = δ)."""

    def forward(self, x, y, *, beta, scale=1.0):
        xp = array_module(x)
        d = x - y
        size = xp.abs(d)
        quadratic = size < beta
        self.beta, self.scale = beta, scale
        self.save_for_backward(d, quadratic)
        loss = xp.where(quadratic, d * d / (2 * beta), size - beta / 2)
        return loss * x.dtype.type(scale) if scale != 1.0 else loss

    def backward(self, grad):
        d, quadratic = self.saved_arrays
        xp = array_module(d)
        slope = xp.where(quadratic, d / self.beta, xp.sign(d)) * grad
        if self.scale != 1.0:
            slope = slope * slope.dtype.type(self.scale)
        return (slope if self.needs_input_grad[0] else None,
                -slope if self.needs_input_grad[1] else None)
