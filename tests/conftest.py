"""Shared test helpers: seeded random inputs, PyTorch (optional reference), devices."""
import numpy as np
import pytest
from helpers import KernelBackend, cuda_unavailable_reason

import minidl


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same random state."""
    minidl.manual_seed(0)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture
def torch():
    """PyTorch as the reference implementation; tests using it skip when it is absent."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    return torch


@pytest.fixture
def cuda():
    """The device "cuda"; the test is skipped, with the reason, without CuPy or a GPU."""
    reason = cuda_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    return "cuda"


@pytest.fixture(params=["cpu", "cuda"])
def device(request):
    """Each device a test runs on: "cpu" always, "cuda" where CuPy and a GPU are (skipped,
    with the reason, elsewhere)."""
    if request.param == "cuda":
        return request.getfixturevalue("cuda")
    return request.param


@pytest.fixture(params=["cpu", "cuda"])
def kernels(request):
    """The fast kernels of each backend (a ``KernelBackend``): the kernel tests' case tables
    run on "cpu" always and on "cuda" where CuPy and a GPU are (skipped elsewhere)."""
    return KernelBackend(request.getfixturevalue("cuda") if request.param == "cuda" else "cpu")
