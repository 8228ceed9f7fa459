"""When one rank fails, every rank stops, with the reason on the failing rank's stderr.

Data-parallel ranks wait for each other in every collective, so one rank that stops
early would leave the others waiting. Three things keep a job from hanging:

* a rank killed by a signal (out of memory, ``kill -9``) or exiting with an error code is
  seen by the MPI launcher, which ends the other ranks;
* while a process group is initialized, an exception that no one catches (any rank)
  prints its traceback and then calls ``MPI_Abort``, which ends every rank; and
  :func:`abort_at_exit` does the same for any exit, clean or not, that comes before the
  program said it finished (the ``minidl train --distributed`` command uses it);
* a rank that hangs or vanished without a trace is caught by the others' collective
  timeout (:class:`~.work.DistributedError`), which then ends the job as above.
"""
from __future__ import annotations

import atexit
import sys
import time
from typing import Any

# MPI_Abort ends every process at once: give the launcher this long to pass on what this
# rank printed (the traceback) first
OUTPUT_GRACE_SECONDS = 1.0

_state: dict[str, Any] = {"group": None, "previous_hook": None, "at_exit": False}


def install(group) -> None:
    """Stop every rank of ``group`` on an uncaught exception in this one."""
    _state["group"] = group
    if _state["previous_hook"] is None:
        _state["previous_hook"] = sys.excepthook
        sys.excepthook = _stop_all_on_uncaught


def uninstall() -> None:
    _state["group"] = None
    if _state["previous_hook"] is not None:
        sys.excepthook = _state["previous_hook"]
        _state["previous_hook"] = None


def stop_all(reason: str, code: int = 1) -> None:
    """Print why this rank stops and end every rank of the job (``MPI_Abort``)."""
    group = _state["group"]
    if group is None or group.size == 1:
        return
    sys.stdout.flush()
    sys.stderr.write(f"minidl.distributed: rank {group.rank} of {group.size} stops "
                     f"({reason}); stopping every rank\n")
    sys.stderr.flush()
    time.sleep(OUTPUT_GRACE_SECONDS)
    group.backend.abort(code)


def abort_at_exit() -> None:
    """From now on, leaving the program while the process group is still initialized
    (an error, Ctrl-C, ``sys.exit``) stops every rank; ``destroy_process_group`` at the
    normal end disarms it."""
    if not _state["at_exit"]:
        atexit.register(_exit_before_the_end)
        _state["at_exit"] = True


def _exit_before_the_end() -> None:
    stop_all("it exited before the end of the run", code=1)


def _stop_all_on_uncaught(kind, error, traceback) -> None:
    (_state["previous_hook"] or sys.__excepthook__)(kind, error, traceback)
    stop_all(f"uncaught {kind.__name__}", code=1)
