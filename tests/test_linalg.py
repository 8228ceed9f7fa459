"""``minidl.linalg`` (``torch.linalg``): values and gradients against PyTorch, float64
gradient checks."""
import math

import numpy as np
import pytest

import minidl
from minidl import gradcheck

RNG = np.random.default_rng(7)
A = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
B = RNG.standard_normal((2, 3, 2))
V = RNG.standard_normal((2, 3))

CASES = {
    "cholesky": (lambda L, a, b: L.cholesky(a @ a.mT), (A, None)),
    "cholesky upper": (lambda L, a, b: L.cholesky(a @ a.mT, upper=True), (A, None)),
    "solve": (lambda L, a, b: L.solve(a, b), (A, B)),
    "solve vector": (lambda L, a, b: L.solve(a, b), (A, V)),
    "solve right": (lambda L, a, b: L.solve(a, b.mT, left=False), (A, B)),
    "solve_triangular lower": (lambda L, a, b: L.solve_triangular(a, b, upper=False), (A, B)),
    "solve_triangular upper unit": (
        lambda L, a, b: L.solve_triangular(a, b, upper=True, unitriangular=True), (A, B)),
    "inv": (lambda L, a, b: L.inv(a), (A, None)),
    "det": (lambda L, a, b: L.det(a), (A, None)),
    "vector_norm 3": (lambda L, a, b: L.vector_norm(a, 3, dim=-1), (A, None)),
    "vector_norm inf": (lambda L, a, b: L.vector_norm(a, math.inf), (A, None)),
    "matrix_norm fro": (lambda L, a, b: L.matrix_norm(a), (A, None)),
    "matrix_norm 1": (lambda L, a, b: L.matrix_norm(a, 1), (A, None)),
    "matrix_norm -inf": (lambda L, a, b: L.matrix_norm(a, -math.inf, keepdim=True), (A, None)),
    "norm": (lambda L, a, b: L.norm(a), (A, None)),
    "norm 2-D ord": (lambda L, a, b: L.norm(a[0], math.inf), (A, None)),
}


def _run(engine, case):
    function, (a, b) = CASES[case]
    ta = engine.tensor(a, requires_grad=True)
    tb = None if b is None else engine.tensor(b, requires_grad=True)
    out = function(engine.linalg, ta, tb)
    weights = engine.tensor(np.linspace(-1, 1, int(np.prod(out.shape))).reshape(out.shape))
    (out * weights).sum().backward()
    grads = [t.grad.numpy() for t in (ta, tb) if t is not None]
    return out.detach().numpy(), grads


@pytest.mark.parametrize("case", sorted(CASES))
def test_linalg_matches_pytorch(case, torch):
    ours, theirs = _run(minidl, case), _run(torch, case)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10, atol=1e-12)
    for a, b in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("case", ["cholesky", "solve", "solve_triangular lower", "inv", "det",
                                  "matrix_norm fro", "vector_norm 3"])
def test_linalg_gradcheck(case):
    function, (a, b) = CASES[case]
    inputs = [minidl.tensor(a, requires_grad=True)]
    if b is not None:
        inputs.append(minidl.tensor(b, requires_grad=True))
    assert gradcheck(lambda *t: function(minidl.linalg, *t, *([None] * (2 - len(t)))), inputs)


def test_linalg_errors():
    with pytest.raises(RuntimeError, match=r"square matrices \(\.\.\., n, n\), got shape"):
        minidl.linalg.inv(minidl.ones(2, 3))
    with pytest.raises(RuntimeError, match="do not fit"):
        minidl.linalg.solve(minidl.eye(3), minidl.ones(2, 2))
    with pytest.raises(RuntimeError, match="Order"):
        minidl.linalg.matrix_norm(minidl.eye(3), 3)
    with pytest.raises(ValueError, match="not positive-definite"):
        minidl.linalg.cholesky(-minidl.eye(2))
