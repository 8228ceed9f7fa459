"""``torch_randperm(n, seed)``: the permutation PyTorch's ``torch.randperm(n, generator=g)``
gives after ``g.manual_seed(seed)``, without PyTorch.

PyTorch's CPU generator is the 32-bit Mersenne Twister (MT19937) seeded with the low 32
bits of the seed (the classic ``init_genrand``), and its ``randperm`` is a Fisher-Yates
shuffle that walks forward::

    perm = [0, 1, ..., n-1]
    for i in 0 .. n-2:
        z = (i-th 32-bit output of the generator) mod (n - i)
        swap perm[i], perm[i + z]

NumPy's legacy ``RandomState(seed)`` seeds the same generator the same way; its state,
moved into NumPy's ``MT19937`` bit generator, gives PyTorch's raw 32-bit outputs.
(PyTorch uses 64-bit draws for n of 2**32 / 20 and more, over 214 million items; the
orders match below that.)
"""
from __future__ import annotations

import numpy as np


def torch_randperm(n: int, seed: int) -> np.ndarray:
    """The int64 permutation of ``range(n)`` that ``torch.randperm`` draws with ``seed``."""
    seeded = np.random.RandomState(seed & 0xFFFFFFFF).get_state(legacy=False)
    twister = np.random.MT19937()
    twister.state = {"bit_generator": "MT19937", "state": seeded["state"]}
    draws = twister.random_raw(max(n - 1, 0))
    offsets = (draws % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
    perm = list(range(n))
    for i, z in enumerate(offsets):
        j = i + z
        perm[i], perm[j] = perm[j], perm[i]
    return np.array(perm, dtype=np.int64)
