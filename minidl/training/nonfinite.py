"""NaN and infinity in training: a diverging run stops, and never saves broken weights.

A learning rate far too large (``--lr 1e6``) makes the losses grow to 1e21, then inf,
then NaN, and every weight NaN soon after. Such a run must neither go on logging NaN nor
write its NaN weights over the last good checkpoint. Three checks, from the cheapest:

1. before every optimizer step (:meth:`NonFiniteGuard.allows_step`, which
   :meth:`.task.Task.step` calls): the loss and every gradient of the optimizer's
   parameters must be finite, and the loss must not have grown past
   ``DIVERGENCE_FACTOR`` times the run's first loss of that model (at least 1): with Adam,
   ``--lr 1e6`` gives losses of 1e21 that stay finite for a long time, and no healthy
   loss of these studies grows a millionfold;
2. after every epoch (:func:`check_epoch`): every parameter and buffer of the models
   (weights can overflow to inf from finite gradients) and the validation loss;
3. the checkpoint is written only after both passed, so ``checkpoint.h5`` always holds
   the last epoch whose weights were finite.

NumPy's warnings of overflow and invalid values (NaN) are silenced meanwhile
(:func:`numpy_float_warnings_silenced`): they would only say, in many lines from deep in
the kernels, what the checks report in one.

The setting ``on_nonfinite`` says what a non-finite loss or gradient does:

``stop`` (default)
    raise :class:`NonFiniteError` at once, naming the epoch, the batch and what was
    not finite; the run directory keeps the checkpoint of the last finished epoch.
``skip``
    leave that optimizer step out (its gradients are dropped, the weights stay as they
    were, and the buffers the batch's forward pass changed, batch norm's running
    statistics, are put back) and count the batch as skipped: each epoch's record holds
    ``skipped_batches``, and their losses stay out of the epoch's means. (A GAN's two
    steps are judged each on its own: the discriminator's may be taken when the
    generator's is left out.)
    An epoch whose batches were all skipped stops the run all the same, and so do
    non-finite weights or a non-finite validation loss after an epoch: skipping cannot
    mend those.

On the ranks of a data-parallel run each rank checks its own loss and the gradients
(averaged over the ranks already), then the ranks agree (``any_rank``, an all_reduce of
one flag): when any rank found a problem, every rank stops or leaves the step out, so
the ranks' weights stay the same and no rank waits for a step the others left out.
"""
from __future__ import annotations

import math
import warnings
from contextlib import contextmanager

from ..backend import array_module

POLICIES = ("stop", "skip")
DIVERGENCE_FACTOR = 1e6
NUMPY_FLOAT_WARNINGS = "(overflow|invalid value|divide by zero) encountered"


class NonFiniteError(ArithmeticError):
    """A loss, gradient or weight became NaN or infinite: the run diverged."""


def first_nonfinite(named_arrays) -> str | None:
    """The name of the first raw array in ``(name, array)`` pairs holding a NaN or an
    infinity, or None."""
    for name, array in named_arrays:
        if array.dtype.kind not in "fc":
            continue
        xp = array_module(array)
        # a sum is finite when every element is (one pass, no temporary); a sum that is
        # not may have overflowed from finite elements: then each element is looked at
        if not (bool(xp.isfinite(array.sum())) or bool(xp.isfinite(array).all())):
            return name
    return None


class NonFiniteGuard:
    """Checks each optimizer step of an epoch (see the module docstring).

    ``where``: the trainer's description of the current batch (``"epoch 2, batch 7/50"``)
    for messages; ``batch_skipped``: whether a step of the current batch was left out;
    ``any_rank(flag)``: whether ``flag`` is true on any rank of the run (default: one
    process, the flag itself)."""

    def __init__(self, policy: str = "stop", any_rank=bool):
        if policy not in POLICIES:
            raise ValueError(f"on_nonfinite must be one of {POLICIES}, got {policy!r}")
        self.policy = policy
        self.any_rank = any_rank
        self.where = ""
        self.batch_skipped = False
        self._buffers: list = []
        self._first_loss: dict = {}  # model name -> the first loss this process saw

    def start_batch(self, where: str, models: dict) -> None:
        """A batch begins; with policy "skip", remember the models' buffers."""
        self.where, self.batch_skipped = where, False
        self._buffers = [] if self.policy == "stop" else [
            (buffer, buffer.array.copy()) for model in models.values()
            for _, buffer in model.named_buffers() if buffer is not None]

    def end_batch(self) -> None:
        """The batch is done; if it was skipped, put the buffers back as they were."""
        if self.batch_skipped:
            for buffer, saved in self._buffers:
                buffer.array[...] = saved
        self._buffers = []

    def allows_step(self, name: str, model, loss) -> bool:
        """True when ``loss`` (a 0-d tensor) and the gradients of ``model`` (named
        ``name``) are finite (on every rank). Otherwise: raise (policy "stop"), or drop
        the gradients and return False (policy "skip")."""
        problem = self.problem(name, model, loss)
        if not self.any_rank(problem is not None):
            return True
        problem = problem or (f"the loss or a gradient of {name!r} is not finite on another "
                              "rank")
        if self.policy == "stop":
            raise NonFiniteError(f"{self.where}: {problem}")
        model.zero_grad()
        self.batch_skipped = True
        return False

    def problem(self, name: str, model, loss) -> str | None:
        """What is wrong with ``loss`` or the gradients of ``model`` here, or None."""
        value = float(loss.item())
        if not math.isfinite(value):
            return f"the loss of {name!r} is {value}"
        first = self._first_loss.setdefault(name, value)
        if abs(value) > DIVERGENCE_FACTOR * max(1.0, abs(first)):
            return (f"the loss of {name!r} is {value:.3g}, more than {DIVERGENCE_FACTOR:g} "
                    f"times its first value ({first:.3g})")
        parameter = first_nonfinite((key, param.grad.array) for key, param in
                                    model.named_parameters() if param.grad is not None)
        if parameter is not None:
            return f"the gradient of {name!r} {parameter} is not finite"
        return None


def check_epoch(epoch: int, models: dict, record: dict, batches: int) -> None:
    """Raise :class:`NonFiniteError` unless the epoch of ``batches`` batches left finite
    weights and a finite validation loss, and trained on at least one batch
    (``record["skipped_batches"]``, when there, counts those left out)."""
    if batches and record.get("skipped_batches") == batches:
        raise NonFiniteError(f"epoch {epoch}: each of its {batches} batches had a "
                             "non-finite loss or gradient")
    for name, model in models.items():
        entry = first_nonfinite((key, value.array) for key, value in
                                model.state_dict().items())
        if entry is not None:
            raise NonFiniteError(f"epoch {epoch}: {name} {entry!r} is not finite after "
                                 "the epoch")
    loss = record.get("val_loss")
    if loss is not None and not math.isfinite(loss):
        raise NonFiniteError(f"epoch {epoch}: the validation loss is {loss}")


@contextmanager
def numpy_float_warnings_silenced():
    """Within the block, NumPy's RuntimeWarnings of overflow, invalid values and division
    by zero are not shown (a warnings filter: it holds in the kernels' threads too, where
    ``numpy.errstate`` would not)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", NUMPY_FLOAT_WARNINGS, RuntimeWarning)
        yield
