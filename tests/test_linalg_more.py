"""The spectral half of ``minidl.linalg`` (eigh, svd, pinv, slogdet, matrix_exp, lstsq ...),
the spectral matrix norms and the top-level linear algebra functions and Tensor methods:
values and gradients against PyTorch in float64, float64 gradient checks, errors.
Eigenvectors and singular vectors are compared through sign-invariant functions
(|V|, V Vᵀ-type products), for which PyTorch defines the gradient."""
import math

import numpy as np
import pytest

import minidl
from minidl import gradcheck

RNG = np.random.default_rng(11)
SQUARE = RNG.standard_normal((2, 4, 4)) + 2 * np.eye(4)
SYM = RNG.standard_normal((2, 4, 4))
SYM = SYM + SYM.swapaxes(-1, -2)
_F = RNG.standard_normal((2, 4, 4))
SPD = _F @ _F.swapaxes(-1, -2) + 4 * np.eye(4)
CHOL = np.linalg.cholesky(SPD)
TALL = RNG.standard_normal((2, 5, 3))
WIDE = RNG.standard_normal((2, 3, 5))
RHS = RNG.standard_normal((2, 4, 2))
RHS5 = RNG.standard_normal((2, 5, 2))
VEC = RNG.standard_normal(4)


def _eigvec_loss(engine, v):
    """Sign-invariant: Σ_k c_k v_k v_kᵀ, as a matrix (c_k fixed weights)."""
    weights = engine.tensor(np.arange(1.0, v.shape[-1] + 1))
    return (v * weights) @ v.mT


CASES = {
    "eigh values": (lambda t, L, a: L.eigh(a).eigenvalues, [SYM]),
    "eigh vectors": (lambda t, L, a: _eigvec_loss(t, L.eigh(a).eigenvectors), [SYM]),
    "eigh upper": (lambda t, L, a: L.eigh(a, UPLO="U").eigenvectors.abs(), [SYM]),
    "eigvalsh": (lambda t, L, a: L.eigvalsh(a), [SYM]),
    "svd S tall": (lambda t, L, a: L.svd(a).S, [TALL]),
    "svd U tall full": (lambda t, L, a: L.svd(a).U.narrow(-1, 0, 3).abs(), [TALL]),
    "svd Vh tall full": (lambda t, L, a: L.svd(a).Vh.abs(), [TALL]),
    "svd U wide": (lambda t, L, a: L.svd(a, full_matrices=False).U.abs(), [WIDE]),
    "svd Vh wide": (lambda t, L, a: L.svd(a, full_matrices=False).Vh.abs(), [WIDE]),
    "svd Vh wide full": (lambda t, L, a: L.svd(a).Vh.narrow(-2, 0, 3).abs(), [WIDE]),
    "svd all square": (lambda t, L, a: (lambda r: r.U.abs() + r.S.unsqueeze(-1) * r.Vh.abs())(
        L.svd(a, full_matrices=False)), [SQUARE]),
    "pinv tall": (lambda t, L, a: L.pinv(a), [TALL]),
    "pinv wide": (lambda t, L, a: L.pinv(a), [WIDE]),
    "pinv square rtol": (lambda t, L, a: L.pinv(a, rtol=1e-3), [SQUARE]),
    "pinv hermitian": (lambda t, L, a: L.pinv(a, hermitian=True), [SYM]),
    "slogdet": (lambda t, L, a: L.slogdet(a).logabsdet, [SQUARE]),
    "slogdet sign": (lambda t, L, a: L.slogdet(a).sign, [SYM]),
    "matrix_power 5": (lambda t, L, a: L.matrix_power(a, 5), [SQUARE]),
    "matrix_power -2": (lambda t, L, a: L.matrix_power(a, -2), [SQUARE]),
    "matrix_power 0": (lambda t, L, a: L.matrix_power(a, 0) + a, [SQUARE]),
    "lstsq": (lambda t, L, a, b: L.lstsq(a, b).solution, [TALL, RHS5]),
    "lstsq vector": (lambda t, L, a, b: L.lstsq(a[0], b[0, :, 0]).solution, [TALL, RHS5]),
    "multi_dot": (lambda t, L, a, b: L.multi_dot([a[0, 0], a[1], b[0], b[1, :2, 0]]),
                  [SQUARE, RHS]),
    "vecdot": (lambda t, L, a, b: L.vecdot(a, b[0, :, 0]), [SQUARE, RHS]),
    "matrix_exp": (lambda t, L, a: L.matrix_exp(a), [SQUARE / 3]),
    "matrix_exp large": (lambda t, L, a: L.matrix_exp(a), [3 * SQUARE]),
    "cond": (lambda t, L, a: L.cond(a), [TALL]),
    "cond -2": (lambda t, L, a: L.cond(a, -2), [SQUARE]),
    "matrix_norm 2": (lambda t, L, a: L.matrix_norm(a, 2), [TALL]),
    "matrix_norm -2 dim": (lambda t, L, a: L.matrix_norm(a, -2, dim=(0, 2), keepdim=True),
                           [TALL]),
    "matrix_norm nuc": (lambda t, L, a: L.matrix_norm(a, "nuc"), [WIDE]),
    "norm nuc": (lambda t, L, a: L.norm(a[0], "nuc"), [WIDE]),
    "norm 2 dim": (lambda t, L, a: L.norm(a, 2, dim=(-1, -2)), [WIDE]),
    "solve_ex": (lambda t, L, a, b: L.solve_ex(a, b).result, [SQUARE, RHS]),
    "tensorinv": (lambda t, L, a: L.tensorinv(a[0].reshape(2, 2, 4), ind=2), [SQUARE]),
    "tensorsolve": (lambda t, L, a, b: L.tensorsolve(a[0].reshape(2, 2, 4), b[0, :2]),
                    [SQUARE, RHS]),
    "tensorsolve dims": (
        lambda t, L, a, b: L.tensorsolve(a[0].reshape(4, 2, 2), b[0, :2], dims=(0,)),
        [SQUARE, RHS]),
    "vander": (lambda t, L, a: L.vander(a[0, 0]), [SQUARE]),
    "vander N": (lambda t, L, a: L.vander(a[:, 0], N=3), [SQUARE]),
    "torch.svd": (lambda t, L, a: (lambda r: r.S.unsqueeze(-1) * r.V.abs() + r.U.abs().sum())(
        t.svd(a)), [TALL]),
    "torch.svd some=False": (lambda t, L, a: t.svd(a, some=False).V.narrow(-1, 0, 3).abs(), [WIDE]),
    "torch.inverse": (lambda t, L, a: t.inverse(a), [SQUARE]),
    "torch.pinverse": (lambda t, L, a: t.pinverse(a), [TALL]),
    "torch.slogdet": (lambda t, L, a: t.slogdet(a)[1], [SQUARE]),
    "torch.logdet": (lambda t, L, a: t.logdet(a), [SPD]),
    "torch.cholesky_solve": (lambda t, L, b, c: t.cholesky_solve(b, c), [RHS, CHOL]),
    "torch.cholesky_solve upper": (
        lambda t, L, b, c: t.cholesky_solve(b, c.mT, upper=True), [RHS, CHOL]),
    "torch.cholesky_inverse": (lambda t, L, c: t.cholesky_inverse(c[0]), [CHOL]),
    "torch.tensordot int": (lambda t, L, a, b: t.tensordot(a, b.permute(1, 2, 0), 2),
                             [TALL, TALL]),
    "torch.tensordot lists": (lambda t, L, a, b: t.tensordot(a, b, ([0, 2], [0, 1])),
                              [TALL, WIDE]),
    "torch.inner": (lambda t, L, a, b: t.inner(a, b[0].mT), [TALL, WIDE]),
    "torch.vdot": (lambda t, L, a, b: t.vdot(a[0, 0], b[0, :, 0]), [SQUARE, RHS]),
    "torch.chain_matmul": (lambda t, L, a, b: t.chain_matmul(a[0], a[1], b[0]), [SQUARE, RHS]),
    "torch.matrix_power": (lambda t, L, a: t.matrix_power(a, 3), [SQUARE]),
    "torch.matrix_exp": (lambda t, L, a: t.matrix_exp(a), [SQUARE / 3]),
    "Tensor.inverse": (lambda t, L, a: a.inverse(), [SQUARE]),
    "Tensor.pinverse": (lambda t, L, a: a.pinverse(), [WIDE]),
    "Tensor.slogdet": (lambda t, L, a: a.slogdet().logabsdet, [SQUARE]),
    "Tensor.logdet": (lambda t, L, a: a.logdet(), [SPD]),
    "Tensor.svd": (lambda t, L, a: a.svd().S, [TALL]),
    "Tensor.matrix_exp": (lambda t, L, a: a.matrix_exp(), [SQUARE / 3]),
    "Tensor.cholesky_inverse": (lambda t, L, c: c.cholesky_inverse(), [CHOL]),
    "Tensor.inner": (lambda t, L, a, b: a.inner(b), [SQUARE, VEC]),
}


def _run(engine, case):
    function, arrays = CASES[case]
    leaves = [engine.tensor(a, requires_grad=True) for a in arrays]
    out = function(engine, engine.linalg, *leaves)
    if out.requires_grad:
        weights = np.linspace(-1, 1, int(np.prod(out.shape))).reshape(tuple(out.shape))
        (out * engine.tensor(weights)).sum().backward()
    grads = [None if t.grad is None else t.grad.numpy() for t in leaves]
    return out.detach().numpy(), grads


@pytest.mark.filterwarnings("ignore:torch.chain_matmul is deprecated")
@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_pytorch(case, torch):
    ours, theirs = _run(minidl, case), _run(torch, case)
    assert ours[0].shape == theirs[0].shape
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-9, atol=1e-10)
    for a, b in zip(ours[1], theirs[1]):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


def _symmetric(a):
    return (a + a.mT) / 2


GRADCHECKS = {
    "eigvalsh": (lambda a: minidl.linalg.eigvalsh(_symmetric(a)), SYM),
    "eigh vectors": (lambda a: _eigvec_loss(minidl, minidl.linalg.eigh(_symmetric(a))[1]), SYM),
    "svd": (lambda a: (lambda r: r.U.abs().sum(-2) + r.S + r.Vh.abs().sum(-1))(
        minidl.linalg.svd(a, full_matrices=False)), TALL),
    "svd full wide": (lambda a: minidl.linalg.svd(a).Vh.narrow(-2, 0, 3).abs(), WIDE),
    "pinv": (lambda a: minidl.linalg.pinv(a), WIDE),
    "slogdet": (lambda a: minidl.linalg.slogdet(a).logabsdet, SQUARE),
    "matrix_exp": (lambda a: minidl.linalg.matrix_exp(a), SQUARE / 2),
    "matrix_power -3": (lambda a: minidl.linalg.matrix_power(a, -3), SQUARE),
    "nuc": (lambda a: minidl.linalg.matrix_norm(a, "nuc"), TALL),
    "lstsq": (lambda a: minidl.linalg.lstsq(a, minidl.tensor(RHS5)).solution, TALL),
}


@pytest.mark.parametrize("case", sorted(GRADCHECKS))
def test_gradcheck(case):
    function, array = GRADCHECKS[case]
    assert gradcheck(function, [minidl.tensor(array, requires_grad=True)])


def test_result_types_and_dtypes(torch):
    a = minidl.tensor(SYM)
    w, v = minidl.linalg.eigh(a)
    assert minidl.linalg.eigh(a)._fields == ("eigenvalues", "eigenvectors")
    assert w.shape == (2, 4) and v.shape == (2, 4, 4)
    r = minidl.linalg.svd(minidl.tensor(TALL))
    assert r._fields == ("U", "S", "Vh") and r.U.shape == (2, 5, 5) and r.Vh.shape == (2, 3, 3)
    assert minidl.svd(minidl.tensor(TALL))._fields == ("U", "S", "V")
    assert minidl.linalg.slogdet(a)._fields == ("sign", "logabsdet")
    f32 = minidl.linalg.eigh(minidl.tensor(SYM, dtype=minidl.float32))
    assert f32.eigenvalues.dtype == minidl.float32 and f32.eigenvectors.dtype == minidl.float32
    low_rank = TALL[:, :, :2] @ WIDE[:, :2, :3]
    rank = minidl.linalg.matrix_rank(minidl.tensor(low_rank))
    expected = torch.linalg.matrix_rank(torch.tensor(low_rank))
    assert rank.tolist() == [2, 2]
    np.testing.assert_array_equal(rank.numpy(), expected.numpy())
    assert rank.dtype == minidl.int64
    ls = minidl.linalg.lstsq(minidl.tensor(TALL), minidl.tensor(RHS5))
    ref = torch.linalg.lstsq(torch.tensor(TALL), torch.tensor(RHS5))
    assert ls._fields == ("solution", "residuals", "rank", "singular_values")
    assert ls.residuals.shape == ref.residuals.shape
    np.testing.assert_array_equal(ls.rank.numpy(), ref.rank.numpy())


def test_eig(torch):
    ours = minidl.linalg.eigvals(minidl.tensor(SQUARE)).numpy()
    theirs = torch.linalg.eigvals(torch.tensor(SQUARE)).numpy()
    assert ours.dtype == np.complex128
    key = lambda z: np.lexsort((np.round(z.imag, 8), np.round(z.real, 8)), axis=-1)  # noqa: E731
    np.testing.assert_allclose(np.take_along_axis(ours, key(ours), -1),
                               np.take_along_axis(theirs, key(theirs), -1), atol=1e-10)
    w, v = minidl.linalg.eig(minidl.tensor(SQUARE))
    np.testing.assert_allclose(SQUARE.astype(complex) @ v.numpy(),
                               v.numpy() * w.numpy()[..., None, :], atol=1e-10)


def test_ex_variants_and_logdet_signs(torch):
    bad = np.stack([SPD[0], -SPD[1]])
    for matrix in (SPD, bad):
        ours = minidl.linalg.cholesky_ex(minidl.tensor(matrix))
        theirs = torch.linalg.cholesky_ex(torch.tensor(matrix))
        np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())
    np.testing.assert_allclose(minidl.linalg.cholesky_ex(minidl.tensor(SPD)).L.numpy(),
                               CHOL, atol=1e-12)
    inverse, info = minidl.linalg.inv_ex(minidl.tensor(SQUARE))
    np.testing.assert_allclose(inverse.numpy(), np.linalg.inv(SQUARE), atol=1e-12)
    assert not info.numpy().any()
    assert minidl.linalg.inv_ex(minidl.zeros(2, 2)).info.item() != 0
    with pytest.raises(RuntimeError):
        minidl.linalg.inv_ex(minidl.zeros(2, 2), check_errors=True)
    negative = np.diag([-1.0, 2.0])
    assert math.isnan(minidl.logdet(minidl.tensor(negative)).item())
    assert minidl.logdet(minidl.zeros(2, 2)).item() == -math.inf
    sign, logabs = minidl.slogdet(minidl.tensor(negative))
    assert sign.item() == -1 and logabs.item() == pytest.approx(math.log(2))


def test_svd_compute_uv_false(torch):
    ours = minidl.svd(minidl.tensor(TALL), compute_uv=False)
    theirs = torch.svd(torch.tensor(TALL), compute_uv=False)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12)


def test_errors():
    with pytest.raises(RuntimeError, match="square matrices"):
        minidl.linalg.eigh(minidl.ones(2, 3))
    with pytest.raises(RuntimeError, match="UPLO"):
        minidl.linalg.eigh(minidl.eye(3), UPLO="X")
    with pytest.raises(RuntimeError, match="at least 2"):
        minidl.linalg.svd(minidl.ones(3))
    with pytest.raises(RuntimeError, match="Order"):
        minidl.linalg.matrix_norm(minidl.eye(3), 3)
    with pytest.raises(RuntimeError, match="expected at least 2 tensors"):
        minidl.linalg.multi_dot([minidl.eye(2)])
    with pytest.raises(RuntimeError, match="must be 2D"):
        minidl.linalg.multi_dot([minidl.eye(2), minidl.ones(2, 2, 2), minidl.eye(2)])
    with pytest.raises(RuntimeError, match="contracted dimensions need to match"):
        minidl.linalg_functions.tensordot(minidl.ones(2, 3), minidl.ones(2, 3), 1)
    with pytest.raises(RuntimeError, match="last dimension must match"):
        minidl.linalg_functions.inner(minidl.ones(2, 3), minidl.ones(2))
    with pytest.raises(RuntimeError, match="1D tensors expected"):
        minidl.linalg_functions.vdot(minidl.ones(2, 2), minidl.ones(2))
    with pytest.raises(RuntimeError, match="should match"):
        minidl.linalg.lstsq(minidl.ones(3, 2), minidl.ones(4, 1))
    with pytest.raises(TypeError, match="must be an int"):
        minidl.linalg.matrix_power(minidl.eye(2), 1.5)
    with pytest.raises(RuntimeError, match="greater than 1"):
        minidl.linalg.vander(minidl.ones(3), N=1)
    with pytest.raises(RuntimeError, match="requirement"):
        minidl.linalg.tensorinv(minidl.ones(2, 3), ind=1)
    assert minidl.linalg.solve_ex(minidl.zeros(2, 2), minidl.ones(2)).info.item() != 0


def test_torch_norm_nuclear_is_the_matrix_norm(rng):
    values = rng.standard_normal((2, 3, 4))
    x = minidl.tensor(values)
    expected = np.linalg.norm(values, "nuc", axis=(-2, -1))
    np.testing.assert_allclose(minidl.norm(x, p="nuc", dim=(1, 2)).numpy(), expected)
    np.testing.assert_allclose(float(x[0].norm("nuc")), expected[0])
