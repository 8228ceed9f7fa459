"""What ``minidl train`` says when a run ends before its end: where the run stands.

Every way a run can stop early gets one message naming the epoch the checkpoint on disk
really holds (``TrainingState.checkpoint_epoch``: not the epoch being trained or being
written when the run stopped) and the command that goes on from there::

    SIGTERM during epoch 3: runs/x holds the checkpoint of epoch 2; continue with:
    minidl train --resume runs/x

Exit codes, the shell's conventions: 0 done; 1 an error (bad input, a diverging run, a
full disk); 130 Ctrl-C (128 + SIGINT); 143 SIGTERM (128 + SIGTERM).
"""
from __future__ import annotations

from ..training.interrupts import signal_name


def where_it_stands(run, state) -> str:
    """Which checkpoint ``run`` holds and the command to go on with."""
    if state.finished and state.checkpoint_epoch == state.epoch:
        return (f"{run} holds the trained model (epoch {state.epoch}); measure it with: "
                f"minidl eval {run}")
    if state.checkpoint_epoch == 0:
        return (f"{run} has no checkpoint yet (no epoch was finished); start it again with: "
                f"minidl train --resume {run}")
    return (f"{run} holds the checkpoint of epoch {state.checkpoint_epoch}; continue with: "
            f"minidl train --resume {run}")


def stage(state) -> str:
    """What the run was doing: ``epoch 3``, ``saving epoch 3``, ``the test evaluation``."""
    if state.epoch > state.checkpoint_epoch:
        return f"saving epoch {state.epoch}"
    if state.finished:
        return "the test evaluation"
    return f"epoch {state.epoch + 1}"


def interrupted(interrupt: KeyboardInterrupt, run, state) -> str:
    return f"{signal_name(interrupt)} during {stage(state)}: {where_it_stands(run, state)}"


def diverged(error: ArithmeticError, run, state, lr) -> str:
    kept = (f"{run} keeps the checkpoint of epoch {state.checkpoint_epoch}, the last with "
            "finite weights" if state.checkpoint_epoch else
            f"no epoch of {run} ended with finite weights, so it has no checkpoint")
    return (f"training diverged, {error}. {kept}. The learning rate ({lr:g}) may be too "
            "large: train again with a smaller --lr, or skip such steps with --set "
            "on_nonfinite=skip")


def disk_full(error: OSError, run, state) -> str:
    where = f" writing {error.filename}" if error.filename else ""
    return (f"no space left on the device{where}. Free some space; "
            f"{where_it_stands(run, state)}")
