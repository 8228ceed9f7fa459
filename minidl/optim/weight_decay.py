"""The weight decay of the Adam family, both of PyTorch's kinds.

* L2 (coupled): the penalty's gradient joins the loss's, g <- g + wd · p, and goes
  through the moment estimates like any gradient;
* decoupled (AdamW; ``decoupled_weight_decay=True``): the parameter shrinks directly,
  p <- p · (1 - lr · wd), before the update.
"""
from __future__ import annotations


def decayed_gradient(param, grad, group: dict):
    """``grad`` with ``group``'s weight decay applied (``param`` shrunk in place when it
    is decoupled): the gradient the moments should see."""
    weight_decay = group["weight_decay"]
    if weight_decay == 0:
        return grad
    if group.get("decoupled_weight_decay"):
        param *= 1 - group["lr"] * weight_decay
        return grad
    return grad + weight_decay * param
