"""L-BFGS (PyTorch's ``torch.optim.LBFGS``): a quasi-Newton method for full-batch problems,
such as optimizing the pixels of an image in neural style transfer.

All parameters are seen as one vector x with gradient g.  Each iteration of ``step``:

1. the direction: d = -H g, where H approximates the inverse Hessian from the last
   ``history_size`` pairs s_k = x_{k+1} - x_k, y_k = g_{k+1} - g_k (a pair is kept only
   when y·s > 1e-10), by the two-loop recursion

       q = -g;  for k newest to oldest:  α_k = ρ_k s_k·q,  q -= α_k y_k     (ρ_k = 1/y_k·s_k)
       r = γ q  (γ = y·s / y·y of the newest pair; 1 at first)
       for k oldest to newest:  β = ρ_k y_k·r,  r += (α_k - β) s_k;   d = r

2. the step length t: ``lr`` (the first iteration of all: lr · min(1, 1/Σ|g|)), or the one
   a strong-Wolfe line search finds (``line_search_fn="strong_wolfe"``: sufficient
   decrease f(x + t d) <= f + c1 t g·d and curvature |g(x + t d)·d| <= c2 |g·d|, by
   bracketing and cubic interpolation, Nocedal & Wright's algorithms 3.5 and 3.6);
3. x += t d, and the closure re-evaluates loss and gradients.

It stops after ``max_iter`` iterations or ``max_eval`` evaluations, or when the largest
|g| is at most ``tolerance_grad``, or when the step or the change of the loss is below
``tolerance_change``.  ``step(closure)`` returns the loss of the closure's first call.
"""
from __future__ import annotations

import numpy as np

from ..autograd.grad_mode import enable_grad, no_grad
from ..backend import array_module, to_device
from ..tensor import Tensor
from .optimizer import Optimizer


class LBFGS(Optimizer):
    """``LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
    tolerance_change=1e-9, history_size=100, line_search_fn=None)``; one parameter group.
    """

    def __init__(self, params, lr: float = 1.0, max_iter: int = 20, max_eval=None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9,
                 history_size: int = 100, line_search_fn=None):
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                                      tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change,
                                      history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def check_hyperparameters(self, group: dict) -> None:
        if not group["lr"] >= 0:
            raise ValueError(f"LBFGS: invalid learning rate: {group['lr']}")
        for name in ("max_iter", "max_eval", "history_size"):
            if not isinstance(group[name], int) or group[name] < 1:
                raise ValueError(f"LBFGS: {name} must be an int >= 1, got {group[name]!r}")
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise RuntimeError(f"LBFGS: only 'strong_wolfe' is supported as "
                               f"line_search_fn, got {group['line_search_fn']!r}")

    @staticmethod
    def _loaded_state_value(owner: str, param, index, key: str, value):
        """LBFGS's state is about all the parameters as one vector (the direction, the
        last gradient, the lists of pairs) and a few numbers: each taken as saved, copied
        to the parameter's device."""
        if isinstance(value, list):
            return [LBFGS._loaded_state_value(owner, param, index, key, item)
                    for item in value]
        if isinstance(value, Tensor):
            value = value.array
        if value is None or isinstance(value, int | float | np.number):
            return value
        if not hasattr(value, "dtype"):
            raise TypeError(f"{owner}: state '{key}' is a {type(value).__name__}, expected "
                            "an array, a list of arrays or a number")
        array = to_device(value, param.device)
        return array_module(array).array(array, copy=True)

    # -- the parameters as one vector ---------------------------------------------------
    def _flat_grad(self):
        xp = array_module(self._params[0].array)
        return xp.concatenate([xp.zeros(p.numel(), p.dtype) if p.grad is None
                               else p.grad.array.reshape(-1) for p in self._params])

    def _add(self, step, direction) -> None:
        """x += step · direction, parameter by parameter."""
        offset = 0
        with no_grad():
            for p in self._params:
                count = p.numel()
                p.array += step * direction[offset:offset + count].reshape(p.shape)
                p._bump_version()
                offset += count

    def _values(self) -> list:
        return [p.array.copy() for p in self._params]

    def _restore(self, values) -> None:
        with no_grad():
            for p, value in zip(self._params, values):
                p.array[...] = value
                p._bump_version()

    def _evaluate(self, closure, start, step, direction):
        """(loss, flat gradient) at start + step · direction; the parameters go back to
        ``start`` afterwards."""
        self._add(step, direction)
        with enable_grad():
            loss = float(closure())
        gradient = self._flat_grad()
        self._restore(start)
        return loss, gradient

    # -- the step -------------------------------------------------------------------------
    def step(self, closure):
        """Run up to ``max_iter`` iterations (see the module docstring) and return the
        loss of the closure's first evaluation."""
        if closure is None:
            raise RuntimeError("LBFGS.step needs a closure that recomputes the loss and "
                               "its gradients (zero_grad, forward, backward, return loss)")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            first_loss = closure()
        loss = float(first_loss)
        evaluations = 1
        state["func_evals"] += 1
        gradient = self._flat_grad()
        xp = array_module(gradient)
        if float(xp.abs(gradient).max()) <= tolerance_grad:
            return first_loss

        direction, step = state.get("d"), state.get("t")
        old_y, old_s, rho = state.get("old_dirs", []), state.get("old_stps", []), \
            state.get("ro", [])
        scale = state.get("H_diag", 1.0)
        previous_gradient, previous_loss = state.get("prev_flat_grad"), state.get("prev_loss")
        iterations = 0
        while iterations < max_iter:
            iterations += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                direction = -gradient
                old_y, old_s, rho, scale = [], [], [], 1.0
            else:
                y = gradient - previous_gradient
                s = direction * step
                ys = float(y @ s)
                if ys > 1e-10:
                    if len(old_y) == history_size:
                        old_y.pop(0), old_s.pop(0), rho.pop(0)
                    old_y.append(y), old_s.append(s), rho.append(1.0 / ys)
                    scale = ys / float(y @ y)
                direction = _two_loop(gradient, old_y, old_s, rho, scale)
            previous_gradient = gradient.copy()
            previous_loss = loss
            step = (min(1.0, 1.0 / float(xp.abs(gradient).sum())) * lr
                    if state["n_iter"] == 1 else lr)
            slope = float(gradient @ direction)
            if slope > -tolerance_change:
                break
            spent = 0
            if group["line_search_fn"] is not None:
                start = self._values()
                loss, gradient, step, spent = _strong_wolfe(
                    lambda t: self._evaluate(closure, start, t, direction), step, direction,
                    loss, gradient, slope)
                self._add(step, direction)
                done = float(xp.abs(gradient).max()) <= tolerance_grad
            else:
                self._add(step, direction)
                done = False
                if iterations != max_iter:
                    with enable_grad():
                        loss = float(closure())
                    gradient = self._flat_grad()
                    done = float(xp.abs(gradient).max()) <= tolerance_grad
                    spent = 1
            evaluations += spent
            state["func_evals"] += spent
            if (iterations == max_iter or evaluations >= max_eval or done
                    or float(xp.abs(direction * step).max()) <= tolerance_change
                    or abs(loss - previous_loss) < tolerance_change):
                break
        state.update(d=direction, t=step, old_dirs=old_y, old_stps=old_s, ro=rho,
                     H_diag=scale, prev_flat_grad=previous_gradient, prev_loss=previous_loss)
        return first_loss


def _two_loop(gradient, old_y, old_s, rho, scale):
    """-H g by the two-loop recursion over the stored pairs (module docstring)."""
    q = -gradient
    alphas = [0.0] * len(old_y)
    for k in range(len(old_y) - 1, -1, -1):
        alphas[k] = float(old_s[k] @ q) * rho[k]
        q = q - alphas[k] * old_y[k]
    r = q * scale
    for k in range(len(old_y)):
        beta = float(old_y[k] @ r) * rho[k]
        r = r + (alphas[k] - beta) * old_s[k]
    return r


def _cubic_minimum(t1, f1, g1, t2, f2, g2, bounds=None) -> float:
    """The minimizer, within ``bounds`` (default: between t1 and t2), of the cubic through
    (t1, f1) and (t2, f2) with slopes g1 and g2; the middle of the bounds when it has
    none (Nocedal & Wright, eq. 3.59)."""
    low, high = bounds if bounds is not None else (min(t1, t2), max(t1, t2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (t1 - t2)
    square = d1 * d1 - g1 * g2
    if square < 0:
        return (low + high) / 2.0
    d2 = float(np.sqrt(square))
    if t1 <= t2:
        position = t2 - (t2 - t1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        position = t1 - (t1 - t2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(position, low), high)


def _strong_wolfe(evaluate, t, direction, loss, gradient, slope, c1=1e-4, c2=0.9,
                  tolerance_change=1e-9, max_ls=25):
    """A step t along ``direction`` meeting the strong Wolfe conditions: (loss,
    gradient, t, evaluations).  ``evaluate(t)`` -> (loss, gradient) at x + t·direction;
    ``slope`` = gradient·direction at t = 0."""
    xp = array_module(direction)
    direction_size = float(xp.abs(direction).max())
    new_loss, new_gradient = evaluate(t)
    evaluations, searches = 1, 0
    new_slope = float(new_gradient @ direction)
    t_prev, loss_prev, gradient_prev, slope_prev = 0.0, loss, gradient, slope
    done = False
    # 1. bracketing: find an interval that holds acceptable steps
    while searches < max_ls:
        if new_loss > loss + c1 * t * slope or (searches > 1 and new_loss >= loss_prev):
            bracket = [[t_prev, loss_prev, gradient_prev, slope_prev],
                       [t, new_loss, new_gradient, new_slope]]
            break
        if abs(new_slope) <= -c2 * slope:
            bracket, done = [[t, new_loss, new_gradient, new_slope]], True
            break
        if new_slope >= 0:
            bracket = [[t_prev, loss_prev, gradient_prev, slope_prev],
                       [t, new_loss, new_gradient, new_slope]]
            break
        following = _cubic_minimum(t_prev, loss_prev, slope_prev, t, new_loss, new_slope,
                                   bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, loss_prev, gradient_prev, slope_prev = t, new_loss, new_gradient, new_slope
        t = following
        new_loss, new_gradient = evaluate(t)
        evaluations += 1
        new_slope = float(new_gradient @ direction)
        searches += 1
    if searches == max_ls:
        bracket = [[0.0, loss, gradient, slope], [t, new_loss, new_gradient, new_slope]]
    # 2. zoom: shrink the bracket until a step meets both conditions
    stalled = False
    low, high = (0, 1) if bracket[0][1] <= bracket[-1][1] else (1, 0)
    while not done and searches < max_ls:
        ends = (bracket[0][0], bracket[1][0])
        if abs(ends[1] - ends[0]) * direction_size < tolerance_change:
            break
        t = _cubic_minimum(bracket[0][0], bracket[0][1], bracket[0][3],
                           bracket[1][0], bracket[1][1], bracket[1][3])
        margin = 0.1 * (max(ends) - min(ends))
        if min(max(ends) - t, t - min(ends)) < margin:      # too close to an end
            if stalled or t >= max(ends) or t <= min(ends):
                t = max(ends) - margin if abs(t - max(ends)) < abs(t - min(ends)) \
                    else min(ends) + margin
                stalled = False
            else:
                stalled = True
        else:
            stalled = False
        new_loss, new_gradient = evaluate(t)
        evaluations += 1
        new_slope = float(new_gradient @ direction)
        searches += 1
        if new_loss > loss + c1 * t * slope or new_loss >= bracket[low][1]:
            bracket[high] = [t, new_loss, new_gradient, new_slope]
            low, high = (0, 1) if bracket[0][1] <= bracket[1][1] else (1, 0)
        else:
            if abs(new_slope) <= -c2 * slope:
                done = True
            elif new_slope * (bracket[high][0] - bracket[low][0]) >= 0:
                bracket[high] = list(bracket[low])
            bracket[low] = [t, new_loss, new_gradient, new_slope]
    t, new_loss, new_gradient = bracket[low][0], bracket[low][1], bracket[low][2]
    return new_loss, new_gradient, t, evaluations
