"""Learning-rate schedules: change each parameter group's ``lr`` as training goes on.

Call ``scheduler.step()`` once per epoch, after that epoch's optimizer steps::

    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(model, optimizer)
        scheduler.step()

``ReduceLROnPlateau`` instead watches a metric: ``scheduler.step(validation_loss)``.

As in PyTorch, the schedules compute the next rate from the current one (their recursive
form), so their values match PyTorch's to the last bit.  Building a scheduler performs an
initial step to epoch 0 and records each group's starting rate as ``"initial_lr"`` (the
``base_lrs``).  ``state_dict()`` holds every attribute but the optimizer; save and load it
beside the optimizer's.
"""
from __future__ import annotations

import copy
import math
import numbers
import types

from ..ops.arguments import check_number
from .optimizer import Optimizer


def check_integer(owner: str, name: str, value, low: int) -> None:
    """Raise ``ValueError`` naming ``owner`` and ``name`` unless ``value`` is an int >= low."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= low:
        return
    raise ValueError(f"{owner}: {name} must be an integer >= {low}, got {value!r}")


class LRScheduler:
    """Base class: ``last_epoch``, ``step()``, ``get_last_lr()`` and state dicts.  A
    subclass implements ``get_lr()``: the rates for epoch ``self.last_epoch``, one per
    parameter group."""

    _not_saved: tuple[str, ...] = ("optimizer",)

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        name = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name}: expected an Optimizer, got {type(optimizer).__name__}")
        check_integer(name, "last_epoch", last_epoch, -1)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for index, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{name}: resuming at last_epoch={last_epoch} needs "
                                   f"'initial_lr' in param_groups[{index}]; load the "
                                   "optimizer's state dict first, or start at -1")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self.step()

    def get_lr(self) -> list:
        raise NotImplementedError

    @property
    def _is_initial_step(self) -> bool:
        """True during the step the constructor makes."""
        return self._step_count == 1

    def _current_lrs(self) -> list:
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self) -> None:
        """Move to the next epoch and set each group's ``lr`` to the schedule's value."""
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise RuntimeError(f"{type(self).__name__}: the optimizer has {len(groups)} "
                               f"parameter groups, the scheduler was made for "
                               f"{len(self.base_lrs)}")
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def get_last_lr(self) -> list:
        """The rates the last ``step()`` set, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """A copy of every attribute except the optimizer."""
        return {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                if key not in self._not_saved}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore the attributes saved by ``state_dict()`` of the same kind of scheduler."""
        expected = set(self.state_dict())
        given = set(state_dict)
        if given != expected:
            raise ValueError(f"{type(self).__name__}.load_state_dict: missing keys "
                             f"{sorted(expected - given)}, unexpected keys "
                             f"{sorted(given - expected)} (a state dict of another "
                             "kind of scheduler?)")
        for key, value in state_dict.items():
            if key not in self._not_saved:
                setattr(self, key, copy.deepcopy(value))


class LambdaLR(LRScheduler):
    """``lr = base_lr * lr_lambda(epoch)``; one function for all groups or one per group.

    Only callable objects (not plain functions or lambdas) have their attributes saved in
    the state dict; the functions themselves are never saved.
    """

    _not_saved = ("optimizer", "lr_lambdas")

    def __init__(self, optimizer: Optimizer, lr_lambda, last_epoch: int = -1):
        groups = getattr(optimizer, "param_groups", [])
        if isinstance(lr_lambda, list | tuple):
            if len(lr_lambda) != len(groups):
                raise ValueError(f"LambdaLR: got {len(lr_lambda)} lr_lambdas for "
                                 f"{len(groups)} parameter groups")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(groups)
        for function in self.lr_lambdas:
            if not callable(function):
                raise TypeError(f"LambdaLR: lr_lambda must be callable, got "
                                f"{type(function).__name__}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        return [base_lr * function(self.last_epoch)
                for function, base_lr in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self) -> dict:
        state = super().state_dict()
        state["lr_lambdas"] = [None if isinstance(function, types.FunctionType)
                               else copy.deepcopy(function.__dict__)
                               for function in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        for function, saved in zip(self.lr_lambdas, state_dict["lr_lambdas"]):
            if saved is not None:
                function.__dict__.update(copy.deepcopy(saved))


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs:
    ``lr = base_lr * gamma ** (epoch // step_size)``."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1):
        check_integer("StepLR", "step_size", step_size, 1)
        check_number("StepLR", "gamma", gamma, 0, low_open=True)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        lrs = self._current_lrs()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return lrs
        return [lr * self.gamma for lr in lrs]


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each epoch listed in ``milestones`` (by
    ``gamma ** k`` where an epoch is listed k times)."""

    def __init__(self, optimizer: Optimizer, milestones, gamma: float = 0.1,
                 last_epoch: int = -1):
        milestones = list(milestones)
        for index, milestone in enumerate(milestones):
            check_integer("MultiStepLR", f"milestones[{index}]", milestone, 0)
        check_number("MultiStepLR", "gamma", gamma, 0, low_open=True)
        self.milestones = sorted(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        lrs = self._current_lrs()
        times = self.milestones.count(self.last_epoch)
        if times == 0:
            return lrs
        return [lr * self.gamma ** times for lr in lrs]


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch: ``lr = base_lr * gamma ** epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1):
        check_number("ExponentialLR", "gamma", gamma, 0, low_open=True)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        lrs = self._current_lrs()
        if self._is_initial_step:
            return lrs
        return [lr * self.gamma for lr in lrs]


class CosineAnnealingLR(LRScheduler):
    """Follow half a cosine from ``base_lr`` down to ``eta_min`` over ``T_max`` epochs,
    then back up over the next ``T_max``, and so on::

        lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2

    computed recursively, as PyTorch does, from the previous rate::

        lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi t / T_max))
                                               / (1 + cos(pi (t - 1) / T_max))

    except at the bottom of each valley (t - 1 = T_max, 3 T_max, ...), where the
    denominator is 0 and the rate grows by ``(base_lr - eta_min) (1 - cos(pi / T_max)) / 2``.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1):
        check_integer("CosineAnnealingLR", "T_max", T_max, 1)
        check_number("CosineAnnealingLR", "eta_min", eta_min, 0)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        lrs = self._current_lrs()
        t, period, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial_step:
            return lrs
        if (t - 1 - period) % (2 * period) == 0:
            rise = (1 - math.cos(math.pi / period)) / 2
            return [lr + (base_lr - eta_min) * rise for lr, base_lr in zip(lrs, self.base_lrs)]
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [ratio * (lr - eta_min) + eta_min for lr in lrs]


class ReduceLROnPlateau(LRScheduler):
    """Multiply the rate by ``factor`` when a metric has stopped improving.

    ``step(metric)`` once per epoch.  The metric improves on the best seen so far when
    (mode "min", threshold_mode "rel") ``metric < best * (1 - threshold)``, ("min", "abs")
    ``metric < best - threshold``, ("max", "rel") ``metric > best * (1 + threshold)``,
    ("max", "abs") ``metric > best + threshold``.  After more than ``patience`` epochs
    without improvement each group's rate becomes ``max(lr * factor, min_lr)`` (unless that
    changes it by ``eps`` or less), then ``cooldown`` epochs pass before counting again.

    Unlike the other schedulers it makes no initial step and ignores ``"initial_lr"``.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr=0.0, eps: float = 1e-8):
        name = "ReduceLROnPlateau"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name}: expected an Optimizer, got {type(optimizer).__name__}")
        if mode not in ("min", "max"):
            raise ValueError(f"{name}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{name}: threshold_mode must be 'rel' or 'abs', got "
                             f"{threshold_mode!r}")
        check_number(name, "factor", factor, 0, 1, high_open=True)
        check_integer(name, "patience", patience, 0)
        check_number(name, "threshold", threshold, 0)
        check_integer(name, "cooldown", cooldown, 0)
        check_number(name, "eps", eps, 0)
        groups = optimizer.param_groups
        if isinstance(min_lr, list | tuple):
            if len(min_lr) != len(groups):
                raise ValueError(f"{name}: min_lr has {len(min_lr)} values, the optimizer "
                                 f"has {len(groups)} parameter groups")
            for index, value in enumerate(min_lr):
                check_number(name, f"min_lr[{index}]", value, 0)
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            check_number(name, "min_lr", min_lr, 0)
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(groups)
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self._last_lr = self._current_lrs()

    def is_better(self, metric: float) -> bool:
        """Whether ``metric`` improves on ``self.best`` by more than the threshold."""
        relative = self.threshold_mode == "rel"
        if self.mode == "min":
            bound = self.best * (1 - self.threshold) if relative else self.best - self.threshold
            return metric < bound
        bound = self.best * (1 + self.threshold) if relative else self.best + self.threshold
        return metric > bound

    def step(self, metrics) -> None:  # type: ignore[override]  # PyTorch's signature
        """Record one epoch's metric (a number or a one-element tensor)."""
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            raise TypeError("ReduceLROnPlateau.step: metrics must be a number or a "
                            f"one-element tensor, got {metrics!r}") from None
        self.last_epoch += 1
        if self.is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"ReduceLROnPlateau: the optimizer has {len(groups)} "
                                   f"parameter groups but min_lr lists {len(self.min_lrs)}; "
                                   "set scheduler.min_lrs to one value per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr
