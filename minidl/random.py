"""The global random state: ``manual_seed`` makes every random draw in minidl repeatable."""
from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()
_seed: int | None = None


def manual_seed(seed: int) -> None:
    """Seed the generator used by ``randn``, ``rand``, dropout, weight initialization, ..."""
    global _generator, _seed
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
    _seed = int(seed)
    _generator = np.random.default_rng(_seed)


def generator() -> np.random.Generator:
    """The current global NumPy generator."""
    return _generator


def get_rng_state() -> dict:
    """The generator's state, to save in a checkpoint."""
    return dict(_generator.bit_generator.state)


def set_rng_state(state: dict) -> None:
    """Restore a state returned by :func:`get_rng_state`."""
    _generator.bit_generator.state = state


class Generator:
    """``torch.Generator``: a stream of random numbers of its own, for the functions that
    take ``generator=`` (``DataLoader``, ``random_split``, the random transforms), so that
    their draws do not depend on the global stream.  A NumPy Generator does the work
    (``generator.numpy``).

        split = random_split(dataset, [0.8, 0.2], generator=Generator().manual_seed(42))
    """

    def __init__(self, device="cpu"):
        if str(device) not in ("cpu", "cuda", "cuda:0"):
            raise ValueError(f"Generator: device must be 'cpu' or 'cuda', got {device!r}")
        self.device = str(device).split(":")[0]
        self.seed()

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed``; returns the generator (PyTorch's chaining)."""
        if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
            raise TypeError(f"Generator.manual_seed: seed must be an int, got "
                            f"{type(seed).__name__}")
        self._initial_seed = int(seed)
        self.numpy = np.random.default_rng(self._initial_seed)
        return self

    def seed(self) -> int:
        """Restart the stream from a fresh non-deterministic seed, and return that seed."""
        self.manual_seed(int(np.random.default_rng().integers(2 ** 63)))
        return self._initial_seed

    def initial_seed(self) -> int:
        return self._initial_seed

    def get_state(self) -> dict:
        return dict(self.numpy.bit_generator.state)

    def set_state(self, state: dict) -> Generator:
        self.numpy.bit_generator.state = state
        return self

    def __repr__(self) -> str:
        return f"<minidl.Generator seed={self._initial_seed} device={self.device}>"
