"""Batch normalization as autograd Functions (the kernels hold the maths; see
``minidl/kernels/reference/batchnorm.py``).

x is (N, C, ...); weight, bias, the statistics are (C,).

- ``BatchNormTrain`` normalizes with the batch's own mean and biased variance, and (when
  given running estimates) updates them in place, as PyTorch does:
      running_mean ← (1 - momentum)·running_mean + momentum·mean
      running_var  ← (1 - momentum)·running_var  + momentum·var·n/(n - 1)
  (the running variance is the *unbiased* estimate, n = N·(values per channel)).
  Its backward accounts for the mean and variance depending on every input of the channel.
- ``BatchNormEval`` normalizes with the running estimates, which are constants: its
  backward is a per-channel scale.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.graph_backward import operand
from ..backend import array_module
from ..kernels import kernel


def _like_input(values, x):
    """A per-channel array in x's dtype (no copy when it already is); None stays None."""
    return None if values is None else array_module(x).asarray(values, dtype=x.dtype)


def _grads_for_inputs(needs, grad_x, grad_weight, grad_bias):
    """Keep the gradients of the inputs that need one (the engine ignores None)."""
    return tuple(g if needed else None
                 for needed, g in zip(needs, (grad_x, grad_weight, grad_bias)))


class BatchNormTrain(Function):
    """y = (x - mean_batch) / √(var_batch + eps) · weight + bias, per channel."""

    def forward(self, x, weight, bias, *, eps, momentum=0.1, running_mean=None,
                running_var=None):
        weight, bias = _like_input(weight, x), _like_input(bias, x)
        y, mean, var = kernel("batch_norm_forward_train", x)(x, weight, bias, eps)
        if running_mean is not None:
            kernel("batch_norm_update_running", x)(running_mean, running_var, mean, var,
                                                   momentum, x.size // x.shape[1])
        self.eps = eps
        self.save_for_backward(x, mean, var, weight)
        return y

    def backward(self, grad):
        x, mean, var, weight = self.saved_arrays
        grads = kernel("batch_norm_backward_train", grad)(grad, x, mean, var, weight, self.eps)
        return _grads_for_inputs(self.needs_input_grad, *grads)

    def backward_graph(self, grad, needs):
        """With x̂ = (x - mean) / √(var + eps) recomputed from the rebuilt input and
        gw = g·weight:  dx = (gw - mean gw - x̂ mean(gw x̂)) / √(var + eps),
        dweight = Σ g x̂,  dbias = Σ g  (means and sums over all but the channel axis)."""
        x, _, _, weight = self.saved_arrays
        axes = (0,) + tuple(range(2, x.ndim))
        x_in = operand(self, 0, x)
        centred = x_in - x_in.mean(axes, keepdim=True)
        inv_std = ((centred * centred).mean(axes, keepdim=True) + self.eps) ** -0.5
        normalized = centred * inv_std
        per_channel = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        gw = grad if weight is None else grad * operand(self, 1, weight).reshape(per_channel)
        grad_x = (gw - gw.mean(axes, keepdim=True)
                  - normalized * (gw * normalized).mean(axes, keepdim=True)) * inv_std \
            if needs[0] else None
        return _graph_grads(needs, grad_x, grad, normalized, axes)


class BatchNormEval(Function):
    """y = (x - running_mean) / √(running_var + eps) · weight + bias, per channel."""

    def forward(self, x, weight, bias, *, eps, running_mean, running_var):
        weight, bias = _like_input(weight, x), _like_input(bias, x)
        # copies: a later training step may update the running estimates in place
        xp = array_module(x)
        running_mean = xp.array(running_mean, dtype=x.dtype)
        running_var = xp.array(running_var, dtype=x.dtype)
        y = kernel("batch_norm_forward_eval", x)(x, running_mean, running_var, weight, bias,
                                                 eps)
        self.eps = eps
        self.save_for_backward(x, running_mean, running_var, weight)
        return y

    def backward(self, grad):
        x, running_mean, running_var, weight = self.saved_arrays
        grads = kernel("batch_norm_backward_eval", grad)(grad, x, running_mean, running_var,
                                                         weight, self.eps)
        return _grads_for_inputs(self.needs_input_grad, *grads)

    def backward_graph(self, grad, needs):
        """dx = g·weight / √(running_var + eps) (constants but the weight),
        dweight = Σ g x̂,  dbias = Σ g, x̂ = (x - running_mean) / √(running_var + eps)."""
        x, running_mean, running_var, weight = self.saved_arrays
        axes = (0,) + tuple(range(2, x.ndim))
        per_channel = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        inv_std = (1 / array_module(x).sqrt(running_var + self.eps)).reshape(per_channel)
        scale = inv_std if weight is None \
            else operand(self, 1, weight).reshape(per_channel) * inv_std
        normalized = (operand(self, 0, x) - running_mean.reshape(per_channel)) * inv_std \
            if needs[1] else None
        return _graph_grads(needs, grad * scale if needs[0] else None, grad, normalized,
                            axes)


def _graph_grads(needs, grad_x, grad, normalized, axes):
    """(dx, dweight = Σ g x̂, dbias = Σ g) as recorded Tensors, None where not needed."""
    return (grad_x,
            (grad * normalized).sum(axes) if needs[1] else None,
            grad.sum(axes) if needs[2] else None)
