"""More of PyTorch's torch-level maths: logaddexp(2), xlogy, logit, erfc, erfinv, sinc, i0,
polygamma, copysign, signbit, deg2rad/rad2deg, isneginf/isposinf/isreal, fmax/fmin,
float_power, exp2, gcd/lcm, heaviside, sgn, logcumsumexp, cov, corrcoef, cartesian_prod,
combinations, block_diag, vander, nanmedian, nanquantile.  Differentiable ones are built on
the Functions of ``ops/special_functions.py`` or on minidl's recorded operations."""
from __future__ import annotations

import itertools
import math
import warnings

import numpy as np

from .dtypes import get_default_dtype
from .ops.special_functions import (
    Bessel,
    CopySign,
    Exp2,
    LogAddExp,
    LogCumSumExp,
    Polygamma,
    Unary,
    XLogY,
)
from .tensor import Tensor
from .tensor_methods.base import ValuesIndices

__all__ = [
    "logaddexp", "logaddexp2", "xlogy", "logit", "erfc", "erfinv", "sinc", "i0", "polygamma",
    "copysign", "signbit", "deg2rad", "rad2deg", "isneginf", "isposinf", "isreal", "fmax",
    "fmin", "float_power", "exp2", "gcd", "lcm", "heaviside", "sgn", "logcumsumexp", "cov",
    "corrcoef", "cartesian_prod", "combinations", "block_diag", "vander", "nanmedian",
    "nanquantile",
]


def _tensor(value, like: Tensor | None = None) -> Tensor:
    if isinstance(value, Tensor):
        return value
    import minidl
    if like is not None and isinstance(value, (bool, int, float)):
        kind = like.dtype.kind
        if isinstance(value, float) and kind != "f":
            return minidl.tensor(value, dtype=get_default_dtype(), device=like.device)
        if isinstance(value, int) and not isinstance(value, bool) and kind == "b":
            return minidl.tensor(value, device=like.device)
        return minidl.tensor(value, dtype=like.dtype, device=like.device)
    return minidl.tensor(value)


def _floating(x: Tensor) -> Tensor:
    x = _tensor(x)
    return x if x.dtype.kind == "f" else x._cast(np.dtype(get_default_dtype()))


def _float_pair(a, b):
    """Both operands as tensors of their promoted floating type (PyTorch's rule for the
    float functions of two arguments: integers become the default float type)."""
    from .dtypes import result_type
    a_t = a if isinstance(a, Tensor) else None
    b_t = b if isinstance(b, Tensor) else None
    if a_t is None and b_t is None:
        a, b = _tensor(a), _tensor(b)
    elif a_t is None:
        a = _tensor(a, b_t)
    elif b_t is None:
        b = _tensor(b, a_t)
    dtype = np.dtype(result_type(a, b))
    if dtype.kind != "f":
        dtype = np.dtype(get_default_dtype())
    return (a if a.dtype == dtype else a._cast(dtype)), (b if b.dtype == dtype else b._cast(dtype))


def _unary(name: str, x) -> Tensor:
    return Unary.apply(_floating(x), name=name)


# ---- elementwise --------------------------------------------------------------------------

def erfc(input) -> Tensor:  # noqa: A002  (PyTorch's names)
    return _unary("erfc", input)


def erfinv(input) -> Tensor:  # noqa: A002
    return _unary("erfinv", input)


def sinc(input) -> Tensor:  # noqa: A002
    return _unary("sinc", input)


def i0(input) -> Tensor:  # noqa: A002
    return Bessel.apply(_floating(input), which="i0")


def polygamma(n: int, input) -> Tensor:  # noqa: A002
    if int(n) != n or n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n, got {n}")
    return Polygamma.apply(_floating(input), n=int(n))


def exp2(input) -> Tensor:  # noqa: A002
    return Exp2.apply(_floating(input))


def logit(input, eps=None) -> Tensor:  # noqa: A002
    x = _floating(input)
    if eps is not None:
        x = x.clamp(eps, 1 - eps)
    return (x / (1 - x)).log()


def xlogy(input, other) -> Tensor:  # noqa: A002
    a, b = _float_pair(input, other)
    return XLogY.apply(a, b, one_plus=False)


def xlog1py(input, other) -> Tensor:  # noqa: A002
    a, b = _float_pair(input, other)
    return XLogY.apply(a, b, one_plus=True)


def logaddexp(input, other) -> Tensor:  # noqa: A002
    a, b = _float_pair(input, other)
    return LogAddExp.apply(a, b, base2=False)


def logaddexp2(input, other) -> Tensor:  # noqa: A002
    a, b = _float_pair(input, other)
    return LogAddExp.apply(a, b, base2=True)


def copysign(input, other) -> Tensor:  # noqa: A002
    a, b = _float_pair(input, other)
    return CopySign.apply(a, b)


def signbit(input) -> Tensor:  # noqa: A002
    from .backend import array_module
    x = _tensor(input)
    return Tensor._from_array(array_module(x.array).signbit(x.array))


def deg2rad(input) -> Tensor:  # noqa: A002
    return _floating(input) * (math.pi / 180)


def rad2deg(input) -> Tensor:  # noqa: A002
    return _floating(input) * (180 / math.pi)


def isneginf(input) -> Tensor:  # noqa: A002
    x = _tensor(input)
    return x.isinf() & (x < 0)


def isposinf(input) -> Tensor:  # noqa: A002
    x = _tensor(input)
    return x.isinf() & (x > 0)


def isreal(input) -> Tensor:  # noqa: A002
    from .backend import array_module
    x = _tensor(input)
    return Tensor._from_array(array_module(x.array).isreal(x.array))


def _fmax_fmin(a, b, larger: bool) -> Tensor:
    from .creation import where
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        a, b = (_tensor(a, b if isinstance(b, Tensor) else None),
                _tensor(b, a if isinstance(a, Tensor) else None))
    keep = ((a >= b) if larger else (a <= b))
    if b.dtype.kind == "f":
        keep = keep | b.isnan()
    from .dtypes import result_type
    dtype = np.dtype(result_type(a, b))
    a = a if a.dtype == dtype else a._cast(dtype)
    b = b if b.dtype == dtype else b._cast(dtype)
    return where(keep, a, b)


def fmax(input, other) -> Tensor:  # noqa: A002
    return _fmax_fmin(input, other, True)


def fmin(input, other) -> Tensor:  # noqa: A002
    return _fmax_fmin(input, other, False)


def float_power(input, exponent) -> Tensor:  # noqa: A002
    f64 = np.dtype(np.float64)
    base = _tensor(input)
    base = base if base.dtype == f64 else base._cast(f64)
    if isinstance(exponent, Tensor):
        exponent = exponent if exponent.dtype == f64 else exponent._cast(f64)
        return base ** exponent
    return base ** float(exponent)


def _integer_pair(input, other, name):
    from .backend import array_module
    a, b = _tensor(input), _tensor(other, input if isinstance(input, Tensor) else None)
    if a.dtype.kind not in "iub" or b.dtype.kind not in "iub":
        raise RuntimeError(f'"{name}_cpu" not implemented for {a.dtype}/{b.dtype}')
    xp = array_module(a.array)
    return a, b, xp


def gcd(input, other) -> Tensor:  # noqa: A002
    a, b, xp = _integer_pair(input, other, "gcd")
    return Tensor._from_array(xp.gcd(a.array, b.array))


def lcm(input, other) -> Tensor:  # noqa: A002
    a, b, xp = _integer_pair(input, other, "lcm")
    return Tensor._from_array(xp.lcm(a.array, b.array))


def heaviside(input, values) -> Tensor:  # noqa: A002
    from .backend import array_module
    x, v = _tensor(input), _tensor(values)
    if x.dtype != v.dtype:
        raise RuntimeError(f"heaviside is not yet implemented for tensors with different "
                           f"dtypes, got {x.dtype} and {v.dtype}")
    xp = array_module(x.array)
    out = xp.where(x.array == 0, v.array, (x.array > 0)).astype(x.dtype)
    return Tensor._from_array(out)


def sgn(input) -> Tensor:  # noqa: A002
    return _tensor(input).sign()


def logcumsumexp(input, dim: int) -> Tensor:  # noqa: A002
    x = _floating(input)
    if x.ndim == 0:
        return LogCumSumExp.apply(x.reshape(1), dim=0).reshape(())
    return LogCumSumExp.apply(x, dim=dim % x.ndim)


# ---- statistics and combinatorics ------------------------------------------------------------

def cov(input, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:  # noqa: A002
    x = _tensor(input)
    if x.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got "
                           f"an input with {x.ndim} dimensions")
    x = x.reshape(1, -1) if x.ndim < 2 else x
    x = _floating(x)
    observations = x.shape[1]
    w = None
    if fweights is not None:
        if fweights.dtype.kind not in "iu":
            raise RuntimeError("cov(): expected fweights to have integral dtype")
        w = fweights.to(x.dtype)
    if aweights is not None:
        if aweights.dtype.kind != "f":
            raise RuntimeError("cov(): expected aweights to have floating point dtype")
        w = aweights.to(x.dtype) if w is None else w * aweights.to(x.dtype)
    if w is None:
        avg = x.mean(1)
        w_sum = observations
        norm = observations - correction
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * (w * aweights.to(x.dtype)).sum() / w_sum
    norm_value = float(norm.item()) if isinstance(norm, Tensor) else float(norm)
    if norm_value <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0", RuntimeWarning, stacklevel=2)
        norm = 0 if not isinstance(norm, Tensor) else norm.clamp(min=0)
    centred = x - avg.reshape(-1, 1)
    weighted = centred if w is None else centred * w
    product = weighted @ centred.t()
    result = product / norm if isinstance(norm, Tensor) or norm != 0 else product / float(norm)
    return result.squeeze()


def corrcoef(input) -> Tensor:  # noqa: A002
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal()
    std = d.sqrt()
    c = c / std.reshape(-1, 1)
    c = c / std.reshape(1, -1)
    return c.clamp(-1, 1)


def cartesian_prod(*tensors) -> Tensor:
    from .creation import stack
    from .tensor_functions import meshgrid
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r: int = 2, with_replacement: bool = False) -> Tensor:  # noqa: A002
    import minidl
    x = _tensor(input)
    if x.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(x.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return minidl.empty(0, dtype=x.dtype, device=x.device)
    choose = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    rows = list(choose(range(x.shape[0]), r))
    if not rows:
        return minidl.empty(0, r, dtype=x.dtype, device=x.device)
    index = minidl.tensor(np.asarray(rows, dtype=np.int64).reshape(-1), device=x.device)
    return x.index_select(0, index).reshape(len(rows), r)


def block_diag(*tensors) -> Tensor:
    import minidl

    from .dtypes import result_type
    if not tensors:
        return minidl.empty(1, 0)
    blocks: list = []
    for t in tensors:
        t = _tensor(t)
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {len(blocks)} has {t.ndim} dimensions")
        blocks.append(t.reshape(1, -1) if t.ndim < 2 else t)
    dtype = np.dtype(result_type(*blocks)) if len(blocks) > 1 else blocks[0].dtype
    blocks = [b if b.dtype == dtype else b._cast(dtype) for b in blocks]
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        h, w = b.shape
        parts = [minidl.zeros(h, left, dtype=dtype, device=b.device), b,
                 minidl.zeros(h, width - left - w, dtype=dtype, device=b.device)]
        rows.append(minidl.cat(parts, 1))
        left += w
    return minidl.cat(rows, 0)


def vander(x, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    from .creation import stack
    x = _tensor(x)
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    if x.dtype.kind == "b":
        x = x._cast(np.dtype(np.int64))
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    import minidl
    if n == 0:
        return minidl.empty(x.shape[0], 0, dtype=x.dtype, device=x.device)
    columns = [minidl.ones_like(x)]
    for _ in range(1, n):
        columns.append(columns[-1] * x)
    if not increasing:
        columns = columns[::-1]
    return stack(columns, 1)




def _nan_last_sorted(x: Tensor, dim: int):
    """x sorted along dim (nan last, as minidl's sort) and the count of non-nan values."""
    ordered = x.sort(dim)
    valid = (~x.isnan()).sum(dim, keepdim=True) if x.dtype.kind == "f" else None
    if valid is None:
        import minidl
        valid = minidl.full([1 if i == dim else s for i, s in enumerate(x.shape)],
                            x.shape[dim], dtype=minidl.int64, device=x.device)
    return ordered, valid


def nanmedian(input, dim=None, keepdim: bool = False):  # noqa: A002
    x = _tensor(input)
    if dim is None:
        flat = x.reshape(-1)
        if flat.shape[0] == 0:
            import minidl
            return minidl.tensor(float("nan"), dtype=x.dtype)
        return nanmedian(flat, 0).values
    if x.ndim == 0:
        return ValuesIndices(x.clone(), _tensor(0) * 0)
    dim = dim % x.ndim
    ordered, valid = _nan_last_sorted(x, dim)
    position = ((valid - 1).clamp(min=0)) // 2
    values = ordered.values.gather(dim, position)
    indices = ordered.indices.gather(dim, position)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return ValuesIndices(values, indices)


def nanquantile(input, q, dim=None, keepdim: bool = False, *,  # noqa: A002
                interpolation: str = "linear") -> Tensor:
    import minidl
    x = _tensor(input)
    if x.dtype.kind != "f":
        raise RuntimeError(f"nanquantile() input tensor must be float or double, got {x.dtype}")
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise ValueError(f"nanquantile() interpolation must be one of linear, lower, higher, "
                         f"midpoint or nearest, got {interpolation!r}")
    scalar_q = not isinstance(q, Tensor)
    qs = np.asarray(q.detach().cpu().numpy() if isinstance(q, Tensor) else q,
                    dtype=np.float64).reshape(-1)
    if not ((qs >= 0) & (qs <= 1)).all():
        raise RuntimeError("nanquantile() q values must be in the range [0, 1]")
    original_ndim, original_shape = x.ndim, x.shape
    flat = x.reshape(-1) if dim is None else x
    axis = -1 if dim is None else dim % max(flat.ndim, 1)
    flat = flat.reshape(1) if flat.ndim == 0 else flat.movedim(axis, -1)
    if flat.shape[-1] == 0:
        raise IndexError("nanquantile() input tensor must be non-empty")
    ordered = flat.sort(-1).values
    valid = (~flat.isnan()).sum(-1, keepdim=True).detach().cpu().numpy().astype(np.float64)
    results = []
    for qv in qs:
        ranks = qv * np.maximum(valid - 1, 0)
        low, high = np.floor(ranks).astype(np.int64), np.ceil(ranks).astype(np.int64)
        if interpolation == "nearest":
            # round half to even, as PyTorch
            low = high = np.round(ranks).astype(np.int64)
        below = ordered.gather(-1, minidl.tensor(low, device=x.device))
        above = ordered.gather(-1, minidl.tensor(high, device=x.device))
        if interpolation in ("lower", "nearest"):
            result = below
        elif interpolation == "higher":
            result = above
        else:
            weight = np.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - low
            result = below + (above - below) * minidl.tensor(weight, dtype=x.dtype,
                                                            device=x.device)
        result = result.masked_fill(minidl.tensor(valid == 0, device=x.device), float("nan"))
        results.append(result.squeeze(-1))
    result = minidl.stack(results, 0)
    if keepdim:
        kept = [1] * original_ndim if dim is None else list(original_shape)
        if dim is not None and original_ndim:
            kept[dim % original_ndim] = 1
        result = result.reshape([len(qs)] + kept)
    elif dim is None:
        result = result.reshape(len(qs))
    return result[0] if scalar_q else result
