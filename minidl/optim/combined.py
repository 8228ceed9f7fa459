"""Schedules made of other schedules: ``SequentialLR`` (one after another, switching at
milestones) and ``ChainedScheduler`` (all at once, each scaling what the others set)."""
from __future__ import annotations

from bisect import bisect_right

from .optimizer import Optimizer
from .plateau import ReduceLROnPlateau
from .scheduler_base import LRScheduler, check_integer, check_optimizer


class CompositeScheduler(LRScheduler):
    """What both share: checking the schedulers, and a state dict holding theirs."""

    _not_saved = ("optimizer", "_schedulers")

    def _take_schedulers(self, optimizer: Optimizer | None, schedulers) -> None:
        name = type(self).__name__
        schedulers = list(schedulers)
        if not schedulers:
            raise ValueError(f"{name}: expected at least one scheduler, got none")
        for index, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler):
                raise TypeError(f"{name}: schedulers[{index}] must be a learning-rate "
                                f"scheduler, got {type(scheduler).__name__}")
            if isinstance(scheduler, ReduceLROnPlateau):
                raise ValueError(f"{name}: schedulers[{index}] is a ReduceLROnPlateau, "
                                 "whose step needs a metric; step it on its own")
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"{name}: schedulers[{index}] "
                                 f"({type(scheduler).__name__}) adjusts another optimizer; "
                                 "all must share one")
        self._schedulers = schedulers
        self.optimizer = schedulers[0].optimizer

    def state_dict(self) -> dict:
        state = super().state_dict()
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        saved = state_dict.get("_schedulers", [])
        if len(saved) != len(self._schedulers):
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state dict holds "
                             f"{len(saved)} schedulers, this one {len(self._schedulers)}")
        super().load_state_dict(state_dict)
        for scheduler, state in zip(self._schedulers, saved):
            scheduler.load_state_dict(state)


class SequentialLR(CompositeScheduler):
    """Run ``schedulers[0]`` until ``milestones[0]``, then ``schedulers[1]`` until
    ``milestones[1]``, and so on: at epoch t the scheduler ``i = #{m in milestones: m <= t}``
    steps, and at a milestone it restarts at its epoch 0 (its closed form, usually
    ``base_lr``).  Building it undoes the initial steps of the schedulers made for it."""

    def __init__(self, optimizer: Optimizer, schedulers, milestones, last_epoch: int = -1):
        check_optimizer("SequentialLR", optimizer)
        self._take_schedulers(optimizer, schedulers)
        milestones = list(milestones)
        if len(milestones) != len(self._schedulers) - 1:
            raise ValueError(f"SequentialLR: expected {len(self._schedulers) - 1} milestones "
                             f"(one fewer than the schedulers), got {len(milestones)}")
        for index, milestone in enumerate(milestones):
            check_integer("SequentialLR", f"milestones[{index}]", milestone, 0)
        if milestones != sorted(milestones):
            raise ValueError(f"SequentialLR: milestones must be increasing, got {milestones}")
        check_integer("SequentialLR", "last_epoch", last_epoch, -1)
        for index, scheduler in enumerate(self._schedulers[1:], 1):
            if isinstance(scheduler, CompositeScheduler):
                raise ValueError(f"SequentialLR: schedulers[{index}] is a "
                                 f"{type(scheduler).__name__}, which cannot restart at a "
                                 "milestone (PyTorch fails there too); only the first may "
                                 "be one")
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo_initial_steps(self)
        first = self._schedulers[bisect_right(milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def _undo_initial_steps(self, scheduler) -> None:
        """Move every scheduler inside ``scheduler`` back one epoch."""
        if isinstance(scheduler, CompositeScheduler):
            for inner in scheduler._schedulers:
                self._undo_initial_steps(inner)
        else:
            scheduler.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]  # PyTorch's signature
        """Step the scheduler of the current epoch (restarting it at its milestone)."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(CompositeScheduler):
    """Step every scheduler in turn at each ``step()``: each multiplies (or otherwise
    changes) the rates the previous ones set, so chainable schedules compose, e.g.
    ``ConstantLR`` warm-up times ``ExponentialLR`` decay."""

    def __init__(self, schedulers, optimizer: Optimizer | None = None):
        schedulers = list(schedulers)
        if optimizer is None and schedulers:
            optimizer = getattr(schedulers[0], "optimizer", None)
        if optimizer is not None:
            check_optimizer("ChainedScheduler", optimizer)
        self._take_schedulers(optimizer, schedulers)
        self._last_lr = self._current_lrs()

    def step(self) -> None:  # type: ignore[override]  # PyTorch's signature
        """Step every scheduler, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._current_lrs()
