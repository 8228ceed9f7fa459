"""Momentum cycled against the learning rate (``CyclicLR``, ``OneCycleLR``): SGD's and
RMSprop's ``momentum``, or ``beta1`` of the Adam family's ``betas``."""
from __future__ import annotations

from .optimizer import Optimizer
from .scheduler_base import per_group


def uses_beta1(owner: str, optimizer: Optimizer) -> bool:
    """Whether the momentum to cycle is ``betas[0]`` (else ``momentum``); an error if
    the optimizer has neither."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(f"{owner}: cycle_momentum=True needs an optimizer with 'momentum' "
                         f"or 'betas' (SGD, RMSprop, Adam, ...), got "
                         f"{type(optimizer).__name__}; pass cycle_momentum=False")
    return "betas" in optimizer.defaults


def set_momentum(group: dict, momentum: float, use_beta1: bool) -> None:
    """Write ``momentum`` into a parameter group (as ``betas[0]`` or ``momentum``)."""
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def start_momentum(owner: str, optimizer: Optimizer, base_momentum, max_momentum,
                   last_epoch: int) -> tuple[bool, list, list]:
    """Check and spread ``base_momentum`` and ``max_momentum`` over the groups; on a fresh
    start (``last_epoch == -1``) set each group's momentum to its maximum and record both
    bounds in the group (``"base_momentum"``, ``"max_momentum"``).  Returns
    ``(use_beta1, base_momentums, max_momentums)``."""
    use_beta1 = uses_beta1(owner, optimizer)
    base_momentums = per_group(owner, "base_momentum", optimizer, base_momentum)
    max_momentums = per_group(owner, "max_momentum", optimizer, max_momentum)
    if last_epoch == -1:
        for group, low, high in zip(optimizer.param_groups, base_momentums, max_momentums):
            set_momentum(group, high, use_beta1)
            group["max_momentum"] = high
            group["base_momentum"] = low
    return use_beta1, base_momentums, max_momentums
