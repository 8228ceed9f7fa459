"""ASGD: averaged stochastic gradient descent (Polyak & Juditsky, 1992), PyTorch's rule.

For each parameter p with gradient g, at step t = 1, 2, ...::

    g   <- -g                          if maximize (done by Optimizer.step)
    g   <- g + weight_decay * p
    p   <- p * (1 - lambd * eta) - eta * g           (eta_0 = lr)
    ax  <- ax + mu * (p - ax)   (ax <- p when mu = 1)  the running average of p
    eta <- lr / (1 + lambd * lr * t) ** alpha
    mu  <- 1 / max(1, t - t0)

State per parameter: ``step``, ``eta``, ``mu`` and ``ax`` (the averaged parameters).
"""
from __future__ import annotations

from ..backend import array_module
from ..ops.arguments import check_number
from .optimizer import Optimizer, speed_hints, state_tensor


class ASGD(Optimizer):
    """``ASGD(params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
    foreach=None, maximize=False, differentiable=False, capturable=False)``."""

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0.0, foreach=None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False):
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0,
                                      weight_decay=weight_decay, maximize=maximize,
                                      **speed_hints(foreach=foreach, capturable=capturable,
                                                    differentiable=differentiable)))

    def check_hyperparameters(self, group: dict) -> None:
        check_number("ASGD", "lr", group["lr"], 0)
        check_number("ASGD", "weight_decay", group["weight_decay"], 0)
        check_number("ASGD", "lambd", group["lambd"])
        check_number("ASGD", "alpha", group["alpha"])
        check_number("ASGD", "t0", group["t0"])

    def state_keys(self, group: dict) -> set[str]:
        return {"step", "eta", "mu", "ax"}

    def update(self, param, grad, state: dict, group: dict) -> None:
        xp = array_module(param)
        lr, lambd = group["lr"], group["lambd"]
        if not state:
            state["step"] = 0
            state["eta"] = float(lr)
            state["mu"] = 1.0
            state["ax"] = state_tensor(xp.zeros_like(param))
        state["step"] += 1
        step = state["step"]
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        eta = state["eta"]
        param *= 1 - lambd * eta
        param -= eta * grad
        ax = state["ax"].array
        if state["mu"] != 1:
            ax += (param - ax) * state["mu"]
        else:
            ax[...] = param
        state["eta"] = lr / ((1 + lambd * lr * step) ** group["alpha"])
        state["mu"] = 1 / max(1, step - group["t0"])
