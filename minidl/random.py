"""The random streams: ``manual_seed`` makes every random draw in minidl repeatable, and a
``Generator`` of one's own keeps some draws apart from the global stream.

``default_generator`` is the global stream: ``randn``, ``rand``, dropout, weight
initialization ... draw from it unless given a ``generator=``.  ``manual_seed(s)`` restarts
it and returns it, as in PyTorch.
"""
from __future__ import annotations

import numpy as np


def _checked_seed(seed, function: str) -> int:
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        raise TypeError(f"{function}: seed must be an int, got {type(seed).__name__}")
    return int(seed)


class Generator:
    """``torch.Generator``: a stream of random numbers of its own, for the functions that
    take ``generator=`` (``randn``, ``rand``, ``randint``, ``randperm``, ``normal``,
    ``DataLoader``, ``random_split``, the random transforms), so that their draws do not
    depend on the global stream.  A NumPy Generator does the work (``generator.numpy``).

        split = random_split(dataset, [0.8, 0.2], generator=Generator().manual_seed(42))
    """

    def __init__(self, device="cpu"):
        if str(device) not in ("cpu", "cuda", "cuda:0"):
            raise ValueError(f"Generator: device must be 'cpu' or 'cuda', got {device!r}")
        self.device = str(device).split(":")[0]
        self.seed()

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed``; returns the generator (PyTorch's chaining)."""
        self._initial_seed = _checked_seed(seed, "Generator.manual_seed")
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


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the global stream (used by ``randn``, ``rand``, dropout, weight initialization,
    ...); returns ``default_generator``, as PyTorch does."""
    return default_generator.manual_seed(_checked_seed(seed, "manual_seed"))


def initial_seed() -> int:
    """The seed the global stream started from."""
    return default_generator.initial_seed()


def generator() -> np.random.Generator:
    """The global stream's NumPy generator."""
    return default_generator.numpy


def stream(generator: Generator | None, function: str) -> np.random.Generator:
    """The NumPy generator ``function`` draws from: that of ``generator`` (a
    ``minidl.Generator``), or the global stream's when it is None."""
    if generator is None:
        return default_generator.numpy
    if not isinstance(generator, Generator):
        raise TypeError(f"{function}: generator must be a minidl.Generator "
                        f"(torch.Generator), got {type(generator).__name__}")
    return generator.numpy


def get_rng_state() -> dict:
    """The global stream's state, to save in a checkpoint."""
    return default_generator.get_state()


def set_rng_state(state: dict) -> None:
    """Restore a state returned by :func:`get_rng_state`."""
    default_generator.set_state(state)
