"""``torch.special``: the special functions under PyTorch's names (``minidl.special.erfinv``,
``expit``, ``ndtri``, ...).  The values of the new ones come from
``ops/special_functions.py``; the others are minidl's functions re-exported."""
from __future__ import annotations

import math

from .math_more import (
    _floating,
    _unary,
    erfc,
    erfinv,
    exp2,
    i0,
    logit,
    polygamma,
    sinc,
    xlog1py,
    xlogy,
)
from .ops.gamma_functions import lgamma as gammaln
from .ops.special_functions import Bessel
from .tensor import Tensor

__all__ = [
    "expit", "logit", "erf", "erfc", "erfinv", "gammaln", "digamma", "psi", "polygamma",
    "multigammaln", "i0", "i0e", "i1", "i1e", "sinc", "entr", "xlogy", "xlog1py", "ndtr",
    "ndtri", "log_ndtr", "logsumexp", "softmax", "log_softmax", "expm1", "exp2", "log1p",
    "round",
]


def expit(input) -> Tensor:  # noqa: A002  (PyTorch's names)
    return _floating(input).sigmoid()


def erf(input) -> Tensor:  # noqa: A002
    return _floating(input).erf()


def digamma(input) -> Tensor:  # noqa: A002
    return _unary("digamma", input)


psi = digamma


def multigammaln(input, p: int) -> Tensor:  # noqa: A002
    x = _floating(input)
    if p < 1:
        raise RuntimeError(f"p has to be greater than or equal to 1, got {p}")
    if bool((x <= (p - 1) / 2).any()):
        raise RuntimeError(f"All elements must be greater than (p-1)/2 = {(p - 1) / 2}")
    total = gammaln(x)
    for i in range(1, p):
        total = total + gammaln(x - i / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)


def i0e(input) -> Tensor:  # noqa: A002
    return Bessel.apply(_floating(input), which="i0e")


def i1(input) -> Tensor:  # noqa: A002
    return Bessel.apply(_floating(input), which="i1")


def i1e(input) -> Tensor:  # noqa: A002
    return Bessel.apply(_floating(input), which="i1e")


def entr(input) -> Tensor:  # noqa: A002
    return _unary("entr", input)


def ndtr(input) -> Tensor:  # noqa: A002
    return _unary("ndtr", input)


def ndtri(input) -> Tensor:  # noqa: A002
    return _unary("ndtri", input)


def log_ndtr(input) -> Tensor:  # noqa: A002
    return _unary("log_ndtr", input)


def logsumexp(input, dim, keepdim: bool = False) -> Tensor:  # noqa: A002
    return _floating(input).logsumexp(dim, keepdim=keepdim)


def softmax(input, dim: int, *, dtype=None) -> Tensor:  # noqa: A002
    x = input if dtype is None else input.to(dtype)
    return _floating(x).softmax(dim)


def log_softmax(input, dim: int, *, dtype=None) -> Tensor:  # noqa: A002
    x = input if dtype is None else input.to(dtype)
    return _floating(x).log_softmax(dim)


def expm1(input) -> Tensor:  # noqa: A002
    return _floating(input).expm1()


def log1p(input) -> Tensor:  # noqa: A002
    return _floating(input).log1p()


def round(input, *, decimals: int = 0) -> Tensor:  # noqa: A001, A002
    return input.round(decimals=decimals)

