"""Spectral normalization (Miyato et al., 2018): W / σ(W), σ the largest singular value,
so that a layer is 1-Lipschitz -- the standard way to tame a GAN's discriminator.

``spectral_norm(module)`` is PyTorch's original hook form: the weight becomes the parameter
``weight_orig``; the buffers ``weight_u`` (h,) and ``weight_v`` (w,) hold unit estimates of
the first left and right singular vectors of W as a matrix (h, w) -- dimension ``dim``
first, the rest flattened.  Before each forward pass a pre-hook sets ``module.weight``:

    in training, ``n_power_iterations`` times, without gradient, in place:
        v <- normalize(Wᵀ u),  u <- normalize(W v)
    σ = uᵀ W v   (differentiable in W; u and v are constants)
    weight = weight_orig / σ

so u and v improve by one step per training step; in eval mode they stay as they are.
"""
from __future__ import annotations

from ...autograd.grad_mode import no_grad
from ...tensor import Tensor
from ..functional.distance import normalize
from ..parameter import Parameter


class SpectralNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_orig``."""

    def __init__(self, name: str, n_power_iterations: int, dim: int, eps: float):
        if not isinstance(n_power_iterations, int) or n_power_iterations < 0:
            raise ValueError(f"spectral_norm: n_power_iterations must be a non-negative "
                             f"int, got {n_power_iterations!r}")
        self.name, self.n_power_iterations, self.dim, self.eps = (
            name, n_power_iterations, dim, eps)

    def matrix(self, weight: Tensor) -> Tensor:
        """``weight`` as (shape[dim], everything else): the matrix whose σ is taken."""
        if self.dim != 0:
            order = [self.dim] + [d for d in range(weight.ndim) if d != self.dim]
            weight = weight.permute(*order)
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        matrix = self.matrix(weight)
        if do_power_iteration:
            with no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(normalize(matrix.t() @ u, dim=0, eps=self.eps))
                    u.copy_(normalize(matrix @ v, dim=0, eps=self.eps))
            u, v = u.clone(), v.clone()  # the next step's in-place update must not reach σ
        sigma = u.dot(matrix @ v)
        return weight / sigma

    def remove(self, module) -> None:
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        for suffix in ("", "_u", "_v", "_orig"):
            delattr(module, self.name + suffix)
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module, module.training))


def spectral_norm(module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None):
    """Apply spectral normalization to ``module.<name>`` and return ``module``.  ``dim``
    (the output channels) defaults to 0, or 1 for transposed convolutions, whose weight
    is (in, out, ...)."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            raise RuntimeError(f"spectral_norm: cannot register two spectral_norm hooks on "
                               f"the same parameter {name!r}")
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"spectral_norm: {type(module).__name__} has no parameter {name!r}")
    if dim is None:
        dim = 1 if "ConvTranspose" in type(module).__name__ else 0
    hook = SpectralNorm(name, n_power_iterations, dim, eps)
    with no_grad():
        matrix = hook.matrix(weight)
        h, w = matrix.shape
        u = normalize(weight.new_zeros(h).normal_(0, 1), dim=0, eps=eps)
        v = normalize(weight.new_zeros(w).normal_(0, 1), dim=0, eps=eps)
    delattr(module, name)
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, weight.data)
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    module.register_forward_pre_hook(hook)
    return module


def remove_spectral_norm(module, name: str = "weight"):
    """Undo ``spectral_norm``: ``module.<name>`` becomes a plain parameter again, holding
    the normalized weight; returns ``module``."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"spectral_norm of {name!r} not found in {module}")
