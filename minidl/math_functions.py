"""PyTorch's torch-level functions for running extremes, order statistics, NaN-aware sums,
histograms, the fused products and sums, cross products, determinants and diagonals; each
calls the Tensor method of the same name (``tensor_methods/reductions.py``,
``tensor_methods/matrices.py``) with PyTorch's argument names and defaults.
"""
from __future__ import annotations

from . import linalg as _linalg
from .tensor import Tensor

__all__ = ["addbmm", "addcdiv", "addcmul", "addmm", "addmv", "aminmax", "baddbmm", "cross",
           "cummax", "cummin", "det", "diag_embed", "diagonal", "dist", "histc", "kthvalue",
           "mode", "nansum"]


def cummax(input: Tensor, dim: int):  # noqa: A002  (PyTorch's names)
    return input.cummax(dim)


def cummin(input: Tensor, dim: int):  # noqa: A002
    return input.cummin(dim)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):  # noqa: A002
    return input.kthvalue(k, dim, keepdim)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False):  # noqa: A002
    return input.mode(dim, keepdim)


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    return input.nansum(dim, keepdim, dtype=dtype)


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):  # noqa: A002
    return input.aminmax(dim=dim, keepdim=keepdim)


def dist(input: Tensor, other: Tensor, p=2) -> Tensor:  # noqa: A002
    return input.dist(other, p)


def histc(input: Tensor, bins: int = 100, min=0, max=0) -> Tensor:  # noqa: A002
    return input.histc(bins, min, max)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    return input.addmm(mat1, mat2, beta=beta, alpha=alpha)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    return input.addmv(mat, vec, beta=beta, alpha=alpha)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1,  # noqa: A002
           alpha=1) -> Tensor:
    return input.addbmm(batch1, batch2, beta=beta, alpha=alpha)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1,  # noqa: A002
            alpha=1) -> Tensor:
    return input.baddbmm(batch1, batch2, beta=beta, alpha=alpha)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:  # noqa: A002
    return input.addcmul(tensor1, tensor2, value=value)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:  # noqa: A002
    return input.addcdiv(tensor1, tensor2, value=value)


def cross(input: Tensor, other: Tensor, dim=None) -> Tensor:  # noqa: A002
    """The cross product along ``dim`` (by default the first dimension of size 3)."""
    return input.cross(other, dim)


def det(input: Tensor) -> Tensor:  # noqa: A002
    return _linalg.det(input)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    return input.diagonal(offset, dim1, dim2)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2,  # noqa: A002
               dim2: int = -1) -> Tensor:
    return input.diag_embed(offset, dim1, dim2)
