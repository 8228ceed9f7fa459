"""The reduction behind ``embedding_bag``: sums, means or maxima of bags of table rows.

    weight (V, D); index (L,) rows of the table; bag (L,) which of B bags each entry
    belongs to (non-decreasing: bags are consecutive runs); per_sample_weights (L,) or None
    sum:  y[b] = Σ_{l: bag[l]=b} w_l · weight[index[l]]         (w_l = 1 without weights)
    mean: y[b] = (1 / n_b) Σ_{l: bag[l]=b} weight[index[l]]
    max:  y[b, d] = max_{l: bag[l]=b} weight[index[l], d]
An empty bag gives zeros.  Entries equal to ``padding_idx`` are left out (and not counted
in n_b).  Gradients: dL/dweight[k] gathers the output gradient of every bag that read row
k (÷ n_b for mean, · w_l for sum; for max only the first entry holding the maximum, per
column, gets it), dL/dw_l = <dL/dy[bag[l]], weight[index[l]]>.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module, scatter_add


class EmbeddingBagReduce(Function):
    """(weight (V, D), per_sample_weights (L,) or None) -> (B, D); see the module."""

    def forward(self, weight, per_sample_weights, *, index, bag, num_bags, mode,
                padding_idx):
        xp = array_module(weight)
        keep = xp.ones(index.shape, dtype=bool) if padding_idx is None \
            else index != padding_idx
        self.keep, self.index, self.bag = keep, index[keep], bag[keep]
        self.mode, self.shape = mode, weight.shape
        rows = weight[self.index]
        out = xp.zeros((num_bags, weight.shape[1]), dtype=weight.dtype)
        if per_sample_weights is not None:
            self.weight, self.sample_weights = weight, per_sample_weights[keep]
            rows = rows * self.sample_weights[:, None]
        if mode == "max":
            if self.index.size:
                starts = xp.flatnonzero(xp.concatenate([xp.ones(1, dtype=bool),
                                                         self.bag[1:] != self.bag[:-1]]))
                self.filled = self.bag[starts]
                out[self.filled] = xp.maximum.reduceat(rows, starts, axis=0)
                position = xp.arange(rows.shape[0])[:, None]
                holder = xp.where(rows == out[self.bag], position, rows.shape[0])
                first = xp.minimum.reduceat(holder, starts, axis=0)  # (bags filled, D)
                self.argmax_rows = self.index[first]
            else:
                self.filled = None
            return out
        scatter_add(xp, out, self.bag, rows)
        if mode == "mean":
            self.counts = xp.maximum(xp.bincount(self.bag, minlength=num_bags), 1)
            out /= self.counts[:, None].astype(weight.dtype)
        return out

    def backward(self, grad):
        xp = array_module(grad)
        grad_weight = xp.zeros(self.shape, dtype=grad.dtype)
        if self.mode == "max":
            if self.filled is not None:
                columns = xp.broadcast_to(xp.arange(self.shape[1]), self.argmax_rows.shape)
                scatter_add(xp, grad_weight, (self.argmax_rows, columns), grad[self.filled])
            return grad_weight, None
        per_entry = grad[self.bag]
        if self.mode == "mean":
            per_entry = per_entry / self.counts[self.bag][:, None].astype(grad.dtype)
        grad_samples = None
        if self.needs_input_grad[1]:
            grad_samples = xp.zeros(self.keep.shape, dtype=grad.dtype)
            grad_samples[self.keep] = (per_entry * self.weight[self.index]).sum(axis=1)
        if hasattr(self, "sample_weights"):
            per_entry = per_entry * self.sample_weights[:, None]
        if self.needs_input_grad[0]:
            scatter_add(xp, grad_weight, self.index, per_entry)
        else:
            grad_weight = None
        return grad_weight, grad_samples


__all__ = ["EmbeddingBagReduce"]
