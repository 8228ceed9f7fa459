"""Shared test helpers: seeded random inputs and PyTorch (optional reference)."""
import numpy as np
import pytest

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

