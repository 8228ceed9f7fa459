"""``Work``: a collective operation in flight, and the bounded wait for its end.

Every collective is started without blocking (MPI's ``I...`` calls, or NCCL on its own
CUDA stream) and then waited for by polling: test, sleep a little (20 µs doubling up to
1 ms), test again. Polling keeps the MPI progress engine turning while Python computes
(gradient buckets reduce during the backward pass), lets a waiting rank sleep instead of
spinning a core, lets Ctrl-C through, and bounds every wait: past the process group's
timeout the wait raises :class:`DistributedError` naming the operation, instead of
hanging forever on a rank that died or stopped answering.
"""
from __future__ import annotations

import time

FIRST_SLEEP, LONGEST_SLEEP = 20e-6, 1e-3


class DistributedError(RuntimeError):
    """A collective did not complete: another rank died, hangs, or diverged."""


class Work:
    """Handle of a started collective (PyTorch's ``Work``): ``wait()``, ``is_completed()``.

    ``test()`` returns True once the operation is complete (and drives its progress);
    ``finish()`` runs once after that (copy a staged buffer back, divide a sum by the
    number of ranks ...); ``result`` is what ``wait()`` returns to internal callers.
    """

    def __init__(self, test, what: str, group, finish=None, result=None):
        self._test, self._finish = test, finish
        self.what, self.group, self.result = what, group, result
        self._done = False

    def is_completed(self) -> bool:
        if not self._done and self._test():
            self._complete()
        return self._done

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the operation is complete; raise :class:`DistributedError` after
        ``timeout`` seconds (default: the process group's timeout)."""
        if self._done:
            return True
        limit = self.group.timeout if timeout is None else float(timeout)
        started = time.monotonic()
        pause = 0.0
        while not self._test():
            if time.monotonic() - started > limit:
                raise DistributedError(
                    f"{self.what} on rank {self.group.rank} of {self.group.size}: the other "
                    f"ranks did not take part within the timeout of {limit:g} s (a rank "
                    "died, hangs, or runs different code); stopping")
            if pause:
                time.sleep(pause)
            pause = min(LONGEST_SLEEP, 2 * pause if pause else FIRST_SLEEP)
        self._complete()
        return True

    def _complete(self) -> None:
        self._done = True
        if self._finish is not None:
            self._finish()


def completed(what: str, group, result=None) -> Work:
    """A Work that is already done (a collective over one rank)."""
    work = Work(lambda: True, what, group, result=result)
    work._done = True
    return work
