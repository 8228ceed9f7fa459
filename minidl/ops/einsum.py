"""Einstein summation: ``einsum("ij,jk->ik", a, b)``.

    out[o] = Σ_{indices not in o} Π_k operand_k[s_k]

with s_k the subscripts of operand k and o those of the output.  Each operand enters the
sum linearly, so the gradient of operand k is the same kind of sum of the output gradient
with the *other* operands, written back in k's subscripts:

    dL/d operand_k = einsum(o, s_1, …, (s_k left out), … -> s_k)(grad, others)

Two details: a subscript only operand k has (summed out in k alone, "ij->i") appears in
no input of that sum, so the gradient is computed without it and broadcast along it; and a
size-1 dimension that broadcast against a larger one (under "...") gets its gradient summed
back to size 1.  A subscript repeated within one operand ("ii->i", "bii->bi", "ii": a
diagonal, or its trace) reads only that operand's diagonal: the gradient is computed in the
operand's distinct subscripts ("i" for "ii") and written onto the diagonal of zeros (the
off-diagonal elements do not enter the sum).

``parse_equation`` turns PyTorch's equation (spaces, "...", the implicit output: the
subscripts used once, in alphabetical order, after the broadcast dimensions) into
explicit letters, one per dimension, which the Function then trusts.
"""
from __future__ import annotations

import string

from ..autograd.function import Function
from ..backend import array_module


def parse_equation(equation: str, ndims: list[int]) -> tuple[list[str], str]:
    """The explicit subscripts of each operand and of the output; "..." becomes letters
    that no operand uses, aligned from the right (broadcast dimensions)."""
    equation = equation.replace(" ", "")
    inputs_part, arrow, output = equation.partition("->")
    inputs = inputs_part.split(",")
    if len(inputs) != len(ndims):
        raise ValueError(f"einsum(): the equation {equation!r} has {len(inputs)} operand "
                         f"subscripts but {len(ndims)} operands were given")
    letters = set(equation) - set(",->.")
    if not all(c in string.ascii_letters for c in letters):
        raise ValueError(f"einsum(): subscripts must be letters, got {equation!r}")
    free = [c for c in string.ascii_letters if c not in letters]
    broadcast = max((n - len(s.replace("...", "")) for s, n in zip(inputs, ndims)
                     if "..." in s), default=0)
    spread = "".join(free[:broadcast])
    explicit = []
    for subscripts, ndim in zip(inputs, ndims):
        named = len(subscripts.replace("...", ""))
        if "..." in subscripts:
            if subscripts.count("...") > 1 or named > ndim:
                raise ValueError(f"einsum(): subscripts {subscripts!r} do not fit an operand "
                                 f"of {ndim} dimensions")
            subscripts = subscripts.replace("...", spread[broadcast - (ndim - named):])
        if len(subscripts) != ndim or "." in subscripts:
            raise ValueError(f"einsum(): subscripts {subscripts!r} name {len(subscripts)} "
                             f"dimensions for an operand of {ndim}")
        explicit.append(subscripts)
    if arrow:
        output = output.replace("...", spread)
        if "." in output or len(set(output)) != len(output) or \
                not set(output) <= set("".join(explicit)):
            raise ValueError(f"einsum(): output subscripts {output!r} must be distinct and "
                             "each appear in an operand")
    else:
        used = "".join(explicit)
        output = spread + "".join(sorted(c for c in set(used) - set(spread)
                                         if used.count(c) == 1))
    return explicit, output


class Einsum(Function):
    """out = einsum(``subscripts`` -> ``output``) of the operands (explicit letters, one per
    dimension, as ``parse_equation`` gives them; one common dtype)."""

    def forward(self, *operands, subscripts, output):
        self.subscripts, self.output = subscripts, output
        self.save_for_backward(*operands)
        equation = ",".join(subscripts) + "->" + output
        return array_module(operands[0]).einsum(equation, *operands)

    def backward(self, grad):
        operands = self.saved_arrays
        xp = array_module(grad)
        grads = []
        for k, operand in enumerate(operands):
            if not self.needs_input_grad[k]:
                grads.append(None)
                continue
            others = [(s, a) for i, (s, a) in enumerate(zip(self.subscripts, operands)) if i != k]
            present = set(self.output).union(*(s for s, _ in others))
            target = self.subscripts[k]
            distinct = "".join(dict.fromkeys(target))  # a repeated subscript once
            kept = "".join(c for c in distinct if c in present)
            equation = ",".join([self.output] + [s for s, _ in others]) + "->" + kept
            part = xp.einsum(equation, grad, *(a for _, a in others))
            missing = tuple(i for i, c in enumerate(distinct) if c not in present)
            if missing:
                part = xp.expand_dims(part, missing)
            sizes = dict(zip(target, operand.shape))
            shape = tuple(sizes[c] for c in distinct)
            shrunk = tuple(i for i, n in enumerate(shape) if n == 1 and part.shape[i] != 1)
            if shrunk:
                part = part.sum(axis=shrunk, keepdims=True)
            part = xp.broadcast_to(part, shape).astype(operand.dtype, copy=False)
            if distinct != target:
                part = _onto_diagonal(part, target, distinct, operand.shape, xp)
            grads.append(part)
        return tuple(grads)


def _onto_diagonal(part, target: str, distinct: str, shape: tuple, xp):
    """Zeros of ``shape`` (subscripts ``target``, some repeated) with ``part`` (subscripts
    ``distinct``) written onto the diagonal the repeated subscripts name."""
    result = xp.zeros(shape, dtype=part.dtype)
    index = tuple(xp.arange(shape[target.index(c)]).reshape(
        [-1 if d == c else 1 for d in distinct]) for c in target)
    result[index] = part
    return result
