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
