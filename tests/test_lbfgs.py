"""``optim.LBFGS``: PyTorch's iterates, with and without the strong-Wolfe line search."""
import numpy as np
import pytest

import minidl

MATRIX = [[3.0, 0.5, 0.1], [0.5, 2.0, 0.3], [0.1, 0.3, 1.0]]


def _minimize(engine, line_search, problem, steps=4):
    x = engine.tensor([-1.2, 1.0, 0.5], dtype=engine.float64, requires_grad=True)
    optimizer = engine.optim.LBFGS([x], lr=1, max_iter=20, history_size=5,
                                   line_search_fn=line_search)
    a = engine.tensor(MATRIX, dtype=engine.float64)

    def closure():
        optimizer.zero_grad()
        if problem == "rosenbrock":
            loss = ((1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[2]) ** 2
                    + 10 * (x[2] - x[1] ** 2) ** 2)
        else:
            loss = 0.5 * (x @ (a @ x)) - x.sum()
        loss.backward()
        return loss

    losses = [float(optimizer.step(closure).detach()) for _ in range(steps)]
    state = optimizer.state[x]
    return losses, x.detach().numpy().copy(), state["func_evals"], state["n_iter"]


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
@pytest.mark.parametrize("problem", ["quadratic", "rosenbrock"])
def test_lbfgs_follows_pytorch(problem, line_search, torch):
    ours, theirs = _minimize(minidl, line_search, problem), _minimize(torch, line_search,
                                                                      problem)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-8, atol=1e-10)
    assert ours[2:] == theirs[2:]                  # the same evaluations and iterations


def test_lbfgs_solves_a_quadratic_and_checks_its_arguments():
    _, x, _, _ = _minimize(minidl, "strong_wolfe", "quadratic")
    np.testing.assert_allclose(x, np.linalg.solve(np.array(MATRIX), np.ones(3)), atol=1e-4)
    p = minidl.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        minidl.optim.LBFGS([p], line_search_fn="backtracking")
    with pytest.raises(ValueError, match="per-parameter options"):
        minidl.optim.LBFGS([{"params": [p]}, {"params": [minidl.zeros(1, requires_grad=True)]}])
    with pytest.raises(RuntimeError, match="needs a closure"):
        minidl.optim.LBFGS([p]).step(None)


def test_lbfgs_state_dict_round_trip_continues_the_same_way():
    def run(reload):
        x = minidl.tensor([-1.2, 1.0, 0.5], dtype=minidl.float64, requires_grad=True)
        optimizer = minidl.optim.LBFGS([x], max_iter=3, history_size=4)

        def closure():
            optimizer.zero_grad()
            loss = ((1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2 + (x[2] - 2) ** 2)
            loss.backward()
            return loss
        optimizer.step(closure)
        if reload:
            fresh = minidl.optim.LBFGS([x], max_iter=3, history_size=4)
            fresh.load_state_dict(optimizer.state_dict())
            optimizer = fresh
        optimizer.step(closure)
        return x.detach().numpy().copy()
    np.testing.assert_array_equal(run(False), run(True))
