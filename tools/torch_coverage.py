"""How much of the PyTorch API that real programs use does minidl provide?

    python tools/torch_coverage.py                      # the compatibility programs + the
                                                        # names of the classic tutorials
    python tools/torch_coverage.py path/to/examples     # any .py files or folders
    python tools/torch_coverage.py --covered           # also list the names it has

Names come from two sources:

* Python files, read with ``ast``: every dotted name reached from an import of ``torch``
  or ``torchvision`` (``import torch.nn as nn`` ... ``nn.Conv2d`` -> ``torch.nn.Conv2d``;
  ``from torch.optim.lr_scheduler import StepLR`` -> ``torch.optim.lr_scheduler.StepLR``);
* name lists (``tools/torch_names_tutorials.txt``, one name a line, ``#`` comments): the
  names the classic tutorials use, including methods of tensors and modules, which a
  static reader cannot attribute (``Tensor.view``, ``Module.named_parameters``).

Each name is looked up the way a program would reach it under ``minidl run`` (through the
import hook), so a name counts as covered exactly when a program using it gets past it.
"""
from __future__ import annotations

import argparse
import ast
import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCES = [ROOT / "tests" / "compat", ROOT / "tools" / "torch_names_tutorials.txt"]
# What ``Tensor.x``, ``Module.x`` ... in a name list are looked up on: a small instance,
# so that attributes set in ``__init__`` count as they do for a program.
SAMPLES = {
    "Tensor": "torch.ones(2, 2, requires_grad=True)",
    "Module": "torch.nn.Linear(2, 2)",
    "Optimizer": "torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=0.1)",
    "DataLoader": "torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.ones(4)))",
}


class TorchNames(ast.NodeVisitor):
    """Collects the dotted torch/torchvision names a module uses."""

    def __init__(self):
        self.aliases: dict[str, str] = {}
        self.names: set[str] = set()

    def visit_Import(self, node):  # noqa: N802 (ast's method names)
        for alias in node.names:
            if _is_torch(alias.name):
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
                else:
                    self.aliases[alias.name.split(".")[0]] = alias.name.split(".")[0]
                self.names.add(alias.name)

    def visit_ImportFrom(self, node):  # noqa: N802
        if node.module and _is_torch(node.module) and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                self.aliases[alias.asname or alias.name] = full
                self.names.add(full)

    def visit_Attribute(self, node):  # noqa: N802
        chain = _dotted(node)
        if chain is not None:
            head, _, rest = chain.partition(".")
            if head in self.aliases:
                self.names.add(f"{self.aliases[head]}.{rest}")
                return  # the longest chain only
        self.generic_visit(node)


def _is_torch(name: str) -> bool:
    return name.split(".")[0] in ("torch", "torchvision")


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def names_in_python(path: Path) -> set[str]:
    collector = TorchNames()
    collector.visit(ast.parse(path.read_text(), filename=str(path)))
    return collector.names


def names_in_list(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(line)
    return names


def collect(sources) -> dict[str, set[str]]:
    """``{name: {file it came from, ...}}`` over every source file or folder."""
    found: dict[str, set[str]] = {}
    for source in sources:
        source = Path(source)
        files = sorted(source.rglob("*.py")) if source.is_dir() else [source]
        for path in files:
            names = names_in_list(path) if path.suffix == ".txt" else names_in_python(path)
            for name in names:
                found.setdefault(name, set()).add(path.name)
    return found


def lookup(name: str):
    """Reach ``name`` as a program would; ``None`` when it exists, else the error text."""
    from minidl.compat.missing import NotImplementedInMinidl, TorchModuleNotInMinidl

    head, _, rest = name.partition(".")
    if head in SAMPLES:
        torch = importlib.import_module("torch")
        sample = eval(SAMPLES[head], {"torch": torch})  # noqa: S307 (our own expressions)
        try:
            getattr(sample, rest)
        except (NotImplementedInMinidl, AttributeError) as error:
            return f"missing ({type(error).__name__}: {error})"
        return None
    parts = name.split(".")
    try:
        value = importlib.import_module(parts[0])
        module_name = parts[0]
        for part in parts[1:]:
            if isinstance(value, type(sys)) and not hasattr(value, part):
                try:  # a sub-module not imported yet: import it as a program would
                    value = importlib.import_module(f"{module_name}.{part}")
                    module_name = f"{module_name}.{part}"
                    continue
                except ModuleNotFoundError:
                    pass
            value = getattr(value, part)
            module_name = f"{module_name}.{part}"
    except (NotImplementedInMinidl, TorchModuleNotInMinidl) as error:
        return str(error)
    except (AttributeError, ImportError) as error:
        return f"missing ({type(error).__name__}: {error})"
    return None


def report(found: dict[str, set[str]], show_covered: bool = False) -> str:
    from minidl.compat import torch_is_minidl

    with torch_is_minidl():
        results = {name: lookup(name) for name in sorted(found)}
    missing = {name: why for name, why in results.items() if why is not None}
    covered = len(results) - len(missing)
    lines = [f"minidl covers {covered} of {len(results)} torch names "
             f"({100 * covered / max(len(results), 1):.1f}%)"]
    if show_covered:
        lines.append(f"Covered ({covered}):")
        lines += [f"  {name}" for name, why in results.items() if why is None]
    lines.append(f"Not covered ({len(missing)}):")
    for name, why in missing.items():
        lines.append(f"  {name:<45} {why}   [{', '.join(sorted(found[name]))}]")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="*", type=Path,
                        help="Python files, folders of them, or .txt name lists "
                             "(default: the compatibility programs and the tutorials' list)")
    parser.add_argument("--covered", action="store_true",
                        help="list the names minidl has, too")
    args = parser.parse_args(argv)
    print(report(collect(args.sources or DEFAULT_SOURCES), args.covered))
    return 0


if __name__ == "__main__":
    sys.exit(main())
