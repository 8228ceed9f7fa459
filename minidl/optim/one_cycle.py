"""``OneCycleLR``: the 1cycle policy (Smith and Topin, 2017), stepped once per batch."""
from __future__ import annotations

import math

from ..ops.arguments import check_number
from .cycle_momentum import set_momentum, start_momentum
from .optimizer import Optimizer
from .scheduler_base import LRScheduler, check_integer, check_optimizer, per_group


def anneal(strategy: str, start: float, end: float, pct: float) -> float:
    """From ``start`` (pct 0) to ``end`` (pct 1): along half a cosine or a line."""
    if strategy == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


class OneCycleLR(LRScheduler):
    """Warm the rate up from ``max_lr / div_factor`` to ``max_lr`` over the first
    ``pct_start`` of ``total_steps``, then anneal it down to
    ``max_lr / div_factor / final_div_factor``; the momentum moves the other way,
    between ``max_momentum`` and ``base_momentum``.

    Each phase p, from step s_0 to its ``end_step`` s_1, anneals (``anneal_strategy``
    "cos" or "linear") with ``pct = (t - s_0) / (s_1 - s_0)``::

        cos:     lr = end + (start - end) * (1 + cos(pi * pct)) / 2
        linear:  lr = start + (end - start) * pct

    Two phases (default): initial -> max until step ``pct_start * total - 1``, then
    max -> min until ``total - 1``.  ``three_phase``: initial -> max, max -> initial
    until ``2 * pct_start * total - 2``, then initial -> min.  ``total_steps`` or
    ``epochs * steps_per_epoch`` steps; stepping past ``total_steps`` is an error.  The
    bounds live in each parameter group (``initial_lr``, ``max_lr``, ``min_lr``,
    ``max_momentum``, ``base_momentum``), so they travel with the optimizer's state dict.
    """

    def __init__(self, optimizer: Optimizer, max_lr, total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos",
                 cycle_momentum: bool = True, base_momentum=0.85, max_momentum=0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1):
        name = "OneCycleLR"
        check_optimizer(name, optimizer)
        if total_steps is not None:
            check_integer(name, "total_steps", total_steps, 1)
        elif epochs is not None and steps_per_epoch is not None:
            check_integer(name, "epochs", epochs, 1)
            check_integer(name, "steps_per_epoch", steps_per_epoch, 1)
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(f"{name}: give total_steps, or both epochs and steps_per_epoch")
        check_number(name, "pct_start", pct_start, 0, 1)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{name}: anneal_strategy must be 'cos' or 'linear', got "
                             f"{anneal_strategy!r}")
        check_number(name, "div_factor", div_factor, 0, low_open=True)
        check_number(name, "final_div_factor", final_div_factor, 0, low_open=True)
        check_integer(name, "last_epoch", last_epoch, -1)
        self.total_steps = total_steps
        self._anneal_func_type = anneal_strategy
        self._schedule_phases = self._phases(float(pct_start * total_steps), three_phase)
        max_lrs = per_group(name, "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = start_momentum(name, optimizer, base_momentum, max_momentum,
                                            last_epoch)[0]
        super().__init__(optimizer, last_epoch)

    def _phases(self, warmup: float, three_phase: bool) -> list[dict]:
        """Each phase: its last step and the group keys of its start and end values."""
        def phase(end_step, start_lr, end_lr, start_momentum, end_momentum):
            return dict(end_step=end_step, start_lr=start_lr, end_lr=end_lr,
                        start_momentum=start_momentum, end_momentum=end_momentum)

        last = self.total_steps - 1
        if three_phase:
            return [phase(warmup - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                    phase(2 * warmup - 2, "max_lr", "initial_lr", "base_momentum",
                          "max_momentum"),
                    phase(last, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        return [phase(warmup - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                phase(last, "max_lr", "min_lr", "base_momentum", "max_momentum")]

    def get_lr(self) -> list:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {step} times, but total_steps is "
                             f"{self.total_steps}; make total_steps (or epochs * "
                             "steps_per_epoch) cover every scheduler.step()")
        start_step = 0.0
        for index, phase in enumerate(self._schedule_phases):
            if step <= phase["end_step"] or index == len(self._schedule_phases) - 1:
                break
            start_step = phase["end_step"]
        if phase["end_step"] == start_step:
            raise ValueError(f"OneCycleLR: phase {index} of the schedule has no steps "
                             f"(total_steps={self.total_steps}); raise total_steps or "
                             "change pct_start")
        pct = (step - start_step) / (phase["end_step"] - start_step)
        lrs = []
        for group in self.optimizer.param_groups:
            lrs.append(anneal(self._anneal_func_type, group[phase["start_lr"]],
                              group[phase["end_lr"]], pct))
            if self.cycle_momentum:
                momentum = anneal(self._anneal_func_type, group[phase["start_momentum"]],
                                  group[phase["end_momentum"]], pct)
                set_momentum(group, momentum, self.use_beta1)
        return lrs
