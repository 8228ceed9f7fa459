"""``torch.amp``: automatic mixed precision, as far as minidl has it.

``GradScaler`` is PyTorch's loss scaling, exactly: the loss is multiplied by a power of two
before backward, the gradients divided by it before the step, a step whose gradients hold
an inf or NaN is skipped and the scale backed off, and the scale grows after
``growth_interval`` clean steps.  In minidl's float32 arithmetic, multiplying and dividing
by a power of two changes no value (short of overflow), so a scaled run takes the same
steps as an unscaled one, while skipping steps that overflowed as PyTorch does.

``autocast`` marks a region where PyTorch would compute some operations in float16 or
bfloat16.  minidl has no reduced-precision kernels: the region runs in the tensors' own
dtypes (a program's results are then those of its float32 run).
"""
from .autocast_mode import autocast, is_autocast_enabled
from .grad_scaler import GradScaler

__all__ = ["GradScaler", "autocast", "is_autocast_enabled"]
