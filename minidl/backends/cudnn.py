"""``torch.backends.cudnn``: minidl does not use cuDNN; its flags are kept but change nothing."""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """False: minidl's GPU kernels are its own (CuPy), not cuDNN's."""
    return False


def version():
    return None
