"""A 16-lane float32 vector for Numba kernels: values that live in registers.

LLVM vectorizes a Numba loop over an array on its own, but it keeps a running sum in
memory when the sum is an array element, and a kernel that wants many sums at once (a
register-blocked convolution: 8 output channels x 32 positions) cannot declare them as
scalars without writing 256 of them.  This module gives Numba one more type, ``F32x16``,
whose value is LLVM's ``<16 x float>``: a local variable of that type is an SSA value, so
LLVM keeps it in a register (one zmm register with AVX-512, two ymm with AVX2; LLVM splits
the vector for whatever the CPU has).  Its operations, each compiled inline, and one
scalar read:

    splat(s)                    -> (s, ..., s)           s: a float32 scalar
    load(a, i)                  -> a[i : i + 16]         a: a contiguous float32 array
    load_first(a, i, k)         -> a[i : i + k], then    (0 <= k <= 16; nothing past
                                   16 - k zeros          a[i + k - 1] is read)
    load_between(a, i, l, h)    -> lane k: a[i + k] for  (0 <= l <= h <= 16; only those
                                   l <= k < h, else 0    lanes are read: i + l may be
                                                         a's first element)
    store(a, i, v)                 a[i : i + 16] = v
    store_first(a, i, v, k)        a[i : i + k] = v[:k]  (flat index i, 0 <= k <= 16; the
                                                         other 16 - k are not touched)
    multiply_add(acc, s, v)     -> acc + s * v           s: a float32 scalar, broadcast,
                                                         or a vector; fused where the
                                                         CPU has FMA
    add(u, v), subtract(u, v),  -> u + v, u - v, u * v
    multiply(u, v)
    maximum(u, v)               -> the larger lane by lane (a NaN lane: the other)
    exp(v), log(v)              -> e^v, ln v (to about 3 ulp; see each for the edges)
    element(a, i)               -> a[i]                  a: a contiguous array (any
                                                         dtype); a plain load, which LLVM
                                                         folds into a multiply_add's
                                                         broadcast
    transpose_block(a, i, r,       b[j + e·s + k] = a[i + k·r + e] for k, e < 16: a 16x16
                    b, j, s)       block (rows r apart in a) into b transposed (rows s
                                   apart), through registers
    split_pairs(u, v)           -> (even, odd): the 32 values u ++ v at even and at odd
                                   places, (u0, u2, ..., v14) and (u1, u3, ..., v15)

A kernel using them reads like the scalar loop it replaces, with 16 lanes at a time.
None of them checks bounds: the caller keeps 16 elements at ``i`` (``load_first`` and
``store_first``: ``k``; ``element``: 1; ``transpose_block``: 16 rows of 16).
``element`` is ``a[i]`` without Numba's wrap of a negative index, a compare and select
that LLVM cannot drop when it cannot prove ``i`` non-negative (it cost a kernel reading
one scalar per multiply-add half its speed, and kept a strided copy from vectorizing).
``load_first`` and ``store_first`` with a run-time count are masked instructions, which
AMD's Zen 4 runs slower than plain ones even with every lane on: a hot loop whose count is
nearly always 16 branches to ``load``/``store`` then (``direct.py``'s ``_load_vector`` and
``_store_vector``: 5-11% of a direct kernel's time); with a constant count of 16, LLVM
emits the plain instruction itself.

Numba's on-disk cache (``cache=True``) checks only the kernel's own source file: after a
change here, delete the ``__pycache__`` of the kernels that use this module.
"""
from __future__ import annotations

import math

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.datamodel import models
from numba.core.errors import TypingError
from numba.extending import intrinsic, register_model

LANES = 16
_VECTOR = ir.VectorType(ir.FloatType(), LANES)


class F32x16(types.Type):
    """Numba's type for 16 float32 lanes."""

    def __init__(self):
        super().__init__(name="F32x16")


f32x16 = F32x16()


@register_model(F32x16)
class _F32x16Model(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _VECTOR)


def _lanes_at(context, builder, array_type, array, index):
    """A <16 x float>* to element ``index`` of a contiguous array."""
    data = context.make_array(array_type)(context, builder, array).data
    return builder.bitcast(builder.gep(data, [index]), _VECTOR.as_pointer())


def _check_array(array):
    if not (isinstance(array, types.Array) and array.dtype == types.float32
            and array.layout == "C"):
        raise TypingError(f"simd needs a C-contiguous float32 array, not {array}")


def _in_every_lane(builder, value):
    """A vector of 16 copies of the scalar ``value`` (of any LLVM type)."""
    vector = ir.VectorType(value.type, LANES)
    lane0 = builder.insert_element(ir.Constant(vector, ir.Undefined), value,
                                   ir.Constant(ir.IntType(32), 0))
    return builder.shuffle_vector(lane0, ir.Constant(vector, ir.Undefined),
                                  ir.Constant(ir.VectorType(ir.IntType(32), LANES),
                                              [0] * LANES))


@intrinsic
def splat(typingctx, scalar):
    def codegen(context, builder, signature, args):
        return _in_every_lane(builder, args[0])
    return f32x16(types.float32), codegen


@intrinsic
def load(typingctx, array, index):
    _check_array(array)

    def codegen(context, builder, signature, args):
        return builder.load(_lanes_at(context, builder, signature.args[0], *args), align=4)
    return f32x16(array, types.intp), codegen


def _first_lanes(builder, count):
    """The mask of lanes [0, count)."""
    i32 = ir.IntType(32)
    lanes = ir.Constant(ir.VectorType(i32, LANES), list(range(LANES)))
    return builder.icmp_signed("<", lanes, _in_every_lane(builder, builder.trunc(count, i32)))


def _lanes_between(builder, low, high):
    """The mask of lanes [low, high), 0 <= low <= high <= 16."""
    i32 = ir.IntType(32)
    lanes = ir.Constant(ir.VectorType(i32, LANES), list(range(LANES)))
    return builder.and_(
        builder.icmp_signed(">=", lanes, _in_every_lane(builder, builder.trunc(low, i32))),
        _first_lanes(builder, high))


def _masked_load(builder, lanes_at, mask):
    """The lanes of ``mask`` read from the <16 x float>* ``lanes_at``, the others 0 (the
    memory of those is not touched)."""
    i32 = ir.IntType(32)
    masked_load = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(_VECTOR, [
            _VECTOR.as_pointer(), i32, ir.VectorType(ir.IntType(1), LANES), _VECTOR]),
        "llvm.masked.load.v16f32.p0")
    return builder.call(masked_load, [lanes_at, ir.Constant(i32, 4), mask,
                                      ir.Constant(_VECTOR, [0.0] * LANES)])


@intrinsic
def load_first(typingctx, array, index, count):
    _check_array(array)

    def codegen(context, builder, signature, args):
        array_value, index_value, count_value = args
        return _masked_load(builder, _lanes_at(context, builder, signature.args[0],
                                               array_value, index_value),
                            _first_lanes(builder, count_value))
    return f32x16(array, types.intp, types.intp), codegen


@intrinsic
def load_between(typingctx, array, index, low, high):
    _check_array(array)

    def codegen(context, builder, signature, args):
        array_value, index_value, low_value, high_value = args
        return _masked_load(builder, _lanes_at(context, builder, signature.args[0],
                                               array_value, index_value),
                            _lanes_between(builder, low_value, high_value))
    return f32x16(array, types.intp, types.intp, types.intp), codegen


@intrinsic
def store(typingctx, array, index, vector):
    _check_array(array)

    def codegen(context, builder, signature, args):
        array_value, index_value, vector_value = args
        builder.store(vector_value, _lanes_at(context, builder, signature.args[0],
                                              array_value, index_value), align=4)
        return context.get_dummy_value()
    return types.none(array, types.intp, f32x16), codegen


@intrinsic
def store_first(typingctx, array, index, vector, count):
    _check_array(array)

    def codegen(context, builder, signature, args):
        array_value, index_value, vector_value, count_value = args
        i32 = ir.IntType(32)
        mask = _first_lanes(builder, count_value)
        masked_store = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [
                _VECTOR, _VECTOR.as_pointer(), i32, ir.VectorType(ir.IntType(1), LANES)]),
            "llvm.masked.store.v16f32.p0")
        builder.call(masked_store, [vector_value, _lanes_at(
            context, builder, signature.args[0], array_value, index_value),
            ir.Constant(i32, 4), mask])
        return context.get_dummy_value()
    return types.none(array, types.intp, f32x16, types.intp), codegen


def _swap_blocks(builder, first, second, size):
    """Two rows of a 2x2 block matrix whose blocks are ``size`` lanes wide and tall, with
    their off-diagonal blocks swapped: first's lanes [e + size] (e & size == 0) trade
    places with second's lanes [e].  (first, second) -> (new first, new second)."""
    i32 = ir.IntType(32)
    keep_first = [e if e & size == 0 else LANES + e - size for e in range(LANES)]
    keep_second = [e + size if e & size == 0 else LANES + e for e in range(LANES)]
    return tuple(builder.shuffle_vector(first, second,
                                        ir.Constant(ir.VectorType(i32, LANES), mask))
                 for mask in (keep_first, keep_second))


@intrinsic
def transpose_block(typingctx, source, source_at, source_row, target, target_at,
                    target_row):
    """target[target_at + e·target_row + k] = source[source_at + k·source_row + e] for
    k, e in [0, 16): 16 vector loads, 64 shuffles, 16 vector stores (a scalar copy takes
    one load and one store per element, about 4x the time).  Rounds of h = 8, 4, 2, 1:
    rows k and k + h (k & h = 0) swap their off-diagonal h x h blocks; after the four
    rounds row e holds column e."""
    _check_array(source)
    _check_array(target)

    def codegen(context, builder, signature, args):
        source_value, first_in, step_in, target_value, first_out, step_out = args

        def row_at(array_type, array, first, step, k):
            index = builder.add(first, builder.mul(step, ir.Constant(first.type, k)))
            return _lanes_at(context, builder, array_type, array, index)

        rows = [builder.load(row_at(signature.args[0], source_value, first_in, step_in, k),
                             align=4) for k in range(LANES)]
        size = LANES // 2
        while size:
            for k in range(LANES):
                if k & size == 0:
                    rows[k], rows[k + size] = _swap_blocks(builder, rows[k], rows[k + size],
                                                           size)
            size //= 2
        for e, row in enumerate(rows):
            builder.store(row, row_at(signature.args[3], target_value, first_out, step_out,
                                      e), align=4)
        return context.get_dummy_value()
    return types.none(source, types.intp, types.intp, target, types.intp, types.intp), codegen


@intrinsic
def split_pairs(typingctx, first, second):
    """The 32 values first ++ second split by the parity of their place: two shuffles."""
    def codegen(context, builder, signature, args):
        i32 = ir.VectorType(ir.IntType(32), LANES)
        halves = [builder.shuffle_vector(*args, ir.Constant(i32, list(range(parity, 2 * LANES, 2))))
                  for parity in (0, 1)]
        return context.make_tuple(builder, signature.return_type, halves)
    return types.UniTuple(f32x16, 2)(f32x16, f32x16), codegen


def _vector_intrinsic(builder, name, arguments):
    """LLVM's intrinsic ``llvm.<name>.v16f32`` called on vectors."""
    function = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(_VECTOR, [_VECTOR] * len(arguments)),
        f"llvm.{name}.v16f32")
    return builder.call(function, arguments)


@intrinsic
def multiply_add(typingctx, acc, scalar, vector):
    by_vector = isinstance(scalar, F32x16)

    def codegen(context, builder, signature, args):
        acc_value, factor, vector_value = args
        if not by_vector:
            factor = _in_every_lane(builder, factor)
        return _vector_intrinsic(builder, "fmuladd", [factor, vector_value, acc_value])
    return f32x16(f32x16, f32x16 if by_vector else types.float32, f32x16), codegen


@intrinsic
def element(typingctx, array, index):
    if not (isinstance(array, types.Array) and array.layout == "C"):
        raise TypingError(f"element needs a C-contiguous array, not {array}")

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        return builder.load(builder.gep(data, [args[1]]))
    return array.dtype(array, types.intp), codegen


def _lanewise(name: str, emit):
    """An intrinsic ``name(u, v)`` of two vectors, lane by lane: ``emit(builder, u, v)``
    builds its LLVM instruction."""
    def typer(typingctx, first, second):
        def codegen(context, builder, signature, args):
            return emit(builder, *args)
        return f32x16(f32x16, f32x16), codegen
    typer.__name__ = typer.__qualname__ = name
    return intrinsic(typer)


add = _lanewise("add", lambda builder, u, v: builder.fadd(u, v))
subtract = _lanewise("subtract", lambda builder, u, v: builder.fsub(u, v))
multiply = _lanewise("multiply", lambda builder, u, v: builder.fmul(u, v))
maximum = _lanewise("maximum",
                    lambda builder, u, v: _vector_intrinsic(builder, "maxnum", [u, v]))


_LOG2_E = 1.4426950408889634
_LN2_HIGH, _LN2_LOW = 0.693359375, -2.12194440e-4   # ln 2 = high + low, high's n·high exact
_EXP_TAYLOR = (1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1.0, 1.0)


@intrinsic
def exp(typingctx, vector):
    """e^x in each lane, to about 2 ulp (float32): x = n·ln 2 + r with n = rint(x·log2 e),
    |r| ≤ ln 2 / 2; e^r by its Taylor polynomial of degree 6 (truncation r^7/7! ≤ 1.2e-7
    relative); 2^n built in the exponent bits, as 2^⌊n/2⌋ · 2^(n - ⌊n/2⌋) so that every n
    from -150 to 128 scales within normal floats.  x is clamped to [-104, 89] first: e^x
    underflows to 0 below -103.3 and overflows to inf above 88.8, as it should; NaN stays
    NaN."""
    def codegen(context, builder, signature, args):
        x = args[0]
        i32 = ir.VectorType(ir.IntType(32), LANES)

        def constant(value):
            return ir.Constant(_VECTOR, [float(value)] * LANES)

        clamped = _vector_intrinsic(builder, "maxnum", [
            _vector_intrinsic(builder, "minnum", [x, constant(89.0)]), constant(-104.0)])
        n = _vector_intrinsic(builder, "rint", [builder.fmul(clamped, constant(_LOG2_E))])
        r = builder.fsub(clamped, builder.fmul(n, constant(_LN2_HIGH)))
        r = builder.fsub(r, builder.fmul(n, constant(_LN2_LOW)))
        polynomial = constant(_EXP_TAYLOR[0])
        for coefficient in _EXP_TAYLOR[1:]:
            polynomial = builder.fadd(builder.fmul(polynomial, r), constant(coefficient))
        whole = builder.fptosi(n, i32)
        half = builder.ashr(whole, ir.Constant(i32, [1] * LANES))

        def power_of_two(k):   # 2^k for -126 ≤ k ≤ 127: k + 127 in the exponent bits
            biased = builder.add(k, ir.Constant(i32, [127] * LANES))
            return builder.bitcast(builder.shl(biased, ir.Constant(i32, [23] * LANES)),
                                   _VECTOR)

        scaled = builder.fmul(builder.fmul(polynomial, power_of_two(half)),
                              power_of_two(builder.sub(whole, half)))
        return builder.select(builder.fcmp_unordered("uno", x, x), x, scaled)
    return f32x16(f32x16), codegen


_SQRT_HALF = 0.7071067811865476


@intrinsic
def log(typingctx, vector):
    """ln x in each lane, to about 2 ulp (float32), for x a positive normal float: x = m·2^e
    from the bits with m in [√½, √2), and ln m = 2·atanh(t), t = (m - 1) / (m + 1), |t| ≤
    0.172, by its series to t^9 (truncation 2·t^11/11 ≤ 3e-10); ln x = e·ln 2 + ln m.
    0 and subnormals give -inf, inf gives inf, negative numbers and NaN give NaN."""
    def codegen(context, builder, signature, args):
        x = args[0]
        i32 = ir.VectorType(ir.IntType(32), LANES)

        def constant(value):
            return ir.Constant(_VECTOR, [float(value)] * LANES)

        def integers(value):
            return ir.Constant(i32, [value] * LANES)

        bits = builder.bitcast(x, i32)
        # m in [1, 2) from the mantissa bits; halved (and e raised) above √2
        mantissa = builder.bitcast(builder.or_(builder.and_(bits, integers(0x007FFFFF)),
                                               integers(0x3F800000)), _VECTOR)
        exponent = builder.sub(builder.lshr(bits, integers(23)), integers(127))
        high = builder.fcmp_ordered(">", mantissa, constant(2 * _SQRT_HALF))
        mantissa = builder.select(high, builder.fmul(mantissa, constant(0.5)), mantissa)
        exponent = builder.add(exponent, builder.zext(high, i32))
        t = builder.fdiv(builder.fsub(mantissa, constant(1.0)),
                         builder.fadd(mantissa, constant(1.0)))
        square = builder.fmul(t, t)
        series = constant(1 / 9)
        for coefficient in (1 / 7, 1 / 5, 1 / 3, 1.0):
            series = builder.fadd(builder.fmul(series, square), constant(coefficient))
        logarithm = builder.fadd(
            builder.fmul(builder.sitofp(exponent, _VECTOR), constant(0.6931471805599453)),
            builder.fmul(constant(2.0), builder.fmul(t, series)))
        # the edges: below the normal floats -inf (0 and subnormals), inf, NaN and x < 0
        logarithm = builder.select(builder.fcmp_ordered("<", x, constant(1.1754944e-38)),
                                   constant(-math.inf), logarithm)
        logarithm = builder.select(builder.fcmp_ordered("==", x, constant(math.inf)), x,
                                   logarithm)
        negative_or_nan = builder.fcmp_unordered("ult", x, constant(0.0))
        return builder.select(negative_or_nan, constant(math.nan), logarithm)
    return f32x16(f32x16), codegen
