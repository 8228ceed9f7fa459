"""What ``minidl train`` says when a run ends before its end: where the run stands.

Every way a run can stop early gets one message naming the epoch the checkpoint on disk
really holds (``TrainingState.checkpoint_epoch``: not the epoch being trained or being
written when the run stopped) and the command that goes on from there::

    stopped by SIGTERM: runs/x holds the checkpoint of epoch 2; continue with:
    minidl train --resume runs/x

Exit codes, the shell's conventions: 0 done; 1 an error (bad input, a diverging run, a
full disk); 130 Ctrl-C (128 + SIGINT); 143 SIGTERM (128 + SIGTERM).
"""
from __future__ import annotations

from minidl.training.interrupts import signal_name


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


def interrupted(interrupt: KeyboardInterrupt, run, state) -> str:
    return f"stopped by {signal_name(interrupt)}: {where_it_stands(run, state)}"


def diverged(error: ArithmeticError, run, state, learning_rates: dict, policy: str) -> str:
    """``learning_rates``: each optimizer's rate when the run diverged; ``policy``: the
    run's ``on_nonfinite``."""
    kept = (f"{run} keeps the checkpoint of epoch {state.checkpoint_epoch}, the last one "
            "whose weights and validation loss were finite" if state.checkpoint_epoch else
            f"{run} has no checkpoint: its first epoch diverged")
    rates = ", ".join(f"{lr:g}" if len(learning_rates) == 1 else f"{name} {lr:g}"
                      for name, lr in learning_rates.items())
    advice = f"The learning rate ({rates}) may be too large: train again with a smaller --lr"
    if policy == "stop":
        advice += ", or skip such steps with --set on_nonfinite=skip"
    return f"training diverged at {error}. {kept}. {advice}"


def disk_full(error: OSError, run, state) -> str:
    where = f" writing {error.filename}" if error.filename else ""
    return (f"no space left on the device{where}. Free some space; "
            f"{where_it_stands(run, state)}")
