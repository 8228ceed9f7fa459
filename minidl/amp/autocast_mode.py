"""``torch.autocast`` / ``torch.amp.autocast``: accepted, with the region run in the
tensors' own dtypes (see the package docstring)."""
from __future__ import annotations

import functools
import warnings

_state = {"enabled": False, "warned": False}


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether the calling code is inside an enabled ``autocast`` region."""
    return _state["enabled"]


class autocast:  # noqa: N801  (PyTorch's name)
    """``with autocast(device_type="cuda", dtype=torch.float16, enabled=True): ...``, or
    as a decorator.  minidl computes the region in the tensors' own dtypes; the first
    enabled region says so once."""

    def __init__(self, device_type: str = "cuda", dtype=None, enabled: bool = True,
                 cache_enabled: bool | None = None):
        if not isinstance(device_type, str):
            raise ValueError(f"autocast: device_type must be a string ('cuda' or 'cpu'), "
                             f"got {device_type!r}")
        self.device_type, self.dtype, self.enabled = device_type, dtype, bool(enabled)
        self._previous = False

    def __enter__(self):
        if self.enabled and not _state["warned"]:
            _state["warned"] = True
            warnings.warn("autocast: minidl has no reduced-precision kernels; the region runs "
                          "in the tensors' own dtypes (float32)", UserWarning, stacklevel=2)
        self._previous, _state["enabled"] = _state["enabled"], self.enabled
        return self

    def __exit__(self, *exc_info) -> None:
        _state["enabled"] = self._previous

    def __call__(self, function):
        @functools.wraps(function)
        def in_region(*args, **kwargs):
            with autocast(self.device_type, self.dtype, self.enabled):
                return function(*args, **kwargs)
        return in_region
