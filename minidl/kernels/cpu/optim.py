"""Optimizer updates with Numba: the contract of ``reference.optim``.

The reference makes about ten passes over memory per parameter and step (each NumPy expression
reads its operands and writes a temporary); here one parallel loop reads p, g, m, v (and
v̂) once and writes them back once, with the arithmetic of the reference in the same order
and in the arrays' dtype (the scalars are converted to it first), so the result matches
it to rounding.  Arrays that are not C-contiguous go to the reference.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..reference import optim as reference
from .workers import parallel_loop


@njit(nogil=True, cache=True, error_model="numpy")
def _adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, amsgrad, one_minus_beta1,
          beta2, one_minus_beta2, step_size, bias2_sqrt, eps, start, stop):
    # slices looped from 0, so that LLVM can vectorize (see activation._relu_backward)
    param, grad, exp_avg, exp_avg_sq = (param[start:stop], grad[start:stop],
                                        exp_avg[start:stop], exp_avg_sq[start:stop])
    max_exp_avg_sq = max_exp_avg_sq[start:stop]
    for i in range(param.shape[0]):
        g = grad[i]
        m = exp_avg[i] + one_minus_beta1 * (g - exp_avg[i])
        v = exp_avg_sq[i] * beta2 + one_minus_beta2 * g * g
        exp_avg[i] = m
        exp_avg_sq[i] = v
        if amsgrad:
            v = max(max_exp_avg_sq[i], v)
            max_exp_avg_sq[i] = v
        param[i] -= step_size * (m / (np.sqrt(v) / bias2_sqrt + eps))


@njit(nogil=True, cache=True, error_model="numpy")
def _adadelta(param, grad, square_avg, acc_delta, rho, one_minus_rho, eps, lr, start, stop):
    param, grad, square_avg, acc_delta = (param[start:stop], grad[start:stop],
                                          square_avg[start:stop], acc_delta[start:stop])
    for i in range(param.shape[0]):
        g = grad[i]
        v = square_avg[i] * rho + one_minus_rho * g * g
        square_avg[i] = v
        d = np.sqrt(acc_delta[i] + eps) / np.sqrt(v + eps) * g
        acc_delta[i] = acc_delta[i] * rho + one_minus_rho * d * d
        param[i] -= lr * d


def _compiled(*arrays) -> bool:
    """Whether the arrays suit the loops: one floating dtype, all C-contiguous."""
    dtype = arrays[0].dtype
    return dtype.kind == "f" and all(a.dtype == dtype and a.flags.c_contiguous
                                     for a in arrays)


def adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, *, beta1: float,
                beta2: float, step_size: float, bias2_sqrt: float, eps: float) -> None:
    """One Adam step of ``param`` in place (``max_exp_avg_sq`` None: no amsgrad)."""
    arrays = (param, grad, exp_avg, exp_avg_sq) + (
        () if max_exp_avg_sq is None else (max_exp_avg_sq,))
    if not _compiled(*arrays):
        reference.adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                              beta1=beta1, beta2=beta2, step_size=step_size,
                              bias2_sqrt=bias2_sqrt, eps=eps)
        return
    scalar = param.dtype.type
    flat = [a.reshape(-1) for a in arrays]
    parallel_loop(_adam, param.size, 8 * param.size, flat[0], flat[1], flat[2], flat[3], flat[-1],
                  max_exp_avg_sq is not None, scalar(1 - beta1), scalar(beta2),
                  scalar(1 - beta2), scalar(step_size), scalar(bias2_sqrt), scalar(eps))


def adadelta_update(param, grad, square_avg, acc_delta, *, rho: float, eps: float,
                    lr: float) -> None:
    """One Adadelta step of ``param`` in place."""
    if not _compiled(param, grad, square_avg, acc_delta):
        reference.adadelta_update(param, grad, square_avg, acc_delta, rho=rho, eps=eps, lr=lr)
        return
    scalar = param.dtype.type
    parallel_loop(_adadelta, param.size, 7 * param.size, param.reshape(-1), grad.reshape(-1),
                  square_avg.reshape(-1), acc_delta.reshape(-1), scalar(rho), scalar(1 - rho),
                  scalar(eps), scalar(lr))
