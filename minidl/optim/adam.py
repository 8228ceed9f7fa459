"""Adam and AdamW: gradient steps scaled by running estimates of the gradient's first two
moments.

For each parameter p with gradient g, at step t = 1, 2, ... (PyTorch's rule)::

    g   <- -g                                   if maximize (done by Optimizer.step)
    p   <- p * (1 - lr * weight_decay)          AdamW (decoupled weight decay), or
    g   <- g + weight_decay * p                 Adam (L2 penalty)
    m_t <- beta1 * m_{t-1} + (1 - beta1) * g            (exp_avg, m_0 = 0)
    v_t <- beta2 * v_{t-1} + (1 - beta2) * g * g        (exp_avg_sq, v_0 = 0)
    v_t <- max(vmax_{t-1}, v_t) = vmax_t                 if amsgrad (max_exp_avg_sq)
    p   <- p - lr / (1 - beta1^t) * m_t / (sqrt(v_t) / sqrt(1 - beta2^t) + eps)

The divisions by ``1 - beta^t`` undo the pull of the zero start on the early averages.
The moments and the parameter are updated by the ``adam_update`` kernel
(``minidl.kernels``: one fused pass over memory on the CPU).
"""
from __future__ import annotations

import math

from ..backend import array_module
from ..kernels.registry import kernel
from .moment_checks import check_moment_hyperparameters
from .optimizer import Optimizer, speed_hints, state_tensor
from .weight_decay import decayed_gradient


class Adam(Optimizer):
    """``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
    *, maximize=False, decoupled_weight_decay=False)``; state per parameter: ``step``,
    ``exp_avg``, ``exp_avg_sq`` and, with amsgrad, ``max_exp_avg_sq``."""

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False, decoupled_weight_decay: bool = False,
                 foreach=None, capturable: bool = False, differentiable: bool = False,
                 fused=None):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      **speed_hints(foreach=foreach, capturable=capturable,
                                                    differentiable=differentiable,
                                                    fused=fused)))

    def check_hyperparameters(self, group: dict) -> None:
        check_moment_hyperparameters(self._name, group)

    def state_keys(self, group: dict) -> set[str]:
        keys = {"step", "exp_avg", "exp_avg_sq"}
        return keys | {"max_exp_avg_sq"} if group["amsgrad"] else keys

    def update(self, param, grad, state: dict, group: dict) -> None:
        xp = array_module(param)
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = state_tensor(xp.zeros_like(param))
            state["exp_avg_sq"] = state_tensor(xp.zeros_like(param))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = state_tensor(xp.zeros_like(param))
        state["step"] += 1
        step = state["step"]

        grad = decayed_gradient(param, grad, group)

        max_exp_avg_sq = state["max_exp_avg_sq"].array if group["amsgrad"] else None
        kernel("adam_update", param)(
            param, grad, state["exp_avg"].array, state["exp_avg_sq"].array, max_exp_avg_sq,
            beta1=beta1, beta2=beta2, step_size=lr / (1 - beta1 ** step),
            bias2_sqrt=math.sqrt(1 - beta2 ** step), eps=eps)


class AdamW(Adam):
    """Adam with decoupled weight decay: the parameters shrink by ``lr * weight_decay``
    each step instead of the penalty entering the moment estimates.  ``weight_decay``
    defaults to 1e-2."""

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach=None, capturable: bool = False,
                 differentiable: bool = False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True, foreach=foreach,
                         capturable=capturable, differentiable=differentiable, fused=fused)
