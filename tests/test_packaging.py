"""Packaging: every package in the tree is installed, models/datasets/cli map into minidl."""
import pathlib
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
MAPPED = {"models": "minidl.models", "datasets": "minidl.datasets", "cli": "minidl.cli"}


def _packages_in_tree():
    found = set()
    for init in ROOT.glob("**/__init__.py"):
        relative = init.parent.relative_to(ROOT)
        parts = relative.parts
        if not parts or parts[0] not in ("minidl", *MAPPED):
            continue
        head = MAPPED.get(parts[0], parts[0])
        found.add(".".join((head, *parts[1:])))
    return found


def test_pyproject_lists_every_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    assert listed == _packages_in_tree()
    assert config["tool"]["setuptools"]["package-dir"] == {"minidl": "minidl", **{
        v: k for k, v in MAPPED.items()}}
