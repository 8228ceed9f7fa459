"""RMSprop: each coordinate's step divided by a running root-mean-square of its gradients
(Hinton's lecture 6e), so steep and flat directions move at comparable speeds.

For each parameter p with gradient g (PyTorch's rule)::

    g   <- -g                                       if maximize (done by Optimizer.step)
    g   <- g + weight_decay * p
    v   <- alpha * v + (1 - alpha) * g * g                  (square_avg, v_0 = 0)
    a   <- sqrt(v) + eps,  or  if centered:
    m   <- m + (1 - alpha) * (g - m)                        (grad_avg, m_0 = 0)
    a   <- sqrt(v - m * m) + eps                            (a running variance's root)
    b   <- momentum * b + g / a;  p <- p - lr * b          if momentum > 0 (momentum_buffer)
    p   <- p - lr * g / a                                   otherwise
"""
from __future__ import annotations

from ..backend import array_module
from ..ops.arguments import check_number
from .optimizer import Optimizer, speed_hints, state_tensor


def lerp_(start, end, weight: float) -> None:
    """start <- start + weight (end - start), in place, rounded as PyTorch's ``lerp_``."""
    if weight < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)


class RMSprop(Optimizer):
    """``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False, *, maximize=False)``; state per parameter: ``step``, ``square_avg``,
    ``momentum_buffer`` (momentum > 0) and ``grad_avg`` (centered)."""

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                 capturable: bool = False, foreach=None, maximize: bool = False,
                 differentiable: bool = False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered,
                                      maximize=maximize,
                                      **speed_hints(foreach=foreach, capturable=capturable,
                                                    differentiable=differentiable)))

    def check_hyperparameters(self, group: dict) -> None:
        check_number("RMSprop", "lr", group["lr"], 0)
        check_number("RMSprop", "alpha", group["alpha"], 0)
        check_number("RMSprop", "eps", group["eps"], 0)
        check_number("RMSprop", "weight_decay", group["weight_decay"], 0)
        check_number("RMSprop", "momentum", group["momentum"], 0)

    def update(self, param, grad, state: dict, group: dict) -> None:
        xp = array_module(param)
        alpha, momentum = group["alpha"], group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = state_tensor(xp.zeros_like(param))
            if momentum > 0:
                state["momentum_buffer"] = state_tensor(xp.zeros_like(param))
            if group["centered"]:
                state["grad_avg"] = state_tensor(xp.zeros_like(param))
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param

        square_avg = state["square_avg"].array
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"].array
            lerp_(grad_avg, grad, 1 - alpha)
            average = xp.sqrt(square_avg - grad_avg * grad_avg) + group["eps"]
        else:
            average = xp.sqrt(square_avg) + group["eps"]
        if momentum > 0:
            buffer = state["momentum_buffer"].array
            buffer *= momentum
            buffer += grad / average
            param -= group["lr"] * buffer
        else:
            param += -group["lr"] * (grad / average)
