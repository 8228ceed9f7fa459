"""How tensors print: PyTorch's ``set_printoptions`` over NumPy's ``array2string``."""
from __future__ import annotations

import sys

import numpy as np

_PROFILES = {"default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
             "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
             "full": {"precision": 4, "threshold": sys.maxsize, "edgeitems": 3, "linewidth": 80}}
_options: dict = dict(_PROFILES["default"], sci_mode=None)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """PyTorch's printing options: digits after the point, how many elements print in full
    (more are summarized with ``...``, ``edgeitems`` at each end), the line width; a
    ``profile`` ("default", "short", "full") sets all four; ``sci_mode`` True or False forces
    or forbids scientific notation (None: chosen per tensor)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, "
                             f"got {profile!r}")
        _options.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            _options[name] = value
    _options["sci_mode"] = sci_mode


def array_text(array: np.ndarray, prefix: str) -> str:
    """``array`` as the body of a tensor's repr, under the current options."""
    options = {"precision": _options["precision"], "threshold": _options["threshold"],
               "edgeitems": _options["edgeitems"], "max_line_width": _options["linewidth"]}
    if _options["sci_mode"] is True and array.dtype.kind == "f":
        digits = options["precision"]
        options["formatter"] = {"float_kind": lambda v: f"{v:.{digits}e}"}
    elif _options["sci_mode"] is False:
        options["suppress"] = True
    if array.dtype.kind == "f" and not _plain_whole_numbers(array):
        options["floatmode"] = "fixed"     # PyTorch's 1.5000, not NumPy's shortest 1.5
    return np.array2string(array, separator=", ", prefix=prefix, **options)


def _plain_whole_numbers(array: np.ndarray) -> bool:
    """Whether PyTorch prints a float array's values as whole numbers (``2.``): every
    finite value whole, and none that needs scientific notation (above 1e8, or the largest
    more than 1000 times the smallest non-zero magnitude)."""
    finite = array[np.isfinite(array)]
    if not np.all(finite == np.round(finite)):
        return False
    magnitudes = np.abs(finite[finite != 0])
    return magnitudes.size == 0 or (magnitudes.max() <= 1e8
                                    and magnitudes.max() <= 1000 * magnitudes.min())
