"""NAdam: Adam with Nesterov momentum (Dozat, 2016), its momentum warmed up by
``momentum_decay``.

For each parameter p with gradient g, at step t = 1, 2, ... (PyTorch's rule)::

    g    <- -g                                  if maximize (done by Optimizer.step)
    p    <- p * (1 - lr * weight_decay)         decoupled_weight_decay (NAdamW), or
    g    <- g + weight_decay * p                (L2 penalty)
    mu_t  = beta1 * (1 - 0.96^(t * momentum_decay) / 2)
    P_t   = mu_1 * ... * mu_t                   (mu_product, P_0 = 1)
    m_t  <- beta1 * m_{t-1} + (1 - beta1) * g           (exp_avg)
    v_t  <- beta2 * v_{t-1} + (1 - beta2) * g * g       (exp_avg_sq)
    d     = sqrt(v_t / (1 - beta2^t)) + eps
    p    <- p - lr * (1 - mu_t) / (1 - P_t) * g / d
             - lr * mu_{t+1} / (1 - P_t * mu_{t+1}) * m_t / d
"""
from __future__ import annotations

from ..backend import array_module
from ..ops.arguments import check_number
from .moment_checks import check_moment_hyperparameters
from .optimizer import Optimizer, speed_hints, state_tensor
from .weight_decay import decayed_gradient


class NAdam(Optimizer):
    """``NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    momentum_decay=4e-3, decoupled_weight_decay=False, *, maximize=False)``; state per
    parameter: ``step``, ``mu_product``, ``exp_avg``, ``exp_avg_sq``."""

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach=None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize,
                                      **speed_hints(foreach=foreach, capturable=capturable,
                                                    differentiable=differentiable)))

    def check_hyperparameters(self, group: dict) -> None:
        check_moment_hyperparameters(self._name, group)
        check_number(self._name, "momentum_decay", group["momentum_decay"], 0)

    def state_keys(self, group: dict) -> set[str]:
        return {"step", "mu_product", "exp_avg", "exp_avg_sq"}

    def update(self, param, grad, state: dict, group: dict) -> None:
        xp = array_module(param)
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["mu_product"] = 1.0
            state["exp_avg"] = state_tensor(xp.zeros_like(param))
            state["exp_avg_sq"] = state_tensor(xp.zeros_like(param))
        state["step"] += 1
        step = state["step"]
        grad = decayed_gradient(param, grad, group)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * group["momentum_decay"]))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * group["momentum_decay"]))
        state["mu_product"] *= mu
        mu_product = state["mu_product"]
        exp_avg, exp_avg_sq = state["exp_avg"].array, state["exp_avg_sq"].array
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        denom = xp.sqrt(exp_avg_sq / (1 - beta2 ** step)) + group["eps"]
        param -= lr * (1.0 - mu) / (1.0 - mu_product) * (grad / denom)
        param -= lr * mu_next / (1.0 - mu_product * mu_next) * (exp_avg / denom)
