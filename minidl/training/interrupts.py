"""Ctrl-C and SIGTERM: a run stops between writes, never in the middle of one.

``SIGTERM`` (what ``kill``, a batch scheduler or a container runtime sends) is made to
act like Ctrl-C: :func:`sigterm_raises_terminated` turns it into :class:`Terminated`, a
``KeyboardInterrupt``, so one handler keeps the checkpoint and says where it is. The
exit codes follow the shell's convention, 128 + the signal's number: 130 after Ctrl-C
(SIGINT), 143 after SIGTERM.

Inside :func:`interrupts_deferred` (the trainer writes the checkpoint and the epoch's
line of metrics.jsonl there) the first Ctrl-C or SIGTERM only takes note; the block
finishes and the interrupt is raised at its end, so the checkpoint on disk is the
epoch just finished. A second signal interrupts at once (the user really wants out);
the checkpoint file, written atomically, then still holds the epoch before.

Signal handlers belong to the main thread: elsewhere both context managers do nothing.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM."""


def exit_code(interrupt: KeyboardInterrupt) -> int:
    """128 + the number of the signal that raised ``interrupt``."""
    number = signal.SIGTERM if isinstance(interrupt, Terminated) else signal.SIGINT
    return 128 + int(number)


def signal_name(interrupt: KeyboardInterrupt) -> str:
    return "SIGTERM" if isinstance(interrupt, Terminated) else "Ctrl-C"


def _raise_terminated(signum, frame):
    raise Terminated()


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def sigterm_raises_terminated():
    """Within the block, SIGTERM raises :class:`Terminated`."""
    if not _in_main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def interrupts_deferred():
    """Within the block the first SIGINT or SIGTERM is held back until the block ends
    (then raised as ``KeyboardInterrupt`` or :class:`Terminated`); a second one is raised
    at once."""
    if not _in_main_thread():
        yield
        return
    received = []

    def hold_back(signum, frame):
        received.append(signum)
        if len(received) > 1:
            raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()

    previous = {number: signal.signal(number, hold_back)
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if received:
        raise Terminated() if received[0] == signal.SIGTERM else KeyboardInterrupt()
