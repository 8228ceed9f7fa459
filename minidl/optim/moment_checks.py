"""The hyper-parameter checks the optimizers built on running moment estimates share
(Adam, AdamW, Adamax, NAdam, RAdam): ``lr``, ``eps`` and ``weight_decay`` >= 0, and ``betas`` a pair
of numbers in [0, 1)."""
from __future__ import annotations

from ..ops.arguments import check_number


def check_moment_hyperparameters(name: str, group: dict) -> None:
    """Raise ``ValueError`` naming optimizer ``name`` and the argument that is out of range."""
    check_number(name, "lr", group["lr"], 0)
    check_number(name, "eps", group["eps"], 0)
    check_number(name, "weight_decay", group["weight_decay"], 0)
    betas = group["betas"]
    if not isinstance(betas, tuple | list) or len(betas) != 2:
        raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
    check_number(name, "betas[0]", betas[0], 0, 1, high_open=True)
    check_number(name, "betas[1]", betas[1], 0, 1, high_open=True)
