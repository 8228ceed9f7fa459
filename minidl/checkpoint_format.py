"""What writing and reading checkpoints share: their error, warning and limits.

The limits bound what :func:`minidl.load` accepts before it reads any value (see
:mod:`minidl.hdf5_structure`); :func:`minidl.save` refuses values beyond them, so whatever
it writes loads again.
"""

MAX_NODES = 100_000     # groups and datasets in one file (a training checkpoint has hundreds)
MAX_DEPTH = 100         # levels of groups below the root (a training checkpoint has 5)
MAX_ATTRIBUTES = 16     # attributes of one object (minidl writes at most 3)
STORABLE_DTYPE_KINDS = "biufc"   # bool, signed and unsigned int, float, complex


class CheckpointError(ValueError):
    """A checkpoint could not be written or read: unsupported value, damaged, hostile or
    foreign file.  The message names the file and the reason."""


class UnsealedCheckpointWarning(UserWarning):
    """A checkpoint without the SHA-256 seal (saved before seals existed, or by another
    program) was loaded: damage to it cannot be detected."""
