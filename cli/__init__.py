"""The ``minidl`` command line (click): ``train``, ``eval``, ``colorize``, ``studies``,
``data`` and ``bench``, one module each, gathered by :mod:`minidl.cli.main`.

This folder sits at the top of the repository but installs as ``minidl.cli`` (a setuptools
``package-dir`` mapping): it is imported as ``minidl.cli`` and its modules import minidl by
absolute name (``from minidl.studies import ...``).
"""
