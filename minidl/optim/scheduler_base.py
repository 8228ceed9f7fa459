"""``LRScheduler``: what every learning-rate schedule shares (PyTorch's structure).

A scheduler holds ``last_epoch`` (the index of the epoch, or batch, whose rates are set),
``base_lrs`` (each group's ``"initial_lr"``) and ``_last_lr``.  Building it performs an
initial step to epoch 0 (``_is_initial`` is True during that step, so a resumed schedule
does not move on).  ``step()`` moves to the next epoch and asks the subclass's
``get_lr()`` for the new rates, computed from the current ones (PyTorch's recursive form,
so the values match PyTorch's to the last bit).  ``step(epoch)`` (deprecated in PyTorch)
jumps to ``epoch`` and uses the subclass's ``_closed_form_lr()`` where it has one.
"""
from __future__ import annotations

import copy
import functools
import numbers
import types
import warnings
import weakref

from ..ops.arguments import check_number
from .optimizer import Optimizer

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated "
    "where possible. Please use `scheduler.step()` to step the scheduler. During the "
    "deprecation, if epoch is different from None, the closed form is used instead of the "
    "new chainable form, where available.")
STEP_ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 "
    "and later, you should call them in the opposite order: `optimizer.step()` before "
    "`lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first "
    "value of the learning rate schedule.")


def check_integer(owner: str, name: str, value, low: int) -> None:
    """Raise ``ValueError`` naming ``owner`` and ``name`` unless ``value`` is an int >= low."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= low:
        return
    raise ValueError(f"{owner}: {name} must be an integer >= {low}, got {value!r}")


def check_optimizer(owner: str, optimizer) -> None:
    """Raise ``TypeError`` unless ``optimizer`` is an :class:`Optimizer`."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: expected an Optimizer, got {type(optimizer).__name__}")


def track_optimizer_steps(optimizer: Optimizer) -> None:
    """Make ``optimizer.step()`` note that it ran (``optimizer._opt_called``), so that a
    scheduler stepped before it can warn; done once per optimizer."""
    if getattr(optimizer.step, "_wrapped_by_lr_sched", False):
        return
    owner = weakref.ref(optimizer)  # no cycle between the optimizer and its own step
    step = type(optimizer).step

    @functools.wraps(step)
    def noting_step(*args, **kwargs):
        instance = owner()
        instance._opt_called = True
        return step(instance, *args, **kwargs)

    noting_step._wrapped_by_lr_sched = True  # type: ignore[attr-defined]
    optimizer.step = noting_step  # type: ignore[method-assign]


def per_group(owner: str, name: str, optimizer: Optimizer, value, low: float = 0.0) -> list:
    """``value`` once per parameter group: a list or tuple with one number per group, or
    one number for all of them; each a finite number >= ``low``."""
    count = len(optimizer.param_groups)
    if isinstance(value, list | tuple):
        if len(value) != count:
            raise ValueError(f"{owner}: {name} has {len(value)} values, the optimizer has "
                             f"{count} parameter groups")
        for index, item in enumerate(value):
            check_number(owner, f"{name}[{index}]", item, low)
        return list(value)
    check_number(owner, name, value, low)
    return [value] * count


def function_state(function):
    """What a state dict keeps of a user's function: a callable object's attributes, or
    ``None`` for a plain function or lambda (functions are never saved)."""
    if function is None or isinstance(function, types.FunctionType):
        return None
    return copy.deepcopy(function.__dict__)


def restore_function_state(function, saved) -> None:
    """Give back to a callable object the attributes :func:`function_state` kept."""
    if saved is not None:
        function.__dict__.update(copy.deepcopy(saved))


class LRScheduler:
    """Base class: ``last_epoch``, ``step()``, ``get_last_lr()`` and state dicts.  A
    subclass implements ``get_lr()``: the rates for epoch ``self.last_epoch``, one per
    parameter group, and may implement ``_closed_form_lr()`` for ``step(epoch)``."""

    _not_saved: tuple[str, ...] = ("optimizer",)

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        name = type(self).__name__
        check_optimizer(name, optimizer)
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
        track_optimizer_steps(optimizer)
        self._initial_step()

    def get_lr(self) -> list:
        raise NotImplementedError

    def _initial_step(self) -> None:
        """Reset the step count and make the step to epoch 0 (or to ``last_epoch + 1``)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def _current_lrs(self) -> list:
        return [group["lr"] for group in self.optimizer.param_groups]

    def _check_groups(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise RuntimeError(f"{type(self).__name__}: the optimizer has {len(groups)} "
                               f"parameter groups, the scheduler was made for "
                               f"{len(self.base_lrs)}")

    def step(self, epoch=None) -> None:
        """Move to the next epoch (or to ``epoch``, deprecated) and set each group's
        ``lr`` to the schedule's value."""
        self._check_groups()
        self._warn_if_before_optimizer()
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _warn_if_before_optimizer(self) -> None:
        """PyTorch's rule: the first ``step()`` after building belongs after an
        ``optimizer.step()``."""
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(STEP_ORDER_WARNING, UserWarning, stacklevel=3)

    def _update_lr(self, epoch=None) -> None:
        if epoch is None:
            self.last_epoch += 1
            lrs = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_closed_form_lr", None)
            lrs = closed_form() if closed_form is not None else self.get_lr()
        self._set_lrs(lrs)

    def _set_lrs(self, lrs: list) -> None:
        for group, lr in zip(self.optimizer.param_groups, lrs):
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


class FunctionScheduler(LRScheduler):
    """A schedule driven by one user function per parameter group (``lr_lambdas``); only
    callable objects have their attributes saved in the state dict."""

    _not_saved = ("optimizer", "lr_lambdas")

    def __init__(self, optimizer: Optimizer, lr_lambda, last_epoch: int = -1):
        name = type(self).__name__
        check_optimizer(name, optimizer)
        groups = optimizer.param_groups
        if isinstance(lr_lambda, list | tuple):
            if len(lr_lambda) != len(groups):
                raise ValueError(f"{name}: got {len(lr_lambda)} lr_lambdas for "
                                 f"{len(groups)} parameter groups")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(groups)
        for function in self.lr_lambdas:
            if not callable(function):
                raise TypeError(f"{name}: lr_lambda must be callable, got "
                                f"{type(function).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict:
        state = super().state_dict()
        state["lr_lambdas"] = [function_state(function) for function in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        for function, saved in zip(self.lr_lambdas, state_dict["lr_lambdas"]):
            restore_function_state(function, saved)
