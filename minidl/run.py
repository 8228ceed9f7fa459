"""``python -m minidl.run SCRIPT.py [ARGS...]``: run a PyTorch program on minidl.

The same as ``minidl run SCRIPT.py [ARGS...]``: ``torch``, its sub-modules and
``torchvision`` resolve to minidl (see :mod:`minidl.compat`).
"""
from __future__ import annotations

import sys

from .compat.runner import run_main

USAGE = "usage: python -m minidl.run SCRIPT.py [ARGS...]"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE + "\nRun a PyTorch program with torch and torchvision resolved to minidl.",
              file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    return run_main(argv[0], argv[1:])


if __name__ == "__main__":
    sys.exit(main())
