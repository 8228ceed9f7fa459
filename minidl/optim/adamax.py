"""Adamax: Adam with the infinity norm in place of the second moment (Kingma and Ba, 2014).

For each parameter p with gradient g, at step t = 1, 2, ... (PyTorch's rule)::

    g   <- -g                                   if maximize (done by Optimizer.step)
    g   <- g + weight_decay * p                 (L2 penalty)
    m_t <- beta1 * m_{t-1} + (1 - beta1) * g    (exp_avg, m_0 = 0)
    u_t <- max(beta2 * u_{t-1}, |g| + eps)      (exp_inf, u_0 = 0)
    p   <- p - lr / (1 - beta1^t) * m_t / u_t
"""
from __future__ import annotations

from ..backend import array_module
from .moment_checks import check_moment_hyperparameters
from .optimizer import Optimizer, speed_hints, state_tensor
from .weight_decay import decayed_gradient


class Adamax(Optimizer):
    """``Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *,
    maximize=False)``; state per parameter: ``step``, ``exp_avg``, ``exp_inf``."""

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, foreach=None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize,
                                      **speed_hints(foreach=foreach, capturable=capturable,
                                                    differentiable=differentiable)))

    def check_hyperparameters(self, group: dict) -> None:
        check_moment_hyperparameters(self._name, group)

    def state_keys(self, group: dict) -> set[str]:
        return {"step", "exp_avg", "exp_inf"}

    def update(self, param, grad, state: dict, group: dict) -> None:
        xp = array_module(param)
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = state_tensor(xp.zeros_like(param))
            state["exp_inf"] = state_tensor(xp.zeros_like(param))
        state["step"] += 1
        grad = decayed_gradient(param, grad, group)
        exp_avg, exp_inf = state["exp_avg"].array, state["exp_inf"].array
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_inf *= beta2
        xp.maximum(exp_inf, xp.abs(grad) + group["eps"], out=exp_inf)
        param -= group["lr"] / (1 - beta1 ** state["step"]) * (exp_avg / exp_inf)
