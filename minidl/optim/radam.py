"""RAdam: Adam whose adaptive step is switched on only once the variance of its second
moment estimate is tractable, and then rectified (Liu et al., 2019).

For each parameter p with gradient g, at step t = 1, 2, ... (PyTorch's rule)::

    g     <- -g                                 if maximize (done by Optimizer.step)
    p     <- p * (1 - lr * weight_decay)        decoupled_weight_decay (RAdamW), or
    g     <- g + weight_decay * p               (L2 penalty)
    m_t   <- beta1 * m_{t-1} + (1 - beta1) * g          (exp_avg)
    v_t   <- beta2 * v_{t-1} + (1 - beta2) * g * g      (exp_avg_sq)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t   = rho_inf - 2 t beta2^t / (1 - beta2^t)
    r_t     = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
    p     <- p - lr * m_t / (1 - beta1^t) * r_t * sqrt(1 - beta2^t) / (sqrt(v_t) + eps)
                                                        if rho_t > 5
    p     <- p - lr * m_t / (1 - beta1^t)               otherwise (plain momentum)
"""
from __future__ import annotations

import math

from ..backend import array_module
from .moment_checks import check_moment_hyperparameters
from .optimizer import Optimizer, speed_hints, state_tensor
from .weight_decay import decayed_gradient


class RAdam(Optimizer):
    """``RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    decoupled_weight_decay=False, *, maximize=False)``; state per parameter: ``step``,
    ``exp_avg``, ``exp_avg_sq``."""

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, decoupled_weight_decay: bool = False, *,
                 foreach=None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize,
                                      **speed_hints(foreach=foreach, capturable=capturable,
                                                    differentiable=differentiable)))

    def check_hyperparameters(self, group: dict) -> None:
        check_moment_hyperparameters(self._name, group)

    def state_keys(self, group: dict) -> set[str]:
        return {"step", "exp_avg", "exp_avg_sq"}

    def update(self, param, grad, state: dict, group: dict) -> None:
        xp = array_module(param)
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = state_tensor(xp.zeros_like(param))
            state["exp_avg_sq"] = state_tensor(xp.zeros_like(param))
        state["step"] += 1
        step = state["step"]
        grad = decayed_gradient(param, grad, group)
        exp_avg, exp_avg_sq = state["exp_avg"].array, state["exp_avg_sq"].array
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        bias_correction2 = 1 - beta2 ** step
        corrected_exp_avg = exp_avg / (1 - beta1 ** step)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
        if rho_t <= 5.0:
            param -= lr * corrected_exp_avg
            return
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                         / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        adaptive = math.sqrt(bias_correction2) / (xp.sqrt(exp_avg_sq) + group["eps"])
        param -= corrected_exp_avg * lr * adaptive * rect
