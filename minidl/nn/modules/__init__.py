"""Layer classes. Each file owns one family of layers."""
from .module import Module

__all__ = ["Module"]
