"""minidl: a deep learning engine written from scratch on NumPy.

    import minidl
    import minidl.nn as nn, minidl.nn.functional as F, minidl.optim as optim

The public names follow PyTorch: ``minidl.tensor``, ``minidl.zeros``, ``Tensor.backward``,
``nn.Module``, ``optim.SGD`` ... so what you learn here transfers back.
"""
import os as _os

# NumPy's BLAS threads and minidl's kernel workers share the cores; idle BLAS threads that
# keep spinning slow the workers down (measured: 467 vs 858 images/s in training).  Let
# them sleep unless the user chose otherwise (effective when minidl imports NumPy first).
# (minidl runs no OpenMP loops of its own: kernels/cpu/workers.py says why.)
_os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
from . import accelerator, backends, cuda  # noqa: F401  (torch.cuda, torch.backends, ...)
from .autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .autograd.anomaly import (
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_anomaly_enabled,
)
from .backend import device
from .compile import compile, compiler  # noqa: A004  (torch.compile: the identity)
from .creation import (
    arange,
    as_tensor,
    cat,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    stack,
    tensor,
    where,
    zeros,
    zeros_like,
)
from .dtype_objects import (  # noqa: A004  (dtype names, as torch.float32 ...)
    bool,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
)
from .dtypes import get_default_dtype, promote_types, set_default_dtype
from .elementwise_functions import (
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    dsplit,
    fix,
    fliplr,
    flipud,
    frac,
    hsplit,
    ravel,
    swapdims,
    trunc,
    unflatten,
    vsplit,
)
from .gradcheck import GradcheckError, gradcheck
from .legacy_types import BoolTensor, ByteTensor, DoubleTensor, FloatTensor, IntTensor, LongTensor
from .math_functions import (
    addbmm,
    addcdiv,
    addcmul,
    addmm,
    addmv,
    aminmax,
    baddbmm,
    cross,
    cummax,
    cummin,
    det,
    diag_embed,
    diagonal,
    dist,
    histc,
    kthvalue,
    mode,
    nansum,
)
from .memory_format import (
    channels_last,
    channels_last_3d,
    contiguous_format,
    memory_format,
    preserve_format,
)
from .ops.gamma_functions import digamma, lgamma
from .printing import set_printoptions
from .random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    set_rng_state,
)
from .runtime import (
    are_deterministic_algorithms_enabled,
    get_num_threads,
    is_deterministic_algorithms_warn_only_enabled,
    set_num_threads,
    use_deterministic_algorithms,
)
from .selection_functions import (
    argwhere,
    index_copy,
    index_fill,
    index_put,
    index_put_,
    isin,
    masked_scatter,
    scatter_add,
    scatter_reduce,
    select,
    take,
    tril_indices,
    triu_indices,
    unique_consecutive,
)
from .serialization import load, save
from .size import Size
from .tensor import Tensor
from .tensor_functions import (
    abs,
    acos,
    add,
    all,
    allclose,
    amax,
    amin,
    any,
    arccos,
    arcsin,
    arctan,
    arctan2,
    argmax,
    argmin,
    argsort,
    asin,
    atan,
    atan2,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    bernoulli,
    bincount,
    bmm,
    broadcast_shapes,
    broadcast_tensors,
    broadcast_to,
    bucketize,
    ceil,
    chunk,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    clone,
    column_stack,
    cos,
    cosh,
    count_nonzero,
    cumprod,
    cumsum,
    detach,
    diag,
    diff,
    div,
    divide,
    dot,
    dstack,
    einsum,
    eq,
    equal,
    erf,
    exp,
    expm1,
    flatten,
    flip,
    floor,
    floor_divide,
    fmod,
    gather,
    ge,
    ger,
    gt,
    hstack,
    hypot,
    index_select,
    is_floating_point,
    is_tensor,
    isclose,
    isfinite,
    isinf,
    isnan,
    kron,
    le,
    lerp,
    log,
    log1p,
    log2,
    log10,
    log_softmax,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    logspace,
    logsumexp,
    lt,
    masked_fill,
    masked_select,
    matmul,
    max,
    maximum,
    mean,
    median,
    meshgrid,
    min,
    minimum,
    mm,
    moveaxis,
    movedim,
    mul,
    multinomial,
    multiply,
    nan_to_num,
    nanmean,
    narrow,
    ne,
    neg,
    negative,
    nonzero,
    norm,
    numel,
    outer,
    permute,
    pow,
    prod,
    quantile,
    reciprocal,
    relu,
    relu_,
    remainder,
    repeat_interleave,
    reshape,
    roll,
    rot90,
    round,
    row_stack,
    rsqrt,
    scatter,
    searchsorted,
    sigmoid,
    sign,
    sin,
    sinh,
    softmax,
    sort,
    split,
    sqrt,
    square,
    squeeze,
    std,
    std_mean,
    sub,
    subtract,
    sum,
    swapaxes,
    t,
    take_along_dim,
    tan,
    tanh,
    tensor_split,
    tile,
    topk,
    trace,
    transpose,
    tril,
    triu,
    true_divide,
    unbind,
    unique,
    unsqueeze,
    var,
    var_mean,
    vstack,
)
from .type_info import can_cast, finfo, iinfo, result_type

# isort: split
from . import amp, distributions, linalg, nn, optim  # after Tensor: they build on it
from .amp import autocast
from .nn.functional.cdist import cdist

cuda.amp = amp  # type: ignore[attr-defined]  # torch.cuda.amp: torch.amp's GradScaler, autocast

concat = concatenate = cat
# PyTorch's other names of the dtypes (last: they shadow Python's float, int and bool here)
half, double, short, long = float16, float64, int16, int64
float = float32  # noqa: A001
int = int32  # noqa: A001

__version__ = "0.1.0"

__all__ = [
    "Tensor", "Size", "device", "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty",
    "full", "zeros_like", "ones_like", "empty_like", "full_like", "randn", "rand", "randint",
    "randn_like", "rand_like", "randint_like", "randperm", "arange", "linspace", "eye", "cat",
    "concat", "concatenate", "stack", "where", "manual_seed", "Generator", "get_rng_state",
    "set_rng_state", "set_printoptions", "no_grad", "enable_grad", "set_grad_enabled",
    "is_grad_enabled", "get_default_dtype", "set_default_dtype", "promote_types", "float16",
    "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool", "half", "float",
    "double", "short", "int", "long", "FloatTensor", "DoubleTensor", "LongTensor", "IntTensor",
    "BoolTensor", "ByteTensor", "gradcheck", "GradcheckError", "nn", "optim", "cuda", "accelerator",
    "backends", "save", "load", "abs", "add", "allclose", "amax", "amin", "argmax", "argmin", "bmm",
    "ceil", "chunk", "clamp", "clip", "clone", "cos", "detach", "diag", "div", "divide", "dot",
    "eq", "equal", "exp", "expm1", "flatten", "floor", "gather", "ge", "gt", "is_floating_point",
    "is_tensor", "isfinite", "isnan", "le", "log", "log1p", "log_softmax", "logical_not", "lt",
    "masked_fill", "matmul", "max", "maximum", "mean", "min", "minimum", "mm", "mul", "multiply",
    "ne", "neg", "negative", "norm", "numel", "permute", "pow", "reciprocal", "relu", "reshape",
    "round", "rsqrt", "scatter", "sigmoid", "sign", "sin", "softmax", "split", "sqrt", "square",
    "squeeze", "std", "sub", "subtract", "sum", "swapaxes", "t", "tan", "tanh", "transpose", "tril",
    "triu", "true_divide", "unbind", "unsqueeze", "var", "normal", "default_generator",
    "initial_seed", "all", "any", "argsort", "clamp_max", "clamp_min", "cumsum", "flip",
    "floor_divide", "index_select", "isinf", "lerp", "moveaxis", "movedim", "narrow", "nonzero",
    "prod", "remainder", "roll", "sort", "topk",
    "atan2", "arctan2", "arcsin", "arccos", "arctan", "asin", "acos", "atan", "atleast_1d",
    "atleast_2d", "atleast_3d", "bernoulli", "bincount", "broadcast_shapes",
    "broadcast_tensors", "broadcast_to", "bucketize", "column_stack", "cosh", "count_nonzero",
    "cumprod", "diff", "dstack", "einsum", "erf", "fmod", "ger", "hstack", "hypot", "isclose",
    "kron", "log10", "log2", "logical_and", "logical_or", "logical_xor", "logspace",
    "logsumexp", "masked_select", "median", "meshgrid", "multinomial", "nan_to_num", "nanmean",
    "outer", "quantile", "repeat_interleave", "rot90", "row_stack", "searchsorted", "sinh",
    "std_mean", "take_along_dim", "tensor_split", "tile", "trace", "unique", "var_mean",
    "vstack", "inference_mode", "is_inference_mode_enabled", "set_num_threads",
    "get_num_threads", "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled", "finfo", "iinfo", "result_type",
    "can_cast", "cdist", "relu_", "lgamma", "digamma",
    "compile", "compiler", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
    "set_anomaly_enabled",
    "memory_format", "contiguous_format", "preserve_format", "channels_last",
    "channels_last_3d",
    "addbmm", "addcdiv", "addcmul", "addmm", "addmv", "aminmax", "baddbmm", "cross", "cummax",
    "cummin", "det", "diag_embed", "diagonal", "dist", "histc", "kthvalue", "mode", "nansum",
    "argwhere", "index_copy", "index_fill", "index_put", "index_put_", "isin",
    "masked_scatter", "scatter_add", "scatter_reduce", "select", "take", "tril_indices",
    "triu_indices", "unique_consecutive",
    "bitwise_left_shift", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "bitwise_right_shift", "fix", "frac", "trunc", "unflatten", "ravel", "swapdims",
    "hsplit", "vsplit", "dsplit", "fliplr", "flipud",
]


def __getattr__(name: str):
    """Names not found above: minidl's own sub-packages are imported on first use
    (``minidl.vision``); any other name is one PyTorch has and minidl lacks, so
    ``import minidl as torch`` fails on it with one line ("minidl does not implement
    torch.fft (yet)") — an AttributeError, so ``hasattr`` still answers False."""
    import importlib
    import importlib.util

    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}"):
        return importlib.import_module(f"{__name__}.{name}")
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from .compat.missing import NotImplementedInMinidl
    raise NotImplementedInMinidl(f"torch.{name}")
