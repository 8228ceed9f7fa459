"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay.

For each parameter p with gradient g, at step t (PyTorch's rule)::

    g   <- -g                        if maximize (done by Optimizer.step)
    g   <- g + weight_decay * p      (L2 penalty)
    b_1 <- g                         (first step: the momentum buffer starts at g)
    b_t <- momentum * b_{t-1} + (1 - dampening) * g
    g   <- g + momentum * b_t        if nesterov, else g <- b_t   (only when momentum > 0)
    p   <- p - lr * g
"""
from __future__ import annotations

from ..ops.arguments import check_number
from .optimizer import Optimizer, speed_hints, state_tensor


class SGD(Optimizer):
    """``SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
    *, maximize=False)``; state per parameter: ``momentum_buffer`` (when momentum > 0)."""

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 *, maximize: bool = False, foreach=None, differentiable: bool = False,
                 fused=None):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize,
                                      **speed_hints(foreach=foreach, fused=fused,
                                                    differentiable=differentiable)))

    def check_hyperparameters(self, group: dict) -> None:
        check_number("SGD", "lr", group["lr"], 0)
        check_number("SGD", "momentum", group["momentum"], 0)
        check_number("SGD", "dampening", group["dampening"], 0, 1)
        check_number("SGD", "weight_decay", group["weight_decay"], 0)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0, got "
                             f"momentum={group['momentum']!r}, "
                             f"dampening={group['dampening']!r}")

    def update(self, param, grad, state: dict, group: dict) -> None:
        momentum = group["momentum"]
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = state_tensor(grad.copy())
            else:
                buffer.array *= momentum
                buffer.array += (1 - group["dampening"]) * grad
            grad = grad + momentum * buffer.array if group["nesterov"] else buffer.array
        param -= group["lr"] * grad
