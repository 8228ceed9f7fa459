"""Differentiable functions on raw arrays (the layer between kernels and Tensor)."""
