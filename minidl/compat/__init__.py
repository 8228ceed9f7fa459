"""Running PyTorch programs on minidl: ``import torch`` resolved to minidl.

    minidl run train.py --epochs 2          # or: python -m minidl.run train.py --epochs 2

    from minidl.compat import torch_is_minidl
    with torch_is_minidl():
        import torch                        # minidl, seen through PyTorch's names

:mod:`.aliases` maps PyTorch's module names to minidl's, :mod:`.importer` is the import
hook, :mod:`.runner` runs a script, :mod:`.missing` words the error for what minidl lacks.
"""
from .importer import TorchFinder, torch_is_minidl
from .missing import NotImplementedInMinidl, TorchModuleNotInMinidl, missing_message
from .runner import ScriptError, run_main, run_script

__all__ = ["torch_is_minidl", "TorchFinder", "run_script", "run_main", "ScriptError",
           "NotImplementedInMinidl", "TorchModuleNotInMinidl", "missing_message"]
