"""Which random generator a data transform draws from.

Random transforms (flips, rotations, crops ...) and random datasets draw from
:func:`sample_generator`:

* while a :class:`~minidl.data.DataLoader` builds a sample, that is a generator seeded
  from the loader's epoch seed and the sample's index in the dataset, so every sample's
  randomness is fixed by the seed alone, whichever worker thread builds it, in whatever
  order the threads run, and whichever rank of a data-parallel job loads it;
* anywhere else, it is minidl's global generator, so ``minidl.manual_seed`` makes the
  draws repeatable.

A transform given its own ``generator`` uses that one instead (repeatable with
``num_workers=0``; with several workers the order in which threads draw from one shared
generator is not fixed).

The loader hands over a seed, not a generator: the generator is made when something
first draws from it (making one costs about 10 µs, as much as building a small sample,
and most samples draw nothing).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

import numpy as np

from .. import random as _random

_local = threading.local()


def sample_generator() -> np.random.Generator:
    """The generator of the sample being built in this thread, else the global one."""
    generator = getattr(_local, "generator", None)
    if generator is None:
        return _random.generator()
    if not isinstance(generator, np.random.Generator):  # a seed: made on the first draw
        generator = _local.generator = np.random.default_rng(generator)
    return generator


@contextmanager
def using_generator(generator):
    """Make ``generator`` this thread's :func:`sample_generator` inside the ``with``:
    a NumPy Generator, or a seed (an int or a sequence of ints) of one that is made when
    it is first asked for."""
    previous = getattr(_local, "generator", None)
    _local.generator = generator
    try:
        yield generator
    finally:
        _local.generator = previous


def as_generator(generator, function: str) -> np.random.Generator:
    """``None`` -> the global generator; an int -> a new generator seeded with it; a NumPy
    ``Generator`` -> itself; a ``minidl.Generator`` (``torch.Generator``) -> its stream."""
    if generator is None:
        return _random.generator()
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, _random.Generator):
        return generator.numpy
    if isinstance(generator, int | np.integer) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    raise TypeError(f"{function}: generator must be None, an int seed, a minidl.Generator "
                    f"or a numpy.random.Generator, got {type(generator).__name__}")
