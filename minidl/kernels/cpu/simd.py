"""A 16-lane float32 vector for Numba kernels: values that live in registers.

LLVM vectorizes a Numba loop over an array on its own, but it keeps a running sum in
memory when the sum is an array element, and a kernel that wants many sums at once (a
register-blocked convolution: 8 output channels x 32 positions) cannot declare them as
scalars without writing 256 of them.  This module gives Numba one more type, ``F32x16``,
whose value is LLVM's ``<16 x float>``: a local variable of that type is an SSA value, so
LLVM keeps it in a register (one zmm register with AVX-512, two ymm with AVX2; LLVM splits
the vector for whatever the CPU has).  Six operations, each compiled inline, and one
scalar read:

    splat(s)                    -> (s, ..., s)           s: a float32 scalar
    load(a, i)                  -> a[i : i + 16]         a: a contiguous float32 array
    load_first(a, i, k)         -> a[i : i + k], then    (0 <= k <= 16; nothing past
                                   16 - k zeros          a[i + k - 1] is read)
    store_first(a, i, v, k)        a[i : i + k] = v[:k]  (flat index i, 0 <= k <= 16; the
                                                         other 16 - k are not touched)
    multiply_add(acc, s, v)     -> acc + s * v           s: a float32 scalar, broadcast,
                                                         or a vector; fused where the
                                                         CPU has FMA
    add(u, v)                   -> u + v
    element(a, i)               -> a[i]                  a: a contiguous array (any
                                                         dtype); a plain load, which LLVM
                                                         folds into a multiply_add's
                                                         broadcast

A kernel using them reads like the scalar loop it replaces, with 16 lanes at a time.
``load``, ``load_first``, ``store_first`` and ``element`` do not check bounds: the caller
keeps 16 elements at ``i`` (``load_first`` and ``store_first``: ``k``; ``element``: 1).
``element`` is ``a[i]`` without Numba's wrap of a negative index, a compare and select
that LLVM cannot drop when it cannot prove ``i`` non-negative (it cost a kernel reading
one scalar per multiply-add half its speed, and kept a strided copy from vectorizing).

Numba's on-disk cache (``cache=True``) checks only the kernel's own source file: after a
change here, delete the ``__pycache__`` of the kernels that use this module.
"""
from __future__ import annotations

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


@intrinsic
def load_first(typingctx, array, index, count):
    _check_array(array)

    def codegen(context, builder, signature, args):
        array_value, index_value, count_value = args
        i32 = ir.IntType(32)
        masked_load = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(_VECTOR, [
                _VECTOR.as_pointer(), i32, ir.VectorType(ir.IntType(1), LANES), _VECTOR]),
            "llvm.masked.load.v16f32.p0")
        return builder.call(masked_load, [
            _lanes_at(context, builder, signature.args[0], array_value, index_value),
            ir.Constant(i32, 4), _first_lanes(builder, count_value),
            ir.Constant(_VECTOR, [0.0] * LANES)])
    return f32x16(array, types.intp, types.intp), codegen


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


@intrinsic
def multiply_add(typingctx, acc, scalar, vector):
    by_vector = isinstance(scalar, F32x16)

    def codegen(context, builder, signature, args):
        acc_value, factor, vector_value = args
        if not by_vector:
            factor = _in_every_lane(builder, factor)
        fmuladd = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(_VECTOR, [_VECTOR] * 3), "llvm.fmuladd.v16f32")
        return builder.call(fmuladd, [factor, vector_value, acc_value])
    return f32x16(f32x16, f32x16 if by_vector else types.float32, f32x16), codegen


@intrinsic
def element(typingctx, array, index):
    if not (isinstance(array, types.Array) and array.layout == "C"):
        raise TypingError(f"element needs a C-contiguous array, not {array}")

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        return builder.load(builder.gep(data, [args[1]]))
    return array.dtype(array, types.intp), codegen


@intrinsic
def add(typingctx, first, second):
    def codegen(context, builder, signature, args):
        return builder.fadd(*args)
    return f32x16(f32x16, f32x16), codegen
